"""Row locks that hold on both databases: one writer at a time for a row's read-modify-write.

PostgreSQL locks the row (``SELECT … FOR UPDATE``) until the transaction ends. SQLite has no
row locks and takes its one write lock only at the first write of a transaction, so a row read
before that can be overwritten by a writer that committed in between (a lost update): there
the lock is taken first, by a write that changes nothing, and the row is read after it.
Either way the caller reads the row as it is after every earlier writer committed, and no
later writer reads it before this transaction ends.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

Row = TypeVar("Row")


def locked(session: Session, model: type[Row], key: Any) -> Row | None:
    """Lock the row of `model` whose primary key is `key` and return it read afresh.

    `key` is a tuple for a composite primary key. Returns ``None`` (and holds no row lock on
    PostgreSQL) when there is no such row.
    """
    table = model.__table__  # type: ignore[attr-defined]
    columns = list(table.primary_key.columns)
    values = key if len(columns) > 1 else (key,)
    where = and_(*(column == value for column, value in zip(columns, values, strict=True)))
    if session.get_bind().dialect.name == "sqlite":
        _sqlite_write_lock(session, model, where)
    statement = (
        select(model).where(where).with_for_update().execution_options(populate_existing=True)
    )
    return session.scalar(statement)


def creation_lock(session: Session, model: type[Any], name: str) -> None:
    """Hold a lock named `name` until the transaction ends, for a check-then-insert.

    Two transactions that each find no row and then insert one must not both go ahead: with
    this lock held, what the check reads stays true until the insert commits. PostgreSQL:
    a transaction-scoped advisory lock on the name's hash. SQLite: the database's write lock
    (taken with a no-op write to `model`'s table), which serialises every writer anyway.
    """
    if session.get_bind().dialect.name == "sqlite":
        primary = list(model.__table__.primary_key.columns)[0]
        _sqlite_write_lock(session, model, primary.is_(None))
    else:
        session.execute(select(func.pg_advisory_xact_lock(func.hashtext(name))))


def _sqlite_write_lock(session: Session, model: type[Any], where: Any) -> None:
    """Take SQLite's write lock now (waiting for the busy timeout) with a no-op UPDATE of the
    rows `where` selects; sent through the connection, it is no ORM statement and so writes
    no audit entry."""
    table = model.__table__
    primary = list(table.primary_key.columns)[0]
    session.connection().execute(update(table).where(where).values({primary.name: primary}))
