"""Learner records through HTTP: learners, evidence, entrustments, diplomas, enrolments.

Every write is checked by status, body, media type and `Location`; every refused write is
checked by its problem document *and* by reading back that nothing was stored.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient

from app import create_app
from app.config import TestConfig
from app.domain.access import SYSTEM
from app.extensions import db
from app.services.seeding import load_seed
from tests.helpers import admin_client

PROBLEM = "application/problem+json"
PAST = "2024-06-28"
FUTURE = "2999-01-01"


# --- helpers ----------------------------------------------------------------------------------


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert body["status"] == status
    assert {"type", "title", "detail"} <= set(body)
    return body  # type: ignore[no-any-return]


def names(problem: dict[str, Any], text: str) -> bool:
    """True when `text` appears in one of the problem's errors (pointer or message)."""
    return any(
        text in (e.get("pointer", "") + " " + e.get("message", ""))
        for e in problem.get("errors", [])
    )


def pointers(problem: dict[str, Any]) -> set[str]:
    return {e.get("pointer") or e.get("parameter") for e in problem.get("errors", [])}


def new_learner(client: FlaskClient, name: str = "Test", **extra: Any) -> str:
    response = client.post("/api/learners", json={"name": name, **extra})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]  # type: ignore[no-any-return]


def evidence(outcome: str, source: str = "exam", date: str = PAST, **extra: Any) -> dict[str, Any]:
    return {"outcome": outcome, "source": source, "date": date, **extra}


def total(client: FlaskClient, learner: str, what: str) -> int:
    response = client.get(f"/api/learners/{learner}/{what}")
    assert response.status_code == 200
    return response.get_json()["total"]  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def api() -> Iterator[FlaskClient]:
    """A client on the seed data, shared by the module: each test writes only to its own learner."""
    app = create_app(TestConfig)
    with app.app_context():
        db.create_all()
        load_seed(
            db.session, SYSTEM, app.config["SEED_DIR"], app.config["LEERLIJN_DEFAULT_INSTITUTION"]
        )
        db.session.remove()
    yield admin_client(app)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def learner(api: FlaskClient) -> str:
    return new_learner(api)


# --- learners ---------------------------------------------------------------------------------


def test_create_learner_assigns_id_defaults_institution_and_sets_location(api: FlaskClient) -> None:
    external_id = f"X-{uuid.uuid4().hex[:8]}"
    response = api.post("/api/learners", json={"name": "Anouk", "external_id": external_id})
    assert response.status_code == 201
    body = response.get_json()
    assert body["id"] and body["name"] == "Anouk"
    assert body["external_id"] == external_id and body["institution"] == "MBO-ZW"
    assert response.headers["Location"].endswith(f"/api/learners/{body['id']}")
    again = api.get(response.headers["Location"])
    assert again.status_code == 200 and again.mimetype == "application/json"
    assert again.get_json() == body


def test_learner_ids_are_distinct_and_not_taken_from_the_body(api: FlaskClient) -> None:
    first, second = new_learner(api, "A"), new_learner(api, "B")
    assert first != second
    assert_problem(api.post("/api/learners", json={"name": "C", "id": "mine"}), 422)


def test_external_id_is_optional_and_findable(api: FlaskClient) -> None:
    plain = api.post("/api/learners", json={"name": "Zonder"}).get_json()
    assert plain["external_id"] is None
    external_id = f"EXT-{uuid.uuid4().hex[:8]}"
    wanted = new_learner(api, "Met", external_id=external_id)
    found = api.get(f"/api/learners?external_id={external_id}").get_json()
    assert found["total"] == 1 and [i["id"] for i in found["items"]] == [wanted]
    assert api.get("/api/learners?external_id=NOPE").get_json()["total"] == 0


def test_seeded_demo_learners_are_found_by_external_id(api: FlaskClient) -> None:
    for external_id in ("DEMO-L1", "DEMO-L5", "DEMO-L9"):
        page = api.get(f"/api/learners?external_id={external_id}").get_json()
        assert page["total"] == 1 and page["items"][0]["external_id"] == external_id


def test_duplicate_external_id_at_an_institution_is_409(api: FlaskClient) -> None:
    external_id = f"DUP-{uuid.uuid4().hex[:8]}"
    new_learner(api, "Eerste", external_id=external_id)
    assert_problem(
        api.post("/api/learners", json={"name": "Tweede", "external_id": external_id}), 409
    )
    assert api.get(f"/api/learners?external_id={external_id}").get_json()["total"] == 1


def test_learner_needs_a_name(api: FlaskClient) -> None:
    problem = assert_problem(api.post("/api/learners", json={"external_id": "X"}), 422)
    assert "/name" in pointers(problem)


def test_unknown_institution_is_422(api: FlaskClient) -> None:
    problem = assert_problem(
        api.post("/api/learners", json={"name": "A", "institution": "NOPE"}), 422
    )
    assert names(problem, "NOPE")


@pytest.mark.parametrize(
    "path",
    [
        "",
        "/evidence",
        "/entrustments",
        "/diplomas",
        "/enrolments",
        "/enrolments/Q-VP",
        "/path?qualification=Q-VP",
        "/paths",
    ],
)
def test_unknown_learner_is_a_404_problem(api: FlaskClient, path: str) -> None:
    assert_problem(api.get(f"/api/learners/ln-nobody{path}"), 404)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/evidence", evidence("AV:LB")),
        ("/entrustments", {"epa": "BAZ-1", "level": 3, "date": PAST, "decided_by": "x"}),
        ("/diplomas", {"qualification": "Q-VIG", "date": PAST}),
        ("/enrolments", {"qualification": "Q-VP", "start": "2025-09-01"}),
    ],
)
def test_writing_to_an_unknown_learner_is_a_404_problem(
    api: FlaskClient, path: str, body: Any
) -> None:
    assert_problem(api.post(f"/api/learners/ln-nobody{path}", json=body), 404)


@pytest.mark.parametrize(
    "path",
    [
        "",
        "/{id}/evidence",
        "/{id}/entrustments",
        "/{id}/diplomas",
        "/{id}/enrolments",
        "/{id}/evidence/1/withdraw",
    ],
)
def test_a_non_json_body_is_415(api: FlaskClient, learner: str, path: str) -> None:
    response = api.post(
        "/api/learners" + path.format(id=learner),
        data="name=A",
        content_type="application/x-www-form-urlencoded",
    )
    assert_problem(response, 415)
    response = api.post(
        "/api/learners" + path.format(id=learner), data="{}", content_type="text/plain"
    )
    assert_problem(response, 415)


def test_a_non_json_body_on_put_is_415(api: FlaskClient, learner: str) -> None:
    response = api.put(
        f"/api/learners/{learner}/enrolments/Q-VP", data="x", content_type="text/plain"
    )
    assert_problem(response, 415)


# --- evidence ---------------------------------------------------------------------------------


def test_one_evidence_object_gives_201_and_an_object(api: FlaskClient, learner: str) -> None:
    body = evidence("AV:LB", assessor="docent", note="n", ref="R-1", valid_until="2030-01-01")
    response = api.post(f"/api/learners/{learner}/evidence", json=body)
    assert response.status_code == 201 and response.mimetype == "application/json"
    created = response.get_json()
    assert isinstance(created, dict)
    assert isinstance(created["id"], int)
    assert {k: created[k] for k in body} == body
    assert created["withdrawn"] is False
    assert response.headers["Location"].endswith(f"/api/learners/{learner}/evidence")


def test_an_evidence_list_gives_201_and_a_list_in_order(api: FlaskClient, learner: str) -> None:
    items = [evidence("AV:LB"), evidence("AV:NL-2F"), evidence("KD:K1006", source="transfer")]
    response = api.post(f"/api/learners/{learner}/evidence", json=items)
    assert response.status_code == 201 and "Location" in response.headers
    created = response.get_json()
    assert isinstance(created, list)
    assert [(c["outcome"], c["source"]) for c in created] == [
        (i["outcome"], i["source"]) for i in items
    ]
    assert len({c["id"] for c in created}) == 3
    assert total(api, learner, "evidence") == 3


@pytest.mark.parametrize(
    "source", ["exam", "prior_diploma", "vmbo_assignment", "transfer", "formative"]
)
def test_every_source_is_accepted(api: FlaskClient, learner: str, source: str) -> None:
    response = api.post(f"/api/learners/{learner}/evidence", json=evidence("AV:LB", source=source))
    assert response.status_code == 201 and response.get_json()["source"] == source


def test_evc_evidence_needs_decided_by_and_basis(api: FlaskClient, learner: str) -> None:
    url = f"/api/learners/{learner}/evidence"
    problem = assert_problem(api.post(url, json=evidence("VP:P2-K1-W2", source="evc")), 422)
    assert {"/decided_by", "/basis"} <= pointers(problem)
    problem = assert_problem(
        api.post(url, json=evidence("VP:P2-K1-W2", source="evc", decided_by="EVC")), 422
    )
    assert "/basis" in pointers(problem)
    ok = api.post(
        url, json=evidence("VP:P2-K1-W2", source="evc", decided_by="EVC", basis="certificaat")
    )
    assert ok.status_code == 201
    assert total(api, learner, "evidence") == 1


def test_unknown_source_is_422(api: FlaskClient, learner: str) -> None:
    problem = assert_problem(
        api.post(f"/api/learners/{learner}/evidence", json=evidence("AV:LB", source="rumour")), 422
    )
    assert "/source" in pointers(problem)


def test_unknown_outcome_is_422_naming_it_and_stores_nothing(
    api: FlaskClient, learner: str
) -> None:
    problem = assert_problem(
        api.post(f"/api/learners/{learner}/evidence", json=evidence("XX:NOPE")), 422
    )
    assert names(problem, "XX:NOPE") and "/outcome" in pointers(problem)
    assert total(api, learner, "evidence") == 0


def test_a_list_whose_third_item_is_unknown_stores_none(api: FlaskClient, learner: str) -> None:
    items = [evidence("AV:LB"), evidence("AV:NL-2F"), evidence("XX:NOPE")]
    problem = assert_problem(api.post(f"/api/learners/{learner}/evidence", json=items), 422)
    assert names(problem, "XX:NOPE")
    assert "/2/outcome" in pointers(problem)
    assert total(api, learner, "evidence") == 0


def test_a_list_with_a_malformed_item_stores_none(api: FlaskClient, learner: str) -> None:
    items = [evidence("AV:LB"), {"outcome": "AV:NL-2F", "source": "exam", "date": "2025-13-01"}]
    assert_problem(api.post(f"/api/learners/{learner}/evidence", json=items), 422)
    assert total(api, learner, "evidence") == 0


def test_a_future_date_is_422(api: FlaskClient, learner: str) -> None:
    problem = assert_problem(
        api.post(f"/api/learners/{learner}/evidence", json=evidence("AV:LB", date=FUTURE)), 422
    )
    assert "/date" in pointers(problem)
    assert total(api, learner, "evidence") == 0


def test_evidence_dated_today_in_amsterdam_is_accepted(api: FlaskClient, learner: str) -> None:
    today = dt.datetime.now(ZoneInfo("Europe/Amsterdam")).date()
    response = api.post(
        f"/api/learners/{learner}/evidence", json=evidence("AV:LB", date=today.isoformat())
    )
    if response.status_code == 422:  # the Amsterdam date turned over between the two calls
        today = dt.datetime.now(ZoneInfo("Europe/Amsterdam")).date()
        response = api.post(
            f"/api/learners/{learner}/evidence", json=evidence("AV:LB", date=today.isoformat())
        )
    assert response.status_code == 201, response.get_json()
    tomorrow = (
        dt.datetime.now(ZoneInfo("Europe/Amsterdam")).date() + dt.timedelta(days=1)
    ).isoformat()
    assert_problem(
        api.post(f"/api/learners/{learner}/evidence", json=evidence("AV:LB", date=tomorrow)), 422
    )


def test_valid_until_before_date_is_422(api: FlaskClient, learner: str) -> None:
    body = evidence("AV:LB", date="2025-01-10", valid_until="2025-01-09")
    problem = assert_problem(api.post(f"/api/learners/{learner}/evidence", json=body), 422)
    assert "/valid_until" in pointers(problem)
    same_day = evidence("AV:LB", date="2025-01-10", valid_until="2025-01-10")
    assert api.post(f"/api/learners/{learner}/evidence", json=same_day).status_code == 201


@pytest.mark.parametrize("bad", ["2025-13-01", "2025-02-30", "01-09-2025", "", 20250901, None])
def test_an_invalid_date_is_422(api: FlaskClient, learner: str, bad: Any) -> None:
    problem = assert_problem(
        api.post(f"/api/learners/{learner}/evidence", json=evidence("AV:LB", date=bad)), 422
    )
    assert "/date" in pointers(problem)


@pytest.mark.parametrize("missing", ["outcome", "source", "date"])
def test_required_evidence_fields(api: FlaskClient, learner: str, missing: str) -> None:
    body = evidence("AV:LB")
    del body[missing]
    problem = assert_problem(api.post(f"/api/learners/{learner}/evidence", json=body), 422)
    assert f"/{missing}" in pointers(problem)


@pytest.mark.parametrize(
    "body", ["just a string", 42, {"outcome": "AV:LB", "source": "exam", "date": PAST, "extra": 1}]
)
def test_evidence_body_that_is_not_an_evidence_object_is_422(
    api: FlaskClient, learner: str, body: Any
) -> None:
    assert_problem(api.post(f"/api/learners/{learner}/evidence", json=body), 422)
    assert total(api, learner, "evidence") == 0


def test_evidence_list_is_paginated(api: FlaskClient, learner: str) -> None:
    outcomes = ["AV:LB", "AV:NL-2F", "AV:REK-2F", "AV:NL-3F", "AV:REK-3F"]
    api.post(f"/api/learners/{learner}/evidence", json=[evidence(o) for o in outcomes])
    page = api.get(f"/api/learners/{learner}/evidence?limit=2&offset=1").get_json()
    assert set(page) == {"items", "total", "limit", "offset"}
    assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (5, 2, 1, 2)
    everything = api.get(f"/api/learners/{learner}/evidence").get_json()
    assert sorted(i["outcome"] for i in everything["items"]) == sorted(outcomes)


def test_withdraw_keeps_the_item_marked_withdrawn(api: FlaskClient, learner: str) -> None:
    created = api.post(f"/api/learners/{learner}/evidence", json=evidence("AV:LB")).get_json()
    response = api.post(
        f"/api/learners/{learner}/evidence/{created['id']}/withdraw", json={"reason": "fraude"}
    )
    assert response.status_code == 200 and response.mimetype == "application/json"
    withdrawn = response.get_json()
    assert withdrawn["id"] == created["id"] and withdrawn["withdrawn"] is True
    assert withdrawn["withdrawn_reason"] == "fraude" and withdrawn["withdrawn_at"]
    page = api.get(f"/api/learners/{learner}/evidence").get_json()
    assert page["total"] == 1
    assert (
        page["items"][0]["withdrawn"] is True and page["items"][0]["withdrawn_reason"] == "fraude"
    )


def test_withdraw_twice_is_409(api: FlaskClient, learner: str) -> None:
    created = api.post(f"/api/learners/{learner}/evidence", json=evidence("AV:LB")).get_json()
    url = f"/api/learners/{learner}/evidence/{created['id']}/withdraw"
    assert api.post(url, json={"reason": "a"}).status_code == 200
    assert_problem(api.post(url, json={"reason": "b"}), 409)
    assert (
        api.get(f"/api/learners/{learner}/evidence").get_json()["items"][0]["withdrawn_reason"]
        == "a"
    )


def test_withdraw_unknown_evidence_is_404(api: FlaskClient, learner: str) -> None:
    assert_problem(
        api.post(f"/api/learners/{learner}/evidence/999999/withdraw", json={"reason": "x"}), 404
    )


def test_withdraw_evidence_of_another_learner_is_404(api: FlaskClient, learner: str) -> None:
    other = new_learner(api, "Other")
    created = api.post(f"/api/learners/{other}/evidence", json=evidence("AV:LB")).get_json()
    assert_problem(
        api.post(
            f"/api/learners/{learner}/evidence/{created['id']}/withdraw", json={"reason": "x"}
        ),
        404,
    )
    assert api.get(f"/api/learners/{other}/evidence").get_json()["items"][0]["withdrawn"] is False


def test_withdraw_needs_a_reason(api: FlaskClient, learner: str) -> None:
    created = api.post(f"/api/learners/{learner}/evidence", json=evidence("AV:LB")).get_json()
    problem = assert_problem(
        api.post(f"/api/learners/{learner}/evidence/{created['id']}/withdraw", json={}), 422
    )
    assert "/reason" in pointers(problem)


# --- entrustments -----------------------------------------------------------------------------


def entrustment(
    epa: str = "BAZ-1", level: Any = 3, date: str = PAST, **extra: Any
) -> dict[str, Any]:
    return {"epa": epa, "level": level, "date": date, "decided_by": "praktijkopleider", **extra}


def test_record_and_list_entrustments(api: FlaskClient, learner: str) -> None:
    response = api.post(f"/api/learners/{learner}/entrustments", json=entrustment(level=4))
    assert response.status_code == 201 and response.mimetype == "application/json"
    assert response.headers["Location"].endswith(f"/api/learners/{learner}/entrustments")
    created = response.get_json()
    assert (created["epa"], created["level"], created["date"], created["decided_by"]) == (
        "BAZ-1",
        4,
        PAST,
        "praktijkopleider",
    )
    assert created["withdrawn"] is False
    page = api.get(f"/api/learners/{learner}/entrustments").get_json()
    assert page["total"] == 1 and page["items"][0]["id"] == created["id"]


@pytest.mark.parametrize("level", [1, 5])
def test_levels_one_to_five_are_accepted(api: FlaskClient, learner: str, level: int) -> None:
    assert (
        api.post(f"/api/learners/{learner}/entrustments", json=entrustment(level=level)).status_code
        == 201
    )


@pytest.mark.parametrize("level", [6, 0, -1, "4", 4.5, True, None])
def test_invalid_level_is_422_and_stores_nothing(
    api: FlaskClient, learner: str, level: Any
) -> None:
    problem = assert_problem(
        api.post(f"/api/learners/{learner}/entrustments", json=entrustment(level=level)), 422
    )
    assert "/level" in pointers(problem)
    assert total(api, learner, "entrustments") == 0


def test_unknown_epa_is_422_naming_it_and_stores_nothing(api: FlaskClient, learner: str) -> None:
    problem = assert_problem(
        api.post(f"/api/learners/{learner}/entrustments", json=entrustment(epa="EPA-NOPE")), 422
    )
    assert names(problem, "EPA-NOPE") and "/epa" in pointers(problem)
    assert total(api, learner, "entrustments") == 0


@pytest.mark.parametrize("date", ["2025-13-01", FUTURE])
def test_entrustment_bad_date_is_422(api: FlaskClient, learner: str, date: str) -> None:
    problem = assert_problem(
        api.post(f"/api/learners/{learner}/entrustments", json=entrustment(date=date)), 422
    )
    assert "/date" in pointers(problem)
    assert total(api, learner, "entrustments") == 0


def test_entrustment_needs_decided_by(api: FlaskClient, learner: str) -> None:
    body = entrustment()
    del body["decided_by"]
    problem = assert_problem(api.post(f"/api/learners/{learner}/entrustments", json=body), 422)
    assert "/decided_by" in pointers(problem)


def test_withdraw_entrustment_once_then_409_and_unknown_404(api: FlaskClient, learner: str) -> None:
    created = api.post(f"/api/learners/{learner}/entrustments", json=entrustment()).get_json()
    url = f"/api/learners/{learner}/entrustments/{created['id']}/withdraw"
    response = api.post(url, json={"reason": "herzien"})
    assert response.status_code == 200
    assert (
        response.get_json()["withdrawn"] is True
        and response.get_json()["withdrawn_reason"] == "herzien"
    )
    assert_problem(api.post(url, json={"reason": "again"}), 409)
    assert_problem(
        api.post(f"/api/learners/{learner}/entrustments/999999/withdraw", json={"reason": "x"}), 404
    )
    page = api.get(f"/api/learners/{learner}/entrustments").get_json()
    assert page["total"] == 1 and page["items"][0]["withdrawn"] is True


# --- diplomas ---------------------------------------------------------------------------------


def test_record_and_list_diplomas(api: FlaskClient, learner: str) -> None:
    response = api.post(
        f"/api/learners/{learner}/diplomas", json={"qualification": "Q-VP", "date": "2023-07-01"}
    )
    assert response.status_code == 201 and response.mimetype == "application/json"
    assert response.headers["Location"].endswith(f"/api/learners/{learner}/diplomas")
    created = response.get_json()
    assert (created["qualification"], created["date"]) == ("Q-VP", "2023-07-01")
    page = api.get(f"/api/learners/{learner}/diplomas").get_json()
    assert page["total"] == 1 and page["items"][0]["qualification"] == "Q-VP"


def test_unknown_qualification_in_a_diploma_is_422_naming_it(
    api: FlaskClient, learner: str
) -> None:
    problem = assert_problem(
        api.post(
            f"/api/learners/{learner}/diplomas", json={"qualification": "Q-NOPE", "date": PAST}
        ),
        422,
    )
    assert names(problem, "Q-NOPE") and "/qualification" in pointers(problem)
    assert total(api, learner, "diplomas") == 0


@pytest.mark.parametrize("date", ["2025-13-01", FUTURE, None])
def test_diploma_bad_date_is_422(api: FlaskClient, learner: str, date: Any) -> None:
    problem = assert_problem(
        api.post(f"/api/learners/{learner}/diplomas", json={"qualification": "Q-VP", "date": date}),
        422,
    )
    assert "/date" in pointers(problem)
    assert total(api, learner, "diplomas") == 0


def test_a_diploma_credits_no_outcomes(api: FlaskClient, learner: str) -> None:
    api.post(
        f"/api/learners/{learner}/diplomas", json={"qualification": "Q-VIG", "date": "2024-06-28"}
    )
    path = api.get(f"/api/learners/{learner}/path?qualification=Q-VIG&on=2025-09-01").get_json()
    assert path["complete"] is False
    assert path["progress"]["outcomes_achieved"] == 0
    assert "BC-VV-B1K1" in path["order"]


# --- enrolments -------------------------------------------------------------------------------


def enrolment(qualification: str = "Q-VP", **extra: Any) -> dict[str, Any]:
    return {
        "qualification": qualification,
        "chosen_electives": ["VC-K0210"],
        "start": "2025-09-01",
        **extra,
    }


def test_enrol_gives_201_location_and_default_pace(api: FlaskClient, learner: str) -> None:
    response = api.post(f"/api/learners/{learner}/enrolments", json=enrolment())
    assert response.status_code == 201 and response.mimetype == "application/json"
    created = response.get_json()
    assert created == {
        "qualification": "Q-VP",
        "chosen_electives": ["VC-K0210"],
        "start": "2025-09-01",
        "hours_per_week": 20,
    }
    location = response.headers["Location"]
    assert location.endswith(f"/api/learners/{learner}/enrolments/Q-VP")
    assert api.get(location).get_json() == created
    page = api.get(f"/api/learners/{learner}/enrolments").get_json()
    assert page["total"] == 1 and page["items"] == [created]


def test_enrolment_without_electives_and_with_own_pace(api: FlaskClient, learner: str) -> None:
    body = {"qualification": "BAZ", "start": "2025-09-01", "hours_per_week": 8}
    created = api.post(f"/api/learners/{learner}/enrolments", json=body).get_json()
    assert created["chosen_electives"] == [] and created["hours_per_week"] == 8


def test_second_enrolment_in_the_same_qualification_is_409(api: FlaskClient, learner: str) -> None:
    url = f"/api/learners/{learner}/enrolments"
    assert api.post(url, json=enrolment()).status_code == 201
    assert_problem(api.post(url, json=enrolment(hours_per_week=32)), 409)
    page = api.get(url).get_json()
    assert page["total"] == 1 and page["items"][0]["hours_per_week"] == 20


def test_enrolments_in_two_qualifications_are_allowed(api: FlaskClient, learner: str) -> None:
    url = f"/api/learners/{learner}/enrolments"
    assert api.post(url, json=enrolment()).status_code == 201
    assert api.post(url, json=enrolment("Q-VIG", chosen_electives=[])).status_code == 201
    assert total(api, learner, "enrolments") == 2


def test_elective_that_is_not_an_option_is_422_naming_it(api: FlaskClient, learner: str) -> None:
    body = enrolment(chosen_electives=["VC-K0210", "VC-DEMO-01"])
    problem = assert_problem(api.post(f"/api/learners/{learner}/enrolments", json=body), 422)
    assert names(problem, "VC-DEMO-01") and "/chosen_electives/1" in pointers(problem)
    assert total(api, learner, "enrolments") == 0


def test_unknown_qualification_in_an_enrolment_is_422_naming_it(
    api: FlaskClient, learner: str
) -> None:
    problem = assert_problem(
        api.post(f"/api/learners/{learner}/enrolments", json=enrolment("Q-NOPE")), 422
    )
    assert names(problem, "Q-NOPE") and "/qualification" in pointers(problem)
    assert total(api, learner, "enrolments") == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("start", "2025-13-01"),
        ("hours_per_week", 0),
        ("hours_per_week", "20"),
        ("chosen_electives", "VC-K0210"),
    ],
)
def test_invalid_enrolment_fields_are_422(
    api: FlaskClient, learner: str, field: str, value: Any
) -> None:
    problem = assert_problem(
        api.post(f"/api/learners/{learner}/enrolments", json=enrolment(**{field: value})), 422
    )
    assert any(p and p.startswith(f"/{field}") for p in pointers(problem))
    assert total(api, learner, "enrolments") == 0


def test_put_replaces_an_enrolment(api: FlaskClient, learner: str) -> None:
    api.post(f"/api/learners/{learner}/enrolments", json=enrolment())
    body = {
        "qualification": "Q-VP",
        "chosen_electives": ["VC-DEMO-03"],
        "start": "2025-10-01",
        "hours_per_week": 32,
    }
    response = api.put(f"/api/learners/{learner}/enrolments/Q-VP", json=body)
    assert response.status_code == 200 and response.get_json() == body
    assert api.get(f"/api/learners/{learner}/enrolments/Q-VP").get_json() == body
    assert total(api, learner, "enrolments") == 1


def test_put_refuses_bad_electives_and_keeps_the_old_enrolment(
    api: FlaskClient, learner: str
) -> None:
    api.post(f"/api/learners/{learner}/enrolments", json=enrolment())
    bad = enrolment(chosen_electives=["VC-DEMO-01"])
    problem = assert_problem(api.put(f"/api/learners/{learner}/enrolments/Q-VP", json=bad), 422)
    assert names(problem, "VC-DEMO-01")
    assert api.get(f"/api/learners/{learner}/enrolments/Q-VP").get_json()["chosen_electives"] == [
        "VC-K0210"
    ]


def test_put_of_a_missing_enrolment_is_404_and_a_mismatched_code_422(
    api: FlaskClient, learner: str
) -> None:
    assert_problem(api.put(f"/api/learners/{learner}/enrolments/Q-VP", json=enrolment()), 404)
    api.post(f"/api/learners/{learner}/enrolments", json=enrolment())
    problem = assert_problem(
        api.put(
            f"/api/learners/{learner}/enrolments/Q-VP", json=enrolment("Q-VIG", chosen_electives=[])
        ),
        422,
    )
    assert "/qualification" in pointers(problem)


def test_get_missing_enrolment_is_404(api: FlaskClient, learner: str) -> None:
    assert_problem(api.get(f"/api/learners/{learner}/enrolments/Q-VP"), 404)


def test_learner_search_takes_percent_and_underscore_literally(seeded: FlaskClient) -> None:
    assert seeded.post("/api/learners", json={"name": "Anna 100% zeker"}).status_code == 201
    everyone = seeded.get("/api/learners?limit=500").get_json()["total"]
    assert everyone > 1
    assert [p["name"] for p in seeded.get("/api/learners?q=100%25").get_json()["items"]] == [
        "Anna 100% zeker"
    ]
    assert seeded.get("/api/learners?q=%25").get_json()["total"] == 1
    assert seeded.get("/api/learners?q=_").get_json()["total"] == 0
