"""What a registry import writes, as a plan of steps that can each be undone.

`plan_import` compares a validated document with what is stored, fills the report (created /
updated / unchanged per kind) and splits the writes into steps: new items are inserted with
bulk statements (`app.persistence.registry_bulk`), changed ones through the ORM
(`app.persistence.registry_repository`), in the order their references need (institutions,
units, EPAs, qualification rows, qualification links, outcome relations, prerequisites).

A small import runs every step in one transaction, and so does a large one on PostgreSQL; on
SQLite a large one commits step by step, so that no transaction holds the database for long,
and undoes the written steps (newest first) when a later one fails (`app.services.importer`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

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
from app.persistence import registry_bulk as bulk
from app.persistence import registry_repository as repo

KINDS = ("institutions", "units", "outcome_relations", "prerequisites", "qualifications", "epas")

#: Items per step of a large import. A step of 200 units (with their outcomes: ~800 rows, and
#: as many audit entries) holds SQLite's write lock for well under a tenth of a second on an
#: idle machine, and stays short when the machine is busy, so other writers wait little
#: (measured by bench/bench_import_20k.py; steps of 500 let writers wait 4-6 s under load).
UNITS_PER_STEP = 200
ITEMS_PER_STEP = 1_000

T = TypeVar("T")


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


def as_imported(
    institution: Institution | None, imported: Institution | None = None
) -> Institution | None:
    """A stored institution as an import document would state it (trust is an admin's flag).

    Legal data that the `imported` institution does not state is kept as stored, so it is no
    change; legal data it states replaces the stored (none stored reads as all fields empty,
    so saving this version again clears it).
    """
    if institution is None:
        return None
    legal = institution.legal
    if imported is not None:
        legal = None if imported.legal is None else (legal or LegalData())
    return replace(institution, trusted=False, legal=legal)


@dataclass(frozen=True, slots=True)
class Step:
    """One part of an import's writes: `items` items of one kind, and how to take them back."""

    label: str
    items: int
    write: Callable[[Session], None]
    undo: Callable[[Session], None]


@dataclass(frozen=True, slots=True)
class ImportPlan:
    report: ImportReport
    steps: tuple[Step, ...]

    @property
    def total(self) -> int:
        """Items the plan writes (unchanged items are not written)."""
        return sum(step.items for step in self.steps)


def _chunks(items: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Kind:
    """The new and changed items of one kind, with the stored version of each changed one."""

    def __init__(self) -> None:
        self.created: list[Any] = []
        self.updated: list[tuple[Any, Any]] = []

    def sort(self, report: ImportReport, kind: str, key: str, before: Any, item: Any) -> None:
        outcome = report.record(kind, key, before, item)
        if outcome == "created":
            self.created.append(item)
        elif outcome == "updated":
            self.updated.append((item, before))


def _steps(
    label: str,
    kind: _Kind,
    size: int,
    insert: Callable[[Session, Sequence[Any]], None] | None,
    remove: Callable[[Session, Sequence[Any]], None],
    save: Callable[[Session, Any], None],
) -> list[Step]:
    """Steps that bulk-insert the new items (or `save` them, without `insert`) and `save` the
    changed ones; undone by `remove` and by saving the stored version again."""
    steps = []
    for chunk in _chunks(kind.created, size):
        if insert is not None:
            write = _bound(insert, chunk)
        else:
            write = _each(save, chunk)
        steps.append(Step(f"new {label}", len(chunk), write, _bound(remove, chunk)))
    for pairs in _chunks(kind.updated, size):
        new, old = [n for n, _ in pairs], [o for _, o in pairs]
        steps.append(Step(f"changed {label}", len(pairs), _each(save, new), _each(save, old)))
    return steps


def _bound(action: Callable[[Session, Sequence[Any]], None], items: Sequence[Any]) -> Callable:  # type: ignore[type-arg]
    return lambda session: action(session, items)


def _each(action: Callable[[Session, Any], None], items: Sequence[Any]) -> Callable:  # type: ignore[type-arg]
    def run(session: Session) -> None:
        for item in items:
            action(session, item)

    return run


def _codes(action: Callable[[Session, Sequence[str]], None]) -> Callable:  # type: ignore[type-arg]
    """`action` over the codes of the items it is given."""
    return lambda session, items: action(session, [item.code for item in items])


def _stored_units(session: Session, codes: Sequence[str]) -> dict[str, Unit]:
    stored: dict[str, Unit] = {}
    for chunk in _chunks(codes, 5_000):
        stored.update(repo.get_units(session, chunk))
    return stored


def plan_import(session: Session, document: ImportDocument) -> ImportPlan:
    """Compare a validated `document` with what is stored; the report and the steps to write."""
    report = ImportReport()
    institutions, units, epas, qualifications = _Kind(), _Kind(), _Kind(), _Kind()
    relations, prerequisites = _Kind(), _Kind()
    for institution in document.institutions:
        before = as_imported(repo.get_institution(session, institution.code), institution)
        institutions.sort(report, "institutions", institution.code, before, institution)
    stored_units = _stored_units(session, [u.code for u in document.units])
    for unit in document.units:
        units.sort(report, "units", unit.code, stored_units.get(unit.code), unit)
    stored_epas = repo.get_epas(session, [e.code for e in document.epas])
    for epa in document.epas:
        epas.sort(report, "epas", epa.code, stored_epas.get(epa.code), epa)
    stored_qualifications = repo.get_qualifications(
        session, [q.code for q in document.qualifications]
    )
    for qualification in document.qualifications:
        before_q = stored_qualifications.get(qualification.code)
        qualifications.sort(report, "qualifications", qualification.code, before_q, qualification)
    stored_relations = _stored_relations(session, document.outcome_relations)
    for relation in document.outcome_relations:
        before_r = stored_relations.get((relation.from_outcome, relation.to_outcome, relation.type))
        relations.sort(report, "outcome_relations", relation_key(relation), before_r, relation)
    stored_prerequisites = set(repo.all_prerequisites(session)) if document.prerequisites else set()
    for prerequisite in document.prerequisites:
        before_p = prerequisite if prerequisite in stored_prerequisites else None
        stored_prerequisites.add(prerequisite)
        prerequisites.sort(
            report, "prerequisites", prerequisite_key(prerequisite), before_p, prerequisite
        )
    steps = [
        *_steps(
            "institutions",
            institutions,
            ITEMS_PER_STEP,
            bulk.insert_institutions,
            _codes(bulk.delete_institutions),
            repo.save_institution,
        ),
        *_steps(
            "units",
            units,
            UNITS_PER_STEP,
            bulk.insert_units,
            _codes(bulk.delete_units),
            repo.save_unit,
        ),
        *_steps(
            "EPAs", epas, ITEMS_PER_STEP, bulk.insert_epas, _codes(bulk.delete_epas), repo.save_epa
        ),
        *_steps(
            "qualifications",
            qualifications,
            ITEMS_PER_STEP,
            bulk.insert_qualification_rows,
            _codes(bulk.delete_qualifications),
            repo.save_qualification_row,
        ),
        *_qualification_link_steps(qualifications),
        *_steps(
            "outcome relations",
            relations,
            ITEMS_PER_STEP,
            None,  # their ids are generated, so the ORM writes them (the trail names the id)
            bulk.delete_outcome_relations,
            repo.save_outcome_relation,
        ),
        *_steps(
            "prerequisites",
            prerequisites,
            ITEMS_PER_STEP,
            bulk.insert_prerequisites,
            bulk.delete_prerequisites,
            repo.add_prerequisite,
        ),
    ]
    return ImportPlan(report, tuple(steps))


def _qualification_link_steps(qualifications: _Kind) -> list[Step]:
    """After every qualification row exists (entry requirements may point at each other)."""
    links = _Kind()
    links.created = qualifications.created
    links.updated = qualifications.updated
    steps = _steps(
        "qualification links",
        links,
        ITEMS_PER_STEP,
        bulk.insert_qualification_links,
        _codes(bulk.delete_qualification_links),
        repo.save_qualification,
    )
    return [replace(step, items=0) for step in steps]  # counted with the qualification rows


def _stored_relations(
    session: Session, relations: Sequence[OutcomeRelation]
) -> dict[Hashable, OutcomeRelation]:
    """The stored relations by (from, to, type), read at once when the document has some."""
    if not relations:
        return {}
    return {(r.from_outcome, r.to_outcome, r.type): r for r in repo.all_outcome_relations(session)}
