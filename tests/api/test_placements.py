"""Stagematching through the API: workplaces, rounds, offers, requests, matching, publication."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import learner_id, signed_in_client

PROBLEM = "application/problem+json"
ROUND = "/api/placement-rounds/R1"


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def _workplace(code: str, lat: float, lon: float, place: str, **extra: Any) -> dict[str, Any]:
    return {
        "code": code,
        "name": f"Zorg {code}",
        "branch": "vvt",
        "place": place,
        "location": {"lat": lat, "lon": lon},
        "recognitions": [{"qualification": "Q-VP", "from": "2024-01-01", "until": None}],
        **extra,
    }


@pytest.fixture
def world(seeded_app: Flask, seeded: FlaskClient) -> dict[str, Any]:
    """A round R1 (Zwolle region) with two workplaces and three learners of MBO-ZW."""
    admin = seeded
    coordinator = signed_in_client(seeded_app, "coordinator")
    _ok(
        coordinator.post("/api/workplaces", json=_workplace("WP-ZWO", 52.5168, 6.0830, "Zwolle")),
        201,
    )
    _ok(
        coordinator.post("/api/workplaces", json=_workplace("WP-DEV", 52.2550, 6.1639, "Deventer")),
        201,
    )
    _ok(
        coordinator.post(
            "/api/placement-rounds",
            json={
                "code": "R1",
                "name": "Voorjaar",
                "period": {"start": "2026-02-01", "end": "2026-06-30"},
                "match_date": "2026-01-15",
            },
        ),
        201,
    )
    learners = [
        _ok(admin.post("/api/learners", json={"name": name, "institution": "MBO-ZW"}), 201)["id"]
        for name in ("Anna", "Bram", "Cem")
    ]
    return {"admin": admin, "coordinator": coordinator, "learners": learners, "app": seeded_app}


def _offer(workplace: str = "WP-ZWO", places: int = 1, **extra: Any) -> dict[str, Any]:
    return {
        "workplace": workplace,
        "qualifications": ["Q-VP"],
        "places": places,
        "hours_per_week": 32,
        "epas": [],
        "reserved_for": None,
        **extra,
    }


def _request(learner: str, **extra: Any) -> dict[str, Any]:
    return {
        "learner": learner,
        "qualification": "Q-VP",
        "home": {"lat": 52.52, "lon": 6.09},
        "max_km": 40,
        "preferences": ["WP-ZWO"],
        "practise_epas": [],
        **extra,
    }


def test_a_round_is_matched_published_and_seen_by_whom_may(world: dict[str, Any]) -> None:
    app, admin, coordinator = world["app"], world["admin"], world["coordinator"]
    workplace = signed_in_client(app, "workplace", workplace="WP-ZWO")
    offer = _ok(workplace.post(f"{ROUND}/offers", json=_offer(places=1)), 201)
    _ok(coordinator.post(f"{ROUND}/offers", json=_offer("WP-DEV", places=1)), 201)
    assert workplace.post(f"{ROUND}/offers", json=_offer("WP-DEV")).status_code == 403
    assessor = signed_in_client(app, "assessor", institution="MBO-ZW")
    a, b, c = world["learners"]
    for learner in (a, b, c):
        _ok(assessor.post(f"{ROUND}/requests", json=_request(learner)), 201)
    again = assessor.post(f"{ROUND}/requests", json=_request(a))
    assert again.status_code == 409 and again.mimetype == PROBLEM
    first = _ok(coordinator.post(f"{ROUND}/match", json={"on": "2025-12-01"}))
    assert first["placed_count"] == 2 and len(first["unplaced"]) == 1
    assert [p["learner"] for p in first["placed"]] == sorted(p["learner"] for p in first["placed"])
    assert first["unplaced"][0]["reasons"][0]["code"] == "capacity"
    zwolle = next(p for p in first["placed"] if p["workplace"] == "WP-ZWO")
    assert zwolle["rank"] == 0 and zwolle["cost"] == zwolle["distance_km"]
    assert first["total_cost"] == sum(p["cost"] for p in first["placed"])
    second = coordinator.post(f"{ROUND}/match", json={"on": "2025-12-01"})
    assert (
        second.get_data()
        == coordinator.post(f"{ROUND}/match", json={"on": "2025-12-01"}).get_data()
    )
    assert coordinator.get(f"{ROUND}/match").get_data() == second.get_data()
    # the workplace sees no names before publication
    assert _ok(workplace.get(f"{ROUND}/placements")) == {"items": [], "published": False}
    assert workplace.get(f"{ROUND}/match").status_code == 403
    _ok(coordinator.post(f"{ROUND}/publish", json={}))
    late = coordinator.post(f"{ROUND}/match", json={"on": "2025-12-02"})
    assert late.status_code == 409 and late.mimetype == PROBLEM
    seen = _ok(workplace.get(f"{ROUND}/placements"))
    assert seen["published"] and [p["workplace"] for p in seen["items"]] == ["WP-ZWO"]
    assert seen["items"][0]["learner_name"] in ("Anna", "Bram", "Cem")
    placed = seen["items"][0]["learner"]
    mine = _ok(
        signed_in_client(app, "learner", learner=placed).get(f"/api/learners/{placed}/placements")
    )
    assert [(p["workplace"], p["period"]["start"]) for p in mine] == [("WP-ZWO", "2026-02-01")]
    other = next(learner for learner in (a, b, c) if learner != placed)
    hidden = signed_in_client(app, "learner", learner=other).get(
        f"/api/learners/{placed}/placements"
    )
    assert hidden.status_code == 404
    assert offer["id"] in {p["offer"] for p in _ok(admin.get(f"{ROUND}/match"))["placed"]}


def test_an_offer_cannot_be_withdrawn_or_reduced_but_may_grow(world: dict[str, Any]) -> None:
    coordinator = world["coordinator"]
    offer = _ok(coordinator.post(f"{ROUND}/offers", json=_offer(places=3)), 201)
    url = f"{ROUND}/offers/{offer['id']}"
    withdrawn = coordinator.delete(url)
    assert withdrawn.status_code == 409 and withdrawn.mimetype == PROBLEM
    fewer = coordinator.put(url, json={**offer, "places": 2})
    assert fewer.status_code == 409 and fewer.mimetype == PROBLEM
    more = _ok(coordinator.put(url, json={**offer, "places": 5}))
    assert more["places"] == 5
    assert _ok(coordinator.get(url))["places"] == 5


def test_unknown_codes_are_422_with_pointers(world: dict[str, Any]) -> None:
    app, coordinator = world["app"], world["coordinator"]
    assessor = signed_in_client(app, "assessor", institution="MBO-ZW")
    body = _request(
        world["learners"][0],
        preferences=["WP-ZWO", "WP-NOPE"],
        practise_epas=["NOPE-1"],
        qualification="Q-NOPE",
    )
    response = assessor.post(f"{ROUND}/requests", json=body)
    assert response.status_code == 422 and response.mimetype == PROBLEM
    pointers = {e["pointer"] for e in response.get_json()["errors"]}
    assert pointers == {"/preferences/1", "/practise_epas/0", "/qualification"}
    offer = coordinator.post(
        f"{ROUND}/offers", json=_offer("WP-NOPE", epas=[{"epa": "X", "max_level": 2}])
    )
    assert offer.status_code == 422
    assert {e["pointer"] for e in offer.get_json()["errors"]} == {"/workplace", "/epas/0/epa"}
    too_many = assessor.post(f"{ROUND}/requests", json=_request(world["learners"][0], max_km=301))
    assert too_many.status_code == 422


def test_roles_are_scoped(world: dict[str, Any]) -> None:
    app = world["app"]
    assessor_b = signed_in_client(app, "assessor", institution="VMBO-ZW")
    outside = assessor_b.post(f"{ROUND}/requests", json=_request(world["learners"][0]))
    assert outside.status_code == 422  # a learner of another school is an unknown learner
    workplace = signed_in_client(app, "workplace", workplace="WP-ZWO")
    assert (
        workplace.post("/api/workplaces", json=_workplace("WP-X", 52.0, 6.0, "X")).status_code
        == 403
    )
    assert (
        workplace.post(f"{ROUND}/requests", json=_request(world["learners"][0])).status_code == 403
    )
    assert workplace.post(f"{ROUND}/match", json={}).status_code == 403
    assert world["coordinator"].get(f"/api/learners/{world['learners'][0]}").status_code == 404
    assert app.test_client().get("/api/workplaces").status_code == 200


def test_audit_trail_records_placement_writes_without_home(world: dict[str, Any]) -> None:
    assessor = signed_in_client(world["app"], "assessor", institution="MBO-ZW")
    _ok(assessor.post(f"{ROUND}/requests", json=_request(world["learners"][0])), 201)
    entries = _ok(world["admin"].get("/api/audit?entity=placement-request&limit=500"))["items"]
    entries = [e for e in entries if e["learner"] == world["learners"][0]]
    assert len(entries) == 1 and entries[0]["learner"] == world["learners"][0]
    assert entries[0]["after"]["home_lat"] == "(personal data, not recorded)"
    assert _ok(world["admin"].get("/api/audit?entity=workplace"))["total"] >= 2


def test_a_workplace_token_names_a_known_workplace(
    seeded: FlaskClient, world: dict[str, Any]
) -> None:
    made = seeded.post("/api/tokens", json={"role": "workplace", "workplace": "WP-ZWO"})
    assert _ok(made, 201)["workplace"] == "WP-ZWO"
    unknown = seeded.post("/api/tokens", json={"role": "workplace", "workplace": "WP-NOPE"})
    assert unknown.status_code == 422
    assert learner_id(seeded, "DEMO-L5")
