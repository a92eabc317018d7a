"""The seed loads idempotently (in-process and through the CLI); migrations match the models."""

from __future__ import annotations

import importlib
import json
import pkgutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import MetaData, func, inspect, select

from app import create_app, persistence
from app.config import TestConfig
from app.domain.access import SYSTEM
from app.extensions import db
from app.persistence.models.registry import QualificationRow, UnitRow
from app.services.seeding import load_seed
from tests.helpers import admin_client

# migrations/env.py (the Flask-Migrate template) calls db.get_engine() first, which
# Flask-SQLAlchemy 3.1 deprecates; the suite turns warnings into errors. Reported separately.
pytestmark = pytest.mark.filterwarnings("ignore:'get_engine' is deprecated:DeprecationWarning")


def file_app(tmp_path: Path) -> Flask:
    """An app on a SQLite file in `tmp_path`, with no schema yet."""

    class FileConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'leerlijn.sqlite3'}"

    return create_app(FileConfig)


@pytest.fixture
def fresh_file_app(tmp_path: Path) -> Iterator[Flask]:
    app = file_app(tmp_path)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def counts(app: Flask) -> tuple[int, int]:
    with app.app_context():
        units = db.session.scalar(select(func.count()).select_from(UnitRow))
        qualifications = db.session.scalar(select(func.count()).select_from(QualificationRow))
        db.session.remove()
    return units or 0, qualifications or 0


# --- seed -------------------------------------------------------------------------------------


def test_seed_loads_twice_without_change(app: Flask) -> None:
    with app.app_context():
        first = load_seed(db.session, SYSTEM, app.config["SEED_DIR"], "MBO-ZW")
        second = load_seed(db.session, SYSTEM, app.config["SEED_DIR"], "MBO-ZW")
    assert first["supervision_levels"] == [1, 2, 3, 4, 5]
    assert len(first["registry"]["created"]["units"]) == 19
    assert second["supervision_levels"] == []
    for bucket in ("created", "updated"):
        assert all(not codes for codes in second["registry"][bucket].values()), second["registry"][
            bucket
        ]
    assert second["registry"]["unchanged"] == first["registry"]["created"]


def test_cli_seed_migrates_a_file_database_and_is_idempotent(fresh_file_app: Flask) -> None:
    runner = fresh_file_app.test_cli_runner()
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    assert "registry: " in first.output
    assert "0 created" not in first.output
    with fresh_file_app.app_context():
        tables = set(inspect(db.engine).get_table_names())
        db.session.remove()
    assert {"alembic_version", "units", "outcomes", "qualifications", "epas"} <= tables
    assert counts(fresh_file_app) == (19, 5)

    second = runner.invoke(args=["seed"])
    assert second.exit_code == 0, second.output
    assert "registry: 0 created, 0 updated" in second.output
    assert "supervision_levels: 0 changed" in second.output
    assert counts(fresh_file_app) == (19, 5)

    client = admin_client(fresh_file_app)
    assert client.get("/api/qualifications/Q-VP/graph").get_json()["order"][:3] == [
        "BC-VV-B1K1",
        "BC-VV-B1K2",
        "BC-VP-P2K1",
    ]


BAD_FILES = {
    "semantic-error": json.dumps(
        {
            "units": [
                {
                    "code": "BC-OK",
                    "kind": "BC",
                    "title": "ok",
                    "study_load_hours": 10,
                    "outcomes": [{"code": "OK:1", "title": "o"}],
                },
            ],
            "qualifications": [
                {"code": "Q-BAD", "title": "bad", "kind": "mbo", "units": ["BC-OK", "NOPE"]}
            ],
        }
    ),
    "field-error": '{"units": [{"code": "BC-OK", "kind": "XX"}]}',
    "malformed": "{not json",
    "unknown-key": '{"units": [], "colour": 1}',
    "cycle": json.dumps({"prerequisites": [{"unit": "BC-VV-B1K1", "requires": "BC-VP-P2K1"}]}),
}
GOOD_FILE = json.dumps(
    {
        "units": [
            {
                "code": "BC-OK",
                "kind": "BC",
                "title": "ok",
                "study_load_hours": 10,
                "outcomes": [{"code": "OK:1", "title": "o"}],
            }
        ],
        "qualifications": [
            {"code": "Q-OK", "title": "ok", "kind": "mbo", "units": ["BC-OK", "AV-LB"]}
        ],
    }
)


def test_cli_import_of_a_bad_file_fails_and_writes_nothing(
    fresh_file_app: Flask, tmp_path: Path
) -> None:
    runner = fresh_file_app.test_cli_runner()
    assert runner.invoke(args=["seed"]).exit_code == 0
    for name, content in BAD_FILES.items():
        bad = tmp_path / f"{name}.json"
        bad.write_text(content, encoding="utf-8")
        result = runner.invoke(args=["import", str(bad)])
        assert result.exit_code != 0, (name, result.output)
        assert counts(fresh_file_app) == (19, 5), name
    assert (
        "/qualifications/0/units/1"
        in runner.invoke(args=["import", str(tmp_path / "semantic-error.json")]).output
    )
    assert admin_client(fresh_file_app).get("/api/units/BC-OK").status_code == 404
    assert (
        admin_client(fresh_file_app)
        .get("/api/units/BC-VV-B1K1/prerequisites")
        .get_json()["requires"]
        == []
    )

    good = tmp_path / "good.json"
    good.write_text(GOOD_FILE, encoding="utf-8")
    result = runner.invoke(args=["import", str(good)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["created"]["units"] == ["BC-OK"]
    assert counts(fresh_file_app) == (20, 6)


# --- migrations -------------------------------------------------------------------------------


def test_migrations_produce_the_schema_of_the_models(fresh_file_app: Flask) -> None:
    # every model class, imported or not
    for module in pkgutil.walk_packages(persistence.__path__, persistence.__name__ + "."):
        importlib.import_module(module.name)
    with fresh_file_app.app_context():
        upgrade(directory=fresh_file_app.extensions["migrate"].directory)
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
            against_nothing = compare_metadata(context, MetaData())
    assert differences == []
    # the comparison does see the migrated tables
    assert {"units", "outcomes", "prerequisites"} <= {
        d[1].name for d in against_nothing if d[0] == "remove_table"
    }
