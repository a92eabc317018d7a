"""Version numbers that tell the path engine's caches when what they hold is stale.

* the registry version (one row in ``registry_state``), bumped by any write to the tables the
  catalog is built from;
* a per-learner ``learners.record_version``, bumped by any write to that learner's record.

Path requests reuse one built catalog and each learner's engine input per process until the
version moves (`CatalogCache`, `RecordCache`). The bumps are done by session events, so no
write path can forget them: ORM flushes that touch such a row, and ORM-enabled bulk
INSERT/UPDATE/DELETE statements (which bump every learner, not knowing whose rows changed).

A registry bump updates the one ``registry_state`` row, whose row lock PostgreSQL then holds
until the transaction ends: every other registry writer waits for it. A long transaction (a
large import on PostgreSQL, `app.services.importer`) therefore puts its bumps off
(`registry_bump_at_end`): one bump, made just before its commit.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
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


#: ``session.info`` keys: registry bumps are put off; one is owed.
_DEFERRED = "leerlijn.registry_bump_deferred"
_OWED = "leerlijn.registry_bump_owed"


@contextmanager
def registry_bump_at_end(session: Session) -> Iterator[None]:
    """Put the registry bumps of `session`'s writes in this block off to one bump at the end.

    The bump is made at the session's next commit (before it, in the same transaction) or at
    the end of the block, whichever comes first; the ``registry_state`` row is thus locked
    only from then until the commit, not while the block writes. The caches stay right: the
    version moves in the transaction that changed the registry, as without the block. A
    rollback in the block may leave a bump owed: then one bump too many is made (harmless).
    """
    session.info[_DEFERRED] = True
    try:
        yield
        _pay_owed_bump(session)
    finally:
        session.info.pop(_DEFERRED, None)
        session.info.pop(_OWED, None)


def _pay_owed_bump(session: Session) -> None:
    session.flush()  # its registry writes owe a bump too
    if session.info.pop(_OWED, False):
        _write_bump(session)


@event.listens_for(Session, "before_commit")
def _bump_before_commit(session: Session) -> None:
    if session.info.get(_DEFERRED):
        _pay_owed_bump(session)


def _bump(session: Session) -> None:
    if session.info.get(_DEFERRED):
        session.info[_OWED] = True
    else:
        _write_bump(session)


def _write_bump(session: Session) -> None:
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
