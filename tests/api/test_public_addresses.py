"""Public addresses: everything the app hands out lies under LEERLIJN_BASE_URL.

An app configured with ``https://leerlijn.example:8443/sub`` (another host, a port and a path
prefix, as behind a proxy) issues credentials whose id, status-list URLs, achievement, subject
and did:web issuer are under that base, and whose page links and QR code point there too. And
``make run PORT=…`` sets the base URL to match when the environment names none.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import segno
from flask import Flask
from flask.testing import FlaskClient

from tests.api.test_credentials import dispose, make_seeded_app
from tests.helpers import admin_client, learner_id

BASE = "https://leerlijn.example:8443/sub"
DID = "did:web:leerlijn.example%3A8443:sub:issuers:MBO-ZW"
PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sub_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    application = make_seeded_app(tmp_path_factory.mktemp("sub") / "keys", BASE)
    yield application
    dispose(application)


@pytest.fixture(scope="module")
def client(sub_app: Flask) -> FlaskClient:
    return admin_client(sub_app)


@pytest.fixture(scope="module")
def credential(client: FlaskClient) -> dict[str, Any]:
    body = {
        "learner": learner_id(client, "DEMO-L5"),
        "achievement": {"type": "unit", "code": "BC-VV-B1K1"},
    }
    response = client.post("/api/credentials", json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()  # type: ignore[no-any-return]


def key(document: dict[str, Any]) -> str:
    return str(document["id"]).removeprefix(f"{BASE}/credentials/")


def qr_path(svg: str) -> str:
    """The drawing of a QR code's dark modules (segno's ``qrline`` path)."""
    found = re.search(r'class="qrline"[^>]*\sd="([^"]+)"', svg)
    assert found, svg[:300]
    return found.group(1)


def segno_qr(url: str) -> str:
    return qr_path(segno.make(url, error="m").svg_inline(scale=4, svgclass="qr", omitsize=True))


def test_the_credential_names_only_addresses_under_the_base_url(
    credential: dict[str, Any],
) -> None:
    assert re.fullmatch(rf"{re.escape(BASE)}/credentials/[0-9a-f-]{{36}}", credential["id"])
    statuses = credential["credentialStatus"]
    statuses = statuses if isinstance(statuses, list) else [statuses]
    assert statuses
    for entry in statuses:
        assert entry["statusListCredential"].startswith(f"{BASE}/status/"), entry
        assert entry["id"].startswith(f"{BASE}/status/"), entry
    assert credential["issuer"]["id"] == DID
    proofs = credential["proof"] if isinstance(credential["proof"], list) else [credential["proof"]]
    assert all(p["verificationMethod"].startswith(f"{DID}#") for p in proofs)
    subject = credential["credentialSubject"]
    assert subject["id"].startswith(f"{BASE}/api/learners/")
    assert subject["achievement"]["id"] == f"{BASE}/api/units/BC-VV-B1K1"
    assert "127.0.0.1" not in str(credential) and "localhost" not in str(credential)


def test_the_addresses_resolve_to_this_app_and_the_credential_verifies(
    client: FlaskClient, credential: dict[str, Any]
) -> None:
    did_document = client.get("/issuers/MBO-ZW/did.json")
    assert did_document.status_code == 200 and did_document.get_json()["id"] == DID
    statuses = credential["credentialStatus"]
    for entry in statuses if isinstance(statuses, list) else [statuses]:
        url = entry["statusListCredential"]
        served = client.get(url.removeprefix(BASE))
        assert served.status_code == 200, url
        assert served.get_json()["id"] == url and served.get_json()["issuer"] == DID
    report = client.post("/api/verify", json=credential).get_json()
    assert report["verified"] is True, report
    listed = client.get(f"/api/learners/{learner_id(client, 'DEMO-L5')}/credentials").get_json()
    assert f"{BASE}/credentials/{key(credential)}" in [c["url"] for c in listed["items"]]


def test_the_credential_page_links_and_qr_code_point_under_the_base_url(
    client: FlaskClient, credential: dict[str, Any]
) -> None:
    page = client.get(f"/credentials/{key(credential)}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    public = f"{BASE}/credentials/{key(credential)}"
    assert f'href="{public}"' in body and f">{public}</a>" in body
    assert f'href="{public}.json"' in body
    assert f'href="{BASE}/verifieren"' in body
    assert "127.0.0.1" not in body and "http://localhost" not in body
    start = body.index('<svg role="img" aria-label="QR')
    svg = html.unescape(body[start : body.index("</svg>", start)])
    assert qr_path(svg) == segno_qr(public)  # the QR code encodes exactly the public link
    assert qr_path(svg) != segno_qr(f"http://127.0.0.1:8000/credentials/{key(credential)}")


# --- make run ---------------------------------------------------------------------------------


def make_run(tmp_path: Path, *args: str, **env: str) -> dict[str, tuple[str, str]]:
    """What `make run` hands flask and gunicorn (replaced by scripts that print it): for each,
    its LEERLIJN_BASE_URL and its arguments."""
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir(exist_ok=True)
    for tool in ("flask", "gunicorn"):
        script = fake_bin / tool
        script.write_text(f'#!/bin/sh\necho "{tool} $LEERLIJN_BASE_URL $*"\n', encoding="utf-8")
        script.chmod(0o755)
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("LEERLIJN_", "MAKE"))}
    done = subprocess.run(
        ["make", "-s", "-o", "install", "run", f"BIN={fake_bin}", *args],
        cwd=PROJECT,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    printed = [line.split(" ", 2) for line in done.stdout.splitlines()]
    return {p[0]: (p[1], p[2]) for p in printed if len(p) == 3 and p[0] in ("flask", "gunicorn")}


@pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")
def test_make_run_sets_the_base_url_to_its_port_unless_the_environment_has_one(
    tmp_path: Path,
) -> None:
    served = make_run(tmp_path, "PORT=9000")
    assert served["flask"][0] == served["gunicorn"][0] == "http://127.0.0.1:9000"
    assert "--bind 127.0.0.1:9000" in served["gunicorn"][1]
    assert make_run(tmp_path, "HOST=localhost", "PORT=9001")["gunicorn"][0] == (
        "http://localhost:9001"
    )
    # A wildcard bind is no address to hand out: the loopback one is.
    assert make_run(tmp_path, "HOST=0.0.0.0", "PORT=9002")["gunicorn"][0] == (
        "http://127.0.0.1:9002"
    )
    served = make_run(tmp_path, "PORT=9000", LEERLIJN_BASE_URL=BASE)
    assert served["flask"][0] == served["gunicorn"][0] == BASE
    assert "--bind 127.0.0.1:9000" in served["gunicorn"][1]
