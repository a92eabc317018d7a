"""Slow-client benchmark: normal GET latency while clients trickle large bodies.

One reproducible run, two services started with ``tests/served.py`` (seeded SQLite in a
temporary folder, ``gunicorn -w 2 -b 127.0.0.1:<free port> wsgi:app`` in the project root):

1. **gunicorn.conf.py** (gthread workers, the app's body deadline): latency of sequential
   ``GET /api/units?limit=5`` with no slow client, then with 50 slow connections open, each
   announcing a 1 MB body to ``POST /api/verify`` and sending one byte a second (a closed one
   is reopened at once, so 50 stay open);
2. **the old setting** as baseline (``-k sync --threads 1``): the same GETs with no slow client,
   then with 4 slow connections (each GET gives up after ``--baseline-timeout`` seconds, to
   keep the run short).

Prints p50/p99/max per case and the ratio "with slow clients / without" for both settings
(target for gunicorn.conf.py: every GET within a second). The exit status is non-zero only
when a service cannot be started.

Run: ``.venv/bin/python bench/bench_slow_clients.py [--requests 100] [--slow 50]``
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.served import Served, SlowUploads, serve  # noqa: E402

PATH = "/api/units?limit=5"
TARGET_SECONDS = 1.0


@dataclass
class Latencies:
    """Seconds per GET; a GET that failed or gave up counts with the time it took."""

    seconds: list[float]
    failures: int

    def quantile(self, q: int) -> float:
        if len(self.seconds) < 2:
            return self.seconds[0] if self.seconds else 0.0
        return statistics.quantiles(self.seconds, n=100, method="inclusive")[q - 1]

    @property
    def worst(self) -> float:
        return max(self.seconds, default=0.0)

    def line(self, name: str) -> str:
        return (
            f"{name:<40} n={len(self.seconds):3d}  p50 {self.quantile(50) * 1000:8.1f} ms  "
            f"p99 {self.quantile(99) * 1000:8.1f} ms  max {self.worst * 1000:8.1f} ms  "
            f"failed {self.failures}"
        )


def measure(served: Served, count: int, timeout: float) -> Latencies:
    """`count` sequential GETs, each on a new connection (as a fresh visitor)."""
    seconds: list[float] = []
    failures = 0
    for _ in range(count):
        began = time.perf_counter()
        try:
            ok = served.request("GET", PATH, timeout=timeout).status == 200
        except (OSError, http.client.HTTPException):
            ok = False
        seconds.append(time.perf_counter() - began)
        failures += not ok
    return Latencies(seconds, failures)


def run_case(
    folder: Path,
    extra_args: tuple[str, ...],
    slow: int,
    counts: tuple[int, int],
    timeout: float,
) -> tuple[Latencies, Latencies, int]:
    """GETs without, then with `slow` slow uploads; `counts` GETs in each case."""
    with serve(folder, workers=2, extra_args=extra_args) as served:
        measure(served, 5, timeout)  # warm-up: both workers loaded
        quiet = measure(served, counts[0], timeout)
        with SlowUploads(served, slow, reopen=True) as uploads:
            time.sleep(1.5)  # the slow connections are accepted and trickling
            pressed = measure(served, counts[1], timeout)
            still_open = uploads.open_now
    return quiet, pressed, still_open


def ratio(pressed: Latencies, quiet: Latencies) -> str:
    return f"p50 ×{pressed.quantile(50) / max(quiet.quantile(50), 1e-9):.1f}, " + (
        f"max ×{pressed.worst / max(quiet.worst, 1e-9):.1f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100, help="GETs per case")
    parser.add_argument("--slow", type=int, default=50, help="slow connections (gthread)")
    parser.add_argument("--baseline-slow", type=int, default=4, help="slow connections (sync)")
    parser.add_argument("--baseline-requests", type=int, default=3, help="GETs under pressure")
    parser.add_argument("--baseline-timeout", type=float, default=10.0, help="seconds per GET")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="leerlijn-bench-slow-") as temporary:
        root = Path(temporary)
        began = time.monotonic()
        quiet, pressed, still_open = run_case(
            root / "gthread", (), args.slow, (args.requests, args.requests), 10
        )
        print(
            f"gunicorn -w 2 with gunicorn.conf.py (gthread); sequential GET {PATH}; "
            f"{args.slow} slow uploads (1 MB announced, 1 byte/s)"
        )
        print(quiet.line("  no slow client"))
        print(pressed.line(f"  {args.slow} slow connections ({still_open} open at end)"))
        print(
            f"  ratio with/without: {ratio(pressed, quiet)}; target: every GET < 1 s: "
            f"{'met' if pressed.worst < TARGET_SECONDS and not pressed.failures else 'MISSED'}"
        )

        base_quiet, base_pressed, base_open = run_case(
            root / "sync",
            ("-k", "sync", "--threads", "1"),
            args.baseline_slow,
            (args.requests, args.baseline_requests),
            args.baseline_timeout,
        )
        print(
            f"baseline: gunicorn -w 2 -k sync --threads 1 (the old setting); "
            f"{args.baseline_slow} slow uploads; a GET gives up after {args.baseline_timeout:g} s"
        )
        print(base_quiet.line("  no slow client"))
        print(base_pressed.line(f"  {args.baseline_slow} slow connections ({base_open} open)"))
        print(f"  ratio with/without: {ratio(base_pressed, base_quiet)}")
        print(
            f"gthread p99 under {args.slow} slow connections vs sync under "
            f"{args.baseline_slow}: {pressed.quantile(99) * 1000:.1f} ms vs "
            f"{base_pressed.quantile(99) * 1000:.1f} ms; run took {time.monotonic() - began:.0f} s"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
