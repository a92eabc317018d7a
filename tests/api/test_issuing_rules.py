"""Issuing rules: one credential per learner and achievement, and no key for a refused issue.

Issuing an achievement the learner already holds a credential for (not revoked) answers that
credential with 200 and its `Location` instead of minting another; after a revocation a new one
is minted (201). An institution's first key is made only when a credential is signed.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.request_context import credential_environment
from tests.helpers import learner_id, signed_in_client

PROBLEM = "application/problem+json"


def post_issue(client: FlaskClient, learner: str, kind: str, code: str) -> Any:
    return client.post(
        "/api/credentials", json={"learner": learner, "achievement": {"type": kind, "code": code}}
    )


def held_ids(client: FlaskClient, learner: str, kind: str, code: str) -> list[str]:
    listed = client.get(f"/api/learners/{learner}/credentials?limit=500")
    assert listed.status_code == 200, listed.get_json()
    return [c["id"] for c in listed.get_json()["items"] if (c["type"], c["code"]) == (kind, code)]


def location_id(response: Any) -> str:
    return str(response.headers["Location"]).rsplit("/", 1)[1]


def document_id(response: Any) -> str:
    return str(response.get_json()["id"]).rsplit("/", 1)[1]


@pytest.mark.parametrize(
    ("external_id", "kind", "code"),
    [
        ("DEMO-L5", "unit", "BC-VV-B1K1"),
        ("DEMO-L9", "epa", "BAZ-1"),
        ("DEMO-L5", "qualification", "Q-VIG"),
    ],
)
def test_issuing_again_answers_the_credential_held_until_it_is_revoked(
    seeded: FlaskClient, external_id: str, kind: str, code: str
) -> None:
    learner = learner_id(seeded, external_id)
    first = post_issue(seeded, learner, kind, code)
    assert first.status_code == 201, first.get_json()
    original = document_id(first)
    assert location_id(first) == original
    for _ in range(2):
        again = post_issue(seeded, learner, kind, code)
        assert again.status_code == 200, again.get_json()
        assert again.headers["Location"] == first.headers["Location"]
        assert again.get_json() == first.get_json()  # the same signed document, not a new one
    assert held_ids(seeded, learner, kind, code) == [original]

    revoked = seeded.post(f"/api/credentials/{original}/revoke", json={"reason": "fout"})
    assert revoked.status_code == 200, revoked.get_json()
    fresh = post_issue(seeded, learner, kind, code)
    assert fresh.status_code == 201, fresh.get_json()
    renewed = document_id(fresh)
    assert renewed != original and location_id(fresh) == renewed
    again = post_issue(seeded, learner, kind, code)
    assert again.status_code == 200 and document_id(again) == renewed
    assert sorted(held_ids(seeded, learner, kind, code)) == sorted([original, renewed])


def test_a_suspended_credential_is_answered_not_minted_anew(seeded: FlaskClient) -> None:
    learner = learner_id(seeded, "DEMO-L5")
    first = post_issue(seeded, learner, "unit", "BC-VV-B1K2")
    assert first.status_code == 201, first.get_json()
    credential = document_id(first)
    suspended = seeded.post(f"/api/credentials/{credential}/suspend", json={"reason": "twijfel"})
    assert suspended.status_code == 200, suspended.get_json()
    again = post_issue(seeded, learner, "unit", "BC-VV-B1K2")
    assert again.status_code == 200 and document_id(again) == credential
    status = seeded.get(f"/api/credentials/{credential}/status").get_json()
    assert status["status"] == "suspended"  # answering it changes nothing


def test_issuing_again_is_also_idempotent_for_an_assessor(seeded: FlaskClient) -> None:
    assessor = signed_in_client(seeded.application, "assessor", institution="MBO-ZW")
    learner = learner_id(seeded, "DEMO-L5")
    first = post_issue(assessor, learner, "unit", "AV-NL-2F")
    again = post_issue(assessor, learner, "unit", "AV-NL-2F")
    assert (first.status_code, again.status_code) == (201, 200)
    assert document_id(first) == document_id(again)


def test_a_credential_whose_key_was_retired_is_replaced_not_answered(seeded: FlaskClient) -> None:
    app: Flask = seeded.application
    learner = learner_id(seeded, "DEMO-L5")
    first = post_issue(seeded, learner, "unit", "AV-LB")
    assert first.status_code == 201, first.get_json()
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["keys", "list", "MBO-ZW"])
    [key_id] = [line.split("\t")[0] for line in listed.output.splitlines() if line.strip()]
    assert runner.invoke(args=["keys", "retire", "MBO-ZW", key_id]).exit_code == 0
    # The old credential no longer verifies and its status can no longer change: a new one.
    fresh = post_issue(seeded, learner, "unit", "AV-LB")
    assert fresh.status_code == 201, fresh.get_json()
    assert document_id(fresh) != document_id(first)
    assert seeded.post("/api/verify", json=fresh.get_json()).get_json()["verified"] is True
    assert post_issue(seeded, learner, "unit", "AV-LB").status_code == 200


# --- no key for a refused issue ---------------------------------------------------------------


def stored_keys(app: Flask, institution: str | None = None) -> list[tuple[str, str]]:
    """The stored issuer keys (of one institution, or all) as (key id, status)."""
    with app.app_context():
        keys = credential_environment().issuers.keys
        found = keys.keys(institution) if institution else keys.all_keys()
        return [(k.key_id, k.status) for k in found]


def new_school(client: FlaskClient) -> str:
    """A fresh institution with one unit and one learner without evidence: the learner's id."""
    created = client.post(
        "/api/institutions", json={"code": "ROC-NIEUW", "name": "ROC Nieuw", "kind": "mbo"}
    )
    assert created.status_code == 201, created.get_json()
    unit = {
        "code": "BC-NIEUW",
        "kind": "BC",
        "title": "Nieuwe eenheid",
        "study_load_hours": 10,
        "institution": "ROC-NIEUW",
        "outcomes": [
            {"code": "BC-NIEUW:1", "title": "Eerste"},
            {"code": "BC-NIEUW:2", "title": "Twee"},
        ],
    }
    assert client.post("/api/units", json=unit).status_code == 201
    learner = client.post("/api/learners", json={"name": "Nog niets", "institution": "ROC-NIEUW"})
    assert learner.status_code == 201, learner.get_json()
    return str(learner.get_json()["id"])


def test_a_refused_issue_creates_no_key_for_the_institution(seeded: FlaskClient) -> None:
    app: Flask = seeded.application
    learner = new_school(seeded)
    before = stored_keys(app)

    refused = post_issue(seeded, learner, "unit", "BC-NIEUW")
    assert refused.status_code == 409 and refused.mimetype == PROBLEM
    problem = refused.get_json()
    assert problem["type"].endswith("achievement-not-earned")
    assert sorted(problem["missing"]["outcomes"]) == ["BC-NIEUW:1", "BC-NIEUW:2"]
    assert stored_keys(app, "ROC-NIEUW") == []
    assert stored_keys(app) == before
    assert held_ids(seeded, learner, "unit", "BC-NIEUW") == []

    # Unknown achievements and other kinds are refused before any key is made, too.
    assert post_issue(seeded, learner, "unit", "BC-NOPE").status_code == 422
    assert post_issue(seeded, learner, "epa", "BAZ-1").status_code == 409
    assert post_issue(seeded, learner, "qualification", "Q-VIG").status_code == 409
    assert stored_keys(app, "ROC-NIEUW") == [] and stored_keys(app) == before

    # Once the learner has earned the unit, signing makes the institution's first key.
    evidence = [
        {"outcome": o, "source": "exam", "date": "2025-06-01", "assessor": "Examinator"}
        for o in ("BC-NIEUW:1", "BC-NIEUW:2")
    ]
    assert seeded.post(f"/api/learners/{learner}/evidence", json=evidence).status_code == 201
    issued = post_issue(seeded, learner, "unit", "BC-NIEUW")
    assert issued.status_code == 201, issued.get_json()
    assert [status for _, status in stored_keys(app, "ROC-NIEUW")] == ["active"]
