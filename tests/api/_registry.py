"""Test databases holding the registry seed, built once per module and copied per test.

`load_seed` also loads learners and vmbo data that these tests do not need; loading only
`seed/registry.json` (plus the supervision scale) once and copying the SQLite database with the
backup API keeps a fresh database per test cheap.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from app import create_app
from app.config import TestConfig
from app.domain.access import SYSTEM
from app.extensions import db
from app.services.seeding import load_registry_file, load_supervision_levels


def registry_app() -> Flask:
    """An app on an in-memory database holding seed/registry.json and the supervision levels."""
    app = create_app(TestConfig)
    with app.app_context():
        db.create_all()
        seed_dir = app.config["SEED_DIR"]
        load_supervision_levels(db.session, SYSTEM, seed_dir / "supervision_levels.json")
        load_registry_file(
            db.session,
            SYSTEM,
            seed_dir / "registry.json",
            app.config["LEERLIJN_DEFAULT_INSTITUTION"],
        )
        db.session.remove()
    return app


def copy_app(template: Flask) -> Flask:
    """A new app whose in-memory database is a copy of `template`'s."""
    app = create_app(TestConfig)
    with template.app_context():
        source = db.engine.raw_connection()
    with app.app_context():
        target = db.engine.raw_connection()
    source.driver_connection.backup(target.driver_connection)  # type: ignore[union-attr]
    source.close()
    target.close()
    return app


def dispose(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


PROBLEM = "application/problem+json"


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert body["status"] == status
    return body  # type: ignore[no-any-return]


def pointers(problem: dict[str, Any]) -> list[str]:
    return [e["pointer"] for e in problem["errors"]]
