"""Secrets of the service itself, kept in the database so that every instance has the same.

A secret is made once, by whichever instance asks first: it inserts its candidate with
``INSERT … ON CONFLICT DO NOTHING`` and reads back what the table holds, so instances that
start at the same moment all end up with the one that was stored first. Each call is a short
transaction of its own on a connection of its own (not a request's session); not audited (the
row records no act of anybody, and its value must never be copied anywhere).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, select
from sqlalchemy.dialects import postgresql, sqlite

from app.persistence.models.service_state import ServiceSecretRow

_TABLE = ServiceSecretRow.__table__


def shared_secret(engine: Engine, name: str, candidate: Callable[[], str]) -> str:
    """The secret called `name`; when there is none yet, `candidate()` is stored first."""
    query = select(_TABLE.c.value).where(_TABLE.c.name == name)
    with engine.connect() as connection:
        found = connection.execute(query).scalar()
    if found is not None:
        return str(found)
    insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(_TABLE)
        .values(name=name, value=candidate())
        .on_conflict_do_nothing(index_elements=[_TABLE.c.name])
    )
    with engine.begin() as connection:
        connection.execute(statement)
        return str(connection.execute(query).scalar_one())
