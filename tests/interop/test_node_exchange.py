"""The VC-API exchange end to end: Digital Bazaar's stack (Node) plays the wallet against the
real service (gunicorn, `tests.served`).

The wallet (``interop/didauth.mjs``) makes a fresh did:key and signs the DID-auth presentation
with ``@digitalbazaar/vc`` ``signPresentation``: ``Ed25519Signature2020`` on a VC 1.1
presentation, as the Learner Credential Wallet does, and ``eddsa-rdfc-2022``. The credential
it receives is verified by our ``POST /api/verify`` and by ``interop/verify.mjs``.

Marked ``node`` and ``slow``. Without Node or ``interop/node_modules`` these tests skip
locally, but FAIL when the ``CI`` environment variable is set.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.interop.test_node_verifier import INTEROP, _node_or_reason
from tests.served import Served, serve

pytestmark = [pytest.mark.node, pytest.mark.slow]


@pytest.fixture(scope="module")
def node() -> str:
    path, reason = _node_or_reason()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"Node wallet unavailable in CI: {reason}")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="module")
def served(node: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serve(tmp_path_factory.mktemp("served"), workers=2) as service:
        yield service


@pytest.fixture(scope="module")
def credential(served: Served) -> dict[str, Any]:
    found = served.request("GET", "/api/learners?external_id=DEMO-L5").json()["items"]
    body = {"learner": found[0]["id"], "achievement": {"type": "unit", "code": "BC-VV-B1K1"}}
    response = served.request("POST", "/api/credentials", json=body)
    assert response.status in (200, 201), response.text
    return response.json()  # type: ignore[no-any-return]


def local(served: Served, url: str) -> str:
    assert url.startswith(served.base_url), url
    return url[len(served.base_url) :]


def node_wallet(node: str, request: dict[str, Any]) -> dict[str, Any]:
    proc = subprocess.run(
        [node, str(INTEROP / "didauth.mjs")],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=INTEROP,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def node_verify(node: str, served: Served, document: dict[str, Any], tmp: Path) -> Any:
    """`interop/verify.mjs` with the credential's status list as served now."""
    url = document["credentialStatus"]["statusListCredential"]
    status_list = served.request("GET", local(served, url), token=None)
    assert status_list.status == 200, status_list.text
    documents = tmp / "documents.json"
    documents.write_text(json.dumps({url: status_list.json()}), encoding="utf-8")
    proc = subprocess.run(
        [node, str(INTEROP / "verify.mjs"), "-", "--documents", str(documents)],
        input=json.dumps(document),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=INTEROP,
    )
    return proc.returncode, json.loads(proc.stdout.strip().splitlines()[-1])


def open_exchange(served: Served, credential: dict[str, Any]) -> dict[str, Any]:
    key = credential["id"].rsplit("/", 1)[1]
    response = served.request("POST", f"/api/credentials/{key}/exchange")
    assert response.status == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def wallet_step(served: Served, exchange: dict[str, Any], body: Any) -> Any:
    return served.request("POST", local(served, exchange["exchange_url"]), json=body, token=None)


@pytest.mark.parametrize("suite", ["Ed25519Signature2020", "eddsa-rdfc-2022"])
def test_a_node_wallet_receives_the_bound_credential_over_the_exchange(
    node: str, served: Served, credential: dict[str, Any], suite: str, tmp_path: Path
) -> None:
    exchange = open_exchange(served, credential)
    # the wallet follows the LCW link: its request names the exchange
    [raw] = parse_qs(urlsplit(exchange["lcw_url"]).query)["request"]
    vcapi = json.loads(raw)["protocols"]["vcapi"]
    assert vcapi == exchange["exchange_url"]
    first = wallet_step(served, exchange, {})
    assert first.status == 200, first.text
    request = first.json()["verifiablePresentationRequest"]
    assert request["query"][0]["type"] == "DIDAuthentication"
    signed = node_wallet(
        node, {"challenge": request["challenge"], "domain": request["domain"], "suite": suite}
    )
    assert signed["verifiablePresentation"]["proof"]["proofPurpose"] == "authentication"
    second = wallet_step(
        served, exchange, {"verifiablePresentation": signed["verifiablePresentation"]}
    )
    assert second.status == 200, second.text
    [bound] = second.json()["verifiablePresentation"]["verifiableCredential"]
    assert bound["credentialSubject"]["id"] == signed["did"]
    assert bound["id"] == credential["id"]
    assert bound["credentialStatus"] == credential["credentialStatus"]
    ours = served.request("POST", "/api/verify", json=bound, token=None)
    assert ours.status == 200 and ours.json()["verified"] is True, ours.text
    assert node_verify(node, served, bound, tmp_path) == (0, {"verified": True, "error": None})
    replay = wallet_step(
        served, exchange, {"verifiablePresentation": signed["verifiablePresentation"]}
    )
    assert replay.status == 409 and replay.content_type == "application/problem+json"


@pytest.mark.parametrize("suite", ["Ed25519Signature2020", "eddsa-rdfc-2022"])
def test_node_presentations_for_another_domain_or_holder_are_refused(
    node: str, served: Served, credential: dict[str, Any], suite: str
) -> None:
    exchange = open_exchange(served, credential)
    request = wallet_step(served, exchange, {}).json()["verifiablePresentationRequest"]
    cases = {
        "domain": {"challenge": request["challenge"], "domain": "https://evil.example"},
        "challenge": {"challenge": "replayed-challenge", "domain": request["domain"]},
        "verification-method": {
            **{"challenge": request["challenge"], "domain": request["domain"]},
            "holder": "did:key:z6MkeTG3bFFSLYVU7VqhgZxqr6YzpaGrQtFMh1uvqGy1vDnP",
        },
    }
    for check, options in cases.items():
        vp = node_wallet(node, {**options, "suite": suite})["verifiablePresentation"]
        answer = wallet_step(served, exchange, {"verifiablePresentation": vp})
        assert answer.status == 422 and answer.content_type == "application/problem+json", check
        assert f"({check})" in answer.json()["detail"], answer.text
