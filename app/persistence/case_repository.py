"""CASE 1.0 queries: kept identifiers, and what a package reads beyond the registry repository.

Nothing here commits. Kept identifiers are rows of ``case_identifiers`` (audited as
``case-identifier``), keyed as `app.domain.case` names them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.case import KeptIdentifier, VmboLink
from app.domain.model import OutcomeRelation
from app.persistence.models.case import CaseIdentifierRow
from app.persistence.models.registry import (
    OutcomeRelationRow,
    OutcomeRow,
    QualificationRow,
    UnitRow,
)
from app.persistence.models.vmbo import VmboAssignmentRow, VmboMappingRow
from app.persistence.registry_bulk import key_slices


def kept_identifiers(
    session: Session, keys: Iterable[str] | None = None
) -> dict[str, KeptIdentifier]:
    """The kept identifiers by key (all of them when `keys` is None)."""
    query = select(CaseIdentifierRow)
    if keys is None:
        rows = list(session.scalars(query))
    else:
        rows = []
        for chunk in key_slices(list(keys)):
            rows += session.scalars(query.where(CaseIdentifierRow.key.in_(chunk)))
    return {row.key: KeptIdentifier(row.identifier, row.uri) for row in rows}


def key_of(session: Session, identifier: str) -> str | None:
    """The key a kept `identifier` names (None when it is not kept)."""
    return session.scalar(
        select(CaseIdentifierRow.key).where(CaseIdentifierRow.identifier == identifier)
    )


def keys_of(session: Session, identifiers: Iterable[str]) -> dict[str, str]:
    """The keys that kept `identifiers` name, by identifier."""
    found: dict[str, str] = {}
    for chunk in key_slices(list(identifiers)):
        query = select(CaseIdentifierRow.identifier, CaseIdentifierRow.key).where(
            CaseIdentifierRow.identifier.in_(chunk)
        )
        found.update({identifier: key for identifier, key in session.execute(query)})
    return found


def save_identifiers(session: Session, kept: Mapping[str, KeptIdentifier]) -> None:
    """Insert or update the kept identifier of each key (an unchanged row is not written)."""
    stored = {
        row.key: row
        for chunk in key_slices(list(kept))
        for row in session.scalars(
            select(CaseIdentifierRow).where(CaseIdentifierRow.key.in_(chunk))
        )
    }
    for key, value in kept.items():
        row = stored.get(key)
        if row is None:
            session.add(CaseIdentifierRow(key=key, identifier=value.identifier, uri=value.uri))
            continue
        if row.identifier != value.identifier:
            row.identifier = value.identifier
        if row.uri != value.uri:
            row.uri = value.uri


def forget_identifiers(session: Session, keys: Iterable[str]) -> None:
    """Remove the kept identifiers of `keys` (their derived identifiers apply again)."""
    for chunk in key_slices(list(keys)):
        rows = session.scalars(select(CaseIdentifierRow).where(CaseIdentifierRow.key.in_(chunk)))
        for row in rows:
            session.delete(row)


def relations_among(session: Session, outcomes: Iterable[str]) -> list[OutcomeRelation]:
    """The outcome relations whose two ends are both among `outcomes`."""
    codes = set(outcomes)
    found = []
    for chunk in key_slices(sorted(codes)):
        rows = session.scalars(
            select(OutcomeRelationRow).where(OutcomeRelationRow.from_outcome.in_(chunk))
        )
        found += [
            OutcomeRelation(r.from_outcome, r.to_outcome, r.type, r.reason)  # type: ignore[arg-type]
            for r in rows
            if r.to_outcome in codes
        ]
    return found


def related_units(session: Session, outcomes: Iterable[str]) -> set[str]:
    """The units holding an outcome that an outcome relation ties to one of `outcomes`."""
    codes = sorted(set(outcomes))
    others: set[str] = set()
    for chunk in key_slices(codes):
        for column, other in (
            (OutcomeRelationRow.from_outcome, OutcomeRelationRow.to_outcome),
            (OutcomeRelationRow.to_outcome, OutcomeRelationRow.from_outcome),
        ):
            others.update(session.scalars(select(other).where(column.in_(chunk))))
    units: set[str] = set()
    for chunk in key_slices(sorted(others)):
        units.update(
            session.scalars(select(OutcomeRow.unit_code).where(OutcomeRow.code.in_(chunk)))
        )
    return units


def vmbo_links(session: Session, outcomes: Iterable[str]) -> list[VmboLink]:
    """The current vmbo mappings onto `outcomes`, with their assignment's title and programme."""
    found = []
    for chunk in key_slices(sorted(set(outcomes))):
        rows = session.execute(
            select(
                VmboMappingRow.assignment,
                VmboAssignmentRow.title,
                VmboAssignmentRow.programme,
                VmboMappingRow.outcome,
                VmboMappingRow.coverage,
            )
            .join(VmboAssignmentRow, VmboAssignmentRow.code == VmboMappingRow.assignment)
            .where(VmboMappingRow.outcome.in_(chunk), VmboMappingRow.ended_on.is_(None))
        )
        found += [VmboLink(*row) for row in rows]
    return found


def qualification_codes(session: Session) -> list[str]:
    return list(session.scalars(select(QualificationRow.code).order_by(QualificationRow.code)))


def unit_and_outcome_codes(session: Session) -> tuple[list[str], dict[str, str]]:
    """Every unit code, and every outcome code with its unit's code."""
    units = list(session.scalars(select(UnitRow.code)))
    outcomes = dict(session.execute(select(OutcomeRow.code, OutcomeRow.unit_code)).all())
    return units, outcomes
