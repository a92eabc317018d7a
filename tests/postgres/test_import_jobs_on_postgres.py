"""Large imports as jobs on a real PostgreSQL: complete, audited, and undone when a step fails."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.persistence import registry_bulk
from app.persistence.models.access import AuditRow
from app.persistence.models.registry import OutcomeRow, PrerequisiteRow, UnitRow
from tests.api.test_import_jobs import package, start, wait
from tests.helpers import admin_client

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def counts(app: Flask, prefix: str) -> tuple[int, int, int, int]:
    """Units, outcomes, prerequisites and audit entries of units whose code has `prefix`."""
    with app.app_context():
        try:
            return tuple(  # type: ignore[return-value]
                db.session.scalar(select(func.count()).select_from(table).where(where))
                for table, where in (
                    (UnitRow, UnitRow.code.like(f"{prefix}%")),
                    (OutcomeRow, OutcomeRow.code.like(f"{prefix}%")),
                    (PrerequisiteRow, PrerequisiteRow.unit.like(f"{prefix}%")),
                    (AuditRow, AuditRow.entity_id.like(f"{prefix}%")),
                )
            )
        finally:
            db.session.remove()


def test_a_large_import_job_completes_on_postgres(pg_seeded_app: Flask) -> None:
    api = admin_client(pg_seeded_app)
    job, _ = wait(api, start(api, package(3_000, prefix="BC-PG")))
    assert job["status"] == "done", job
    assert job["progress"] == {"stage": "done", "done": 5_999, "total": 5_999}
    assert len(job["result"]["created"]["units"]) == 3_000
    assert counts(pg_seeded_app, "BC-PG-") == (3_000, 9_000, 2_999, 3_000 + 9_000 + 2_999)
    # the seed's registry is untouched and reads still work
    assert api.get("/api/units/BC-PG-02999").get_json()["outcomes"][2]["code"] == "BC-PG-02999:3"


def test_a_failed_import_job_leaves_nothing_on_postgres(
    pg_seeded_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(session: Any, prerequisites: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(registry_bulk, "insert_prerequisites", broken)
    api = admin_client(pg_seeded_app)
    job, _ = wait(api, start(api, package(1_100, prefix="BC-PGX")))
    assert job["status"] == "failed" and job["result"]["undone"] is True, job
    units, outcomes, prerequisites, trail = counts(pg_seeded_app, "BC-PGX-")
    assert (units, outcomes, prerequisites) == (0, 0, 0)
    assert trail == 2 * 1_100 * 4  # every row's creation and its removal
