"""Stagematching use cases: run the matching (M1–M5), publish it, read published placements.

The matching reads the round's offers, requests, workplaces and each learner's entrustments,
computes the current EPA levels with the path engine's rule R6 on the first day of the period,
and stores the answer as the round's current proposal. Publishing freezes the round and stores
each placement; from then on learners, their schools and the workplaces see them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy.orm import Session

from app.clock import now, today
from app.domain.access import AccessDenied, Principal, Role, Target
from app.domain.errors import Conflict, NotFound
from app.domain.placements.feasibility import applicant_levels, reservations_apply
from app.domain.placements.matching import match_round
from app.domain.placements.model import Applicant, PlacementRound
from app.persistence import placement_repository as store
from app.persistence import registry_repository as registry
from app.persistence.placement_repository import Proposal, PublishedPlacement
from app.schemas.placements import MatchSchema
from app.services.access import authorize, require_principal
from app.services.learners import read_learner
from app.services.placements import get_round

__all__ = [
    "compute_match",
    "run_match",
    "get_match",
    "publish_round",
    "round_placements",
    "learner_placements",
    "MyPlacement",
    "my_placements",
]


def compute_match(session: Session, placement_round: PlacementRound, on: dt.date) -> dict[str, Any]:
    """The matching's answer for the round on `on`, as the API document (nothing is written)."""
    offers = store.list_offers(session, placement_round.code)
    workplaces = store.list_workplaces(session, {offer.workplace for offer in offers})
    requests = store.list_requests(session, placement_round.code)
    records = store.entrustment_records(session, [r.request.learner for r in requests])
    applicants = [
        Applicant(
            stored.request,
            stored.institution,
            applicant_levels(
                records[stored.request.learner],
                stored.request.practise_epas,
                placement_round.period_start,
            ),
        )
        for stored in requests
    ]
    result = match_round(placement_round, workplaces, offers, applicants, on)
    answer = SimpleNamespace(
        round=placement_round.code,
        on=on.isoformat(),
        reservations_apply=reservations_apply(on, placement_round.match_date),
        placed=result.placed,
        unplaced=result.unplaced,
        placed_count=result.placed_count,
        total_cost=result.total_cost,
    )
    document: dict[str, Any] = MatchSchema().dump(answer)
    return document


def run_match(
    session: Session, principal: Principal | None, code: str, on: dt.date | None
) -> dict[str, Any]:
    """Match the round (coordinator) and store the answer as its proposal; 409 once published."""
    actor = authorize(session, principal, "placement.round.write", Target("placement-round", code))
    row = store.lock_round(session, code)
    if row is None:
        raise NotFound("placement round", code)
    if row.status != "open":
        raise Conflict(f"placement round '{code}' was published; its matching is frozen")
    placement_round = store.get_round(session, code)
    assert placement_round is not None
    day = on or today()
    document = compute_match(session, placement_round, day)
    store.save_proposal(session, code, day, document, actor.id, now())
    session.commit()
    return document


def get_match(session: Session, principal: Principal | None, code: str) -> Proposal:
    """The round's current proposal (coordinator); 404 before the first matching."""
    authorize(session, principal, "placement.round.read", Target("placement-round", code))
    get_round(session, principal, code)
    proposal = store.get_proposal(session, code)
    if proposal is None:
        raise NotFound("proposal of placement round", code)
    return proposal


def publish_round(session: Session, principal: Principal | None, code: str) -> PlacementRound:
    """Freeze the round's proposal as its placements (coordinator); 409 when already done."""
    authorize(session, principal, "placement.round.write", Target("placement-round", code))
    row = store.lock_round(session, code)
    if row is None:
        raise NotFound("placement round", code)
    if row.status != "open":
        raise Conflict(f"placement round '{code}' was already published")
    proposal = store.get_proposal(session, code)
    if proposal is None:
        raise Conflict(f"placement round '{code}' has no proposal yet: run the matching first")
    store.publish(session, row, proposal.document["placed"], now())
    session.commit()
    published = store.get_round(session, code)
    assert published is not None
    return published


def round_placements(
    session: Session, principal: Principal | None, code: str
) -> tuple[list[PublishedPlacement], bool]:
    """The round's published placements that `principal` may see, and whether it is published.

    Coordinators and admins see all; a workplace those at its own workplace (names included,
    only after publication); a school's staff those of their learners; a learner their own.
    """
    principal = require_principal(principal)
    placement_round = get_round(session, principal, code)
    published = placement_round.status == "published"
    role = principal.role
    if role in (Role.ADMIN, Role.COORDINATOR):
        scope: dict[str, str | None] = {}
    elif role is Role.WORKPLACE:
        scope = {"workplace": principal.workplace}
    elif role in (Role.SCHOOL_ADMIN, Role.ASSESSOR):
        scope = {"institution": principal.institution}
    elif role is Role.LEARNER:
        scope = {"learner": principal.learner}
    else:
        raise AccessDenied("placement.read")
    if not published:
        return [], False
    return store.published_placements(session, round_code=code, **scope), True  # type: ignore[arg-type]


def learner_placements(
    session: Session, principal: Principal | None, learner_id: str
) -> list[PublishedPlacement]:
    """A learner's published placements (whoever may read the learner; 404 otherwise)."""
    read_learner(session, principal, learner_id)
    return store.published_placements(session, learner=learner_id)


@dataclass(frozen=True, slots=True)
class PractisedEpa:
    code: str
    title: str
    max_level: int | None


@dataclass(frozen=True, slots=True)
class MyPlacement:
    """What "Mijn stage" shows: the workplace, the period, the EPAs practised there."""

    placement: PublishedPlacement
    epas: tuple[PractisedEpa, ...]


def my_placements(
    session: Session, principal: Principal | None, learner_id: str
) -> list[MyPlacement]:
    """The learner's published placements with the titles of the EPAs they practise there."""
    placements = learner_placements(session, principal, learner_id)
    codes = {code for p in placements for code in p.practise_epas}
    titles = {code: epa.title for code, epa in registry.get_epas(session, codes).items()}
    return [
        MyPlacement(
            placement,
            tuple(
                PractisedEpa(code, titles.get(code, code), placement.offer.max_level(code))
                for code in placement.practise_epas
            ),
        )
        for placement in placements
    ]
