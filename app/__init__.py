"""Leerlijn: the application factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, send_from_directory

from app import clock
from app.config import Config
from app.extensions import db, migrate

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def create_app(config: type[Config] = Config) -> Flask:
    """Build a configured app; the only module-level app lives in `wsgi.py`."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            f"sqlite:///{Path(app.instance_path) / 'leerlijn.sqlite3'}"
        )
    app.json.sort_keys = False  # type: ignore[attr-defined]
    if app.config["LEERLIJN_TIMEZONE"] != clock.TIME_ZONE_NAME:
        raise ValueError(f"LEERLIJN_TIMEZONE is fixed at {clock.TIME_ZONE_NAME} (see app/clock.py)")

    from app import request_context
    from app.adapters.credential_environment import CredentialEnvironment
    from app.persistence import versions
    from app.persistence.models import (  # noqa: F401  (register the tables)
        access,
        credentials,
        learners,
        registry,
        vmbo,
    )

    db.init_app(app)
    app.extensions[request_context.PATH_CACHES_KEY] = versions.PathCaches()
    app.extensions[request_context.CREDENTIALS_KEY] = CredentialEnvironment(
        base_url=app.config["LEERLIJN_BASE_URL"],
        schemas_dir=app.config["SCHEMAS_DIR"],
        keys_dir=app.config["LEERLIJN_KEYS_DIR"] or Path(app.instance_path) / "keys",
    )
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)

    from app.api import register_api
    from app.api.errors import register_error_handlers
    from app.cli import register_cli
    from app.web import register_web

    register_error_handlers(app)
    register_api(app)
    register_web(app)
    register_cli(app)
    _serve_api_docs_assets(app)
    return app


def _serve_api_docs_assets(app: Flask) -> None:
    """Serve Swagger UI from the installed package, so /api/docs works offline."""
    import swagger_ui_bundle

    assets = Path(swagger_ui_bundle.swagger_ui_path)

    @app.get("/api/docs/static/<path:filename>")
    def api_docs_asset(filename: str):  # type: ignore[no-untyped-def]
        return send_from_directory(assets, filename, max_age=86400)
