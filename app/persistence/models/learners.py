"""Row classes of learner records: learners, evidence, entrustments, diplomas, enrolments."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.persistence.models.types import UtcDateTime


class LearnerRow(db.Model):
    __tablename__ = "learners"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    external_id: Mapped[str | None] = mapped_column(String(100), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    institution: Mapped[str] = mapped_column(ForeignKey("institutions.code"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    #: Bumped by every write to the learner's record (see app.persistence.versions).
    record_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    __table_args__ = (
        UniqueConstraint("institution", "external_id", name="learner_external_id_unique"),
    )


class EvidenceRow(db.Model):
    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    learner: Mapped[str] = mapped_column(ForeignKey("learners.id"), index=True)
    outcome: Mapped[str] = mapped_column(ForeignKey("outcomes.code"), index=True)
    source: Mapped[str] = mapped_column(String(20))
    date: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    basis: Mapped[str | None] = mapped_column(String(300))
    assessor: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    ref: Mapped[str | None] = mapped_column(String(200))
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint(
            "source IN ('exam', 'evc', 'prior_diploma', 'vmbo_assignment', 'transfer',"
            " 'formative')",
            name="evidence_source",
        ),
        CheckConstraint("valid_until IS NULL OR valid_until >= date", name="evidence_validity"),
    )


class EntrustmentRow(db.Model):
    __tablename__ = "entrustments"

    id: Mapped[int] = mapped_column(primary_key=True)
    learner: Mapped[str] = mapped_column(ForeignKey("learners.id"), index=True)
    epa: Mapped[str] = mapped_column(ForeignKey("epas.code"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    date: Mapped[dt.date] = mapped_column(Date)
    decided_by: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (CheckConstraint("level BETWEEN 1 AND 5", name="entrustment_level"),)


class HeldDiplomaRow(db.Model):
    __tablename__ = "held_diplomas"

    id: Mapped[int] = mapped_column(primary_key=True)
    learner: Mapped[str] = mapped_column(ForeignKey("learners.id"), index=True)
    qualification: Mapped[str] = mapped_column(ForeignKey("qualifications.code"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("learner", "qualification", "date", name="held_diploma_unique"),
    )


class EnrolmentRow(db.Model):
    __tablename__ = "enrolments"

    learner: Mapped[str] = mapped_column(ForeignKey("learners.id"), primary_key=True)
    qualification: Mapped[str] = mapped_column(
        ForeignKey("qualifications.code"), primary_key=True, index=True
    )
    chosen_electives: Mapped[list[str]] = mapped_column(JSON)
    start: Mapped[dt.date] = mapped_column(Date)
    hours_per_week: Mapped[int] = mapped_column(Integer)

    __table_args__ = (CheckConstraint("hours_per_week BETWEEN 1 AND 80", name="enrolment_hours"),)
