"""Benchmark: server time of rendering the "Mijn leerpad" page on the seed data.

Seeds a fresh in-memory database, looks up the demo learner DEMO-L5 and renders
``GET /leerlingen/{id}?op=2025-09-01`` through the Flask test client (no network) many
times after a warm-up; prints p50, p95 and max in milliseconds against the target
(p95 ≤ 100 ms). The credential page and the verification POST are measured too, for
reference. The registry unit page, the qualification page and the vmbo matrix (with the overlap
report of Q-HZW) are measured against the same target. Exit status is non-zero only when a
request fails.

Run: ``.venv/bin/python bench/bench_pages.py [--runs 200]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.config import TestConfig  # noqa: E402
from app.domain.access import SYSTEM, Role  # noqa: E402
from app.extensions import db  # noqa: E402
from app.services import access  # noqa: E402
from app.services.seeding import load_seed  # noqa: E402

ON = "2025-09-01"
TARGET_MS = 100.0
WARMUP = 5


def measure(request, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    for _ in range(WARMUP):
        request()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = request()
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(
                f"request failed: {response.status_code} {response.get_data(as_text=True)[:300]}"
            )
    return times


def report(name: str, times: list[float], target: float | None = None) -> None:
    ordered = sorted(times)
    p50 = statistics.median(ordered)
    p95 = ordered[max(0, int(round(0.95 * len(ordered))) - 1)]
    verdict = ""
    if target is not None:
        verdict = f"  target p95 ≤ {target:.0f} ms: {'met' if p95 <= target else 'MISSED'}"
    print(
        f"{name:<34} runs={len(ordered):4d}  p50={p50:7.2f} ms  p95={p95:7.2f} ms"
        f"  max={ordered[-1]:7.2f} ms{verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()

    keys = tempfile.TemporaryDirectory()

    class Config(TestConfig):
        LEERLIJN_KEYS_DIR = Path(keys.name)

    app = create_app(Config)
    with app.app_context():
        db.create_all()
        load_seed(
            db.session, SYSTEM, app.config["SEED_DIR"], app.config["LEERLIJN_DEFAULT_INSTITUTION"]
        )
        db.session.remove()
    client = app.test_client()
    with app.app_context():  # sign in as the platform operator: bearer for /api, session for pages
        issued_token = access.create_token(db.session, SYSTEM, Role.ADMIN, label="bench")
        db.session.remove()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {issued_token.secret}"
    with client.session_transaction() as session:
        session["principal"] = f"token:{issued_token.info.id}"
    app.config["WTF_CSRF_ENABLED"] = False  # the verify form is posted without its page
    learner = client.get("/api/learners?external_id=DEMO-L5").get_json()["items"][0]["id"]
    issued = client.post(
        "/api/credentials",
        json={"learner": learner, "achievement": {"type": "unit", "code": "BC-VV-B1K1"}},
    )
    document = issued.get_json()
    credential = document["id"].rsplit("/", 1)[1]

    print(
        "Rendering pages on the seed data (SQLite in memory, Flask test client),"
        f" learner DEMO-L5, op={ON}"
    )
    report(
        "GET /leerlingen/{id} (Mijn leerpad)",
        measure(lambda: client.get(f"/leerlingen/{learner}?op={ON}"), args.runs),
        TARGET_MS,
    )
    report(
        "GET /credentials/{id}",
        measure(lambda: client.get(f"/credentials/{credential}"), max(20, args.runs // 4)),
    )
    pasted = {"credential": json.dumps(document)}
    report(
        "POST /verifieren",
        measure(lambda: client.post("/verifieren", data=pasted), max(20, args.runs // 4)),
    )
    # Web pages for people II: the registry and the vmbo mapping (same target as the path page).
    report(
        "GET /registry/units/{code}",
        measure(lambda: client.get("/registry/units/BC-VV-B1K1"), args.runs),
        TARGET_MS,
    )
    report(
        "GET /registry/qualifications/{code}",
        measure(lambda: client.get("/registry/qualifications/Q-VP"), args.runs),
        TARGET_MS,
    )
    matrix = "/vmbo/VMBO-ZW-WLC?kwalificatie=Q-HZW"
    report(
        "GET /vmbo/{programme} (matrix)", measure(lambda: client.get(matrix), args.runs), TARGET_MS
    )
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    keys.cleanup()


if __name__ == "__main__":
    main()
