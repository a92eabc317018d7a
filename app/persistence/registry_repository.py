"""Registry queries: rows in, frozen domain values out. Nothing here commits."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session, selectinload, subqueryload

from app.domain.model import (
    ElectiveRule,
    Epa,
    Institution,
    LegalData,
    Outcome,
    OutcomeRelation,
    Prerequisite,
    Qualification,
    RequiredEpa,
    SupervisionLevel,
    Unit,
)
from app.domain.paging import ListFilter, Page
from app.domain.rules import KnownCodes
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
    SupervisionLevelRow,
    UnitRow,
)
from app.persistence.paging import paginate, text_match
from app.persistence.registry_bulk import key_slices

# --- conversions ------------------------------------------------------------------------------


def institution_from_row(row: InstitutionRow) -> Institution:
    legal = LegalData(*(getattr(row, name) for name in LEGAL_COLUMNS))
    return Institution(
        code=row.code,
        name=row.name,
        kind=row.kind,  # type: ignore[arg-type]
        brin=row.brin,
        trusted=bool(row.trusted),
        legal=None if legal == LegalData() else legal,
    )


#: The institution columns of `LegalData` (same names), in its field order.
LEGAL_COLUMNS = tuple(f.name for f in dataclasses.fields(LegalData))


def _write_legal(row: InstitutionRow, legal: LegalData | None) -> None:
    for name in LEGAL_COLUMNS:
        setattr(row, name, None if legal is None else getattr(legal, name))


def set_institution_legal(
    session: Session, code: str, legal: LegalData | None
) -> Institution | None:
    """Replace an institution's legal data (None clears it); None for an unknown institution."""
    row = session.get(InstitutionRow, code)
    if row is None:
        return None
    _write_legal(row, legal)
    return institution_from_row(row)


def set_institution_trust(session: Session, code: str, trusted: bool) -> Institution | None:
    """Mark an institution trusted or not (an admin's decision); None when unknown."""
    row = session.get(InstitutionRow, code)
    if row is None:
        return None
    row.trusted = trusted
    return institution_from_row(row)


def unit_from_row(row: UnitRow) -> Unit:
    return Unit(
        code=row.code,
        kind=row.kind,  # type: ignore[arg-type]
        title=row.title,
        study_load_hours=row.study_load_hours,
        outcomes=tuple(
            Outcome(
                code=o.code,
                title=o.title,
                dossier_code=o.dossier_code,
                description=o.description,
                nlqf_level=o.nlqf_level,
            )
            for o in row.outcomes
        ),
        institution=row.institution,
        description=row.description,
        nlqf_level=row.nlqf_level,
        language=row.language,
        title_en=row.title_en,
    )


# --- institutions -----------------------------------------------------------------------------


def get_institution(session: Session, code: str) -> Institution | None:
    row = session.get(InstitutionRow, code)
    return institution_from_row(row) if row else None


def list_institutions(session: Session, flt: ListFilter) -> Page:
    query = select(InstitutionRow)
    if flt.kind:
        query = query.where(InstitutionRow.kind == flt.kind)
    if flt.q:
        query = query.where(text_match(flt.q, InstitutionRow.code, InstitutionRow.name))
    return paginate(session, query, [InstitutionRow.code], flt, institution_from_row)


def save_institution(session: Session, institution: Institution) -> None:
    row = session.get(InstitutionRow, institution.code) or InstitutionRow(code=institution.code)
    row.name, row.kind, row.brin = institution.name, institution.kind, institution.brin
    if institution.legal is not None:  # not stated (an import without it): kept as stored
        _write_legal(row, institution.legal)
    if row.trusted is None:
        row.trusted = False
    session.add(row)


# --- units ------------------------------------------------------------------------------------


def get_unit(session: Session, code: str) -> Unit | None:
    row = session.get(UnitRow, code, options=[selectinload(UnitRow.outcomes)])
    return unit_from_row(row) if row else None


def institution_of_outcome(session: Session, outcome: str) -> str | None:
    """The institution of the unit that holds `outcome` (None when unknown)."""
    return session.scalar(
        select(UnitRow.institution)
        .join(OutcomeRow, OutcomeRow.unit_code == UnitRow.code)
        .where(OutcomeRow.code == outcome)
    )


def get_units(session: Session, codes: Iterable[str] | None = None) -> dict[str, Unit]:
    """Return units by code (all units when `codes` is None) in two queries.

    All units: their outcomes come in one statement however many units there are
    (``subqueryload``; ``selectinload`` would send one per 500 units).
    """
    if codes is None:
        query = select(UnitRow).options(subqueryload(UnitRow.outcomes))
    else:
        query = select(UnitRow).options(selectinload(UnitRow.outcomes))
        query = query.where(UnitRow.code.in_(list(codes)))
    return {row.code: unit_from_row(row) for row in session.scalars(query)}


def list_units(session: Session, flt: ListFilter) -> Page:
    query = select(UnitRow).options(selectinload(UnitRow.outcomes))
    if flt.kind:
        query = query.where(UnitRow.kind == flt.kind)
    if flt.institution:
        query = query.where(UnitRow.institution == flt.institution)
    if flt.q:
        query = query.where(text_match(flt.q, UnitRow.code, UnitRow.title))
    return paginate(session, query, [UnitRow.code], flt, unit_from_row)


def save_unit(session: Session, unit: Unit) -> None:
    """Insert or replace `unit` with exactly its outcomes (outcomes it no longer has go)."""
    row = session.get(UnitRow, unit.code, options=[selectinload(UnitRow.outcomes)])
    if row is None:
        row = UnitRow(code=unit.code)
        session.add(row)
    row.kind, row.title, row.description = unit.kind, unit.title, unit.description
    row.study_load_hours, row.nlqf_level = unit.study_load_hours, unit.nlqf_level
    row.institution, row.language, row.title_en = unit.institution, unit.language, unit.title_en
    existing = {o.code: o for o in row.outcomes}
    wanted = {o.code for o in unit.outcomes}
    for code in set(existing) - wanted:
        row.outcomes.remove(existing[code])
    session.flush()
    outcome_rows = []
    for position, outcome in enumerate(unit.outcomes):
        outcome_row = existing.get(outcome.code) or OutcomeRow(code=outcome.code)
        outcome_row.position = position
        outcome_row.dossier_code, outcome_row.title = outcome.dossier_code, outcome.title
        outcome_row.description, outcome_row.nlqf_level = outcome.description, outcome.nlqf_level
        outcome_rows.append(outcome_row)
    row.outcomes = outcome_rows


def delete_unit(session: Session, code: str) -> None:
    row = session.get(UnitRow, code)
    if row is not None:
        session.delete(row)


# --- prerequisites ----------------------------------------------------------------------------


def all_prerequisites(session: Session) -> list[Prerequisite]:
    rows = session.execute(select(PrerequisiteRow.unit, PrerequisiteRow.requires))
    return [Prerequisite(unit, requires) for unit, requires in rows]


def prerequisites_of(session: Session, code: str) -> tuple[list[str], list[str]]:
    """Return (units `code` requires, units that require `code`), sorted."""
    requires = session.scalars(
        select(PrerequisiteRow.requires)
        .where(PrerequisiteRow.unit == code)
        .order_by(PrerequisiteRow.requires)
    ).all()
    required_by = session.scalars(
        select(PrerequisiteRow.unit)
        .where(PrerequisiteRow.requires == code)
        .order_by(PrerequisiteRow.unit)
    ).all()
    return list(requires), list(required_by)


def has_prerequisite(session: Session, prerequisite: Prerequisite) -> bool:
    return session.get(PrerequisiteRow, (prerequisite.unit, prerequisite.requires)) is not None


def add_prerequisite(session: Session, prerequisite: Prerequisite) -> None:
    session.add(PrerequisiteRow(unit=prerequisite.unit, requires=prerequisite.requires))


def delete_prerequisite(session: Session, prerequisite: Prerequisite) -> bool:
    result = session.execute(
        delete(PrerequisiteRow).where(
            PrerequisiteRow.unit == prerequisite.unit,
            PrerequisiteRow.requires == prerequisite.requires,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


# --- outcome relations ------------------------------------------------------------------------


def all_outcome_relations(session: Session) -> list[OutcomeRelation]:
    rows = session.scalars(select(OutcomeRelationRow).order_by(OutcomeRelationRow.id))
    return [OutcomeRelation(r.from_outcome, r.to_outcome, r.type, r.reason) for r in rows]  # type: ignore[arg-type]


def find_outcome_relation(session: Session, relation: OutcomeRelation) -> OutcomeRelation | None:
    row = session.scalar(
        select(OutcomeRelationRow).where(
            OutcomeRelationRow.from_outcome == relation.from_outcome,
            OutcomeRelationRow.to_outcome == relation.to_outcome,
            OutcomeRelationRow.type == relation.type,
        )
    )
    if row is None:
        return None
    return OutcomeRelation(row.from_outcome, row.to_outcome, row.type, row.reason)  # type: ignore[arg-type]


def save_outcome_relation(session: Session, relation: OutcomeRelation) -> None:
    row = session.scalar(
        select(OutcomeRelationRow).where(
            OutcomeRelationRow.from_outcome == relation.from_outcome,
            OutcomeRelationRow.to_outcome == relation.to_outcome,
            OutcomeRelationRow.type == relation.type,
        )
    ) or OutcomeRelationRow(
        from_outcome=relation.from_outcome, to_outcome=relation.to_outcome, type=relation.type
    )
    row.reason = relation.reason
    session.add(row)


def list_outcome_relations(session: Session, flt: ListFilter, outcome: str | None = None) -> Page:
    query = select(OutcomeRelationRow)
    if flt.kind:
        query = query.where(OutcomeRelationRow.type == flt.kind)
    if outcome:
        query = query.where(
            or_(
                OutcomeRelationRow.from_outcome == outcome, OutcomeRelationRow.to_outcome == outcome
            )
        )
    return paginate(
        session,
        query,
        [OutcomeRelationRow.id],
        flt,
        lambda r: OutcomeRelation(r.from_outcome, r.to_outcome, r.type, r.reason),
    )


# --- qualifications ---------------------------------------------------------------------------


def get_qualification(session: Session, code: str) -> Qualification | None:
    found = get_qualifications(session, [code])
    return found.get(code)


def get_qualifications(
    session: Session, codes: Iterable[str] | None = None
) -> dict[str, Qualification]:
    """Return qualifications by code (all when `codes` is None) in four queries."""
    query = select(QualificationRow)
    wanted = None if codes is None else list(codes)
    if wanted is not None:
        query = query.where(QualificationRow.code.in_(wanted))
    rows = list(session.scalars(query.order_by(QualificationRow.code)))
    keys = [row.code for row in rows]
    units: dict[str, list[QualificationUnitRow]] = defaultdict(list)
    for link in session.scalars(
        select(QualificationUnitRow)
        .where(QualificationUnitRow.qualification.in_(keys))
        .order_by(QualificationUnitRow.position)
    ):
        units[link.qualification].append(link)
    epas: dict[str, list[QualificationEpaRow]] = defaultdict(list)
    for link in session.scalars(
        select(QualificationEpaRow)
        .where(QualificationEpaRow.qualification.in_(keys))
        .order_by(QualificationEpaRow.position)
    ):
        epas[link.qualification].append(link)
    entry: dict[str, list[str]] = defaultdict(list)
    for link in session.scalars(
        select(QualificationEntryRow)
        .where(QualificationEntryRow.qualification.in_(keys))
        .order_by(QualificationEntryRow.position)
    ):
        entry[link.qualification].append(link.any_qualification)
    return {
        row.code: Qualification(
            code=row.code,
            title=row.title,
            kind=row.kind,  # type: ignore[arg-type]
            units=tuple(link.unit for link in units[row.code] if link.role == "mandatory"),
            electives=ElectiveRule(
                required_hours=row.elective_required_hours,
                options=tuple(link.unit for link in units[row.code] if link.role == "option"),
            ),
            required_epas=tuple(RequiredEpa(link.epa, link.min_level) for link in epas[row.code]),
            entry_any_qualification=tuple(entry[row.code]),
            nlqf_level=row.nlqf_level,
            eqf_level=row.eqf_level,
            crebo=row.crebo,
            institution=row.institution,
        )
        for row in rows
    }


def list_qualifications(session: Session, flt: ListFilter) -> Page:
    query = select(QualificationRow.code)
    if flt.kind:
        query = query.where(QualificationRow.kind == flt.kind)
    if flt.q:
        query = query.where(text_match(flt.q, QualificationRow.code, QualificationRow.title))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    codes = list(
        session.scalars(query.order_by(QualificationRow.code).limit(flt.limit).offset(flt.offset))
    )
    found = get_qualifications(session, codes)
    return Page([found[c] for c in codes], total, flt.limit, flt.offset)


def save_qualification_row(session: Session, qualification: Qualification) -> None:
    """Insert or update the qualification's own row, not its links."""
    row = session.get(QualificationRow, qualification.code) or QualificationRow(
        code=qualification.code
    )
    row.title, row.kind = qualification.title, qualification.kind
    row.nlqf_level, row.eqf_level, row.crebo = (
        qualification.nlqf_level,
        qualification.eqf_level,
        qualification.crebo,
    )
    row.elective_required_hours = qualification.electives.required_hours
    row.institution = qualification.institution
    session.add(row)


def save_qualification(session: Session, qualification: Qualification) -> None:
    """Insert or replace `qualification` with exactly its units, EPAs and entry rule."""
    save_qualification_row(session, qualification)
    session.flush()
    for table in (QualificationUnitRow, QualificationEpaRow, QualificationEntryRow):
        session.execute(delete(table).where(table.qualification == qualification.code))
    session.add_all(
        QualificationUnitRow(
            qualification=qualification.code, unit=code, role="mandatory", position=i
        )
        for i, code in enumerate(qualification.units)
    )
    offset = len(qualification.units)
    session.add_all(
        QualificationUnitRow(
            qualification=qualification.code, unit=code, role="option", position=offset + i
        )
        for i, code in enumerate(qualification.electives.options)
    )
    session.add_all(
        QualificationEpaRow(
            qualification=qualification.code, epa=r.epa, min_level=r.min_level, position=i
        )
        for i, r in enumerate(qualification.required_epas)
    )
    session.add_all(
        QualificationEntryRow(qualification=qualification.code, any_qualification=code, position=i)
        for i, code in enumerate(qualification.entry_any_qualification)
    )


# --- EPAs and supervision levels --------------------------------------------------------------


def get_epas(session: Session, codes: Iterable[str] | None = None) -> dict[str, Epa]:
    query = select(EpaRow).order_by(EpaRow.code)
    link_query = select(EpaOutcomeRow).order_by(EpaOutcomeRow.position)
    if codes is not None:
        wanted = list(codes)
        query = query.where(EpaRow.code.in_(wanted))
        link_query = link_query.where(EpaOutcomeRow.epa.in_(wanted))
    draws_on: dict[str, list[str]] = defaultdict(list)
    for link in session.scalars(link_query):
        draws_on[link.epa].append(link.outcome)
    return {
        row.code: Epa(
            row.code,
            row.title,
            row.type,  # type: ignore[arg-type]
            tuple(draws_on[row.code]),
            row.description,
            row.institution,
        )
        for row in session.scalars(query)
    }


def list_epas(session: Session, flt: ListFilter) -> Page:
    query = select(EpaRow.code)
    if flt.kind:
        query = query.where(EpaRow.type == flt.kind)
    if flt.q:
        query = query.where(text_match(flt.q, EpaRow.code, EpaRow.title))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    codes = list(session.scalars(query.order_by(EpaRow.code).limit(flt.limit).offset(flt.offset)))
    found = get_epas(session, codes)
    return Page([found[c] for c in codes], total, flt.limit, flt.offset)


def save_epa(session: Session, epa: Epa) -> None:
    row = session.get(EpaRow, epa.code) or EpaRow(code=epa.code)
    row.title, row.description, row.type = epa.title, epa.description, epa.type
    row.institution = epa.institution
    session.add(row)
    session.flush()
    session.execute(delete(EpaOutcomeRow).where(EpaOutcomeRow.epa == epa.code))
    session.add_all(
        EpaOutcomeRow(epa=epa.code, outcome=code, position=i) for i, code in enumerate(epa.draws_on)
    )


def supervision_levels(session: Session) -> list[SupervisionLevel]:
    rows = session.scalars(select(SupervisionLevelRow).order_by(SupervisionLevelRow.level))
    return [SupervisionLevel(r.level, r.label_nl, r.label_en, r.group) for r in rows]


def save_supervision_level(session: Session, level: SupervisionLevel) -> None:
    row = session.get(SupervisionLevelRow, level.level) or SupervisionLevelRow(level=level.level)
    row.label_nl, row.label_en, row.group = level.label_nl, level.label_en, level.group
    session.add(row)


# --- integrity helpers ------------------------------------------------------------------------


def _in_slices(codes: Iterable[str]) -> Iterable[Sequence[str]]:
    """Distinct `codes`, sorted, in ``IN (…)`` lists of the bulk writer's size."""
    return key_slices(sorted(set(codes)))


def known_codes_among(
    session: Session,
    *,
    institutions: Iterable[str] = (),
    units: Iterable[str] = (),
    outcomes: Iterable[str] = (),
    qualifications: Iterable[str] = (),
    epas: Iterable[str] = (),
) -> KnownCodes:
    """The codes among those named that exist: what a check of one item needs to know.

    `known_codes` reads every code of the registry, which a large registry makes slow for a
    single unit or qualification; this reads only the rows of the named codes.
    """

    def found(column, wanted: Iterable[str]) -> frozenset[str]:  # type: ignore[no-untyped-def]
        return frozenset(
            code
            for chunk in _in_slices(wanted)
            for code in session.scalars(select(column).where(column.in_(chunk)))
        )

    def pairs(key, value, wanted: Iterable[str]) -> dict[str, str]:  # type: ignore[no-untyped-def]
        return {
            code: other
            for chunk in _in_slices(wanted)
            for code, other in session.execute(select(key, value).where(key.in_(chunk)))
        }

    return KnownCodes(
        institutions=found(InstitutionRow.code, institutions),
        unit_kinds=pairs(UnitRow.code, UnitRow.kind, units),
        outcome_units=pairs(OutcomeRow.code, OutcomeRow.unit_code, outcomes),
        qualifications=found(QualificationRow.code, qualifications),
        epas=found(EpaRow.code, epas),
    )


def required_prerequisites(session: Session, units: Iterable[str]) -> list[Prerequisite]:
    """The prerequisites of `units` and, transitively, of every unit they require.

    One query per step back along the chains (a few for a real qualification), reading only
    the part of the prerequisite graph that `units` rest on.
    """
    seen = set(units)
    frontier = set(seen)
    found: list[Prerequisite] = []
    while frontier:
        reached: set[str] = set()
        for chunk in _in_slices(frontier):
            rows = session.execute(
                select(PrerequisiteRow.unit, PrerequisiteRow.requires).where(
                    PrerequisiteRow.unit.in_(chunk)
                )
            )
            for unit, requires in rows:
                found.append(Prerequisite(unit, requires))
                reached.add(requires)
        frontier = reached - seen
        seen |= reached
    return found


def known_codes(session: Session) -> KnownCodes:
    """Return every code that exists, in five narrow queries."""
    return KnownCodes(
        institutions=frozenset(session.scalars(select(InstitutionRow.code))),
        unit_kinds=dict(session.execute(select(UnitRow.code, UnitRow.kind)).all()),
        outcome_units=dict(session.execute(select(OutcomeRow.code, OutcomeRow.unit_code)).all()),
        qualifications=frozenset(session.scalars(select(QualificationRow.code))),
        epas=frozenset(session.scalars(select(EpaRow.code))),
    )
