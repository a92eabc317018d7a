"""Qualifications (mbo diplomas and CZO leerroutes) and their prerequisite graphs."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.api._registry import assert_problem, pointers

PROBLEM = "application/problem+json"

Q_VP_ORDER = [
    "BC-VV-B1K1",
    "BC-VV-B1K2",
    "BC-VP-P2K1",  # available once B1K1 and B1K2 are done; "VP" < "VV"
    "BC-VV-B1K3",
    "AV-EN-B1A2",
    "AV-LB",
    "AV-NL-3F",
    "AV-REK-3F",
    "VC-DEMO-03",
    "VC-K0210",
    "VC-K1006",
]
Q_HZW_ORDER = [
    "BC-DV-B1K1",
    "BC-HZW-PK1",
    "AV-LB",
    "AV-NL-2F",
    "AV-REK-2F",
    "VC-DEMO-01",
    "VC-DEMO-02",
]


def qualification_body(code: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "title": f"Qualification {code}", "kind": "mbo", **extra}


def unit_body(code: str, kind: str) -> dict[str, Any]:
    return {
        "code": code,
        "kind": kind,
        "title": f"Unit {code}",
        "study_load_hours": 240,
        "outcomes": [{"code": f"{code}:O1", "title": "o"}],
    }


# --- read -------------------------------------------------------------------------------------


def test_list_qualifications_of_the_seed(ro: FlaskClient) -> None:
    page = ro.get("/api/qualifications").get_json()
    assert set(page) == {"items", "total", "limit", "offset"}
    assert page["total"] == 5
    assert [q["code"] for q in page["items"]] == ["BAZ", "Q-HZW", "Q-MZ3", "Q-VIG", "Q-VP"]
    assert [q["code"] for q in ro.get("/api/qualifications?kind=czo").get_json()["items"]] == [
        "BAZ"
    ]
    assert ro.get("/api/qualifications?kind=mbo").get_json()["total"] == 4
    assert [q["code"] for q in ro.get("/api/qualifications?q=VERPLEEG").get_json()["items"]] == [
        "Q-VP"
    ]
    page = ro.get("/api/qualifications?limit=2&offset=1").get_json()
    assert [q["code"] for q in page["items"]] == ["Q-HZW", "Q-MZ3"]
    assert (page["total"], page["limit"], page["offset"]) == (5, 2, 1)
    assert_problem(ro.get("/api/qualifications?limit=501"), 422)


def test_baz_is_a_czo_qualification_with_epas_and_an_entry_requirement(ro: FlaskClient) -> None:
    baz = ro.get("/api/qualifications/BAZ").get_json()
    assert baz["kind"] == "czo"
    assert baz["units"] == []
    assert baz["required_epas"] == [{"epa": f"BAZ-{n}", "min_level": 4} for n in range(1, 6)]
    assert baz["entry_requirements"] == {"any_qualification": ["Q-VP"]}


def test_mbo_qualification_fields(ro: FlaskClient) -> None:
    q = ro.get("/api/qualifications/Q-HZW").get_json()
    assert q["kind"] == "mbo"
    assert q["units"] == ["BC-DV-B1K1", "BC-HZW-PK1", "AV-NL-2F", "AV-REK-2F", "AV-LB"]
    assert q["electives"] == {"required_hours": 480, "options": ["VC-DEMO-01", "VC-DEMO-02"]}
    assert q["required_epas"] == []
    assert q["entry_requirements"] == {"any_qualification": []}


def test_unknown_qualification_is_404(ro: FlaskClient) -> None:
    assert_problem(ro.get("/api/qualifications/NOPE"), 404)
    assert_problem(ro.get("/api/qualifications/NOPE/graph"), 404)
    assert_problem(ro.put("/api/qualifications/NOPE", json=qualification_body("NOPE")), 404)


# --- write ------------------------------------------------------------------------------------


def test_create_qualification_with_a_location_that_resolves(fresh: FlaskClient) -> None:
    body = qualification_body(
        "Q-NEW",
        units=["BC-VV-B1K1", "AV-LB"],
        electives={"required_hours": 240, "options": ["VC-K1006"]},
        required_epas=[{"epa": "BAZ-1", "min_level": 3}],
        entry_requirements={"any_qualification": ["Q-VIG"]},
        nlqf_level=3,
    )
    response = fresh.post("/api/qualifications", json=body)
    assert response.status_code == 201
    fetched = fresh.get(response.headers["Location"])
    assert fetched.status_code == 200
    assert fetched.get_json() == response.get_json()
    stored = fetched.get_json()
    assert stored["units"] == ["BC-VV-B1K1", "AV-LB"]
    assert stored["electives"] == {"required_hours": 240, "options": ["VC-K1006"]}
    assert stored["required_epas"] == [{"epa": "BAZ-1", "min_level": 3}]
    assert stored["entry_requirements"] == {"any_qualification": ["Q-VIG"]}
    # a new qualification now refers to the unit: it cannot be deleted
    problem = assert_problem(fresh.delete("/api/units/VC-K1006"), 409)
    assert {"kind": "qualification", "code": "Q-NEW", "role": "option"} in problem["references"]


def test_create_minimal_czo_qualification(fresh: FlaskClient) -> None:
    response = fresh.post(
        "/api/qualifications", json={"code": "CZO-X", "title": "x", "kind": "czo"}
    )
    assert response.status_code == 201
    stored = fresh.get("/api/qualifications/CZO-X").get_json()
    assert stored["units"] == []
    assert stored["electives"] == {"required_hours": 0, "options": []}
    assert stored["required_epas"] == []


def test_duplicate_qualification_is_409(ro: FlaskClient) -> None:
    assert_problem(ro.post("/api/qualifications", json=qualification_body("Q-VP")), 409)


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"kind": "hbo"}, "/kind"),
        ({"units": ["AV-LB", "NOPE"]}, "/units/1"),
        ({"electives": {"required_hours": 240, "options": ["BC-VV-B1K1"]}}, "/electives/options/0"),
        ({"electives": {"required_hours": 240, "options": ["AV-LB"]}}, "/electives/options/0"),
        ({"electives": {"required_hours": -1, "options": []}}, "/electives/required_hours"),
        ({"electives": {"options": ["VC-NOPE"]}}, "/electives/options/0"),
        ({"required_epas": [{"epa": "BAZ-1", "min_level": 6}]}, "/required_epas/0/min_level"),
        ({"required_epas": [{"epa": "BAZ-1", "min_level": 0}]}, "/required_epas/0/min_level"),
        ({"required_epas": [{"epa": "NOPE", "min_level": 2}]}, "/required_epas/0/epa"),
        (
            {"entry_requirements": {"any_qualification": ["NOPE"]}},
            "/entry_requirements/any_qualification/0",
        ),
        ({"units": "AV-LB"}, "/units"),
        ({"extra": 1}, "/extra"),
    ],
)
def test_invalid_qualification_is_422(
    ro: FlaskClient, change: dict[str, Any], pointer: str
) -> None:
    problem = assert_problem(
        ro.post("/api/qualifications", json=qualification_body("Q-BAD", **change)), 422
    )
    assert pointer in pointers(problem)
    assert_problem(ro.get("/api/qualifications/Q-BAD"), 404)


@pytest.mark.parametrize("missing", ["code", "title", "kind"])
def test_qualification_missing_field_is_422(ro: FlaskClient, missing: str) -> None:
    body = qualification_body("Q-MISS")
    del body[missing]
    assert f"/{missing}" in pointers(assert_problem(ro.post("/api/qualifications", json=body), 422))


def test_put_replaces_the_whole_qualification(fresh: FlaskClient) -> None:
    body = qualification_body("Q-HZW", units=["BC-DV-B1K1"])
    response = fresh.put("/api/qualifications/Q-HZW", json=body)
    assert response.status_code == 200
    stored = fresh.get("/api/qualifications/Q-HZW").get_json()
    assert stored == response.get_json()
    assert stored["units"] == ["BC-DV-B1K1"]
    assert stored["electives"] == {"required_hours": 0, "options": []}
    assert stored["crebo"] is None
    assert stored["title"] == "Qualification Q-HZW"
    # AV-LB is no longer in Q-HZW
    problem = assert_problem(fresh.delete("/api/units/AV-LB"), 409)
    assert "Q-HZW" not in {r["code"] for r in problem["references"]}


def test_put_invalid_qualification_changes_nothing(ro: FlaskClient) -> None:
    before = ro.get("/api/qualifications/Q-VP").get_json()
    assert_problem(ro.put("/api/qualifications/Q-VP", json=qualification_body("Q-OTHER")), 422)
    bad = {**before, "units": [*before["units"], "NOPE"]}
    assert "/units/8" in pointers(assert_problem(ro.put("/api/qualifications/Q-VP", json=bad), 422))
    assert ro.get("/api/qualifications/Q-VP").get_json() == before


# --- graph ------------------------------------------------------------------------------------


def test_graph_of_q_vp_has_the_exact_order(ro: FlaskClient) -> None:
    graph = ro.get("/api/qualifications/Q-VP/graph").get_json()
    assert graph["order"] == Q_VP_ORDER
    assert sorted(n["code"] for n in graph["nodes"]) == sorted(Q_VP_ORDER)
    assert sorted((e["from"], e["requires"]) for e in graph["edges"]) == [
        ("BC-VP-P2K1", "BC-VV-B1K1"),
        ("BC-VP-P2K1", "BC-VV-B1K2"),
        ("VC-K1006", "BC-VV-B1K1"),
    ]
    node = next(n for n in graph["nodes"] if n["code"] == "BC-VP-P2K1")
    assert {k: node[k] for k in ("kind", "title", "study_load_hours")} == {
        "kind": "BC",
        "title": "Organiseert en coördineert de zorgverlening",
        "study_load_hours": 800,
    }


def test_graph_of_q_hzw_without_prerequisites_sorts_by_kind_then_code(ro: FlaskClient) -> None:
    graph = ro.get("/api/qualifications/Q-HZW/graph").get_json()
    assert graph["order"] == Q_HZW_ORDER
    assert graph["edges"] == []
    assert {n["code"]: n["kind"] for n in graph["nodes"]} == {
        c: c.split("-")[0] for c in Q_HZW_ORDER
    }


def test_graph_of_a_qualification_without_units_is_empty(ro: FlaskClient) -> None:
    graph = ro.get("/api/qualifications/BAZ/graph").get_json()
    assert (graph["nodes"], graph["edges"], graph["order"]) == ([], [], [])


def test_graph_includes_a_unit_outside_the_qualification_that_an_option_requires(
    fresh: FlaskClient,
) -> None:
    for code, kind in (("AV-OUT", "AV"), ("VC-OPT", "VC"), ("BC-IN", "BC")):
        assert fresh.post("/api/units", json=unit_body(code, kind)).status_code == 201
    assert (
        fresh.post("/api/units/VC-OPT/prerequisites", json={"requires": "AV-OUT"}).status_code
        == 201
    )
    body = qualification_body(
        "Q-OUT", units=["BC-IN"], electives={"required_hours": 240, "options": ["VC-OPT"]}
    )
    assert fresh.post("/api/qualifications", json=body).status_code == 201
    graph = fresh.get("/api/qualifications/Q-OUT/graph").get_json()
    assert sorted(n["code"] for n in graph["nodes"]) == ["AV-OUT", "BC-IN", "VC-OPT"]
    assert graph["edges"] == [{"from": "VC-OPT", "requires": "AV-OUT"}]
    assert graph["order"] == ["BC-IN", "AV-OUT", "VC-OPT"]
    # the outside unit is not made a member of the qualification
    assert fresh.get("/api/qualifications/Q-OUT").get_json()["units"] == ["BC-IN"]


def test_graph_follows_requirements_transitively_and_orders_before_kind(fresh: FlaskClient) -> None:
    # VC-X requires AV-Y requires BC-Z, none of which but VC-X is in the qualification; a BC unit
    # that requires the VC unit comes after it although BC ranks first.
    for code, kind in (
        ("BC-Z", "BC"),
        ("AV-Y", "AV"),
        ("VC-X", "VC"),
        ("BC-A", "BC"),
        ("BC-LAST", "BC"),
    ):
        assert fresh.post("/api/units", json=unit_body(code, kind)).status_code == 201
    for unit, requires in (("VC-X", "AV-Y"), ("AV-Y", "BC-Z"), ("BC-LAST", "VC-X")):
        assert (
            fresh.post(f"/api/units/{unit}/prerequisites", json={"requires": requires}).status_code
            == 201
        )
    body = qualification_body("Q-T", units=["BC-A", "BC-LAST"], electives={"options": ["VC-X"]})
    assert fresh.post("/api/qualifications", json=body).status_code == 201
    graph = fresh.get("/api/qualifications/Q-T/graph").get_json()
    assert graph["order"] == ["BC-A", "BC-Z", "AV-Y", "VC-X", "BC-LAST"]
    assert sorted(n["code"] for n in graph["nodes"]) == sorted(graph["order"])
    assert len(graph["edges"]) == 3
