"""Flask extensions, created unbound and bound in the app factory."""

from __future__ import annotations

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


#: Statement parameters are left out of database errors (and so of logs): they may hold token
#: and password hashes or personal data.
db = SQLAlchemy(model_class=Base, engine_options={"hide_parameters": True})
migrate = Migrate()

#: How long a SQLite writer waits for the database's one write lock (status changes, imports).
SQLITE_BUSY_TIMEOUT_MS = 10_000


@event.listens_for(Engine, "connect")
def _enforce_sqlite_foreign_keys(dbapi_connection, connection_record) -> None:  # type: ignore[no-untyped-def]
    """SQLite: foreign keys on (it ignores them unless asked on every connection); a file
    database in WAL mode, so readers and the one writer do not block each other; writers wait
    up to `SQLITE_BUSY_TIMEOUT_MS` for the write lock instead of failing at once."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA database_list")
        if any(row[1] == "main" and row[2] for row in cursor.fetchall()):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()
