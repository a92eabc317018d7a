"""The all-or-nothing, idempotent registry import (`POST /api/import`, `flask import`, seed).

Every import is validated whole before anything is written. A small one is then written in one
transaction (`import_registry`); a large one step by step (`import_registry_in_steps`, run as a
job by ``POST /api/import`` and with a progress bar by ``flask import``):

* on PostgreSQL every step in one transaction, committed at the end: its row locks hold up no
  other writer (but writers of the same rows), its registry version bump is put off to the
  commit, and its progress is recorded beside it. A failure rolls it back, and so does a
  killed process: nothing of it remains.
* on SQLite each step in a short transaction of its own, resting between them, since one long
  transaction would hold SQLite's one write lock, and so every other writer, for the whole
  import. What it wrote is undone when a later step fails, so the import is still all or
  nothing; a killed process leaves the steps it committed (import the document again).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import Any

import networkx as nx
from sqlalchemy.orm import Session

from app.domain.access import Principal, Target
from app.domain.errors import InvalidData, RegistryError
from app.domain.graph import build_prerequisite_graph, cycle_if_added
from app.domain.model import Prerequisite
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
from app.persistence.audit import bind_principal
from app.persistence.job_repository import JobInfo
from app.persistence.versions import registry_bump_at_end
from app.services import jobs
from app.services.access import authorize
from app.services.import_writes import (
    KINDS,
    ImportDocument,
    ImportPlan,
    ImportReport,
    Step,
    as_imported,
    plan_import,
    prerequisite_key,
    relation_key,
)
from app.services.registry import breaking_change_problems

__all__ = [
    "KINDS",
    "ImportDocument",
    "ImportInterrupted",
    "ImportReport",
    "Progress",
    "apply_import",
    "begin_import_job",
    "check_import",
    "import_registry",
    "import_registry_in_steps",
    "package_size",
    "prerequisite_key",
    "preview_import",
    "relation_key",
    "validate_import",
]

log = logging.getLogger(__name__)

#: The kind of the jobs that large imports run as.
IMPORT_JOB = jobs.REGISTRY_IMPORT

#: Between two steps a large import rests as long as the step took, and at least this long:
#: SQLite's busy handler retries a waiting writer every 100 ms, so back-to-back steps would
#: starve other writers (bench/bench_import_20k.py measured waits of 6 s without the rest).
MIN_REST_SECONDS = 0.11

#: Reports how far an import is: (session of the step, stage, items written, items to write).
Progress = Callable[[Session, str, int, int], None]


class ImportInterrupted(RegistryError):
    """A step of a large import failed; `extensions` says what was written and undone."""

    def __init__(self, detail: str, written: int, total: int, undone: bool) -> None:
        super().__init__(detail)
        self.extensions = {"written": written, "total": total, "undone": undone}


def package_size(body: object) -> int:
    """The number of items a raw import document lists (0 for anything but an object).

    >>> package_size({"units": [{}, {}], "prerequisites": [{}], "epas": "no list"})
    3
    >>> package_size([1, 2])
    0
    """
    if not isinstance(body, dict):
        return 0
    return sum(len(items) for kind in KINDS if isinstance(items := body.get(kind), list))


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
    _check(session, actor, document, field_errors, unparsed)
    report = apply_import(session, document)
    session.commit()
    return report


def preview_import(
    session: Session,
    actor: Principal | None,
    document: ImportDocument,
    *,
    field_errors: Sequence[dict[str, Any]] = (),
    unparsed: Mapping[str, AbstractSet[str]] | None = None,
) -> ImportReport:
    """Validate and authorize `document` as `import_registry` does; what it would do.

    A dry run: the report says which items would be created, updated or left unchanged, and
    nothing is written (the pages show it before the school-admin confirms the import).
    """
    _check(session, actor, document, field_errors, unparsed)
    report = plan_import(session, document).report
    session.rollback()
    return report


def check_import(
    session: Session,
    actor: Principal | None,
    document: ImportDocument,
    *,
    field_errors: Sequence[dict[str, Any]] = (),
    unparsed: Mapping[str, AbstractSet[str]] | None = None,
) -> None:
    """Validate and authorize `document` as `import_registry` does; write nothing (the CASE
    import, `app.services.case_packages`, then applies it with what it keeps beside it)."""
    _check(session, actor, document, field_errors, unparsed)


def _check(
    session: Session,
    actor: Principal | None,
    document: ImportDocument,
    field_errors: Sequence[dict[str, Any]],
    unparsed: Mapping[str, AbstractSet[str]] | None,
) -> None:
    """Validate the whole document, then authorize it; raise before anything is written."""
    errors = [*field_errors, *validate_import(session, document, unparsed or {})]
    if errors:
        raise InvalidData(
            errors, detail=f"the import has {len(errors)} error(s); nothing was written"
        )
    _authorize_document(session, actor, document)


def _no_progress(session: Session, stage: str, done: int, total: int) -> None:
    """The default `Progress`: report nothing."""


def import_registry_in_steps(
    session: Session,
    actor: Principal | None,
    document: ImportDocument,
    *,
    field_errors: Sequence[dict[str, Any]] = (),
    unparsed: Mapping[str, AbstractSet[str]] | None = None,
    progress: Progress = _no_progress,
) -> ImportReport:
    """Validate the whole `document`, then write it in steps: on PostgreSQL all in one
    transaction, on SQLite each step in a short transaction of its own (`jobs.in_one_transaction`).

    On SQLite `progress` is called inside each step's transaction, before its commit (a job
    records its progress there, so the record and the rows agree), and between steps the
    import rests as long as the last step took (`MIN_REST_SECONDS` at least), so that other
    writers get their turn. On PostgreSQL `progress` is given a second session on the same
    engine after each step and committed at once, so that the progress is seen while the
    import's transaction is still open.

    Raises
    ------
    InvalidData
        As `import_registry`; nothing is written.
    ImportInterrupted
        When a step fails. PostgreSQL: the transaction is rolled back, nothing is written.
        SQLite: the steps written before it are undone, newest first (the audit trail keeps
        both the writes and their undoing); ``undone`` is False only when the undoing failed
        too (something written meanwhile refers to the new items).
    """
    _check(session, actor, document, field_errors, unparsed)
    plan = plan_import(session, document)
    if jobs.in_one_transaction(session):
        return _write_in_one_transaction(session, actor, plan, progress)
    session.commit()
    written: list[Step] = []
    done, rest = 0, 0.0
    try:
        for step in plan.steps:
            if written:
                time.sleep(max(MIN_REST_SECONDS, rest))
            began = time.perf_counter()
            _as(session, actor)
            step.write(session)
            session.flush()
            done += step.items
            progress(session, "writing", done, plan.total)
            session.commit()
            written.append(step)
            rest = time.perf_counter() - began
    except Exception as error:
        session.rollback()
        log.exception("import step %r failed; undoing %d step(s)", step.label, len(written))
        undone = _undo(session, actor, written, progress, plan.total)
        outcome = (
            "what it had written was removed again: nothing of it remains"
            if undone
            else "removing what it had written failed too; import the same document again "
            "to complete it"
        )
        raise ImportInterrupted(
            f"the import failed while writing {step.label} ({type(error).__name__}); {outcome}",
            written=done,
            total=plan.total,
            undone=undone,
        ) from error
    return plan.report


def _write_in_one_transaction(
    session: Session, actor: Principal | None, plan: ImportPlan, progress: Progress
) -> ImportReport:
    """Write every step of `plan` in the session's transaction, commit; roll back on failure."""
    done = 0
    label = "the first step"
    try:
        with registry_bump_at_end(session):
            for step in plan.steps:
                label = step.label
                _as(session, actor)
                step.write(session)
                session.flush()
                done += step.items
                _report_beside(session, progress, "writing", done, plan.total)
            session.commit()
    except Exception as error:
        session.rollback()
        log.exception("import step %r failed; the import is rolled back", label)
        raise ImportInterrupted(
            f"the import failed while writing {label} ({type(error).__name__}); it was rolled "
            "back: nothing of it was written",
            written=done,
            total=plan.total,
            undone=True,
        ) from error
    return plan.report


def _report_beside(session: Session, progress: Progress, stage: str, done: int, total: int) -> None:
    """Report progress through a short transaction of a second session on the same engine."""
    with Session(session.get_bind().engine) as beside:
        progress(beside, stage, done, total)
        beside.commit()


def _as(session: Session, actor: Principal | None) -> None:
    """Bind the actor, authorized for the whole import by `_check`, to the next step."""
    if actor is not None:
        bind_principal(session, actor)


def _undo(
    session: Session, actor: Principal | None, written: list[Step], progress: Progress, total: int
) -> bool:
    """Undo the `written` steps, newest first, each in its own transaction; False on failure."""
    left = sum(step.items for step in written)
    try:
        for step in reversed(written):
            _as(session, actor)
            step.undo(session)
            session.flush()
            left -= step.items
            progress(session, "undoing", left, total)
            session.commit()
    except Exception:
        session.rollback()
        log.exception("undoing an interrupted import failed")
        return False
    return True


def begin_import_job(session: Session, actor: Principal | None) -> JobInfo:
    """Record a job for a large import (its document is checked when the job runs).

    Raises
    ------
    NotAuthenticated, AccessDenied
        When the actor may not import at all.
    """
    authorize(session, actor, "import.registry", Target("import", institution=_own(actor)))
    return jobs.create_job(session, actor, IMPORT_JOB, stage="validating")


def _authorize_document(
    session: Session, actor: Principal | None, document: ImportDocument
) -> None:
    """An admin imports anything; a school-admin only what their own institution maintains.

    New or changed institutions need an admin; every unit, qualification and EPA needs
    registry rights in its institution, and relations and prerequisites in the institution
    of the unit they start from.
    """
    for institution in document.institutions:
        stored_institution = repo.get_institution(session, institution.code)
        if as_imported(stored_institution, institution) != institution:
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
    """Write a validated `document` in the session's transaction (no commit); the report."""
    plan = plan_import(session, document)
    for step in plan.steps:
        step.write(session)
        session.flush()
    return plan.report


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
    if _acyclic_with_all(graph, document.prerequisites, known):
        return []
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


def _acyclic_with_all(
    graph: nx.DiGraph[str], prerequisites: Sequence[Prerequisite], known: KnownCodes
) -> bool:
    """Whether adding every prerequisite at once leaves the graph acyclic (then none of them
    closes a cycle). Speed only: one check in linear time instead of a path search per
    prerequisite, which is quadratic on a long chain listed backwards (bench_import_20k.py)."""
    combined = graph.copy()
    combined.add_edges_from(
        (p.requires, p.unit)
        for p in prerequisites
        if p.unit in known.unit_kinds and p.requires in known.unit_kinds
    )
    return nx.is_directed_acyclic_graph(combined)


def _pointed(prefix: str, problems: Sequence[Problem]) -> list[dict[str, Any]]:
    return [{"pointer": prefix + p.pointer, "message": p.message} for p in problems]
