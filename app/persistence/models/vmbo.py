"""Row classes of the vmbo overlap: programmes, assignments, mappings, completions, routes."""

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


class VmboProgrammeRow(db.Model):
    __tablename__ = "vmbo_programmes"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    institution: Mapped[str] = mapped_column(ForeignKey("institutions.code"), index=True)
    profile: Mapped[str] = mapped_column(String(200))
    modules: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)


class VmboAssignmentRow(db.Model):
    """A practical assignment; `position` keeps the order in which a programme received them."""

    __tablename__ = "vmbo_assignments"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    programme: Mapped[str] = mapped_column(ForeignKey("vmbo_programmes.code"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    module: Mapped[str] = mapped_column(String(40))
    keuzevakken: Mapped[list[str]] = mapped_column(JSON, default=list)


class VmboMappingRow(db.Model):
    """One version of an assignment → outcome mapping; current while `ended_on` is NULL."""

    __tablename__ = "vmbo_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment: Mapped[str] = mapped_column(ForeignKey("vmbo_assignments.code"), index=True)
    outcome: Mapped[str] = mapped_column(ForeignKey("outcomes.code"), index=True)
    coverage: Mapped[str] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    validated_by: Mapped[str | None] = mapped_column(String(300))
    validated_on: Mapped[dt.date | None] = mapped_column(Date)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        UniqueConstraint("assignment", "outcome", "version", name="vmbo_mapping_version_unique"),
        CheckConstraint("coverage IN ('full', 'partial')", name="vmbo_mapping_coverage"),
        CheckConstraint("version >= 1", name="vmbo_mapping_version_positive"),
    )


class VmboCompletionRow(db.Model):
    __tablename__ = "vmbo_completions"

    id: Mapped[int] = mapped_column(primary_key=True)
    learner: Mapped[str] = mapped_column(ForeignKey("learners.id"), index=True)
    assignment: Mapped[str] = mapped_column(ForeignKey("vmbo_assignments.code"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    assessor: Mapped[str] = mapped_column(String(200))
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)


class VmboCompletionOutcomeRow(db.Model):
    """What a completion credited for one outcome: a snapshot of the mapping at the time."""

    __tablename__ = "vmbo_completion_outcomes"

    completion: Mapped[int] = mapped_column(ForeignKey("vmbo_completions.id"), primary_key=True)
    outcome: Mapped[str] = mapped_column(ForeignKey("outcomes.code"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer)
    coverage: Mapped[str] = mapped_column(String(10))
    ref: Mapped[str] = mapped_column(String(200))
    evidence: Mapped[int | None] = mapped_column(ForeignKey("evidence.id"), index=True)

    __table_args__ = (
        CheckConstraint("coverage IN ('full', 'partial')", name="vmbo_completion_coverage"),
    )


class VmboRouteRow(db.Model):
    """A doorlopende leerroute template: a vmbo programme continuing into a qualification."""

    __tablename__ = "vmbo_routes"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    programme: Mapped[str] = mapped_column(ForeignKey("vmbo_programmes.code"), index=True)
    qualification: Mapped[str] = mapped_column(ForeignKey("qualifications.code"), index=True)
