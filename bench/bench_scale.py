"""National-scale benchmark: a learner's path over HTTP with 1,000, 10,000 and 100,000 learners.

One reproducible run (issue #19, "Scale"):

1. starts a throwaway PostgreSQL cluster with the helpers of ``tests/postgres/conftest.py``
   (Debian's binaries; fsync off, as for the tests: only reads are measured), with
   ``shared_buffers`` raised to 128 MB (still a modest server), creates a database and migrates and
   seeds it (``flask --app wsgi seed`` with ``DATABASE_URL``);
2. for each step N (default 1,000 → 10,000 → 100,000), grows the same database to N learners
   with 40 evidence records each (``bench/scale_data.py``: ``COPY``, a few minutes for 100,000),
   then serves it with the real gunicorn (``tests/served.py``: 2 gthread workers, as in
   production) and, with ONE sequential client on one keep-alive ``http.client`` connection
   (gunicorn hands a keep-alive connection to one worker, so one worker serves it; the other
   idles, and its memory is the baseline), after a warm-up on 100 other learners:

   * ``GET /api/learners/{id}/path`` for 1,000 random learners (seeded RNG), each read for
     the first time by the worker (its record is not in the worker's cache), then the same
     1,000 again (record cached: what a learner refreshing their page costs);
   * ``GET /api/learners/{id}/paths`` (every qualification, ranked) for 1,000 random learners,
     on a freshly started service so that their records are not cached either;

   and the memory (VmRSS from ``/proc/<pid>/status``) of each worker, children of the gunicorn
   master;
3. counts the SQL statements of one path and one paths request in-process (an app on the same
   ``DATABASE_URL``, the Flask test client, a SQLAlchemy ``before_cursor_execute`` listener):
   for a few learners first read and cached, and for a learner with 40 and one with 400
   evidence records, to show the count does not grow with the record;
4. prints a compact table with the targets of the issue beside the figures (ok / MISSED).

The figures are for this machine: the client, gunicorn and PostgreSQL share its CPUs. Nothing
is asserted: the exit status is non-zero only when the service cannot be started or a request
fails. The cluster and the temporary folder are removed at the end.

Run: ``.venv/bin/python bench/bench_scale.py [--learners 1000,10000,100000] [--quick]``
(``--quick``: 1,000 learners only, about a minute; the full run takes 5–8 minutes).
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scale_data import add_evidence, ensure_learners, learner_id  # noqa: E402
from tests.postgres.conftest import (  # noqa: E402
    PostgresServer,
    _unprivileged,
    find_bindir,
    running_cluster,
)
from tests.served import Served, serve  # noqa: E402

SEED = 20250901
RUN = "scale"
WARM_RUN = "warm"  # learners for the warm-up, never in a measured sample
HEAVY_RUN = "heavy"  # heavy-000001: 40 evidence records; heavy-000002: 400
HEAVY_EVIDENCE = 400
WARMUP_LEARNERS = 100
SAMPLE = 1_000
#: Modest server settings (a small dedicated database server would have more).
SERVER_SETTINGS = {"shared_buffers": "128MB", "effective_cache_size": "1GB"}
DATABASE = "leerlijn_scale"
#: Targets of issue #19 (milliseconds).
PATH_P50_MS, PATH_P99_MS, PATHS_P50_MS = 20.0, 100.0, 100.0


@dataclass
class Step:
    """The figures of one number of learners."""

    learners: int
    generated: str = ""
    path_ms: list[float] = field(default_factory=list)
    path_cached_ms: list[float] = field(default_factory=list)
    paths_ms: list[float] = field(default_factory=list)
    #: Per phase ("path", "paths"): (worker, VmRSS MiB, RssAnon MiB), the serving one first.
    rss_mib: dict[str, list[tuple[str, float, float]]] = field(default_factory=dict)
    statements: dict[str, int] = field(default_factory=dict)
    path_bytes: list[int] = field(default_factory=list)


def quantile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def verdict(value: float, target: float) -> str:
    return "ok" if value <= target else "MISSED"


# --- PostgreSQL ---------------------------------------------------------------------------------


@contextmanager
def postgres() -> Iterator[PostgresServer]:
    """A throwaway cluster (tests/postgres helpers), restarted with `SERVER_SETTINGS`.

    The helper starts the server with ``-c shared_buffers=32MB`` on the command line, which
    ``postgresql.conf`` and ``ALTER SYSTEM`` cannot override; so it is stopped and started again
    here with the helper's options plus `SERVER_SETTINGS` (later ``-c`` options win).
    `running_cluster` stops it by its ``postmaster.pid`` and removes it at the end.
    """
    bindir = find_bindir()
    if bindir is None:
        raise SystemExit(
            "no PostgreSQL server binaries (initdb, pg_ctl, postgres) found; install Debian's "
            "'postgresql' (scripts/install-test-deps.sh) or set LEERLIJN_PG_BINDIR"
        )
    with running_cluster(bindir) as server:
        server.stop()
        options = " ".join(
            [
                f"-h {server.host} -p {server.port} -k {server.socket_dir}",
                "-F -c synchronous_commit=off -c full_page_writes=off -c max_connections=50",
                *(f"-c {name}={value}" for name, value in SERVER_SETTINGS.items()),
            ]
        )
        done = subprocess.run(
            [str(bindir / "pg_ctl"), "-D", str(server.data), "-l", str(server.log),
             "-o", options, "-w", "-t", "60", "start"],
            cwd=server.root, capture_output=True, text=True, timeout=120, **_unprivileged(),
        )  # fmt: skip
        if done.returncode:
            raise SystemExit(f"pg_ctl start failed:\n{done.stdout}\n{done.stderr}")
        yield server


def pg_settings(server: PostgresServer) -> str:
    names = ("server_version", "shared_buffers", "work_mem", "effective_cache_size", "fsync")
    with server.connect() as connection:
        shown = [(name, connection.execute(f"SHOW {name}").fetchone()) for name in names]
    return ", ".join(f"{name} {row[0] if row else '?'}" for name, row in shown)


# --- HTTP -------------------------------------------------------------------------------------


class Client:
    """One sequential client on one keep-alive connection, timing each whole answer."""

    def __init__(self, served: Served) -> None:
        self.served = served
        self.headers = {"Authorization": f"Bearer {served.admin_token}"}
        self.connection = http.client.HTTPConnection(served.host, served.port, timeout=60)

    def get(self, path: str) -> tuple[float, bytes]:
        """GET `path`; (milliseconds until the body was read, body). Fails on a non-200."""
        began = time.perf_counter()
        self.connection.request("GET", path, headers=self.headers)
        response = self.connection.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - began) * 1_000
        if response.status != 200:
            raise RuntimeError(f"GET {path} → {response.status}: {body[:300]!r}")
        return elapsed, body

    def close(self) -> None:
        self.connection.close()


def worker_pids(served: Served) -> list[int]:
    """The pids of gunicorn's workers: the children of the master."""
    master = served.process.pid
    children_file = Path(f"/proc/{master}/task/{master}/children")
    if children_file.exists():
        return sorted(int(pid) for pid in children_file.read_text().split())
    children = []  # kernels without CONFIG_PROC_CHILDREN: every process whose parent is master
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                children.append(int(entry.name))
    return sorted(children)


def serving_worker(served: Served, client: Client, pids: list[int]) -> int | None:
    """The worker holding `client`'s keep-alive connection (its socket in /proc/<pid>/fd)."""
    sock = client.connection.sock
    if sock is None:
        return None
    client_port = sock.getsockname()[1]
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = (int(a.rsplit(":", 1)[1], 16) for a in fields[1:3])
        if local == served.port and remote == client_port:
            inode = fields[9]
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(fd) == f"socket:[{inode}]":
                    return pid
            except OSError:
                continue
    return None


def memory(pid: int) -> tuple[float, float]:
    """(VmRSS, RssAnon) of `pid` in MiB: resident in all, and the process's own heap."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "RssAnon"):
            found[name] = int(value.split()[0]) / 1024
    return found.get("VmRSS", 0.0), found.get("RssAnon", 0.0)


def warm_up(client: Client) -> None:
    """Both endpoints for `WARMUP_LEARNERS` learners that no measured sample contains."""
    for number in range(1, WARMUP_LEARNERS + 1):
        client.get(f"/api/learners/{learner_id(WARM_RUN, number)}/path")
        client.get(f"/api/learners/{learner_id(WARM_RUN, number)}/paths")


def measure_http(step: Step, served_path: Served, rng: random.Random, suffix: str) -> None:
    client = Client(served_path)
    try:
        warm_up(client)
        sample = [learner_id(RUN, n) for n in rng.sample(range(1, step.learners + 1), SAMPLE)]
        for learner in sample:
            elapsed, body = client.get(f"/api/learners/{learner}/{suffix}")
            if suffix == "path":
                step.path_ms.append(elapsed)
                step.path_bytes.append(len(body))
            else:
                step.paths_ms.append(elapsed)
        if suffix == "path":
            for learner in sample:
                step.path_cached_ms.append(client.get(f"/api/learners/{learner}/path")[0])
        pids = worker_pids(served_path)
        serving = serving_worker(served_path, client, pids)
        ordered = sorted(pids, key=lambda pid: pid != serving)
        step.rss_mib[suffix] = [
            ("served" if pid == serving else "idle", *memory(pid)) for pid in ordered
        ]
    finally:
        client.close()


# --- SQL statements, in-process ---------------------------------------------------------------


def count_statements(database_url: str, token: str, folder: Path) -> dict[str, Any]:
    """SQL statements per request of an in-process app on `database_url` (Flask test client)."""
    import logging

    from sqlalchemy import event

    from app import create_app
    from app.config import Config
    from app.extensions import db
    from app.persistence.versions import RecordCache

    config = type(
        "ScaleBenchConfig",
        (Config,),
        {"SQLALCHEMY_DATABASE_URI": database_url, "LEERLIJN_INSTANCE_PATH": folder / "instance"},
    )
    application = create_app(config)
    logging.getLogger("leerlijn.requests").disabled = True  # no JSON line per request here
    seen: list[str] = []

    def listener(*args: Any) -> None:
        seen.append(args[2])

    with application.app_context():
        event.listen(db.engine, "before_cursor_execute", listener)
    client = application.test_client()
    headers = {"Authorization": f"Bearer {token}"}

    def run(path: str) -> tuple[int, float]:
        seen.clear()
        began = time.perf_counter()
        response = client.get(path, headers=headers)
        elapsed = (time.perf_counter() - began) * 1_000
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} → {response.status_code}: {response.data[:300]!r}")
        return len(seen), elapsed

    caches = application.extensions["path_caches"]

    def first_read(path: str) -> tuple[int, float]:
        caches.records = RecordCache()  # the learner's record is not cached: read it
        return run(path)

    counts: dict[str, Any] = {}
    counts["first request (catalog built)"] = run(f"/api/learners/{learner_id(WARM_RUN, 1)}/path")
    for suffix in ("path", "paths"):
        learners = [f"/api/learners/{learner_id(RUN, n)}/{suffix}" for n in (2, 3, 4)]
        caches.records = RecordCache()
        counts[f"{suffix}: record first read"] = [run(path) for path in learners]
        counts[f"{suffix}: record cached"] = [run(path) for path in learners]
    for number in (1, 2):
        heavy = learner_id(HEAVY_RUN, number)
        for suffix in ("path", "paths"):
            path = f"/api/learners/{heavy}/{suffix}"
            counts[f"{suffix}: {heavy}, first read"] = first_read(path)
            counts[f"{suffix}: {heavy}, cached"] = run(path)
    first_read(f"/api/learners/{learner_id(RUN, 5)}/path")
    counts["statements of a first read"] = [" ".join(s.split())[:110] for s in seen]
    with application.app_context():
        event.remove(db.engine, "before_cursor_execute", listener)
        db.session.remove()
        db.engine.dispose()
    return counts


# --- the run ----------------------------------------------------------------------------------


def seed_database(server: PostgresServer, database_url: str, folder: Path) -> None:
    """Migrate and seed (``flask seed``), then add the warm-up and the two heavy learners."""
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("LEERLIJN_")},
        "DATABASE_URL": database_url,
        "LEERLIJN_INSTANCE_PATH": str(folder / "instance"),
    }
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "seed"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"flask seed failed:\n{done.stdout}\n{done.stderr}")
    ensure_learners(database_url, WARMUP_LEARNERS, run=WARM_RUN, progress=None)
    ensure_learners(database_url, 2, run=HEAVY_RUN, progress=None)
    heavy = learner_id(HEAVY_RUN, 2)
    with server.connect(DATABASE) as connection:
        have = connection.execute("SELECT count(*) FROM evidence WHERE learner = %s", (heavy,))
        present = int(have.fetchone()[0])  # type: ignore[index]
    if present < HEAVY_EVIDENCE:
        add_evidence(database_url, heavy, HEAVY_EVIDENCE - present)


def run_step(
    server: PostgresServer, database_url: str, folder: Path, learners: int, step: Step
) -> None:
    print(f"-- {learners:,} learners: generating", flush=True)
    done = ensure_learners(database_url, learners, run=RUN)
    step.generated = (
        f"{done.learners_added:,} learners + {done.evidence_added:,} evidence rows added in "
        f"{done.seconds:.1f} s ({done.rows_per_second:,.0f} rows/s)"
    )
    print(f"   {step.generated}", flush=True)
    with server.connect(DATABASE) as connection:
        size = connection.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        print(f"   database size {size.fetchone()[0]}", flush=True)  # type: ignore[index]
    rng = random.Random(SEED + learners)
    for suffix in ("path", "paths"):
        print(f"   serving (2 workers); GET …/{suffix} for {SAMPLE:,} learners", flush=True)
        with serve(folder / f"served-{learners}-{suffix}", database_url=database_url) as served:
            measure_http(step, served, rng, suffix)
            if suffix == "path":
                counted = count_statements(database_url, served.admin_token, folder)
                step.statements = counted


def report(steps: list[Step], settings: str) -> None:
    print()
    print(
        f"PostgreSQL: {settings}; gunicorn 2 gthread workers; one sequential client, one "
        f"keep-alive connection; {SAMPLE:,} random learners per figure (seed {SEED}); "
        f"{os.cpu_count()} CPUs shared by client, gunicorn and PostgreSQL; load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    header = (
        f"{'learners':>9} | {'path p50':>8} {'p90':>6} {'p99':>6} | {'cached p50':>10} "
        f"{'p99':>6} | {'paths p50':>9} {'p99':>6} | {'RSS MiB path; paths':>20}"
    )
    print(header)
    print("-" * len(header))
    for step in steps:
        rss = "; ".join(
            " / ".join(f"{rss:.0f}" for _, rss, _ in step.rss_mib.get(phase, []))
            for phase in ("path", "paths")
        )
        print(
            f"{step.learners:>9,} | {quantile(step.path_ms, 50):8.1f} "
            f"{quantile(step.path_ms, 90):6.1f} {quantile(step.path_ms, 99):6.1f} | "
            f"{quantile(step.path_cached_ms, 50):10.1f} {quantile(step.path_cached_ms, 99):6.1f} | "
            f"{quantile(step.paths_ms, 50):9.1f} {quantile(step.paths_ms, 99):6.1f} | {rss:>20}"
        )
    print(
        "(milliseconds from sending the request to reading the whole answer; RSS: VmRSS of "
        "the worker that served the client / the idle one, after the path and the paths phase)"
    )
    for step in steps:
        for phase, workers in step.rss_mib.items():
            shown = ", ".join(f"{role} {rss:.0f} MiB (own heap {anon:.0f})"
                              for role, rss, anon in workers)  # fmt: skip
            print(f"  memory at {step.learners:,} learners after the {phase} phase: {shown}")
    first, last = steps[0], steps[-1]
    if len(steps) > 1:
        ratio = quantile(last.path_ms, 50) / quantile(first.path_ms, 50)
        print(
            f"path p50 at {last.learners:,} / at {first.learners:,} learners = {ratio:.2f} "
            "(must not grow with the number of learners: ~1.0)"
        )
    print(f"targets at {last.learners:,} learners:")
    for name, value, target in (
        ("path p50", quantile(last.path_ms, 50), PATH_P50_MS),
        ("path p99", quantile(last.path_ms, 99), PATH_P99_MS),
        ("paths p50", quantile(last.paths_ms, 50), PATHS_P50_MS),
    ):
        print(f"  {name:<10} {value:7.1f} ms   target ≤ {target:g} ms: {verdict(value, target)}")
    print("SQL statements per request (in-process, same database; count, ms in-process):")
    for name, value in last.statements.items():
        if name == "statements of a first read":
            print("  the statements of a path request whose record is read first:")
            for statement in value:
                print(f"    {statement}")
        elif isinstance(value, list):
            shown = ", ".join(f"{n} ({ms:.1f} ms)" for n, ms in value)
            print(f"  {name:<40} {shown}")
        else:
            print(f"  {name:<40} {value[0]} ({value[1]:.1f} ms)")
    sizes = last.path_bytes
    if sizes:
        print(f"path answer size: p50 {quantile([float(s) for s in sizes], 50):.0f} bytes")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--learners", default="1000,10000,100000", help="steps, comma-separated (growing)"
    )
    parser.add_argument("--quick", action="store_true", help="1,000 learners only")
    args = parser.parse_args()
    steps_wanted = [1_000] if args.quick else sorted(int(n) for n in args.learners.split(","))
    if steps_wanted[0] < SAMPLE:
        raise SystemExit(f"every step needs at least {SAMPLE:,} learners")
    folder = Path(tempfile.mkdtemp(prefix="leerlijn-scale-"))
    steps: list[Step] = []
    began = time.perf_counter()
    try:
        with postgres() as server:
            database_url = server.create_database(DATABASE)
            settings = pg_settings(server)
            print(f"PostgreSQL on {server.host}:{server.port}: {settings}", flush=True)
            seed_database(server, database_url, folder)
            for learners in steps_wanted:
                step = Step(learners)
                run_step(server, database_url, folder, learners, step)
                steps.append(step)
                report([step], settings)
                print(flush=True)
            print(f"== all steps ({time.perf_counter() - began:.0f} s in all)")
            report(steps, settings)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
