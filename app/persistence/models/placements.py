"""Row classes of stagematching: workplaces, placement rounds, offers, requests, proposals and
published placements.

Lists that are read and written as a whole (a workplace's recognitions, an offer's
qualifications and EPAs, a request's preferences) are JSON columns, so that the audit trail
shows each change as one before/after.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Double,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.persistence.models.types import UtcDateTime

BRANCH_CHECK = (
    "branch IN ('vvt', 'ziekenhuis', 'ggz', 'gehandicaptenzorg', 'jeugd', 'kinderopvang', "
    "'huisartsenzorg')"
)


class WorkplaceRow(db.Model):
    """A leerbedrijf with its location and SBB recognitions."""

    __tablename__ = "workplaces"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    branch: Mapped[str] = mapped_column(String(30))
    place: Mapped[str] = mapped_column(String(200))
    lat: Mapped[float] = mapped_column(Double)
    lon: Mapped[float] = mapped_column(Double)
    #: [{"qualification", "from", "until"}] with ISO dates (``until`` may be null).
    recognitions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    __table_args__ = (CheckConstraint(BRANCH_CHECK, name="workplace_branch"),)


class PlacementRoundRow(db.Model):
    """A placement round: its period, the date of the final matching, open or published."""

    __tablename__ = "placement_rounds"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    match_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    published_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        CheckConstraint("status IN ('open', 'published')", name="placement_round_status"),
    )


class PlacementOfferRow(db.Model):
    """Places a workplace offers in a round (never withdrawn, never reduced)."""

    __tablename__ = "placement_offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    round: Mapped[str] = mapped_column(ForeignKey("placement_rounds.code"), index=True)
    workplace: Mapped[str] = mapped_column(ForeignKey("workplaces.code"), index=True)
    qualifications: Mapped[list[str]] = mapped_column(JSON)
    places: Mapped[int] = mapped_column(Integer)
    hours_per_week: Mapped[int | None] = mapped_column(Integer)
    #: [{"epa", "max_level"}]
    epas: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    reserved_for: Mapped[str | None] = mapped_column(ForeignKey("institutions.code"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(100))

    __table_args__ = (CheckConstraint("places >= 1", name="placement_offer_places"),)


class PlacementRequestRow(db.Model):
    """A learner's request for a place in a round (one per learner per round)."""

    __tablename__ = "placement_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    round: Mapped[str] = mapped_column(ForeignKey("placement_rounds.code"), index=True)
    learner: Mapped[str] = mapped_column(ForeignKey("learners.id"), index=True)
    qualification: Mapped[str] = mapped_column(String(40))
    #: The learner's home: personal data (never copied into the audit trail).
    home_lat: Mapped[float] = mapped_column(Double)
    home_lon: Mapped[float] = mapped_column(Double)
    max_km: Mapped[int] = mapped_column(Integer)
    preferences: Mapped[list[str]] = mapped_column(JSON)
    practise_epas: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(100))

    __table_args__ = (UniqueConstraint("round", "learner", name="placement_request_unique"),)


class PlacementProposalRow(db.Model):
    """The round's current proposal: the last matching's answer, as the API returned it."""

    __tablename__ = "placement_proposals"

    round: Mapped[str] = mapped_column(ForeignKey("placement_rounds.code"), primary_key=True)
    matched_on: Mapped[dt.date] = mapped_column(Date)
    placed_count: Mapped[int] = mapped_column(Integer)
    total_cost: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    computed_by: Mapped[str] = mapped_column(String(100))
    #: The whole answer (placed, unplaced with reasons): bulky, left out of the audit trail.
    document: Mapped[dict[str, Any]] = mapped_column(JSON)


class PlacementRow(db.Model):
    """A published placement: a learner on a place of an offer."""

    __tablename__ = "placements"

    id: Mapped[int] = mapped_column(primary_key=True)
    round: Mapped[str] = mapped_column(ForeignKey("placement_rounds.code"), index=True)
    learner: Mapped[str] = mapped_column(ForeignKey("learners.id"), index=True)
    offer: Mapped[int] = mapped_column(ForeignKey("placement_offers.id"), index=True)
    workplace: Mapped[str] = mapped_column(ForeignKey("workplaces.code"), index=True)
    rank: Mapped[int] = mapped_column(Integer)
    distance_km: Mapped[int] = mapped_column(Integer)
    cost: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    __table_args__ = (UniqueConstraint("round", "learner", name="placement_unique"),)
