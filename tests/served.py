"""Start the real service (gunicorn, as the checks start it) for tests and bench scripts.

`serve` seeds a database, creates an admin token and runs
``gunicorn -w N -b 127.0.0.1:<free port> wsgi:app`` in the project root, so that
``gunicorn.conf.py`` there is read exactly as in production. Everything the service writes
(the SQLite file, the instance folder with the secret key and issuer keys, gunicorn's log)
lies in the given temporary folder. Only the standard library is used, so bench scripts can
import it too (``sys.path`` must hold the project root).

Example
-------
::

    from tests.served import serve

    @pytest.mark.slow
    def test_the_service_answers(tmp_path: Path) -> None:
        with serve(tmp_path, workers=1) as served:
            response = served.request("GET", "/api/me")
            assert response.status == 200, response.text
            assert response.json()["role"] == "admin"
            anonymous = served.request("POST", "/api/tokens", json={}, token=None)
            assert anonymous.status == 401

``database_url`` points at another database (e.g. a PostgreSQL from ``tests/postgres``);
``env`` adds or overrides environment variables (``LEERLIJN_RATE_LIMIT_VERIFY``, ...);
``seed=False`` only creates the schema (``flask init-db``). A test that uses `serve` marks
itself ``slow``.
"""

from __future__ import annotations

import http.client
import json as jsonlib
import os
import select
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BIN = PROJECT_ROOT / ".venv" / "bin"
HOST = "127.0.0.1"
#: How long the service may take to answer its first request.
START_SECONDS = 60.0
#: How long gunicorn may take to stop after SIGTERM before it is killed.
STOP_SECONDS = 20.0


class _AdminToken:
    """The default of `Served.request`'s ``token``: the admin token `serve` created."""


ADMIN = _AdminToken()


@dataclass(frozen=True)
class Response:
    """One HTTP answer, read completely."""

    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def content_type(self) -> str:
        """The media type without parameters, e.g. ``application/problem+json``."""
        return (self.headers.get("Content-Type") or "").split(";")[0].strip()

    def json(self) -> Any:
        return jsonlib.loads(self.body)


@dataclass(frozen=True)
class Served:
    """A running service: its base URL, an admin token, the gunicorn process and its log."""

    base_url: str
    admin_token: str
    process: subprocess.Popen[bytes]
    log_path: Path
    host: str = HOST
    port: int = 0
    env: Mapping[str, str] = field(default_factory=dict)

    def request(
        self,
        method: str,
        path: str,
        json: Any = None,
        token: str | _AdminToken | None = ADMIN,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        timeout: float = 30.0,
    ) -> Response:
        """Send one request on a fresh connection and read the whole answer.

        Parameters
        ----------
        method, path : str
            E.g. ``"GET"``, ``"/api/units?limit=1"``.
        json : optional
            A document sent as ``application/json`` (ignored when `body` is given).
        token : str or None
            A bearer token; by default the admin token, None for an anonymous request.
        headers : mapping, optional
            Further request headers.
        body : bytes, optional
            A raw request body.
        timeout : float
            Seconds for connecting and for each read.
        """
        sent = dict(headers or {})
        if isinstance(token, _AdminToken):
            token = self.admin_token
        if token is not None:
            sent.setdefault("Authorization", f"Bearer {token}")
        if body is None and json is not None:
            body = jsonlib.dumps(json).encode("utf-8")
            sent.setdefault("Content-Type", "application/json")
        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=sent)
            answer = connection.getresponse()
            return Response(answer.status, answer.headers, answer.read())
        finally:
            connection.close()

    def log(self) -> str:
        """What gunicorn and the app wrote so far (stdout and stderr)."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def free_port(host: str = HOST) -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def service_environment(
    tmp_path: Path, port: int, database_url: str | None, env: Mapping[str, str] | None
) -> dict[str, str]:
    """The environment of the flask commands and gunicorn: everything inside `tmp_path`."""
    instance = tmp_path / "instance"
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("LEERLIJN_") and key != "DATABASE_URL"
    }
    environment.update(
        DATABASE_URL=database_url or f"sqlite:///{tmp_path / 'leerlijn.sqlite3'}",
        LEERLIJN_BASE_URL=f"http://{HOST}:{port}",
        LEERLIJN_INSTANCE_PATH=str(instance),
        PYTHONUNBUFFERED="1",
    )
    environment.update(env or {})
    return environment


def _flask(arguments: list[str], environment: Mapping[str, str]) -> str:
    """Run ``flask --app wsgi ARGUMENTS`` in the project root; its stdout, or an error."""
    command = [str(BIN / "flask"), "--app", "wsgi", *arguments]
    done = subprocess.run(
        command, cwd=PROJECT_ROOT, env=dict(environment), capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command[1:])} exited with {done.returncode}:\n{done.stdout}\n{done.stderr}"
        )
    return done.stdout


def _wait_until_answering(served: Served, deadline_seconds: float) -> None:
    deadline = time.monotonic() + deadline_seconds
    while True:
        if served.process.poll() is not None:
            raise RuntimeError(
                f"gunicorn exited with {served.process.returncode}:\n{served.log()[-4000:]}"
            )
        try:
            served.request("GET", "/api/supervision-levels", token=None, timeout=2.0)
            return
        except (OSError, http.client.HTTPException):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"gunicorn did not answer within {deadline_seconds:g} s")
        time.sleep(0.1)


def stop(process: subprocess.Popen[bytes], grace_seconds: float = STOP_SECONDS) -> None:
    """Stop gunicorn and its workers: SIGTERM to the master, then SIGKILL to its group.

    The process runs in a session of its own (``start_new_session``), so its process group
    holds exactly the master and the workers it forked, nothing else.
    """
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=grace_seconds)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)  # workers left behind by a killed master
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


@contextmanager
def serve(
    tmp_path: Path,
    *,
    database_url: str | None = None,
    workers: int = 2,
    env: Mapping[str, str] | None = None,
    seed: bool = True,
    extra_args: tuple[str, ...] = (),
) -> Iterator[Served]:
    """Run the real service until the block ends.

    Parameters
    ----------
    tmp_path : Path
        A folder of its own for the SQLite file, the instance folder and ``gunicorn.log``.
    database_url : str, optional
        ``DATABASE_URL``; by default a fresh SQLite file in `tmp_path`.
    workers : int
        gunicorn's ``-w``.
    env : mapping, optional
        Environment variables added to (or replacing) the service's environment.
    seed : bool
        Load ``seed/`` first (``flask seed``); otherwise only create the schema.
    extra_args : tuple of str
        Further gunicorn options placed before ``wsgi:app`` (e.g. ``("-k", "sync")`` for a
        baseline); by default none, as the checks start it.

    Yields
    ------
    Served
        The base URL, the admin token, the gunicorn process and the path of its log.
    """
    tmp_path.mkdir(parents=True, exist_ok=True)
    port = free_port()
    environment = service_environment(tmp_path, port, database_url, env)
    _flask(["seed"] if seed else ["init-db"], environment)
    token = _flask(["tokens", "create", "--role", "admin"], environment).strip().splitlines()[-1]
    log_path = tmp_path / "gunicorn.log"
    command = [
        str(BIN / "gunicorn"),
        "-w",
        str(workers),
        "-b",
        f"{HOST}:{port}",
        *extra_args,
        "wsgi:app",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    served = Served(
        base_url=f"http://{HOST}:{port}",
        admin_token=token,
        process=process,
        log_path=log_path,
        port=port,
        env=environment,
    )
    try:
        _wait_until_answering(served, START_SECONDS)
        yield served
    finally:
        stop(process)


class SlowUploads:
    """`count` connections that announce a large body and send one byte per `interval`.

    What a slow (or malicious) client does: each connection sends complete headers of
    ``POST path`` with ``Content-Length: length`` and then trickles the body. One background
    thread serves them all; `answers` collects what the server answered (the status line and
    headers, e.g. a 408). With ``reopen`` a closed connection is replaced, so that `count`
    stay open all the time. Use as a context manager.
    """

    def __init__(
        self,
        served: Served,
        count: int,
        *,
        path: str = "/api/verify",
        length: int = 1024 * 1024,
        interval: float = 1.0,
        reopen: bool = False,
    ) -> None:
        self.served = served
        self.count = count
        self.path = path
        self.length = length
        self.interval = interval
        self.reopen = reopen
        self.answers: list[bytes] = []
        self.opened = 0
        self._sockets: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._trickle, daemon=True)

    def _open(self) -> None:
        client = socket.create_connection((self.served.host, self.served.port), timeout=10)
        client.sendall(
            (
                f"POST {self.path} HTTP/1.1\r\nHost: {self.served.host}:{self.served.port}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {self.length}\r\n\r\n "
            ).encode("ascii")
        )
        client.setblocking(False)
        self._sockets.append(client)
        self.opened += 1

    def _trickle(self) -> None:
        while not self._stop.is_set():
            for client in list(self._sockets):
                try:
                    client.send(b" ")
                except OSError:
                    self._closed(client)
            deadline = time.monotonic() + self.interval
            while not self._stop.is_set() and (left := deadline - time.monotonic()) > 0:
                readable, _, _ = select.select(self._sockets, [], [], min(left, 0.2))
                for client in readable:
                    try:
                        data = client.recv(65536)
                    except OSError:
                        data = b""
                    if data:
                        self.answers.append(data)
                    self._closed(client)

    def _closed(self, client: socket.socket) -> None:
        if client in self._sockets:
            self._sockets.remove(client)
            client.close()
            if self.reopen and not self._stop.is_set():
                self._open()

    @property
    def open_now(self) -> int:
        return len(self._sockets)

    def __enter__(self) -> SlowUploads:
        for _ in range(self.count):
            self._open()
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        for client in self._sockets:
            client.close()
        self._sockets.clear()
