"""Large imports as jobs on a real PostgreSQL: complete and audited; written in one transaction,
so a failing step rolls everything back, while the job's progress (recorded beside it) and the
registry version (bumped only at the commit) can be read meanwhile."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.persistence import registry_bulk
from app.persistence.models.access import AuditRow
from app.persistence.models.jobs import JobRow
from app.persistence.models.registry import OutcomeRow, PrerequisiteRow, UnitRow
from app.persistence.versions import current_version
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


def version(app: Flask) -> int:
    with app.app_context():
        try:
            return current_version(db.session)
        finally:
            db.session.remove()


def test_a_failed_import_job_is_rolled_back_whole_on_postgres(
    pg_seeded_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last step (the prerequisites) fails after 1,100 units were written in the job's
    transaction: nothing remains, not even in the audit trail. Seen from another connection
    just before the failure: none of the units, the job's progress, the version unmoved."""
    before = version(pg_seeded_app)
    seen: dict[str, Any] = {}

    def broken(session: Any, prerequisites: Any) -> None:
        with Session(session.get_bind().engine) as other:
            seen["units"] = other.scalar(
                select(func.count()).select_from(UnitRow).where(UnitRow.code.like("BC-PGX-%"))
            )
            seen["progress"] = [(j.stage, j.done, j.total) for j in other.scalars(select(JobRow))]
            seen["version"] = current_version(other)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(registry_bulk, "insert_prerequisites", broken)
    api = admin_client(pg_seeded_app)
    job, _ = wait(api, start(api, package(1_100, prefix="BC-PGX")))
    assert job["status"] == "failed" and job["result"]["undone"] is True, job
    assert "nothing of it was written" in job["result"]["detail"]
    assert job["result"]["written"] == 1_100 and job["result"]["total"] == 2_199
    assert seen == {"units": 0, "progress": [("writing", 1_100, 2_199)], "version": before}
    units, outcomes, prerequisites, trail = counts(pg_seeded_app, "BC-PGX-")
    assert (units, outcomes, prerequisites, trail) == (0, 0, 0, 0)
    assert version(pg_seeded_app) == before
    # the same document then imports completely, and the version moves
    monkeypatch.undo()
    job, _ = wait(api, start(api, package(1_100, prefix="BC-PGX")))
    assert job["status"] == "done", job
    assert counts(pg_seeded_app, "BC-PGX-")[:3] == (1_100, 3_300, 1_099)
    assert version(pg_seeded_app) > before
