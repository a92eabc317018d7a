"""Which database errors mean "the database cannot be used just now" (503) rather than a fault
of ours (500): one answer for the API's problem documents and the pages' error pages."""

from __future__ import annotations

from sqlalchemy.exc import InterfaceError, OperationalError

#: SQLite errors that say the database cannot be used just now (not that a statement is wrong).
_SQLITE_UNAVAILABLE = ("database is locked", "unable to open database", "disk i/o error")


def database_unavailable(error: Exception) -> bool:
    """Whether `error` means the database cannot be reached or used at the moment.

    PostgreSQL (psycopg): every ``OperationalError`` and ``InterfaceError`` — a refused or lost
    connection, a server shutting down; a wrong statement is a ``ProgrammingError``. SQLite
    calls a missing table an ``OperationalError`` too: only a locked, unopenable or failing
    file counts there. Anything else is a fault of ours (500).
    """
    if not isinstance(error, OperationalError | InterfaceError):
        return False
    if error.connection_invalidated or isinstance(error, InterfaceError):
        return True
    module = type(error.orig).__module__ if error.orig is not None else ""
    if module.startswith("sqlite3"):
        return str(error.orig).lower().startswith(_SQLITE_UNAVAILABLE)
    return True
