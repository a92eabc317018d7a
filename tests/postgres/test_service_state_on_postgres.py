"""Rate-limit counters and the session secret on PostgreSQL: concurrent hits and first reads."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from limits.storage import storage_from_string
from sqlalchemy import create_engine

from app.persistence.rate_limits import DatabaseStorage
from app.persistence.service_secrets import shared_secret
from tests.persistence.test_service_state import check_counts_under_a_race


def test_hits_from_many_threads_are_all_counted_on_postgres(
    pg_database: Callable[..., str], pg_template: str
) -> None:
    storage = storage_from_string("leerlijn+sql://", database_url=pg_database(template=pg_template))
    assert isinstance(storage, DatabaseStorage) and storage.engine.dialect.name == "postgresql"
    try:
        check_counts_under_a_race(storage)
        assert storage.check() and storage.reset() == 1
    finally:
        storage.dispose()


def test_instances_asking_at_once_all_get_the_first_stored_secret(
    pg_database: Callable[..., str], pg_template: str
) -> None:
    engine = create_engine(pg_database(template=pg_template), pool_size=8)
    try:
        with ThreadPoolExecutor(8) as pool:
            found = list(
                pool.map(lambda n: shared_secret(engine, "session", lambda: f"s{n}"), range(16))
            )
        assert len(set(found)) == 1 and found[0].startswith("s")
        assert shared_secret(engine, "session", lambda: "later") == found[0]
    finally:
        engine.dispose()
