"""Row class of long-running jobs (a large registry import): their state, readable by any worker."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.persistence.models.types import UtcDateTime


class JobRow(db.Model):
    """One job: who started it, how far it got, and what it answered.

    The process that runs the job refreshes `heartbeat_at` with every step; a running job whose
    heartbeat is old lost its process (see `app.services.jobs`).
    """

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10))
    stage: Mapped[str] = mapped_column(String(20))
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    actor: Mapped[str] = mapped_column(String(100), index=True)
    actor_role: Mapped[str | None] = mapped_column(String(20))
    institution: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    heartbeat_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    #: The job's answer: the import report when done, ``{"detail", "errors", ...}`` when failed.
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (
        CheckConstraint("status IN ('running', 'done', 'failed')", name="job_status"),
    )
