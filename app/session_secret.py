"""The secret that signs page sessions (and their CSRF tokens), the same on every instance.

``LEERLIJN_SECRET_KEY`` sets it. Unset, it is a random secret kept in the database (table
``service_secrets``, `app.persistence.service_secrets`), made by whichever instance needs it
first, so a session made on one instance is valid on every other. The database holds it sealed
with the key encryption key (``LEERLIJN_KEY_ENCRYPTION_KEY``, `app.adapters.key_sealing`; base64
of the sealed bytes), so a copy of the database cannot forge a session cookie; an instance with
another key encryption key cannot open it, logs that, and gives no session (as while the
database is unreachable). It is read at the first
request of each process, not when the app is made: the app must start while the database is
unreachable or not yet migrated (``flask seed`` makes the app before it migrates). An
installation of an earlier version kept its secret in the instance folder (``secret_key``):
that file's secret becomes the shared one if it is there when the database has none yet, so
its signed-in users stay signed in; the file is not read after that and may be deleted.

A database that lives only in this process (in-memory SQLite, as the unit tests use) shares
nothing: it gets a random secret of the process at once.
"""

from __future__ import annotations

import base64
import binascii
import logging
import secrets
import threading
from pathlib import Path
from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy.exc import SQLAlchemyError

from app.adapters.key_sealing import KeySealer, WrongKeyEncryptionKey
from app.extensions import db
from app.instance_files import sqlite_file
from app.persistence.service_secrets import shared_secret

SESSION_SECRET = "session"
#: Where an earlier version kept the secret (in the instance folder).
EARLIER_FILE = "secret_key"
#: The associated data of the sealed secret (a sealed value cannot be moved to another use).
SEALED_NAME = "service-secret/session"
#: The longest secret whose sealed form (base64) fits ``service_secrets.value`` (String(200)).
LONGEST_SECRET = 120

log = logging.getLogger(__name__)


def configure_session_secret(app: Flask, sealer: KeySealer) -> None:
    """Use ``SECRET_KEY`` if set; else the database's shared secret (sealed with `sealer`), read
    at the first request."""
    if app.config.get("SECRET_KEY"):
        return
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite") and sqlite_file(uri) is None:
        app.config["SECRET_KEY"] = secrets.token_urlsafe(48)
        return
    app.session_interface = SharedSecretSessions(sealer)


def _candidate(app: Flask) -> str:
    earlier = Path(app.instance_path) / EARLIER_FILE
    try:
        kept = earlier.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        kept = ""
    if len(kept) > LONGEST_SECRET:
        log.warning("%s is longer than %d characters: not adopted", earlier, LONGEST_SECRET)
        kept = ""
    return kept or secrets.token_urlsafe(48)


def seal(sealer: KeySealer, secret: str) -> str:
    """What the database keeps of `secret`: base64 of it sealed with `sealer`."""
    return base64.b64encode(sealer.seal(secret.encode("ascii"), SEALED_NAME)).decode("ascii")


def open_sealed(sealer: KeySealer, stored: str) -> str:
    """The secret `seal` made `stored` from; WrongKeyEncryptionKey if `sealer` cannot open it."""
    try:
        sealed = base64.b64decode(stored, validate=True)
    except (binascii.Error, ValueError):
        raise WrongKeyEncryptionKey("the stored session secret is not a sealed value") from None
    return sealer.open(sealed, SEALED_NAME).decode("ascii")


class SharedSecretSessions(SecureCookieSessionInterface):
    """Signed cookie sessions whose key is read from the database when first needed.

    While the database cannot be reached, or its secret cannot be opened with this key
    encryption key, the request gets no session (as a request without a cookie), and the next
    request tries again.
    """

    def __init__(self, sealer: KeySealer) -> None:
        self._lock = threading.Lock()
        self._sealer = sealer
        self._refusal_logged = False

    def get_signing_serializer(self, app: Flask) -> Any:
        if not app.secret_key:
            with self._lock:
                if not app.secret_key:
                    try:
                        stored = shared_secret(
                            db.engine, SESSION_SECRET, lambda: seal(self._sealer, _candidate(app))
                        )
                        app.config["SECRET_KEY"] = open_sealed(self._sealer, stored)
                    except SQLAlchemyError as error:
                        log.warning("session secret not readable yet: %s", type(error).__name__)
                        return None
                    except WrongKeyEncryptionKey as error:
                        if not self._refusal_logged:  # once per process, not at every request
                            self._refusal_logged = True
                            log.error(
                                "no page sessions: %s (key %s); every instance needs the same "
                                "LEERLIJN_KEY_ENCRYPTION_KEY",
                                error,
                                self._sealer.fingerprint,
                            )
                        return None
        return super().get_signing_serializer(app)
