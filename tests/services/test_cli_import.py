"""`flask import FILE` reports every error of a document, as POST /api/import does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask

from app import create_app
from app.config import TestConfig
from app.extensions import db
from app.persistence.models.registry import UnitRow


@pytest.fixture(scope="module")
def migrated_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """An app on a file database built by the migrations and the registry seed (`flask seed`)."""
    folder = tmp_path_factory.mktemp("cli-import")

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder / 'leerlijn.sqlite3'}"
        LEERLIJN_KEYS_DIR = folder / "keys"

    app = create_app(Config)
    result = app.test_cli_runner().invoke(args=["seed"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return app


def test_the_cli_import_reports_field_and_semantic_errors_and_writes_nothing(
    migrated_app: Flask, tmp_path: Path
) -> None:
    document = {
        "units": [
            {
                "code": "BC-CLI-1",
                "kind": "BC",
                "title": "Nieuw",
                "study_load_hours": 0,
                "outcomes": [{"code": "CLI:1", "title": "a"}],
            },
            {
                "code": "BC-CLI-2",
                "kind": "BC",
                "title": "Nieuw",
                "study_load_hours": 10,
                "outcomes": [{"code": "CLI:2", "title": "b"}],
            },
        ],
        "qualifications": [
            {"code": "Q-CLI", "title": "Q", "kind": "mbo", "units": ["BC-CLI-2", "NO-SUCH-UNIT"]}
        ],
        "prerequisites": [{"unit": "BC-VV-B1K1", "requires": "BC-VP-P2K1"}],
    }
    file = tmp_path / "import.json"
    file.write_text(json.dumps(document), encoding="utf-8")
    result = migrated_app.test_cli_runner().invoke(
        args=["import", str(file)], catch_exceptions=False
    )
    assert result.exit_code != 0
    for pointer in ("/units/0/study_load_hours", "/qualifications/0/units/1", "/prerequisites/0"):
        assert pointer in result.output, result.output
    assert "3 error(s); nothing was written" in result.output
    with migrated_app.app_context():
        assert db.session.get(UnitRow, "BC-CLI-2") is None


def test_the_cli_import_writes_a_valid_document(migrated_app: Flask, tmp_path: Path) -> None:
    unit = {
        "code": "BC-CLI-3",
        "kind": "BC",
        "title": "Nieuw",
        "study_load_hours": 10,
        "outcomes": [{"code": "CLI:3", "title": "c"}],
    }
    file = tmp_path / "import.json"
    file.write_text(json.dumps({"units": [unit]}), encoding="utf-8")
    result = migrated_app.test_cli_runner().invoke(
        args=["import", str(file)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output[result.output.index("{") :])["created"]["units"] == ["BC-CLI-3"]
