"""Bad input gets a clear 4xx answer, never a 500 (issue 14, point 5).

Codes are letters, digits and ``. _ : -`` only (institution codes without ``:``), matched as a
whole; text has maximum lengths; NUL characters and lone surrogates are refused anywhere (JSON
body, query, path, page form); a diploma that would certify nothing is a 409.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from app import create_app
from app.config import TestConfig
from app.domain.text import TEXT_LENGTH, UNREADABLE
from app.schemas.registry import load_import_document
from tests.helpers import learner_id

PROBLEM = "application/problem+json"


def unit(code: str = "BC-HARD-1", **changes: Any) -> dict[str, Any]:
    body = {
        "code": code,
        "kind": "BC",
        "title": "Verharde invoer",
        "study_load_hours": 40,
        "outcomes": [{"code": f"{code}:W1", "title": "Werkproces"}],
    }
    return {**body, **changes}


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == PROBLEM
    return response.get_json(force=True)  # type: ignore[no-any-return]


def where(body: dict[str, Any]) -> list[str]:
    return [e.get("pointer") or e.get("parameter") for e in body["errors"]]


# --- codes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["BC/1", "BC-1\n", "BC 1", "-BC", "BC-1\x00", "BC\u00e9"])
def test_a_unit_code_outside_the_pattern_is_a_422_naming_the_field(
    client: FlaskClient, code: str
) -> None:
    body = problem(client.post("/api/units", json=unit(code)), 422)
    assert "/code" in where(body)


def test_an_outcome_code_with_a_slash_is_refused_where_it_stands(client: FlaskClient) -> None:
    outcomes = [{"code": "BC-HARD-1/W1", "title": "Werkproces"}]
    body = problem(client.post("/api/units", json=unit(outcomes=outcomes)), 422)
    assert where(body) == ["/outcomes/0/code"]


@pytest.mark.parametrize("code", ["ROC/A", "EVIL\n", "ROC:A", "../keys"])
def test_an_institution_code_outside_the_pattern_is_a_422(client: FlaskClient, code: str) -> None:
    body = problem(
        client.post("/api/institutions", json={"code": code, "name": "ROC", "kind": "mbo"}), 422
    )
    assert where(body) == ["/code"]


def test_codes_with_colons_dots_and_underscores_are_codes(seeded: FlaskClient) -> None:
    response = seeded.post("/api/units", json=unit("AV:NL_2.F-1"))
    assert response.status_code == 201, response.get_json()
    assert seeded.get("/api/units/AV:NL_2.F-1").status_code == 200


@pytest.mark.parametrize(
    ("path", "body", "pointer"),
    [
        ("/api/qualifications", {"code": "Q/1", "title": "t", "kind": "mbo"}, "/code"),
        ("/api/epas", {"code": "E/1", "title": "t", "type": "kern"}, "/code"),
        (
            "/api/vmbo/programmes",
            {"code": "P/1", "title": "t", "institution": "VMBO-DEMO", "profile": "Zorg"},
            "/code",
        ),
        (
            "/api/routes",
            {"code": "R/1", "title": "t", "programme": "ZW-BB", "qualification": "Q"},
            "/code",
        ),
        ("/api/learners", {"name": "Ada", "institution": "MBO/ZW"}, "/institution"),
        ("/api/tokens", {"role": "school-admin", "institution": "MBO\n"}, "/institution"),
    ],
)
def test_every_code_field_takes_the_shared_pattern(
    client: FlaskClient, path: str, body: dict[str, Any], pointer: str
) -> None:
    assert pointer in where(problem(client.post(path, json=body), 422))


def test_the_import_refuses_a_code_with_a_slash_item_by_item() -> None:
    outcomes = [{"code": "BC-9:1", "title": "Werkproces"}]
    _, errors, _ = load_import_document({"units": [unit("BC/9", outcomes=outcomes), unit("BC-OK")]})
    assert [e["pointer"] for e in errors] == ["/units/0/code"]


def test_the_cli_import_refuses_a_code_with_a_slash(tmp_path: Path) -> None:
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'leerlijn.sqlite3'}"
        LEERLIJN_KEYS_DIR = tmp_path / "keys"

    document = tmp_path / "registry.json"
    outcomes = [{"code": "BC-CLI:1", "title": "Werkproces"}]
    document.write_text(json.dumps({"units": [unit("BC/CLI", outcomes=outcomes)]}), "utf-8")
    result = create_app(Config).test_cli_runner().invoke(args=["import", str(document)])
    assert result.exit_code != 0
    assert "/units/0/code" in result.output


# --- text lengths -----------------------------------------------------------------------------


def test_a_description_is_at_most_ten_thousand_characters(seeded: FlaskClient) -> None:
    longest = seeded.post("/api/units", json=unit(description="x" * TEXT_LENGTH))
    assert longest.status_code == 201, longest.get_json()
    body = problem(seeded.post("/api/units", json=unit("BC-HARD-2", description="x" * 10**7)), 422)
    assert where(body) == ["/description"]


def test_a_ten_megabyte_evidence_note_is_a_422(seeded: FlaskClient) -> None:
    learner = learner_id(seeded, "DEMO-L5")
    evidence = {"outcome": "AV:NL-2F", "source": "exam", "date": "2025-01-01", "note": "x" * 10**7}
    body = problem(seeded.post(f"/api/learners/{learner}/evidence", json=evidence), 422)
    assert where(body) == ["/note"]


def test_titles_are_bounded_as_their_columns(client: FlaskClient) -> None:
    body = problem(client.post("/api/units", json=unit(title="t" * 301)), 422)
    assert where(body) == ["/title"]


def test_the_document_shows_patterns_and_maximum_lengths(client: FlaskClient) -> None:
    schemas = client.get("/api/openapi.json").get_json()["components"]["schemas"]
    unit_schema = schemas["Unit"]["properties"]
    assert unit_schema["code"]["pattern"] == "^[A-Za-z0-9][A-Za-z0-9._:-]*$"
    assert unit_schema["description"]["maxLength"] == TEXT_LENGTH
    assert unit_schema["title"]["maxLength"] == 300
    assert schemas["Institution"]["properties"]["code"]["pattern"] == "^[A-Za-z0-9][A-Za-z0-9._-]*$"
    assert schemas["EvidenceIn"]["properties"]["note"]["maxLength"] == TEXT_LENGTH


# --- NUL characters and lone surrogates ---------------------------------------------------------


def test_a_nul_in_a_name_is_a_422_naming_the_field(client: FlaskClient) -> None:
    body = problem(
        client.post("/api/institutions", json={"code": "ROC-N", "name": "R\x00C", "kind": "mbo"}),
        422,
    )
    assert body["errors"] == [{"pointer": "/name", "message": UNREADABLE}]


@pytest.mark.parametrize("raw", ['"a\\ud800b"', '"\\udfff"', '"a\\u0000"'])
def test_a_lone_surrogate_or_nul_anywhere_in_a_json_body_is_a_422(
    client: FlaskClient, raw: str
) -> None:
    data = (
        '{"code": "BC-S-1", "kind": "BC", "title": RAW, "study_load_hours": 4,'
        ' "outcomes": [{"code": "BC-S-1:1", "title": "ok", "description": RAW}]}'
    ).replace("RAW", raw)
    response = client.post("/api/units", data=data, content_type="application/json")
    assert where(problem(response, 422)) == ["/title", "/outcomes/0/description"]


def test_a_surrogate_pair_is_ordinary_text(seeded: FlaskClient) -> None:
    data = json.dumps(unit(title="Zorg \U0001f600"))  # ensure_ascii: a \ud83d\ude00 pair
    response = seeded.post("/api/units", data=data, content_type="application/json")
    assert response.status_code == 201, response.get_json()
    assert seeded.get("/api/units/BC-HARD-1").get_json()["title"] == "Zorg \U0001f600"


def test_a_nul_in_a_member_name_is_refused(client: FlaskClient) -> None:
    response = client.post("/api/units", json={**unit(), "ti\x00tle": "x"})
    assert where(problem(response, 422)) == ["/ti\x00tle"]


def test_a_nul_in_the_query_is_a_422_naming_the_parameter(client: FlaskClient) -> None:
    body = problem(client.get("/api/units?q=zorg%00"), 422)
    assert body["errors"] == [{"parameter": "q", "message": UNREADABLE}]


def test_a_nul_in_the_path_is_a_422_naming_the_parameter(client: FlaskClient) -> None:
    assert where(problem(client.get("/api/units/BC%00X"), 422)) == ["code"]


def test_a_nul_in_a_credential_to_verify_is_a_422(client: FlaskClient) -> None:
    response = client.post("/api/verify", json={"type": ["VerifiableCredential"], "issuer": "\x00"})
    assert where(problem(response, 422)) == ["/issuer"]


def test_a_nul_in_an_import_names_the_item(client: FlaskClient) -> None:
    body = problem(client.post("/api/import", json={"units": [unit(title="a\x00")]}), 422)
    assert where(body) == ["/units/0/title"]


def test_the_schemas_refuse_unreadable_text_outside_http_too() -> None:
    _, errors, _ = load_import_document({"units": [unit(title="a\ud800")]})
    assert errors == [{"pointer": "/units/0/title", "message": UNREADABLE}]


def test_a_nul_in_a_page_query_or_form_is_a_400_page(client: FlaskClient) -> None:
    page = client.get("/registry?q=zorg%00")
    assert page.status_code == 400 and page.mimetype == "text/html"
    form = client.post("/login", data={"email": "a\x00@b.nl", "password": "x" * 12})
    assert form.status_code == 400


# --- ids and methods --------------------------------------------------------------------------


def test_an_id_beyond_any_integer_column_is_a_404(client: FlaskClient) -> None:
    for path in (f"/api/audit/{10**30}", f"/api/tokens/{10**30}"):
        problem(client.get(path), 404)


def test_an_undeclared_method_outside_the_api_says_which_are_allowed(client: FlaskClient) -> None:
    response = client.put("/status/unknown", data={})
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


# --- a diploma that would certify nothing -------------------------------------------------------


def test_a_diploma_of_a_qualification_without_units_or_epas_is_a_409(seeded: FlaskClient) -> None:
    created = seeded.post(
        "/api/qualifications", json={"code": "Q-LEEG", "title": "Leeg", "kind": "mbo"}
    )
    assert created.status_code == 201, created.get_json()
    learner = learner_id(seeded, "DEMO-L5")
    response = seeded.post(
        "/api/credentials",
        json={"learner": learner, "achievement": {"type": "qualification", "code": "Q-LEEG"}},
    )
    body = problem(response, 409)
    assert body["type"].endswith("/nothing-to-certify")
    assert "Q-LEEG" in body["detail"]


# --- credentials naming impossible issuers ----------------------------------------------------


@pytest.mark.parametrize("segment", ["MBO%2FZW", "MBO%0AZW", "..", "A%20B"])
def test_a_did_web_issuer_naming_no_possible_institution_is_unknown(
    seeded: FlaskClient, segment: str
) -> None:
    issuer = f"did:web:127.0.0.1%3A8000:issuers:{segment}"
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "proof": {"type": "DataIntegrityProof", "verificationMethod": f"{issuer}#k1"},
    }
    response = seeded.post("/api/verify", json=credential)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.get_json()["issuer"]["trust"] == "unknown"
    page = seeded.post("/verifieren", data={"credential": json.dumps(credential)})
    assert page.status_code == 200
