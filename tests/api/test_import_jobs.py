"""Large registry imports run as jobs: 202 with the job's URL, progress and result by GET,
written in short steps (bulk inserts, every row audited), nothing left behind on bad input or
a failed step, readable only by whoever started them and admins; `flask import` shows a bar.

Each test has an app on a SQLite file of its own (the job's thread needs its own connection).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app import create_app
from app.config import TestConfig
from app.domain.access import SYSTEM, Principal, Role
from app.domain.errors import NotFound
from app.domain.model import Institution
from app.extensions import db
from app.persistence import registry_bulk
from app.persistence.models.access import AuditRow
from app.persistence.models.registry import OutcomeRow, PrerequisiteRow, UnitRow
from app.services import jobs
from app.services.importer import ImportDocument, import_registry
from tests.api._registry import dispose
from tests.helpers import admin_client, signed_in_client

#: How long a test waits for a job at most.
JOB_SECONDS = 60.0


def package(count: int, prefix: str = "BC-JOB", institution: str = "MBO-ZW") -> dict[str, Any]:
    """`count` units with 3 outcomes each and a prerequisite chain through all of them."""
    units = [
        {
            "code": f"{prefix}-{i:05}",
            "kind": "BC",
            "title": f"Eenheid {i}",
            "study_load_hours": 40,
            "institution": institution,
            "outcomes": [
                {"code": f"{prefix}-{i:05}:{k}", "title": f"Resultaat {k}", "dossier_code": f"W{k}"}
                for k in (1, 2, 3)
            ],
        }
        for i in range(count)
    ]
    chain = [
        {"unit": f"{prefix}-{i:05}", "requires": f"{prefix}-{i - 1:05}"} for i in range(1, count)
    ]
    return {"units": units, "prerequisites": chain}


def make_app(folder: Path, threshold: int) -> Flask:
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder / 'jobs.sqlite3'}"
        LEERLIJN_KEYS_DIR = folder / "keys"
        LEERLIJN_IMPORT_JOB_THRESHOLD = threshold

    app = create_app(Config)
    migrated = app.test_cli_runner().invoke(args=["init-db"])  # the jobs table's migration too
    assert migrated.exit_code == 0, migrated.output
    with app.app_context():
        institutions = (Institution("MBO-ZW", "ZW", "mbo"), Institution("MBO-B", "B", "mbo"))
        import_registry(db.session, SYSTEM, ImportDocument(institutions=institutions))
        db.session.remove()
    return app


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    """Jobs from 20 items on, so that most tests stay small."""
    application = make_app(tmp_path, threshold=20)
    yield application
    dispose(application)


def start(client: FlaskClient, document: dict[str, Any]) -> str:
    response = client.post("/api/import", json=document)
    assert response.status_code == 202, response.get_data(as_text=True)
    url = response.get_json()["job"]
    assert response.headers["Location"] == url and "/api/jobs/" in url
    return str(url)


def wait(client: FlaskClient, url: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Poll the job until it ends; its last state and the progress seen on the way."""
    seen = []
    deadline = time.monotonic() + JOB_SECONDS
    while time.monotonic() < deadline:
        response = client.get(url)
        assert response.status_code == 200, response.get_data(as_text=True)
        job = response.get_json()
        seen.append(job["progress"])
        if job["status"] != "running":
            return job, seen
        time.sleep(0.05)
    raise AssertionError(f"the job did not end within {JOB_SECONDS} s: {seen[-1]}")


def count(app: Flask, row_class: Any, *where: Any) -> int:
    with app.app_context():
        try:
            return int(db.session.scalar(select(func.count()).select_from(row_class).where(*where)))
        finally:
            db.session.remove()


def audited(app: Flask, **where: Any) -> list[AuditRow]:
    with app.app_context():
        try:
            query = select(AuditRow).filter_by(**where).order_by(AuditRow.id)
            rows = list(db.session.scalars(query))
            db.session.expunge_all()
            return rows
        finally:
            db.session.remove()


def test_a_large_import_runs_as_a_job_in_steps_and_is_complete(tmp_path: Path) -> None:
    app = make_app(tmp_path, threshold=2_000)  # the default
    try:
        api = admin_client(app)
        small = api.post("/api/import", json=package(5, prefix="BC-SYNC"))
        assert small.status_code == 200 and len(small.get_json()["created"]["units"]) == 5

        job, seen = wait(api, start(api, package(2_500)))

        assert job["status"] == "done", job
        assert job["progress"] == {"stage": "done", "done": 4_999, "total": 4_999}
        assert any(0 < p["done"] < p["total"] for p in seen if p["stage"] == "writing") or (
            len(seen) < 3  # a fast machine may finish between two polls
        )
        created = job["result"]["created"]
        assert len(created["units"]) == 2_500 and len(created["prerequisites"]) == 2_499
        assert count(app, UnitRow, UnitRow.code.like("BC-JOB-%")) == 2_500
        assert count(app, OutcomeRow, OutcomeRow.code.like("BC-JOB-%")) == 7_500
        assert count(app, PrerequisiteRow, PrerequisiteRow.unit.like("BC-JOB-%")) == 2_499
        assert api.get("/api/units/BC-JOB-02499/prerequisites").get_json()["requires"] == [
            "BC-JOB-02498"
        ]
        # every written row is in the audit trail, with the importing admin as actor
        entries = audited(app, entity="unit", action="create")
        actors = {entry.actor for entry in entries if entry.entity_id.startswith("BC-JOB-")}
        assert len(actors) == 1 and actors.pop().startswith("token:")
        parts = [entry.part for entry in entries if entry.entity_id.startswith("BC-JOB-")]
        assert (parts.count(None), parts.count("outcome"), parts.count("prerequisite")) == (
            2_500,
            7_500,
            2_499,
        )
        assert [entry.action for entry in audited(app, entity="job")][:1] == ["create"]
        # importing the same document again changes nothing (imports are idempotent)
        again, _ = wait(api, start(api, package(2_500)))
        assert again["status"] == "done"
        assert len(again["result"]["unchanged"]["units"]) == 2_500
        assert again["progress"]["total"] == 0
    finally:
        dispose(app)


def test_a_bulk_written_row_is_audited_as_a_row_written_alone(app: Flask) -> None:
    api = admin_client(app)
    alone = package(1, prefix="BC-ALONE")["units"][0]
    assert api.post("/api/units", json=alone).status_code == 201
    job, _ = wait(api, start(api, package(25, prefix="BC-BULK")))
    assert job["status"] == "done", job

    def entries(code: str) -> list[tuple[Any, ...]]:
        rows = [e for e in audited(app, entity="unit", action="create") if e.entity_id == code]
        scrub = {code: "X", f"{code}:1": "X:1", f"{code}:2": "X:2", f"{code}:3": "X:3"}
        return sorted(
            (
                e.part or "",
                e.institution,
                e.actor_role,
                json.dumps({k: scrub.get(v, v) for k, v in (e.after or {}).items()}),
            )
            for e in rows
        )

    assert entries("BC-ALONE-00000") == entries("BC-BULK-00000")


def test_bad_input_in_a_large_package_is_refused_before_anything_is_written(app: Flask) -> None:
    api = admin_client(app)
    document = package(30)
    document["units"][7]["study_load_hours"] = 0
    document["prerequisites"].append({"unit": "BC-JOB-00003", "requires": "NO-SUCH-UNIT"})
    document["prerequisites"].append({"unit": "BC-JOB-00000", "requires": "BC-JOB-00029"})

    job, _ = wait(api, start(api, document))

    assert job["status"] == "failed"
    pointers = {error["pointer"] for error in job["result"]["errors"]}
    assert "/units/7/study_load_hours" in pointers
    assert "/prerequisites/29/requires" in pointers  # the unknown unit
    assert "/prerequisites/30" in pointers  # closes a cycle through the whole chain
    assert "nothing was written" in job["result"]["detail"]
    assert count(app, UnitRow, UnitRow.code.like("BC-JOB-%")) == 0
    assert not [e for e in audited(app, entity="unit") if e.entity_id.startswith("BC-JOB-")]


def test_a_job_that_fails_while_writing_leaves_nothing_behind(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database failure in the last step (the prerequisites): the units written before are
    removed again, and the audit trail shows both."""

    def broken(session: Any, prerequisites: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(registry_bulk, "insert_prerequisites", broken)
    api = admin_client(app)

    job, seen = wait(api, start(api, package(1_100)))

    assert job["status"] == "failed", job
    result = job["result"]
    assert result["undone"] is True and result["written"] == 1_100 and result["total"] == 2_199
    assert "nothing of it remains" in result["detail"]
    assert count(app, UnitRow, UnitRow.code.like("BC-JOB-%")) == 0
    assert count(app, OutcomeRow, OutcomeRow.code.like("BC-JOB-%")) == 0
    trail = [e for e in audited(app, entity="unit") if e.entity_id.startswith("BC-JOB-")]
    creates = sum(e.action == "create" for e in trail)
    deletes = sum(e.action == "delete" for e in trail)
    assert creates == deletes == 1_100 * 4


def test_only_whoever_started_a_job_and_admins_may_read_it(app: Flask) -> None:
    school_admin = signed_in_client(app, "school-admin", institution="MBO-ZW")
    url = start(school_admin, package(25))
    job, _ = wait(school_admin, url)
    assert job["status"] == "done", job
    path = url.split("127.0.0.1:8000", 1)[1]
    assert admin_client(app).get(path).status_code == 200
    for other in (
        signed_in_client(app, "school-admin", institution="MBO-B"),
        signed_in_client(app, "school-admin", institution="MBO-ZW"),  # another token
        signed_in_client(app, "assessor", institution="MBO-ZW"),
    ):
        response = other.get(path)
        assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert app.test_client().get(path).status_code == 401
    assert admin_client(app).get("/api/jobs/no-such-job").status_code == 404
    # a school-admin may not import into another school's registry: the job fails, no writes
    other_school, _ = wait(school_admin, start(school_admin, package(25, "BC-B", "MBO-B")))
    assert other_school["status"] == "failed" and "may not" in other_school["result"]["detail"]
    assert count(app, UnitRow, UnitRow.code.like("BC-B-%")) == 0
    # a role that may not import at all is refused before a job starts
    assessor = signed_in_client(app, "assessor", institution="MBO-ZW")
    assert assessor.post("/api/import", json=package(25)).status_code == 403


def test_a_job_whose_process_stopped_reads_as_failed(app: Flask) -> None:
    admin = Principal("token:1", Role.ADMIN)
    with app.app_context():
        try:
            job = jobs.create_job(db.session, admin, "registry-import", stage="writing")
            running = jobs.read_job(db.session, admin, job.id, stale_after_seconds=60)
            assert running.status == "running"
            later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=61)
            stopped = jobs.read_job(db.session, admin, job.id, 60, now=later)
            assert stopped.status == "failed" and "import the same document" in str(stopped.result)
            with pytest.raises(NotFound):
                jobs.read_job(
                    db.session,
                    Principal("token:2", Role.SCHOOL_ADMIN, institution="MBO-ZW"),
                    job.id,
                    60,
                )
        finally:
            db.session.remove()


def test_the_cli_imports_a_large_document_with_a_progress_bar(app: Flask, tmp_path: Path) -> None:
    file = tmp_path / "large.json"
    file.write_text(json.dumps(package(40, prefix="BC-CLI")), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["import", str(file)])
    assert result.exit_code == 0, result.output + result.stderr
    assert "writing" in result.stderr  # the bar (drawn in full on a terminal only)
    assert len(json.loads(result.stdout)["created"]["units"]) == 40
    assert count(app, UnitRow, UnitRow.code.like("BC-CLI-%")) == 40
