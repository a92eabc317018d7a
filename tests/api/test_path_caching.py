"""The path caches (catalog per registry version, engine input per learner record version)
never serve a stale path: every kind of write shows in the next path."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from app.domain.access import SYSTEM
from app.extensions import db
from app.persistence.audit import bind_principal
from app.persistence.models.learners import EvidenceRow
from app.persistence.versions import current_version
from tests.helpers import admin_client

ON = "2025-09-01"


def demo(client: FlaskClient, external_id: str) -> str:
    return client.get(f"/api/learners?external_id={external_id}").get_json()["items"][0]["id"]


def path(client: FlaskClient, learner: str, qualification: str = "Q-VP") -> dict:
    response = client.get(f"/api/learners/{learner}/path?qualification={qualification}&on={ON}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_a_registry_change_shows_in_the_next_path(seeded: FlaskClient) -> None:
    learner = demo(seeded, "DEMO-L5")
    before = path(seeded, learner)
    assert "AV-EN-B1A2" in before["order"]
    unit = seeded.get("/api/units/AV-EN-B1A2").get_json()
    unit["study_load_hours"] = 400
    assert seeded.put("/api/units/AV-EN-B1A2", json=unit).status_code == 200
    after = path(seeded, learner)
    assert after["remaining_hours"] == before["remaining_hours"] + 200


def test_a_new_prerequisite_shows_in_the_next_path(seeded: FlaskClient) -> None:
    learner = demo(seeded, "DEMO-L5")
    assert path(seeded, learner)["blocked"] == {}
    response = seeded.post("/api/units/AV-NL-3F/prerequisites", json={"requires": "AV-EN-B1A2"})
    assert response.status_code == 201
    assert path(seeded, learner)["blocked"] == {"AV-NL-3F": ["AV-EN-B1A2"]}
    assert seeded.delete("/api/units/AV-NL-3F/prerequisites/AV-EN-B1A2").status_code == 204
    assert path(seeded, learner)["blocked"] == {}


def test_new_evidence_shows_in_the_next_path(seeded: FlaskClient) -> None:
    learner = demo(seeded, "DEMO-L5")
    before = path(seeded, learner)
    response = seeded.post(
        f"/api/learners/{learner}/evidence",
        json={"outcome": "AV:EN-B1A2", "source": "exam", "date": "2025-06-01"},
    )
    assert response.status_code == 201
    after = path(seeded, learner)
    assert "AV-EN-B1A2" in before["order"] and "AV-EN-B1A2" not in after["order"]
    assert after["remaining_hours"] == before["remaining_hours"] - 200


def test_one_learners_write_does_not_touch_anothers_cached_record(seeded: FlaskClient) -> None:
    lotte, ruben = demo(seeded, "DEMO-L5"), demo(seeded, "DEMO-L9")
    ruben_before = path(seeded, ruben, "BAZ")
    seeded.post(
        f"/api/learners/{lotte}/evidence",
        json={"outcome": "AV:EN-B1A2", "source": "exam", "date": "2025-06-01"},
    )
    assert path(seeded, ruben, "BAZ") == ruben_before


def test_a_bulk_statement_on_a_record_table_invalidates_every_learner(seeded_app: Flask) -> None:
    client = admin_client(seeded_app)
    learner = demo(client, "DEMO-L5")
    assert "BC-VV-B1K1" not in path(client, learner)["order"]
    with seeded_app.app_context():
        bind_principal(db.session, SYSTEM)  # a bulk write is audited like any other
        db.session.execute(
            update(EvidenceRow)
            .where(EvidenceRow.outcome == "VV:B1-K1-W1")
            .values(date=dt.date(2030, 1, 1))
        )
        db.session.commit()
    assert "BC-VV-B1K1" in path(client, learner)["order"]  # its evidence now lies after `on`


def test_the_registry_version_moves_only_on_registry_writes(seeded_app: Flask) -> None:
    client = admin_client(seeded_app)
    learner = demo(client, "DEMO-L5")
    with seeded_app.app_context():
        start = current_version(db.session)
    client.post(
        f"/api/learners/{learner}/evidence",
        json={"outcome": "AV:EN-B1A2", "source": "exam", "date": "2025-06-01"},
    )
    with seeded_app.app_context():
        assert current_version(db.session) == start
    unit = client.get("/api/units/AV-LB").get_json()
    unit["title"] = "Loopbaan en burgerschap (herzien)"
    client.put("/api/units/AV-LB", json=unit)
    with seeded_app.app_context():
        assert current_version(db.session) > start
