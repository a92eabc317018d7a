"""European metadata on achievements (issue 13), carried as edubadges' OB 3.0 extensions do.

An issued unit credential's achievement states its NLQF and EQF level (alignments with
``targetType`` ``ext:NLQF`` / ``ext:EQF``), its study load in hours (``SBU``), its language
(``inLanguage``) and its learning outcomes (``learningOutcome``), all from the seed unit; a
diploma credential carries the crebo as ``educationProgramIdentifier``. Every term is defined by a
shipped context (the registry's own ``https://leerlijn.nl/contexts/educredential-v1.jsonld``),
so the app's context check and the OB 3.0 JSON Schema check pass.
"""

# ruff: noqa: F811  (local_app is a fixture imported from tests/api/test_credentials.py)

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.api.test_credentials import (  # noqa: F401  (module-scoped app fixture)
    held,
    learner_id,
    local_app,
    verify,
)
from tests.helpers import admin_client

EDUCREDENTIAL_CONTEXT = "https://leerlijn.nl/contexts/educredential-v1.jsonld"
CONTEXTS_DIR = Path(__file__).resolve().parents[2] / "schemas" / "contexts"
UNIT = "BC-VV-B1K1"
#: Seed facts of BC-VV-B1K1 (seed/registry.json).
SEED_STUDY_LOAD, SEED_NLQF, SEED_LANGUAGE = 1200, 3, "nl"

Document = dict[str, Any]


@pytest.fixture
def api(local_app: Flask) -> FlaskClient:
    return admin_client(local_app)


@pytest.fixture
def unit_credential(api: FlaskClient) -> Document:
    return held(api, learner_id(api, "DEMO-L5"), UNIT)


def check(report: Document, name: str) -> Document:
    return next(c for c in report["checks"] if c["check"] == name)


def levels(achievement: Document) -> dict[str, str]:
    return {
        a["targetType"]: a["targetCode"]
        for a in achievement["alignment"]
        if a.get("targetType") in ("ext:NLQF", "ext:EQF")
    }


def test_the_context_is_shipped_and_named_in_the_index() -> None:
    index = json.loads((CONTEXTS_DIR / "index.json").read_text(encoding="utf-8"))
    assert index[EDUCREDENTIAL_CONTEXT]["file"] == "leerlijn-educredential-v1.jsonld"
    assert EDUCREDENTIAL_CONTEXT in (CONTEXTS_DIR / "README.md").read_text(encoding="utf-8")


def test_a_unit_credential_carries_level_study_load_language_and_outcomes(
    api: FlaskClient, unit_credential: Document
) -> None:
    unit = api.get(f"/api/units/{UNIT}").get_json()
    assert (unit["study_load_hours"], unit["nlqf_level"]) == (SEED_STUDY_LOAD, SEED_NLQF)
    assert EDUCREDENTIAL_CONTEXT in unit_credential["@context"]
    achievement = unit_credential["credentialSubject"]["achievement"]
    assert achievement["type"] == ["Achievement", "EducredentialAchievement"]
    assert levels(achievement) == {"ext:NLQF": str(SEED_NLQF), "ext:EQF": str(SEED_NLQF)}
    assert achievement["SBU"] == SEED_STUDY_LOAD
    assert achievement["inLanguage"] == SEED_LANGUAGE
    outcomes = [f"{o['code']}: {o['title']}" for o in unit["outcomes"]]
    assert outcomes and achievement["learningOutcome"] == outcomes
    # what existed stays: the outcome alignments and the study load as credits
    assert {a["targetCode"] for a in achievement["alignment"]} >= {
        o["code"] for o in unit["outcomes"]
    }
    assert achievement["creditsAvailable"] == SEED_STUDY_LOAD


def test_every_term_of_a_unit_credential_is_defined_and_it_verifies(
    api: FlaskClient, unit_credential: Document
) -> None:
    report = verify(api, unit_credential)
    assert check(report, "context")["ok"] is True, check(report, "context")
    assert check(report, "schema")["ok"] is True, check(report, "schema")
    assert report["verified"] is True, report


def test_a_diploma_carries_the_crebo_as_education_program_identifier(api: FlaskClient) -> None:
    qualification = api.get("/api/qualifications/Q-VIG").get_json()
    body = {k: v for k, v in qualification.items() if k in ("code", "title", "kind", "units")}
    for key in ("nlqf_level", "eqf_level", "institution", "electives", "epas", "description"):
        if qualification.get(key) is not None:
            body[key] = qualification[key]
    body["crebo"] = "25491"
    response = api.put("/api/qualifications/Q-VIG", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    diploma = held(api, learner_id(api, "DEMO-L5"), "Q-VIG", kind="qualification")
    achievement = diploma["credentialSubject"]["achievement"]
    assert "EducredentialAchievement" in achievement["type"]
    assert achievement["educationProgramIdentifier"] == 25491
    assert levels(achievement) == {"ext:NLQF": "3", "ext:EQF": "3"}
    assert achievement["SBU"] == achievement["creditsAvailable"] > 0
    report = verify(api, diploma)
    assert check(report, "context")["ok"] is True, check(report, "context")
    assert check(report, "schema")["ok"] is True, check(report, "schema")
    assert report["verified"] is True, report
