"""Version numbers that tell the path engine's caches when what they hold is stale.

* the registry version (one row in ``registry_state``), bumped by any write to the tables the
  catalog is built from;
* a per-learner ``learners.record_version``, bumped by any write to that learner's record.

Path requests reuse one built catalog and each learner's engine input per process until the
version moves (`CatalogCache`, `RecordCache`). The bumps are done by session events, so no
write path can forget them: ORM flushes that touch such a row, and ORM-enabled bulk
INSERT/UPDATE/DELETE statements (which bump every learner, not knowing whose rows changed).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
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


#: Tables of a learner's record; each row has a ``learner`` column (completion outcomes are
#: written together with their completion row).
LEARNER_RECORD_TABLES = frozenset(
    {"evidence", "entrustments", "held_diplomas", "enrolments", "vmbo_completions"}
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
    result = connection.execute(
        update(table).where(table.c.id == 1).values(version=table.c.version + 1)
    )
    if not result.rowcount:
        connection.execute(insert(table).values(id=1, version=1))


def _bump_learners(session: Session, learner_ids: Iterable[str] | None) -> None:
    """Bump the record version of `learner_ids` (of every learner when None)."""
    from app.persistence.models.learners import LearnerRow

    table = LearnerRow.__table__
    statement = update(table).values(record_version=table.c.record_version + 1)
    if learner_ids is not None:
        statement = statement.where(table.c.id.in_(sorted(learner_ids)))
    session.connection().execute(statement)


def _table_name(obj: Any) -> str | None:
    return getattr(getattr(obj, "__table__", None), "name", None)


@event.listens_for(Session, "before_flush")
def _bump_on_flush(session: Session, flush_context: Any, instances: Any) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(_table_name(obj) in REGISTRY_TABLES for obj in changed):
        _bump(session)
    learners = {
        obj.learner for obj in changed if _table_name(obj) in LEARNER_RECORD_TABLES and obj.learner
    }
    if learners:
        _bump_learners(session, learners)


@event.listens_for(Session, "do_orm_execute")
def _bump_on_bulk_statement(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    name = getattr(getattr(state.statement, "table", None), "name", None)
    if name in REGISTRY_TABLES:
        _bump(state.session)
    elif name in LEARNER_RECORD_TABLES or name == "vmbo_completion_outcomes":
        _bump_learners(state.session, None)


class CatalogCache(Generic[T]):
    """One built value per registry version, per process (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: int | None = None
        self._value: T | None = None

    def get(self, session: Session, build: Callable[[Session], T], version: int | None = None) -> T:
        """The value for the current registry `version` (read from the database when None)."""
        if version is None:
            version = current_version(session)
        with self._lock:
            if self._version == version and self._value is not None:
                return self._value
        value = build(session)
        with self._lock:
            self._version, self._value = version, value
        return value


class RecordCache(Generic[T]):
    """Per learner, the value built for one record version; least recently used go first."""

    def __init__(self, size: int = 4096) -> None:
        self._lock = threading.Lock()
        self._size = size
        self._entries: OrderedDict[str, tuple[int, T]] = OrderedDict()

    def get(self, learner_id: str, version: int, build: Callable[[], T]) -> T:
        with self._lock:
            entry = self._entries.get(learner_id)
            if entry is not None and entry[0] == version:
                self._entries.move_to_end(learner_id)
                return entry[1]
        value = build()
        with self._lock:
            self._entries[learner_id] = (version, value)
            self._entries.move_to_end(learner_id)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return value


class PathCaches:
    """The caches of the path hot path, one set per app (built in the factory)."""

    def __init__(self) -> None:
        self.catalog: CatalogCache[Any] = CatalogCache()
        self.records: RecordCache[Any] = RecordCache()
