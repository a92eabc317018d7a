"""Credentials issued through the API, checked by tools that are not our verifier.

* Digital Bazaar's Node stack (``interop/verify.mjs``, marked ``node`` and ``slow``; skipped
  locally without Node, failing under ``CI``): did:key credentials verify with their status
  lists (as served at ``/status/…``) passed through ``--documents``, did:web ones with the served
  DID document as well; tampered copies fail.
* The shipped OB 3.0 JSON Schema, through :mod:`app.adapters.json_schemas` directly (fast, always).
"""

# ruff: noqa: F811  (node, local_app and web_app are fixtures imported below)

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.adapters.json_schemas import load_credential_validator
from tests.api.test_credentials import issued, learner_id, local_app, web_app  # noqa: F401
from tests.helpers import admin_client
from tests.interop.test_node_verifier import node, run_verifier  # noqa: F401

REPO = Path(__file__).resolve().parents[2]
UNITS = ["BC-VV-B1K1", "AV-NL-2F"]


def issue_for_l5(client: FlaskClient, unit: str) -> dict[str, Any]:
    return issued(client, learner_id(client, "DEMO-L5"), unit)


@pytest.fixture(scope="module")
def local_credentials(local_app: Flask) -> dict[str, dict[str, Any]]:
    client = admin_client(local_app)
    return {unit: issue_for_l5(client, unit) for unit in UNITS}


@pytest.fixture(scope="module")
def web_credentials(web_app: Flask) -> dict[str, dict[str, Any]]:
    client = admin_client(web_app)
    return {unit: issue_for_l5(client, unit) for unit in UNITS}


def served_documents(
    client: FlaskClient, credentials: dict[str, dict[str, Any]], did: bool
) -> dict[str, Any]:
    """{URL: document} of what a verifier must fetch: status lists (and the DID document)."""
    documents: dict[str, Any] = {}
    for credential in credentials.values():
        named = credential.get("credentialStatus", [])
        for entry in named if isinstance(named, list) else [named]:
            url = entry["statusListCredential"]
            response = client.get(urlsplit(url).path)
            assert response.status_code == 200, url
            documents[url] = response.get_json(force=True)
    if did:
        response = client.get("/issuers/MBO-ZW/did.json")
        assert response.status_code == 200
        document = response.get_json()
        assert document["id"] == credentials["BC-VV-B1K1"]["issuer"]["id"]
        documents[document["id"]] = document
    return documents


@pytest.fixture(scope="module")
def local_documents(
    local_app: Flask,
    local_credentials: dict[str, dict[str, Any]],
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    path = tmp_path_factory.mktemp("local-docs") / "documents.json"
    path.write_text(
        json.dumps(served_documents(admin_client(local_app), local_credentials, did=False)),
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def did_documents(
    web_app: Flask,
    web_credentials: dict[str, dict[str, Any]],
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    """The --documents file with the DID document served at /issuers/MBO-ZW/did.json."""
    path = tmp_path_factory.mktemp("web-docs") / "documents.json"
    path.write_text(
        json.dumps(served_documents(admin_client(web_app), web_credentials, did=True)),
        encoding="utf-8",
    )
    return path


def tampered(document: dict[str, Any]) -> dict[str, Any]:
    copied = copy.deepcopy(document)
    copied["credentialSubject"]["achievement"]["creditsAvailable"] += 1
    return copied


# --- Digital Bazaar ---------------------------------------------------------------------------


@pytest.mark.parametrize("unit", UNITS)
@pytest.mark.node
@pytest.mark.slow
def test_an_api_issued_did_key_credential_verifies_with_digital_bazaar(
    node: str,
    local_credentials: dict[str, dict[str, Any]],
    local_documents: Path,
    unit: str,
) -> None:
    credential = local_credentials[unit]
    assert credential["issuer"]["id"].startswith("did:key:")
    result = run_verifier(node, credential, "--documents", str(local_documents))
    assert result == (0, {"verified": True, "error": None})


@pytest.mark.node
@pytest.mark.slow
def test_a_tampered_api_issued_credential_is_rejected_by_digital_bazaar(
    node: str,
    local_credentials: dict[str, dict[str, Any]],
    local_documents: Path,
) -> None:
    code, result = run_verifier(
        node, tampered(local_credentials["BC-VV-B1K1"]), "--documents", str(local_documents)
    )
    assert code == 1 and result["verified"] is False
    assert "signature" in result["error"].lower()


@pytest.mark.node
@pytest.mark.slow
def test_an_api_issued_did_web_credential_verifies_with_the_served_did_document(
    node: str,
    web_credentials: dict[str, dict[str, Any]],
    did_documents: Path,
    tmp_path: Path,
) -> None:
    credential = web_credentials["BC-VV-B1K1"]
    assert credential["issuer"]["id"] == "did:web:leerlijn.example:issuers:MBO-ZW"
    result = run_verifier(node, credential, "--documents", str(did_documents))
    assert result == (0, {"verified": True, "error": None})
    # Tampered: rejected. Without the DID document the key cannot be resolved (no network).
    code, rejected = run_verifier(node, tampered(credential), "--documents", str(did_documents))
    assert code == 1 and rejected["verified"] is False
    without_did = json.loads(did_documents.read_text(encoding="utf-8"))
    del without_did[credential["issuer"]["id"]]
    status_only = tmp_path / "status-only.json"
    status_only.write_text(json.dumps(without_did), encoding="utf-8")
    code, unresolved = run_verifier(node, credential, "--documents", str(status_only))
    assert code == 1 and unresolved["verified"] is False and "did:web" in unresolved["error"]


# --- OB 3.0 JSON Schema -----------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["did:key", "did:web"])
@pytest.mark.parametrize("unit", UNITS)
def test_api_issued_credentials_validate_against_the_shipped_ob_schema(
    request: pytest.FixtureRequest, mode: str, unit: str
) -> None:
    validate = load_credential_validator(REPO / "schemas" / "json-schema")
    credentials = request.getfixturevalue(
        "local_credentials" if mode == "did:key" else "web_credentials"
    )
    assert validate(credentials[unit]) == []
    # The validator is not vacuous: the same document without its criteria is refused.
    broken = copy.deepcopy(credentials[unit])
    del broken["credentialSubject"]["achievement"]["criteria"]
    assert validate(broken)
