"""Client code shared by ``bench/bench_load.py`` and ``tests/test_faults.py``.

* `Client`: one keep-alive HTTP connection per service address, as a real API client keeps;
* `evidence_item`, `evidence_ids`: evidence written with a unique ``ref``, and reading back
  which evidence of a learner a service holds;
* `worker_pids`, `wait_for_new_workers`: the workers of a gunicorn master (Linux ``/proc``), for
  killing one and waiting until gunicorn replaced it.

Only the standard library and `tests.served` are used, so bench scripts can import it (with the
project root on ``sys.path``).
"""

from __future__ import annotations

import http.client
import json as jsonlib
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from tests.served import Response, Served

#: Errors of a request that got no (complete) answer: refused, reset, closed, timed out.
NO_ANSWER = (OSError, http.client.HTTPException)
#: What a reused keep-alive connection raises when the server closed it while it was idle.
_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class Client:
    """Keep-alive connections to the services a client talks to (one per host and port).

    A request on a connection the server closed while idle (its keep-alive ran out) is sent
    once more on a fresh connection, as HTTP clients do; any other failure is raised (and the
    connection dropped), so a caller sees every request that got no answer.
    """

    def __init__(self, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self._connections: dict[tuple[str, int], http.client.HTTPConnection] = {}

    def request(
        self,
        served: Served,
        method: str,
        path: str,
        json: Any = None,
        token: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        body = None
        if json is not None:
            body = jsonlib.dumps(json).encode("utf-8")
            sent["Content-Type"] = "application/json"
        address = (served.host, served.port)
        reused = address in self._connections
        try:
            return self._send(address, method, path, body, sent)
        except _STALE:
            self.drop(address)
            if not reused:
                raise
        return self._send(address, method, path, body, sent)

    def _send(
        self,
        address: tuple[str, int],
        method: str,
        path: str,
        body: bytes | None,
        headers: dict[str, str],
    ) -> Response:
        connection = self._connections.get(address)
        if connection is None:
            connection = http.client.HTTPConnection(*address, timeout=self.timeout)
            self._connections[address] = connection
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            response = Response(answer.status, answer.headers, answer.read())
        except BaseException:
            self.drop(address)
            raise
        if answer.will_close:
            self.drop(address)
        return response

    def drop(self, address: tuple[str, int]) -> None:
        connection = self._connections.pop(address, None)
        if connection is not None:
            connection.close()

    def close(self) -> None:
        for address in list(self._connections):
            self.drop(address)


def evidence_item(outcome: str, ref: str, date: str = "2025-06-30") -> dict[str, Any]:
    """One evidence record (an exam) that `ref` identifies afterwards."""
    return {"outcome": outcome, "source": "exam", "date": date, "assessor": "load", "ref": ref}


def evidence_refs(served: Served, learner: str, token: str | None = None) -> dict[str, int]:
    """Every evidence record of `learner` on `served`: ``ref`` → evidence id (refs are unique)."""
    found: dict[str, int] = {}
    offset = 0
    while True:
        page = served.request(
            "GET",
            f"/api/learners/{learner}/evidence?limit=500&offset={offset}",
            token=token or served.admin_token,
        )
        if page.status != 200:
            raise RuntimeError(f"listing evidence of {learner}: {page.status} {page.text[:300]}")
        document = page.json()
        for item in document["items"]:
            if item.get("ref"):
                found[item["ref"]] = item["id"]
        offset += len(document["items"])
        if not document["items"] or offset >= document["total"]:
            return found


def learner_ids(served: Served) -> dict[str, str]:
    """External id → learner id of every learner on `served`."""
    found: dict[str, str] = {}
    offset = 0
    while True:
        document = served.request("GET", f"/api/learners?limit=500&offset={offset}").json()
        found.update({item["external_id"]: item["id"] for item in document["items"]})
        offset += len(document["items"])
        if not document["items"] or offset >= document["total"]:
            return found


# --- gunicorn's workers ----------------------------------------------------------------------


def worker_pids(master: int) -> set[int]:
    """The live child processes (workers) of the gunicorn `master`."""
    children: set[int] = set()
    for task in Path(f"/proc/{master}/task").glob("*"):
        try:
            children |= {int(pid) for pid in (task / "children").read_text().split()}
        except OSError:
            continue
    return {pid for pid in children if _alive(pid)}


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 0.05) -> bool:
    """Poll `predicate` until it holds or `timeout` seconds pass; whether it held."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def wait_for_new_workers(
    master: int, count: int, killed: set[int], timeout: float = 30.0
) -> set[int]:
    """Wait until `master` has `count` live workers, none of them in `killed`; return them."""

    def replaced() -> bool:
        now = worker_pids(master)
        return len(now) == count and not (now & killed)

    if not wait_until(replaced, timeout):
        raise AssertionError(
            f"gunicorn did not replace the killed workers {sorted(killed)} within {timeout:g} s "
            f"(workers now: {sorted(worker_pids(master))})"
        )
    return worker_pids(master)


def socket_owner(pids: set[int], local_port: int) -> int | None:
    """Which of `pids` holds the TCP socket bound locally to `local_port` (127.0.0.1), if any.

    Used to find the worker behind a PostgreSQL backend: ``pg_stat_activity.client_port`` is the
    worker's local port of that connection.
    """
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == local_port:
                inodes.add(fields[9])
    wanted = {f"socket:[{inode}]" for inode in inodes}
    for pid in pids:
        try:
            descriptors = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            continue
        for descriptor in descriptors:
            try:
                if str(descriptor.readlink()) in wanted:
                    return pid
            except OSError:  # closed meanwhile
                continue
    return None
