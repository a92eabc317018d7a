"""What still refers to a unit or an outcome: the rows that make a removal unsafe.

Each reference is a small dict, ``{"kind", "code"}`` plus ``"outcome"`` or ``"role"`` where that
says more; the services put them in the `StillReferenced` problem document as they are. The
queries read every aggregate's tables (registry, learner records, vmbo, credentials), which is
why they live here and not in one aggregate's repository.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.persistence.models.credentials import IssuedCredentialRow
from app.persistence.models.learners import EvidenceRow
from app.persistence.models.registry import (
    EpaOutcomeRow,
    OutcomeRelationRow,
    OutcomeRow,
    PrerequisiteRow,
    QualificationUnitRow,
)
from app.persistence.models.vmbo import VmboCompletionOutcomeRow, VmboMappingRow

Reference = dict[str, str]


def outcome_references(session: Session, outcome_codes: Sequence[str]) -> list[Reference]:
    """Return what refers to any of `outcome_codes`: relations, EPAs, evidence, vmbo rows."""
    if not outcome_codes:
        return []
    codes = list(outcome_codes)
    references: list[Reference] = []
    for row in session.scalars(
        select(OutcomeRelationRow).where(
            or_(
                OutcomeRelationRow.from_outcome.in_(codes), OutcomeRelationRow.to_outcome.in_(codes)
            )
        )
    ):
        references.append(
            {"kind": "outcome_relation", "code": f"{row.from_outcome} {row.type} {row.to_outcome}"}
        )
    for epa, outcome in session.execute(
        select(EpaOutcomeRow.epa, EpaOutcomeRow.outcome).where(EpaOutcomeRow.outcome.in_(codes))
    ):
        references.append({"kind": "epa", "code": epa, "outcome": outcome})
    references += _evidence_references(session, codes)
    references += _vmbo_references(session, codes)
    return references


def unit_references(session: Session, code: str) -> list[Reference]:
    """Return what refers to unit `code`: qualifications, prerequisites, its outcomes' users
    and the credentials issued for it."""
    references: list[Reference] = []
    for qualification, role in session.execute(
        select(QualificationUnitRow.qualification, QualificationUnitRow.role).where(
            QualificationUnitRow.unit == code
        )
    ):
        references.append({"kind": "qualification", "code": qualification, "role": role})
    for unit, requires in session.execute(
        select(PrerequisiteRow.unit, PrerequisiteRow.requires).where(
            or_(PrerequisiteRow.unit == code, PrerequisiteRow.requires == code)
        )
    ):
        references.append({"kind": "prerequisite", "code": f"{unit} requires {requires}"})
    outcome_codes = list(
        session.scalars(select(OutcomeRow.code).where(OutcomeRow.unit_code == code))
    )
    references += outcome_references(session, outcome_codes)
    for credential in session.scalars(
        select(IssuedCredentialRow.id).where(
            IssuedCredentialRow.achievement_type == "unit",
            IssuedCredentialRow.achievement_code == code,
        )
    ):
        references.append({"kind": "credential", "code": credential})
    return references


def _evidence_references(session: Session, codes: list[str]) -> list[Reference]:
    """Evidence that refers to any of `codes` (one reference per learner and outcome)."""
    rows = session.execute(
        select(EvidenceRow.learner, EvidenceRow.outcome)
        .where(EvidenceRow.outcome.in_(codes))
        .distinct()
    )
    return [{"kind": "evidence", "code": learner, "outcome": outcome} for learner, outcome in rows]


def _vmbo_references(session: Session, codes: list[str]) -> list[Reference]:
    """Mappings (any version) and completions that refer to any of `codes`."""
    references: list[Reference] = []
    for assignment, outcome in session.execute(
        select(VmboMappingRow.assignment, VmboMappingRow.outcome)
        .where(VmboMappingRow.outcome.in_(codes))
        .distinct()
        .order_by(VmboMappingRow.assignment, VmboMappingRow.outcome)
    ):
        references.append({"kind": "vmbo_mapping", "code": assignment, "outcome": outcome})
    for completion, outcome in session.execute(
        select(VmboCompletionOutcomeRow.completion, VmboCompletionOutcomeRow.outcome)
        .where(VmboCompletionOutcomeRow.outcome.in_(codes))
        .order_by(VmboCompletionOutcomeRow.completion, VmboCompletionOutcomeRow.outcome)
    ):
        references.append({"kind": "vmbo_completion", "code": str(completion), "outcome": outcome})
    return references
