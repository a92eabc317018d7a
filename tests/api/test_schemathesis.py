"""schemathesis against /api/openapi.json: every operation, a bounded number of examples, as admin.

Each operation runs against its own copy of the seeded database (a throwaway app), so
destructive operations (erase, revoke, delete) cannot spoil the others. Every built-in check
runs: no answer may be a 5xx, and every answer must be what the document says (status,
content type, headers, body schema); schema-valid requests must be accepted and schema-invalid
ones refused. The few exceptions are narrow and explained where they are made.

The whole module takes about a minute of CPU time (five random examples per operation).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from marshmallow import Schema, fields, validate
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance
from sqlalchemy import text

from app import create_app
from app.config import TestConfig
from app.domain.access import SYSTEM, Role
from app.extensions import db
from app.schemas.base import CODE, INSTITUTION_CODE, MODULE_CODE
from app.services import access
from app.services.seeding import load_seed

#: Random examples per operation (after the coverage phase's boundary cases): bounded so that
#: the module stays well under a minute and a half on two cores.
EXAMPLES = 5

CONFIG = SchemathesisConfig.from_dict(
    {
        # The coverage phase sends boundary values (longest strings, largest ids, missing
        # members) and one undeclared method per path (405 with Allow); one method is enough.
        "phases": {"coverage": {"unexpected-methods": ["trace"]}},
        "checks": {
            # A schema-valid body may still be refused with 422 (invalid-data) for what no
            # schema can say: a code that names no stored unit, learner or institution, an
            # outcome related to itself, a role without its institution. Random codes almost
            # never exist, so the registry's 422 is expected here too; `refused_by_the_schema`
            # below keeps the check honest (the refusal must not come from the schema itself).
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "401", "403", "404", "409", "422"]
            },
        },
    }
)

#: The document as the app serves it (no database is needed to serve it).
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", create_app(TestConfig), config=CONFIG)


@cache
def marshmallow_messages() -> tuple[re.Pattern[str], ...]:
    """The messages of the field rules (marshmallow's and our code patterns), as patterns."""
    templates: set[str] = set(Schema._default_error_messages.values())
    templates |= {str(v.error) for v in (CODE, INSTITUTION_CODE, MODULE_CODE)}  # ours
    for value in vars(fields).values():
        if isinstance(value, type) and issubclass(value, fields.Field):
            for cls in value.__mro__:
                templates |= set(getattr(cls, "default_error_messages", {}).values())
    for value in vars(validate).values():
        if isinstance(value, type) and issubclass(value, validate.Validator):
            templates |= {
                str(getattr(value, name))
                for name in dir(value)
                if name.startswith(("message", "default_message", "error"))
                and isinstance(getattr(value, name), str)
            }
    placeholders = re.compile(r"\{+[^{}]*\}+")  # {min}, {{max}}, {input}
    return tuple(
        re.compile(".*".join(re.escape(part) for part in placeholders.split(t)))
        for t in templates
        if t
    )


@schemathesis.check
def refused_by_the_schema(ctx: Any, response: Any, case: Any) -> bool | None:
    """A schema-valid request refused with 422 is refused for a reason the document cannot
    express (an unknown code, a rule across records), never by a field rule it does not show.
    """
    meta = case.meta
    if response.status_code != 422 or meta is None:
        return None
    if meta.generation.mode != GenerationMode.POSITIVE:
        return None
    messages = [e.get("message", "") for e in (response.json() or {}).get("errors", [])]
    schema_rules = [m for m in messages if any(p.fullmatch(m) for p in marshmallow_messages())]
    assert not schema_rules, f"refused by a rule the document does not show: {schema_rules}"
    return True


def _app(keys_dir: Path) -> Flask:
    class Config(TestConfig):
        LEERLIJN_KEYS_DIR = keys_dir

    return create_app(Config)


def _copy(template: Flask, keys_dir: Path) -> tuple[Flask, dict[str, str]]:
    """A copy of `template`'s database in a new app, and an admin's Authorization header."""
    app = _app(keys_dir)
    with template.app_context():
        source = db.engine.raw_connection()
    with app.app_context():
        target = db.engine.raw_connection()
    source.driver_connection.backup(target.driver_connection)  # type: ignore[union-attr]
    source.close()
    target.close()
    with app.app_context():
        issued = access.create_token(db.session, SYSTEM, Role.ADMIN, label="schemathesis")
        db.session.remove()
    return app, {"Authorization": f"Bearer {issued.secret}"}


def _dispose(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The seeded database every operation starts from (registry, learners, vmbo)."""
    app = _app(tmp_path_factory.mktemp("keys"))
    with app.app_context():
        db.create_all()
        load_seed(
            db.session, SYSTEM, app.config["SEED_DIR"], TestConfig.LEERLIJN_DEFAULT_INSTITUTION
        )
        _mark_migrated(app)
        db.session.remove()
    yield app
    _dispose(app)


def _mark_migrated(app: Flask) -> None:
    """The schema comes from create_all: record the migrations' head, as `flask db upgrade`
    would, so that /readyz answers as on a served instance (200)."""
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    config = AlembicConfig()
    config.set_main_option("script_location", app.extensions["migrate"].directory)
    head = ScriptDirectory.from_config(config).get_current_head()
    db.session.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
    db.session.execute(text("INSERT INTO alembic_version VALUES (:head)"), {"head": head})
    db.session.commit()


@pytest.fixture(scope="module")
def reading(
    template: Flask, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Flask, dict[str, str]]]:
    """One copy shared by the GET operations, which change nothing a later one depends on."""
    app, headers = _copy(template, tmp_path_factory.mktemp("keys"))
    yield app, headers
    _dispose(app)


@pytest.fixture
def app_for(
    template: Flask, reading: tuple[Flask, dict[str, str]], tmp_path: Path
) -> Iterator[Callable[[str], tuple[Flask, dict[str, str]]]]:
    """The app an operation runs against: a throwaway copy for every operation that writes."""
    made: dict[str, tuple[Flask, dict[str, str]]] = {}

    def pick(method: str) -> tuple[Flask, dict[str, str]]:
        if method.upper() == "GET":
            return reading
        if "copy" not in made:
            made["copy"] = _copy(template, tmp_path / "keys")
        return made["copy"]

    yield pick
    for app, _ in made.values():
        _dispose(app)


def excluded_checks(label: str) -> list[Any]:
    if label == "POST /api/verify":
        # A verifier judges whatever it is handed: a credential that breaks the documented
        # shape (no proof, a number as issuer) is answered 200 with `verified: false` and the
        # failing checks, by design (and /verifieren says "niet geldig"), not refused.
        return [negative_data_rejection]
    if label in ("POST /oid4vci/token", "POST /oid4vci/credential"):
        # OAuth 2.0 answers a well-formed request whose code, PIN, token or proof is wrong
        # with 400 (invalid_grant, invalid_proof, ...), not 422: random codes never match.
        return [positive_data_acceptance]
    if label == "POST /oid4vci/nonce":
        # The nonce endpoint takes no parameters (OID4VCI 1.0 §7.1): any body is ignored.
        return [negative_data_rejection]
    return []


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_to_its_document(
    case: schemathesis.Case, app_for: Callable[[str], tuple[Flask, dict[str, str]]]
) -> None:
    app, headers = app_for(case.method)
    case.call_and_validate(
        app=app,
        headers=headers,
        additional_checks=[refused_by_the_schema],
        excluded_checks=excluded_checks(case.operation.label),
    )


@schema.parametrize()
@settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_to_its_document_without_a_token(
    case: schemathesis.Case, app_for: Callable[[str], tuple[Flask, dict[str, str]]]
) -> None:
    """Anonymous callers (an employer verifying, a wallet, a stranger probing): public
    operations answer as documented, protected ones a documented 401 problem — never a 5xx."""
    app, _ = app_for(case.method)
    case.call_and_validate(
        app=app,
        additional_checks=[refused_by_the_schema],
        excluded_checks=[*excluded_checks(case.operation.label), positive_data_acceptance],
    )
