"""The secret that signs page sessions (and their CSRF tokens), the same on every instance.

``LEERLIJN_SECRET_KEY`` sets it. Unset, it is a random secret kept in the database (table
``service_secrets``, `app.persistence.service_secrets`), made by whichever instance needs it
first, so a session made on one instance is valid on every other. It is read at the first
request of each process, not when the app is made: the app must start while the database is
unreachable or not yet migrated (``flask seed`` makes the app before it migrates). An
installation of an earlier version kept its secret in the instance folder (``secret_key``):
that file's secret becomes the shared one if it is there when the database has none yet, so
its signed-in users stay signed in; the file is not read after that and may be deleted.

A database that lives only in this process (in-memory SQLite, as the unit tests use) shares
nothing: it gets a random secret of the process at once.
"""

from __future__ import annotations

import logging
import secrets
import threading
from pathlib import Path
from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.instance_files import sqlite_file
from app.persistence.service_secrets import shared_secret

SESSION_SECRET = "session"
#: Where an earlier version kept the secret (in the instance folder).
EARLIER_FILE = "secret_key"

log = logging.getLogger(__name__)


def configure_session_secret(app: Flask) -> None:
    """Use ``SECRET_KEY`` if set; else the database's shared secret, read at the first request."""
    if app.config.get("SECRET_KEY"):
        return
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite") and sqlite_file(uri) is None:
        app.config["SECRET_KEY"] = secrets.token_urlsafe(48)
        return
    app.session_interface = SharedSecretSessions()


def _candidate(app: Flask) -> str:
    earlier = Path(app.instance_path) / EARLIER_FILE
    try:
        kept = earlier.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        kept = ""
    return kept or secrets.token_urlsafe(48)


class SharedSecretSessions(SecureCookieSessionInterface):
    """Signed cookie sessions whose key is read from the database when first needed.

    While the database cannot be reached the request gets no session (as a request without a
    cookie), and the next request tries again.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def get_signing_serializer(self, app: Flask) -> Any:
        if not app.secret_key:
            with self._lock:
                if not app.secret_key:
                    try:
                        app.config["SECRET_KEY"] = shared_secret(
                            db.engine, SESSION_SECRET, lambda: _candidate(app)
                        )
                    except SQLAlchemyError as error:
                        log.warning("session secret not readable yet: %s", type(error).__name__)
                        return None
        return super().get_signing_serializer(app)
