"""Every kind of credential the API issues validates against the shipped 1EdTech JSON Schemas.

Unit, EPA and diploma credentials against the OB 3.0 ``AchievementCredential`` schema, the
learner's record against the CLR 2.0 ``ClrCredential`` schema — as the schemas are, with no
special case: the one ``credentialStatus`` object a credential carries is its revocation entry
(the README's "Status design"). A document with the old pair of status entries is refused,
which shows the validator is the plain schema.
"""

# ruff: noqa: F811  (local_app is a fixture imported from tests/api/test_credentials.py)

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.adapters.json_schemas import load_clr_validator, load_credential_validator
from tests.api.test_credentials import (  # noqa: F401  (module-scoped app fixture)
    held,
    learner_id,
    local_app,
)
from tests.helpers import admin_client

Document = dict[str, Any]
SCHEMAS = Path(__file__).resolve().parents[2] / "schemas" / "json-schema"
KINDS = {
    "unit": ("DEMO-L5", "unit", "BC-VV-B1K1"),
    "epa": ("DEMO-L9", "epa", "BAZ-1"),
    "diploma": ("DEMO-L5", "qualification", "Q-VIG"),
}


@pytest.fixture(scope="module")
def api(local_app: Flask) -> FlaskClient:
    return admin_client(local_app)


@pytest.fixture(scope="module")
def ob_validate():  # type: ignore[no-untyped-def]
    return load_credential_validator(SCHEMAS)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_validates_against_the_ob_schema_as_it_is(
    api: FlaskClient, ob_validate: Any, kind: str
) -> None:
    external_id, achievement_type, code = KINDS[kind]
    credential = held(api, learner_id(api, external_id), code, achievement_type)
    assert ob_validate(credential) == []
    status = credential["credentialStatus"]
    assert isinstance(status, dict) and status["statusPurpose"] == "revocation"
    # What the schema allows is one status object: a pair of entries is refused.
    paired = copy.deepcopy(credential)
    paired["credentialStatus"] = [status, {**status, "statusPurpose": "suspension"}]
    errors = ob_validate(paired)
    assert errors and all(e.startswith("$.credentialStatus") for e in errors), errors


def test_the_learners_record_validates_against_the_clr_schema_as_it_is(
    api: FlaskClient, ob_validate: Any
) -> None:
    learner = learner_id(api, "DEMO-L5")
    held(api, learner, "BC-VV-B1K1")
    response = api.get(f"/api/learners/{learner}/record")
    assert response.status_code == 200, response.get_data(as_text=True)
    record = response.get_json()
    assert load_clr_validator(SCHEMAS)(record) == []
    embedded = record["credentialSubject"]["verifiableCredential"]
    assert embedded and all(ob_validate(c) == [] for c in embedded)
