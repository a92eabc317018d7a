"""Long-running jobs: recorded in the database, run in a thread of the process that accepted them.

A job's state lives in the ``jobs`` table, so any worker answers ``GET /api/jobs/{id}``. The
thread works with a session of its own and records its progress with every step; the row's
heartbeat moves with it. A running job whose heartbeat is older than `stale_after_seconds`
lost its process (a restart, a killed worker): it reads as failed.

Where its progress is recorded depends on the database (`in_one_transaction`). On SQLite a job
commits step by step (one long transaction would hold SQLite's one write lock, and so every
writer, for the whole job) and records its progress inside each step's transaction: what a
stopped job wrote stays. On PostgreSQL a large import (`ONE_TRANSACTION_KINDS`) writes in one
transaction, whose row locks hold up no one else, and records its progress through short
transactions of a second session beside it: stopped midway, it leaves nothing.

Who may read a job: the principal who started it, and admins; to anyone else it does not
exist. Creating, advancing and finishing a job are written with the starting principal bound,
so the audit trail records them like any other write.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.domain.access import Principal, Role
from app.domain.errors import NotFound, RegistryError
from app.persistence import job_repository as store
from app.persistence.audit import bind_principal
from app.persistence.job_repository import JobInfo
from app.persistence.session_scope import working_in
from app.services.access import require_principal

log = logging.getLogger(__name__)

#: What a job does: given its own session and a progress callback, it returns its result.
Work = Callable[[Session, Callable[[Session, str, int, int], None]], dict[str, Any]]

#: The kind of the jobs that large registry imports run as.
REGISTRY_IMPORT = "registry-import"
#: Kinds of job that write in one transaction where `in_one_transaction` holds.
ONE_TRANSACTION_KINDS = frozenset({REGISTRY_IMPORT})


def in_one_transaction(session: Session) -> bool:
    """Whether a large write on `session`'s database is done in one transaction: on
    PostgreSQL (row locks: other writers go on meanwhile), not on SQLite (its one write lock
    would hold every other writer for as long as the transaction lasts)."""
    return session.get_bind().dialect.name == "postgresql"


@dataclass(frozen=True, slots=True)
class JobState:
    """A job as its reader sees it: `status` is ``running``, ``done`` or ``failed``."""

    id: str
    kind: str
    status: str
    stage: str
    done: int
    total: int
    result: dict[str, Any] | None
    created_at: dt.datetime
    finished_at: dt.datetime | None

    @property
    def progress(self) -> dict[str, Any]:
        return {"stage": self.stage, "done": self.done, "total": self.total}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def create_job(session: Session, actor: Principal | None, kind: str, stage: str) -> JobInfo:
    """Record a new running job of `actor` (already authorized for what it will do); commit."""
    principal = require_principal(actor)
    bind_principal(session, principal)
    job = store.add_job(session, uuid.uuid4().hex, kind, principal, stage, _now())
    session.commit()
    return job


def read_job(
    session: Session,
    principal: Principal | None,
    job_id: str,
    stale_after_seconds: float,
    now: dt.datetime | None = None,
) -> JobState:
    """The job `job_id` as `principal` may see it.

    Raises
    ------
    NotAuthenticated
        Without a principal.
    NotFound
        For an unknown job, and for a job of someone else (unless `principal` is an admin).
    """
    reader = require_principal(principal)
    job = store.get_job(session, job_id)
    if job is None or (reader.role is not Role.ADMIN and reader.id != job.actor):
        raise NotFound("job", job_id)
    state = JobState(
        job.id,
        job.kind,
        job.status,
        job.stage,
        job.done,
        job.total,
        job.result,
        job.created_at,
        job.finished_at,
    )
    silent = ((now or _now()) - job.heartbeat_at).total_seconds()
    if job.status == "running" and silent > stale_after_seconds:
        detail = f"the job stopped: its process has not reported for {silent:.0f} s " + (
            _rolled_back(job)
            if job.kind in ONE_TRANSACTION_KINDS and in_one_transaction(session)
            else _kept(job)
        )
        return JobState(
            job.id,
            job.kind,
            "failed",
            job.stage,
            job.done,
            job.total,
            {"detail": detail},
            job.created_at,
            None,
        )
    return state


def _rolled_back(job: JobInfo) -> str:
    """Why a stopped one-transaction job left nothing (the database rolled it back)."""
    return (
        f"({job.stage}: {job.done} of {job.total} items, in one transaction not committed). "
        "Nothing of it was written: the database rolled the transaction back. "
        "Import the same document again"
    )


def _kept(job: JobInfo) -> str:
    """What a stopped step-by-step job left: the steps it committed."""
    again = (
        "import the same document again to complete it (imports are idempotent)"
        if "import" in job.kind
        else "send the same batch again: rows already done are reported as such"
    )
    return f"(after {job.done} of {job.total} items were written). What it wrote stays; " + again


def run_job(
    session_factory: Callable[[], Session], job_id: str, actor: Principal, work: Work
) -> None:
    """Run `work` for the job `job_id` in this thread, with a session of its own, and record
    its result (``done``) or its error (``failed``)."""

    def progress(session: Session, stage: str, done: int, total: int) -> None:
        bind_principal(session, actor)
        store.set_progress(session, job_id, stage, done, total, _now())

    session = session_factory()
    try:
        try:
            with working_in(session):
                result = work(session, progress)
        except RegistryError as error:
            session.rollback()
            _finish(session, job_id, actor, "failed", failure(error))
        except Exception as error:
            session.rollback()
            log.exception("job %s failed", job_id)
            detail = f"the job failed unexpectedly ({type(error).__name__})"
            _finish(session, job_id, actor, "failed", {"detail": detail})
        else:
            _finish(session, job_id, actor, "done", result)
    except Exception:
        log.exception("job %s: its end could not be recorded", job_id)
    finally:
        session.close()


def failure(error: RegistryError) -> dict[str, Any]:
    """What a failed job answers: the error's detail and its field errors or extensions."""
    result: dict[str, Any] = {"detail": error.detail}
    if getattr(error, "errors", None):
        result["errors"] = error.errors  # type: ignore[attr-defined]
    result.update(getattr(error, "extensions", {}))
    return result


def _finish(
    session: Session, job_id: str, actor: Principal, status: str, result: dict[str, Any]
) -> None:
    bind_principal(session, actor)
    store.finish_job(session, job_id, status, result, _now())
    session.commit()


def start_in_background(
    session_factory: Callable[[], Session], job_id: str, actor: Principal, work: Work
) -> threading.Thread:
    """Run the job in a daemon thread of this process (see `run_job`); the thread."""
    thread = threading.Thread(
        target=run_job, args=(session_factory, job_id, actor, work), name=f"job-{job_id}"
    )
    thread.daemon = True
    thread.start()
    return thread
