"""Shared fixtures: a fresh app with an in-memory database per test, and the seeded variant."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.config import TestConfig
from app.domain.access import SYSTEM
from app.extensions import db
from app.services.seeding import load_seed
from tests.helpers import admin_client


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    """An app on a fresh, empty in-memory SQLite database, with its own key folder."""

    class Config(TestConfig):
        LEERLIJN_KEYS_DIR = tmp_path / "keys"

    application = create_app(Config)
    with application.app_context():
        db.create_all()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def seeded_app(app: Flask) -> Flask:
    """An app whose database holds the seed data in `seed/`."""
    with app.app_context():
        load_seed(
            db.session, SYSTEM, app.config["SEED_DIR"], app.config["LEERLIJN_DEFAULT_INSTITUTION"]
        )
        db.session.remove()
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return admin_client(app)


@pytest.fixture
def seeded(seeded_app: Flask) -> FlaskClient:
    """A test client on the seeded database."""
    return admin_client(seeded_app)
