"""The service's shared bookkeeping: rate-limit counters and the session secret in the database.

On a SQLite file of the test's own (migrated by ``flask init-db``); the PostgreSQL twin of the
counter race is ``tests/postgres/test_service_state_on_postgres.py``, and two real instances
share both in ``tests/test_two_instances.py``.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flask import Flask
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import create_engine, func, select

from app import create_app
from app.adapters.key_sealing import KeySealer
from app.config import TestConfig
from app.extensions import db
from app.persistence import rate_limits
from app.persistence.models.service_state import RateLimitCounterRow, ServiceSecretRow
from app.persistence.rate_limits import DatabaseStorage
from app.session_secret import SESSION_SECRET, open_sealed

TABLE = RateLimitCounterRow.__table__


def file_config(database: Path, instance: Path, kek: str | None = None) -> type[TestConfig]:
    return type(
        "FileConfig",
        (TestConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "LEERLIJN_INSTANCE_PATH": instance,
            "RATELIMIT_STORAGE_URI": "leerlijn+sql://",
            "SECRET_KEY": None,
            "LEERLIJN_KEY_ENCRYPTION_KEY": kek,
        },
    )


def dispose(application: Flask) -> None:
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once (``flask init-db``); each test gets a copy."""
    folder = tmp_path_factory.mktemp("migrated")
    application = create_app(file_config(folder / "migrated.sqlite3", folder / "instance"))
    done = application.test_cli_runner().invoke(args=["init-db"])
    assert done.exit_code == 0, done.output
    dispose(application)
    return folder / "migrated.sqlite3"


@pytest.fixture
def database_url(tmp_path: Path, migrated: Path) -> str:
    shutil.copyfile(migrated, tmp_path / "shared.sqlite3")
    return f"sqlite:///{tmp_path / 'shared.sqlite3'}"


@pytest.fixture
def storage(database_url: str) -> Iterator[DatabaseStorage]:
    made = storage_from_string("leerlijn+sql://", database_url=database_url)
    assert isinstance(made, DatabaseStorage)
    yield made
    made.dispose()


def check_counts_under_a_race(storage: DatabaseStorage) -> None:
    """16 threads × 25 hits of one key: every hit counted once, no two hits the same count."""
    with ThreadPoolExecutor(16) as pool:
        counts = list(pool.map(lambda _: storage.incr("race", 60), range(400)))
    assert sorted(counts) == list(range(1, 401))
    assert storage.get("race") == 400


# --- rate-limit counters ----------------------------------------------------------------------


def test_a_window_counts_then_ends(
    storage: DatabaseStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.incr("k", 60, amount=2) == 5 and storage.get("k") == 5
    assert 59 < storage.get_expiry("k") - time.time() <= 60
    assert storage.get("other") == 0

    later = time.time() + 61
    monkeypatch.setattr(rate_limits.time, "time", lambda: later)
    assert storage.get("k") == 0  # the window ended
    assert abs(storage.get_expiry("k") - later) < 1
    assert storage.incr("k", 60) == 1  # a new window
    assert 59 < storage.get_expiry("k") - later <= 60


def test_clear_reset_and_the_health_check(storage: DatabaseStorage) -> None:
    storage.incr("a", 60)
    storage.incr("b", 60)
    storage.clear("a")
    assert storage.get("a") == 0 and storage.get("b") == 1
    assert storage.reset() == 1 and storage.get("b") == 0
    assert storage.check() is True


def test_a_long_key_is_stored_as_its_hash(storage: DatabaseStorage) -> None:
    key = "LIMITER/" + "2001:db8::1/" * 40
    assert storage.incr(key, 60) == 1 and storage.incr(key, 60) == 2
    assert storage.get(key) == 2 and storage.get(key[:-1]) == 0


def test_ended_windows_are_cleaned_up(
    storage: DatabaseStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in ("x", "y", "z"):
        storage.incr(key, 1)
    later = time.time() + 120
    monkeypatch.setattr(rate_limits.time, "time", lambda: later)
    storage.incr("fresh", 60)
    with storage.engine.connect() as connection:
        assert connection.execute(select(TABLE.c.key)).scalars().all() == ["fresh"]


def test_hits_from_many_threads_are_all_counted(storage: DatabaseStorage) -> None:
    check_counts_under_a_race(storage)


def test_the_fixed_window_limiter_refuses_the_hit_past_the_limit(
    storage: DatabaseStorage, database_url: str
) -> None:
    other_process = storage_from_string("leerlijn+sql://", database_url=database_url)
    limit = parse("3/minute")
    hits = [
        FixedWindowRateLimiter(s).hit(limit, "127.0.0.1")
        for s in (storage, other_process, storage, other_process)
    ]
    assert hits == [True, True, True, False]
    stats = FixedWindowRateLimiter(other_process).get_window_stats(limit, "127.0.0.1")
    assert stats.remaining == 0 and stats.reset_time > time.time()
    assert isinstance(other_process, DatabaseStorage)
    other_process.dispose()


def test_the_app_counts_in_its_database_unless_told_otherwise(tmp_path: Path) -> None:
    on_file = create_app(file_config(tmp_path / "db.sqlite3", tmp_path / "instance"))
    assert on_file.config["RATELIMIT_STORAGE_OPTIONS"]["database_url"].endswith("db.sqlite3")
    assert on_file.config["RATELIMIT_STORAGE_URI"] == "leerlijn+sql://"
    in_memory = create_app(
        type("Memory", (TestConfig,), {"RATELIMIT_STORAGE_URI": "leerlijn+sql://"})
    )
    assert in_memory.config["RATELIMIT_STORAGE_URI"] == "memory://"  # nothing to share
    dispose(on_file)
    dispose(in_memory)


# --- the session secret -----------------------------------------------------------------------


def secret_of(application: Flask) -> str:
    with application.test_client() as client:
        client.get("/healthz")
    assert application.secret_key
    return str(application.secret_key)


def test_apps_on_one_database_share_the_session_secret(tmp_path: Path, database_url: str) -> None:
    database = Path(database_url.removeprefix("sqlite:///"))
    one = create_app(file_config(database, tmp_path / "one"))
    other = create_app(file_config(database, tmp_path / "other"))
    assert not one.secret_key and not other.secret_key  # read at the first request
    assert secret_of(one) == secret_of(other)
    assert len(secret_of(one)) >= 48
    assert not (tmp_path / "one" / "secret_key").exists()
    with one.app_context():
        assert db.session.scalar(select(func.count()).select_from(ServiceSecretRow)) == 1
    dispose(one)
    dispose(other)


def test_an_earlier_instance_folder_secret_becomes_the_shared_one(
    tmp_path: Path, database_url: str
) -> None:
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "secret_key").write_text("an-earlier-secret\n", encoding="ascii")
    database = Path(database_url.removeprefix("sqlite:///"))
    earlier = create_app(file_config(database, tmp_path / "old"))
    fresh = create_app(file_config(database, tmp_path / "new"))
    assert secret_of(earlier) == "an-earlier-secret" == secret_of(fresh)
    dispose(earlier)
    dispose(fresh)


def test_the_configured_secret_wins_and_a_private_database_needs_none(
    tmp_path: Path, database_url: str
) -> None:
    database = Path(database_url.removeprefix("sqlite:///"))
    configured = type("Configured", (file_config(database, tmp_path / "c"),), {"SECRET_KEY": "s"})
    assert secret_of(create_app(configured)) == "s"
    in_memory = create_app(TestConfig)
    assert in_memory.secret_key and len(str(in_memory.secret_key)) >= 48
    engine = create_engine(database_url)
    with engine.connect() as connection:
        assert connection.execute(select(ServiceSecretRow.__table__.c.name)).all() == []
    engine.dispose()


def test_an_unreadable_database_gives_no_session_until_it_answers(
    tmp_path: Path, database_url: str
) -> None:
    database = Path(database_url.removeprefix("sqlite:///"))
    application = create_app(file_config(database, tmp_path / "i"))
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE service_secrets RENAME TO away")
    with application.test_client() as client:
        assert client.get("/healthz").status_code == 200
    assert not application.secret_key
    with engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE away RENAME TO service_secrets")
    found = secret_of(application)
    assert found == open_sealed(KeySealer(None), stored_secret(database_url))
    engine.dispose()
    dispose(application)


def stored_secret(database_url: str) -> str:
    """What ``service_secrets`` holds for the session secret."""
    engine = create_engine(database_url)
    with engine.connect() as connection:
        stored = connection.execute(
            select(ServiceSecretRow.__table__.c.value).where(
                ServiceSecretRow.__table__.c.name == SESSION_SECRET
            )
        ).scalar_one()
    engine.dispose()
    return str(stored)


def test_the_database_holds_the_secret_sealed_and_another_kek_cannot_use_it(
    tmp_path: Path, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    database = Path(database_url.removeprefix("sqlite:///"))
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "secret_key").write_text("an-earlier-secret\n", encoding="ascii")
    ours = create_app(file_config(database, tmp_path / "old", kek="our key encryption key"))
    secret = secret_of(ours)
    assert secret == "an-earlier-secret"
    stored = stored_secret(database_url)
    assert secret not in stored and len(stored) <= 200  # fits String(200)
    assert open_sealed(KeySealer("our key encryption key"), stored) == secret
    # a pg_dump with the development key (or any other) cannot open it ...
    with pytest.raises(RuntimeError, match="cannot be opened"):
        open_sealed(KeySealer(None), stored)
    # ... and an instance with another key serves, but gives no session, and says why, once
    theirs = create_app(file_config(database, tmp_path / "theirs", kek="another key"))
    with caplog.at_level("ERROR", logger="app.session_secret"), theirs.test_client() as client:
        assert client.get("/healthz").status_code == 200
        assert client.get("/healthz").status_code == 200
    refusals = [r for r in caplog.records if "no page sessions" in r.getMessage()]
    assert len(refusals) == 1 and "LEERLIJN_KEY_ENCRYPTION_KEY" in refusals[0].getMessage()
    assert not theirs.secret_key
    login = theirs.test_client().get("/login", headers={"Accept": "text/html"})
    assert login.status_code == 503 and login.headers["Retry-After"] == "5"  # not a 500
    assert stored_secret(database_url) == stored  # not replaced by the other instance
    dispose(ours)
    dispose(theirs)
