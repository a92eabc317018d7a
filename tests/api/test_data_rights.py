"""A learner's data rights: export everything (learner, their school-admin, admin), erasure."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from app.domain.access import SYSTEM, Role
from app.extensions import db
from app.services import access
from tests.helpers import issue, learner_id, signed_in_client

SECTIONS = {
    "profile",
    "evidence",
    "entrustments",
    "diplomas",
    "enrolments",
    "vmbo_completions",
    "credentials",
    "accounts",
    "tokens",
    "audit",
}


def export(client: FlaskClient, learner: str) -> Any:
    return client.get(f"/api/learners/{learner}/export")


def test_the_learner_exports_everything_stored_about_them(seeded: FlaskClient) -> None:
    app: Flask = seeded.application
    learner = learner_id(seeded, "DEMO-L5")
    issued = issue(seeded, learner)
    own = signed_in_client(app, "learner", learner=learner)
    response = export(own, learner)
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    assert SECTIONS <= set(data)
    assert data["learner"] == learner and data["profile"]["id"] == learner
    assert data["profile"]["name"]  # the export is theirs: personal data included
    assert data["evidence"] and all(e["learner"] == learner for e in data["evidence"])
    assert data["enrolments"]
    assert [c["id"] for c in data["credentials"]] == [issued["id"].rsplit("/", 1)[1]]
    assert data["credentials"][0]["document"]["proof"]
    assert any(a["entity"] == "credential" for a in data["audit"])
    assert all(a["learner"] == learner for a in data["audit"])
    assert "token_hash" not in json.dumps(data) and "password_hash" not in json.dumps(data)
    assert len(data["tokens"]) == 1  # the learner's own token, without its hash


def test_who_may_export(seeded: FlaskClient) -> None:
    app: Flask = seeded.application
    learner = learner_id(seeded, "DEMO-L5")
    other = learner_id(seeded, "DEMO-L1")
    assert (
        export(signed_in_client(app, "school-admin", institution="MBO-ZW"), learner).status_code
        == 200
    )
    assert (
        export(signed_in_client(app, "assessor", institution="MBO-ZW"), learner).status_code == 403
    )
    assert export(signed_in_client(app, "learner", learner=other), learner).status_code == 404
    assert export(app.test_client(), learner).status_code == 401


def test_erasure_revokes_credentials_and_keeps_no_personal_data(seeded: FlaskClient) -> None:
    app: Flask = seeded.application
    learner = learner_id(seeded, "DEMO-L5")
    name = seeded.get(f"/api/learners/{learner}").get_json()["name"]
    document = issue(seeded, learner)
    credential = document["id"].rsplit("/", 1)[1]
    with app.app_context():
        account = access.create_account(
            db.session,
            SYSTEM,
            email="l5@example.nl",
            name=name,
            password="een lang wachtwoord",
            role=Role.LEARNER,
            learner=learner,
        )
        db.session.remove()
    own = signed_in_client(app, "learner", learner=learner)
    assert own.get(f"/api/learners/{learner}").status_code == 200

    before = seeded.get(f"/api/learners/{learner}/export").get_json()
    [placement_request] = before["placement_requests"]  # the seed's demo round
    assert (placement_request["home_lat"], placement_request["home_lon"]) == (52.512, 6.094)
    placements_before = before["placements"]
    assert placements_before and placements_before[0]["learner"] == learner

    refused = signed_in_client(app, "school-admin", institution="MBO-ZW").post(
        f"/api/learners/{learner}/erase", json={"reason": "verzoek"}
    )
    assert refused.status_code == 403
    assert seeded.post(f"/api/learners/{learner}/erase", json={}).status_code == 422

    response = seeded.post(
        f"/api/learners/{learner}/erase", json={"reason": "verzoek van betrokkene"}
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {
        "learner": learner,
        "erased": True,
        "revoked_credentials": [credential],
    }
    # credentials are revoked, not silently left valid
    report = seeded.post("/api/verify", json=document).get_json()
    assert report["verified"] is False
    assert next(c for c in report["checks"] if c["check"] == "status")["ok"] is False
    status = seeded.get(f"/api/credentials/{credential}/status").get_json()
    assert status["status"] == "revoked"
    # personal data is gone: name, account, tokens
    assert seeded.get(f"/api/learners/{learner}").get_json()["name"] != name
    assert own.get(f"/api/learners/{learner}").status_code == 401
    with app.app_context():
        assert access.sign_in(db.session, "l5@example.nl", "een lang wachtwoord") is None
        db.session.remove()
    exported_data = seeded.get(f"/api/learners/{learner}/export").get_json()
    exported = json.dumps(exported_data)
    assert name not in exported and "l5@example.nl" not in exported
    # the placement request (the learner's home) is gone; the published placement stays
    assert exported_data["placement_requests"] == []
    assert exported_data["placements"] == placements_before
    # the audit keeps the fact of the erasure, never the erased data
    audit = seeded.get(f"/api/audit?entity=learner&id={learner}").get_json()["items"]
    erasure = [a for a in audit if (a["reason"] or "").startswith("erasure:")]
    assert erasure and erasure[-1]["actor"] == f"token:{seeded.token_id}"
    assert name not in json.dumps(seeded.get("/api/audit?limit=500").get_json())
    assert account.email not in json.dumps(seeded.get("/api/audit?limit=500").get_json())
