"""An independent wallet receives a credential by OID4VCI from the real service.

The service runs under gunicorn (`tests.served.serve`) behind a TLS-terminating proxy started
here (Digital Bazaar's ``@digitalbazaar/oid4-client`` accepts only https URLs), with
``LEERLIJN_BASE_URL`` the proxy's https address, as a deployment behind a proxy has it. A
learner makes an offer through the API; ``interop/oid4vci-wallet.mjs`` plays the wallet from
the ``offer_url`` (the QR code's payload) and the PIN: offer, token, nonce, credential with a
did:key proof JWT. The credential it receives is verified by our ``POST /api/verify`` and by the
independent verifier ``interop/verify.mjs`` (its status list as the service serves it).

Marked ``node`` and ``slow``: skips locally without Node, FAILS when ``CI`` is set.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from cryptography.x509.oid import NameOID

from tests.interop.test_node_verifier import INTEROP, _node_or_reason, run_verifier
from tests.served import HOST, Served, free_port, serve

pytestmark = [pytest.mark.node, pytest.mark.slow]


@pytest.fixture(scope="module")
def node() -> str:
    path, reason = _node_or_reason()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"Node wallet unavailable in CI: {reason}")
        pytest.skip(reason)
    if not (INTEROP / "node_modules" / "@digitalbazaar" / "oid4-client").is_dir():
        if os.environ.get("CI"):
            pytest.fail("@digitalbazaar/oid4-client is missing: run `cd interop && npm ci`")
        pytest.skip("@digitalbazaar/oid4-client is missing: run `cd interop && npm ci`")
    return path


# --- TLS in front of the service --------------------------------------------------------------


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (and its key), valid for a day."""
    key = generate_private_key(SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class TlsProxy:
    """Accept TLS on `port` and relay each connection, decrypted, to the backend's port."""

    def __init__(self, cert: Path, key: Path) -> None:
        self.port = free_port()
        self.backend_port = 0
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)
        self.listener = socket.create_server((HOST, self.port))
        self.listener.settimeout(0.5)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> TlsProxy:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stopped.set()
        self.thread.join(5)
        self.listener.close()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                raw, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._relay, args=(raw,), daemon=True).start()

    def _relay(self, raw: socket.socket) -> None:
        try:
            raw.settimeout(30)
            client = self.context.wrap_socket(raw, server_side=True)
            backend = socket.create_connection((HOST, self.backend_port), timeout=30)
        except (OSError, ssl.SSLError):
            raw.close()
            return

        def pump(source: socket.socket, target: socket.socket) -> None:
            try:
                while chunk := source.recv(65536):
                    target.sendall(chunk)
            except (OSError, ssl.SSLError):
                pass
            finally:
                for end in (source, target):
                    try:
                        end.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

        back = threading.Thread(target=pump, args=(backend, client), daemon=True)
        back.start()
        pump(client, backend)
        back.join(30)
        client.close()
        backend.close()


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, Path]]:
    folder = tmp_path_factory.mktemp("oid4vci-served")
    cert, key = self_signed(folder)
    with TlsProxy(cert, key) as proxy:
        base_url = f"https://{HOST}:{proxy.port}"
        with serve(folder, workers=2, env={"LEERLIJN_BASE_URL": base_url}) as served:
            proxy.backend_port = served.port
            yield served, cert


# --- helpers ----------------------------------------------------------------------------------


def ok(response: Any, status: int = 200) -> Any:
    assert response.status == status, response.text
    return response.json()


def run_wallet(node: str, offer_url: str, tx_code: str, ca: Path) -> dict[str, Any]:
    proc = subprocess.run(
        [node, str(INTEROP / "oid4vci-wallet.mjs"), offer_url, tx_code, "--ca", str(ca)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=INTEROP,
    )
    assert proc.stdout.strip(), f"no output; stderr: {proc.stderr}"
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    assert proc.returncode == 0 and "error" not in result, result
    return result


# --- the test ---------------------------------------------------------------------------------


def test_digital_bazaars_wallet_receives_a_credential_that_both_verifiers_accept(
    node: str, service: tuple[Served, Path], tmp_path: Path
) -> None:
    served, ca = service
    [item] = ok(served.request("GET", "/api/learners?external_id=DEMO-L5"))["items"]
    learner = item["id"]
    body = {"learner": learner, "achievement": {"type": "unit", "code": "BC-VV-B1K1"}}
    issued = ok(served.request("POST", "/api/credentials", json=body), 201)
    key = issued["id"].rsplit("/", 1)[1]
    token = ok(
        served.request("POST", "/api/tokens", json={"role": "learner", "learner": learner}), 201
    )["token"]
    offer = ok(served.request("POST", f"/api/credentials/{key}/offer", token=token), 201)
    assert offer["offer_url"].startswith("openid-credential-offer://?credential_offer_uri=https")

    received = run_wallet(node, offer["offer_url"], offer["tx_code"], ca)
    credential = received["credential"]
    assert received["did"].startswith("did:key:z6Mk")
    assert credential["credentialSubject"]["id"] == received["did"]
    assert credential["id"] == issued["id"]
    assert credential["credentialStatus"] == issued["credentialStatus"]

    report = ok(served.request("POST", "/api/verify", json=credential, token=None))
    assert report["verified"] is True, report

    status_url = credential["credentialStatus"]["statusListCredential"]
    status_list = ok(served.request("GET", urlsplit(status_url).path, token=None))
    documents = tmp_path / "documents.json"
    documents.write_text(json.dumps({status_url: status_list}), encoding="utf-8")
    code, result = run_verifier(node, credential, "--documents", str(documents))
    assert (code, result) == (0, {"verified": True, "error": None})

    # the offer was used: the same PIN and code give nothing more
    again = subprocess.run(
        [
            node,
            str(INTEROP / "oid4vci-wallet.mjs"),
            offer["offer_url"],
            offer["tx_code"],
            "--ca",
            str(ca),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=INTEROP,
    )
    assert again.returncode == 1, again.stdout
