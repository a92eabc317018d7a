"""Rate-limit counters in the registry's own database, so every instance counts alike.

Flask-Limiter keeps its counters in a `limits` storage. The in-memory one counts per process,
so N gunicorn workers on M instances let N×M times the limit through; this one keeps them in
the table ``rate_limit_counters`` (`RateLimitCounterRow`), which every instance shares. It is
registered as the storage scheme ``leerlijn+sql://`` (the default of
``LEERLIJN_RATE_LIMIT_STORAGE``); the database is the app's (``RATELIMIT_STORAGE_OPTIONS``
``database_url``, set by the app factory).

It serves the fixed-window strategy (Flask-Limiter's default), which needs `incr`, `get`,
`get_expiry`, `check`, `reset` and `clear`:

- `incr` is one statement, atomic on both databases: ``INSERT … ON CONFLICT (key) DO UPDATE …
  RETURNING count`` (PostgreSQL; SQLite 3.35+ takes the same syntax). It starts a new window
  when the row's window has ended, else adds to the count: two instances hitting the same key
  at once both count.
- Each call is a short transaction of its own on a connection of its own (a small pool of this
  storage, made lazily in each process), never the request's session: a rate-limit hit is
  kept even when the request's own work is rolled back, and it never holds the request's
  transaction open.
- Rows of ended windows are deleted now and then (at most once a minute per process, in the
  transaction of an `incr`); a row whose window ended counts as absent before that.

Not audited: counters record no act of anybody, like OID4VCI nonces; they are written with
Core statements on the storage's own connections, which the audit trail's session events never
see. Times are the instances' clocks (seconds since the epoch, as Flask-Limiter computes
``Retry-After`` from them); keep them in step (NTP).
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from typing import Any

from limits.storage import Storage
from sqlalchemy import Engine, case, create_engine, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from app.persistence.models.service_state import RateLimitCounterRow

SCHEME = "leerlijn+sql"
#: Keys up to this length are stored as they are; longer ones as their SHA-256.
MAX_KEY_LENGTH = 255
#: Seconds between two clean-ups of ended windows in one process.
CLEANUP_INTERVAL = 60.0
#: The storage's own connections per process: a hit is one short statement.
POOL_SIZE = 2
POOL_OVERFLOW = 3
#: Seconds a hit waits for one of those connections before it fails.
POOL_TIMEOUT = 10

_TABLE = RateLimitCounterRow.__table__


def stored_key(key: str) -> str:
    """The key as the table holds it: itself, or ``sha256:…`` when it is too long.

    >>> stored_key("LIMITER/127.0.0.1/web.login_submit/10/1/minute")
    'LIMITER/127.0.0.1/web.login_submit/10/1/minute'
    >>> len(stored_key("x" * 1000)) <= MAX_KEY_LENGTH
    True
    """
    if len(key) <= MAX_KEY_LENGTH:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


class DatabaseStorage(Storage):
    """A `limits` storage on the app's database (``leerlijn+sql://``), fixed windows only.

    Parameters
    ----------
    uri : str
        ``leerlijn+sql://`` (nothing else is read from it).
    database_url : str
        The SQLAlchemy URL of the database that holds ``rate_limit_counters``.
    wrap_exceptions : bool
        Wrap database errors in `limits.errors.StorageError` (Flask-Limiter's choice).
    """

    STORAGE_SCHEME = [SCHEME]

    def __init__(
        self,
        uri: str | None = None,
        wrap_exceptions: bool = False,
        *,
        database_url: str | None = None,
        **options: Any,
    ) -> None:
        if not database_url:
            raise ValueError(f"{SCHEME}:// needs the database_url storage option")
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.database_url = database_url
        self._engine: Engine | None = None
        self._engine_pid = 0
        self._lock = threading.Lock()
        self._next_cleanup = 0.0

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    @property
    def engine(self) -> Engine:
        """This process's engine (made at first use; a forked worker makes its own)."""
        with self._lock:
            if self._engine is None or self._engine_pid != os.getpid():
                self._engine = create_engine(
                    self.database_url,
                    pool_size=POOL_SIZE,
                    max_overflow=POOL_OVERFLOW,
                    pool_timeout=POOL_TIMEOUT,
                    pool_pre_ping=True,
                    hide_parameters=True,
                )
                self._engine_pid = os.getpid()
            return self._engine

    def dispose(self) -> None:
        """Close this storage's connections (a later call opens new ones)."""
        with self._lock:
            if self._engine is not None and self._engine_pid == os.getpid():
                self._engine.dispose()
            self._engine = None

    # -- the fixed-window strategy

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add `amount` to `key`'s count (a new window of `expiry` seconds if none is open)."""
        now = time.time()
        engine = self.engine
        insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        values = insert(_TABLE).values(key=stored_key(key), count=amount, window_end=now + expiry)
        is_open = _TABLE.c.window_end > now
        statement = values.on_conflict_do_update(
            index_elements=[_TABLE.c.key],
            set_={
                "count": case(
                    (is_open, _TABLE.c.count + values.excluded.count),
                    else_=values.excluded.count,
                ),
                "window_end": case(
                    (is_open, _TABLE.c.window_end), else_=values.excluded.window_end
                ),
            },
        ).returning(_TABLE.c.count)
        with engine.begin() as connection:
            count = int(connection.execute(statement).scalar_one())
            if now >= self._next_cleanup:
                self._next_cleanup = now + CLEANUP_INTERVAL
                connection.execute(delete(_TABLE).where(_TABLE.c.window_end <= now))
        return count

    def get(self, key: str) -> int:
        """The count of `key`'s open window (0 when none is open)."""
        now = time.time()
        query = select(_TABLE.c.count).where(
            _TABLE.c.key == stored_key(key), _TABLE.c.window_end > now
        )
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar() or 0)

    def get_expiry(self, key: str) -> float:
        """When `key`'s open window ends (now when none is open)."""
        now = time.time()
        query = select(_TABLE.c.window_end).where(
            _TABLE.c.key == stored_key(key), _TABLE.c.window_end > now
        )
        with self.engine.connect() as connection:
            found = connection.execute(query).scalar()
        return float(found) if found is not None else now

    def check(self) -> bool:
        """Whether the database answers."""
        try:
            with self.engine.connect() as connection:
                connection.execute(select(_TABLE.c.key).limit(1)).all()
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        """Forget every counter; how many there were."""
        with self.engine.begin() as connection:
            return int(connection.execute(delete(_TABLE)).rowcount)

    def clear(self, key: str) -> None:
        """Forget `key`'s counter."""
        with self.engine.begin() as connection:
            connection.execute(delete(_TABLE).where(_TABLE.c.key == stored_key(key)))
