"""Faults on the real service: killed workers and a stopped PostgreSQL.

One gunicorn (2 workers) on a PostgreSQL cluster of this module's own: the last test stops and
starts the server, which the session's shared cluster (``tests/postgres``) must not see.

* ``kill -9`` of a worker during a burst of evidence writes (single records and lists of 20,
  each list one all-or-nothing request): every acknowledged write is there in full, every
  refused one not at all, one without an answer either in full or not at all; gunicorn replaces
  the worker and the service answers.
* ``kill -9`` of the worker running a large synchronous ``POST /api/import`` (killed while its
  transaction writes): none of the document's units remain (or all, had it answered), and the
  same import then succeeds.
* PostgreSQL stopped (``pg_ctl stop -m immediate``): API requests answer 503 problem documents,
  ``/readyz`` 503, ``/healthz`` 200, a page the 503 page, each promptly; started again, the
  service is ready and reads again by itself within 30 s.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.load_clients import (
    NO_ANSWER,
    evidence_item,
    evidence_refs,
    learner_ids,
    socket_owner,
    wait_for_new_workers,
    wait_until,
    worker_pids,
)
from tests.postgres.conftest import PostgresServer, own_cluster
from tests.served import Served, serve

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

WORKERS = 2
PROBLEM = "application/problem+json"
#: Seconds within which the service must serve again once PostgreSQL is back (issue #19).
RECOVERY_SECONDS = 30.0
#: Seconds an answer may take while the database is down (no request may hang).
PROMPT_SECONDS = 10.0
LIST_SIZE = 20
OUTCOMES = ("AV:NL-3F", "AV:REK-3F", "AV:EN-B1A2", "KD:K0210", "VP:P2-K1-W1")


@pytest.fixture(scope="module")
def cluster() -> Iterator[PostgresServer]:
    """A PostgreSQL cluster for this module alone (its last test stops and starts it)."""
    yield from own_cluster()


@pytest.fixture(scope="module")
def served(cluster: PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    url = cluster.create_database("leerlijn_faults")
    with serve(tmp_path_factory.mktemp("faults"), database_url=url, workers=WORKERS) as running:
        yield running


def serves(served: Served) -> bool:
    """The service answers /healthz and a read that needs the database."""
    try:
        return (
            served.request("GET", "/healthz", token=None, timeout=5).status == 200
            and served.request("GET", "/api/units?limit=1", timeout=5).status == 200
        )
    except NO_ANSWER:
        return False


def kill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)


# --- a worker killed during a burst of writes --------------------------------------------------


def test_a_worker_killed_during_writes_leaves_each_write_whole(served: Served) -> None:
    learner = learner_ids(served)["DEMO-L5"]
    url = f"/api/learners/{learner}/evidence"
    master = served.process.pid
    results: list[tuple[str, int, int | None]] = []  # (ref, records sent, status or no answer)
    stop = threading.Event()

    def write(number: int) -> None:
        sent = 0
        while not stop.is_set():
            sent += 1
            ref = f"burst-{number}-{sent}"
            size = LIST_SIZE if sent % 2 else 1
            body: Any = [
                evidence_item(OUTCOMES[k % len(OUTCOMES)], f"{ref}/{k}") for k in range(size)
            ]
            try:
                status: int | None = served.request("POST", url, json=body, timeout=30).status
            except NO_ANSWER:
                status = None
            results.append((ref, size, status))

    writers = [threading.Thread(target=write, args=(n,), daemon=True) for n in range(4)]
    for writer in writers:
        writer.start()
    killed: set[int] = set()

    def more_written(count: int) -> bool:
        """Wait until `count` more requests were answered (or not)."""
        target = len(results) + count
        return wait_until(lambda: len(results) >= target, timeout=30)

    try:
        assert more_written(8), "the writes did not start"
        for _ in range(5):  # kill until a request in flight lost its answer (the first usually)
            victim = min(worker_pids(master) - killed)
            kill(victim)
            killed.add(victim)
            wait_for_new_workers(master, WORKERS, killed)
            assert more_written(8), "the writes stopped after the kill"
            if any(status is None for _, _, status in results):
                break
    finally:
        stop.set()
        for writer in writers:
            writer.join(timeout=60)

    assert wait_until(lambda: serves(served), timeout=30), served.log()[-3000:]
    lost = [ref for ref, _, status in results if status is None]
    print(f"killed {len(killed)} worker(s); {len(results)} requests, {len(lost)} unanswered")
    assert lost, "no request was in flight on a killed worker; the test proved nothing"
    assert {status for _, _, status in results} <= {201, None}, results
    held = evidence_refs(served, learner)
    for ref, size, status in results:
        stored = sum(1 for k in range(size) if f"{ref}/{k}" in held)
        if status == 201:
            assert stored == size, f"{ref}: acknowledged, but {stored} of {size} records stored"
        else:
            assert stored in (0, size), f"{ref}: no answer, and {stored} of {size} records stored"


# --- a worker killed during a bulk import ------------------------------------------------------


def large_import(prefix: str, units: int) -> dict[str, Any]:
    """A registry document of `units` units with three outcomes each (under the job threshold)."""
    return {
        "units": [
            {
                "code": f"{prefix}-{n:05d}",
                "kind": "BC",
                "title": f"Eenheid {n}",
                "study_load_hours": 40,
                "outcomes": [
                    {"code": f"{prefix}:{n:05d}-{k}", "title": f"Leerresultaat {k}"}
                    for k in range(3)
                ],
            }
            for n in range(units)
        ]
    }


def count_units(cluster: PostgresServer, prefix: str) -> int:
    with cluster.connect("leerlijn_faults") as connection:
        row = connection.execute(
            "SELECT count(*) FROM units WHERE code LIKE %s", (f"{prefix}-%",)
        ).fetchone()
    assert row is not None
    return int(row[0])


def writing_import_backend(cluster: PostgresServer) -> int | None:
    """The client port of the connection whose open transaction is writing units, if any."""
    with cluster.connect() as connection:
        row = connection.execute(
            "SELECT client_port FROM pg_stat_activity WHERE datname = 'leerlijn_faults' "
            "AND xact_start IS NOT NULL AND query ILIKE 'INSERT INTO outcomes%'"
        ).fetchone()
    return int(row[0]) if row else None


def test_a_worker_killed_during_an_import_leaves_all_or_nothing(
    served: Served, cluster: PostgresServer
) -> None:
    prefix, units = "KILL", 1_900
    document = large_import(prefix, units)
    answer: list[int | None] = []

    def post() -> None:
        try:
            answer.append(served.request("POST", "/api/import", json=document, timeout=120).status)
        except NO_ANSWER:
            answer.append(None)

    importing = threading.Thread(target=post, daemon=True)
    importing.start()
    port = None
    deadline = time.monotonic() + 60
    while port is None and importing.is_alive() and time.monotonic() < deadline:
        port = writing_import_backend(cluster)
    assert port is not None, f"the import was not seen writing: {answer}"
    master = served.process.pid
    victim = socket_owner(worker_pids(master), port)
    assert victim is not None, "no worker holds the importing connection"
    kill(victim)
    importing.join(timeout=120)

    assert answer and answer[0] in (None, 200), answer
    stored = count_units(cluster, prefix)
    print(f"import answered {answer[0]}; {stored} of {units} units stored")
    if answer[0] == 200:
        assert stored == units
    else:  # killed in its transaction: nothing (or, had the commit just happened, everything)
        assert stored in (0, units), f"{stored} of {units} units remain"
    wait_for_new_workers(master, WORKERS, {victim})
    assert wait_until(lambda: serves(served), timeout=30), served.log()[-3000:]
    again = served.request("POST", "/api/import", json=document, timeout=120)
    assert again.status == 200, again.text[:2000]
    assert count_units(cluster, prefix) == units


# --- PostgreSQL stopped and started again ------------------------------------------------------


def prompt(served: Served, method: str, path: str, **kwargs: Any) -> Any:
    """One request that must be answered within `PROMPT_SECONDS`."""
    began = time.monotonic()
    response = served.request(method, path, timeout=PROMPT_SECONDS + 5, **kwargs)
    took = time.monotonic() - began
    assert took <= PROMPT_SECONDS, f"{method} {path} took {took:.1f} s"
    return response


def test_a_stopped_database_gives_503_and_the_service_recovers_by_itself(
    served: Served, cluster: PostgresServer
) -> None:
    learner = learner_ids(served)["DEMO-L5"]
    for _ in range(4 * WORKERS):  # every worker holds pooled connections
        assert served.request("GET", f"/api/learners/{learner}/path").status == 200
    cluster.stop()
    try:
        assert prompt(served, "GET", "/healthz", token=None).status == 200
        for method, path, body in [
            ("GET", "/readyz", None),
            ("GET", "/api/units?limit=1", None),
            ("GET", f"/api/learners/{learner}/path", None),
            ("POST", f"/api/learners/{learner}/evidence", evidence_item("AV:LB", "down")),
        ]:
            for _ in range(WORKERS):
                response = prompt(served, method, path, json=body)
                assert response.status == 503, (path, response.status, response.text[:500])
                assert response.content_type == PROBLEM, (path, response.text[:500])
                assert response.json()["status"] == 503
        anonymous = prompt(served, "GET", "/api/units?limit=1", token=None)
        assert (anonymous.status, anonymous.content_type) == (503, PROBLEM), anonymous.text[:500]
        assert anonymous.headers["Retry-After"]
        page = prompt(served, "GET", "/registry", token=None, headers={"Accept": "text/html"})
        assert page.status == 503 and page.content_type == "text/html", page.text[:500]
        assert "niet bereikbaar" in page.text
    finally:
        cluster.start(same_port=True)
    back = time.monotonic()

    def recovered() -> bool:
        try:
            return (
                served.request("GET", "/readyz", token=None, timeout=5).status == 200
                and served.request("GET", f"/api/learners/{learner}/path", timeout=5).status == 200
            )
        except NO_ANSWER:
            return False

    assert wait_until(recovered, timeout=RECOVERY_SECONDS, interval=0.2), served.log()[-3000:]
    took = time.monotonic() - back
    print(f"recovered {took:.2f} s after PostgreSQL was back")
    assert took <= RECOVERY_SECONDS
    for _ in range(4 * WORKERS):  # every worker, every pooled connection, serves again
        assert served.request("GET", f"/api/learners/{learner}/path").status == 200
    assert "Traceback" not in served.log(), served.log()[-3000:]
