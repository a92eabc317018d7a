"""Configuration classes; every setting is read from the environment once, here."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Config:
    """Production defaults. `DATABASE_URL` unset means a SQLite file in the instance folder."""

    SQLALCHEMY_DATABASE_URI: str | None = os.environ.get("DATABASE_URL") or None
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, object] = {"pool_pre_ping": True}
    LEERLIJN_BASE_URL: str = (os.environ.get("LEERLIJN_BASE_URL") or "http://127.0.0.1:8000").rstrip("/")
    LEERLIJN_DEFAULT_INSTITUTION: str = os.environ.get("LEERLIJN_DEFAULT_INSTITUTION") or "MBO-ZW"
    LEERLIJN_TIMEZONE: str = "Europe/Amsterdam"
    SEED_DIR: Path = PROJECT_ROOT / "seed"
    SCHEMAS_DIR: Path = PROJECT_ROOT / "schemas"
    PROBLEM_BASE_URI: str = "https://leerlijn.nl/problems/"
    JSON_SORT_KEYS = False
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024

    API_TITLE = "Leerlijn"
    API_VERSION = "1.0"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "/docs"
    OPENAPI_SWAGGER_UI_URL = "/api/docs/static/"


class TestConfig(Config):
    """A fresh in-memory database per app."""

    TESTING = True
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, object] = {}
    LEERLIJN_BASE_URL = "http://127.0.0.1:8000"
    LEERLIJN_DEFAULT_INSTITUTION = "MBO-ZW"
