"""vmbo programmes, assignments, versioned mappings, overlap, crediting pupils and routes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from app import create_app
from app.config import TestConfig
from app.domain.access import SYSTEM
from app.extensions import db
from app.services.seeding import load_seed
from tests.helpers import admin_client

PROBLEM = "application/problem+json"
ON = "2025-09-01"
MAPPING = {
    "validated_by": "docent vmbo Z&W en docent mbo Zorg & Welzijn",
    "validated_on": "2025-06-01",
}

# Worked case L1 (shared/reference/examples/learner-cases.json), as literal data.
L1_ENROLMENT = {
    "qualification": "Q-HZW",
    "chosen_electives": ["VC-DEMO-01", "VC-DEMO-02"],
    "start": "2025-09-01",
}
L1_COMPLETIONS = [
    {"assignment": code, "date": "2025-06-20", "assessor": "docent vmbo"}
    for code in ("VA-1", "VA-2", "VA-3", "VA-5", "VA-7")
]
L1_EXPECTED = {
    "remaining_units": {
        "BC-DV-B1K1": ["DV:B1-K1-W1", "DV:B1-K1-W4", "DV:B1-K1-W5"],
        "BC-HZW-PK1": ["HZW:P-K1-W4"],
        "AV-LB": ["AV:LB"],
        "AV-NL-2F": ["AV:NL-2F"],
        "AV-REK-2F": ["AV:REK-2F"],
        "VC-DEMO-01": ["KD:DEMO-01"],
        "VC-DEMO-02": ["KD:DEMO-02"],
    },
    "blocked": {},
    "needs_assessment": ["DV:B1-K1-W1"],
    "order": [
        "BC-DV-B1K1",
        "BC-HZW-PK1",
        "AV-LB",
        "AV-NL-2F",
        "AV-REK-2F",
        "VC-DEMO-01",
        "VC-DEMO-02",
    ],
    "complete": False,
    "remaining_hours": 1350,
    "electives.remaining_hours": 480,
}


@pytest.fixture(scope="module")
def ro() -> Iterator[FlaskClient]:
    """A seeded client shared by the tests that write nothing (or only fail)."""
    app = create_app(TestConfig)
    with app.app_context():
        db.create_all()
        load_seed(
            db.session, SYSTEM, app.config["SEED_DIR"], app.config["LEERLIJN_DEFAULT_INSTITUTION"]
        )
        db.session.remove()
    yield admin_client(app)
    with app.app_context():
        db.engine.dispose()


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert body["status"] == status
    return body  # type: ignore[no-any-return]


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def new_learner(client: FlaskClient, enrol: bool = True) -> str:
    learner = ok(
        client.post("/api/learners", json={"name": "Pupil", "institution": "VMBO-ZW"}), 201
    )
    if enrol:
        ok(client.post(f"/api/learners/{learner['id']}/enrolments", json=L1_ENROLMENT), 201)
    return learner["id"]  # type: ignore[no-any-return]


def path(client: FlaskClient, learner: str) -> dict[str, Any]:
    return ok(client.get(f"/api/learners/{learner}/path?qualification=Q-HZW&on={ON}"))  # type: ignore[no-any-return]


def summary(p: dict[str, Any]) -> dict[str, Any]:
    return {
        "remaining_units": {u["unit"]: u["missing_outcomes"] for u in p["remaining_units"]},
        "blocked": p["blocked"],
        "needs_assessment": p["needs_assessment"],
        "order": p["order"],
        "complete": p["complete"],
        "remaining_hours": p["remaining_hours"],
        "electives.remaining_hours": p["electives"]["remaining_hours"],
    }


def complete(
    client: FlaskClient, learner: str, assignment: str, date: str = "2025-06-20"
) -> dict[str, Any]:
    body = {"assignment": assignment, "date": date, "assessor": "docent vmbo"}
    return ok(client.post(f"/api/learners/{learner}/vmbo-completions", json=body), 201)  # type: ignore[no-any-return]


# --- programmes and assignments ---------------------------------------------------------------


def test_seed_programme_and_its_assignments(ro: FlaskClient) -> None:
    programme = ok(ro.get("/api/vmbo/programmes/VMBO-ZW-WLC"))
    assert programme["title"] == "Zorg & Welzijn — wijkleercentrum"
    assert programme["institution"] == "VMBO-ZW"
    assert programme["profile"] == "Zorg & Welzijn"
    assert [p["code"] for p in ok(ro.get("/api/vmbo/programmes"))["items"]] == ["VMBO-ZW-WLC"]
    assignments = ok(ro.get("/api/vmbo/programmes/VMBO-ZW-WLC/assignments"))
    assert [a["code"] for a in assignments["items"]] == [f"VA-{i}" for i in range(1, 8)]
    va4 = ok(ro.get("/api/vmbo/assignments/VA-4"))
    assert va4["module"] == "P/ZW/1"
    assert va4["keuzevakken"] == [
        "Assisteren in de gezondheidszorg",
        "Voorkomen van ongevallen en EHBO",
    ]
    assert [(m["outcome"], m["coverage"], m["version"]) for m in va4["mappings"]] == [
        ("VV:B1-K1-W5", "partial", 1),
        ("DV:B1-K1-W3", "partial", 1),
    ]


def test_create_programme_and_assignment(seeded: FlaskClient) -> None:
    body = {"code": "VMBO-X", "title": "X", "institution": "VMBO-ZW", "profile": "Zorg & Welzijn"}
    response = seeded.post("/api/vmbo/programmes", json=body)
    created = ok(response, 201)
    assert ok(seeded.get(response.headers["Location"])) == created
    assignment = {
        "code": "VX-1",
        "title": "Bed opmaken",
        "module": "P/ZW/4",
        "keuzevakken": ["Zorg"],
    }
    response = seeded.post("/api/vmbo/programmes/VMBO-X/assignments", json=assignment)
    created = ok(response, 201)
    assert (
        created["programme"] == "VMBO-X"
        and created["mappings"] == []
        and created["description"] is None
    )
    assert ok(seeded.get(response.headers["Location"]))["code"] == "VX-1"
    assert_problem(seeded.post("/api/vmbo/programmes", json=body), 409)
    assert_problem(seeded.post("/api/vmbo/programmes/VMBO-X/assignments", json=assignment), 409)


@pytest.mark.parametrize("institution", ["MBO-ZW", "NOPE"])
def test_programme_institution_must_be_a_vmbo_school(ro: FlaskClient, institution: str) -> None:
    body = {"code": "VMBO-Y", "title": "Y", "institution": institution, "profile": "Zorg & Welzijn"}
    problem = assert_problem(ro.post("/api/vmbo/programmes", json=body), 422)
    assert problem["errors"][0]["pointer"] == "/institution"
    assert_problem(ro.get("/api/vmbo/programmes/VMBO-Y"), 404)


def test_unknown_programme_or_assignment_is_404(ro: FlaskClient) -> None:
    assert_problem(ro.get("/api/vmbo/programmes/NOPE"), 404)
    assert_problem(ro.get("/api/vmbo/programmes/NOPE/assignments"), 404)
    body = {"code": "VX-9", "title": "t", "module": "P/ZW/1"}
    assert_problem(ro.post("/api/vmbo/programmes/NOPE/assignments", json=body), 404)
    assert_problem(ro.get("/api/vmbo/assignments/VA-99"), 404)
    assert_problem(ro.get("/api/vmbo/assignments/VA-99/mappings"), 404)
    assert_problem(
        ro.post(
            "/api/vmbo/assignments/VA-99/mappings",
            json={"outcome": "AV:LB", "coverage": "full", **MAPPING},
        ),
        404,
    )


# --- overlap ----------------------------------------------------------------------------------


def test_overlap_on_the_seed(ro: FlaskClient) -> None:
    report = ok(ro.get("/api/vmbo/programmes/VMBO-ZW-WLC/overlap?qualification=Q-HZW"))
    assert report["programme"] == "VMBO-ZW-WLC" and report["qualification"] == "Q-HZW"
    units = {u["unit"]: u for u in report["units"]}
    assert list(units) == [
        "BC-DV-B1K1",
        "BC-HZW-PK1",
        "AV-NL-2F",
        "AV-REK-2F",
        "AV-LB",
        "VC-DEMO-01",
        "VC-DEMO-02",
    ]
    assert units["BC-DV-B1K1"] == {
        "unit": "BC-DV-B1K1",
        "full": ["DV:B1-K1-W2", "DV:B1-K1-W3"],
        "partial": ["DV:B1-K1-W1"],
        "none": ["DV:B1-K1-W4", "DV:B1-K1-W5"],
        "covered_hours": 160,
    }
    assert units["BC-HZW-PK1"]["full"] == ["HZW:P-K1-W1", "HZW:P-K1-W2", "HZW:P-K1-W3"]
    assert units["BC-HZW-PK1"]["covered_hours"] == 450
    assert report["total_hours"] == 1960
    assert report["covered_hours"] == 610


def test_overlap_needs_a_known_qualification(ro: FlaskClient) -> None:
    problem = assert_problem(ro.get("/api/vmbo/programmes/VMBO-ZW-WLC/overlap"), 422)
    assert "qualification" in str(problem)
    assert_problem(ro.get("/api/vmbo/programmes/VMBO-ZW-WLC/overlap?qualification=NOPE"), 404)
    assert_problem(ro.get("/api/vmbo/programmes/NOPE/overlap?qualification=Q-HZW"), 404)


# --- mappings ---------------------------------------------------------------------------------


def test_posting_a_mapping_twice_makes_version_2_and_keeps_history(seeded: FlaskClient) -> None:
    url = "/api/vmbo/assignments/VA-4/mappings"
    first = ok(
        seeded.post(url, json={"outcome": "DV:B1-K1-W4", "coverage": "partial", **MAPPING}), 201
    )
    assert first["version"] == 1 and first["ended_on"] is None
    second = ok(
        seeded.post(
            url, json={"outcome": "DV:B1-K1-W4", "coverage": "full", "note": "herzien", **MAPPING}
        ),
        201,
    )
    assert second["version"] == 2 and second["coverage"] == "full"
    current = [m for m in ok(seeded.get(url))["items"] if m["outcome"] == "DV:B1-K1-W4"]
    assert [(m["version"], m["coverage"]) for m in current] == [(2, "full")]
    history = [
        m for m in ok(seeded.get(url + "?history=true"))["items"] if m["outcome"] == "DV:B1-K1-W4"
    ]
    assert [(m["version"], m["coverage"]) for m in history] == [(1, "partial"), (2, "full")]
    assert history[0]["ended_on"] is not None and history[1]["ended_on"] is None
    report = ok(seeded.get("/api/vmbo/programmes/VMBO-ZW-WLC/overlap?qualification=Q-HZW"))
    assert report["units"][0]["full"] == ["DV:B1-K1-W2", "DV:B1-K1-W3", "DV:B1-K1-W4"]
    assert report["units"][0]["covered_hours"] == 240


def test_deleting_a_mapping_ends_it_and_keeps_history(seeded: FlaskClient) -> None:
    url = "/api/vmbo/assignments/VA-7/mappings"
    response = seeded.delete(url + "/DV:B1-K1-W3")
    assert response.status_code == 204
    assert [m["outcome"] for m in ok(seeded.get(url))["items"]] == ["VV:B1-K3-W3"]
    history = ok(seeded.get(url + "?history=true"))["items"]
    ended = [m for m in history if m["outcome"] == "DV:B1-K1-W3"]
    assert len(ended) == 1 and ended[0]["ended_on"] is not None and ended[0]["current"] is False
    assert_problem(seeded.delete(url + "/DV:B1-K1-W3"), 404)
    report = ok(seeded.get("/api/vmbo/programmes/VMBO-ZW-WLC/overlap?qualification=Q-HZW"))
    # VA-4 still maps DV W3 partially
    assert report["units"][0]["partial"] == ["DV:B1-K1-W1", "DV:B1-K1-W3"]
    remapped = ok(
        seeded.post(url, json={"outcome": "DV:B1-K1-W3", "coverage": "full", **MAPPING}), 201
    )
    assert remapped["version"] == 2


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"outcome": "DV:B1-K1-W4", "coverage": "half", **MAPPING}, "/coverage"),
        ({"outcome": "NOPE:1", "coverage": "full", **MAPPING}, "/outcome"),
        ({"outcome": "DV:B1-K1-W4", "coverage": "full"}, "/validated_by"),
        (
            {
                "outcome": "DV:B1-K1-W4",
                "coverage": "full",
                "validated_by": "x",
                "validated_on": "2999-01-01",
            },
            "/validated_on",
        ),
    ],
)
def test_bad_mapping_is_422_and_stores_nothing(
    ro: FlaskClient, body: dict[str, Any], pointer: str
) -> None:
    url = "/api/vmbo/assignments/VA-4/mappings"
    before = ok(ro.get(url + "?history=true"))
    problem = assert_problem(ro.post(url, json=body), 422)
    assert pointer in [e["pointer"] for e in problem["errors"]]
    assert ok(ro.get(url + "?history=true")) == before


def test_an_outcome_a_mapping_refers_to_cannot_be_deleted(seeded: FlaskClient) -> None:
    unit = {
        "code": "BC-NEW",
        "kind": "BC",
        "title": "Nieuw",
        "study_load_hours": 100,
        "outcomes": [{"code": "NEW:1", "title": "een"}, {"code": "NEW:2", "title": "twee"}],
    }
    ok(seeded.post("/api/units", json=unit), 201)
    ok(
        seeded.post(
            "/api/vmbo/assignments/VA-6/mappings",
            json={"outcome": "NEW:1", "coverage": "full", **MAPPING},
        ),
        201,
    )
    problem = assert_problem(seeded.delete("/api/units/BC-NEW"), 409)
    assert {"kind": "vmbo_mapping", "code": "VA-6", "outcome": "NEW:1"} in problem["references"]
    assert_problem(
        seeded.put("/api/units/BC-NEW", json={**unit, "outcomes": unit["outcomes"][1:]}), 409
    )
    # an ended mapping is history that still refers to the outcome
    assert seeded.delete("/api/vmbo/assignments/VA-6/mappings/NEW:1").status_code == 204
    assert_problem(seeded.delete("/api/units/BC-NEW"), 409)
    assert ok(seeded.get("/api/units/BC-NEW"))["code"] == "BC-NEW"


# --- crediting pupils -------------------------------------------------------------------------


def test_worked_case_l1_through_vmbo_completions(seeded: FlaskClient) -> None:
    learner = new_learner(seeded)
    for completion in L1_COMPLETIONS:
        ok(seeded.post(f"/api/learners/{learner}/vmbo-completions", json=completion), 201)
    assert ok(seeded.get(f"/api/learners/{learner}/evidence"))["total"] == 5
    assert summary(path(seeded, learner)) == L1_EXPECTED


def test_seeded_demo_learner_l1_has_its_completions(ro: FlaskClient) -> None:
    learner = ok(ro.get("/api/learners?external_id=DEMO-L1"))["items"][0]["id"]
    completions = ok(ro.get(f"/api/learners/{learner}/vmbo-completions"))
    assert [c["assignment"] for c in completions["items"]] == [
        "VA-1",
        "VA-2",
        "VA-3",
        "VA-5",
        "VA-7",
    ]
    assert summary(path(ro, learner)) == L1_EXPECTED


def test_completion_records_evidence_with_versioned_ref_and_remembers_partials(
    seeded: FlaskClient,
) -> None:
    learner = new_learner(seeded, enrol=False)
    response = seeded.post(
        f"/api/learners/{learner}/vmbo-completions",
        json={"assignment": "VA-5", "date": "2025-06-20", "assessor": "docent vmbo"},
    )
    created = ok(response, 201)
    assert created["assignment"] == "VA-5" and created["date"] == "2025-06-20"
    assert created["full"] == ["DV:B1-K1-W2"] and created["partial"] == ["DV:B1-K1-W1"]
    assert created["withdrawn"] is False
    evidence = ok(seeded.get(f"/api/learners/{learner}/evidence"))["items"]
    assert [(e["outcome"], e["source"], e["ref"], e["date"], e["assessor"]) for e in evidence] == [
        ("DV:B1-K1-W2", "vmbo_assignment", "VA-5@v1", "2025-06-20", "docent vmbo")
    ]
    assert created["evidence"] == [evidence[0]["id"]]
    listed = ok(seeded.get(response.headers["Location"]))
    assert listed["total"] == 1
    assert {k: v for k, v in listed["items"][0].items() if k != "recorded_at"} == {
        k: v for k, v in created.items() if k != "recorded_at"
    }
    p = path(seeded, learner)
    assert p["needs_assessment"] == ["DV:B1-K1-W1"]
    dv = next(u for u in p["remaining_units"] if u["unit"] == "BC-DV-B1K1")
    assert "DV:B1-K1-W1" in dv["missing_outcomes"] and "DV:B1-K1-W2" not in dv["missing_outcomes"]


def test_credit_is_a_snapshot_of_the_mappings(seeded: FlaskClient) -> None:
    learner = new_learner(seeded)
    complete(seeded, learner, "VA-5")
    before = path(seeded, learner)
    url = "/api/vmbo/assignments/VA-5/mappings"
    ok(seeded.post(url, json={"outcome": "DV:B1-K1-W2", "coverage": "partial", **MAPPING}), 201)
    ok(seeded.post(url, json={"outcome": "DV:B1-K1-W1", "coverage": "full", **MAPPING}), 201)
    assert seeded.delete(url + "/DV:B1-K1-W1").status_code == 204
    assert path(seeded, learner) == before
    # a new completion uses the new mapping version
    later = complete(seeded, new_learner(seeded), "VA-5")
    assert later["full"] == [] and later["partial"] == ["DV:B1-K1-W2"]
    assert later["outcomes"][0]["ref"] == "VA-5@v2"


def test_withdrawing_a_completion_restores_the_path(seeded: FlaskClient) -> None:
    learner = new_learner(seeded)
    complete(seeded, learner, "VA-1")
    before = path(seeded, learner)
    created = complete(seeded, learner, "VA-5")
    assert path(seeded, learner) != before
    url = f"/api/learners/{learner}/vmbo-completions/{created['id']}/withdraw"
    withdrawn = ok(seeded.post(url, json={"reason": "verkeerde leerling"}))
    assert withdrawn["withdrawn"] is True and withdrawn["withdrawn_reason"] == "verkeerde leerling"
    assert path(seeded, learner) == before
    evidence = {e["id"]: e for e in ok(seeded.get(f"/api/learners/{learner}/evidence"))["items"]}
    assert len(evidence) == 2  # kept, not deleted
    assert evidence[created["evidence"][0]]["withdrawn"] is True
    assert sum(e["withdrawn"] for e in evidence.values()) == 1
    assert_problem(seeded.post(url, json={"reason": "nog eens"}), 409)
    assert_problem(
        seeded.post(f"/api/learners/{learner}/vmbo-completions/999/withdraw", json={"reason": "x"}),
        404,
    )


def test_bad_completion_is_refused_and_stores_nothing(ro: FlaskClient) -> None:
    learner = ok(ro.get("/api/learners?external_id=DEMO-L5"))["items"][0]["id"]
    url = f"/api/learners/{learner}/vmbo-completions"
    evidence_before = ok(ro.get(f"/api/learners/{learner}/evidence"))
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    problem = assert_problem(
        ro.post(url, json={"assignment": "VA-99", "date": "2025-06-20", "assessor": "a"}), 422
    )
    assert "VA-99" in problem["detail"] and problem["errors"][0]["pointer"] == "/assignment"
    problem = assert_problem(
        ro.post(url, json={"assignment": "VA-5", "date": future, "assessor": "a"}), 422
    )
    assert problem["errors"][0]["pointer"] == "/date"
    assert_problem(ro.post(url, json={"assignment": "VA-5", "date": "2025-06-20"}), 422)
    assert ok(ro.get(url))["total"] == 0
    assert ok(ro.get(f"/api/learners/{learner}/evidence")) == evidence_before
    body = {"assignment": "VA-5", "date": "2025-06-20", "assessor": "a"}
    assert_problem(ro.post("/api/learners/nobody/vmbo-completions", json=body), 404)
    assert_problem(ro.get("/api/learners/nobody/vmbo-completions"), 404)


def test_path_queries_do_not_grow_with_completions(seeded_app: Flask) -> None:
    client = admin_client(seeded_app)
    learner = new_learner(client)

    def queries() -> int:
        count = 0

        def on_execute(*_: Any) -> None:
            nonlocal count
            count += 1

        with seeded_app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", on_execute)
        try:
            path(client, learner)
        finally:
            event.remove(engine, "before_cursor_execute", on_execute)
        return count

    complete(client, learner, "VA-1")
    path(client, learner)  # the registry catalog is built once and then cached
    complete(client, learner, "VA-2")  # a write: the learner's record is read afresh
    two = queries()
    for code in ("VA-3", "VA-4", "VA-5", "VA-6", "VA-7"):
        complete(client, learner, code)
    assert queries() == two


# --- routes -----------------------------------------------------------------------------------


def test_seed_route(ro: FlaskClient) -> None:
    route = ok(ro.get("/api/routes/VMR-HZW"))
    assert route["title"] == "Vakmanschapsroute Zorg & Welzijn → Helpende Zorg en Welzijn"
    assert route["programme"] == "VMBO-ZW-WLC" and route["qualification"] == "Q-HZW"
    assert route["covers"] == {"fully": [], "partly": ["BC-DV-B1K1", "BC-HZW-PK1"]}
    assert (route["total_hours"], route["covered_hours"], route["remaining_hours"]) == (
        1960,
        610,
        1350,
    )
    assert route["electives"] == {"required_hours": 480, "options": ["VC-DEMO-01", "VC-DEMO-02"]}
    mbo = {u["unit"]: u for u in route["mbo_part"]}
    assert mbo["BC-DV-B1K1"] == {
        "unit": "BC-DV-B1K1",
        "role": "mandatory",
        "outcomes": ["DV:B1-K1-W1", "DV:B1-K1-W4", "DV:B1-K1-W5"],
        "needs_assessment": ["DV:B1-K1-W1"],
        "hours": 240,
    }
    assert mbo["BC-HZW-PK1"]["hours"] == 150
    assert [r["code"] for r in ok(ro.get("/api/routes"))["items"]] == ["VMR-HZW"]


def test_create_route(seeded: FlaskClient) -> None:
    body = {
        "code": "VMR-VZ",
        "title": "Route VZ",
        "programme": "VMBO-ZW-WLC",
        "qualification": "Q-HZW",
    }
    response = seeded.post("/api/routes", json=body)
    assert ok(response, 201) == body
    assert ok(seeded.get(response.headers["Location"]))["remaining_hours"] == 1350
    assert_problem(seeded.post("/api/routes", json=body), 409)


def test_bad_route_is_refused(ro: FlaskClient) -> None:
    body = {"code": "VMR-X", "title": "X", "programme": "NOPE", "qualification": "Q-NOPE"}
    problem = assert_problem(ro.post("/api/routes", json=body), 422)
    assert [e["pointer"] for e in problem["errors"]] == ["/programme", "/qualification"]
    assert_problem(ro.get("/api/routes/VMR-X"), 404)


# --- seeding ----------------------------------------------------------------------------------


def test_seed_loads_twice_without_change(seeded_app: Flask) -> None:
    with seeded_app.app_context():
        report = load_seed(db.session, SYSTEM, seeded_app.config["SEED_DIR"], "MBO-ZW")
        db.session.remove()
    assert report["vmbo"]["created"] == {} and report["vmbo"]["updated"] == {}
    assert len(report["vmbo"]["unchanged"]["vmbo_mappings"]) == 14
    assert report["learners"] == []
    client = admin_client(seeded_app)
    learner = ok(client.get("/api/learners?external_id=DEMO-L1"))["items"][0]["id"]
    assert ok(client.get(f"/api/learners/{learner}/vmbo-completions"))["total"] == 5
