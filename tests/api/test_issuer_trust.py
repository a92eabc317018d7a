"""Trusted issuers: verify says trusted institution, known-but-untrusted, or unknown issuer.

The case from the access issue: anyone could create an institution "EVIL" and issue a
credential that the verifier page called "uitgegeven door een bekende school".
"""

from __future__ import annotations

import html
import re
from typing import Any

from flask.testing import FlaskClient

from app.domain.credentials.did_key import did_key_from_public_key
from app.domain.credentials.proof import add_proof
from app.extensions import db
from app.request_context import credential_environment
from tests.helpers import issue, learner_id, signed_in_client

EVIDENCE = {"source": "exam", "date": "2025-06-01", "assessor": "Examinator"}


def proof_of(document: dict[str, Any]) -> dict[str, Any]:
    proof = document["proof"]
    return proof[0] if isinstance(proof, list) else proof  # type: ignore[no-any-return]


def verify(client: FlaskClient, document: Any) -> dict[str, Any]:
    response = client.post("/api/verify", json=document)
    assert response.status_code == 200, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def issuer_check(report: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in report["checks"] if c["check"] == "issuer")


def page_text(client: FlaskClient, document: Any) -> str:
    import json

    response = client.post("/verifieren", data={"credential": json.dumps(document)})
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    text = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(text))


def test_a_seed_school_is_a_trusted_institution(seeded: FlaskClient) -> None:
    document = issue(seeded, learner_id(seeded, "DEMO-L5"))
    report = verify(seeded, document)
    assert report["verified"] is True
    name = seeded.get("/api/institutions/MBO-ZW").get_json()["name"]
    assert report["issuer"] == {"trust": "trusted", "institution": "MBO-ZW", "name": name}
    assert report["issuer"]["name"] in issuer_check(report)["message"]
    text = page_text(seeded, document)
    assert "geldig" in text and report["issuer"]["name"] in text
    assert "die dit register vertrouwt" in text
    assert "bekende school" not in text


def test_an_institution_anyone_could_create_is_known_but_not_trusted(
    seeded: FlaskClient,
) -> None:
    admin = seeded
    assert (
        admin.post(
            "/api/institutions", json={"code": "EVIL", "name": "Nep ROC", "kind": "mbo"}
        ).get_json()["trusted"]
        is False
    )
    unit = {
        "code": "BC-EVIL",
        "kind": "BC",
        "title": "Nep",
        "study_load_hours": 10,
        "institution": "EVIL",
        "outcomes": [{"code": "BC-EVIL:1", "title": "Nep"}],
    }
    assert admin.post("/api/units", json=unit).status_code == 201
    learner = admin.post("/api/learners", json={"name": "A", "institution": "EVIL"}).get_json()
    evidence = {**EVIDENCE, "outcome": "BC-EVIL:1"}
    assert admin.post(f"/api/learners/{learner['id']}/evidence", json=evidence).status_code == 201
    document = issue(admin, learner["id"], "BC-EVIL")
    report = verify(admin, document)
    assert report["verified"] is False
    assert report["issuer"]["trust"] == "untrusted"
    check = issuer_check(report)
    assert check["ok"] is False and "not trusted" in check["message"]
    text = page_text(admin, document)
    assert "niet geldig" in text
    assert "bij dit register bekend, maar wordt niet vertrouwd" in text
    assert "bekende school" not in text and "die dit register vertrouwt" not in text

    trusted = admin.post("/api/institutions/EVIL/trust", json={"trusted": True})
    assert trusted.status_code == 200 and trusted.get_json()["trusted"] is True
    assert verify(admin, document)["issuer"]["trust"] == "trusted"


def test_only_an_admin_sets_trust(seeded: FlaskClient) -> None:
    school_admin = signed_in_client(seeded.application, "school-admin", institution="MBO-ZW")
    response = school_admin.post("/api/institutions/MBO-ZW/trust", json={"trusted": False})
    assert response.status_code == 403
    anonymous = seeded.application.test_client()
    assert (
        anonymous.post("/api/institutions/MBO-ZW/trust", json={"trusted": False}).status_code == 401
    )
    assert seeded.get("/api/institutions/MBO-ZW").get_json()["trusted"] is True


def test_a_credential_signed_elsewhere_comes_from_an_unknown_issuer(seeded: FlaskClient) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    document = issue(seeded, learner_id(seeded, "DEMO-L5"))
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    did = did_key_from_public_key(public)
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    unsigned["issuer"] = {**unsigned["issuer"], "id": did}
    with seeded.application.app_context():
        env = credential_environment()
        forged = add_proof(
            unsigned,
            sign=private.sign,
            verification_method=f"{did}#{did.removeprefix('did:key:')}",
            loader=env.loader,
            created=proof_of(document)["created"],
        )
        db.session.remove()
    report = verify(seeded, forged)
    assert report["issuer"] == {"trust": "unknown", "institution": None, "name": None}
    assert issuer_check(report)["ok"] is False
    assert report["verified"] is False
    text = page_text(seeded, forged)
    assert "geen instelling van dit register" in text
    assert "bekende school" not in text
