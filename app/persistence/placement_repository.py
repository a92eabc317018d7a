"""Stagematching: rows in, frozen values out (`app.domain.placements.model`). Never commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.path.record import Entrustment, LearnerRecord
from app.domain.placements.model import (
    Location,
    Offer,
    OfferEpa,
    PlacementRequest,
    PlacementRound,
    Recognition,
    Workplace,
)
from app.persistence.models.learners import EntrustmentRow, LearnerRow
from app.persistence.models.placements import (
    PlacementOfferRow,
    PlacementProposalRow,
    PlacementRequestRow,
    PlacementRoundRow,
    PlacementRow,
    WorkplaceRow,
)

#: Keys per IN (...) list: well below every database's limit of bound parameters.
CHUNK = 500


@dataclass(frozen=True, slots=True)
class StoredRequest:
    """A stored request with the learner's name and institution (for the round's lists)."""

    id: int
    round: str
    request: PlacementRequest
    institution: str
    learner_name: str


@dataclass(frozen=True, slots=True)
class Proposal:
    """The round's current proposal: the document the matching answered, and when."""

    round: str
    matched_on: dt.date
    computed_at: dt.datetime
    document: dict[str, Any]


@dataclass(frozen=True, slots=True)
class PublishedPlacement:
    """A published placement with what a learner's page and a workplace's list show."""

    id: int
    round: PlacementRound
    learner: str
    learner_name: str
    offer: Offer
    workplace: Workplace
    rank: int
    distance_km: int
    cost: int
    practise_epas: tuple[str, ...]


# --- workplaces --------------------------------------------------------------------------------


def _recognitions(items: Iterable[dict[str, Any]]) -> tuple[Recognition, ...]:
    return tuple(
        Recognition(
            item["qualification"],
            dt.date.fromisoformat(item["from"]),
            dt.date.fromisoformat(item["until"]) if item.get("until") else None,
        )
        for item in items
    )


def _workplace(row: WorkplaceRow) -> Workplace:
    return Workplace(
        row.code,
        row.name,
        row.branch,
        row.place,
        Location(row.lat, row.lon),
        _recognitions(row.recognitions),
    )


def get_workplace(session: Session, code: str) -> Workplace | None:
    row = session.get(WorkplaceRow, code)
    return None if row is None else _workplace(row)


def list_workplaces(session: Session, codes: Iterable[str] | None = None) -> list[Workplace]:
    query = select(WorkplaceRow).order_by(WorkplaceRow.code)
    if codes is None:
        return [_workplace(row) for row in session.scalars(query)]
    wanted = sorted(set(codes))
    found: list[Workplace] = []
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        found += [_workplace(r) for r in session.scalars(query.where(WorkplaceRow.code.in_(chunk)))]
    return sorted(found, key=lambda w: w.code)


def save_workplace(session: Session, workplace: Workplace, now: dt.datetime) -> bool:
    """Insert or replace a workplace; whether it was new."""
    recognitions = [
        {
            "qualification": r.qualification,
            "from": r.start.isoformat(),
            "until": r.until.isoformat() if r.until else None,
        }
        for r in workplace.recognitions
    ]
    row = session.get(WorkplaceRow, workplace.code)
    created = row is None
    if row is None:
        row = WorkplaceRow(code=workplace.code, created_at=now)
        session.add(row)
    row.name, row.branch, row.place = workplace.name, workplace.branch, workplace.place
    row.lat, row.lon = workplace.location.lat, workplace.location.lon
    if row.recognitions != recognitions:
        row.recognitions = recognitions
    session.flush()
    return created


# --- rounds ------------------------------------------------------------------------------------


def _round(row: PlacementRoundRow) -> PlacementRound:
    return PlacementRound(
        row.code, row.name, row.period_start, row.period_end, row.match_date, row.status
    )


def get_round(session: Session, code: str) -> PlacementRound | None:
    row = session.get(PlacementRoundRow, code)
    return None if row is None else _round(row)


def list_rounds(session: Session) -> list[PlacementRound]:
    query = select(PlacementRoundRow).order_by(
        PlacementRoundRow.period_start.desc(), PlacementRoundRow.code
    )
    return [_round(row) for row in session.scalars(query)]


def add_round(session: Session, placement_round: PlacementRound, now: dt.datetime) -> None:
    session.add(
        PlacementRoundRow(
            code=placement_round.code,
            name=placement_round.name,
            period_start=placement_round.period_start,
            period_end=placement_round.period_end,
            match_date=placement_round.match_date,
            status="open",
            created_at=now,
        )
    )
    session.flush()


def lock_round(session: Session, code: str) -> PlacementRoundRow | None:
    """The round's row, locked for the transaction where the database can (PostgreSQL)."""
    return session.scalar(
        select(PlacementRoundRow).where(PlacementRoundRow.code == code).with_for_update()
    )


# --- offers ------------------------------------------------------------------------------------


def _offer(row: PlacementOfferRow) -> Offer:
    return Offer(
        row.id,
        row.workplace,
        tuple(row.qualifications),
        row.places,
        tuple(OfferEpa(item["epa"], item["max_level"]) for item in row.epas),
        row.reserved_for,
        row.hours_per_week,
    )


def offer_row(session: Session, round_code: str, offer_id: int) -> PlacementOfferRow | None:
    row = session.get(PlacementOfferRow, offer_id)
    return row if row is not None and row.round == round_code else None


def offer_of(row: PlacementOfferRow) -> Offer:
    return _offer(row)


def list_offers(session: Session, round_code: str, workplace: str | None = None) -> list[Offer]:
    query = select(PlacementOfferRow).where(PlacementOfferRow.round == round_code)
    if workplace is not None:
        query = query.where(PlacementOfferRow.workplace == workplace)
    return [_offer(row) for row in session.scalars(query.order_by(PlacementOfferRow.id))]


def add_offer(
    session: Session, round_code: str, offer: Offer, actor: str, now: dt.datetime
) -> Offer:
    row = PlacementOfferRow(
        round=round_code,
        workplace=offer.workplace,
        qualifications=list(offer.qualifications),
        places=offer.places,
        hours_per_week=offer.hours_per_week,
        epas=[{"epa": e.epa, "max_level": e.max_level} for e in offer.epas],
        reserved_for=offer.reserved_for,
        created_at=now,
        created_by=actor,
    )
    session.add(row)
    session.flush()
    return _offer(row)


def update_offer(session: Session, row: PlacementOfferRow, offer: Offer) -> Offer:
    row.qualifications = list(offer.qualifications)
    row.places = offer.places
    row.hours_per_week = offer.hours_per_week
    row.epas = [{"epa": e.epa, "max_level": e.max_level} for e in offer.epas]
    row.reserved_for = offer.reserved_for
    session.flush()
    return _offer(row)


# --- requests ----------------------------------------------------------------------------------


def _request(row: PlacementRequestRow) -> PlacementRequest:
    return PlacementRequest(
        row.learner,
        row.qualification,
        Location(row.home_lat, row.home_lon),
        row.max_km,
        tuple(row.preferences),
        tuple(row.practise_epas),
    )


def has_request(session: Session, round_code: str, learner: str) -> bool:
    found = session.scalar(
        select(PlacementRequestRow.id).where(
            PlacementRequestRow.round == round_code, PlacementRequestRow.learner == learner
        )
    )
    return found is not None


def add_request(
    session: Session, round_code: str, request: PlacementRequest, actor: str, now: dt.datetime
) -> int:
    row = PlacementRequestRow(
        round=round_code,
        learner=request.learner,
        qualification=request.qualification,
        home_lat=request.home.lat,
        home_lon=request.home.lon,
        max_km=request.max_km,
        preferences=list(request.preferences),
        practise_epas=list(request.practise_epas),
        created_at=now,
        created_by=actor,
    )
    session.add(row)
    session.flush()
    return row.id


def list_requests(
    session: Session, round_code: str, institution: str | None = None
) -> list[StoredRequest]:
    """The round's requests by learner id; only those of `institution`'s learners when given."""
    query = (
        select(PlacementRequestRow, LearnerRow.institution, LearnerRow.name)
        .join(LearnerRow, LearnerRow.id == PlacementRequestRow.learner)
        .where(PlacementRequestRow.round == round_code)
        .order_by(PlacementRequestRow.learner)
    )
    if institution is not None:
        query = query.where(LearnerRow.institution == institution)
    return [
        StoredRequest(row.id, row.round, _request(row), school, name)
        for row, school, name in session.execute(query)
    ]


def entrustment_records(session: Session, learners: Sequence[str]) -> dict[str, LearnerRecord]:
    """Each learner's entrustments as path-engine input (for the R6 levels), in few queries."""
    table = EntrustmentRow.__table__.c
    found: dict[str, list[Entrustment]] = {learner: [] for learner in learners}
    wanted = sorted(set(learners))
    for start in range(0, len(wanted), CHUNK):
        query = (
            select(table.learner, table.epa, table.level, table.date, table.withdrawn_at, table.id)
            .where(table.learner.in_(wanted[start : start + CHUNK]))
            .order_by(table.id)
        )
        for learner, epa, level, day, withdrawn, row_id in session.execute(query):
            found[learner].append(Entrustment(epa, level, day, withdrawn is not None, row_id))
    return {learner: LearnerRecord(entrustments=tuple(items)) for learner, items in found.items()}


# --- proposals and placements ------------------------------------------------------------------


def get_proposal(session: Session, round_code: str) -> Proposal | None:
    row = session.get(PlacementProposalRow, round_code)
    if row is None:
        return None
    return Proposal(row.round, row.matched_on, row.computed_at, row.document)


def save_proposal(
    session: Session,
    round_code: str,
    on: dt.date,
    document: dict[str, Any],
    actor: str,
    now: dt.datetime,
) -> None:
    row = session.get(PlacementProposalRow, round_code)
    if row is None:
        row = PlacementProposalRow(round=round_code)
        session.add(row)
    row.matched_on = on
    row.placed_count = int(document["placed_count"])
    row.total_cost = int(document["total_cost"])
    row.computed_at = now
    row.computed_by = actor
    row.document = document
    session.flush()


def publish(
    session: Session, row: PlacementRoundRow, placed: Iterable[dict[str, Any]], now: dt.datetime
) -> int:
    """Freeze the round: store each placement of the proposal; how many were stored."""
    count = 0
    for item in placed:
        session.add(
            PlacementRow(
                round=row.code,
                learner=item["learner"],
                offer=item["offer"],
                workplace=item["workplace"],
                rank=item["rank"],
                distance_km=item["distance_km"],
                cost=item["cost"],
                published_at=now,
            )
        )
        count += 1
    row.status = "published"
    row.published_at = now
    session.flush()
    return count


def published_placements(
    session: Session,
    *,
    round_code: str | None = None,
    learner: str | None = None,
    workplace: str | None = None,
    institution: str | None = None,
) -> list[PublishedPlacement]:
    """Published placements, filtered; by period (latest first), then learner."""
    query = (
        select(PlacementRow, PlacementRoundRow, PlacementOfferRow, WorkplaceRow, LearnerRow)
        .join(PlacementRoundRow, PlacementRoundRow.code == PlacementRow.round)
        .join(PlacementOfferRow, PlacementOfferRow.id == PlacementRow.offer)
        .join(WorkplaceRow, WorkplaceRow.code == PlacementRow.workplace)
        .join(LearnerRow, LearnerRow.id == PlacementRow.learner)
        .order_by(PlacementRoundRow.period_start.desc(), PlacementRow.round, PlacementRow.learner)
    )
    if round_code is not None:
        query = query.where(PlacementRow.round == round_code)
    if learner is not None:
        query = query.where(PlacementRow.learner == learner)
    if workplace is not None:
        query = query.where(PlacementRow.workplace == workplace)
    if institution is not None:
        query = query.where(LearnerRow.institution == institution)
    found = []
    for placement, round_row, offer, place, person in session.execute(query):
        practise = session.scalar(
            select(PlacementRequestRow.practise_epas).where(
                PlacementRequestRow.round == placement.round,
                PlacementRequestRow.learner == placement.learner,
            )
        )
        found.append(
            PublishedPlacement(
                placement.id,
                _round(round_row),
                placement.learner,
                person.name,
                _offer(offer),
                _workplace(place),
                placement.rank,
                placement.distance_km,
                placement.cost,
                tuple(practise or ()),
            )
        )
    return found


def learner_facts(session: Session, learners: Sequence[str]) -> dict[str, tuple[str, str]]:
    """learner id → (institution, name) of those that exist."""
    facts: dict[str, tuple[str, str]] = {}
    wanted = sorted(set(learners))
    for start in range(0, len(wanted), CHUNK):
        query = select(LearnerRow.id, LearnerRow.institution, LearnerRow.name).where(
            LearnerRow.id.in_(wanted[start : start + CHUNK])
        )
        for learner, institution, name in session.execute(query):
            facts[learner] = (institution, name)
    return facts
