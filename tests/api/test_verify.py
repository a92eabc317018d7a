"""POST /api/verify: every way a received credential can be wrong, each named by its check.

Credentials are issued through the API, then changed. Where a test needs a *correct* proof
over a changed document (expired, schema, context) it re-signs with the app's own key, so
that only the check under test can fail; other keys are plain Ed25519 keys made here.
"""

# ruff: noqa: F811  (local_app and web_app are fixtures imported from tests/api/test_credentials.py)

from __future__ import annotations

import copy
import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from flask import Flask
from flask.testing import FlaskClient

from app.domain.credentials.did_key import did_key_from_public_key, did_key_verification_method
from app.domain.credentials.proof import add_proof
from app.request_context import credential_environment
from app.services import credentials
from tests.api.test_credentials import (  # noqa: F401  (module-scoped app fixtures)
    CHECKS,
    assert_problem,
    credential_key,
    failed,
    issued,
    learner_id,
    local_app,
    verify,
    web_app,
)
from tests.helpers import admin_client

Document = dict[str, Any]
OTHER_SEED = bytes(range(7, 39))


# --- helpers ----------------------------------------------------------------------------------


def unsigned(document: Document) -> Document:
    doc = copy.deepcopy(document)
    doc.pop("proof", None)
    return doc


def resign_with_app_key(application: Flask, document: Document) -> Document:
    """Sign `document` (proof removed first) with the institution's own active key."""
    with application.app_context():
        env = credential_environment()
        key = env.issuers.keys.active("MBO-ZW")
        assert key is not None
        return credentials.sign(env, unsigned(document), key)


def sign_with_other_key(
    application: Flask, document: Document, verification_method: str | None = None
) -> Document:
    """Sign with a key this registry does not hold; by default as that key's own did:key."""
    key = Ed25519PrivateKey.from_private_bytes(OTHER_SEED)
    did = did_key_from_public_key(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))
    with application.app_context():
        loader = credential_environment().loader
    return add_proof(
        unsigned(document),
        sign=key.sign,
        verification_method=verification_method or did_key_verification_method(did),
        created="2025-01-01T00:00:00Z",
        loader=loader,
        proof_set=True,
    )


def other_did() -> str:
    key = Ed25519PrivateKey.from_private_bytes(OTHER_SEED)
    return did_key_from_public_key(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


def changed(document: Document, path: str, value: Any) -> Document:
    """A copy with `value` at a dotted `path` (numbers index lists)."""
    doc = copy.deepcopy(document)
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
    node: Any = doc
    for part in parents:
        node = node[part]
    node[last] = value
    return doc


def message(report: dict[str, Any], check: str) -> str:
    return next(c["message"] for c in report["checks"] if c["check"] == check)


def failing(report: dict[str, Any]) -> set[str]:
    """The failing checks among the five of this issue (later issues may add more)."""
    assert report["verified"] is False
    return failed(report) & set(CHECKS)


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def api(local_app: Flask) -> FlaskClient:
    return admin_client(local_app)


@pytest.fixture
def web(web_app: Flask) -> FlaskClient:
    return admin_client(web_app)


@pytest.fixture(scope="module")
def certificate(local_app: Flask) -> Document:
    client = admin_client(local_app)
    return issued(client, learner_id(client, "DEMO-L5"), "BC-VV-B1K1")


@pytest.fixture(scope="module")
def web_certificate(web_app: Flask) -> Document:
    client = admin_client(web_app)
    return issued(client, learner_id(client, "DEMO-L5"), "BC-VV-B1K1")


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Record (and refuse) every outgoing connection; the test asserts the list stays empty."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise OSError("network access during verification")

    monkeypatch.setattr(socket.socket, "connect", lambda self, address: refuse(address))
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    yield attempts


# --- a valid credential -----------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["did:key", "did:web"])
def test_an_issued_credential_verifies(request: pytest.FixtureRequest, mode: str) -> None:
    client = request.getfixturevalue("api" if mode == "did:key" else "web")
    document = request.getfixturevalue("certificate" if mode == "did:key" else "web_certificate")
    report = verify(client, document)
    assert report["verified"] is True
    assert [c["check"] for c in report["checks"]][: len(CHECKS)] == CHECKS
    assert all(c["ok"] and c["message"] for c in report["checks"])


def test_vc_ld_json_bodies_are_accepted(api: FlaskClient, certificate: Document) -> None:
    response = api.post(
        "/api/verify", data=json.dumps(certificate), content_type="application/vc+ld+json"
    )
    assert response.status_code == 200 and response.get_json()["verified"] is True


def test_a_future_valid_until_is_fine(
    local_app: Flask, api: FlaskClient, certificate: Document
) -> None:
    document = resign_with_app_key(
        local_app, changed(certificate, "validUntil", "2999-01-01T00:00:00Z")
    )
    assert verify(api, document)["verified"] is True


# --- tampering --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("name", "BC-VV-B1K1 Iets anders"),
        ("credentialSubject.id", "http://127.0.0.1:8000/api/learners/ln-someone-else"),
        ("credentialSubject.achievement.criteria.narrative", "De lerende heeft niets aangetoond."),
        ("credentialSubject.achievement.alignment.0.targetCode", "VV:B1-K1-W9"),
        ("credentialSubject.achievement.creditsAvailable", 9999),
        ("credentialSubject.achievement.humanCode", "BC-VP-P2K1"),
        ("validFrom", "2020-01-01T00:00:00Z"),
        ("issuer.name", "Een andere school"),
        ("issuer.address.addressCountryCode", "BE"),
        ("evidence.0.genre", "EVC"),
        ("description", "A property the issuer never signed"),  # added, defined by the VC context
        ("credentialSubject.achievement.alignment.0.targetDescription", "added"),
    ],
)
def test_a_change_to_any_field_fails_the_proof(
    api: FlaskClient, certificate: Document, path: str, value: Any
) -> None:
    report = verify(api, changed(certificate, path, value))
    assert failing(report) == {"proof"}
    assert message(report, "proof")


def test_a_removed_field_fails_the_proof(api: FlaskClient, certificate: Document) -> None:
    document = copy.deepcopy(certificate)
    del document["credentialSubject"]["achievement"]["alignment"][-1]
    assert failing(verify(api, document)) == {"proof"}


def test_a_changed_proof_value_or_created_fails_the_proof(
    api: FlaskClient, certificate: Document
) -> None:
    value = certificate["proof"][0]["proofValue"]
    flipped = value[:-2] + ("1" if value[-2] != "1" else "2") + value[-1]
    assert failing(verify(api, changed(certificate, "proof.0.proofValue", flipped))) == {"proof"}
    assert failing(
        verify(api, changed(certificate, "proof.0.created", "2020-01-01T00:00:00Z"))
    ) == {"proof"}


def test_a_proof_made_with_another_key_claiming_the_issuers_method_fails_the_proof(
    local_app: Flask,
    api: FlaskClient,
    certificate: Document,
) -> None:
    document = sign_with_other_key(
        local_app, certificate, certificate["proof"][0]["verificationMethod"]
    )
    assert document["issuer"] == certificate["issuer"]
    assert failing(verify(api, document)) == {"proof"}


def test_a_proof_by_a_different_did_key_fails_the_issuer_check(
    local_app: Flask,
    api: FlaskClient,
    certificate: Document,
) -> None:
    document = sign_with_other_key(local_app, certificate)  # proof fine, but not the issuer's key
    report = verify(api, document)
    assert failing(report) == {"issuer"}
    assert other_did() in message(report, "issuer")


def test_a_correctly_signed_credential_from_an_unknown_issuer_fails_the_issuer_check(
    local_app: Flask,
    api: FlaskClient,
    certificate: Document,
) -> None:
    document = sign_with_other_key(local_app, changed(certificate, "issuer.id", other_did()))
    report = verify(api, document)
    assert failing(report) == {"issuer"}
    assert "unknown issuer" in message(report, "issuer")


def test_did_web_a_method_the_issuer_does_not_list_fails(
    web_app: Flask,
    web: FlaskClient,
    web_certificate: Document,
) -> None:
    did = web_certificate["issuer"]["id"]
    document = sign_with_other_key(web_app, web_certificate, f"{did}#key-not-ours")
    assert "proof" in failing(verify(web, document))


def test_did_web_an_issuer_on_another_host_is_unknown(
    web_app: Flask,
    web: FlaskClient,
    web_certificate: Document,
    no_network: list[Any],
) -> None:
    did = "did:web:elders.example:issuers:MBO-ZW"
    document = sign_with_other_key(
        web_app, changed(web_certificate, "issuer.id", did), f"{did}#key-1"
    )
    report = verify(web, document)
    assert {"proof", "issuer"} <= failing(report)
    assert no_network == []


# --- validity window --------------------------------------------------------------------------


def test_an_expired_credential_fails_only_the_validity_check(
    local_app: Flask,
    api: FlaskClient,
    certificate: Document,
) -> None:
    document = changed(
        changed(certificate, "validFrom", "2019-01-01T00:00:00Z"),
        "validUntil",
        "2020-01-01T00:00:00Z",
    )
    report = verify(api, resign_with_app_key(local_app, document))
    assert failing(report) == {"validity"}
    assert "expired" in message(report, "validity")


def test_a_not_yet_valid_credential_fails_only_the_validity_check(
    local_app: Flask,
    api: FlaskClient,
    certificate: Document,
) -> None:
    document = resign_with_app_key(
        local_app, changed(certificate, "validFrom", "2999-01-01T00:00:00Z")
    )
    report = verify(api, document)
    assert failing(report) == {"validity"}
    assert "not yet valid" in message(report, "validity")


# --- schema and contexts ----------------------------------------------------------------------


def test_a_document_that_breaks_the_ob_schema_fails_only_the_schema_check(
    local_app: Flask,
    api: FlaskClient,
    certificate: Document,
) -> None:
    document = copy.deepcopy(certificate)
    del document["credentialSubject"]["achievement"]["criteria"]
    report = verify(api, resign_with_app_key(local_app, document))
    assert failing(report) == {"schema"}
    assert "criteria" in message(report, "schema")


def test_an_undefined_term_fails_the_context_check(
    local_app: Flask,
    api: FlaskClient,
    certificate: Document,
) -> None:
    document = changed(
        certificate, "credentialSubject.achievement.leerlijnExtra", "not in any context"
    )
    report = verify(api, resign_with_app_key(local_app, document))
    assert "context" in failing(report)
    assert "leerlijnExtra" in message(report, "context")


def test_an_unknown_context_url_is_refused_and_never_fetched(
    local_app: Flask,
    api: FlaskClient,
    certificate: Document,
    no_network: list[Any],
) -> None:
    document = copy.deepcopy(certificate)
    document["@context"] = [*document["@context"], "https://example.org/contexts/extra.jsonld"]
    report = verify(api, document)
    assert "context" in failing(report)
    assert "example.org" in message(report, "context")
    assert no_network == []


@pytest.mark.parametrize(
    "contexts",
    [
        "https://www.w3.org/ns/credentials/v2",
        [
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            "https://www.w3.org/ns/credentials/v2",
        ],
        ["https://www.w3.org/ns/credentials/v2", {"extra": "https://example.org/extra"}],
        [],
    ],
)
def test_a_malformed_context_fails_the_context_check(
    api: FlaskClient, certificate: Document, contexts: Any
) -> None:
    assert "context" in failing(verify(api, changed(certificate, "@context", contexts)))


# --- bodies that are not credentials ----------------------------------------------------------


def test_a_body_that_is_not_json_is_a_415(api: FlaskClient) -> None:
    assert_problem(api.post("/api/verify", data="hello", content_type="text/plain"), 415)


def test_malformed_json_is_a_400(api: FlaskClient) -> None:
    assert_problem(
        api.post("/api/verify", data='{"@context": [', content_type="application/json"), 400
    )


@pytest.mark.parametrize("body", [[], [1, 2], 3, 2.5, "a string", True, None, {}])
def test_json_that_is_not_a_credential_is_verified_false(api: FlaskClient, body: Any) -> None:
    report = verify(api, body)
    assert report["verified"] is False
    assert {c["check"] for c in report["checks"] if not c["ok"]} >= set(CHECKS) - {"validity"}
    assert all(isinstance(c["message"], str) and c["message"] for c in report["checks"])


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("proof", "not a proof"),
        ("proof", []),
        ("proof", [{}]),
        ("proof", [{"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022"}]),
        ("proof.0.cryptosuite", "ecdsa-rdfc-2019"),
        ("proof.0.proofValue", "not-multibase!"),
        ("proof.0.proofValue", 42),
        ("proof.0.verificationMethod", "did:key:zNotAKey#zNotAKey"),
        ("proof.0.verificationMethod", "https://keys.example/key-1"),
        ("proof.0.verificationMethod", None),
        ("issuer", 42),
        ("issuer", "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"),
        ("issuer", {"name": "zonder id"}),
        ("validFrom", "gisteren"),
        ("validFrom", 20240101),
        ("validUntil", "2024-13-45T99:00:00Z"),
        ("credentialSubject", None),
        ("credentialSubject", [1, "two", {"three": 3}]),
        ("type", "VerifiableCredential"),
        ("id", {"nested": True}),
    ],
)
def test_a_mangled_credential_is_verified_false_never_a_500(
    api: FlaskClient, certificate: Document, no_network: list[Any], path: str, value: Any
) -> None:
    report = verify(api, changed(certificate, path, value))
    assert report["verified"] is False and failing(report)
    assert no_network == []


@pytest.mark.parametrize(
    "depth",
    [
        200,
        5000,
    ],
)
def test_a_deeply_nested_document_is_never_a_500(
    api: FlaskClient, certificate: Document, depth: int
) -> None:
    body = (
        json.dumps(unsigned(certificate))[:-1]
        + ', "deep": '
        + '{"a": ' * depth
        + "1"
        + "}" * depth
        + "}"
    )
    response = api.post("/api/verify", data=body, content_type="application/json")
    if response.status_code == 200:
        assert response.get_json()["verified"] is False
    else:  # too deep to parse is a malformed body
        assert_problem(response, 400)


def test_a_stored_credential_verifies_as_returned_by_get(
    api: FlaskClient, certificate: Document
) -> None:
    fetched = api.get(f"/api/credentials/{credential_key(certificate)}").get_json()
    assert verify(api, fetched)["verified"] is True
