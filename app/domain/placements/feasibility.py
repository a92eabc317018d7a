"""Rule M1: whether a learner may take a place of an offer, criterion by criterion.

The current supervision level of a learner per EPA is the path engine's (rule R6,
`app.domain.path.standing.current_levels`) on the first day of the round's period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from app.domain.path.record import LearnerRecord
from app.domain.path.standing import current_levels
from app.domain.placements.model import Applicant, Offer, Workplace

__all__ = [
    "RESERVATION_RETURN",
    "MAX_LEVEL",
    "reservations_apply",
    "needed_level",
    "applicant_levels",
    "lacking_epas",
    "reserved_elsewhere",
    "is_feasible",
]

#: Reserved places return to the pool this long before the final matching.
RESERVATION_RETURN = dt.timedelta(days=14)
#: The highest supervision level (5: supervises others).
MAX_LEVEL = 5


def reservations_apply(on: dt.date, match_date: dt.date) -> bool:
    """Whether reservations still count on `on`: only before ``match_date − 14 days``.

    >>> final = dt.date(2026, 3, 15)
    >>> reservations_apply(dt.date(2026, 2, 28), final)
    True
    >>> reservations_apply(dt.date(2026, 3, 1), final)
    False
    """
    return on < match_date - RESERVATION_RETURN


def needed_level(current: int) -> int:
    """The level a learner practises an EPA at: one above their current level, at most 5.

    >>> needed_level(0), needed_level(2), needed_level(5)
    (1, 3, 5)
    """
    return min(MAX_LEVEL, current + 1)


def applicant_levels(
    record: LearnerRecord, epas: Iterable[str], on: dt.date
) -> tuple[tuple[str, int], ...]:
    """The current level (R6) on `on` of each EPA in `epas` the learner has one for.

    >>> from app.domain.path.record import Entrustment
    >>> record = LearnerRecord(entrustments=(Entrustment("E", 2, dt.date(2025, 1, 1)),))
    >>> applicant_levels(record, ["E", "F"], dt.date(2025, 9, 1))
    (('E', 2),)
    """
    levels = current_levels(record, on)
    return tuple((epa, levels[epa]) for epa in sorted(set(epas)) if epa in levels)


def lacking_epas(applicant: Applicant, offer: Offer) -> tuple[tuple[str, int], ...]:
    """The EPAs to practise that `offer` cannot supervise at the needed level, with that level.

    >>> from app.domain.placements.model import Location, OfferEpa, PlacementRequest
    >>> request = PlacementRequest("l", "Q", Location(0, 0), 10, practise_epas=("E", "F"))
    >>> applicant = Applicant(request, "I", (("E", 2),))
    >>> lacking_epas(applicant, Offer(1, "W", ("Q",), 1, (OfferEpa("E", 3), OfferEpa("F", 1))))
    ()
    >>> lacking_epas(applicant, Offer(1, "W", ("Q",), 1, (OfferEpa("E", 2),)))
    (('E', 3), ('F', 1))
    """
    lacking = []
    for epa in applicant.request.practise_epas:
        needed = needed_level(applicant.level(epa))
        supervised = offer.max_level(epa)
        if supervised is None or supervised < needed:
            lacking.append((epa, needed))
    return tuple(lacking)


def reserved_elsewhere(applicant: Applicant, offer: Offer, honour_reservations: bool) -> bool:
    """Whether `offer` is reserved for another institution and reservations still count.

    >>> from app.domain.placements.model import Location, PlacementRequest
    >>> a = Applicant(PlacementRequest("l", "Q", Location(0, 0), 10), "MBO-A")
    >>> offer = Offer(1, "W", ("Q",), 1, reserved_for="MBO-B")
    >>> reserved_elsewhere(a, offer, True), reserved_elsewhere(a, offer, False)
    (True, False)
    """
    return (
        honour_reservations
        and offer.reserved_for is not None
        and offer.reserved_for != applicant.institution
    )


def is_feasible(
    applicant: Applicant,
    offer: Offer,
    workplace: Workplace,
    period_start: dt.date,
    distance_km: int,
    honour_reservations: bool,
) -> bool:
    """Rule M1: the learner may take a place of `offer` at `workplace`.

    Parameters
    ----------
    applicant : Applicant
        The request with the learner's institution and current EPA levels.
    offer : Offer
    workplace : Workplace
        The workplace of `offer`.
    period_start : date
        First day of the round's period: recognitions must hold then.
    distance_km : int
        The M2 distance between the learner's home and the workplace.
    honour_reservations : bool
        Whether reservations still count (`reservations_apply`).

    Examples
    --------
    >>> from app.domain.placements.model import Location, PlacementRequest, Recognition
    >>> day = dt.date(2025, 9, 1)
    >>> wp = Workplace("W", "W", "vvt", "Zwolle", Location(52.5, 6.1),
    ...                (Recognition("Q", dt.date(2024, 1, 1)),))
    >>> a = Applicant(PlacementRequest("l", "Q", Location(52.5, 6.1), 10), "I")
    >>> is_feasible(a, Offer(1, "W", ("Q",), 1), wp, day, 10, True)
    True
    >>> is_feasible(a, Offer(1, "W", ("Q",), 1), wp, day, 11, True)
    False
    """
    request = applicant.request
    return (
        request.qualification in offer.qualifications
        and workplace.recognised_for(request.qualification, period_start)
        and distance_km <= request.max_km
        and not lacking_epas(applicant, offer)
        and not reserved_elsewhere(applicant, offer, honour_reservations)
    )
