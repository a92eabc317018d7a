"""Leerlijn: the application factory."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask, send_from_directory

from app import clock
from app.config import Config
from app.extensions import db, migrate
from app.instance_files import protect_instance_files

if TYPE_CHECKING:
    from app.adapters.key_sealing import KeySealer

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def create_app(config: type[Config] = Config) -> Flask:
    """Build a configured app; the only module-level app lives in `wsgi.py`."""
    instance_path = config.LEERLIJN_INSTANCE_PATH
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=str(Path(instance_path).resolve()) if instance_path else None,
    )
    app.config.from_object(config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            f"sqlite:///{Path(app.instance_path) / 'leerlijn.sqlite3'}"
        )
    protect_instance_files(app.instance_path, app.config["SQLALCHEMY_DATABASE_URI"])
    app.json.sort_keys = False  # type: ignore[attr-defined]
    if app.config["LEERLIJN_TIMEZONE"] != clock.TIME_ZONE_NAME:
        raise ValueError(f"LEERLIJN_TIMEZONE is fixed at {clock.TIME_ZONE_NAME} (see app/clock.py)")

    _require_key_encryption_key(app)
    _bound_connection_waits(app)

    from app import request_context
    from app.adapters.credential_environment import CredentialEnvironment
    from app.adapters.key_sealing import KeySealer
    from app.persistence import versions
    from app.persistence.key_repository import DatabaseKeyStore
    from app.persistence.models import (  # noqa: F401  (register the tables)
        access,
        case,
        credentials,
        jobs,
        keys,
        learners,
        placements,
        registry,
        service_state,
        vmbo,
        wallets,
    )
    from app.persistence.session_scope import current_session

    db.init_app(app)
    sealer = KeySealer(app.config["LEERLIJN_KEY_ENCRYPTION_KEY"])
    app.extensions[request_context.PATH_CACHES_KEY] = versions.PathCaches()
    app.extensions[request_context.CREDENTIALS_KEY] = CredentialEnvironment(
        base_url=app.config["LEERLIJN_BASE_URL"],
        schemas_dir=app.config["SCHEMAS_DIR"],
        keys=DatabaseKeyStore(
            lambda: current_session(lambda: db.session),
            sealer,
        ),
    )
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)

    from app.access_cli import register_access_cli
    from app.api import register_api
    from app.api.errors import register_error_handlers
    from app.authentication import register_authentication
    from app.cli import register_cli
    from app.observability import install_observability
    from app.persistence.audit import install_audit_trail
    from app.request_limits import install_request_limits
    from app.security_headers import install_security_headers
    from app.status_cli import register_status_cli
    from app.web import register_web

    install_audit_trail()
    _configure_sessions(app, sealer)
    register_error_handlers(app)
    register_authentication(app)
    register_api(app)
    register_web(app)
    register_cli(app)
    register_access_cli(app)
    register_status_cli(app)
    _serve_api_docs_assets(app)
    _protect_forms_and_limit_rates(app)
    install_security_headers(app)
    install_request_limits(app)
    install_observability(app, MIGRATIONS_DIR)
    return app


def _bound_connection_waits(app: Flask) -> None:
    """PostgreSQL: give up connecting after 5 s (an unreachable host would otherwise hold the
    request until TCP gives up); the request then answers 503 and the next one tries again."""
    uri = app.config.get("SQLALCHEMY_DATABASE_URI") or ""
    if uri.startswith("postgresql") and "connect_timeout" not in uri:
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options["connect_args"] = {"connect_timeout": 5, **options.get("connect_args", {})}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _require_key_encryption_key(app: Flask) -> None:
    """A public service seals its issuer keys with its own key, never the development one."""
    from app.adapters.issuers import is_loopback_url

    public = not is_loopback_url(app.config["LEERLIJN_BASE_URL"])
    if public and not app.testing and not app.config.get("LEERLIJN_KEY_ENCRYPTION_KEY"):
        raise RuntimeError(
            "LEERLIJN_KEY_ENCRYPTION_KEY must be set for a public service "
            f"({app.config['LEERLIJN_BASE_URL']}): it seals the issuers' private keys in the "
            "database (README, Deployment)"
        )


def _configure_sessions(app: Flask, sealer: KeySealer) -> None:
    """Session cookie: signed with the configured key, or the one every instance shares in the
    database, sealed with `sealer` (app/session_secret.py)."""
    from app.session_secret import configure_session_secret

    configure_session_secret(app, sealer)
    if app.config.get("SESSION_COOKIE_SECURE") is None:
        app.config["SESSION_COOKIE_SECURE"] = app.config["LEERLIJN_BASE_URL"].startswith("https:")


def _protect_forms_and_limit_rates(app: Flask) -> None:
    """CSRF on every page form (the API takes bearer tokens, never cookies); rate limits."""
    from flask import request
    from flask_limiter import Limiter
    from flask_limiter.util import get_remote_address
    from flask_wtf.csrf import CSRFProtect

    csrf = CSRFProtect(app)

    @app.before_request
    def check_csrf_on_page_forms() -> None:
        unsafe = request.method in ("POST", "PUT", "PATCH", "DELETE")
        unsafe = unsafe and request.routing_exception is None  # else its 404/405 answers
        # OID4VCI wallets never send cookies: their requests carry the code, token or proof
        cookieless = request.path.startswith(("/api/", "/oid4vci/"))
        if unsafe and not cookieless and app.config["WTF_CSRF_ENABLED"]:
            csrf.protect()

    _rate_limit_storage(app)
    limiter = Limiter(get_remote_address, app=app)
    verify_limit = limiter.limit(lambda: app.config["LEERLIJN_RATE_LIMIT_VERIFY"])
    login_limit = limiter.limit(
        lambda: app.config["LEERLIJN_RATE_LIMIT_LOGIN"],
        deduct_when=lambda response: response.status_code == 401,
    )
    wallet_token_limit = limiter.limit(lambda: app.config["LEERLIJN_RATE_LIMIT_WALLET_TOKEN"])
    wallet_nonce_limit = limiter.limit(lambda: app.config["LEERLIJN_RATE_LIMIT_WALLET_NONCE"])
    for endpoint, limit in (
        ("credentials.VerifyAction", verify_limit),
        ("oid4vci.token", wallet_token_limit),
        ("oid4vci.nonce", wallet_nonce_limit),
        ("web.verify_submit", verify_limit),
        ("web.login_submit", login_limit),
    ):
        if endpoint in app.view_functions:
            app.view_functions[endpoint] = limit(app.view_functions[endpoint])


def _rate_limit_storage(app: Flask) -> None:
    """Counters in the app's database (``leerlijn+sql://``, app/persistence/rate_limits.py),
    shared by every instance, unless LEERLIJN_RATE_LIMIT_STORAGE names another store. An
    in-memory SQLite database is private to its process: its counters stay in memory too."""
    from app.instance_files import sqlite_file
    from app.persistence import rate_limits

    uri = app.config["RATELIMIT_STORAGE_URI"]
    if not uri.startswith(f"{rate_limits.SCHEME}://"):
        return
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    if database.startswith("sqlite") and sqlite_file(database) is None:
        app.config["RATELIMIT_STORAGE_URI"] = "memory://"
        return
    options = dict(app.config.get("RATELIMIT_STORAGE_OPTIONS") or {})
    app.config["RATELIMIT_STORAGE_OPTIONS"] = {**options, "database_url": database}


def _serve_api_docs_assets(app: Flask) -> None:
    """Serve Swagger UI from the installed package, so /api/docs works offline."""
    import swagger_ui_bundle

    assets = Path(swagger_ui_bundle.swagger_ui_path)

    @app.get("/api/docs/static/<path:filename>")
    def api_docs_asset(filename: str):  # type: ignore[no-untyped-def]
        return send_from_directory(assets, filename, max_age=86400)
