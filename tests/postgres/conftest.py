"""PostgreSQL fixtures: one throwaway cluster per test session, a fresh database per test.

Every test collected under ``tests/postgres/`` is marked ``postgres`` and ``slow`` by the hook
below, so ``pytest -m "not slow"`` leaves them out. The cluster is started by the test setup
itself (``initdb`` + ``pg_ctl`` from Debian's ``postgresql`` package, installed by
``scripts/install-test-deps.sh``); no running server is needed or used. When no PostgreSQL
binaries are found the tests are skipped, except when ``CI`` is set: then they fail.

Which fixture to use
--------------------
``pg_client`` / ``pg_app``
    A fresh app on a fresh database that holds the migrated schema and nothing else.
    The PostgreSQL twins of ``client`` / ``app`` in ``tests/conftest.py``.
``pg_seeded_client`` / ``pg_seeded_app``
    The same with ``seed/`` loaded (by ``flask seed``). Twins of ``seeded`` / ``seeded_app``.
``pg_database``
    A factory: ``pg_database()`` returns the URL of a fresh, *empty* database (no schema),
    ``pg_database(template=name)`` a copy of another database. Dropped after the test.
    Pass the URL to ``postgres_app(url)`` to get an app on it.
``postgres_url``
    The URL of ``leerlijn_test``, one empty database shared by the whole session (tests that
    write to it must clean up after themselves; prefer the fixtures above).
``postgres_server``
    The running cluster (:class:`PostgresServer`): ``url(name)``, ``connect(name)``,
    ``create_database(name, template=...)``, ``drop_database(name)``, ``log_tail()``.

Each per-test database is ``CREATE DATABASE … TEMPLATE leerlijn_template`` (or the seeded
template): a file-level copy that takes milliseconds, so every test starts from the same state
and may commit freely. The templates are built once per session through the app's own CLI
(``flask init-db``, ``flask seed``), i.e. through the Alembic migrations, and then locked
(``ALLOW_CONNECTIONS false``): nothing may connect to a template, or copying it fails.

Example::

    def test_units_start_empty(pg_client):
        assert pg_client.get("/api/units").get_json()["total"] == 0

    def test_something_in_sql(pg_app):
        with pg_app.app_context():
            db.session.execute(...)

Settings: ``LEERLIJN_PG_BINDIR`` points at another PostgreSQL ``bin`` directory.
"""

from __future__ import annotations

import itertools
import logging
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.config import TestConfig
from app.extensions import db
from tests.helpers import admin_client

HERE = Path(__file__).resolve().parent
USER = "leerlijn"
TEST_DATABASE = "leerlijn_test"
TEMPLATE = "leerlijn_template"
SEEDED_TEMPLATE = "leerlijn_seeded_template"


# --- markers ----------------------------------------------------------------------------------


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test in this folder `postgres` and `slow` (later files get it for free)."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.postgres)
            item.add_marker(pytest.mark.slow)


# --- the cluster ------------------------------------------------------------------------------


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def find_bindir() -> Path | None:
    """Return the directory holding `initdb`, `pg_ctl` and `postgres`, newest version first."""
    override = os.environ.get("LEERLIJN_PG_BINDIR")
    candidates = [Path(override)] if override else []
    if not override:
        debian = Path("/usr/lib/postgresql").glob("*/bin")
        candidates += sorted(
            debian, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0, reverse=True
        )
        if initdb := shutil.which("initdb"):
            candidates.append(Path(initdb).resolve().parent)
    for bindir in candidates:
        if all(os.access(bindir / tool, os.X_OK) for tool in ("initdb", "pg_ctl", "postgres")):
            return bindir
    return None


def _unprivileged() -> dict[str, Any]:
    """subprocess arguments that run initdb/postgres as `postgres` when we are root (CI)."""
    if os.geteuid() != 0:
        return {}
    try:
        account = pwd.getpwnam("postgres")
    except KeyError:
        raise RuntimeError(
            "running as root, but there is no 'postgres' user to run the server as"
        ) from None
    return {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PostgresServer:
    """A cluster in `root` (data/, sock/, postgres.log) listening on 127.0.0.1:`port`."""

    bindir: Path
    root: Path
    port: int = 0
    host: str = "127.0.0.1"
    user: str = USER
    #: ``max_connections`` of the server (a load bench with several instances needs more).
    max_connections: int = 50

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "sock"

    @property
    def log(self) -> Path:
        return self.root / "postgres.log"

    def url(self, database: str) -> str:
        """The SQLAlchemy URL (psycopg 3) of `database`."""
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{database}"

    def connect(self, database: str = "postgres", autocommit: bool = True):  # type: ignore[no-untyped-def]
        import psycopg

        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            dbname=database,
            autocommit=autocommit,
            connect_timeout=10,
        )

    def create_database(self, name: str, template: str | None = None) -> str:
        """Create `name` (empty, or a copy of `template`) and return its URL."""
        from psycopg import sql

        statement = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(name), sql.Identifier(template or "template0")
        )
        with self.connect() as connection:
            connection.execute(statement)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        from psycopg import sql

        with self.connect() as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def lock_template(self, name: str) -> None:
        """Refuse connections to `name`, so copying it never fails on a stray connection."""
        from psycopg import sql

        with self.connect() as connection:
            connection.execute(
                sql.SQL("ALTER DATABASE {} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false").format(
                    sql.Identifier(name)
                )
            )

    def log_tail(self, lines: int = 30) -> str:
        with suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return "(no server log)"

    # -- lifecycle

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            args,
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            **_unprivileged(),
        )

    def init(self) -> None:
        done = self._run(
            str(self.bindir / "initdb"), "-D", str(self.data), "--auth=trust", "-U", self.user,
            "-E", "UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        if done.returncode:
            raise RuntimeError(f"initdb failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")

    def start(self, attempts: int = 3, *, same_port: bool = False) -> None:
        """Start on a free port (a port taken in between is retried), waiting until it accepts.

        ``same_port`` starts a stopped server again on the port it had (clients keep their URL).
        """
        for attempt in range(1, attempts + 1):
            if not (same_port and self.port):
                self.port = _free_port()
            options = " ".join(
                [
                    f"-h {self.host} -p {self.port} -k {self.socket_dir}",
                    "-F",  # fsync off: a throwaway cluster never needs to survive a crash
                    "-c synchronous_commit=off -c full_page_writes=off",
                    f"-c max_connections={self.max_connections} -c shared_buffers=32MB",
                ]
            )
            done = self._run(
                str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
                "-o", options, "-w", "-t", "60", "start",
            )  # fmt: skip
            if done.returncode == 0:
                return
            if attempt == attempts:
                output = f"{done.stdout}\n{done.stderr}\n{self.log_tail()}"
                raise RuntimeError(f"pg_ctl start failed ({done.returncode}):\n{output}")

    def stop(self) -> None:
        if not (self.data / "postmaster.pid").exists():
            return
        done = self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"
        )
        if done.returncode and (self.data / "postmaster.pid").exists():
            with suppress(OSError, ValueError):  # the postmaster we started; its pid is in the file
                os.kill(int((self.data / "postmaster.pid").read_text().split()[0]), signal.SIGKILL)


@contextmanager
def running_cluster(bindir: Path, max_connections: int = 50) -> Iterator[PostgresServer]:
    """Create, start, yield, then stop and delete a cluster (also when anything fails)."""
    root = Path(tempfile.mkdtemp(prefix="leerlijn-pg-"))
    server = PostgresServer(bindir=bindir, root=root, max_connections=max_connections)
    try:
        server.socket_dir.mkdir()
        account = _unprivileged()
        if account:
            for path in (root, server.socket_dir):
                os.chown(path, account["user"], account["group"])
        server.init()
        server.start()
        yield server
    finally:
        try:
            server.stop()
        finally:
            shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A private PostgreSQL cluster for this test session (trust auth, 127.0.0.1 only)."""
    yield from own_cluster()


def own_cluster() -> Iterator[PostgresServer]:
    """Start a cluster of its own for a fixture to yield (a module that stops its server, or
    kills its backends, takes one); skipped without PostgreSQL, failed when CI is set."""
    bindir = find_bindir()
    if bindir is None:
        message = (
            "no PostgreSQL server binaries (initdb, pg_ctl, postgres) found in "
            "/usr/lib/postgresql/*/bin, on PATH or in LEERLIJN_PG_BINDIR; "
            "install Debian's 'postgresql' (scripts/install-test-deps.sh)"
        )
        if in_ci():
            pytest.fail(f"CI is set, so the PostgreSQL tests must run: {message}", pytrace=False)
        pytest.skip(message)
    with running_cluster(bindir) as server:
        yield server


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> str:
    """URL of `leerlijn_test`: an empty database shared by the whole session."""
    return postgres_server.create_database(TEST_DATABASE)


# --- apps on PostgreSQL -----------------------------------------------------------------------


@contextmanager
def logging_kept() -> Iterator[None]:
    """Undo what Alembic's `fileConfig` does to logging (it disables every existing logger)."""
    manager = logging.root.manager
    saved = {
        name: (logger.disabled, logger.level, list(logger.handlers), logger.propagate)
        for name, logger in [("", logging.root), *manager.loggerDict.items()]
        if isinstance(logger, logging.Logger)
    }
    try:
        yield
    finally:
        for name, logger in [("", logging.root), *manager.loggerDict.items()]:
            if not isinstance(logger, logging.Logger):
                continue
            disabled, level, handlers, propagate = saved.get(
                name, (False, logging.NOTSET, [], True)
            )
            logger.disabled, logger.propagate = disabled, propagate
            logger.setLevel(level)
            logger.handlers[:] = handlers


def postgres_config(url: str) -> type[TestConfig]:
    """A TestConfig subclass whose database is `url`."""
    return type(
        "PostgresTestConfig",
        (TestConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": {},
            "LEERLIJN_KEYS_DIR": Path(tempfile.mkdtemp(prefix="leerlijn-test-keys-")),
        },
    )


@contextmanager
def postgres_app(url: str) -> Iterator[Flask]:
    """An app on `url`; its connections are closed afterwards (so the database can be dropped)."""
    application = create_app(postgres_config(url))
    try:
        yield application
    finally:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def run_cli(application: Flask, *args: str) -> str:
    """Run `flask <args>` on `application` (Alembic's logging undone); return the output.

    `migrations/env.py` calls Flask-SQLAlchemy's deprecated `get_engine()` first (it falls back
    to `db.engine` once that is gone); pytest turns warnings into errors, so that one is ignored.
    """
    with logging_kept(), warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="'get_engine' is deprecated", category=DeprecationWarning
        )
        result = application.test_cli_runner().invoke(args=list(args))
    if result.exit_code != 0:
        raise RuntimeError(
            f"flask {' '.join(args)} failed ({result.exit_code}):\n{result.output}"
        ) from result.exception
    return result.output


@pytest.fixture(scope="session")
def pg_template(postgres_server: PostgresServer) -> str:
    """Name of a locked template database holding the migrated schema (`flask init-db`)."""
    url = postgres_server.create_database(TEMPLATE)
    with postgres_app(url) as application:
        run_cli(application, "init-db")
    postgres_server.lock_template(TEMPLATE)
    return TEMPLATE


@pytest.fixture(scope="session")
def pg_seeded_template(postgres_server: PostgresServer, pg_template: str) -> str:
    """Name of a locked template database with the migrated schema and `seed/` (`flask seed`)."""
    url = postgres_server.create_database(SEEDED_TEMPLATE, template=pg_template)
    with postgres_app(url) as application:
        run_cli(application, "seed")
    postgres_server.lock_template(SEEDED_TEMPLATE)
    return SEEDED_TEMPLATE


_numbers = itertools.count(1)


@pytest.fixture
def pg_database(
    postgres_server: PostgresServer, request: pytest.FixtureRequest
) -> Iterator[Callable[..., str]]:
    """Factory: `pg_database(template=None)` → URL of a fresh database, dropped after the test."""
    created: list[str] = []
    slug = re.sub(r"[^a-z0-9]+", "_", request.node.name.lower()).strip("_")[:40]

    def make(template: str | None = None) -> str:
        name = f"t{next(_numbers):04d}_{slug}"
        url = postgres_server.create_database(name, template=template)
        created.append(name)
        return url

    yield make
    for name in created:
        postgres_server.drop_database(name)


@pytest.fixture
def pg_app(pg_database: Callable[..., str], pg_template: str) -> Iterator[Flask]:
    """A fresh app on a fresh PostgreSQL database with the migrated schema and no rows."""
    with postgres_app(pg_database(template=pg_template)) as application:
        yield application


@pytest.fixture
def pg_seeded_app(pg_database: Callable[..., str], pg_seeded_template: str) -> Iterator[Flask]:
    """A fresh app on a fresh PostgreSQL database holding the seed data in `seed/`."""
    with postgres_app(pg_database(template=pg_seeded_template)) as application:
        yield application


@pytest.fixture
def pg_client(pg_app: Flask) -> FlaskClient:
    return admin_client(pg_app)


@pytest.fixture
def pg_seeded_client(pg_seeded_app: Flask) -> FlaskClient:
    return admin_client(pg_seeded_app)


def wait_until(
    predicate: Callable[[], bool], timeout: float = 10.0, interval: float = 0.02
) -> bool:
    """Poll `predicate` until it holds or `timeout` seconds pass; return whether it held."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
