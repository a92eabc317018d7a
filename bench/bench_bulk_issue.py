"""Benchmark: issue N credentials in one bulk request versus N single ``POST /api/credentials``.

Usage::

    .venv/bin/python bench/bench_bulk_issue.py [--n 500]

A seeded app (in-memory database, temporary key folder) gets N new learners of MBO-ZW, each
with exam evidence for every outcome of two units (AV-LB and AV-NL-2F). Then, in-process
through Flask's test client as an admin: one ``POST /api/credentials/bulk`` (CSV) issues
AV-LB to all N learners in one transaction, and N single ``POST /api/credentials`` issue
AV-NL-2F to each. Prints both times, per credential, and the ratio single/bulk (no asserts).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from app import create_app  # noqa: E402
from app.config import TestConfig  # noqa: E402
from app.domain.access import SYSTEM  # noqa: E402
from app.extensions import db  # noqa: E402
from app.services import learner_details, learners  # noqa: E402
from app.services.seeding import load_seed  # noqa: E402
from tests.helpers import admin_client  # noqa: E402

UNITS = ("AV-LB", "AV-NL-2F")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500, help="credentials per way (default 500)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as keys:

        class Config(TestConfig):
            LEERLIJN_KEYS_DIR = Path(keys)
            LEERLIJN_REQUEST_TIMEOUT = 0.0  # measure the work, not the limit

        app = create_app(Config)
        client = admin_client(app)
        with app.app_context():
            db.create_all()
            load_seed(db.session, SYSTEM, app.config["SEED_DIR"], "MBO-ZW")
            db.session.remove()
        outcomes = [
            o["code"]
            for unit in UNITS
            for o in client.get(f"/api/units/{unit}").get_json()["outcomes"]
        ]
        began = time.perf_counter()
        with app.app_context():
            ids = []
            for i in range(args.n):
                learner = learner_details.create_learner(
                    db.session, SYSTEM, f"Bench {i}", "MBO-ZW", f"BENCH-{i}"
                )
                evidence = [
                    {"outcome": o, "source": "exam", "date": date(2025, 6, 1)} for o in outcomes
                ]
                learners.record_evidence(db.session, SYSTEM, learner.id, evidence)
                ids.append(learner.id)
            db.session.remove()
        print(f"{args.n} learners with evidence for {', '.join(UNITS)}: "
              f"{time.perf_counter() - began:.1f} s")  # fmt: skip

        text = "learner,type,code\n" + "".join(f"{i},unit,{UNITS[0]}\n" for i in ids)
        began = time.perf_counter()
        response = client.post("/api/credentials/bulk", data=text, content_type="text/csv")
        bulk = time.perf_counter() - began
        summary = response.get_json().get("summary")
        print(f"bulk:   {bulk:8.2f} s  {1000 * bulk / args.n:7.1f} ms/credential  "
              f"({response.status_code}, {summary})")  # fmt: skip

        began = time.perf_counter()
        statuses: dict[int, int] = {}
        for learner_id in ids:
            body = {"learner": learner_id, "achievement": {"type": "unit", "code": UNITS[1]}}
            status = client.post("/api/credentials", json=body).status_code
            statuses[status] = statuses.get(status, 0) + 1
        single = time.perf_counter() - began
        print(f"single: {single:8.2f} s  {1000 * single / args.n:7.1f} ms/credential  "
              f"(status counts {statuses})")  # fmt: skip
        print(f"ratio single/bulk: {single / bulk:.2f}")
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
