"""Readiness: is the database reachable, and is its schema at the head of the migrations?"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session


@dataclass(frozen=True, slots=True)
class Readiness:
    """`ready` when the database answers and its revision is `expected`."""

    ready: bool
    database: str
    revision: str | None
    expected: str | None

    def as_dict(self) -> dict[str, object]:
        return {
            "status": "ready" if self.ready else "not-ready",
            "database": self.database,
            "revision": self.revision,
            "expected_revision": self.expected,
        }


def readiness(session: Session, head: str | None) -> Readiness:
    """Ask the database for its migration revision (one short statement); never raises.

    `head` is the newest revision of the shipped migrations.
    """
    try:
        revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        session.rollback()
        try:
            session.execute(text("SELECT 1"))
        except SQLAlchemyError:
            session.rollback()
            return Readiness(False, "unreachable", None, head)
        return Readiness(False, "reachable", None, head)
    finally:
        session.rollback()  # end the read transaction: nothing was written
    return Readiness(revision == head, "reachable", revision, head)
