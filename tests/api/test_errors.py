"""Problem documents, media types, malformed input, transactions, OpenAPI and the docs page."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from tests.api._registry import copy_app, dispose
from tests.helpers import admin_client

PROBLEM = "application/problem+json"

UNIT = {
    "code": "BC-MT",
    "kind": "BC",
    "title": "Media types",
    "study_load_hours": 100,
    "outcomes": [{"code": "MT:1", "title": "o"}],
}


@pytest.fixture(scope="module")
def fuzzed(template: Flask) -> Iterator[FlaskClient]:
    """A client of its own for the random-input tests (a random body may be valid)."""
    app = copy_app(template)
    yield admin_client(app)
    dispose(app)


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = json.loads(response.get_data(as_text=True))
    assert body["status"] == status
    assert isinstance(body["type"], str) and body["type"]
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    return body  # type: ignore[no-any-return]


# --- problem documents ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("get", "/api/units/NOPE", None, 404),
        ("get", "/api/qualifications/NOPE", None, 404),
        ("get", "/api/epas/NOPE", None, 404),
        ("get", "/api/institutions/NOPE", None, 404),
        ("delete", "/api/units/NOPE", None, 404),
        ("delete", "/api/units/BC-VP-P2K1/prerequisites/AV-LB", None, 404),
        ("get", "/api/no-such-route", None, 404),
        ("post", "/api/institutions", {"code": "MBO-ZW", "name": "x", "kind": "mbo"}, 409),
        ("post", "/api/epas", {"code": "BAZ-1", "title": "x", "type": "kern"}, 409),
        ("delete", "/api/units/BC-VV-B1K1", None, 409),
        ("post", "/api/units", {**UNIT, "study_load_hours": "ten"}, 422),
        ("post", "/api/units", {**UNIT, "kind": "XX"}, 422),
        ("get", "/api/epas?limit=501", None, 422),
        ("get", "/api/institutions?limit=501", None, 422),
        ("get", "/api/outcome-relations?limit=501", None, 422),
        ("delete", "/api/qualifications/Q-VP", None, 405),
    ],
)
def test_errors_are_problem_documents(
    ro: FlaskClient, method: str, path: str, body: Any, status: int
) -> None:
    response = (
        getattr(ro, method)(path, json=body) if body is not None else getattr(ro, method)(path)
    )
    assert_problem(response, status)


def test_field_errors_carry_pointers(ro: FlaskClient) -> None:
    problem = assert_problem(
        ro.post("/api/units", json={**UNIT, "study_load_hours": 2.5, "colour": "red"}), 422
    )
    assert {e["pointer"] for e in problem["errors"]} == {"/study_load_hours", "/colour"}
    assert all(isinstance(e["message"], str) and e["message"] for e in problem["errors"])


def test_cycle_and_references_members(ro: FlaskClient) -> None:
    cycle = assert_problem(
        ro.post("/api/units/BC-VV-B1K1/prerequisites", json={"requires": "BC-VP-P2K1"}), 409
    )
    assert cycle["cycle"] == ["BC-VV-B1K1", "BC-VP-P2K1", "BC-VV-B1K1"]
    refused = assert_problem(ro.delete("/api/units/BC-VP-P2K1"), 409)
    assert {"kind": "prerequisite", "code": "BC-VP-P2K1 requires BC-VV-B1K1"} in refused[
        "references"
    ]


# --- media types and malformed JSON -----------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/units", "/api/import", "/api/qualifications", "/api/epas"])
def test_text_plain_is_415(ro: FlaskClient, path: str) -> None:
    assert_problem(ro.post(path, data=json.dumps(UNIT), content_type="text/plain"), 415)


@pytest.mark.parametrize("path", ["/api/units", "/api/import", "/api/institutions"])
def test_form_data_is_415(ro: FlaskClient, path: str) -> None:
    assert_problem(ro.post(path, data={"code": "X", "kind": "BC"}), 415)
    assert_problem(ro.post(path, data={"code": "X"}, content_type="multipart/form-data"), 415)


def test_put_with_a_non_json_body_is_415(ro: FlaskClient) -> None:
    assert_problem(ro.put("/api/units/AV-LB", data="x", content_type="text/plain"), 415)
    assert ro.get("/api/units/AV-LB").status_code == 200


@pytest.mark.parametrize(
    "media_type",
    ["application/ld+json", "application/merge-patch+json", "application/json; charset=utf-8"],
)
def test_json_media_types_are_accepted(fresh: FlaskClient, media_type: str) -> None:
    response = fresh.post("/api/units", data=json.dumps(UNIT), content_type=media_type)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert fresh.get("/api/units/BC-MT").get_json()["title"] == "Media types"


@pytest.mark.parametrize("body", ["{bad", '{"code": ', "[1, 2", "{'single': 1}", "\x00"])
@pytest.mark.parametrize("path", ["/api/units", "/api/import", "/api/units/AV-LB/prerequisites"])
def test_malformed_json_is_400(ro: FlaskClient, path: str, body: str) -> None:
    assert_problem(ro.post(path, data=body, content_type="application/json"), 400)


def test_malformed_json_on_put_is_400(ro: FlaskClient) -> None:
    assert_problem(
        ro.put("/api/qualifications/Q-VP", data="{", content_type="application/json"), 400
    )


# --- bad input never gives a 500 --------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
UNIT_KEYS = [
    "code",
    "kind",
    "title",
    "description",
    "study_load_hours",
    "nlqf_level",
    "institution",
    "language",
    "title_en",
    "outcomes",
]
OUTCOME_KEYS = ["code", "dossier_code", "title", "description", "nlqf_level"]


def shaped(keys: list[str], values: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects with the schema's own keys and arbitrary values (to get past the first check)."""
    return st.dictionaries(st.sampled_from(keys), values, max_size=len(keys))


UNIT_LIKE = shaped(
    UNIT_KEYS,
    JSON_VALUES
    | st.lists(shaped(OUTCOME_KEYS, JSON_VALUES | st.sampled_from(["AV:LB", "X:1"])), max_size=3)
    | st.sampled_from(["BC", "VC", "AV", "MBO-ZW", "NOPE", "BC-VV-B1K1"]),
)
IMPORT_LIKE = st.fixed_dictionaries(
    {},
    optional={
        "units": st.lists(UNIT_LIKE, max_size=3) | JSON_VALUES,
        "prerequisites": st.lists(
            shaped(
                ["unit", "requires"],
                st.sampled_from(["AV-LB", "BC-VV-B1K1", "BC-VP-P2K1", "X"]) | JSON_VALUES,
            ),
            max_size=3,
        ),
        "qualifications": st.lists(
            shaped(
                [
                    "code",
                    "title",
                    "kind",
                    "units",
                    "electives",
                    "required_epas",
                    "entry_requirements",
                ],
                JSON_VALUES,
            ),
            max_size=2,
        ),
        "epas": st.lists(shaped(["code", "title", "type", "draws_on"], JSON_VALUES), max_size=2),
        "outcome_relations": st.lists(
            shaped(["from", "to", "type", "reason"], JSON_VALUES), max_size=2
        ),
        "institutions": st.lists(shaped(["code", "name", "kind", "brin"], JSON_VALUES), max_size=2),
    },
)

FUZZ = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(body=JSON_VALUES | UNIT_LIKE)
def test_random_json_to_post_units_never_500(fuzzed: FlaskClient, body: Any) -> None:
    response = fuzzed.post("/api/units", data=json.dumps(body), content_type="application/json")
    assert response.status_code < 500, response.get_data(as_text=True)


@FUZZ
@given(body=JSON_VALUES | IMPORT_LIKE)
def test_random_json_to_post_import_never_500(fuzzed: FlaskClient, body: Any) -> None:
    response = fuzzed.post("/api/import", data=json.dumps(body), content_type="application/json")
    assert response.status_code < 500, response.get_data(as_text=True)


# --- transactions and foreign keys ------------------------------------------------------------


def test_a_refused_request_writes_nothing(fresh: FlaskClient) -> None:
    body = {
        **UNIT,
        "outcomes": [{"code": "MT:1", "title": "free"}, {"code": "VV:B1-K1-W1", "title": "taken"}],
    }
    assert_problem(fresh.post("/api/units", json=body), 409)
    assert_problem(fresh.get("/api/units/BC-MT"), 404)
    assert fresh.get("/api/units").get_json()["total"] == 19
    # the first outcome code was not stored on the side
    assert fresh.post("/api/units", json=UNIT).status_code == 201


def test_sqlite_enforces_foreign_keys(app: Flask) -> None:
    with app.app_context():
        with pytest.raises(IntegrityError):
            db.session.execute(
                text(
                    "INSERT INTO outcomes (code, unit_code, position, title)"
                    " VALUES ('O:X', 'NO-UNIT', 0, 't')"
                )
            )
            db.session.flush()
        db.session.rollback()
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1


# --- OpenAPI and docs -------------------------------------------------------------------------


def test_openapi_document(ro: FlaskClient) -> None:
    response = ro.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    for path in (
        "/api/units",
        "/api/units/{code}",
        "/api/units/{code}/prerequisites",
        "/api/qualifications",
        "/api/qualifications/{code}/graph",
        "/api/institutions",
        "/api/epas",
        "/api/outcome-relations",
        "/api/supervision-levels",
        "/api/import",
    ):
        assert path in spec["paths"], path
    assert {"get", "post"} <= set(spec["paths"]["/api/units"])
    assert {"get", "put", "delete"} <= set(spec["paths"]["/api/units/{code}"])


def test_docs_page_and_its_assets_are_served_offline(ro: FlaskClient) -> None:
    page = ro.get("/api/docs")
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html)
    assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets)
    for asset in assets:
        assert asset.startswith("/api/docs/static/"), asset
        response = ro.get(asset)
        assert response.status_code == 200, asset
        assert len(response.get_data()) > 1000
        response.close()
    assert "/api/openapi.json" in html
