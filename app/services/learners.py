"""Learner use cases: records (evidence, entrustments, diplomas, enrolments) and paths."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session

from app.adapters.credential_environment import CredentialEnvironment
from app.clock import now, today
from app.domain.access import AccessDenied, Principal, Role, Target
from app.domain.credentials.epa import stated_level
from app.domain.errors import Conflict, InvalidData, NotFound
from app.domain.learner import DiplomaItem, EnrolmentItem, EntrustmentItem, EvidenceItem, Learner
from app.domain.paging import ListFilter, Page
from app.domain.path.achievements import unearned
from app.domain.path.catalog import Catalog
from app.domain.path.engine import compute_path, rank_paths
from app.domain.path.hours import DEFAULT_HOURS_PER_WEEK
from app.domain.path.record import LearnerRecord
from app.domain.path.results import PathResult, PathSummary
from app.persistence import credential_repository as credential_store
from app.persistence import engine_inputs
from app.persistence import learner_repository as records
from app.persistence import registry_repository as repo
from app.persistence.models.credentials import IssuedCredentialRow
from app.persistence.versions import CatalogCache, PathCaches
from app.services.access import authorize
from app.services.status import apply_status_change
from app.timings import timed

# --- learners ---------------------------------------------------------------------------------


def get_learner(session: Session, learner_id: str) -> Learner:
    learner = records.get_learner(session, learner_id)
    if learner is None:
        raise NotFound("learner", learner_id)
    return learner


def learner_target(session: Session, learner_id: str) -> Target:
    """The learner as an authorization target (their institution); NotFound when unknown."""
    learner = get_learner(session, learner_id)
    return Target("learner", learner_id, institution=learner.institution, learner=learner_id)


def read_learner(session: Session, actor: Principal | None, learner_id: str) -> Learner:
    """The learner, when `actor` may read their data (404 outside the actor's scope)."""
    learner = get_learner(session, learner_id)
    target = Target("learner", learner_id, institution=learner.institution, learner=learner_id)
    authorize(session, actor, "learner.read", target)
    return learner


def require_writable_learner(
    session: Session, actor: Principal | None, learner_id: str, action: str = "record.write"
) -> Principal:
    """The guard of every write to a learner's record: `actor` may write, the learner exists."""
    return authorize(session, actor, action, learner_target(session, learner_id))


def _withdraw(
    session: Session,
    env: CredentialEnvironment,
    actor: Principal,
    learner_id: str,
    row: Any,
    kind: str,
    row_id: int,
    reason: str,
    convert: Any,
) -> Any:
    """Mark `row` withdrawn with `reason` (never deleted), suspend the credentials that rested
    on it, and commit; 404 / 409 otherwise."""
    if row is None:
        raise NotFound(kind, str(row_id))
    if row.withdrawn_at is not None:
        raise Conflict(f"{kind} {row_id} was already withdrawn")
    on = today()
    resting = earned_credentials(session, learner_id, on)
    row.withdrawn_at, row.withdrawn_reason = now(), reason
    session.flush()
    suspend_unearned(session, env, learner_id, resting, actor.id, on)
    item = convert(row)
    session.commit()
    return item


# --- credentials resting on the record --------------------------------------------------------

#: The reason in a credential's status history when a withdrawal took its ground away.
GROUND_WITHDRAWN = "onderbouwing ingetrokken"


def earned_credentials(session: Session, learner_id: str, on: dt.date) -> list[IssuedCredentialRow]:
    """The learner's active credentials (neither revoked nor suspended) whose achievement the
    record earns on `on`, by the rules of issuing: those a withdrawal can take the ground from.

    Taken before a withdrawal and handed to :func:`suspend_unearned` after it.
    """
    rows = credential_store.active_rows(session, learner_id)
    if not rows:
        return []
    catalog, record = build_catalog(session), load_record(session, learner_id)
    return [row for row in rows if _still_earned(catalog, record, row, on)]


def suspend_unearned(
    session: Session,
    env: CredentialEnvironment,
    learner_id: str,
    credentials: Sequence[IssuedCredentialRow],
    actor_id: str,
    on: dt.date,
) -> list[str]:
    """Suspend those of `credentials` whose achievement the record no longer earns on `on`.

    In the caller's transaction (it commits), with :data:`GROUND_WITHDRAWN` as the reason and
    `actor_id` as who; a credential of a retired key is left alone (it no longer verifies, and
    its status list can no longer be signed). New evidence never lifts the suspension: staff
    unsuspend explicitly. Returns the ids of the credentials suspended.
    """
    if not credentials:
        return []
    session.flush()
    catalog, record = build_catalog(session), load_record(session, learner_id)
    suspended = []
    for row in credentials:
        if _still_earned(catalog, record, row, on):
            continue
        key = env.issuers.keys.find(row.institution, row.key_id)
        if key is None or key.status == "retired":
            continue
        apply_status_change(session, env, row, "suspend", GROUND_WITHDRAWN, actor_id)
        suspended.append(row.id)
    return suspended


def _still_earned(
    catalog: Catalog, record: LearnerRecord, credential: IssuedCredentialRow, on: dt.date
) -> bool:
    kind = credential.achievement_type
    level = stated_level(credential.document) if kind == "epa" else None
    try:
        shortfall = unearned(
            catalog,
            record,
            kind,
            credential.achievement_code,
            on,
            learner_id=credential.learner,
            level=level,
        )
    except NotFound:  # the unit or qualification left the registry: nothing to judge by
        return True
    return shortfall is None


def list_learners(
    session: Session, actor: Principal | None, flt: ListFilter, external_id: str | None
) -> Page:
    """Learners the actor may see: all for an admin, their institution's for school staff."""
    actor = authorize(
        session,
        actor,
        "learner.list",
        Target("learner", institution=None if actor is None else actor.institution),
    )
    if actor.role is not Role.ADMIN:
        if flt.institution not in (None, actor.institution):
            return Page([], 0, flt.limit, flt.offset)
        flt = replace(flt, institution=actor.institution)
    return records.list_learners(session, flt, external_id)


# --- evidence ---------------------------------------------------------------------------------


def record_evidence(
    session: Session,
    actor: Principal | None,
    learner_id: str,
    items: Sequence[dict[str, Any]],
    *,
    as_list: bool = False,
) -> list[EvidenceItem]:
    """Record evidence items all-or-nothing; every unknown outcome or bad date is reported.

    `as_list` says the body was a JSON array, so error pointers carry the item's index.
    """
    actor = require_writable_learner(session, actor, learner_id)
    known_outcomes = repo.known_codes_among(
        session, outcomes=[str(item.get("outcome")) for item in items]
    ).outcome_units
    reference_day = today()
    errors = []
    for index, item in enumerate(items):
        errors += evidence_problems(
            item, known_outcomes, reference_day, f"/{index}" if as_list else ""
        )
    if errors:
        raise InvalidData(errors)
    rows = [records.add_evidence(session, learner_id, item, actor.id, now()) for item in items]
    session.flush()
    created = [records.evidence_from_row(row) for row in rows]
    session.commit()
    return created


def evidence_problems(
    item: dict[str, Any], outcomes: Any, reference_day: dt.date, where: str
) -> list[dict[str, str]]:
    """Return what is wrong with one evidence item (outcome, dates, EVC decision)."""
    errors = []
    if item["outcome"] not in outcomes:
        errors.append(
            {"pointer": f"{where}/outcome", "message": f"unknown outcome '{item['outcome']}'"}
        )
    if item["date"] > reference_day:
        errors.append(
            {"pointer": f"{where}/date", "message": f"date {item['date']} is in the future"}
        )
    if item.get("valid_until") is not None and item["valid_until"] < item["date"]:
        errors.append({"pointer": f"{where}/valid_until", "message": "valid_until is before date"})
    if item["source"] == "evc":
        for name in ("decided_by", "basis"):
            if not item.get(name):
                errors.append(
                    {
                        "pointer": f"{where}/{name}",
                        "message": f"{name} is required for EVC evidence",
                    }
                )
    return errors


def list_evidence(
    session: Session, actor: Principal | None, learner_id: str, flt: ListFilter
) -> Page:
    read_learner(session, actor, learner_id)
    return records.list_evidence(session, learner_id, flt)


def withdraw_evidence(
    session: Session,
    actor: Principal | None,
    env: CredentialEnvironment,
    learner_id: str,
    evidence_id: int,
    reason: str,
) -> EvidenceItem:
    """Withdraw evidence: it is kept, marked withdrawn, and no longer counts.

    Issued credentials whose achievement is no longer earned without it are suspended.
    """
    actor = require_writable_learner(session, actor, learner_id)
    row = records.get_evidence_row(session, learner_id, evidence_id)
    return _withdraw(
        session,
        env,
        actor,
        learner_id,
        row,
        "evidence",
        evidence_id,
        reason,
        records.evidence_from_row,
    )


# --- entrustments -----------------------------------------------------------------------------


def record_entrustment(
    session: Session, actor: Principal | None, learner_id: str, item: dict[str, Any]
) -> EntrustmentItem:
    actor = require_writable_learner(session, actor, learner_id)
    errors = []
    if not repo.get_epas(session, [item["epa"]]):
        errors.append({"pointer": "/epa", "message": f"unknown EPA '{item['epa']}'"})
    if item["date"] > today():
        errors.append({"pointer": "/date", "message": f"date {item['date']} is in the future"})
    if errors:
        raise InvalidData(errors)
    row = records.add_entrustment(session, learner_id, item, actor.id, now())
    session.flush()
    created = records.entrustment_from_row(row)
    session.commit()
    return created


def list_entrustments(
    session: Session, actor: Principal | None, learner_id: str, flt: ListFilter
) -> Page:
    read_learner(session, actor, learner_id)
    return records.list_entrustments(session, learner_id, flt)


def withdraw_entrustment(
    session: Session,
    actor: Principal | None,
    env: CredentialEnvironment,
    learner_id: str,
    entrustment_id: int,
    reason: str,
) -> EntrustmentItem:
    """Withdraw an entrustment decision: kept, marked withdrawn, no longer counting.

    Issued credentials whose achievement is no longer earned without it are suspended (an EPA
    credential when the learner's level falls below the one it states).
    """
    actor = require_writable_learner(session, actor, learner_id)
    row = records.get_entrustment_row(session, learner_id, entrustment_id)
    return _withdraw(
        session,
        env,
        actor,
        learner_id,
        row,
        "entrustment",
        entrustment_id,
        reason,
        records.entrustment_from_row,
    )


# --- diplomas and enrolments ------------------------------------------------------------------


def record_diploma(
    session: Session, actor: Principal | None, learner_id: str, item: dict[str, Any]
) -> DiplomaItem:
    actor = require_writable_learner(session, actor, learner_id)
    errors = []
    if repo.get_qualification(session, item["qualification"]) is None:
        errors.append(
            {
                "pointer": "/qualification",
                "message": f"unknown qualification '{item['qualification']}'",
            }
        )
    if item["date"] > today():
        errors.append({"pointer": "/date", "message": f"date {item['date']} is in the future"})
    if errors:
        raise InvalidData(errors)
    if records.has_diploma(session, learner_id, item["qualification"], item["date"]):
        raise Conflict(f"diploma {item['qualification']} of {item['date']} is already recorded")
    row = records.add_diploma(session, learner_id, item)
    session.flush()
    created = records.diploma_from_row(row)
    session.commit()
    return created


def list_diplomas(
    session: Session, actor: Principal | None, learner_id: str, flt: ListFilter
) -> Page:
    read_learner(session, actor, learner_id)
    return records.list_diplomas(session, learner_id, flt)


def enrolment_problems(session: Session, enrolment: EnrolmentItem) -> list[dict[str, str]]:
    qualification = repo.get_qualification(session, enrolment.qualification)
    if qualification is None:
        return [
            {
                "pointer": "/qualification",
                "message": f"unknown qualification '{enrolment.qualification}'",
            }
        ]
    errors = []
    seen: set[str] = set()
    for index, code in enumerate(enrolment.chosen_electives):
        if code not in qualification.electives.options:
            errors.append(
                {
                    "pointer": f"/chosen_electives/{index}",
                    "message": f"'{code}' is not an elective option of {qualification.code}",
                }
            )
        elif code in seen:
            errors.append(
                {"pointer": f"/chosen_electives/{index}", "message": f"'{code}' is chosen twice"}
            )
        seen.add(code)
    return errors


def enrol(
    session: Session, actor: Principal | None, learner_id: str, enrolment: EnrolmentItem
) -> EnrolmentItem:
    require_writable_learner(session, actor, learner_id, "enrolment.write")
    errors = enrolment_problems(session, enrolment)
    if errors:
        raise InvalidData(errors)
    if records.get_enrolment(session, learner_id, enrolment.qualification):
        raise Conflict(f"learner {learner_id} is already enrolled in {enrolment.qualification}")
    records.save_enrolment(session, learner_id, enrolment)
    session.commit()
    return enrolment


def replace_enrolment(
    session: Session,
    actor: Principal | None,
    learner_id: str,
    qualification: str,
    enrolment: EnrolmentItem,
) -> EnrolmentItem:
    """Replace an enrolment; a learner may change only the electives of their own."""
    learner_only = actor is not None and actor.role is Role.LEARNER
    action = "enrolment.electives" if learner_only else "enrolment.write"
    require_writable_learner(session, actor, learner_id, action)
    current = records.get_enrolment(session, learner_id, qualification)
    if current is None:
        raise NotFound("enrolment", f"{learner_id}/{qualification}")
    if learner_only and replace(current, chosen_electives=enrolment.chosen_electives) != enrolment:
        raise AccessDenied("enrolment.write")
    if enrolment.qualification != qualification:
        raise InvalidData(
            [
                {
                    "pointer": "/qualification",
                    "message": f"the body's qualification must be '{qualification}'",
                }
            ]
        )
    errors = enrolment_problems(session, enrolment)
    if errors:
        raise InvalidData(errors)
    records.save_enrolment(session, learner_id, enrolment)
    session.commit()
    return enrolment


def get_enrolment(
    session: Session, actor: Principal | None, learner_id: str, qualification: str
) -> EnrolmentItem:
    read_learner(session, actor, learner_id)
    enrolment = records.get_enrolment(session, learner_id, qualification)
    if enrolment is None:
        raise NotFound("enrolment", f"{learner_id}/{qualification}")
    return enrolment


def list_enrolments(
    session: Session, actor: Principal | None, learner_id: str, flt: ListFilter
) -> Page:
    read_learner(session, actor, learner_id)
    return records.list_enrolments(session, learner_id, flt)


# --- paths ------------------------------------------------------------------------------------


def load_catalog(session: Session, cache: CatalogCache[Catalog] | None = None) -> Catalog:
    """Return the path engine's catalog: from `cache` while the registry is unchanged."""
    if cache is not None:
        return cache.get(session, build_catalog)
    return build_catalog(session)


def build_catalog(session: Session) -> Catalog:
    """Build the path engine's catalog from the registry in a fixed number of queries."""
    units = repo.get_units(session)
    qualifications = repo.get_qualifications(session)
    relations = repo.all_outcome_relations(session)
    prerequisites = [(p.unit, p.requires) for p in repo.all_prerequisites(session)]
    return Catalog.build(units.values(), qualifications.values(), relations, prerequisites)


def load_record(session: Session, learner_id: str) -> LearnerRecord:
    """Return the learner's whole record as path-engine input, in a fixed number of queries."""
    return engine_inputs.engine_record(session, learner_id)


def cached_inputs(
    session: Session, learner_id: str, caches: PathCaches | None
) -> tuple[Catalog, LearnerRecord]:
    """The catalog and the learner's engine input, reused while their versions are unchanged.

    One statement reads both versions; the catalog and the record are rebuilt only when theirs
    moved.

    Raises
    ------
    NotFound
        If there is no such learner.
    """
    versions = engine_inputs.learner_record_version(session, learner_id)
    if versions is None:
        raise NotFound("learner", learner_id)
    if caches is None:
        return build_catalog(session), load_record(session, learner_id)
    record_version, registry_version = versions
    catalog = caches.catalog.get(session, build_catalog, registry_version)
    record = caches.records.get(
        learner_id, record_version, lambda: load_record(session, learner_id)
    )
    return catalog, record


def learner_path(
    session: Session,
    actor: Principal | None,
    learner_id: str,
    qualification: str | None = None,
    on: dt.date | None = None,
    hours_per_week: int | None = None,
    caches: PathCaches | None = None,
) -> PathResult:
    """The learner's path toward `qualification`, for those who may read the learner's data."""
    read_learner(session, actor, learner_id)
    return compute_learner_path(session, learner_id, qualification, on, hours_per_week, caches)


def compute_learner_path(
    session: Session,
    learner_id: str,
    qualification: str | None = None,
    on: dt.date | None = None,
    hours_per_week: int | None = None,
    caches: PathCaches | None = None,
) -> PathResult:
    """Return the learner's path toward `qualification` (default: the only enrolment).

    The caller has authorized the read (or acts for the registry itself, as issuing does).
    """
    catalog, record = cached_inputs(session, learner_id, caches)
    if qualification is None:
        enrolled = sorted({e.qualification for e in record.enrolments})
        if len(enrolled) != 1:
            message = (
                "the learner has no enrolment"
                if not enrolled
                else f"the learner is enrolled in {', '.join(enrolled)}"
            )
            raise InvalidData(
                [{"parameter": "qualification", "message": f"{message}; name a qualification"}]
            )
        qualification = enrolled[0]
    if qualification not in catalog.qualifications:
        raise NotFound("qualification", qualification)
    enrolment = record.enrolment_for(qualification)
    with timed("path_engine"):
        return compute_path(
            catalog,
            record,
            learner_id=learner_id,
            qualification_code=qualification,
            on=on or today(),
            hours_per_week=hours_per_week
            or (enrolment.hours_per_week if enrolment else DEFAULT_HOURS_PER_WEEK),
            start=enrolment.start if enrolment else None,
        )


def learner_paths(
    session: Session,
    actor: Principal | None,
    learner_id: str,
    on: dt.date | None = None,
    caches: PathCaches | None = None,
) -> list[PathSummary]:
    """Return a summary of the learner's path to every qualification, closest first."""
    read_learner(session, actor, learner_id)
    catalog, record = cached_inputs(session, learner_id, caches)
    with timed("path_engine"):
        return rank_paths(
            catalog,
            record,
            learner_id=learner_id,
            on=on or today(),
            hours_per_week=DEFAULT_HOURS_PER_WEEK,
        )
