"""Rule M5: why a learner stays unplaced, each reason that applies, in Dutch.

The reasons look at the offers that list the learner's qualification at a workplace recognised
for it (the *recognised* offers):

``not_recognised``  no recognised workplace offers the qualification;
``too_far``         none of the recognised offers lies within the learner's ``max_km``;
``epa_level``       none of them (those within reach, or all when none is) can supervise an EPA
                    at the level the learner needs — one reason per EPA, naming it and the level;
``reserved``        the offers that fit in every other way are all reserved for another school;
``capacity``        feasible places exist, but all are taken by other learners.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from app.domain.placements.distance import distance_km
from app.domain.placements.feasibility import lacking_epas, reserved_elsewhere
from app.domain.placements.model import Applicant, Offer, Reason, Workplace

__all__ = ["REASON_CODES", "unplaced_reasons"]

REASON_CODES = ("not_recognised", "too_far", "epa_level", "reserved", "capacity")


def unplaced_reasons(
    applicant: Applicant,
    offers: Sequence[Offer],
    workplaces: Mapping[str, Workplace],
    period_start: dt.date,
    honour_reservations: bool,
    feasible_offers: int,
) -> tuple[Reason, ...]:
    """Return every reason (M5) why `applicant` has no place.

    Parameters
    ----------
    applicant : Applicant
    offers : sequence of Offer
        Every offer of the round.
    workplaces : mapping of str to Workplace
        The workplaces of `offers` by code.
    period_start : date
        Recognitions must hold on this day.
    honour_reservations : bool
        Whether reservations still counted at the matching.
    feasible_offers : int
        How many offers were feasible for the learner (M1).

    Examples
    --------
    >>> from app.domain.placements.model import Location, OfferEpa, PlacementRequest, Recognition
    >>> day = dt.date(2025, 9, 1)
    >>> wp = Workplace("W", "W", "vvt", "Zwolle", Location(52.5, 6.1),
    ...                (Recognition("Q", dt.date(2024, 1, 1)),))
    >>> request = PlacementRequest("l", "Q", Location(52.9, 6.1), 10, practise_epas=("E",))
    >>> offer = Offer(1, "W", ("Q",), 1, (OfferEpa("E", 1),))
    >>> reasons = unplaced_reasons(Applicant(request, "I", (("E", 1),)), [offer], {"W": wp},
    ...                            day, True, 0)
    >>> [(r.code, r.epa, r.level) for r in reasons]
    [('too_far', None, None), ('epa_level', 'E', 2)]
    >>> reasons[0].nearest_km
    44
    """
    if feasible_offers:
        # a feasible offer is recognised, near enough, supervises every EPA and is not reserved
        # for another school: so no other reason can apply
        return (_capacity(feasible_offers),)
    request = applicant.request
    recognised = [
        (offer, distance_km(request.home, workplaces[offer.workplace].location))
        for offer in offers
        if request.qualification in offer.qualifications
        and offer.workplace in workplaces
        and workplaces[offer.workplace].recognised_for(request.qualification, period_start)
    ]
    if not recognised:
        return (
            Reason(
                "not_recognised",
                f"Geen erkend leerbedrijf biedt in deze ronde een plaats voor kwalificatie "
                f"{request.qualification}.",
            ),
        )
    reasons: list[Reason] = []
    near = [offer for offer, km in recognised if km <= request.max_km]
    if not near:
        nearest = min(km for _, km in recognised)
        reasons.append(
            Reason(
                "too_far",
                f"Geen erkend leerbedrijf met een passende plaats ligt binnen {request.max_km} km "
                f"van huis (het dichtstbijzijnde ligt op {nearest} km).",
                max_km=request.max_km,
                nearest_km=nearest,
            )
        )
    reasons += _epa_reasons(applicant, near or [offer for offer, _ in recognised])
    fitting = [offer for offer in near if not lacking_epas(applicant, offer)]
    if fitting and all(reserved_elsewhere(applicant, o, honour_reservations) for o in fitting):
        reasons.append(
            Reason(
                "reserved",
                "De plaatsen die passen zijn gereserveerd voor een andere school; gereserveerde "
                "plaatsen komen twee weken voor de definitieve matching vrij.",
                offers=len(fitting),
            )
        )
    return tuple(reasons)


def _capacity(feasible_offers: int) -> Reason:
    how_many = (
        "is 1 passend aanbod"
        if feasible_offers == 1
        else f"zijn {feasible_offers} passende aanbiedingen"
    )
    return Reason(
        "capacity",
        f"Er {how_many}, maar alle plaatsen gaan naar andere leerlingen.",
        offers=feasible_offers,
    )


def _epa_reasons(applicant: Applicant, offers: Sequence[Offer]) -> list[Reason]:
    """One `epa_level` reason per EPA that none of `offers` supervises at the needed level;
    when each EPA alone is covered somewhere but no offer covers them all, every EPA that
    some offer lacks."""
    lacking = [dict(lacking_epas(applicant, offer)) for offer in offers]
    if not offers or not all(lacking):
        return []
    blocking = {epa: level for epa, level in lacking[0].items() if all(epa in m for m in lacking)}
    if not blocking:
        blocking = {epa: level for found in lacking for epa, level in found.items()}
    return [
        Reason(
            "epa_level",
            f"Geen leerbedrijf binnen bereik kan EPA {epa} begeleiden op niveau {level}, "
            "het niveau waarop de leerling deze EPA nu moet oefenen.",
            epa=epa,
            level=level,
        )
        for epa, level in sorted(blocking.items())
    ]
