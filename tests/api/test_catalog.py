"""Institutions, EPAs, outcome relations and the supervision scale."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.api._registry import assert_problem, pointers

PROBLEM = "application/problem+json"


# --- institutions -----------------------------------------------------------------------------


def test_seed_institutions(ro: FlaskClient) -> None:
    page = ro.get("/api/institutions").get_json()
    assert (page["total"], page["limit"], page["offset"]) == (2, 50, 0)
    assert {i["code"]: i["kind"] for i in page["items"]} == {"MBO-ZW": "mbo", "VMBO-ZW": "vmbo"}
    assert ro.get("/api/institutions/VMBO-ZW").get_json()["kind"] == "vmbo"
    assert [i["code"] for i in ro.get("/api/institutions?kind=vmbo").get_json()["items"]] == [
        "VMBO-ZW"
    ]
    assert [i["code"] for i in ro.get("/api/institutions?q=vakcollege").get_json()["items"]] == [
        "VMBO-ZW"
    ]


def test_create_institution(client: FlaskClient) -> None:
    body = {"code": "CZO", "name": "College Zorg Opleidingen", "kind": "czo", "brin": "00XX"}
    response = client.post("/api/institutions", json=body)
    assert response.status_code == 201
    assert response.get_json() == {**body, "trusted": False, "legal": None}
    assert client.get(response.headers["Location"]).get_json() == {
        **body,
        "trusted": False,
        "legal": None,
    }
    assert_problem(client.post("/api/institutions", json=body), 409)
    assert client.get("/api/institutions").get_json()["total"] == 1


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"code": "X", "name": "x", "kind": "hbo"}, "/kind"),
        ({"code": "X", "kind": "mbo"}, "/name"),
        ({"code": "X", "name": "x", "kind": "mbo", "city": "Utrecht"}, "/city"),
        ({"code": 7, "name": "x", "kind": "mbo"}, "/code"),
    ],
)
def test_invalid_institution_is_422(ro: FlaskClient, body: dict[str, Any], pointer: str) -> None:
    assert pointer in pointers(assert_problem(ro.post("/api/institutions", json=body), 422))
    assert ro.get("/api/institutions").get_json()["total"] == 2


def test_unknown_institution_is_404(ro: FlaskClient) -> None:
    assert_problem(ro.get("/api/institutions/NOPE"), 404)


# --- supervision levels -----------------------------------------------------------------------


def test_supervision_levels(ro: FlaskClient) -> None:
    levels = ro.get("/api/supervision-levels").get_json()
    assert [item["level"] for item in levels] == [1, 2, 3, 4, 5]
    for item in levels:
        assert set(item) == {"level", "label_nl", "label_en", "group"}
        assert item["label_nl"] and item["label_en"] and item["group"]


# --- EPAs -------------------------------------------------------------------------------------


def test_seed_epas(ro: FlaskClient) -> None:
    page = ro.get("/api/epas").get_json()
    assert page["total"] == 7
    assert [e["code"] for e in ro.get("/api/epas?kind=specifiek").get_json()["items"]] == [
        "MK-FO-3",
        "MK-KIN-6",
    ]
    epa = ro.get("/api/epas/BAZ-2").get_json()
    assert epa["type"] == "kern"
    assert epa["draws_on"] == ["VV:B1-K1-W1", "VV:B1-K1-W5", "VV:B1-K2-W2"]
    assert_problem(ro.get("/api/epas/NOPE"), 404)


def test_create_epa(fresh: FlaskClient) -> None:
    body = {
        "code": "EPA-NEW",
        "title": "New",
        "type": "specifiek",
        "draws_on": ["AV:LB", "KD:K1006"],
    }
    response = fresh.post("/api/epas", json=body)
    assert response.status_code == 201
    fetched = fresh.get(response.headers["Location"])
    assert fetched.status_code == 200
    assert fetched.get_json()["draws_on"] == ["AV:LB", "KD:K1006"]
    assert fetched.get_json()["type"] == "specifiek"
    assert_problem(fresh.post("/api/epas", json=body), 409)


def test_epa_drawing_on_an_unknown_outcome_is_422_naming_it(ro: FlaskClient) -> None:
    body = {
        "code": "EPA-BAD",
        "title": "Bad",
        "type": "kern",
        "draws_on": ["AV:LB", "NO:SUCH-OUTCOME"],
    }
    problem = assert_problem(ro.post("/api/epas", json=body), 422)
    assert pointers(problem) == ["/draws_on/1"]
    assert "NO:SUCH-OUTCOME" in problem["errors"][0]["message"]
    assert_problem(ro.get("/api/epas/EPA-BAD"), 404)


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"type": "algemeen"}, "/type"),
        ({"title": ""}, "/title"),
        ({"draws_on": "AV:LB"}, "/draws_on"),
    ],
)
def test_invalid_epa_is_422(ro: FlaskClient, change: dict[str, Any], pointer: str) -> None:
    body = {"code": "EPA-BAD", "title": "Bad", "type": "kern", "draws_on": ["AV:LB"], **change}
    assert pointer in pointers(assert_problem(ro.post("/api/epas", json=body), 422))


# --- outcome relations ------------------------------------------------------------------------


def test_seed_outcome_relations(ro: FlaskClient) -> None:
    page = ro.get("/api/outcome-relations").get_json()
    assert page["total"] == 8
    assert {"from": "AV:NL-3F", "to": "AV:NL-2F", "type": "subsumes"}.items() <= page["items"][
        0
    ].items()
    assert ro.get("/api/outcome-relations?kind=subsumes").get_json()["total"] == 2
    assert ro.get("/api/outcome-relations?kind=partial").get_json()["total"] == 6


def test_create_outcome_relation(fresh: FlaskClient) -> None:
    body = {"from": "VV:B1-K1-W1", "to": "MZ:B1-K1-W1", "type": "partial", "reason": "similar"}
    response = fresh.post("/api/outcome-relations", json=body)
    assert response.status_code == 201
    assert response.get_json() == body
    listed = fresh.get(response.headers["Location"])
    assert listed.status_code == 200
    assert body in listed.get_json()["items"]
    assert fresh.get("/api/outcome-relations").get_json()["total"] == 9
    problem = assert_problem(fresh.post("/api/outcome-relations", json=body), 409)
    assert "VV:B1-K1-W1" in problem["detail"]
    assert fresh.get("/api/outcome-relations").get_json()["total"] == 9


def test_same_outcomes_with_another_type_is_not_a_duplicate(fresh: FlaskClient) -> None:
    body = {"from": "AV:NL-3F", "to": "AV:NL-2F", "type": "partial"}
    assert fresh.post("/api/outcome-relations", json=body).status_code == 201


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"from": "NO:SUCH", "to": "AV:LB", "type": "partial"}, "/from"),
        ({"from": "AV:LB", "to": "NO:SUCH", "type": "subsumes"}, "/to"),
        ({"from": "AV:LB", "to": "AV:NL-2F", "type": "equals"}, "/type"),
        ({"from": "AV:LB", "type": "partial"}, "/to"),
    ],
)
def test_invalid_outcome_relation_is_422(
    ro: FlaskClient, body: dict[str, Any], pointer: str
) -> None:
    problem = assert_problem(ro.post("/api/outcome-relations", json=body), 422)
    assert pointer in pointers(problem)
    assert ro.get("/api/outcome-relations").get_json()["total"] == 8
