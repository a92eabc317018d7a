"""Time limits per request: a slow body, or slow database work, cannot hold a thread for long.

Two deadlines, both answered with an RFC 9457 problem document under ``/api`` (the HTML error
page elsewhere), through the ``HTTPException`` handler of `app.api.errors`:

* **The body** (``LEERLIJN_REQUEST_BODY_TIMEOUT`` seconds): under gunicorn the body is read
  completely before anything else runs, so no database connection or rate-limit slot is held
  meanwhile. A body that has not arrived by then is answered **408** and the connection is
  closed: its read side is shut down, which ends the blocked read at once, however slowly the
  client trickles bytes. (Without gunicorn, e.g. the test client, the body is read as usual.)
* **The database work** (``LEERLIJN_REQUEST_TIMEOUT`` seconds from the start of the request):
  a statement still running at the deadline is interrupted (SQLite's progress handler,
  PostgreSQL's ``statement_timeout``), the transaction rolls back and the answer is **503**.
  Python code between statements is not interrupted; it ends at its next statement.

``LEERLIJN_TEST_SLOW_PATH`` (tests only, off by default) names a path whose requests first
run an endless query, to show the deadline against a real server.
"""

from __future__ import annotations

import io
import socket
import threading
import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import Any

from flask import Flask, abort, request
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine, ExceptionContext
from werkzeug.exceptions import ServiceUnavailable

from app.extensions import db

#: environ key set when the body did not arrive in time.
BODY_TIMED_OUT = "leerlijn.body_timed_out"
#: `time.monotonic()` by which the current request's database work must end (None: no limit).
_deadline: ContextVar[float | None] = ContextVar("leerlijn_request_deadline", default=None)
_STATEMENT_TIMEOUT_SET = "leerlijn_statement_timeout_for"
#: SQLite calls the progress handler every this many virtual-machine instructions.
_SQLITE_PROGRESS_STEPS = 10_000
_READ_STEP = 64 * 1024

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class RequestTimedOut(ServiceUnavailable):
    """The request's database work ran past ``LEERLIJN_REQUEST_TIMEOUT``; nothing was written."""

    description = "the request took too long and was stopped; nothing was written"


class BodyDeadline:
    """WSGI middleware: read the whole request body within `seconds`, or mark it timed out.

    Parameters
    ----------
    wsgi_app : WSGI application
        The app to call once the body is in memory.
    seconds : float
        How long the client may take to send its body; 0 or less reads it as usual.
    max_length : int or None
        A body announced larger than this is left to the app (which answers 413 unread).
    """

    def __init__(self, wsgi_app: WsgiApp, seconds: float, max_length: int | None) -> None:
        self.wsgi_app = wsgi_app
        self.seconds = seconds
        self.max_length = max_length

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        client = environ.get("gunicorn.socket")
        if self.seconds > 0 and client is not None and self._has_readable_body(environ):
            self._read_body(environ, client)
        return self.wsgi_app(environ, start_response)

    def _has_readable_body(self, environ: dict[str, Any]) -> bool:
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return False
        if self.max_length is not None and length > self.max_length:
            return False
        return chunked or length > 0

    def _read_body(self, environ: dict[str, Any], client: socket.socket) -> None:
        lock = threading.Lock()
        state = {"done": False, "timed_out": False}

        def cut_off() -> None:
            with lock:
                if state["done"]:
                    return
                state["timed_out"] = True
            try:
                client.shutdown(socket.SHUT_RD)  # the blocked read returns at once
            except OSError:
                pass

        timer = threading.Timer(self.seconds, cut_off)
        timer.daemon = True
        timer.start()
        parts: list[bytes] = []
        received = 0
        announced = int(environ.get("CONTENT_LENGTH") or 0)
        # Never ask for more than is announced (a read would wait for bytes that never come);
        # a chunked body is read up to one byte past the limit, so that the app can refuse it.
        limit = announced or ((self.max_length + 1) if self.max_length else None)
        try:
            stream = environ["wsgi.input"]
            while limit is None or received < limit:
                wanted = _READ_STEP if limit is None else min(_READ_STEP, limit - received)
                part = stream.read(wanted)
                if not part:
                    break
                parts.append(part)
                received += len(part)
        except (OSError, ValueError):
            pass  # a reset or cut-off connection: what arrived is all there is
        finally:
            timer.cancel()
            with lock:
                state["done"] = True
        body = b"".join(parts)
        if state["timed_out"]:
            environ[BODY_TIMED_OUT] = True
            body = b""
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ["wsgi.input_terminated"] = True


def install_request_limits(app: Flask) -> None:
    """Wire both deadlines into `app` (call after the database extension is bound)."""
    app.wsgi_app = BodyDeadline(  # type: ignore[method-assign]
        app.wsgi_app,
        float(app.config["LEERLIJN_REQUEST_BODY_TIMEOUT"]),
        app.config.get("MAX_CONTENT_LENGTH"),
    )
    seconds = float(app.config["LEERLIJN_REQUEST_TIMEOUT"])
    slow_path = app.config["LEERLIJN_TEST_SLOW_PATH"]

    def start_request_clock() -> None:
        if request.environ.get(BODY_TIMED_OUT):
            abort(408, "the request body did not arrive in time")
        if seconds > 0:
            request.environ["leerlijn.deadline_token"] = _deadline.set(time.monotonic() + seconds)
        if slow_path and request.path == slow_path:
            _run_endless_query()

    def stop_request_clock(_error: BaseException | None) -> None:
        token = request.environ.pop("leerlijn.deadline_token", None)
        if token is not None:
            _deadline.reset(token)

    # First of all before-request hooks: no token lookup or rate limit for a late body.
    app.before_request_funcs.setdefault(None, []).insert(0, start_request_clock)
    app.teardown_request(stop_request_clock)
    with app.app_context():
        for engine in db.engines.values():
            _limit_statements(engine)


def _run_endless_query() -> None:
    """A statement that never ends by itself (LEERLIJN_TEST_SLOW_PATH only)."""
    endless = (
        "WITH RECURSIVE counter(n) AS (SELECT CAST(1 AS BIGINT) UNION ALL "
        "SELECT n + 1 FROM counter) SELECT count(*) FROM counter"
    )
    db.session.execute(text(endless))


def _limit_statements(engine: Engine) -> None:
    """Interrupt a statement still running at the request's deadline."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _install_sqlite_progress_handler)
    elif engine.dialect.name == "postgresql":
        event.listen(engine, "before_cursor_execute", _set_postgres_statement_timeout)
        event.listen(engine, "commit", _forget_statement_timeout)
        event.listen(engine, "rollback", _forget_statement_timeout)
    event.listen(engine, "handle_error", _raise_timed_out)


def _install_sqlite_progress_handler(dbapi_connection: Any, _record: Any) -> None:
    def past_deadline() -> int:
        deadline = _deadline.get()
        return int(deadline is not None and time.monotonic() > deadline)

    dbapi_connection.set_progress_handler(past_deadline, _SQLITE_PROGRESS_STEPS)


def _set_postgres_statement_timeout(
    connection: Connection, cursor: Any, *_args: Any, **_kwargs: Any
) -> None:
    """``SET LOCAL statement_timeout`` once per transaction, to the time left."""
    deadline = _deadline.get()
    if deadline is None or connection.info.get(_STATEMENT_TIMEOUT_SET) == deadline:
        return
    milliseconds = max(1, int((deadline - time.monotonic()) * 1000))
    cursor.execute(f"SET LOCAL statement_timeout = {milliseconds}")
    connection.info[_STATEMENT_TIMEOUT_SET] = deadline


def _forget_statement_timeout(connection: Connection) -> None:
    connection.info.pop(_STATEMENT_TIMEOUT_SET, None)


def _raise_timed_out(context: ExceptionContext) -> None:
    """A statement interrupted because the deadline passed becomes `RequestTimedOut`."""
    deadline = _deadline.get()
    if deadline is not None and time.monotonic() >= deadline:
        raise RequestTimedOut() from context.original_exception
