"""vmbo use cases: programmes, assignments and their mappings, overlap, crediting, routes."""

from __future__ import annotations

from collections.abc import Mapping as MappingType
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from app.adapters.credential_environment import CredentialEnvironment
from app.clock import now, today
from app.domain.access import Principal, Target
from app.domain.errors import Conflict, DuplicateCode, InvalidData, NotFound
from app.domain.overlap import (
    AssignmentMapping,
    CompletionOutcome,
    OverlapReport,
    PracticalAssignment,
    RouteSummary,
    RouteTemplate,
    VmboCompletion,
    VmboProgramme,
    credit_for,
    overlap_report,
    route_summary,
)
from app.domain.paging import ListFilter, Page
from app.persistence import learner_repository as records
from app.persistence import registry_repository as repo
from app.persistence import vmbo_repository as store
from app.services.access import authorize
from app.services.learners import (
    earned_credentials,
    read_learner,
    require_writable_learner,
    suspend_unearned,
)

# --- programmes -------------------------------------------------------------------------------


def programme_problems(session: Session, programme: VmboProgramme) -> list[dict[str, str]]:
    institution = repo.get_institution(session, programme.institution)
    if institution is None:
        return [
            {"pointer": "/institution", "message": f"unknown institution '{programme.institution}'"}
        ]
    if institution.kind != "vmbo":
        return [
            {
                "pointer": "/institution",
                "message": (
                    f"institution '{programme.institution}' is a {institution.kind} "
                    "institution, not a vmbo school"
                ),
            }
        ]
    return []


def create_programme(
    session: Session, actor: Principal | None, programme: VmboProgramme
) -> VmboProgramme:
    target = Target(
        "vmbo-programme",
        programme.code,
        institution=programme.institution,
        programme=programme.code,
    )
    authorize(session, actor, "vmbo.programme.write", target)
    _add_programme(session, programme)
    session.commit()
    return programme


def _add_programme(session: Session, programme: VmboProgramme) -> None:
    if store.get_programme(session, programme.code):
        raise DuplicateCode("vmbo programme", programme.code)
    errors = programme_problems(session, programme)
    if errors:
        raise InvalidData(errors)
    store.add_programme(session, programme)
    session.flush()


def get_programme(session: Session, code: str) -> VmboProgramme:
    programme = store.get_programme(session, code)
    if programme is None:
        raise NotFound("vmbo programme", code)
    return programme


def list_programmes(session: Session, flt: ListFilter) -> Page:
    return store.list_programmes(session, flt)


def replace_programme(
    session: Session, actor: Principal | None, code: str, programme: VmboProgramme
) -> VmboProgramme:
    """Change programme `code`'s title, profile and modules; its code and school stay."""
    current = get_programme(session, code)
    _authorize_programme(session, actor, code)
    errors = []
    if programme.code != code:
        errors.append({"pointer": "/code", "message": f"the body's code must be '{code}'"})
    if programme.institution != current.institution:
        errors.append(
            {"pointer": "/institution", "message": f"the institution stays '{current.institution}'"}
        )
    if errors:
        raise InvalidData(errors)
    store.update_programme(session, programme)
    session.commit()
    return programme


# --- assignments ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AssignmentView:
    """An assignment with its current mappings, as the API shows it."""

    assignment: PracticalAssignment
    mappings: tuple[AssignmentMapping, ...] = ()


def create_assignment(
    session: Session, actor: Principal | None, programme: str, assignment: PracticalAssignment
) -> AssignmentView:
    _authorize_programme(session, actor, programme)
    _add_assignment(session, assignment)
    session.commit()
    return AssignmentView(assignment)


def _add_assignment(session: Session, assignment: PracticalAssignment) -> None:
    if store.get_assignment(session, assignment.code):
        raise DuplicateCode("vmbo assignment", assignment.code)
    store.add_assignment(session, assignment)
    session.flush()


def replace_assignment(
    session: Session, actor: Principal | None, code: str, assignment: PracticalAssignment
) -> AssignmentView:
    """Change assignment `code`'s title, description, module and keuzevakken."""
    current = _assignment(session, code)
    _authorize_programme(session, actor, current.programme)
    if assignment.code != code or assignment.programme != current.programme:
        raise InvalidData([{"pointer": "/code", "message": f"the body's code must be '{code}'"}])
    store.update_assignment(session, assignment)
    session.commit()
    return get_assignment(session, code)


def get_assignment(session: Session, code: str) -> AssignmentView:
    assignment = _assignment(session, code)
    return AssignmentView(assignment, tuple(store.mappings_of(session, [code])[code]))


def list_assignments(session: Session, programme: str, flt: ListFilter) -> Page:
    get_programme(session, programme)
    page = store.list_assignments(session, programme, flt)
    mappings = store.mappings_of(session, [a.code for a in page.items])  # type: ignore[attr-defined]
    items = [AssignmentView(a, tuple(mappings[a.code])) for a in page.items]  # type: ignore[attr-defined]
    return Page(list(items), page.total, page.limit, page.offset)


def _assignment(session: Session, code: str) -> PracticalAssignment:
    assignment = store.get_assignment(session, code)
    if assignment is None:
        raise NotFound("vmbo assignment", code)
    return assignment


# --- mappings ---------------------------------------------------------------------------------


def save_mapping(
    session: Session, actor: Principal | None, assignment: str, item: MappingType[str, Any]
) -> AssignmentMapping:
    """Map `assignment` onto an outcome; a current mapping of the same pair ends (new version)."""
    actor = _authorize_programme(session, actor, _assignment(session, assignment).programme)
    mapping = _new_mapping_version(session, actor, assignment, item)
    session.commit()
    return mapping


def _authorize_programme(
    session: Session, actor: Principal | None, programme_code: str
) -> Principal:
    """vmbo writes: the programme's teacher, a school-admin of its school, or an admin."""
    programme = get_programme(session, programme_code)
    target = Target(
        "vmbo-programme",
        programme.code,
        institution=programme.institution,
        programme=programme.code,
    )
    return authorize(session, actor, "vmbo.write", target)


def _new_mapping_version(
    session: Session, actor: Principal | None, assignment: str, item: MappingType[str, Any]
) -> AssignmentMapping:
    errors = []
    known = repo.known_codes_among(session, outcomes=[item["outcome"]])
    if item["outcome"] not in known.outcome_units:
        errors.append({"pointer": "/outcome", "message": f"unknown outcome '{item['outcome']}'"})
    if item.get("validated_on") and item["validated_on"] > today():
        errors.append(
            {"pointer": "/validated_on", "message": f"date {item['validated_on']} is in the future"}
        )
    if errors:
        raise InvalidData(errors)
    current = store.current_mapping_row(session, assignment, item["outcome"])
    if current is not None:
        current.ended_on = today()
    mapping = AssignmentMapping(
        assignment=assignment,
        outcome=item["outcome"],
        coverage=item["coverage"],
        version=store.latest_version(session, assignment, item["outcome"]) + 1,
        note=item.get("note"),
        validated_by=item.get("validated_by"),
        validated_on=item.get("validated_on") or today(),
    )
    store.add_mapping(session, mapping, actor.id, now())
    session.flush()
    return mapping


def list_mappings(
    session: Session, assignment: str, history: bool = False
) -> list[AssignmentMapping]:
    _assignment(session, assignment)
    return store.mappings_of(session, [assignment], history=history)[assignment]


def end_mapping(session: Session, actor: Principal | None, assignment: str, outcome: str) -> None:
    """End the current mapping of `assignment` onto `outcome`; its versions stay as history."""
    _authorize_programme(session, actor, _assignment(session, assignment).programme)
    current = store.current_mapping_row(session, assignment, outcome)
    if current is None:
        raise NotFound("vmbo mapping", f"{assignment} → {outcome}")
    current.ended_on = today()
    session.commit()


# --- overlap and routes -----------------------------------------------------------------------


def overlap(session: Session, programme: str, qualification: str) -> OverlapReport:
    """Return the overlap of a programme's current mappings with a qualification."""
    get_programme(session, programme)
    found = repo.get_qualification(session, qualification)
    if found is None:
        raise NotFound("qualification", qualification)
    units = repo.get_units(session, [*found.units, *found.electives.options])
    return overlap_report(programme, found, units, store.programme_mappings(session, programme))


def create_route(session: Session, actor: Principal | None, route: RouteTemplate) -> RouteTemplate:
    programme = store.get_programme(session, route.programme)
    owner = programme.institution if programme else None
    authorize(session, actor, "route.write", Target("route", route.code, institution=owner))
    _add_route(session, route)
    session.commit()
    return route


def _add_route(session: Session, route: RouteTemplate) -> None:
    if store.get_route(session, route.code):
        raise DuplicateCode("route", route.code)
    errors = []
    if store.get_programme(session, route.programme) is None:
        errors.append(
            {"pointer": "/programme", "message": f"unknown vmbo programme '{route.programme}'"}
        )
    if repo.get_qualification(session, route.qualification) is None:
        errors.append(
            {
                "pointer": "/qualification",
                "message": f"unknown qualification '{route.qualification}'",
            }
        )
    if errors:
        raise InvalidData(errors)
    store.add_route(session, route)
    session.flush()


def get_route(session: Session, code: str) -> RouteSummary:
    """Return what the vmbo part of route `code` covers and what remains for the mbo part."""
    route = store.get_route(session, code)
    if route is None:
        raise NotFound("route", code)
    qualification = repo.get_qualification(session, route.qualification)
    if qualification is None:  # pragma: no cover - a foreign key keeps it
        raise NotFound("qualification", route.qualification)
    return route_summary(
        route, qualification, overlap(session, route.programme, route.qualification)
    )


def list_routes(session: Session, flt: ListFilter) -> Page:
    return store.list_routes(session, flt)


# --- completions ------------------------------------------------------------------------------


def record_completion(
    session: Session, actor: Principal | None, learner_id: str, item: MappingType[str, Any]
) -> VmboCompletion:
    """Credit a completed assignment: evidence for fully covered outcomes, flags for partial ones.

    The credit is a snapshot of the assignment's current mappings: later mapping changes do not
    alter it. No enrolment is needed.
    """
    actor = require_writable_learner(session, actor, learner_id)
    errors = []
    assignment = store.get_assignment(session, item["assignment"])
    if assignment is None:
        errors.append(
            {"pointer": "/assignment", "message": f"unknown vmbo assignment '{item['assignment']}'"}
        )
    if item["date"] > today():
        errors.append({"pointer": "/date", "message": f"date {item['date']} is in the future"})
    if errors:
        raise InvalidData(errors)
    stamp = now()
    row = store.add_completion(session, learner_id, dict(item), actor.id, stamp)
    session.flush()
    credited = []
    for credit in credit_for(store.mappings_of(session, [item["assignment"]])[item["assignment"]]):
        evidence_id = None
        if credit.coverage == "full":
            evidence = records.add_evidence(
                session,
                learner_id,
                {
                    "outcome": credit.outcome,
                    "source": "vmbo_assignment",
                    "date": item["date"],
                    "assessor": item["assessor"],
                    "ref": credit.ref,
                    "note": f"vmbo completion {row.id}",
                },
                actor.id,
                stamp,
            )
            session.flush()
            evidence_id = evidence.id
        credited.append(CompletionOutcome(credit.outcome, credit.coverage, credit.ref, evidence_id))
    store.add_completion_outcomes(session, row.id, credited)
    session.flush()
    created = store.completions(session, [row])[0]
    session.commit()
    return created


def list_completions(
    session: Session, actor: Principal | None, learner_id: str, flt: ListFilter
) -> Page:
    read_learner(session, actor, learner_id)
    return store.list_completions(session, learner_id, flt)


def withdraw_completion(
    session: Session,
    actor: Principal | None,
    env: CredentialEnvironment,
    learner_id: str,
    completion_id: int,
    reason: str,
) -> VmboCompletion:
    """Withdraw a completion and the evidence it created (kept, marked withdrawn).

    Issued credentials whose achievement is no longer earned without it are suspended.
    """
    actor = require_writable_learner(session, actor, learner_id)
    row = store.get_completion_row(session, learner_id, completion_id)
    if row is None:
        raise NotFound("vmbo completion", str(completion_id))
    if row.withdrawn_at is not None:
        raise Conflict(f"vmbo completion {completion_id} was already withdrawn")
    on = today()
    resting = earned_credentials(session, learner_id, on)
    stamp = now()
    row.withdrawn_at, row.withdrawn_reason = stamp, reason
    for evidence_id in store.completion_evidence_ids(session, completion_id):
        evidence = records.get_evidence_row(session, learner_id, evidence_id)
        if evidence is not None and evidence.withdrawn_at is None:
            evidence.withdrawn_at, evidence.withdrawn_reason = stamp, reason
    session.flush()
    suspend_unearned(session, env, learner_id, resting, actor.id, on)
    withdrawn = store.completions(session, [row])[0]
    session.commit()
    return withdrawn


# --- seeding ----------------------------------------------------------------------------------


@dataclass
class VmboImportReport:
    created: dict[str, list[str]] = field(default_factory=dict)
    updated: dict[str, list[str]] = field(default_factory=dict)
    unchanged: dict[str, list[str]] = field(default_factory=dict)

    def note(self, bucket: str, kind: str, code: str) -> None:
        getattr(self, bucket).setdefault(kind, []).append(code)

    def as_dict(self) -> dict[str, dict[str, list[str]]]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass(frozen=True, slots=True)
class VmboDocument:
    """Programmes with their assignments and mappings, and routes (the seed/vmbo.json shape)."""

    programmes: Sequence[VmboProgramme] = ()
    assignments: Sequence[PracticalAssignment] = ()
    mappings: Sequence[MappingType[str, Any]] = ()  # each with "assignment"
    routes: Sequence[RouteTemplate] = ()


def import_vmbo(
    session: Session, actor: Principal | None, document: VmboDocument
) -> VmboImportReport:
    """Create what is missing; a mapping that differs from the current one gets a new version.

    Idempotent: importing the same document twice changes nothing the second time. All or
    nothing: one commit at the end.
    """
    owner = None if actor is None else actor.institution
    authorize(session, actor, "import.vmbo", Target("import", institution=owner))
    for code in {
        *(p.code for p in document.programmes),
        *(a.programme for a in document.assignments),
    }:
        new = next((p for p in document.programmes if p.code == code), None)
        stored = store.get_programme(session, code)
        institution = (stored or new).institution if (stored or new) else None
        target = Target("vmbo-programme", code, institution=institution, programme=code)
        authorize(session, actor, "vmbo.write", target)
    report = VmboImportReport()
    for programme in document.programmes:
        if store.get_programme(session, programme.code):
            report.note("unchanged", "vmbo_programmes", programme.code)
        else:
            _add_programme(session, programme)
            report.note("created", "vmbo_programmes", programme.code)
    for assignment in document.assignments:
        if store.get_assignment(session, assignment.code):
            report.note("unchanged", "vmbo_assignments", assignment.code)
        else:
            get_programme(session, assignment.programme)
            _add_assignment(session, assignment)
            report.note("created", "vmbo_assignments", assignment.code)
    current = store.mappings_of(session, {m["assignment"] for m in document.mappings})
    for item in document.mappings:
        key = f"{item['assignment']} {item['outcome']}"
        stored = next(
            (m for m in current[item["assignment"]] if m.outcome == item["outcome"]), None
        )
        if stored is not None and _same_mapping(stored, item):
            report.note("unchanged", "vmbo_mappings", key)
            continue
        _new_mapping_version(session, actor, item["assignment"], item)
        report.note("created" if stored is None else "updated", "vmbo_mappings", key)
    for route in document.routes:
        if store.get_route(session, route.code):
            report.note("unchanged", "routes", route.code)
        else:
            _add_route(session, route)
            report.note("created", "routes", route.code)
    session.commit()
    return report


def _same_mapping(stored: AssignmentMapping, item: MappingType[str, Any]) -> bool:
    return (
        stored.coverage == item["coverage"]
        and stored.note == item.get("note")
        and stored.validated_by == item.get("validated_by")
        and (item.get("validated_on") is None or stored.validated_on == item.get("validated_on"))
    )
