"""Benchmark: a 20,000-unit registry import against the real service, and everyone else meanwhile.

The package: 20,000 units with 3 outcomes each and a prerequisite chain through all of them
(~9 MB of JSON, under the 16 MB body limit). It is posted to ``POST /api/import`` of a real
gunicorn service (``tests/served.py``: ``gunicorn -w 2 wsgi:app`` with the project's
``gunicorn.conf.py``, a seeded SQLite file), which answers 202 and runs it as a job; the job's
URL is polled until it is done. Meanwhile four clients keep sending other requests — two
reading (a unit list, a qualification graph), two writing (a new unit each time) — and their
latency and status codes are recorded, before the import (the baseline of this run), during
it, and after it (the registry then holds the new units, so this separates the cost of a larger
registry from the cost of the running import). A small import of 500 units (answered
synchronously, one transaction) is timed too, as the in-run baseline of the import itself.

Run: ``.venv/bin/python bench/bench_import_20k.py [--units 20000] [--workers 2]``. It prints
figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.served import Served, serve  # noqa: E402

PAUSE_SECONDS = 0.05


def package(count: int, prefix: str) -> dict[str, Any]:
    """`count` units with 3 outcomes each and a prerequisite chain through all of them."""
    units = [
        {
            "code": f"{prefix}-{i:05}",
            "kind": "BC",
            "title": f"Eenheid {i} van het grote pakket",
            "study_load_hours": 40,
            "institution": "MBO-ZW",
            "outcomes": [
                {
                    "code": f"{prefix}-{i:05}:{k}",
                    "title": f"Resultaat {k} van eenheid {i}",
                    "dossier_code": f"W{k}",
                }
                for k in (1, 2, 3)
            ],
        }
        for i in range(count)
    ]
    chain = [
        {"unit": f"{prefix}-{i:05}", "requires": f"{prefix}-{i - 1:05}"} for i in range(1, count)
    ]
    return {"units": units, "prerequisites": chain}


class Others:
    """Clients sending other requests until stopped; every answer's (kind, status, seconds)."""

    KINDS = ("read units", "read graph", "write unit", "write unit")

    def __init__(self, served: Served) -> None:
        self.served = served
        self.numbers = itertools.count()
        self.lock = threading.Lock()

    def request(self, kind: str) -> int:
        if kind == "read units":
            return self.served.request("GET", "/api/units?limit=20").status
        if kind == "read graph":
            return self.served.request("GET", "/api/qualifications/Q-VP/graph").status
        code = f"BC-OTHER-{next(self.numbers):05}"
        unit = {
            "code": code,
            "kind": "BC",
            "title": "Tussendoor",
            "study_load_hours": 40,
            "institution": "MBO-ZW",
            "outcomes": [{"code": f"{code}:1", "title": "Resultaat"}],
        }
        return self.served.request("POST", "/api/units", json=unit).status

    def run_while(self, action: Callable[[], Any]) -> tuple[Any, list[tuple[str, int, float]]]:
        """Run `action` with the clients busy; its result and the samples taken meanwhile."""
        samples: list[tuple[str, int, float]] = []
        self.started: list[float] = []
        stopping = threading.Event()

        def loop(kind: str) -> None:
            while not stopping.is_set():
                start = time.perf_counter()
                try:
                    status = self.request(kind)
                except OSError:
                    status = 0
                with self.lock:
                    samples.append((kind, status, time.perf_counter() - start))
                    self.started.append(start)
                time.sleep(PAUSE_SECONDS)

        threads = [threading.Thread(target=loop, args=(kind,)) for kind in self.KINDS]
        for thread in threads:
            thread.start()
        try:
            result = action()
        finally:
            stopping.set()
            for thread in threads:
                thread.join()
        return result, samples


def summary(label: str, samples: list[tuple[str, int, float]]) -> None:
    print(f"{label}:")
    for kind in sorted({k for k, _, _ in samples}):
        times = sorted(s for k, _, s in samples if k == kind)
        codes = Counter(status for k, status, _ in samples if k == kind)
        statuses = ", ".join(f"{code}×{n}" for code, n in sorted(codes.items()))
        print(
            f"  {kind:<11} n={len(times):4}  p50 {statistics.median(times) * 1000:7.1f} ms  "
            f"max {max(times) * 1000:7.1f} ms   {statuses}"
        )
    slowest = max(s for _, _, s in samples)
    errors = sum(status >= 500 or status == 0 for _, status, _ in samples)
    print(f"  slowest answer {slowest:.2f} s; 5xx or no answer: {errors}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    document = package(args.units, "BC-BIG")
    size = len(json.dumps(document).encode("utf-8")) / 1e6
    print(
        f"package: {args.units} units × 3 outcomes, {args.units - 1} prerequisites (a chain), "
        f"{size:.1f} MB; gunicorn -w {args.workers}, SQLite file, seed loaded\n"
    )
    with tempfile.TemporaryDirectory(prefix="leerlijn-bench-import-") as folder:
        with serve(Path(folder), workers=args.workers) as served:
            others = Others(served)
            _, idle = others.run_while(lambda: time.sleep(3))
            summary("other requests, no import running (baseline)", idle)

            small = package(500, "BC-SMALL")
            start = time.perf_counter()
            answer = served.request("POST", "/api/import", json=small, timeout=120)
            small_s = time.perf_counter() - start
            print(
                f"\nsmall import, 500 units (synchronous, one transaction): {answer.status} "
                f"in {small_s:.2f} s ({small_s / 500 * 1000:.2f} ms per unit)"
            )

            def big_import() -> dict[str, Any]:
                started = time.perf_counter()
                accepted = served.request("POST", "/api/import", json=document, timeout=120)
                accepted_s = time.perf_counter() - started
                url = accepted.json()["job"]
                path = url.split(served.base_url, 1)[-1]
                polls = []
                while True:
                    job = served.request("GET", path).json()
                    polls.append({**job["progress"], "at": time.perf_counter() - started})
                    if job["status"] != "running":
                        break
                    time.sleep(0.25)
                return {
                    "started": started,
                    "status": accepted.status,
                    "location": accepted.headers.get("Location") == url,
                    "accepted_s": accepted_s,
                    "total_s": time.perf_counter() - started,
                    "job": job,
                    "polls": polls,
                }

            outcome, during = others.run_while(big_import)
            job = outcome["job"]
            created = {k: len(v) for k, v in (job["result"] or {}).get("created", {}).items()}
            print(
                f"\nlarge import: {outcome['status']} (Location header: {outcome['location']}) "
                f"after {outcome['accepted_s']:.2f} s; job {job['status']} after "
                f"{outcome['total_s']:.1f} s in total "
                f"({outcome['total_s'] / args.units * 1000:.2f} ms per unit, "
                f"{outcome['total_s'] / args.units / (small_s / 500):.2f}× the small import's)"
            )
            print(f"  created: {created}")
            writing = [p for p in outcome["polls"] if p["stage"] == "writing"]
            print(
                f"  progress seen while writing: {len(writing)} polls, last {outcome['polls'][-1]}"
            )
            print()
            summary("other requests during the import", during)
            idle_max = max(s for _, _, s in idle)
            during_max = max(s for _, _, s in during)
            print(f"  slowest during / slowest before: {during_max / idle_max:.1f}×")
            stages = {}
            for poll in outcome["polls"]:
                stages.setdefault(poll["stage"], poll["at"])
            print(
                "  stages began (s after the POST): "
                + ", ".join(f"{stage} ≤{at:.1f}" for stage, at in stages.items())
            )
            slowest = sorted(
                zip(during, others.started, strict=True), key=lambda pair: -pair[0][2]
            )[:5]
            print(
                "  slowest five: "
                + ", ".join(
                    f"{kind} {seconds:.2f} s at {at - outcome['started']:.1f} s"
                    for (kind, _, seconds), at in slowest
                )
            )

            # The same requests once the registry holds the 20,000 units, with no import
            # running: what is due to the registry's size rather than to the import.
            _, after = others.run_while(lambda: time.sleep(20))
            print()
            summary("other requests after the import (registry 20k units larger, no import)", after)


if __name__ == "__main__":
    main()
