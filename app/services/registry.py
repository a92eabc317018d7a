"""Registry use cases: institutions, units, prerequisites, relations, qualifications, EPAs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy.orm import Session

from app.domain.access import Principal, Target
from app.domain.errors import (
    Conflict,
    DuplicateCode,
    InvalidData,
    NotFound,
    PrerequisiteCycle,
    StillReferenced,
)
from app.domain.graph import build_prerequisite_graph, cycle_if_added, required_closure
from app.domain.legal_data import legal_data_problems
from app.domain.model import (
    Epa,
    Institution,
    LegalData,
    OutcomeRelation,
    Prerequisite,
    Qualification,
    SupervisionLevel,
    Unit,
)
from app.domain.paging import ListFilter, Page
from app.domain.qualification_graph import QualificationGraph, build_qualification_graph
from app.domain.rules import (
    KnownCodes,
    Problem,
    epa_problems,
    qualification_problems,
    relation_problems,
    unit_problems,
)
from app.persistence import references as refs
from app.persistence import registry_repository as repo
from app.services.access import authorize


def raise_for(problems: Sequence[Problem], prefix: str = "") -> None:
    """Raise the error that `problems` amount to: 422 for invalid data, else 409."""
    if not problems:
        return
    invalid = [p for p in problems if p.kind == "invalid"]
    chosen = invalid or list(problems)
    errors = [{"pointer": prefix + p.pointer, "message": p.message} for p in chosen]
    if invalid:
        raise InvalidData(errors)
    conflict = Conflict("; ".join(e["message"] for e in errors))
    conflict.errors = errors  # type: ignore[attr-defined]
    raise conflict


# --- institutions -----------------------------------------------------------------------------


def _authorize_registry(
    session: Session,
    actor: Principal | None,
    kind: str,
    code: str,
    *institutions: str | None,
) -> None:
    """Registry writes: an admin, or a school-admin of every institution the change touches."""
    for institution in dict.fromkeys(institutions):
        authorize(session, actor, "registry.write", Target(kind, code, institution=institution))


def set_institution_trust(
    session: Session, actor: Principal | None, code: str, trusted: bool
) -> Institution:
    """Mark an institution trusted (its credentials verify as this registry's) or not."""
    authorize(session, actor, "institution.trust", Target("institution", code))
    institution = repo.set_institution_trust(session, code, trusted)
    if institution is None:
        raise NotFound("institution", code)
    session.commit()
    return institution


def create_institution(
    session: Session, actor: Principal | None, institution: Institution
) -> Institution:
    authorize(session, actor, "institution.write", Target("institution", institution.code))
    if repo.get_institution(session, institution.code):
        raise DuplicateCode("institution", institution.code)
    if institution.legal is not None and (problems := legal_data_problems(institution.legal)):
        raise InvalidData([{**p, "pointer": "/legal" + p["pointer"]} for p in problems])
    repo.save_institution(session, institution)
    session.commit()
    return institution


def set_institution_legal(
    session: Session, actor: Principal | None, code: str, legal: LegalData | None
) -> Institution:
    """Replace an institution's legal data (an admin's task; None clears it); audited.

    Raises
    ------
    InvalidData
        A malformed field (KvK number, postal code, country, homepage), named by its pointer.
    NotFound
        Unknown institution.
    """
    authorize(session, actor, "institution.write", Target("institution", code))
    if legal is not None and (problems := legal_data_problems(legal)):
        raise InvalidData(problems)
    institution = repo.set_institution_legal(session, code, None if legal == LegalData() else legal)
    if institution is None:
        raise NotFound("institution", code)
    session.commit()
    return institution


def get_institution(session: Session, code: str) -> Institution:
    return repo.get_institution(session, code) or _missing("institution", code)


def list_institutions(session: Session, flt: ListFilter) -> Page:
    """One page of institutions (filters: kind, q)."""
    return repo.list_institutions(session, flt)


# --- units ------------------------------------------------------------------------------------


def get_unit(session: Session, code: str) -> Unit:
    return repo.get_unit(session, code) or _missing("unit", code)


def get_units(session: Session, codes: Iterable[str] | None = None) -> dict[str, Unit]:
    """The units among `codes` that exist (every unit when None), by code."""
    return repo.get_units(session, codes)


def known_codes(session: Session) -> KnownCodes:
    """Every code that exists: institutions, units (with kinds), outcomes, qualifications, EPAs."""
    return repo.known_codes(session)


def list_units(session: Session, flt: ListFilter) -> Page:
    """One page of units with their outcomes (filters: kind, q, institution)."""
    return repo.list_units(session, flt)


def create_unit(session: Session, actor: Principal | None, unit: Unit) -> Unit:
    _authorize_registry(session, actor, "unit", unit.code, unit.institution)
    if repo.get_unit(session, unit.code):
        raise DuplicateCode("unit", unit.code)
    raise_for(unit_problems(unit, _known_for_unit(session, unit)))
    repo.save_unit(session, unit)
    session.commit()
    return unit


def replace_unit(session: Session, actor: Principal | None, code: str, unit: Unit) -> Unit:
    """Replace unit `code` as a whole; removed outcomes must not be referred to."""
    current = get_unit(session, code)
    _authorize_registry(session, actor, "unit", code, current.institution, unit.institution)
    if unit.code != code:
        raise InvalidData([{"pointer": "/code", "message": f"the body's code must be '{code}'"}])
    raise_for(unit_problems(unit, _known_for_unit(session, unit)))
    _refuse_breaking_change(session, current, unit)
    repo.save_unit(session, unit)
    session.commit()
    return unit


def delete_unit(session: Session, actor: Principal | None, code: str) -> None:
    current = get_unit(session, code)
    _authorize_registry(session, actor, "unit", code, current.institution)
    references = refs.unit_references(session, code)
    if references:
        raise StillReferenced(f"unit '{code}'", references)
    repo.delete_unit(session, code)
    session.commit()


def breaking_change_problems(session: Session, current: Unit, new: Unit) -> list[Problem]:
    """Return why replacing `current` by `new` would break what refers to it."""
    problems: list[Problem] = []
    removed = sorted(set(current.outcome_codes) - set(new.outcome_codes))
    references = refs.outcome_references(session, removed)
    if references:
        names = ", ".join(f"{r['kind']} {r['code']}" for r in references)
        problems.append(
            Problem(
                "/outcomes",
                f"removes outcome(s) {', '.join(removed)} still referred to by {names}",
                "conflict",
            )
        )
    if current.kind == "VC" and new.kind != "VC":
        users = [
            r["code"]
            for r in refs.unit_references(session, current.code)
            if r.get("role") == "option"
        ]
        if users:
            problems.append(
                Problem(
                    "/kind",
                    f"unit is an elective option of {', '.join(users)}; it must stay VC",
                    "conflict",
                )
            )
    return problems


def _refuse_breaking_change(session: Session, current: Unit, new: Unit) -> None:
    removed = sorted(set(current.outcome_codes) - set(new.outcome_codes))
    references = refs.outcome_references(session, removed)
    if references:
        raise StillReferenced(
            f"outcome(s) {', '.join(removed)} of unit '{current.code}'", references
        )
    raise_for(breaking_change_problems(session, current, new))


# --- prerequisites ----------------------------------------------------------------------------


def prerequisite_graph(session: Session):  # type: ignore[no-untyped-def]
    """Return the whole prerequisite graph of the registry."""
    edges = [(p.unit, p.requires) for p in repo.all_prerequisites(session)]
    return build_prerequisite_graph(repo.known_codes(session).unit_kinds, edges)


def unit_prerequisites(session: Session, code: str) -> dict[str, object]:
    get_unit(session, code)
    requires, required_by = repo.prerequisites_of(session, code)
    return {"unit": code, "requires": requires, "required_by": required_by}


def add_prerequisite(
    session: Session, actor: Principal | None, prerequisite: Prerequisite
) -> Prerequisite:
    """Record that `prerequisite.unit` requires `prerequisite.requires`, refusing cycles."""
    unit = get_unit(session, prerequisite.unit)
    _authorize_registry(session, actor, "unit", unit.code, unit.institution)
    if repo.get_unit(session, prerequisite.requires) is None:
        raise InvalidData(
            [{"pointer": "/requires", "message": f"unknown unit '{prerequisite.requires}'"}]
        )
    if repo.has_prerequisite(session, prerequisite):
        raise Conflict(f"unit '{prerequisite.unit}' already requires '{prerequisite.requires}'")
    # A cycle needs `unit` among what `requires` already rests on: that part of the graph will do.
    edges = [
        (p.unit, p.requires) for p in repo.required_prerequisites(session, [prerequisite.requires])
    ]
    rests_on = build_prerequisite_graph([prerequisite.unit, prerequisite.requires], edges)
    cycle = cycle_if_added(rests_on, prerequisite.unit, prerequisite.requires)
    if cycle:
        raise PrerequisiteCycle(cycle)
    repo.add_prerequisite(session, prerequisite)
    session.commit()
    return prerequisite


def remove_prerequisite(
    session: Session, actor: Principal | None, prerequisite: Prerequisite
) -> None:
    unit = get_unit(session, prerequisite.unit)
    _authorize_registry(session, actor, "unit", unit.code, unit.institution)
    if not repo.delete_prerequisite(session, prerequisite):
        raise NotFound("prerequisite", f"{prerequisite.unit} requires {prerequisite.requires}")
    session.commit()


# --- outcome relations ------------------------------------------------------------------------


def create_outcome_relation(
    session: Session, actor: Principal | None, relation: OutcomeRelation
) -> OutcomeRelation:
    owner = repo.institution_of_outcome(session, relation.from_outcome)
    _authorize_registry(session, actor, "outcome-relation", relation.from_outcome, owner)
    raise_for(relation_problems(relation, repo.known_codes(session)))
    if repo.find_outcome_relation(session, relation):
        name = f"{relation.from_outcome} {relation.type} {relation.to_outcome}"
        raise Conflict(f"relation '{name}' already exists")
    repo.save_outcome_relation(session, relation)
    session.commit()
    return relation


# --- qualifications ---------------------------------------------------------------------------


def list_outcome_relations(session: Session, flt: ListFilter, outcome: str | None = None) -> Page:
    """One page of outcome relations (filters: kind, and `outcome` on either side)."""
    return repo.list_outcome_relations(session, flt, outcome)


def list_qualifications(session: Session, flt: ListFilter) -> Page:
    """One page of qualifications (filters: kind, q)."""
    return repo.list_qualifications(session, flt)


def get_qualification(session: Session, code: str) -> Qualification:
    return repo.get_qualification(session, code) or _missing("qualification", code)


def get_qualifications(
    session: Session, codes: Iterable[str] | None = None
) -> dict[str, Qualification]:
    """The qualifications among `codes` that exist (every one when None), by code."""
    return repo.get_qualifications(session, codes)


def create_qualification(
    session: Session, actor: Principal | None, qualification: Qualification
) -> Qualification:
    _authorize_registry(
        session, actor, "qualification", qualification.code, qualification.institution
    )
    if repo.get_qualification(session, qualification.code):
        raise DuplicateCode("qualification", qualification.code)
    known = _known_for_qualification(session, qualification)
    raise_for(qualification_problems(qualification, known))
    repo.save_qualification(session, qualification)
    session.commit()
    return qualification


def replace_qualification(
    session: Session, actor: Principal | None, code: str, qualification: Qualification
) -> Qualification:
    current = get_qualification(session, code)
    _authorize_registry(
        session, actor, "qualification", code, current.institution, qualification.institution
    )
    if qualification.code != code:
        raise InvalidData([{"pointer": "/code", "message": f"the body's code must be '{code}'"}])
    known = _known_for_qualification(session, qualification)
    raise_for(qualification_problems(qualification, known))
    repo.save_qualification(session, qualification)
    session.commit()
    return qualification


def qualification_graph(session: Session, code: str) -> QualificationGraph:
    """Return the qualification's units, the units they require, the edges and the order.

    Only the part of the prerequisite graph the qualification rests on is read.
    """
    qualification = get_qualification(session, code)
    members = [*qualification.units, *qualification.electives.options]
    edges = [(p.unit, p.requires) for p in repo.required_prerequisites(session, members)]
    graph = build_prerequisite_graph(members, edges)
    units = repo.get_units(session, required_closure(graph, members))
    return build_qualification_graph(qualification, graph, units)


def _known_for_qualification(session: Session, qualification: Qualification) -> KnownCodes:
    return repo.known_codes_among(
        session,
        units=[*qualification.units, *qualification.electives.options],
        qualifications=qualification.entry_any_qualification,
        epas=[r.epa for r in qualification.required_epas],
    )


def _known_for_unit(session: Session, unit: Unit) -> KnownCodes:
    return repo.known_codes_among(
        session, institutions=[unit.institution], outcomes=[o.code for o in unit.outcomes]
    )


# --- EPAs and supervision levels --------------------------------------------------------------


def list_epas(session: Session, flt: ListFilter) -> Page:
    """One page of EPAs (filters: kind = EPA type, q)."""
    return repo.list_epas(session, flt)


def get_epas(session: Session, codes: Iterable[str]) -> dict[str, Epa]:
    """The EPAs among `codes` that exist, by code."""
    return repo.get_epas(session, codes)


def get_epa(session: Session, code: str) -> Epa:
    return repo.get_epas(session, [code]).get(code) or _missing("EPA", code)


def create_epa(session: Session, actor: Principal | None, epa: Epa) -> Epa:
    _authorize_registry(session, actor, "epa", epa.code, epa.institution)
    if repo.get_epas(session, [epa.code]):
        raise DuplicateCode("EPA", epa.code)
    raise_for(epa_problems(epa, repo.known_codes(session)))
    repo.save_epa(session, epa)
    session.commit()
    return epa


def supervision_levels(session: Session) -> list[SupervisionLevel]:
    return repo.supervision_levels(session)


def _missing(kind: str, code: str):  # type: ignore[no-untyped-def]
    raise NotFound(kind, code)
