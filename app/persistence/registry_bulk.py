"""Registry rows inserted and deleted many at a time: the writes of a large import.

ORM bulk statements (``session.execute(insert(UnitRow), rows)``): one executemany per table
instead of one flush per row. The audit trail records every row of them
(`app.persistence.audit`), and the registry version is bumped per statement
(`app.persistence.versions`). Nothing here commits. Only new rows are inserted here; a changed
item is written through the ORM (`app.persistence.registry_repository`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, insert, tuple_
from sqlalchemy.orm import Session

from app.domain.model import (
    Epa,
    Institution,
    LegalData,
    OutcomeRelation,
    Prerequisite,
    Qualification,
    Unit,
)
from app.persistence.models.registry import (
    EpaOutcomeRow,
    EpaRow,
    InstitutionRow,
    OutcomeRelationRow,
    OutcomeRow,
    PrerequisiteRow,
    QualificationEntryRow,
    QualificationEpaRow,
    QualificationRow,
    QualificationUnitRow,
    UnitRow,
)

#: Keys per ``IN (...)`` of a delete: far below every database's limit of bound parameters.
KEYS_PER_STATEMENT = 500


def _insert(session: Session, row_class: Any, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(row_class), list(rows))


def key_slices(keys: Sequence[Any]) -> Iterable[Sequence[Any]]:
    """`keys` in slices of `KEYS_PER_STATEMENT`, one ``IN (…)`` list each."""
    for start in range(0, len(keys), KEYS_PER_STATEMENT):
        yield keys[start : start + KEYS_PER_STATEMENT]


def insert_institutions(session: Session, institutions: Sequence[Institution]) -> None:
    rows = [
        {
            "code": i.code,
            "name": i.name,
            "kind": i.kind,
            "brin": i.brin,
            "trusted": False,
            **{f.name: getattr(i.legal, f.name, None) for f in dataclasses.fields(LegalData)},
        }
        for i in institutions
    ]
    _insert(session, InstitutionRow, rows)


def delete_institutions(session: Session, codes: Sequence[str]) -> None:
    for chunk in key_slices(codes):
        session.execute(delete(InstitutionRow).where(InstitutionRow.code.in_(chunk)))


def insert_units(session: Session, units: Sequence[Unit]) -> None:
    """Insert new units and their outcomes (two statements)."""
    _insert(
        session,
        UnitRow,
        [
            {
                "code": u.code,
                "kind": u.kind,
                "title": u.title,
                "description": u.description,
                "study_load_hours": u.study_load_hours,
                "nlqf_level": u.nlqf_level,
                "institution": u.institution,
                "language": u.language,
                "title_en": u.title_en,
            }
            for u in units
        ],
    )
    _insert(
        session,
        OutcomeRow,
        [
            {
                "code": o.code,
                "unit_code": u.code,
                "position": position,
                "dossier_code": o.dossier_code,
                "title": o.title,
                "description": o.description,
                "nlqf_level": o.nlqf_level,
            }
            for u in units
            for position, o in enumerate(u.outcomes)
        ],
    )


def delete_units(session: Session, codes: Sequence[str]) -> None:
    """Delete units and their outcomes (nothing else may refer to them any more)."""
    for chunk in key_slices(codes):
        session.execute(delete(OutcomeRow).where(OutcomeRow.unit_code.in_(chunk)))
        session.execute(delete(UnitRow).where(UnitRow.code.in_(chunk)))


def insert_epas(session: Session, epas: Sequence[Epa]) -> None:
    rows = [
        {
            "code": e.code,
            "title": e.title,
            "description": e.description,
            "type": e.type,
            "institution": e.institution,
        }
        for e in epas
    ]
    _insert(session, EpaRow, rows)
    links = [
        {"epa": e.code, "outcome": outcome, "position": position}
        for e in epas
        for position, outcome in enumerate(e.draws_on)
    ]
    _insert(session, EpaOutcomeRow, links)


def delete_epas(session: Session, codes: Sequence[str]) -> None:
    for chunk in key_slices(codes):
        session.execute(delete(EpaOutcomeRow).where(EpaOutcomeRow.epa.in_(chunk)))
        session.execute(delete(EpaRow).where(EpaRow.code.in_(chunk)))


def insert_qualification_rows(session: Session, qualifications: Sequence[Qualification]) -> None:
    """Insert the qualifications' own rows, not their links."""
    rows = [
        {
            "code": q.code,
            "title": q.title,
            "kind": q.kind,
            "nlqf_level": q.nlqf_level,
            "eqf_level": q.eqf_level,
            "crebo": q.crebo,
            "elective_required_hours": q.electives.required_hours,
            "institution": q.institution,
        }
        for q in qualifications
    ]
    _insert(session, QualificationRow, rows)


def insert_qualification_links(session: Session, qualifications: Sequence[Qualification]) -> None:
    """Insert the units, EPAs and entry rule of qualifications that have none yet."""
    units = []
    for q in qualifications:
        mandatory = [(code, "mandatory") for code in q.units]
        options = [(code, "option") for code in q.electives.options]
        units += [
            {"qualification": q.code, "unit": code, "role": role, "position": position}
            for position, (code, role) in enumerate(mandatory + options)
        ]
    _insert(session, QualificationUnitRow, units)
    epas = [
        {"qualification": q.code, "epa": r.epa, "min_level": r.min_level, "position": position}
        for q in qualifications
        for position, r in enumerate(q.required_epas)
    ]
    _insert(session, QualificationEpaRow, epas)
    entry = [
        {"qualification": q.code, "any_qualification": code, "position": position}
        for q in qualifications
        for position, code in enumerate(q.entry_any_qualification)
    ]
    _insert(session, QualificationEntryRow, entry)


def delete_qualification_links(session: Session, codes: Sequence[str]) -> None:
    for chunk in key_slices(codes):
        for table in (QualificationUnitRow, QualificationEpaRow, QualificationEntryRow):
            session.execute(delete(table).where(table.qualification.in_(chunk)))


def delete_qualifications(session: Session, codes: Sequence[str]) -> None:
    delete_qualification_links(session, codes)
    for chunk in key_slices(codes):
        session.execute(delete(QualificationRow).where(QualificationRow.code.in_(chunk)))


def delete_outcome_relations(session: Session, relations: Sequence[OutcomeRelation]) -> None:
    keys = [(r.from_outcome, r.to_outcome, r.type) for r in relations]
    columns = tuple_(
        OutcomeRelationRow.from_outcome, OutcomeRelationRow.to_outcome, OutcomeRelationRow.type
    )
    for chunk in key_slices(keys):
        session.execute(delete(OutcomeRelationRow).where(columns.in_(chunk)))


def insert_prerequisites(session: Session, prerequisites: Sequence[Prerequisite]) -> None:
    rows = [{"unit": p.unit, "requires": p.requires} for p in prerequisites]
    _insert(session, PrerequisiteRow, rows)


def delete_prerequisites(session: Session, prerequisites: Sequence[Prerequisite]) -> None:
    keys = [(p.unit, p.requires) for p in prerequisites]
    columns = tuple_(PrerequisiteRow.unit, PrerequisiteRow.requires)
    for chunk in key_slices(keys):
        session.execute(delete(PrerequisiteRow).where(columns.in_(chunk)))
