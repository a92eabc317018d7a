"""The path engine's view of a learner, read with plain Core statements (the hot path).

`GET .../path` runs these on every request; Core SELECTs of just the needed columns avoid
building ORM objects that the engine would throw away.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.path.record import (
    Enrolment,
    Entrustment,
    Evidence,
    HeldDiploma,
    LearnerRecord,
    PartialCredit,
)
from app.persistence.models.learners import (
    EnrolmentRow,
    EntrustmentRow,
    EvidenceRow,
    HeldDiplomaRow,
    LearnerRow,
)
from app.persistence.models.vmbo import VmboCompletionOutcomeRow, VmboCompletionRow
from app.persistence.versions import RegistryStateRow

_evidence = EvidenceRow.__table__.c
_entrustments = EntrustmentRow.__table__.c
_diplomas = HeldDiplomaRow.__table__.c
_enrolments = EnrolmentRow.__table__.c
_completions = VmboCompletionRow.__table__.c
_completion_outcomes = VmboCompletionOutcomeRow.__table__.c

EVIDENCE = select(
    _evidence.outcome,
    _evidence.source,
    _evidence.date,
    _evidence.valid_until,
    _evidence.withdrawn_at,
).order_by(_evidence.id)
ENTRUSTMENTS = select(
    _entrustments.epa,
    _entrustments.level,
    _entrustments.date,
    _entrustments.withdrawn_at,
    _entrustments.id,
).order_by(_entrustments.id)
DIPLOMAS = select(_diplomas.qualification, _diplomas.date)
ENROLMENTS = select(
    _enrolments.qualification,
    _enrolments.chosen_electives,
    _enrolments.start,
    _enrolments.hours_per_week,
)
PARTIAL_CREDITS = (
    select(_completion_outcomes.outcome, _completions.date, _completions.withdrawn_at)
    .join_from(
        VmboCompletionOutcomeRow.__table__,
        VmboCompletionRow.__table__,
        _completions.id == _completion_outcomes.completion,
    )
    .where(_completion_outcomes.coverage == "partial")
    .order_by(_completions.id, _completion_outcomes.position)
)


def learner_record_version(session: Session, learner_id: str) -> tuple[int, int] | None:
    """(the learner's record version, the registry version) in one statement; None: no learner."""
    table = LearnerRow.__table__
    state = RegistryStateRow.__table__
    registry = select(state.c.version).where(state.c.id == 1).scalar_subquery()
    row = (
        session.connection()
        .execute(select(table.c.record_version, registry).where(table.c.id == learner_id))
        .first()
    )
    return None if row is None else (int(row[0] or 0), int(row[1] or 0))


def engine_record(session: Session, learner_id: str) -> LearnerRecord:
    """Return the learner's record as path-engine input, in five narrow queries."""
    connection = session.connection()
    run = connection.execute
    return LearnerRecord(
        evidence=tuple(
            Evidence(outcome, source, day, until, withdrawn is not None)
            for outcome, source, day, until, withdrawn in run(
                EVIDENCE.where(_evidence.learner == learner_id)
            )
        ),
        entrustments=tuple(
            Entrustment(epa, level, day, withdrawn is not None, sequence=row_id)
            for epa, level, day, withdrawn, row_id in run(
                ENTRUSTMENTS.where(_entrustments.learner == learner_id)
            )
        ),
        diplomas=tuple(
            HeldDiploma(q, day) for q, day in run(DIPLOMAS.where(_diplomas.learner == learner_id))
        ),
        partial_credits=tuple(
            PartialCredit(outcome, day, withdrawn is not None)
            for outcome, day, withdrawn in run(
                PARTIAL_CREDITS.where(_completions.learner == learner_id)
            )
        ),
        enrolments=tuple(
            Enrolment(q, tuple(chosen), start, hours)
            for q, chosen, start, hours in run(ENROLMENTS.where(_enrolments.learner == learner_id))
        ),
    )
