"""POST /api/import: all-or-nothing, idempotent by code, every error reported with a pointer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.api._registry import assert_problem

PROBLEM = "application/problem+json"
SEED_REGISTRY = Path(__file__).resolve().parents[2] / "seed" / "registry.json"


def unit(
    code: str, kind: str = "BC", hours: Any = 120, outcomes: list[str] | None = None
) -> dict[str, Any]:
    return {
        "code": code,
        "kind": kind,
        "title": f"Unit {code}",
        "study_load_hours": hours,
        "outcomes": [{"code": o, "title": f"Outcome {o}"} for o in (outcomes or [f"{code}:O1"])],
    }


def document() -> dict[str, Any]:
    """A document touching every kind, with items that refer to each other."""
    return {
        "institutions": [{"code": "INST-1", "name": "Institution One", "kind": "mbo"}],
        "units": [
            {**unit("BC-I1", outcomes=["I1:1", "I1:2"]), "institution": "INST-1"},
            unit("VC-I2", kind="VC"),
            unit("AV-I3", kind="AV"),
        ],
        "outcome_relations": [{"from": "I1:1", "to": "AV:LB", "type": "partial", "reason": "r"}],
        "prerequisites": [{"unit": "VC-I2", "requires": "BC-I1"}],
        "qualifications": [
            {
                "code": "Q-I",
                "title": "Imported",
                "kind": "mbo",
                "units": ["BC-I1", "AV-I3", "AV-LB"],
                "electives": {"required_hours": 120, "options": ["VC-I2"]},
                "required_epas": [{"epa": "EPA-I", "min_level": 2}],
            }
        ],
        "epas": [
            {
                "code": "EPA-I",
                "title": "Imported EPA",
                "type": "kern",
                "draws_on": ["I1:2", "AV:LB"],
            }
        ],
    }


def bucket(report: dict[str, Any], name: str) -> dict[str, list[str]]:
    return {kind: codes for kind, codes in report[name].items() if codes}


def assert_not_imported(client: FlaskClient) -> None:
    assert client.get("/api/institutions/INST-1").status_code == 404
    for code in ("BC-I1", "VC-I2", "AV-I3", "BC-N1", "BC-N2"):
        assert client.get(f"/api/units/{code}").status_code == 404
    assert client.get("/api/qualifications/Q-I").status_code == 404
    assert client.get("/api/epas/EPA-I").status_code == 404
    assert client.get("/api/outcome-relations").get_json()["total"] == 8
    assert client.get("/api/units").get_json()["total"] == 19
    assert client.get("/api/units/BC-VV-B1K1/prerequisites").get_json()["requires"] == []


def test_import_creates_items_that_refer_to_each_other(fresh: FlaskClient) -> None:
    response = fresh.post("/api/import", json=document())
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert set(report) == {"created", "updated", "unchanged"}
    assert bucket(report, "created") == {
        "institutions": ["INST-1"],
        "units": ["BC-I1", "VC-I2", "AV-I3"],
        "outcome_relations": ["I1:1 partial AV:LB"],
        "prerequisites": ["VC-I2 requires BC-I1"],
        "qualifications": ["Q-I"],
        "epas": ["EPA-I"],
    }
    assert bucket(report, "updated") == {} and bucket(report, "unchanged") == {}

    assert fresh.get("/api/institutions/INST-1").status_code == 200
    assert fresh.get("/api/units/BC-I1").get_json()["institution"] == "INST-1"
    assert fresh.get("/api/units/VC-I2").get_json()["institution"] == "MBO-ZW"
    assert fresh.get("/api/units/VC-I2/prerequisites").get_json()["requires"] == ["BC-I1"]
    q = fresh.get("/api/qualifications/Q-I").get_json()
    assert q["units"] == ["BC-I1", "AV-I3", "AV-LB"]
    assert q["electives"]["options"] == ["VC-I2"]
    assert fresh.get("/api/epas/EPA-I").get_json()["draws_on"] == ["I1:2", "AV:LB"]
    assert fresh.get("/api/qualifications/Q-I/graph").get_json()["order"] == [
        "BC-I1",
        "AV-I3",
        "AV-LB",
        "VC-I2",
    ]


def test_importing_the_same_document_twice_changes_nothing_the_second_time(
    fresh: FlaskClient,
) -> None:
    first = fresh.post("/api/import", json=document()).get_json()
    second = fresh.post("/api/import", json=document())
    assert second.status_code == 200
    report = second.get_json()
    assert bucket(report, "created") == {} and bucket(report, "updated") == {}
    assert bucket(report, "unchanged") == bucket(first, "created")


def test_reimporting_the_seed_is_all_unchanged(fresh: FlaskClient) -> None:
    report = fresh.post(
        "/api/import", json=json.loads(SEED_REGISTRY.read_text(encoding="utf-8"))
    ).get_json()
    assert bucket(report, "created") == {} and bucket(report, "updated") == {}
    assert len(report["unchanged"]["units"]) == 19
    assert len(report["unchanged"]["qualifications"]) == 5


def test_a_changed_item_is_reported_updated(fresh: FlaskClient) -> None:
    fresh.post("/api/import", json=document())
    changed = document()
    changed["units"][1]["study_load_hours"] = 480
    changed["units"][2]["outcomes"].append({"code": "AV-I3:O2", "title": "new"})
    changed["qualifications"][0]["electives"]["required_hours"] = 240
    changed["epas"][0]["title"] = "Renamed"
    changed["outcome_relations"][0]["reason"] = "other reason"
    report = fresh.post("/api/import", json=changed).get_json()
    assert bucket(report, "created") == {}
    assert bucket(report, "updated") == {
        "units": ["VC-I2", "AV-I3"],
        "outcome_relations": ["I1:1 partial AV:LB"],
        "qualifications": ["Q-I"],
        "epas": ["EPA-I"],
    }
    assert report["unchanged"]["units"] == ["BC-I1"]
    assert fresh.get("/api/units/VC-I2").get_json()["study_load_hours"] == 480
    assert len(fresh.get("/api/units/AV-I3").get_json()["outcomes"]) == 2
    assert fresh.get("/api/qualifications/Q-I").get_json()["electives"]["required_hours"] == 240


def test_import_may_update_a_seed_unit(fresh: FlaskClient) -> None:
    lb = fresh.get("/api/units/AV-LB").get_json()
    lb["study_load_hours"] = 400
    report = fresh.post("/api/import", json={"units": [lb]}).get_json()
    assert report["updated"]["units"] == ["AV-LB"]
    assert fresh.get("/api/units/AV-LB").get_json()["study_load_hours"] == 400


def test_empty_document_imports_nothing(ro: FlaskClient) -> None:
    response = ro.post("/api/import", json={})
    assert response.status_code == 200
    report = response.get_json()
    assert all(not codes for name in report for codes in report[name].values())


def test_semantic_errors_are_all_reported_and_nothing_is_written(ro: FlaskClient) -> None:
    doc = document()
    doc["units"][1]["institution"] = "NOWHERE"
    doc["qualifications"][0]["units"] = ["BC-I1", "AV-I3", "NOPE"]
    doc["prerequisites"] = [{"unit": "BC-VV-B1K1", "requires": "BC-VP-P2K1"}]
    problem = assert_problem(ro.post("/api/import", json=doc), 422)
    errors = {e["pointer"]: e for e in problem["errors"]}
    assert set(errors) == {"/units/1/institution", "/qualifications/0/units/2", "/prerequisites/0"}
    assert "NOPE" in errors["/qualifications/0/units/2"]["message"]
    assert errors["/prerequisites/0"]["cycle"] == ["BC-VV-B1K1", "BC-VP-P2K1", "BC-VV-B1K1"]
    assert_not_imported(ro)


def test_field_errors_and_semantic_errors_are_reported_together(ro: FlaskClient) -> None:
    doc = document()
    doc["units"].append(unit("BC-N2", hours=0))  # /units/3/study_load_hours
    doc["units"][1]["study_load_hours"] = "ten"
    doc["qualifications"][0]["units"] = ["BC-I1", "AV-I3", "NOPE"]
    doc["prerequisites"] = [{"unit": "BC-VV-B1K1", "requires": "BC-VP-P2K1"}]
    problem = assert_problem(ro.post("/api/import", json=doc), 422)
    found = {e["pointer"] for e in problem["errors"]}
    assert {"/units/1/study_load_hours", "/qualifications/0/units/2", "/prerequisites/0"} <= found
    assert_not_imported(ro)


def test_field_errors_are_all_reported_with_pointers_and_nothing_is_written(
    ro: FlaskClient,
) -> None:
    doc = document()
    doc["units"][1]["study_load_hours"] = 0
    doc["units"][2]["kind"] = "XX"
    doc["qualifications"][0]["required_epas"][0]["min_level"] = 7
    doc["epas"][0]["surplus"] = True
    problem = assert_problem(ro.post("/api/import", json=doc), 422)
    assert {e["pointer"] for e in problem["errors"]} == {
        "/units/1/study_load_hours",
        "/units/2/kind",
        "/qualifications/0/required_epas/0/min_level",
        "/epas/0/surplus",
    }
    assert_not_imported(ro)


def test_a_cycle_within_the_document_is_422_with_the_cycle(ro: FlaskClient) -> None:
    doc = {
        "units": [unit("BC-N1"), unit("BC-N2"), unit("BC-N3")],
        "prerequisites": [
            {"unit": "BC-N1", "requires": "BC-N2"},
            {"unit": "BC-N2", "requires": "BC-N3"},
            {"unit": "BC-N3", "requires": "BC-N1"},
        ],
    }
    problem = assert_problem(ro.post("/api/import", json=doc), 422)
    assert [e["pointer"] for e in problem["errors"]] == ["/prerequisites/2"]
    assert problem["errors"][0]["cycle"] == ["BC-N3", "BC-N1", "BC-N2", "BC-N3"]
    assert ro.get("/api/units/BC-N3").status_code == 404
    assert_not_imported(ro)


def test_duplicate_codes_and_outcome_clashes_are_reported(ro: FlaskClient) -> None:
    doc = {
        "units": [
            unit("BC-N1"),
            unit("BC-N1", outcomes=["X:1"]),
            unit("BC-N2", outcomes=["AV:LB"]),
        ],
        "outcome_relations": [{"from": "NO:SUCH", "to": "AV:LB", "type": "partial"}],
        "epas": [{"code": "EPA-I", "title": "t", "type": "kern", "draws_on": ["NO:SUCH"]}],
    }
    problem = assert_problem(ro.post("/api/import", json=doc), 422)
    assert {e["pointer"] for e in problem["errors"]} == {
        "/units/1/code",
        "/units/2/outcomes/0/code",
        "/outcome_relations/0/from",
        "/epas/0/draws_on/0",
    }
    assert_not_imported(ro)


def test_import_refuses_to_remove_a_referenced_outcome(ro: FlaskClient) -> None:
    nl3 = ro.get("/api/units/AV-NL-3F").get_json()
    nl3["outcomes"] = [{"code": "AV:NL-3F-X", "title": "other"}]
    problem = assert_problem(ro.post("/api/import", json={"units": [nl3]}), 422)
    assert problem["errors"][0]["pointer"].startswith("/units/0")
    assert [o["code"] for o in ro.get("/api/units/AV-NL-3F").get_json()["outcomes"]] == ["AV:NL-3F"]


@pytest.mark.parametrize(
    "body", [[], [1, 2], "units", 3, {"units": {}}, {"units": [1]}, {"colour": []}]
)
def test_wrongly_shaped_documents_are_422(ro: FlaskClient, body: Any) -> None:
    assert_problem(ro.post("/api/import", json=body), 422)
    assert ro.get("/api/units").get_json()["total"] == 19
