"""gunicorn settings, read from the working directory by ``gunicorn -w N -b HOST:PORT wsgi:app``.

``make run`` and the tests' ``tests/served.py`` start gunicorn in the project root, so they use
this file too; options on the command line (``-w``, ``-b``, ``--access-logfile``) and
``GUNICORN_CMD_ARGS`` override it.

Why threads (gthread), not sync or async workers
------------------------------------------------
A sync worker serves one connection at a time: four clients that announce a 1 MB body and send
one byte a second held every sync worker until gunicorn's 30 s timeout, and a normal GET waited
35 s. A gthread worker waits for a connection's first bytes in its event loop and gives each
request a thread from a pool of ``threads``; a slow client holds one thread, not the worker.
The app then bounds how long it holds it: it reads the whole body before anything else
(``LEERLIJN_REQUEST_BODY_TIMEOUT``, 20 s; a body that has not arrived by then is answered 408
and the connection closed), and bounds a request's database work (``LEERLIJN_REQUEST_TIMEOUT``;
see ``app/request_limits.py``). 64 threads per worker leave room for 50 slow connections even
if they all land on one worker (``bench/bench_slow_clients.py`` measures it).

An async worker (gevent) would hold slow clients even more cheaply, but it cooperates only at
patched I/O: SQLite's C calls (and its busy-wait on a locked database), signing and the path
engine block every other request of the worker while they run. Threads keep the code as it is
(psycopg 3, SQLAlchemy and Flask are thread-safe per request) and need no new dependency.

``timeout`` is no longer a request deadline: for gthread it only restarts a worker whose event
loop stopped answering. Errors gunicorn answers itself (a malformed request line, too large
headers) are RFC 9457 problem documents under ``/api`` (`ProblemThreadWorker`), like every
other error there.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import tempfile
from typing import Any

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker

PROBLEM_JSON = "application/problem+json"


class _CapturedError:
    """Stands in for the client socket while gunicorn writes its HTML error response."""

    def __init__(self) -> None:
        self.written = b""

    def gettimeout(self) -> float:
        return 0.0

    def setblocking(self, flag: bool) -> None:
        pass

    def sendall(self, data: bytes) -> None:
        self.written += data


class ProblemThreadWorker(ThreadWorker):  # type: ignore[misc]
    """The gthread worker, answering its own errors under /api as problem documents."""

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        captured = _CapturedError()
        super().handle_error(req, captured, addr, exc)
        path = getattr(req, "path", None) or ""
        if not captured.written:
            return
        if path and not (path == "/api" or path.startswith("/api/")):
            util.write_nonblock(client, captured.written)  # pages keep gunicorn's HTML
            return
        try:
            util.write_nonblock(client, _problem_response(captured.written, path))
        except Exception:  # noqa: BLE001 - the client may be gone, as in gunicorn's own handler
            self.log.debug("Failed to send error message.")


def _problem_response(html_response: bytes, path: str) -> bytes:
    """Rewrite gunicorn's ``text/html`` error response as ``application/problem+json``."""
    head, _, body = html_response.partition(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0].decode("latin-1")
    _, status, reason = (status_line.split(" ", 2) + ["", ""])[:3]
    detail = body.decode("latin-1").split("</h1>", 1)[-1].split("</body>", 1)[0].strip()
    document: dict[str, Any] = {
        "type": "about:blank",
        "title": reason,
        "status": int(status) if status.isdigit() else 500,
        "detail": html.unescape(detail),
    }
    if path:
        document["instance"] = path
    payload = json.dumps(document).encode("utf-8")
    return (
        f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
        f"Content-Type: {PROBLEM_JSON}\r\nContent-Length: {len(payload)}\r\n\r\n"
    ).encode("latin-1") + payload


worker_class = ProblemThreadWorker
#: Threads per worker: each slow client holds one for at most LEERLIJN_REQUEST_BODY_TIMEOUT.
threads = 64
#: For gthread: restart a worker whose event loop is silent this long (not a request deadline).
timeout = 30
graceful_timeout = 30
#: Seconds an idle keep-alive connection stays open (it waits in the event loop, not a thread).
keepalive = 5
#: Parallel services (tests, benchmarks) would share one control socket in the home folder.
control_socket_disable = True


# --- Prometheus figures of all workers ---------------------------------------------------------
# Every worker writes its figures to files in one folder; /metrics (served by any worker) adds
# them up (prometheus_client's multiprocess mode). The folder is made fresh for each master
# process unless PROMETHEUS_MULTIPROC_DIR names one; a dead worker's live figures are dropped.
_made_metrics_dir = None
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    _made_metrics_dir = tempfile.mkdtemp(prefix="leerlijn-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = _made_metrics_dir


def on_exit(server: Any) -> None:
    if _made_metrics_dir:
        shutil.rmtree(_made_metrics_dir, ignore_errors=True)


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
