"""Jobs: rows in, frozen values out. Nothing here commits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.domain.access import Principal
from app.persistence.models.jobs import JobRow


@dataclass(frozen=True, slots=True)
class JobInfo:
    """A job as stored (`status` is what the running process last wrote)."""

    id: str
    kind: str
    status: str
    stage: str
    done: int
    total: int
    actor: str
    institution: str | None
    created_at: dt.datetime
    heartbeat_at: dt.datetime
    finished_at: dt.datetime | None
    result: dict[str, Any] | None


def _info(row: JobRow) -> JobInfo:
    return JobInfo(
        id=row.id,
        kind=row.kind,
        status=row.status,
        stage=row.stage,
        done=row.done,
        total=row.total,
        actor=row.actor,
        institution=row.institution,
        created_at=row.created_at,
        heartbeat_at=row.heartbeat_at,
        finished_at=row.finished_at,
        result=row.result,
    )


def add_job(
    session: Session, job_id: str, kind: str, actor: Principal, stage: str, now: dt.datetime
) -> JobInfo:
    row = JobRow(
        id=job_id,
        kind=kind,
        status="running",
        stage=stage,
        done=0,
        total=0,
        actor=actor.id,
        actor_role=actor.role.value,
        institution=actor.institution,
        created_at=now,
        heartbeat_at=now,
    )
    session.add(row)
    session.flush()
    return _info(row)


def get_job(session: Session, job_id: str) -> JobInfo | None:
    row = session.get(JobRow, job_id, populate_existing=True)
    return None if row is None else _info(row)


def set_progress(
    session: Session, job_id: str, stage: str, done: int, total: int, now: dt.datetime
) -> None:
    row = session.get(JobRow, job_id)
    if row is not None:
        row.stage, row.done, row.total, row.heartbeat_at = stage, done, total, now


def finish_job(
    session: Session, job_id: str, status: str, result: dict[str, Any], now: dt.datetime
) -> None:
    row = session.get(JobRow, job_id)
    if row is not None:
        row.status, row.stage, row.result = status, status, result
        row.heartbeat_at = row.finished_at = now
