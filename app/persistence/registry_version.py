"""A registry version number, bumped by any write to the tables the path engine reads.

Path requests reuse one built catalog per process until the version moves (see
`CatalogCache`). The bump is done by session events, so no write path can forget it: ORM
flushes that touch a registry row, and ORM-enabled bulk INSERT/UPDATE/DELETE statements.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from sqlalchemy import Integer, event, insert, select, update
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from app.extensions import db

T = TypeVar("T")

REGISTRY_TABLES = frozenset(
    {
        "units",
        "outcomes",
        "outcome_relations",
        "prerequisites",
        "qualifications",
        "qualification_units",
        "qualification_epas",
        "qualification_entry_requirements",
    }
)


class RegistryStateRow(db.Model):
    __tablename__ = "registry_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer, default=0)


def current_version(session: Session) -> int:
    return session.scalar(select(RegistryStateRow.version).where(RegistryStateRow.id == 1)) or 0


def _bump(session: Session) -> None:
    connection = session.connection()
    table = RegistryStateRow.__table__
    result = connection.execute(update(table).where(table.c.id == 1).values(version=table.c.version + 1))
    if not result.rowcount:
        connection.execute(insert(table).values(id=1, version=1))


@event.listens_for(Session, "before_flush")
def _bump_on_flush(session: Session, flush_context: Any, instances: Any) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(getattr(getattr(obj, "__table__", None), "name", None) in REGISTRY_TABLES for obj in changed):
        _bump(session)


@event.listens_for(Session, "do_orm_execute")
def _bump_on_bulk_statement(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in REGISTRY_TABLES:
        _bump(state.session)


class CatalogCache(Generic[T]):
    """One built value per registry version, per process (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: int | None = None
        self._value: T | None = None

    def get(self, session: Session, build: Callable[[Session], T]) -> T:
        version = current_version(session)
        with self._lock:
            if self._version == version and self._value is not None:
                return self._value
        value = build(session)
        with self._lock:
            self._version, self._value = version, value
        return value
