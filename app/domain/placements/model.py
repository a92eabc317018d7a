"""The values of stagematching: workplaces, placement rounds, offers, requests, results.

Everything is a frozen value; the stored rows with their bookkeeping live in
`app.persistence`. Codes, ids and dates are what the API names them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.domain.placements.cost import NOT_PREFERRED

__all__ = [
    "BRANCHES",
    "Location",
    "Recognition",
    "Workplace",
    "PlacementRound",
    "OfferEpa",
    "Offer",
    "PlacementRequest",
    "Applicant",
    "Reason",
    "Placement",
    "Unplaced",
    "MatchResult",
]

#: The branches of care and welfare a workplace belongs to.
BRANCHES = (
    "vvt",
    "ziekenhuis",
    "ggz",
    "gehandicaptenzorg",
    "jeugd",
    "kinderopvang",
    "huisartsenzorg",
)


@dataclass(frozen=True, slots=True)
class Location:
    """A point on earth in decimal degrees (WGS 84)."""

    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Recognition:
    """An SBB recognition of a workplace for `qualification`, from `start` until `until`."""

    qualification: str
    start: dt.date
    until: dt.date | None = None

    def covers(self, day: dt.date) -> bool:
        """Whether the recognition holds on `day` (``start ≤ day`` and ``until`` not before it).

        >>> r = Recognition("Q", dt.date(2024, 1, 1), dt.date(2025, 12, 31))
        >>> r.covers(dt.date(2025, 9, 1)), r.covers(dt.date(2026, 1, 1))
        (True, False)
        """
        return self.start <= day and (self.until is None or self.until >= day)


@dataclass(frozen=True, slots=True)
class Workplace:
    """A leerbedrijf: where learners do their internship."""

    code: str
    name: str
    branch: str
    place: str
    location: Location
    recognitions: tuple[Recognition, ...] = ()

    def recognised_for(self, qualification: str, day: dt.date) -> bool:
        """Whether some recognition for `qualification` holds on `day` (rule M1).

        >>> wp = Workplace("W", "W", "vvt", "Zwolle", Location(52.5, 6.1),
        ...                (Recognition("Q", dt.date(2024, 1, 1)),))
        >>> wp.recognised_for("Q", dt.date(2025, 9, 1)), wp.recognised_for("R", dt.date(2025, 9, 1))
        (True, False)
        """
        return any(r.qualification == qualification and r.covers(day) for r in self.recognitions)


@dataclass(frozen=True, slots=True)
class PlacementRound:
    """A placement round: a period of internship and the date of the final matching."""

    code: str
    name: str
    period_start: dt.date
    period_end: dt.date
    match_date: dt.date
    status: str = "open"


@dataclass(frozen=True, slots=True)
class OfferEpa:
    """An EPA a workplace lets learners practise, up to supervision level `max_level`."""

    epa: str
    max_level: int


@dataclass(frozen=True, slots=True)
class Offer:
    """Places a workplace offers in a round; `reserved_for` an institution code or None."""

    id: int
    workplace: str
    qualifications: tuple[str, ...]
    places: int
    epas: tuple[OfferEpa, ...] = ()
    reserved_for: str | None = None
    hours_per_week: int | None = None

    def max_level(self, epa: str) -> int | None:
        """The highest level at which the workplace supervises `epa`, or None when not listed.

        >>> Offer(1, "W", ("Q",), 1, (OfferEpa("E", 3),)).max_level("E")
        3
        """
        return next((item.max_level for item in self.epas if item.epa == epa), None)


@dataclass(frozen=True, slots=True)
class PlacementRequest:
    """A learner's request for a place: where they live, how far they go, what they want."""

    learner: str
    qualification: str
    home: Location
    max_km: int
    preferences: tuple[str, ...] = ()
    practise_epas: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Applicant:
    """A request with the learner's facts matching needs: their institution and the current
    supervision level (R6, on the first day of the period) per EPA they must practise."""

    request: PlacementRequest
    institution: str
    levels: tuple[tuple[str, int], ...] = ()

    @property
    def learner(self) -> str:
        return self.request.learner

    def level(self, epa: str) -> int:
        """The current level for `epa`, 0 when the learner has none.

        >>> a = Applicant(PlacementRequest("l", "Q", Location(0, 0), 10), "I", (("E", 2),))
        >>> a.level("E"), a.level("F")
        (2, 0)
        """
        return next((level for code, level in self.levels if code == epa), 0)


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a learner stays unplaced (M5): a stable `code`, a Dutch `message`, and details."""

    code: str
    message: str
    epa: str | None = None
    level: int | None = None
    max_km: int | None = None
    nearest_km: int | None = None
    offers: int | None = None


@dataclass(frozen=True, slots=True)
class Placement:
    """A learner placed on a place of `offer` at `workplace`; `rank` is the rank cost of M3."""

    learner: str
    offer: int
    workplace: str
    rank: int
    distance_km: int
    cost: int

    @property
    def preferred(self) -> bool:
        """Whether the workplace was among the learner's preferences."""
        return self.rank < NOT_PREFERRED


@dataclass(frozen=True, slots=True)
class Unplaced:
    """A learner without a place, with every reason that applies."""

    learner: str
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The outcome of a matching: placed learners and unplaced ones, each by learner id."""

    placed: tuple[Placement, ...]
    unplaced: tuple[Unplaced, ...]

    @property
    def placed_count(self) -> int:
        return len(self.placed)

    @property
    def total_cost(self) -> int:
        return sum(p.cost for p in self.placed)
