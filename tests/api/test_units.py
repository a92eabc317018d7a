"""Units with embedded outcomes, their prerequisites and cycles, and the list contract."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

PROBLEM = "application/problem+json"


def unit_body(
    code: str, kind: str = "BC", outcomes: list[str] | None = None, **extra: Any
) -> dict[str, Any]:
    outcome_codes = outcomes if outcomes is not None else [f"{code}:O1"]
    return {
        "code": code,
        "kind": kind,
        "title": f"Unit {code}",
        "study_load_hours": 100,
        "outcomes": [{"code": o, "title": f"Outcome {o}"} for o in outcome_codes],
        **extra,
    }


def create(client: FlaskClient, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/units", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert body["status"] == status
    assert {"type", "title", "detail"} <= set(body)
    return body  # type: ignore[no-any-return]


# --- create / read ----------------------------------------------------------------------------


def test_create_unit_returns_it_with_defaults_and_a_location_that_resolves(
    fresh: FlaskClient,
) -> None:
    body = unit_body(
        "BC-NEW-1", outcomes=["NEW:1", "NEW:2"], description="d", nlqf_level=3, title_en="New"
    )
    response = fresh.post("/api/units", json=body)
    assert response.status_code == 201
    created = response.get_json()
    assert created["institution"] == "MBO-ZW"
    assert created["language"] == "nl"
    assert [o["code"] for o in created["outcomes"]] == ["NEW:1", "NEW:2"]
    location = response.headers["Location"]
    fetched = fresh.get(location)
    assert fetched.status_code == 200
    assert fetched.get_json() == created
    assert fetched.get_json()["title_en"] == "New"


def test_create_unit_of_another_institution(fresh: FlaskClient) -> None:
    created = create(fresh, unit_body("VMBO-U1", institution="VMBO-ZW", language="en"))
    assert created["institution"] == "VMBO-ZW"
    assert created["language"] == "en"
    assert fresh.get("/api/units?institution=VMBO-ZW").get_json()["total"] == 1


def test_seed_unit_has_its_outcomes_embedded(ro: FlaskClient) -> None:
    unit = ro.get("/api/units/BC-VV-B1K2").get_json()
    assert unit["kind"] == "BC"
    assert unit["study_load_hours"] == 400
    assert [o["code"] for o in unit["outcomes"]] == ["VV:B1-K2-W1", "VV:B1-K2-W2"]
    assert set(unit["outcomes"][0]) >= {"code", "title"}


def test_unknown_unit_is_404(ro: FlaskClient) -> None:
    body = assert_problem(ro.get("/api/units/NOPE"), 404)
    assert "NOPE" in body["detail"]


def test_duplicate_unit_code_is_409(ro: FlaskClient) -> None:
    assert_problem(ro.post("/api/units", json=unit_body("AV-LB", outcomes=["FRESH:1"])), 409)


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"study_load_hours": "ten"}, "/study_load_hours"),
        ({"study_load_hours": 0}, "/study_load_hours"),
        ({"study_load_hours": -5}, "/study_load_hours"),
        ({"study_load_hours": 2.5}, "/study_load_hours"),
        ({"study_load_hours": True}, "/study_load_hours"),
        ({"kind": "XX"}, "/kind"),
        ({"nlqf_level": 9}, "/nlqf_level"),
        ({"nlqf_level": 0}, "/nlqf_level"),
        ({"colour": "red"}, "/colour"),
        ({"outcomes": []}, "/outcomes"),
        ({"outcomes": [{"code": "X:1"}]}, "/outcomes/0/title"),
        ({"outcomes": [{"code": "X:1", "title": "t", "nlqf_level": 12}]}, "/outcomes/0/nlqf_level"),
        ({"outcomes": [{"code": "X:1", "title": "t", "extra": 1}]}, "/outcomes/0/extra"),
        ({"code": "has space"}, "/code"),
    ],
)
def test_invalid_unit_fields_are_422_with_a_pointer(
    ro: FlaskClient, change: dict[str, Any], pointer: str
) -> None:
    body = assert_problem(ro.post("/api/units", json={**unit_body("BC-BAD"), **change}), 422)
    assert pointer in [e["pointer"] for e in body["errors"]]
    assert ro.get("/api/units/BC-BAD").status_code == 404


@pytest.mark.parametrize("missing", ["code", "kind", "title", "study_load_hours", "outcomes"])
def test_missing_required_unit_field_is_422(ro: FlaskClient, missing: str) -> None:
    body = unit_body("BC-MISS")
    del body[missing]
    problem = assert_problem(ro.post("/api/units", json=body), 422)
    assert f"/{missing}" in [e["pointer"] for e in problem["errors"]]


def test_unknown_institution_is_422(ro: FlaskClient) -> None:
    problem = assert_problem(
        ro.post("/api/units", json=unit_body("BC-X", institution="NOWHERE")), 422
    )
    assert [e["pointer"] for e in problem["errors"]] == ["/institution"]


def test_outcome_code_repeated_within_the_unit_is_422(ro: FlaskClient) -> None:
    problem = assert_problem(
        ro.post("/api/units", json=unit_body("BC-X", outcomes=["R:1", "R:1"])), 422
    )
    assert [e["pointer"] for e in problem["errors"]] == ["/outcomes/1/code"]


def test_outcome_code_of_another_unit_is_409_and_nothing_is_written(fresh: FlaskClient) -> None:
    body = unit_body("BC-CLASH", outcomes=["CLASH:1", "VV:B1-K2-W1"])
    problem = assert_problem(fresh.post("/api/units", json=body), 409)
    assert "VV:B1-K2-W1" in problem["detail"]
    assert fresh.get("/api/units/BC-CLASH").status_code == 404
    assert fresh.get("/api/units?q=clash").get_json()["total"] == 0
    # the free outcome code was not written either: another unit may take it
    create(fresh, unit_body("BC-OTHER", outcomes=["CLASH:1"]))


# --- replace ----------------------------------------------------------------------------------


def test_put_replaces_the_whole_unit(fresh: FlaskClient) -> None:
    create(fresh, unit_body("BC-R", outcomes=["R:1", "R:2"], description="old", nlqf_level=2))
    replacement = unit_body("BC-R", kind="AV", outcomes=["R:2", "R:3"])
    replacement["title"] = "Renamed"
    replacement["study_load_hours"] = 80
    response = fresh.put("/api/units/BC-R", json=replacement)
    assert response.status_code == 200
    stored = fresh.get("/api/units/BC-R").get_json()
    assert stored == response.get_json()
    assert stored["title"] == "Renamed"
    assert stored["kind"] == "AV"
    assert stored["study_load_hours"] == 80
    assert stored["description"] is None
    assert stored["nlqf_level"] is None
    assert [o["code"] for o in stored["outcomes"]] == ["R:2", "R:3"]
    # the removed outcome code is free again
    create(fresh, unit_body("BC-S", outcomes=["R:1"]))


def test_put_with_another_code_in_the_body_is_422(ro: FlaskClient) -> None:
    response = ro.put("/api/units/AV-LB", json=unit_body("AV-OTHER", kind="AV", outcomes=["AV:LB"]))
    assert_problem(response, 422)
    assert ro.get("/api/units/AV-OTHER").status_code == 404


def test_put_unknown_unit_is_404(ro: FlaskClient) -> None:
    assert_problem(ro.put("/api/units/NOPE", json=unit_body("NOPE")), 404)


def test_put_invalid_body_is_422(ro: FlaskClient) -> None:
    body = ro.get("/api/units/AV-LB").get_json()
    body["study_load_hours"] = 0
    assert_problem(ro.put("/api/units/AV-LB", json=body), 422)
    assert ro.get("/api/units/AV-LB").get_json()["study_load_hours"] == 200


def test_put_removing_an_outcome_in_a_relation_is_409_naming_it(ro: FlaskClient) -> None:
    body = ro.get("/api/units/AV-NL-3F").get_json()
    body["outcomes"] = [{"code": "AV:NL-3F-NEW", "title": "replacement"}]
    problem = assert_problem(ro.put("/api/units/AV-NL-3F", json=body), 409)
    assert {"kind": "outcome_relation", "code": "AV:NL-3F subsumes AV:NL-2F"} in problem[
        "references"
    ]
    assert [o["code"] for o in ro.get("/api/units/AV-NL-3F").get_json()["outcomes"]] == ["AV:NL-3F"]


def test_put_removing_an_outcome_an_epa_draws_on_is_409_naming_the_epa(ro: FlaskClient) -> None:
    body = ro.get("/api/units/BC-VV-B1K3").get_json()
    body["outcomes"] = [o for o in body["outcomes"] if o["code"] != "VV:B1-K3-W3"]
    problem = assert_problem(ro.put("/api/units/BC-VV-B1K3", json=body), 409)
    epas = {r["code"] for r in problem["references"] if r["kind"] == "epa"}
    assert epas == {"BAZ-1"}
    assert len(ro.get("/api/units/BC-VV-B1K3").get_json()["outcomes"]) == 3


def test_put_keeping_referenced_outcomes_is_allowed(fresh: FlaskClient) -> None:
    body = fresh.get("/api/units/BC-VV-B1K3").get_json()
    body["outcomes"].append({"code": "VV:B1-K3-W4", "title": "added"})
    body["title"] = "Changed"
    assert fresh.put("/api/units/BC-VV-B1K3", json=body).status_code == 200
    assert fresh.get("/api/units/BC-VV-B1K3").get_json()["outcomes"][-1]["code"] == "VV:B1-K3-W4"


# --- delete -----------------------------------------------------------------------------------


def test_delete_unreferenced_unit(fresh: FlaskClient) -> None:
    create(fresh, unit_body("BC-GONE", outcomes=["GONE:1"]))
    response = fresh.delete("/api/units/BC-GONE")
    assert response.status_code == 204
    assert response.get_data() == b""
    assert_problem(fresh.get("/api/units/BC-GONE"), 404)
    assert_problem(fresh.delete("/api/units/BC-GONE"), 404)


def test_delete_unit_used_by_a_qualification_is_409(ro: FlaskClient) -> None:
    problem = assert_problem(ro.delete("/api/units/AV-LB"), 409)
    qualifications = {r["code"] for r in problem["references"] if r["kind"] == "qualification"}
    assert qualifications == {"Q-HZW", "Q-VIG", "Q-VP", "Q-MZ3"}
    assert ro.get("/api/units/AV-LB").status_code == 200


def test_delete_unit_in_a_prerequisite_is_409_from_either_side(fresh: FlaskClient) -> None:
    create(fresh, unit_body("BC-P1"))
    create(fresh, unit_body("BC-P2"))
    assert (
        fresh.post("/api/units/BC-P2/prerequisites", json={"requires": "BC-P1"}).status_code == 201
    )
    for code in ("BC-P1", "BC-P2"):
        problem = assert_problem(fresh.delete(f"/api/units/{code}"), 409)
        assert problem["references"] == [{"kind": "prerequisite", "code": "BC-P2 requires BC-P1"}]
        assert fresh.get(f"/api/units/{code}").status_code == 200


def test_delete_unit_whose_outcome_an_epa_draws_on_is_409(fresh: FlaskClient) -> None:
    create(fresh, unit_body("BC-E", outcomes=["E:1"]))
    epa = {"code": "EPA-E", "title": "E", "type": "specifiek", "draws_on": ["E:1"]}
    assert fresh.post("/api/epas", json=epa).status_code == 201
    problem = assert_problem(fresh.delete("/api/units/BC-E"), 409)
    assert [(r["kind"], r["code"]) for r in problem["references"]] == [("epa", "EPA-E")]
    assert fresh.get("/api/units/BC-E").status_code == 200


def test_delete_unit_whose_outcome_is_in_a_relation_is_409(fresh: FlaskClient) -> None:
    problem = assert_problem(fresh.delete("/api/units/VC-DEMO-01"), 409)  # in Q-HZW and Q-MZ3
    assert {"kind", "code"} <= set(problem["references"][0])
    create(fresh, unit_body("BC-REL", outcomes=["REL:1"]))
    relation = {"from": "REL:1", "to": "AV:LB", "type": "partial"}
    assert fresh.post("/api/outcome-relations", json=relation).status_code == 201
    problem = assert_problem(fresh.delete("/api/units/BC-REL"), 409)
    assert [(r["kind"], r["code"]) for r in problem["references"]] == [
        ("outcome_relation", "REL:1 partial AV:LB")
    ]


# --- prerequisites ----------------------------------------------------------------------------


def test_prerequisites_of_a_seed_unit(ro: FlaskClient) -> None:
    assert ro.get("/api/units/BC-VV-B1K1/prerequisites").get_json() == {
        "unit": "BC-VV-B1K1",
        "requires": [],
        "required_by": ["BC-VP-P2K1", "VC-K1006"],
    }
    assert ro.get("/api/units/BC-VP-P2K1/prerequisites").get_json() == {
        "unit": "BC-VP-P2K1",
        "requires": ["BC-VV-B1K1", "BC-VV-B1K2"],
        "required_by": [],
    }


def test_prerequisites_of_unknown_unit_is_404(ro: FlaskClient) -> None:
    assert_problem(ro.get("/api/units/NOPE/prerequisites"), 404)


def test_add_and_remove_a_prerequisite(fresh: FlaskClient) -> None:
    response = fresh.post("/api/units/BC-VV-B1K3/prerequisites", json={"requires": "BC-VV-B1K1"})
    assert response.status_code == 201
    assert response.get_json() == {"unit": "BC-VV-B1K3", "requires": "BC-VV-B1K1"}
    fetched = fresh.get(response.headers["Location"])
    assert fetched.status_code == 200
    assert fetched.get_json() == {"unit": "BC-VV-B1K3", "requires": "BC-VV-B1K1"}
    assert fresh.get("/api/units/BC-VV-B1K3/prerequisites").get_json()["requires"] == ["BC-VV-B1K1"]
    assert (
        "BC-VV-B1K3" in fresh.get("/api/units/BC-VV-B1K1/prerequisites").get_json()["required_by"]
    )

    deleted = fresh.delete("/api/units/BC-VV-B1K3/prerequisites/BC-VV-B1K1")
    assert deleted.status_code == 204
    assert fresh.get("/api/units/BC-VV-B1K3/prerequisites").get_json()["requires"] == []
    assert_problem(fresh.get(response.headers["Location"]), 404)
    assert_problem(fresh.delete("/api/units/BC-VV-B1K3/prerequisites/BC-VV-B1K1"), 404)


def test_duplicate_prerequisite_is_409(ro: FlaskClient) -> None:
    assert_problem(
        ro.post("/api/units/BC-VP-P2K1/prerequisites", json={"requires": "BC-VV-B1K1"}), 409
    )


def test_prerequisite_on_unknown_units(ro: FlaskClient) -> None:
    assert_problem(ro.post("/api/units/NOPE/prerequisites", json={"requires": "AV-LB"}), 404)
    problem = assert_problem(
        ro.post("/api/units/AV-LB/prerequisites", json={"requires": "NOPE"}), 422
    )
    assert problem["errors"][0]["pointer"] == "/requires"
    problem = assert_problem(ro.post("/api/units/AV-LB/prerequisites", json={}), 422)
    assert problem["errors"][0]["pointer"] == "/requires"


def test_two_unit_cycle_on_the_seed_is_409_with_the_cycle(ro: FlaskClient) -> None:
    response = ro.post("/api/units/BC-VV-B1K1/prerequisites", json={"requires": "BC-VP-P2K1"})
    problem = assert_problem(response, 409)
    assert problem["cycle"] == ["BC-VV-B1K1", "BC-VP-P2K1", "BC-VV-B1K1"]
    assert ro.get("/api/units/BC-VV-B1K1/prerequisites").get_json()["requires"] == []


def test_three_unit_cycle_follows_requires(fresh: FlaskClient) -> None:
    for code in ("BC-A", "BC-B", "BC-C"):
        create(fresh, unit_body(code))
    assert fresh.post("/api/units/BC-A/prerequisites", json={"requires": "BC-B"}).status_code == 201
    assert fresh.post("/api/units/BC-B/prerequisites", json={"requires": "BC-C"}).status_code == 201
    problem = assert_problem(
        fresh.post("/api/units/BC-C/prerequisites", json={"requires": "BC-A"}), 409
    )
    assert problem["cycle"] == ["BC-C", "BC-A", "BC-B", "BC-C"]
    assert fresh.get("/api/units/BC-C/prerequisites").get_json()["requires"] == []


def test_self_requirement_is_a_cycle(ro: FlaskClient) -> None:
    problem = assert_problem(
        ro.post("/api/units/AV-LB/prerequisites", json={"requires": "AV-LB"}), 409
    )
    assert problem["cycle"][0] == problem["cycle"][-1] == "AV-LB"
    assert set(problem["cycle"]) == {"AV-LB"}
    assert ro.get("/api/units/AV-LB/prerequisites").get_json()["requires"] == []


# --- lists ------------------------------------------------------------------------------------


def test_unit_list_shape_and_default_limit(ro: FlaskClient) -> None:
    page = ro.get("/api/units").get_json()
    assert set(page) == {"items", "total", "limit", "offset"}
    assert (page["total"], page["limit"], page["offset"]) == (19, 50, 0)
    assert len(page["items"]) == 19
    assert all(item["outcomes"] for item in page["items"])


def test_unit_list_default_limit_is_50_with_more_units(client: FlaskClient) -> None:
    document = {
        "institutions": [{"code": "MBO-ZW", "name": "x", "kind": "mbo"}],
        "units": [unit_body(f"AV-{n:03}", kind="AV") for n in reversed(range(55))],
    }
    assert client.post("/api/import", json=document).status_code == 200
    page = client.get("/api/units").get_json()
    assert (page["total"], page["limit"], len(page["items"])) == (55, 50, 50)
    rest = client.get("/api/units?offset=50").get_json()
    assert [u["code"] for u in rest["items"]] == [f"AV-{n:03}" for n in range(50, 55)]


def test_unit_list_paging(ro: FlaskClient) -> None:
    all_codes = [u["code"] for u in ro.get("/api/units?limit=500").get_json()["items"]]
    page = ro.get("/api/units?limit=5&offset=3").get_json()
    assert (page["total"], page["limit"], page["offset"]) == (19, 5, 3)
    assert [u["code"] for u in page["items"]] == all_codes[3:8]
    assert ro.get("/api/units?offset=100").get_json()["items"] == []


@pytest.mark.parametrize(
    "query", ["limit=501", "limit=0", "limit=-1", "limit=ten", "offset=-1", "offset=x"]
)
def test_unit_list_bad_parameters_are_422(ro: FlaskClient, query: str) -> None:
    assert_problem(ro.get(f"/api/units?{query}"), 422)


def test_unit_list_filters(ro: FlaskClient) -> None:
    vc = ro.get("/api/units?kind=VC").get_json()
    assert vc["total"] == 5
    assert {u["kind"] for u in vc["items"]} == {"VC"}
    assert ro.get("/api/units?kind=AV").get_json()["total"] == 6
    # q matches code and title, case-insensitively
    by_code = ro.get("/api/units?q=vv-b1").get_json()
    assert [u["code"] for u in by_code["items"]] == ["BC-VV-B1K1", "BC-VV-B1K2", "BC-VV-B1K3"]
    by_title = ro.get("/api/units?q=COÖRDINEERT").get_json()
    assert [u["code"] for u in by_title["items"]] == ["BC-VP-P2K1"]
    combined = ro.get("/api/units?kind=BC&q=mz").get_json()
    assert [u["code"] for u in combined["items"]] == ["BC-MZ-B1K1", "BC-MZ-B1K2"]
    assert ro.get("/api/units?institution=MBO-ZW").get_json()["total"] == 19
    assert ro.get("/api/units?institution=VMBO-ZW").get_json()["total"] == 0
