"""HTTP benchmark: requests/s of a learner's path vs a trivial endpoint, through gunicorn.

One reproducible run:

1. seeds a fresh SQLite file in a temporary folder (``flask --app wsgi seed`` with
   ``DATABASE_URL`` pointing at it);
2. starts ``gunicorn --workers 2 --bind 127.0.0.1:<free port> wsgi:app`` with the same
   environment and waits until it answers;
3. looks up the seeded demo learner DEMO-L5 and measures, for a fixed duration each (after a
   short warm-up; in 5 alternating slices, so that both see the same background load), with
   8 concurrent keep-alive connections (``http.client`` in threads, loopback only):

   * ``GET /api/learners/{DEMO-L5}/path?on=2025-09-01`` (catalog + record load, engine, JSON),
   * ``GET /api/supervision-levels`` (the trivial baseline: one small table);

4. prints both figures and their ratio (target: path ≥ 50 % of trivial), then stops gunicorn
   and removes the temporary folder.

Both endpoints are measured in the same run on the same server, so machine speed cancels out
of the ratio. The load generator shares the CPU with the server; the figures are for this
machine, the ratio is the number to watch. The exit status is non-zero only when the server
cannot be started or a request fails, not when the ratio misses the target.

Run: ``.venv/bin/python bench/bench_http_path.py [--seconds 5] [--connections 8]``
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
HOST = "127.0.0.1"
ON = "2025-09-01"
TRIVIAL = "/api/supervision-levels"
TARGET_RATIO = 0.50
WARMUP_SECONDS = 1.0
ROUNDS = 5


@dataclass
class Figures:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    def add(self, other: Figures) -> None:
        self.requests += other.requests
        self.errors += other.errors
        self.seconds += other.seconds
        self.latencies_ms += other.latencies_ms

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def quantile(self, q: int) -> float:
        if len(self.latencies_ms) < 2:
            return self.latencies_ms[0] if self.latencies_ms else 0.0
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[q - 1]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


#: The bearer token both endpoints are asked with (created by `flask tokens create`).
HEADERS: dict[str, str] = {}


def get(port: int, path: str, timeout: float = 10.0) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers=HEADERS)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@contextmanager
def gunicorn(env: dict[str, str], port: int, workers: int) -> Iterator[subprocess.Popen[bytes]]:
    """Run gunicorn on `port` until the block ends; stop it (SIGTERM, then SIGKILL) by its pid."""
    bind = f"{HOST}:{port}"
    command = [str(BIN / "gunicorn"), "--workers", str(workers), "--bind", bind, "wsgi:app"]
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if server.poll() is not None:
                log = server.stderr.read().decode(errors="replace") if server.stderr else ""
                raise SystemExit(f"gunicorn exited with {server.returncode}:\n{log}")
            try:
                if get(port, TRIVIAL, timeout=1.0)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("gunicorn did not answer within 30 s")
            time.sleep(0.1)
        yield server
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        if server.stderr:
            server.stderr.close()


def load(port: int, path: str, seconds: float, connections: int) -> Figures:
    """GET `path` as fast as possible on `connections` keep-alive connections for `seconds`."""
    start = threading.Barrier(connections + 1)
    lock = threading.Lock()
    totals = {"requests": 0, "errors": 0}
    latencies: list[float] = []
    stop_at = [0.0]

    def worker() -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        done = errors = 0
        mine: list[float] = []
        start.wait()
        try:
            while time.perf_counter() < stop_at[0]:
                began = time.perf_counter()
                try:
                    connection.request("GET", path, headers=HEADERS)
                    response = connection.getresponse()
                    response.read()
                    ok = response.status == 200
                except (OSError, http.client.HTTPException):
                    ok = False
                    connection.close()  # http.client reconnects on the next request
                mine.append((time.perf_counter() - began) * 1_000)
                done += 1
                errors += not ok
        finally:
            connection.close()
            with lock:
                totals["requests"] += done
                totals["errors"] += errors
                latencies.extend(mine)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    stop_at[0] = began + seconds
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return Figures(totals["requests"], totals["errors"], elapsed, latencies)


def report(name: str, figures: Figures) -> None:
    print(
        f"{name:<8} {figures.per_second:8.1f} req/s   {figures.requests:6d} requests in "
        f"{figures.seconds:4.1f} s   p50 {figures.quantile(50):6.2f} ms   "
        f"p99 {figures.quantile(99):6.2f} ms   errors {figures.errors}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="duration per endpoint")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="leerlijn-bench-"))
    try:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'leerlijn.sqlite3'}"}
        seed = [str(BIN / "flask"), "--app", "wsgi", "seed"]
        seeded = subprocess.run(seed, cwd=ROOT, env=env, capture_output=True, text=True)
        if seeded.returncode != 0:
            print(seeded.stdout, seeded.stderr, sep="\n", file=sys.stderr)
            return 1
        token = [str(BIN / "flask"), "--app", "wsgi", "tokens", "create", "--role", "admin"]
        created = subprocess.run(token, cwd=ROOT, env=env, capture_output=True, text=True)
        if created.returncode != 0:
            print(created.stdout, created.stderr, sep="\n", file=sys.stderr)
            return 1
        # Both endpoints are asked with the token, so both pay for authentication.
        HEADERS["Authorization"] = "Bearer " + created.stdout.strip().splitlines()[-1]
        port = free_port()
        with gunicorn(env, port, args.workers):
            status, body = get(port, "/api/learners?external_id=DEMO-L5")
            items = json.loads(body)["items"] if status == 200 else []
            if len(items) != 1:
                print(f"DEMO-L5 not found ({status}): {body[:200]!r}", file=sys.stderr)
                return 1
            path = f"/api/learners/{items[0]['id']}/path?on={ON}"
            status, body = get(port, path)
            if status != 200:
                print(f"GET {path} → {status}: {body[:300]!r}", file=sys.stderr)
                return 1
            result = json.loads(body)

            print(
                f"gunicorn --workers {args.workers} on {HOST}:{port}, seeded SQLite "
                f"in {folder.name}; {args.connections} keep-alive connections, "
                f"{args.seconds:g} s per endpoint ({ROUNDS} alternating slices) after "
                f"{WARMUP_SECONDS:g} s warm-up; "
                f"{os.cpu_count()} CPUs shared with the load generator"
            )
            print(
                f"path     GET {path}  ({len(body)} bytes, {len(result['order'])} units, "
                f"{result['remaining_hours']} h, finish {result['expected_finish']})"
            )
            print(f"trivial  GET {TRIVIAL}  ({len(get(port, TRIVIAL)[1])} bytes)")
            targets = {"path": path, "trivial": TRIVIAL}
            for target in targets.values():
                load(port, target, WARMUP_SECONDS, args.connections)
            # Alternate short slices so that both endpoints see the same background load.
            figures = {name: Figures(0, 0, 0.0, []) for name in targets}
            for _ in range(ROUNDS):
                for name, target in targets.items():
                    figures[name].add(load(port, target, args.seconds / ROUNDS, args.connections))
            for name, found in figures.items():
                report(name, found)
        ratio = figures["path"].per_second / figures["trivial"].per_second
        verdict = "meets" if ratio >= TARGET_RATIO else "BELOW"
        target = f"target ≥ {TARGET_RATIO:.0%}: {verdict}"
        print(f"ratio    path / trivial = {ratio:.2f}  ({ratio:.0%}; {target})")
        return 1 if any(f.errors for f in figures.values()) else 0
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
