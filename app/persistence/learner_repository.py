"""Learner-record queries: rows in, domain values out. Nothing here commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.learner import DiplomaItem, EnrolmentItem, EntrustmentItem, EvidenceItem, Learner
from app.domain.paging import ListFilter, Page
from app.persistence.models.learners import (
    EnrolmentRow,
    EntrustmentRow,
    EvidenceRow,
    HeldDiplomaRow,
    LearnerRow,
)
from app.persistence.paging import paginate, text_match

EVIDENCE_FIELDS = (
    "outcome",
    "source",
    "date",
    "valid_until",
    "decided_by",
    "basis",
    "assessor",
    "note",
    "ref",
)


def learner_from_row(row: LearnerRow) -> Learner:
    return Learner(row.id, row.name, row.institution, row.external_id, row.email)


def evidence_from_row(row: EvidenceRow) -> EvidenceItem:
    return EvidenceItem(
        id=row.id,
        outcome=row.outcome,
        source=row.source,  # type: ignore[arg-type]
        date=row.date,
        valid_until=row.valid_until,
        decided_by=row.decided_by,
        basis=row.basis,
        assessor=row.assessor,
        note=row.note,
        ref=row.ref,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
        withdrawn_at=row.withdrawn_at,
        withdrawn_reason=row.withdrawn_reason,
    )


def entrustment_from_row(row: EntrustmentRow) -> EntrustmentItem:
    return EntrustmentItem(
        id=row.id,
        epa=row.epa,
        level=row.level,
        date=row.date,
        decided_by=row.decided_by,
        note=row.note,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
        withdrawn_at=row.withdrawn_at,
        withdrawn_reason=row.withdrawn_reason,
    )


def diploma_from_row(row: HeldDiplomaRow) -> DiplomaItem:
    return DiplomaItem(row.id, row.qualification, row.date, row.note)


def enrolment_from_row(row: EnrolmentRow) -> EnrolmentItem:
    return EnrolmentItem(
        row.qualification, tuple(row.chosen_electives), row.start, row.hours_per_week
    )


# --- learners ---------------------------------------------------------------------------------


def get_learner(session: Session, learner_id: str) -> Learner | None:
    row = session.get(LearnerRow, learner_id)
    return learner_from_row(row) if row else None


def find_learner_by_external_id(
    session: Session, institution: str, external_id: str
) -> Learner | None:
    row = session.scalar(
        select(LearnerRow).where(
            LearnerRow.institution == institution, LearnerRow.external_id == external_id
        )
    )
    return learner_from_row(row) if row else None


def add_learner(session: Session, learner: Learner, now: dt.datetime) -> None:
    session.add(
        LearnerRow(
            id=learner.id,
            name=learner.name,
            external_id=learner.external_id,
            email=learner.email,
            institution=learner.institution,
            created_at=now,
        )
    )


def set_learner_email(session: Session, learner_id: str, email: str | None) -> None:
    row = session.get(LearnerRow, learner_id)
    if row is not None:
        row.email = email


def list_learners(session: Session, flt: ListFilter, external_id: str | None = None) -> Page:
    query = select(LearnerRow)
    if flt.institution:
        query = query.where(LearnerRow.institution == flt.institution)
    if external_id:
        query = query.where(LearnerRow.external_id == external_id)
    if flt.q:
        query = query.where(text_match(flt.q, LearnerRow.name, LearnerRow.id))
    return paginate(session, query, [LearnerRow.created_at, LearnerRow.id], flt, learner_from_row)


# --- evidence ---------------------------------------------------------------------------------


def add_evidence(
    session: Session, learner_id: str, item: dict[str, Any], actor_id: str, now: dt.datetime
) -> EvidenceRow:
    row = EvidenceRow(
        learner=learner_id,
        recorded_by=actor_id,
        recorded_at=now,
        **{name: item.get(name) for name in EVIDENCE_FIELDS},
    )
    session.add(row)
    return row


def list_evidence(session: Session, learner_id: str, flt: ListFilter) -> Page:
    query = select(EvidenceRow).where(EvidenceRow.learner == learner_id)
    return paginate(session, query, [EvidenceRow.id], flt, evidence_from_row)


def get_evidence_row(session: Session, learner_id: str, evidence_id: int) -> EvidenceRow | None:
    row = session.get(EvidenceRow, evidence_id)
    return row if row is not None and row.learner == learner_id else None


# --- entrustments -----------------------------------------------------------------------------


def add_entrustment(
    session: Session, learner_id: str, item: dict[str, Any], actor_id: str, now: dt.datetime
) -> EntrustmentRow:
    row = EntrustmentRow(
        learner=learner_id,
        epa=item["epa"],
        level=item["level"],
        date=item["date"],
        decided_by=item["decided_by"],
        note=item.get("note"),
        recorded_by=actor_id,
        recorded_at=now,
    )
    session.add(row)
    return row


def list_entrustments(session: Session, learner_id: str, flt: ListFilter) -> Page:
    query = select(EntrustmentRow).where(EntrustmentRow.learner == learner_id)
    return paginate(session, query, [EntrustmentRow.id], flt, entrustment_from_row)


def get_entrustment_row(
    session: Session, learner_id: str, entrustment_id: int
) -> EntrustmentRow | None:
    row = session.get(EntrustmentRow, entrustment_id)
    return row if row is not None and row.learner == learner_id else None


# --- diplomas and enrolments ------------------------------------------------------------------


def add_diploma(session: Session, learner_id: str, item: dict[str, Any]) -> HeldDiplomaRow:
    row = HeldDiplomaRow(
        learner=learner_id,
        qualification=item["qualification"],
        date=item["date"],
        note=item.get("note"),
    )
    session.add(row)
    return row


def has_diploma(session: Session, learner_id: str, qualification: str, date: dt.date) -> bool:
    return (
        session.scalar(
            select(HeldDiplomaRow.id).where(
                HeldDiplomaRow.learner == learner_id,
                HeldDiplomaRow.qualification == qualification,
                HeldDiplomaRow.date == date,
            )
        )
        is not None
    )


def list_diplomas(session: Session, learner_id: str, flt: ListFilter) -> Page:
    query = select(HeldDiplomaRow).where(HeldDiplomaRow.learner == learner_id)
    return paginate(session, query, [HeldDiplomaRow.date, HeldDiplomaRow.id], flt, diploma_from_row)


def get_enrolment(session: Session, learner_id: str, qualification: str) -> EnrolmentItem | None:
    row = session.get(EnrolmentRow, (learner_id, qualification))
    return enrolment_from_row(row) if row else None


def save_enrolment(session: Session, learner_id: str, enrolment: EnrolmentItem) -> None:
    row = session.get(EnrolmentRow, (learner_id, enrolment.qualification)) or EnrolmentRow(
        learner=learner_id, qualification=enrolment.qualification
    )
    row.chosen_electives = list(enrolment.chosen_electives)
    row.start, row.hours_per_week = enrolment.start, enrolment.hours_per_week
    session.add(row)


def list_enrolments(session: Session, learner_id: str, flt: ListFilter) -> Page:
    query = select(EnrolmentRow).where(EnrolmentRow.learner == learner_id)
    return paginate(
        session, query, [EnrolmentRow.start, EnrolmentRow.qualification], flt, enrolment_from_row
    )


# --- the whole record, for the path engine ----------------------------------------------------


def learner_record_items(
    session: Session, learner_id: str
) -> tuple[
    Sequence[EvidenceItem],
    Sequence[EntrustmentItem],
    Sequence[DiplomaItem],
    Sequence[EnrolmentItem],
]:
    """Return everything recorded for a learner, in four queries."""
    evidence = [
        evidence_from_row(r)
        for r in session.scalars(
            select(EvidenceRow).where(EvidenceRow.learner == learner_id).order_by(EvidenceRow.id)
        )
    ]
    entrustments = [
        entrustment_from_row(r)
        for r in session.scalars(
            select(EntrustmentRow)
            .where(EntrustmentRow.learner == learner_id)
            .order_by(EntrustmentRow.id)
        )
    ]
    diplomas = [
        diploma_from_row(r)
        for r in session.scalars(select(HeldDiplomaRow).where(HeldDiplomaRow.learner == learner_id))
    ]
    enrolments = [
        enrolment_from_row(r)
        for r in session.scalars(select(EnrolmentRow).where(EnrolmentRow.learner == learner_id))
    ]
    return evidence, entrustments, diplomas, enrolments
