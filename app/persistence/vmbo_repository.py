"""vmbo queries: programmes, assignments, mappings, completions, routes. Nothing here commits."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.overlap import (
    AssignmentMapping,
    CompletionOutcome,
    Module,
    PracticalAssignment,
    RouteTemplate,
    VmboCompletion,
    VmboProgramme,
)
from app.domain.paging import ListFilter, Page
from app.domain.path.record import PartialCredit
from app.persistence.models.vmbo import (
    VmboAssignmentRow,
    VmboCompletionOutcomeRow,
    VmboCompletionRow,
    VmboMappingRow,
    VmboProgrammeRow,
    VmboRouteRow,
)
from app.persistence.paging import paginate

# --- conversions ------------------------------------------------------------------------------


def programme_from_row(row: VmboProgrammeRow) -> VmboProgramme:
    modules = tuple(Module(m["code"], m["name"]) for m in row.modules or [])
    return VmboProgramme(row.code, row.title, row.institution, row.profile, modules)


def assignment_from_row(row: VmboAssignmentRow) -> PracticalAssignment:
    return PracticalAssignment(
        code=row.code,
        title=row.title,
        programme=row.programme,
        module=row.module,
        description=row.description,
        keuzevakken=tuple(row.keuzevakken or ()),
    )


def mapping_from_row(row: VmboMappingRow) -> AssignmentMapping:
    return AssignmentMapping(
        assignment=row.assignment,
        outcome=row.outcome,
        coverage=row.coverage,  # type: ignore[arg-type]
        version=row.version,
        note=row.note,
        validated_by=row.validated_by,
        validated_on=row.validated_on,
        ended_on=row.ended_on,
    )


def route_from_row(row: VmboRouteRow) -> RouteTemplate:
    return RouteTemplate(row.code, row.title, row.programme, row.qualification)


# --- programmes -------------------------------------------------------------------------------


def get_programme(session: Session, code: str) -> VmboProgramme | None:
    row = session.get(VmboProgrammeRow, code)
    return programme_from_row(row) if row else None


def add_programme(session: Session, programme: VmboProgramme) -> None:
    session.add(
        VmboProgrammeRow(
            code=programme.code,
            title=programme.title,
            institution=programme.institution,
            profile=programme.profile,
            modules=[{"code": m.code, "name": m.name} for m in programme.modules],
        )
    )


def update_programme(session: Session, programme: VmboProgramme) -> None:
    """Change a stored programme's title, profile and modules (its code and school stay)."""
    row = session.get(VmboProgrammeRow, programme.code)
    assert row is not None
    row.title = programme.title
    row.profile = programme.profile
    row.modules = [{"code": m.code, "name": m.name} for m in programme.modules]


def list_programmes(session: Session, flt: ListFilter) -> Page:
    query = select(VmboProgrammeRow)
    if flt.institution:
        query = query.where(VmboProgrammeRow.institution == flt.institution)
    if flt.q:
        q = flt.q.lower()
        query = query.where(
            func.lower(VmboProgrammeRow.code).contains(q, autoescape=True)
            | func.lower(VmboProgrammeRow.title).contains(q, autoescape=True)
        )
    return paginate(session, query, [VmboProgrammeRow.code], flt, programme_from_row)


# --- assignments ------------------------------------------------------------------------------


def get_assignment(session: Session, code: str) -> PracticalAssignment | None:
    row = session.get(VmboAssignmentRow, code)
    return assignment_from_row(row) if row else None


def add_assignment(session: Session, assignment: PracticalAssignment) -> None:
    position = (
        session.scalar(
            select(func.count())
            .select_from(VmboAssignmentRow)
            .where(VmboAssignmentRow.programme == assignment.programme)
        )
        or 0
    )
    session.add(
        VmboAssignmentRow(
            code=assignment.code,
            programme=assignment.programme,
            position=position,
            title=assignment.title,
            description=assignment.description,
            module=assignment.module,
            keuzevakken=list(assignment.keuzevakken),
        )
    )


def update_assignment(session: Session, assignment: PracticalAssignment) -> None:
    """Change a stored assignment's title, description, module and keuzevakken."""
    row = session.get(VmboAssignmentRow, assignment.code)
    assert row is not None
    row.title = assignment.title
    row.description = assignment.description
    row.module = assignment.module
    row.keuzevakken = list(assignment.keuzevakken)


def list_assignments(session: Session, programme: str, flt: ListFilter) -> Page:
    query = select(VmboAssignmentRow).where(VmboAssignmentRow.programme == programme)
    order = [VmboAssignmentRow.position, VmboAssignmentRow.code]
    return paginate(session, query, order, flt, assignment_from_row)


# --- mappings ---------------------------------------------------------------------------------


def mappings_of(
    session: Session, assignments: Iterable[str], history: bool = False
) -> dict[str, list[AssignmentMapping]]:
    """Return the mappings of `assignments` by assignment, in one query.

    Only the current versions unless `history`.
    """
    codes = list(assignments)
    query = select(VmboMappingRow).where(VmboMappingRow.assignment.in_(codes))
    if not history:
        query = query.where(VmboMappingRow.ended_on.is_(None))
    found: dict[str, list[AssignmentMapping]] = {code: [] for code in codes}
    for row in session.scalars(query.order_by(VmboMappingRow.assignment, VmboMappingRow.id)):
        found[row.assignment].append(mapping_from_row(row))
    return found


def programme_mappings(session: Session, programme: str) -> list[AssignmentMapping]:
    """Return the current mappings of every assignment of `programme`, in one query."""
    rows = session.scalars(
        select(VmboMappingRow)
        .join(VmboAssignmentRow, VmboAssignmentRow.code == VmboMappingRow.assignment)
        .where(VmboAssignmentRow.programme == programme, VmboMappingRow.ended_on.is_(None))
        .order_by(VmboAssignmentRow.position, VmboMappingRow.id)
    )
    return [mapping_from_row(row) for row in rows]


def current_mapping_row(session: Session, assignment: str, outcome: str) -> VmboMappingRow | None:
    return session.scalar(
        select(VmboMappingRow).where(
            VmboMappingRow.assignment == assignment,
            VmboMappingRow.outcome == outcome,
            VmboMappingRow.ended_on.is_(None),
        )
    )


def latest_version(session: Session, assignment: str, outcome: str) -> int:
    return (
        session.scalar(
            select(func.max(VmboMappingRow.version)).where(
                VmboMappingRow.assignment == assignment, VmboMappingRow.outcome == outcome
            )
        )
        or 0
    )


def add_mapping(
    session: Session, mapping: AssignmentMapping, actor_id: str, now: dt.datetime
) -> VmboMappingRow:
    row = VmboMappingRow(
        assignment=mapping.assignment,
        outcome=mapping.outcome,
        coverage=mapping.coverage,
        version=mapping.version,
        note=mapping.note,
        validated_by=mapping.validated_by,
        validated_on=mapping.validated_on,
        recorded_by=actor_id,
        recorded_at=now,
    )
    session.add(row)
    return row


# --- completions ------------------------------------------------------------------------------


def add_completion(
    session: Session, learner_id: str, item: dict[str, object], actor_id: str, now: dt.datetime
) -> VmboCompletionRow:
    row = VmboCompletionRow(
        learner=learner_id,
        assignment=item["assignment"],
        date=item["date"],
        assessor=item["assessor"],
        recorded_by=actor_id,
        recorded_at=now,
    )
    session.add(row)
    return row


def add_completion_outcomes(
    session: Session, completion_id: int, outcomes: Sequence[CompletionOutcome]
) -> None:
    session.add_all(
        VmboCompletionOutcomeRow(
            completion=completion_id,
            outcome=item.outcome,
            position=position,
            coverage=item.coverage,
            ref=item.ref,
            evidence=item.evidence,
        )
        for position, item in enumerate(outcomes)
    )


def get_completion_row(
    session: Session, learner_id: str, completion_id: int
) -> VmboCompletionRow | None:
    row = session.get(VmboCompletionRow, completion_id)
    return row if row is not None and row.learner == learner_id else None


def completions(session: Session, rows: Sequence[VmboCompletionRow]) -> list[VmboCompletion]:
    """Return `rows` as completions with their credited outcomes (one extra query)."""
    outcomes: dict[int, list[CompletionOutcome]] = defaultdict(list)
    ids = [row.id for row in rows]
    if ids:
        for item in session.scalars(
            select(VmboCompletionOutcomeRow)
            .where(VmboCompletionOutcomeRow.completion.in_(ids))
            .order_by(VmboCompletionOutcomeRow.completion, VmboCompletionOutcomeRow.position)
        ):
            outcomes[item.completion].append(
                CompletionOutcome(item.outcome, item.coverage, item.ref, item.evidence)  # type: ignore[arg-type]
            )
    return [
        VmboCompletion(
            id=row.id,
            learner=row.learner,
            assignment=row.assignment,
            date=row.date,
            assessor=row.assessor,
            outcomes=tuple(outcomes[row.id]),
            recorded_by=row.recorded_by,
            recorded_at=row.recorded_at,
            withdrawn_at=row.withdrawn_at,
            withdrawn_reason=row.withdrawn_reason,
        )
        for row in rows
    ]


def list_completions(session: Session, learner_id: str, flt: ListFilter) -> Page:
    query = select(VmboCompletionRow).where(VmboCompletionRow.learner == learner_id)
    page = paginate(session, query, [VmboCompletionRow.id], flt, lambda row: row)
    return replace(page, items=list(completions(session, page.items)))  # outcomes in one query


def completion_evidence_ids(session: Session, completion_id: int) -> list[int]:
    return [
        evidence
        for evidence in session.scalars(
            select(VmboCompletionOutcomeRow.evidence).where(
                VmboCompletionOutcomeRow.completion == completion_id
            )
        )
        if evidence is not None
    ]


def partial_credits(session: Session, learner_id: str) -> list[PartialCredit]:
    """Return the partially covered outcomes of the learner's completions, in one query."""
    rows = session.execute(
        select(
            VmboCompletionOutcomeRow.outcome, VmboCompletionRow.date, VmboCompletionRow.withdrawn_at
        )
        .join(VmboCompletionRow, VmboCompletionRow.id == VmboCompletionOutcomeRow.completion)
        .where(
            VmboCompletionRow.learner == learner_id, VmboCompletionOutcomeRow.coverage == "partial"
        )
        .order_by(VmboCompletionRow.id, VmboCompletionOutcomeRow.position)
    )
    return [
        PartialCredit(outcome, date, withdrawn_at is not None)
        for outcome, date, withdrawn_at in rows
    ]


# --- routes -----------------------------------------------------------------------------------


def get_route(session: Session, code: str) -> RouteTemplate | None:
    row = session.get(VmboRouteRow, code)
    return route_from_row(row) if row else None


def add_route(session: Session, route: RouteTemplate) -> None:
    session.add(
        VmboRouteRow(
            code=route.code,
            title=route.title,
            programme=route.programme,
            qualification=route.qualification,
        )
    )


def list_routes(session: Session, flt: ListFilter) -> Page:
    return paginate(session, select(VmboRouteRow), [VmboRouteRow.code], flt, route_from_row)
