"""Which session "the current use case" works in, for code that is handed no session.

A request works in Flask-SQLAlchemy's ``db.session``. A job runs in a thread of its own with a
session of its own (`app.services.jobs.run_job`), where ``db.session`` is not available: it
binds its session here for the thread, so that helpers reached through the credential
environment (the issuer key store) read and write in the job's own transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy.orm import Session

_bound: ContextVar[Session | None] = ContextVar("leerlijn_bound_session", default=None)


@contextmanager
def working_in(session: Session) -> Iterator[Session]:
    """Make `session` the current one until the block ends (in this thread or task)."""
    token = _bound.set(session)
    try:
        yield session
    finally:
        _bound.reset(token)


def current_session(fallback: Callable[[], Session]) -> Session:
    """The bound session, else `fallback()` (the request's ``db.session``)."""
    return _bound.get() or fallback()
