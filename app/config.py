"""Configuration classes: every setting the app reads is declared here.

Only this module reads the environment, once, at import: ``DATABASE_URL`` (becomes
``SQLALCHEMY_DATABASE_URI``), ``LEERLIJN_BASE_URL``, ``LEERLIJN_DEFAULT_INSTITUTION`` and the
``LEERLIJN_*`` settings below that read it. The other settings (``LEERLIJN_KEYS_DIR``,
``SEED_DIR``, ...) are changed by subclassing `Config`, as the tests do.
"""

from __future__ import annotations

import os
from pathlib import Path

from app.clock import TIME_ZONE_NAME

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def database_url(raw: str | None) -> str | None:
    """Normalise a `DATABASE_URL`: PostgreSQL URLs without a driver get psycopg 3.

    Hosting platforms hand out ``postgres://`` or ``postgresql://`` URLs, which SQLAlchemy
    would map to psycopg2 (or reject); the app ships psycopg 3. An explicit driver is kept.

    >>> database_url("postgres://leerlijn:secret@db:5432/leerlijn")
    'postgresql+psycopg://leerlijn:secret@db:5432/leerlijn'
    >>> database_url("postgresql://db/leerlijn?sslmode=require")
    'postgresql+psycopg://db/leerlijn?sslmode=require'
    >>> database_url("postgresql+psycopg2://db/leerlijn")
    'postgresql+psycopg2://db/leerlijn'
    >>> database_url("sqlite:////var/lib/leerlijn.sqlite3")
    'sqlite:////var/lib/leerlijn.sqlite3'
    >>> database_url("") is None and database_url(None) is None
    True
    """
    if not raw or not raw.strip():
        return None
    url = raw.strip()
    scheme, separator, rest = url.partition("://")
    if separator and scheme.lower() in ("postgres", "postgresql"):
        return "postgresql+psycopg://" + rest
    return url


class Config:
    """Production defaults. `DATABASE_URL` unset means a SQLite file in the instance folder."""

    SQLALCHEMY_DATABASE_URI: str | None = database_url(os.environ.get("DATABASE_URL"))
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, object] = {"pool_pre_ping": True}
    LEERLIJN_BASE_URL: str = (
        os.environ.get("LEERLIJN_BASE_URL") or "http://127.0.0.1:8000"
    ).rstrip("/")
    LEERLIJN_DEFAULT_INSTITUTION: str = os.environ.get("LEERLIJN_DEFAULT_INSTITUTION") or "MBO-ZW"
    #: The calendar of every date (fixed; `app.clock` keeps the clock, `create_app` checks this).
    LEERLIJN_TIMEZONE: str = TIME_ZONE_NAME
    #: The instance folder (SQLite file, secret key, keys; kept 0700); None means ``instance/``
    #: in the project root. ``LEERLIJN_INSTANCE_PATH`` (an absolute path) sets it.
    LEERLIJN_INSTANCE_PATH: Path | None = (
        Path(os.environ["LEERLIJN_INSTANCE_PATH"])
        if os.environ.get("LEERLIJN_INSTANCE_PATH")
        else None
    )
    #: Where earlier versions kept the issuers' keys (None: ``keys/`` in the instance folder);
    #: ``flask keys import-folder`` moves them into the database, where keys now live.
    LEERLIJN_KEYS_DIR: Path | None = None
    #: Seals the private issuer keys in the database (app/adapters/key_sealing.py). Required
    #: when the service is public (a base URL that is not a loopback address); without it a
    #: development default is used and a warning logged.
    LEERLIJN_KEY_ENCRYPTION_KEY: str | None = os.environ.get("LEERLIJN_KEY_ENCRYPTION_KEY") or None
    SEED_DIR: Path = PROJECT_ROOT / "seed"
    SCHEMAS_DIR: Path = PROJECT_ROOT / "schemas"
    PROBLEM_BASE_URI: str = "https://leerlijn.nl/problems/"
    JSON_SORT_KEYS = False
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    #: POST /api/import of more items than this runs as a job (202); `flask import` shows a bar.
    LEERLIJN_IMPORT_JOB_THRESHOLD: int = int(
        os.environ.get("LEERLIJN_IMPORT_JOB_THRESHOLD") or 2_000
    )
    #: A running job whose process has not reported for this long reads as failed.
    LEERLIJN_JOB_STALE_SECONDS: float = float(os.environ.get("LEERLIJN_JOB_STALE_SECONDS") or 120)

    #: Signs the page session cookie. Unset: a random key kept in the database (table
    #: service_secrets), shared by every worker and instance (app/session_secret.py).
    SECRET_KEY: str | None = os.environ.get("LEERLIJN_SECRET_KEY") or None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    #: Secure cookies when served over https (derived from LEERLIJN_BASE_URL in create_app).
    SESSION_COOKIE_SECURE: bool | None = None
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    #: CSRF is checked on every page form (app.create_app); the API uses bearer tokens instead.
    WTF_CSRF_ENABLED = True
    WTF_CSRF_CHECK_DEFAULT = False
    WTF_CSRF_TIME_LIMIT: int | None = 8 * 3600
    #: Flask-Limiter: failed logins and verifications per client address.
    LEERLIJN_RATE_LIMIT_LOGIN: str = os.environ.get("LEERLIJN_RATE_LIMIT_LOGIN") or "10 per minute"
    LEERLIJN_RATE_LIMIT_VERIFY: str = (
        os.environ.get("LEERLIJN_RATE_LIMIT_VERIFY") or "600 per minute"
    )
    #: OID4VCI token requests (code + PIN) per client address (POST /oid4vci/token); besides,
    #: an offer is locked after 5 wrong PINs (app/domain/credentials/oid4vci.py).
    LEERLIJN_RATE_LIMIT_WALLET_TOKEN: str = (
        os.environ.get("LEERLIJN_RATE_LIMIT_WALLET_TOKEN") or "30 per minute"
    )
    #: OID4VCI nonces (each a database row) per client address (POST /oid4vci/nonce).
    LEERLIJN_RATE_LIMIT_WALLET_NONCE: str = (
        os.environ.get("LEERLIJN_RATE_LIMIT_WALLET_NONCE") or "60 per minute"
    )
    #: Where the counters live: by default the app's database, shared by every instance
    #: (app/persistence/rate_limits.py); any Flask-Limiter storage URI (``redis://…``,
    #: ``memory://`` counts per process).
    RATELIMIT_STORAGE_URI: str = os.environ.get("LEERLIJN_RATE_LIMIT_STORAGE") or "leerlijn+sql://"
    #: Options of that storage; for ``leerlijn+sql://`` the app adds its database's URL.
    RATELIMIT_STORAGE_OPTIONS: dict[str, object] = {}
    #: Seconds a client may take to send its request body (then 408; app/request_limits.py).
    LEERLIJN_REQUEST_BODY_TIMEOUT: float = float(
        os.environ.get("LEERLIJN_REQUEST_BODY_TIMEOUT") or 20
    )
    #: Set by gunicorn.conf.py: the workers' metrics are written there and added up at /metrics.
    PROMETHEUS_MULTIPROC_DIR: str | None = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None
    #: One JSON log line per request (``app.observability``).
    LEERLIJN_LOG_REQUESTS: bool = True
    #: Seconds a request's database work may run (then 503, rolled back); 0 means no limit.
    LEERLIJN_REQUEST_TIMEOUT: float = float(os.environ.get("LEERLIJN_REQUEST_TIMEOUT") or 30)
    #: Tests only (off by default): requests to this path first run an endless query.
    LEERLIJN_TEST_SLOW_PATH: str | None = os.environ.get("LEERLIJN_TEST_SLOW_PATH") or None
    #: Content-Security-Policy of every response (app/security_headers.py).
    LEERLIJN_CONTENT_SECURITY_POLICY: str = (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
        "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
    RATELIMIT_HEADERS_ENABLED = True

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
    #: No request log lines in tests (tests of the log turn them on).
    LEERLIJN_LOG_REQUESTS = False
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, object] = {}
    LEERLIJN_BASE_URL = "http://127.0.0.1:8000"
    LEERLIJN_DEFAULT_INSTITUTION = "MBO-ZW"
    LEERLIJN_RATE_LIMIT_WALLET_TOKEN = "30 per minute"
    LEERLIJN_RATE_LIMIT_WALLET_NONCE = "60 per minute"
    #: Counters in memory: test apps come by the hundred, each on a fresh database; the tests
    #: of the shared counters start the real service (tests/test_two_instances.py).
    RATELIMIT_STORAGE_URI = "memory://"
