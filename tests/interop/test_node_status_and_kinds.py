"""Digital Bazaar's verifier (Node, offline) on what the API issues: EPA, diploma, CLR, status.

Credentials are issued through the HTTP API of a seeded app; the status list credentials they
point at are fetched from ``/status/{list}`` as served *now* and handed to ``interop/verify.mjs``
with ``--documents`` (did:web runs get the served DID document too). The Node side checks every
``credentialStatus`` entry with ``@digitalbazaar/vc-bitstring-status-list``, including the
list's own proof and issuer.

Marked ``node`` and ``slow``; without Node or ``interop/node_modules`` the tests skip locally
but FAIL when ``CI`` is set (the ``node`` fixture of ``test_node_verifier.py``).
"""

# ruff: noqa: F811  (node, local_app and web_app are fixtures imported below)

from __future__ import annotations

import base64
import copy
import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.api.test_credentials import (  # noqa: F401
    dispose,
    issued,
    learner_id,
    local_app,
    make_seeded_app,
    new_holder,
    web_app,
)
from tests.helpers import admin_client
from tests.interop.test_node_verifier import node, run_verifier  # noqa: F401

pytestmark = [pytest.mark.node, pytest.mark.slow]

Document = dict[str, Any]
OK = (0, {"verified": True, "error": None})


# --- helpers ----------------------------------------------------------------------------------


def issue_kind(client: FlaskClient, external_id: str, kind: str, code: str) -> Document:
    learner = learner_id(client, external_id)
    response = client.post(
        "/api/credentials", json={"learner": learner, "achievement": {"type": kind, "code": code}}
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()  # type: ignore[no-any-return]


def status_urls(credential: Document) -> set[str]:
    """Status list URLs of `credential` and, for a CLR, of every embedded credential."""
    named = credential.get("credentialStatus", [])
    urls = {e["statusListCredential"] for e in (named if isinstance(named, list) else [named])}
    for inner in credential["credentialSubject"].get("verifiableCredential", []):
        urls |= status_urls(inner)
    return urls


def served(client: FlaskClient, url: str) -> Document:
    response = client.get(urlsplit(url).path)
    assert response.status_code == 200, url
    return response.get_json(force=True)  # type: ignore[no-any-return]


def documents_file(
    client: FlaskClient, credential: Document, path: Path, did: bool = False
) -> Path:
    """Write the --documents file: the credential's status lists as served now (+ DID doc)."""
    documents = {url: served(client, url) for url in status_urls(credential)}
    if did:
        document = client.get("/issuers/MBO-ZW/did.json").get_json()
        documents[document["id"]] = document
    path.write_text(json.dumps(documents), encoding="utf-8")
    return path


def node_verify(
    node: str, client: FlaskClient, credential: Document, path: Path, did: bool = False
) -> tuple[int, Document]:
    return run_verifier(
        node, credential, "--documents", str(documents_file(client, credential, path, did))
    )


def change(client: FlaskClient, credential: Document, action: str) -> None:
    key = credential["id"].rsplit("/", 1)[1]
    response = client.post(
        f"/api/credentials/{key}/{action}", json={"reason": f"interop: {action}"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)


def set_bit_unsigned(status_list: Document, index: int) -> Document:
    """A copy of a status list with bit `index` set, its proof left as it was."""
    changed = copy.deepcopy(status_list)
    encoded = changed["credentialSubject"]["encodedList"][1:]
    bits = bytearray(gzip.decompress(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))))
    bits[index // 8] |= 0x80 >> (index % 8)
    changed["credentialSubject"]["encodedList"] = "u" + base64.urlsafe_b64encode(
        gzip.compress(bytes(bits))
    ).decode().rstrip("=")
    return changed


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def api(local_app: Flask) -> FlaskClient:
    return admin_client(local_app)


@pytest.fixture
def fresh_api(tmp_path: Path) -> Iterator[FlaskClient]:
    """An admin client of a newly seeded app: what a test issues there is minted anew.

    Issuing is idempotent (an achievement already held returns the credential held), so a test
    that must mint its own credential does not share the module's app with `kinds`.
    """
    application = make_seeded_app(tmp_path / "keys")
    yield admin_client(application)
    dispose(application)


@pytest.fixture(scope="module")
def kinds(local_app: Flask) -> dict[str, Document]:
    """An EPA credential (DEMO-L9, BAZ-5 at level 2), the Q-VIG diploma and DEMO-L5's CLR."""
    client = admin_client(local_app)
    found = {
        "epa": issue_kind(client, "DEMO-L9", "epa", "BAZ-5"),
        "diploma": issue_kind(client, "DEMO-L5", "qualification", "Q-VIG"),
        "unit": issued(client, learner_id(client, "DEMO-L5"), "BC-VV-B1K1"),
    }
    response = client.get(f"/api/learners/{learner_id(client, 'DEMO-L5')}/record")
    assert response.status_code == 200, response.get_data(as_text=True)
    found["clr"] = response.get_json()
    return found


# --- EPA, diploma and CLR issued through the API -----------------------------------------------


@pytest.mark.parametrize("kind", ["epa", "diploma", "clr"])
def test_api_issued_epa_diploma_and_clr_verify_with_digital_bazaar(
    node: str, api: FlaskClient, kinds: dict[str, Document], kind: str, tmp_path: Path
) -> None:
    credential = kinds[kind]
    if kind != "clr":  # one status object, as the OB 3.0 schema wants; the Node side checks it
        assert credential["credentialStatus"]["statusPurpose"] == "revocation"
    assert node_verify(node, api, credential, tmp_path / "docs.json") == OK


def test_every_credential_embedded_in_the_api_record_verifies_with_its_status(
    node: str, api: FlaskClient, kinds: dict[str, Document], tmp_path: Path
) -> None:
    embedded = kinds["clr"]["credentialSubject"]["verifiableCredential"]
    assert {kinds["diploma"]["id"], kinds["unit"]["id"]} <= {c["id"] for c in embedded}
    for credential in embedded:
        assert node_verify(node, api, credential, tmp_path / "docs.json") == OK, credential["id"]


def test_a_tampered_api_record_is_rejected(
    node: str, api: FlaskClient, kinds: dict[str, Document], tmp_path: Path
) -> None:
    tampered = copy.deepcopy(kinds["clr"])
    tampered["credentialSubject"]["verifiableCredential"][0]["name"] += " (met lof)"
    code, result = node_verify(node, api, tampered, tmp_path / "docs.json")
    assert code == 1 and result["verified"] is False and "signature" in result["error"].lower()


# --- revoked and suspended credentials ----------------------------------------------------------


@pytest.mark.parametrize(
    ("external_id", "kind", "code"),
    [
        ("DEMO-L5", "unit", "AV-NL-2F"),
        ("DEMO-L9", "epa", "BAZ-1"),
        ("DEMO-L5", "qualification", "Q-VIG"),
    ],
)
def test_a_revoked_credential_is_rejected_by_digital_bazaar(
    node: str, fresh_api: FlaskClient, tmp_path: Path, external_id: str, kind: str, code: str
) -> None:
    api = fresh_api
    credential = issue_kind(api, external_id, kind, code)
    before = documents_file(api, credential, tmp_path / "before.json")
    assert run_verifier(node, credential, "--documents", str(before)) == OK
    change(api, credential, "revoke")
    code_, result = node_verify(node, api, credential, tmp_path / "after.json")
    assert code_ == 1 and result["verified"] is False
    assert "revoked" in result["error"]
    # What decides is the list handed over: the list as it was before still says "active".
    assert run_verifier(node, credential, "--documents", str(before)) == OK


def test_suspension_is_the_registrys_own_check_and_revocation_everyones(
    node: str, api: FlaskClient, tmp_path: Path
) -> None:
    """The status design (README): the credential names only its revocation bit, so an
    independent verifier sees revocations; a suspension is checked by this registry's
    verifier, which finds the credential's suspension bit by its id."""
    credential = issue_kind(api, "DEMO-L5", "unit", "AV-REK-2F")
    change(api, credential, "suspend")
    ours = api.post("/api/verify", json=credential).get_json()
    [status] = [c for c in ours["checks"] if c["check"] == "status"]
    assert ours["verified"] is False and status["code"] == "suspended"
    # Digital Bazaar checks what the credential names: the revocation bit, not set.
    assert node_verify(node, api, credential, tmp_path / "suspended.json") == OK
    change(api, credential, "unsuspend")
    assert api.post("/api/verify", json=credential).get_json()["verified"] is True
    assert node_verify(node, api, credential, tmp_path / "unsuspended.json") == OK
    change(api, credential, "revoke")
    code, result = node_verify(node, api, credential, tmp_path / "revoked.json")
    assert code == 1 and result["verified"] is False and "revoked" in result["error"]


def test_a_status_list_changed_without_re_signing_is_rejected(
    node: str, api: FlaskClient, tmp_path: Path
) -> None:
    credential = issue_kind(api, "DEMO-L5", "unit", "AV-LB")
    item = credential["credentialStatus"]
    assert item["statusPurpose"] == "revocation"
    documents = {url: served(api, url) for url in status_urls(credential)}
    url = item["statusListCredential"]
    documents[url] = set_bit_unsigned(documents[url], int(item["statusListIndex"]))
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(documents), encoding="utf-8")
    code, result = run_verifier(node, credential, "--documents", str(path))
    assert code == 1 and result["verified"] is False
    assert "BitstringStatusListCredential" in result["error"] and "not verified" in result["error"]


def test_did_web_a_revoked_credential_is_rejected_with_the_served_did_document(
    node: str, web_app: Flask, tmp_path: Path
) -> None:
    client = admin_client(web_app)
    credential = issue_kind(client, "DEMO-L9", "epa", "BAZ-2")
    assert credential["issuer"]["id"] == "did:web:leerlijn.example:issuers:MBO-ZW"
    assert node_verify(node, client, credential, tmp_path / "before.json", did=True) == OK
    change(client, credential, "revoke")
    code, result = node_verify(node, client, credential, tmp_path / "after.json", did=True)
    assert code == 1 and "revoked" in result["error"]


def test_credentials_naming_their_holder_verify_with_digital_bazaar(
    node: str, fresh_api: FlaskClient, tmp_path: Path
) -> None:
    """Hashed IdentityObjects (name and e-mail, #13) use only terms of the OB 3.0 context."""
    learner = new_holder(fresh_api, "BC-VV-B1K1", name="Holder Interop")
    response = fresh_api.patch(f"/api/learners/{learner}", json={"email": "h@example.org"})
    assert response.status_code == 200, response.get_data(as_text=True)
    unit = issued(fresh_api, learner, "BC-VV-B1K1")
    identity_types = [i["identityType"] for i in unit["credentialSubject"]["identifier"]]
    assert identity_types == ["name", "emailAddress"]
    assert node_verify(node, fresh_api, unit, tmp_path / "unit.json") == OK
    for credential in (
        issue_kind(fresh_api, "DEMO-L9", "epa", "BAZ-1"),
        issue_kind(fresh_api, "DEMO-L5", "qualification", "Q-VIG"),
    ):
        assert [i["identityType"] for i in credential["credentialSubject"]["identifier"]] == [
            "name"
        ]
        assert node_verify(node, fresh_api, credential, tmp_path / "kind.json") == OK
