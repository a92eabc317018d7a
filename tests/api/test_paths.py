"""Learner paths through HTTP: the worked cases L5 and L9, the plan, ranking, rules and errors.

The worked cases are recorded exactly as a client would (learner, enrolment, diplomas,
evidence as one list, entrustments one by one) and compared field by field on 2025-09-01.
The rules themselves are tested on the pure engine in tests/domain; here they are checked
end to end: what is recorded, withdrawn or dated through the API changes the path.
"""

from __future__ import annotations

import datetime as dt
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
ON = "2025-09-01"
KIND = {"Q-HZW": "mbo", "Q-VIG": "mbo", "Q-VP": "mbo", "Q-MZ3": "mbo", "BAZ": "czo"}

# --- the worked cases (literal copies of the reference cases L5 and L9) -----------------------

EXAM = "2024-06-28"
L5 = {
    "learner": {
        "name": "Lotte (22), diploma VIG, werkbegeleider, doorstroom naar Mbo-Verpleegkundige"
    },
    "enrolment": {"qualification": "Q-VP", "chosen_electives": ["VC-K0210"], "start": "2025-09-01"},
    "diplomas": [],
    "evidence": [
        *(
            {"outcome": outcome, "source": "exam", "date": EXAM}
            for outcome in (
                "VV:B1-K1-W1",
                "VV:B1-K1-W2",
                "VV:B1-K1-W3",
                "VV:B1-K1-W4",
                "VV:B1-K1-W5",
                "VV:B1-K1-W6",
                "VV:B1-K2-W1",
                "VV:B1-K2-W2",
                "VV:B1-K3-W1",
                "VV:B1-K3-W2",
                "VV:B1-K3-W3",
                "AV:NL-2F",
                "AV:REK-2F",
                "AV:LB",
                "KD:DEMO-02",
                "KD:DEMO-03",
                "KD:K1006",
            )
        ),
        {
            "outcome": "VP:P2-K1-W2",
            "source": "evc",
            "date": "2025-03-01",
            "valid_until": "2030-03-01",
            "decided_by": "EVC-aanbieder (erkend)",
            "basis": "ervaringscertificaat",
        },
    ],
    "entrustments": [],
    "expected": {
        "remaining_units": {
            "BC-VP-P2K1": ["VP:P2-K1-W1", "VP:P2-K1-W3"],
            "AV-EN-B1A2": ["AV:EN-B1A2"],
            "AV-NL-3F": ["AV:NL-3F"],
            "AV-REK-3F": ["AV:REK-3F"],
            "VC-K0210": ["KD:K0210"],
        },
        "blocked": {},
        "needs_assessment": [],
        "order": ["BC-VP-P2K1", "AV-EN-B1A2", "AV-NL-3F", "AV-REK-3F", "VC-K0210"],
        "complete": False,
        "remaining_hours": 1373,
        "electives.remaining_hours": 240,
    },
}
L9 = {
    "learner": {"name": "Ruben (31), mbo-verpleegkundige op de SEH, leerroute Basis acute zorg"},
    "enrolment": {"qualification": "BAZ", "chosen_electives": [], "start": "2025-09-01"},
    "diplomas": [{"qualification": "Q-VP", "date": "2023-07-01"}],
    "evidence": [],
    "entrustments": [
        {"epa": "BAZ-1", "level": 4, "date": "2025-02-01", "decided_by": "praktijkopleider"},
        {"epa": "BAZ-2", "level": 4, "date": "2025-03-01", "decided_by": "praktijkopleider"},
        {"epa": "BAZ-3", "level": 4, "date": "2025-04-01", "decided_by": "praktijkopleider"},
        {"epa": "BAZ-5", "level": 2, "date": "2025-05-01", "decided_by": "praktijkopleider"},
    ],
    "expected": {
        "complete": False,
        "entry_requirements_met": True,
        "remaining_units": {},
        "order": [],
        "remaining_epas": [
            {"epa": "BAZ-4", "current_level": None, "required_level": 4},
            {"epa": "BAZ-5", "current_level": 2, "required_level": 4},
        ],
    },
}
#: Study load of the L5 units (seed/registry.json) and the remaining hours R10 gives them.
L5_HOURS = {
    "BC-VP-P2K1": 533,
    "AV-EN-B1A2": 200,
    "AV-NL-3F": 240,
    "AV-REK-3F": 160,
    "VC-K0210": 240,
}


# --- fixtures and helpers ---------------------------------------------------------------------


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


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert body["status"] == status
    return body  # type: ignore[no-any-return]


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


def new_learner(api: FlaskClient, name: str = "Test") -> str:
    return ok(api.post("/api/learners", json={"name": name}), 201)["id"]  # type: ignore[no-any-return]


def record_case(api: FlaskClient, case: dict[str, Any]) -> str:
    """Record a worked case through the API the way a client would; return the learner id."""
    learner = ok(api.post("/api/learners", json=case["learner"]), 201)["id"]
    base = f"/api/learners/{learner}"
    ok(api.post(f"{base}/enrolments", json=case["enrolment"]), 201)
    for diploma in case["diplomas"]:
        ok(api.post(f"{base}/diplomas", json=diploma), 201)
    if case["evidence"]:
        created = ok(api.post(f"{base}/evidence", json=case["evidence"]), 201)
        assert isinstance(created, list) and len(created) == len(case["evidence"])
    for entrustment in case["entrustments"]:
        ok(api.post(f"{base}/entrustments", json=entrustment), 201)
    return learner  # type: ignore[no-any-return]


def path(api: FlaskClient, learner: str, **query: Any) -> dict[str, Any]:
    query.setdefault("on", ON)
    return ok(api.get(f"/api/learners/{learner}/path", query_string=query))  # type: ignore[no-any-return]


def assert_expected(found: dict[str, Any], expected: dict[str, Any]) -> None:
    """Compare every field of a worked case's `expected` with the path the API gave."""
    for name, want in expected.items():
        if name == "remaining_units":
            got = {u["unit"]: u["missing_outcomes"] for u in found["remaining_units"]}
        elif name == "electives.remaining_hours":
            got = found["electives"]["remaining_hours"]
        else:
            got = found[name]
        assert got == want, name


def assert_plan(found: dict[str, Any], begin: str, hours_per_week: int) -> None:
    """Units of `order` one after another from `begin`, each ceil(hours / pace × 7) days."""
    plan = found["plan"]
    hours = {u["unit"]: u["remaining_hours"] for u in found["remaining_units"]}
    assert [item["unit"] for item in plan] == found["order"]
    day = dt.date.fromisoformat(begin)
    for item in plan:
        assert item["hours"] == hours[item["unit"]]
        assert item["start"] == day.isoformat()
        day += dt.timedelta(days=-(-item["hours"] * 7 // hours_per_week))
        assert item["end"] == day.isoformat()
    assert found["expected_finish"] == (plan[-1]["end"] if plan else found["on"])


def by_external_id(api: FlaskClient, external_id: str) -> str:
    page = ok(api.get("/api/learners", query_string={"external_id": external_id}))
    assert page["total"] == 1
    return page["items"][0]["id"]  # type: ignore[no-any-return]


def without_learner(found: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in found.items() if k != "learner"}


# --- worked case L5 ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def l5(api: FlaskClient) -> str:
    return record_case(api, L5)


def test_l5_reproduces_the_worked_case(api: FlaskClient, l5: str) -> None:
    found = path(api, l5, qualification="Q-VP")
    assert found["learner"] == l5 and found["qualification"] == "Q-VP" and found["on"] == ON
    assert_expected(found, L5["expected"])
    assert {u["unit"]: u["remaining_hours"] for u in found["remaining_units"]} == L5_HOURS
    assert sum(L5_HOURS.values()) == found["remaining_hours"]
    assert found["entry_requirements_met"] is True and found["remaining_epas"] == []
    assert found["electives"]["shortfall_hours"] == 0 and found["electives"]["chosen"] == [
        "VC-K0210"
    ]


def test_l5_defaults_to_its_only_enrolment(api: FlaskClient, l5: str) -> None:
    assert path(api, l5) == path(api, l5, qualification="Q-VP")


def test_l5_plan_at_the_enrolment_pace(api: FlaskClient, l5: str) -> None:
    found = path(api, l5)
    assert_plan(found, begin=ON, hours_per_week=20)
    assert [(i["unit"], i["start"], i["end"]) for i in found["plan"]] == [
        ("BC-VP-P2K1", "2025-09-01", "2026-03-07"),
        ("AV-EN-B1A2", "2026-03-07", "2026-05-16"),
        ("AV-NL-3F", "2026-05-16", "2026-08-08"),
        ("AV-REK-3F", "2026-08-08", "2026-10-03"),
        ("VC-K0210", "2026-10-03", "2026-12-26"),
    ]
    assert found["expected_finish"] == "2026-12-26"


def test_l5_plan_at_40_hours_a_week_finishes_earlier(api: FlaskClient, l5: str) -> None:
    slow, fast = path(api, l5), path(api, l5, hours_per_week=40)
    assert_plan(fast, begin=ON, hours_per_week=40)
    assert fast["expected_finish"] < slow["expected_finish"]
    assert fast["expected_finish"] == "2026-04-30"  # 94 + 35 + 42 + 28 + 42 days
    assert fast["remaining_hours"] == slow["remaining_hours"] and fast["order"] == slow["order"]


def test_the_plan_begins_at_the_later_of_on_and_the_enrolment_start(
    api: FlaskClient, l5: str
) -> None:
    before_start = path(api, l5, on="2025-08-01")
    assert_plan(before_start, begin="2025-09-01", hours_per_week=20)
    after_start = path(api, l5, on="2025-10-15")
    assert_plan(after_start, begin="2025-10-15", hours_per_week=20)
    assert after_start["expected_finish"] > before_start["expected_finish"]


def test_a_later_enrolment_start_and_pace_from_put_move_the_plan(api: FlaskClient) -> None:
    learner = record_case(api, L5)
    body = {**L5["enrolment"], "start": "2026-01-05", "hours_per_week": 32}
    ok(api.put(f"/api/learners/{learner}/enrolments/Q-VP", json=body))
    assert_plan(path(api, learner), begin="2026-01-05", hours_per_week=32)


def test_seeded_demo_l5_gives_the_same_path(api: FlaskClient, l5: str) -> None:
    demo = by_external_id(api, "DEMO-L5")
    assert without_learner(path(api, demo)) == without_learner(path(api, l5))
    assert_expected(path(api, demo), L5["expected"])


# --- worked case L9 ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def l9(api: FlaskClient) -> str:
    return record_case(api, L9)


def test_l9_reproduces_the_worked_case(api: FlaskClient, l9: str) -> None:
    found = path(api, l9, qualification="BAZ")
    assert_expected(found, L9["expected"])
    assert found["missing_entry_requirements"] == [] and found["remaining_hours"] == 0
    assert found["plan"] == [] and found["expected_finish"] == ON
    assert path(api, l9) == found


def test_seeded_demo_l9_gives_the_same_path(api: FlaskClient, l9: str) -> None:
    demo = by_external_id(api, "DEMO-L9")
    assert without_learner(path(api, demo)) == without_learner(path(api, l9))


# --- ranking: GET /paths ----------------------------------------------------------------------


def rank_key(summary: dict[str, Any]) -> tuple[bool, bool, int, str]:
    code = summary["qualification"]
    return (
        not summary["entry_requirements_met"],
        KIND[code] != "mbo",
        summary["remaining_hours"],
        code,
    )


@pytest.mark.parametrize("case", ["l5", "l9"])
def test_paths_cover_every_qualification_in_rank_order(
    api: FlaskClient, case: str, request: Any
) -> None:
    learner = request.getfixturevalue(case)
    found = ok(api.get(f"/api/learners/{learner}/paths", query_string={"on": ON}))
    assert found["on"] == ON
    codes = [s["qualification"] for s in found["paths"]]
    assert sorted(codes) == sorted(KIND)
    assert found["paths"] == sorted(found["paths"], key=rank_key)


def test_l9_ranks_the_czo_route_after_every_mbo_qualification(api: FlaskClient, l9: str) -> None:
    found = ok(api.get(f"/api/learners/{l9}/paths", query_string={"on": ON}))
    assert [s["qualification"] for s in found["paths"]] == [
        "Q-HZW",
        "Q-MZ3",
        "Q-VIG",
        "Q-VP",
        "BAZ",
    ]
    baz = found["paths"][-1]
    assert baz["entry_requirements_met"] is True and baz["remaining_hours"] == 0
    assert baz["remaining_epas"] == L9["expected"]["remaining_epas"]


def test_l5_ranks_baz_last_for_its_unmet_entry_requirement(api: FlaskClient, l5: str) -> None:
    found = ok(api.get(f"/api/learners/{l5}/paths", query_string={"on": ON}))
    assert [s["qualification"] for s in found["paths"]] == [
        "Q-VIG",
        "Q-HZW",
        "Q-VP",
        "Q-MZ3",
        "BAZ",
    ]
    assert found["paths"][0]["complete"] is True and found["paths"][0]["remaining_hours"] == 0


@pytest.mark.parametrize("case", ["l5", "l9"])
def test_each_ranked_line_agrees_with_the_full_path(
    api: FlaskClient, case: str, request: Any
) -> None:
    learner = request.getfixturevalue(case)
    for summary in ok(api.get(f"/api/learners/{learner}/paths", query_string={"on": ON}))["paths"]:
        full = path(api, learner, qualification=summary["qualification"])
        for name in (
            "complete",
            "entry_requirements_met",
            "remaining_hours",
            "remaining_epas",
            "expected_finish",
        ):
            assert summary[name] == full[name], (summary["qualification"], name)


def test_paths_of_a_learner_without_records(api: FlaskClient) -> None:
    found = ok(api.get(f"/api/learners/{new_learner(api)}/paths", query_string={"on": ON}))
    assert found["paths"] == sorted(found["paths"], key=rank_key)
    assert found["paths"][-1]["qualification"] == "BAZ"


# --- reference date ---------------------------------------------------------------------------


def amsterdam_today() -> str:
    return dt.datetime.now(ZoneInfo("Europe/Amsterdam")).date().isoformat()


def test_on_defaults_to_today_in_amsterdam(api: FlaskClient, l5: str) -> None:
    before = amsterdam_today()
    found = ok(api.get(f"/api/learners/{l5}/path"))
    ranked = ok(api.get(f"/api/learners/{l5}/paths"))
    after = amsterdam_today()
    assert found["on"] in {before, after} and ranked["on"] in {before, after}


@pytest.mark.parametrize("bad", ["2025-13-01", "2025-02-30", "01-09-2025", "today", ""])
@pytest.mark.parametrize("endpoint", ["path", "paths"])
def test_an_invalid_on_is_422(api: FlaskClient, l5: str, bad: str, endpoint: str) -> None:
    problem = assert_problem(
        api.get(f"/api/learners/{l5}/{endpoint}", query_string={"on": bad}), 422
    )
    assert any(e.get("parameter") == "on" for e in problem["errors"])


@pytest.mark.parametrize("bad", ["0", "-5", "x", "81"])
def test_an_invalid_hours_per_week_is_422(api: FlaskClient, l5: str, bad: str) -> None:
    problem = assert_problem(
        api.get(f"/api/learners/{l5}/path", query_string={"on": ON, "hours_per_week": bad}), 422
    )
    assert any(e.get("parameter") == "hours_per_week" for e in problem["errors"])


# --- errors -----------------------------------------------------------------------------------


def test_unknown_learner_is_a_404_problem(api: FlaskClient) -> None:
    assert_problem(
        api.get("/api/learners/ln-nobody/path", query_string={"qualification": "Q-VP", "on": ON}),
        404,
    )
    assert_problem(api.get("/api/learners/ln-nobody/paths", query_string={"on": ON}), 404)


def test_unknown_qualification_in_a_path_is_a_404_problem(api: FlaskClient, l5: str) -> None:
    problem = assert_problem(
        api.get(f"/api/learners/{l5}/path", query_string={"qualification": "Q-NOPE", "on": ON}), 404
    )
    assert "Q-NOPE" in problem["detail"]


def test_no_qualification_and_no_enrolment_is_422(api: FlaskClient) -> None:
    learner = new_learner(api)
    problem = assert_problem(api.get(f"/api/learners/{learner}/path", query_string={"on": ON}), 422)
    assert any(e.get("parameter") == "qualification" for e in problem["errors"])
    assert path(api, learner, qualification="Q-VP")["qualification"] == "Q-VP"


def test_no_qualification_and_two_enrolments_is_422(api: FlaskClient) -> None:
    learner = record_case(api, L5)
    ok(
        api.post(
            f"/api/learners/{learner}/enrolments", json={"qualification": "Q-VIG", "start": ON}
        ),
        201,
    )
    problem = assert_problem(api.get(f"/api/learners/{learner}/path", query_string={"on": ON}), 422)
    assert any(e.get("parameter") == "qualification" for e in problem["errors"])
    assert path(api, learner, qualification="Q-VP")["remaining_hours"] == 1373


def test_a_path_to_a_qualification_without_enrolment_starts_on_on(api: FlaskClient) -> None:
    learner = new_learner(api)
    found = path(api, learner, qualification="Q-HZW")
    assert found["electives"]["chosen"] == []
    assert found["electives"]["shortfall_hours"] == 480
    units = found["plan"][:-1]
    assert [i["unit"] for i in units] == found["order"] and found["plan"][-1]["unit"] is None
    assert found["plan"][0]["start"] == ON


# --- rules through HTTP -----------------------------------------------------------------------


def add_evidence(api: FlaskClient, learner: str, body: Any) -> Any:
    return ok(api.post(f"/api/learners/{learner}/evidence", json=body), 201)


def enrolled(
    api: FlaskClient, qualification: str = "Q-VP", electives: list[str] | None = None
) -> str:
    learner = new_learner(api)
    body = {"qualification": qualification, "chosen_electives": electives or [], "start": ON}
    ok(api.post(f"/api/learners/{learner}/enrolments", json=body), 201)
    return learner


def units_of(found: dict[str, Any]) -> dict[str, list[str]]:
    return {u["unit"]: u["missing_outcomes"] for u in found["remaining_units"]}


def test_withdrawing_evidence_reopens_the_outcome(api: FlaskClient) -> None:
    learner = record_case(api, L5)
    before = path(api, learner)
    evc = next(
        e for e in ok(api.get(f"/api/learners/{learner}/evidence"))["items"] if e["source"] == "evc"
    )
    ok(
        api.post(
            f"/api/learners/{learner}/evidence/{evc['id']}/withdraw", json={"reason": "ingetrokken"}
        )
    )
    after = path(api, learner)
    assert units_of(after)["BC-VP-P2K1"] == ["VP:P2-K1-W1", "VP:P2-K1-W2", "VP:P2-K1-W3"]
    assert after["remaining_hours"] == before["remaining_hours"] + (800 - 533)
    assert after["progress"]["outcomes_achieved"] == before["progress"]["outcomes_achieved"] - 1
    assert ok(api.get(f"/api/learners/{learner}/evidence"))["total"] == len(L5["evidence"])


def test_withdrawing_a_whole_unit_brings_it_back_into_the_path(api: FlaskClient) -> None:
    learner = enrolled(api)
    created = add_evidence(api, learner, {"outcome": "AV:LB", "source": "exam", "date": EXAM})
    assert "AV-LB" not in path(api, learner)["order"]
    ok(
        api.post(
            f"/api/learners/{learner}/evidence/{created['id']}/withdraw", json={"reason": "fout"}
        )
    )
    assert units_of(path(api, learner))["AV-LB"] == ["AV:LB"]


def test_formative_evidence_does_not_count(api: FlaskClient) -> None:
    learner = enrolled(api)
    before = path(api, learner)
    add_evidence(api, learner, {"outcome": "AV:LB", "source": "formative", "date": EXAM})
    after = path(api, learner)
    assert units_of(after)["AV-LB"] == ["AV:LB"]
    assert after["remaining_hours"] == before["remaining_hours"]
    assert after["progress"]["formative"] == ["AV:LB"]
    assert after["progress"]["outcomes_achieved"] == 0
    add_evidence(api, learner, {"outcome": "AV:LB", "source": "exam", "date": EXAM})
    counted = path(api, learner)
    assert "AV-LB" not in counted["order"] and counted["progress"]["formative"] == []


def test_expired_evidence_is_listed_and_does_not_count(api: FlaskClient) -> None:
    learner = enrolled(api)
    add_evidence(
        api,
        learner,
        {"outcome": "AV:LB", "source": "exam", "date": "2024-06-28", "valid_until": "2025-06-30"},
    )
    expired = path(api, learner, on=ON)
    assert expired["expired_evidence"] == ["AV:LB"]
    assert units_of(expired)["AV-LB"] == ["AV:LB"]
    last_valid_day = path(api, learner, on="2025-06-30")
    assert last_valid_day["expired_evidence"] == [] and "AV-LB" not in last_valid_day["order"]


def test_evidence_dated_after_on_does_not_count_yet(api: FlaskClient) -> None:
    learner = enrolled(api)
    add_evidence(api, learner, {"outcome": "AV:LB", "source": "exam", "date": "2025-06-01"})
    assert "AV-LB" in path(api, learner, on="2025-05-31")["order"]
    assert "AV-LB" not in path(api, learner, on="2025-06-01")["order"]


def epa_levels(found: dict[str, Any]) -> dict[str, int | None]:
    return {e["epa"]: e["current_level"] for e in found["remaining_epas"]}


def test_a_later_lower_entrustment_applies(api: FlaskClient) -> None:
    learner = enrolled(api, "BAZ")
    base = f"/api/learners/{learner}/entrustments"
    ok(
        api.post(base, json={"epa": "BAZ-1", "level": 4, "date": "2025-02-01", "decided_by": "p"}),
        201,
    )
    lower = ok(
        api.post(base, json={"epa": "BAZ-1", "level": 2, "date": "2025-05-01", "decided_by": "p"}),
        201,
    )
    assert "BAZ-1" not in epa_levels(path(api, learner, on="2025-04-30"))
    assert epa_levels(path(api, learner, on=ON))["BAZ-1"] == 2
    ok(api.post(f"{base}/{lower['id']}/withdraw", json={"reason": "vergissing"}))
    assert "BAZ-1" not in epa_levels(path(api, learner, on=ON))


def test_a_later_lower_entrustment_applies_even_when_recorded_first(api: FlaskClient) -> None:
    learner = enrolled(api, "BAZ")
    base = f"/api/learners/{learner}/entrustments"
    ok(
        api.post(base, json={"epa": "BAZ-2", "level": 2, "date": "2025-05-01", "decided_by": "p"}),
        201,
    )
    ok(
        api.post(base, json={"epa": "BAZ-2", "level": 5, "date": "2025-02-01", "decided_by": "p"}),
        201,
    )
    assert epa_levels(path(api, learner, on=ON))["BAZ-2"] == 2


def test_withdrawing_the_only_entrustment_leaves_no_level(api: FlaskClient) -> None:
    learner = enrolled(api, "BAZ")
    base = f"/api/learners/{learner}/entrustments"
    created = ok(
        api.post(base, json={"epa": "BAZ-3", "level": 5, "date": "2025-02-01", "decided_by": "p"}),
        201,
    )
    assert "BAZ-3" not in epa_levels(path(api, learner))
    ok(api.post(f"{base}/{created['id']}/withdraw", json={"reason": "herzien"}))
    assert epa_levels(path(api, learner))["BAZ-3"] is None


def test_baz_entry_requirement_needs_a_diploma_dated_on_or_before_on(api: FlaskClient) -> None:
    learner = enrolled(api, "BAZ")
    unmet = {"entry_requirements_met": False, "missing_entry_requirements": [{"any_of": ["Q-VP"]}]}
    found = path(api, learner)
    assert {k: found[k] for k in unmet} == unmet
    ok(
        api.post(
            f"/api/learners/{learner}/diplomas",
            json={"qualification": "Q-VP", "date": "2025-06-01"},
        ),
        201,
    )
    for on, met in (("2025-05-31", False), ("2025-06-01", True), (ON, True)):
        found = path(api, learner, on=on)
        assert found["entry_requirements_met"] is met, on
        assert found["missing_entry_requirements"] == (
            [] if met else unmet["missing_entry_requirements"]
        )


def test_a_diploma_of_another_qualification_does_not_meet_the_baz_entry(api: FlaskClient) -> None:
    learner = enrolled(api, "BAZ")
    ok(
        api.post(
            f"/api/learners/{learner}/diplomas",
            json={"qualification": "Q-VIG", "date": "2023-07-01"},
        ),
        201,
    )
    assert path(api, learner)["entry_requirements_met"] is False
