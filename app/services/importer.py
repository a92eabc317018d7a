"""The all-or-nothing, idempotent registry import (`POST /api/import`, `flask import`, seed)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.orm import Session

from app.domain.access import Principal, Target
from app.domain.errors import InvalidData
from app.domain.graph import build_prerequisite_graph, cycle_if_added
from app.domain.model import Epa, Institution, OutcomeRelation, Prerequisite, Qualification, Unit
from app.domain.rules import (
    KnownCodes,
    Problem,
    epa_problems,
    prerequisite_problems,
    qualification_problems,
    relation_problems,
    unit_problems,
)
from app.persistence import registry_repository as repo
from app.services.access import authorize
from app.services.registry import breaking_change_problems

KINDS = ("institutions", "units", "outcome_relations", "prerequisites", "qualifications", "epas")


@dataclass(frozen=True, slots=True)
class ImportDocument:
    """A registry import, already shaped into domain values (in document order)."""

    institutions: tuple[Institution, ...] = ()
    units: tuple[Unit, ...] = ()
    outcome_relations: tuple[OutcomeRelation, ...] = ()
    prerequisites: tuple[Prerequisite, ...] = ()
    qualifications: tuple[Qualification, ...] = ()
    epas: tuple[Epa, ...] = ()


@dataclass(slots=True)
class ImportReport:
    """Codes per kind that the import created, updated, or found unchanged."""

    created: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in KINDS})
    updated: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in KINDS})
    unchanged: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in KINDS})

    def record(self, kind: str, code: str, before: object, after: object) -> str:
        bucket = (
            self.created if before is None else self.unchanged if before == after else self.updated
        )
        bucket[kind].append(code)
        return "created" if before is None else "unchanged" if before == after else "updated"

    def as_dict(self) -> dict[str, dict[str, list[str]]]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


def relation_key(relation: OutcomeRelation) -> str:
    return f"{relation.from_outcome} {relation.type} {relation.to_outcome}"


def prerequisite_key(prerequisite: Prerequisite) -> str:
    return f"{prerequisite.unit} requires {prerequisite.requires}"


def import_registry(
    session: Session,
    actor: Principal | None,
    document: ImportDocument,
    *,
    field_errors: Sequence[dict[str, Any]] = (),
    unparsed: Mapping[str, AbstractSet[str]] | None = None,
) -> ImportReport:
    """Validate the whole `document`, then apply it in one transaction.

    Raises
    ------
    InvalidData
        With one ``{"pointer", "message"}`` error (plus ``cycle`` for cycles) for every error
        found, after the edge's `field_errors`; nothing is written.

    Notes
    -----
    `unparsed` holds, per kind, codes of items the edge could not load: they count as known
    so that references to them are not reported twice.
    """
    errors = [*field_errors, *validate_import(session, document, unparsed or {})]
    if errors:
        raise InvalidData(
            errors, detail=f"the import has {len(errors)} error(s); nothing was written"
        )
    _authorize_document(session, actor, document)
    report = apply_import(session, document)
    session.commit()
    return report


def _authorize_document(
    session: Session, actor: Principal | None, document: ImportDocument
) -> None:
    """An admin imports anything; a school-admin only what their own institution maintains.

    New or changed institutions need an admin; every unit, qualification and EPA needs
    registry rights in its institution, and relations and prerequisites in the institution
    of the unit they start from.
    """
    for institution in document.institutions:
        if _as_imported(repo.get_institution(session, institution.code)) != institution:
            authorize(session, actor, "institution.write", Target("institution", institution.code))
    owners: dict[str | None, str] = {}
    units = {unit.code: unit.institution for unit in document.units}
    for unit in document.units:
        owners.setdefault(unit.institution, f"unit {unit.code}")
    for qualification in document.qualifications:
        owners.setdefault(qualification.institution, f"qualification {qualification.code}")
    for epa in document.epas:
        owners.setdefault(epa.institution, f"EPA {epa.code}")
    for prerequisite in document.prerequisites:
        owner = units.get(prerequisite.unit)
        if owner is None:
            stored = repo.get_unit(session, prerequisite.unit)
            owner = stored.institution if stored else None
        owners.setdefault(owner, f"unit {prerequisite.unit}")
    outcome_units = {o.code: u.institution for u in document.units for o in u.outcomes}
    for relation in document.outcome_relations:
        owner = outcome_units.get(relation.from_outcome) or repo.institution_of_outcome(
            session, relation.from_outcome
        )
        owners.setdefault(owner, f"outcome {relation.from_outcome}")
    authorize(session, actor, "import.registry", Target("import", institution=_own(actor)))
    for institution, example in owners.items():
        authorize(session, actor, "registry.write", Target("import", example, institution))


def _as_imported(institution: Institution | None) -> Institution | None:
    """A stored institution as an import document would state it (trust is an admin's flag)."""
    return None if institution is None else replace(institution, trusted=False)


def _own(actor: Principal | None) -> str | None:
    return None if actor is None else actor.institution


def validate_import(
    session: Session,
    document: ImportDocument,
    unparsed: Mapping[str, AbstractSet[str]] | None = None,
) -> list[dict[str, Any]]:
    """Return every error of `document` against the stored registry plus the document itself."""
    stored = repo.known_codes(session)
    errors: list[dict[str, Any]] = []
    errors += _duplicates(document)
    known = _with_unparsed(_combined_codes(stored, document, errors), unparsed or {})

    def check(
        kind: str, items: Sequence[Any], rule: Callable[[Any, KnownCodes], list[Problem]]
    ) -> None:
        for index, item in enumerate(items):
            errors.extend(_pointed(f"/{kind}/{index}", rule(item, known)))

    check(
        "units",
        document.units,
        lambda u, k: [p for p in unit_problems(u, k) if p.kind == "invalid"],
    )
    stored_units = repo.get_units(session, [u.code for u in document.units])
    for index, unit in enumerate(document.units):
        if unit.code in stored_units:
            problems = breaking_change_problems(session, stored_units[unit.code], unit)
            errors.extend(_pointed(f"/units/{index}", problems))
    check("outcome_relations", document.outcome_relations, relation_problems)
    check("prerequisites", document.prerequisites, prerequisite_problems)
    check("qualifications", document.qualifications, qualification_problems)
    check("epas", document.epas, epa_problems)
    errors += _cycles(session, document, known)
    return errors


def apply_import(session: Session, document: ImportDocument) -> ImportReport:
    """Write a validated `document`; report created / updated / unchanged codes per kind."""
    report = ImportReport()
    for institution in document.institutions:
        before = _as_imported(repo.get_institution(session, institution.code))
        if report.record("institutions", institution.code, before, institution) != "unchanged":
            repo.save_institution(session, institution)
    session.flush()
    stored_units = repo.get_units(session, [u.code for u in document.units])
    for unit in document.units:
        if report.record("units", unit.code, stored_units.get(unit.code), unit) != "unchanged":
            repo.save_unit(session, unit)
    session.flush()
    stored_epas = repo.get_epas(session, [e.code for e in document.epas])
    for epa in document.epas:
        if report.record("epas", epa.code, stored_epas.get(epa.code), epa) != "unchanged":
            repo.save_epa(session, epa)
    session.flush()
    stored_qualifications = repo.get_qualifications(
        session, [q.code for q in document.qualifications]
    )
    changed = [
        q
        for q in document.qualifications
        if report.record("qualifications", q.code, stored_qualifications.get(q.code), q)
        != "unchanged"
    ]
    for qualification in changed:  # rows first: entry requirements may point at each other
        repo.save_qualification_row(session, qualification)
    session.flush()
    for qualification in changed:
        repo.save_qualification(session, qualification)
    for relation in document.outcome_relations:
        before = repo.find_outcome_relation(session, relation)
        if (
            report.record("outcome_relations", relation_key(relation), before, relation)
            != "unchanged"
        ):
            repo.save_outcome_relation(session, relation)
    session.flush()
    stored_prerequisites = set(repo.all_prerequisites(session))
    for prerequisite in document.prerequisites:
        before = prerequisite if prerequisite in stored_prerequisites else None
        stored_prerequisites.add(prerequisite)
        if (
            report.record("prerequisites", prerequisite_key(prerequisite), before, prerequisite)
            == "created"
        ):
            repo.add_prerequisite(session, prerequisite)
    session.flush()
    return report


def _duplicates(document: ImportDocument) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = []
    for kind in ("institutions", "units", "qualifications", "epas"):
        seen: set[str] = set()
        for index, item in enumerate(getattr(document, kind)):
            if item.code in seen:
                errors.append(
                    {"pointer": f"/{kind}/{index}/code", "message": f"'{item.code}' appears twice"}
                )
            seen.add(item.code)
    return errors


def _combined_codes(
    stored: KnownCodes, document: ImportDocument, errors: list[dict[str, Any]]
) -> KnownCodes:
    """Return the codes that will exist after the import; report outcome-code clashes."""
    replaced = {u.code for u in document.units}
    outcome_units = {o: u for o, u in stored.outcome_units.items() if u not in replaced}
    for index, unit in enumerate(document.units):
        for position, outcome in enumerate(unit.outcomes):
            owner = outcome_units.get(outcome.code)
            if owner is not None and owner != unit.code:
                errors.append(
                    {
                        "pointer": f"/units/{index}/outcomes/{position}/code",
                        "message": f"outcome '{outcome.code}' already belongs to unit '{owner}'",
                    }
                )
            else:
                outcome_units[outcome.code] = unit.code
    return KnownCodes(
        institutions=stored.institutions | {i.code for i in document.institutions},
        unit_kinds={**stored.unit_kinds, **{u.code: u.kind for u in document.units}},
        outcome_units=outcome_units,
        qualifications=stored.qualifications | {q.code for q in document.qualifications},
        epas=stored.epas | {e.code for e in document.epas},
    )


def _with_unparsed(known: KnownCodes, unparsed: Mapping[str, AbstractSet[str]]) -> KnownCodes:
    """Treat codes of items that failed to load as known (their errors are reported already)."""
    if not unparsed:
        return known
    units = {code: known.unit_kinds.get(code, "VC") for code in unparsed.get("units", ())}
    return KnownCodes(
        institutions=known.institutions | set(unparsed.get("institutions", ())),
        unit_kinds={**units, **known.unit_kinds},
        outcome_units=known.outcome_units,
        qualifications=known.qualifications | set(unparsed.get("qualifications", ())),
        epas=known.epas | set(unparsed.get("epas", ())),
    )


def _cycles(session: Session, document: ImportDocument, known: KnownCodes) -> list[dict[str, Any]]:
    """Add the document's prerequisites one by one; report each one that closes a cycle."""
    stored = [(p.unit, p.requires) for p in repo.all_prerequisites(session)]
    graph = build_prerequisite_graph(known.unit_kinds, stored)
    errors: list[dict[str, Any]] = []
    for index, prerequisite in enumerate(document.prerequisites):
        if (
            prerequisite.unit not in known.unit_kinds
            or prerequisite.requires not in known.unit_kinds
        ):
            continue
        if graph.has_edge(prerequisite.requires, prerequisite.unit):
            continue  # stored already (or listed twice): it cannot close a new cycle
        cycle = cycle_if_added(graph, prerequisite.unit, prerequisite.requires)
        if cycle:
            errors.append(
                {
                    "pointer": f"/prerequisites/{index}",
                    "message": "this prerequisite would create a cycle: " + " → ".join(cycle),
                    "cycle": cycle,
                }
            )
        else:
            graph.add_edge(prerequisite.requires, prerequisite.unit)
    return errors


def _pointed(prefix: str, problems: Sequence[Problem]) -> list[dict[str, Any]]:
    return [{"pointer": prefix + p.pointer, "message": p.message} for p in problems]
