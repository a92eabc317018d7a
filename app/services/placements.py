"""Stagematching use cases: workplaces, placement rounds, offers and requests.

Each use case authorizes first (`app.services.access.authorize`), checks the codes it is given
(unknown ones are a 422 naming each with a JSON pointer) and commits once. The matching, its
publication and the published placements are in `app.services.placement_matching`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from app.clock import now
from app.domain.access import ACTIONS, AccessDenied, Principal, Target
from app.domain.errors import Conflict, DuplicateCode, InvalidData, NotFound
from app.domain.placements.model import (
    Location,
    Offer,
    OfferEpa,
    PlacementRequest,
    PlacementRound,
    Recognition,
    Workplace,
)
from app.persistence import learner_repository
from app.persistence import placement_repository as store
from app.persistence import registry_repository as registry
from app.persistence.placement_repository import StoredRequest
from app.services.access import authorize, require_principal

__all__ = [
    "list_workplaces",
    "get_workplace",
    "create_workplace",
    "replace_workplace",
    "list_rounds",
    "get_round",
    "create_round",
    "list_offers",
    "get_offer",
    "add_offer",
    "change_offer",
    "withdraw_offer",
    "list_requests",
    "add_request",
    "open_round",
]

Errors = list[dict[str, str]]


def _unknown(pointer: str, kind: str, code: str) -> dict[str, str]:
    return {"pointer": pointer, "message": f"unknown {kind} '{code}'"}


def _check_qualifications(
    session: Session, items: Iterable[tuple[str, str]], errors: Errors
) -> None:
    for pointer, code in items:
        if registry.get_qualification(session, code) is None:
            errors.append(_unknown(pointer, "qualification", code))


# --- workplaces --------------------------------------------------------------------------------


def list_workplaces(session: Session) -> list[Workplace]:
    """Every workplace, by code (public: workplaces are organisations, not people)."""
    return store.list_workplaces(session)


def get_workplace(session: Session, code: str) -> Workplace:
    found = store.get_workplace(session, code)
    if found is None:
        raise NotFound("workplace", code)
    return found


def _workplace(code: str, data: Mapping[str, Any], session: Session) -> Workplace:
    errors: Errors = []
    _check_qualifications(
        session,
        (
            (f"/recognitions/{i}/qualification", r["qualification"])
            for i, r in enumerate(data["recognitions"])
        ),
        errors,
    )
    if errors:
        raise InvalidData(errors)
    return Workplace(
        code,
        data["name"],
        data["branch"],
        data["place"],
        Location(data["location"]["lat"], data["location"]["lon"]),
        tuple(
            Recognition(r["qualification"], r["start"], r.get("until"))
            for r in data["recognitions"]
        ),
    )


def create_workplace(
    session: Session, principal: Principal | None, data: Mapping[str, Any]
) -> Workplace:
    """Register a workplace (coordinator); 409 when the code exists."""
    code = data["code"]
    authorize(session, principal, "workplace.write", Target("workplace", code, workplace=code))
    workplace = _workplace(code, data, session)
    if store.get_workplace(session, code) is not None:
        raise DuplicateCode("workplace", code)
    store.save_workplace(session, workplace, now())
    session.commit()
    return workplace


def replace_workplace(
    session: Session, principal: Principal | None, code: str, data: Mapping[str, Any]
) -> Workplace:
    """Replace a workplace's name, branch, place, location and recognitions (coordinator)."""
    authorize(session, principal, "workplace.write", Target("workplace", code, workplace=code))
    if data.get("code") not in (None, code):
        raise InvalidData([{"pointer": "/code", "message": f"must be '{code}' (the URL's)"}])
    get_workplace(session, code)
    workplace = _workplace(code, data, session)
    store.save_workplace(session, workplace, now())
    session.commit()
    return workplace


# --- rounds ------------------------------------------------------------------------------------


def list_rounds(session: Session, principal: Principal | None) -> list[PlacementRound]:
    require_principal(principal)
    return store.list_rounds(session)


def get_round(session: Session, principal: Principal | None, code: str) -> PlacementRound:
    require_principal(principal)
    found = store.get_round(session, code)
    if found is None:
        raise NotFound("placement round", code)
    return found


def open_round(session: Session, code: str) -> PlacementRound:
    """The round, which must still be open (a published round is frozen: 409)."""
    found = store.get_round(session, code)
    if found is None:
        raise NotFound("placement round", code)
    if found.status != "open":
        raise Conflict(f"placement round '{code}' was published; it can no longer change")
    return found


def create_round(
    session: Session, principal: Principal | None, data: Mapping[str, Any]
) -> PlacementRound:
    """Open a placement round (coordinator). Past dates are fine: rounds are recorded after."""
    code = data["code"]
    authorize(session, principal, "placement.round.write", Target("placement-round", code))
    if store.get_round(session, code) is not None:
        raise DuplicateCode("placement round", code)
    placement_round = PlacementRound(
        code, data["name"], data["period"]["start"], data["period"]["end"], data["match_date"]
    )
    store.add_round(session, placement_round, now())
    session.commit()
    return placement_round


# --- offers ------------------------------------------------------------------------------------


def list_offers(
    session: Session, principal: Principal | None, code: str
) -> list[tuple[str, Offer]]:
    """The round's offers (any signed-in principal: places are not personal data)."""
    get_round(session, principal, code)
    return [(code, offer) for offer in store.list_offers(session, code)]


def get_offer(
    session: Session, principal: Principal | None, code: str, offer_id: int
) -> tuple[str, Offer]:
    get_round(session, principal, code)
    row = store.offer_row(session, code, offer_id)
    if row is None:
        raise NotFound("offer", str(offer_id))
    return code, store.offer_of(row)


def _offer(session: Session, data: Mapping[str, Any], offer_id: int = 0) -> Offer:
    errors: Errors = []
    if store.get_workplace(session, data["workplace"]) is None:
        errors.append(_unknown("/workplace", "workplace", data["workplace"]))
    _check_qualifications(
        session,
        ((f"/qualifications/{i}", q) for i, q in enumerate(data["qualifications"])),
        errors,
    )
    known_epas = registry.get_epas(session, {item["epa"] for item in data["epas"]})
    errors += [
        _unknown(f"/epas/{i}/epa", "EPA", item["epa"])
        for i, item in enumerate(data["epas"])
        if item["epa"] not in known_epas
    ]
    reserved = data.get("reserved_for")
    if reserved is not None and registry.get_institution(session, reserved) is None:
        errors.append(_unknown("/reserved_for", "institution", reserved))
    if errors:
        raise InvalidData(errors)
    return Offer(
        offer_id,
        data["workplace"],
        tuple(dict.fromkeys(data["qualifications"])),
        data["places"],
        tuple(OfferEpa(item["epa"], item["max_level"]) for item in data["epas"]),
        reserved,
        data.get("hours_per_week"),
    )


def _offer_target(workplace: str) -> Target:
    return Target("workplace", workplace, workplace=workplace)


def add_offer(
    session: Session, principal: Principal | None, code: str, data: Mapping[str, Any]
) -> tuple[str, Offer]:
    """Register places (the workplace itself, or the coordinator)."""
    actor = authorize(session, principal, "placement.offer.write", _offer_target(data["workplace"]))
    open_round(session, code)
    offer = store.add_offer(session, code, _offer(session, data), actor.id, now())
    session.commit()
    return code, offer


def _reductions(old: Offer, new: Offer) -> list[str]:
    """What a change takes away from an offer (an offer may only grow)."""
    taken = []
    if new.workplace != old.workplace:
        taken.append("the workplace")
    if new.places < old.places:
        taken.append(f"places ({old.places} → {new.places})")
    if missing := [q for q in old.qualifications if q not in new.qualifications]:
        taken.append("qualifications " + ", ".join(missing))
    for item in old.epas:
        level = new.max_level(item.epa)
        if level is None or level < item.max_level:
            taken.append(f"EPA {item.epa} at level {item.max_level}")
    if old.reserved_for is None and new.reserved_for is not None:
        taken.append("places open to every school (now reserved)")
    if old.reserved_for is not None and new.reserved_for not in (None, old.reserved_for):
        taken.append(f"the reservation for {old.reserved_for}")
    return taken


def change_offer(
    session: Session, principal: Principal | None, code: str, offer_id: int, data: Mapping[str, Any]
) -> tuple[str, Offer]:
    """Replace an offer that only grows: more places, more EPAs or levels (else 409)."""
    require_principal(principal)
    row = store.offer_row(session, code, offer_id)
    if row is None:
        get_round(session, principal, code)
        raise NotFound("offer", str(offer_id))
    authorize(session, principal, "placement.offer.write", _offer_target(row.workplace))
    open_round(session, code)
    if data.get("id") not in (None, offer_id) or data.get("round") not in (None, code):
        raise InvalidData([{"pointer": "/id", "message": "must be the offer of the URL"}])
    old = store.offer_of(row)
    new = _offer(session, data, offer_id)
    taken = _reductions(old, new)
    if taken:
        raise Conflict(
            "an offer cannot be withdrawn or reduced; this change would take away "
            + "; ".join(taken)
        )
    offer = store.update_offer(session, row, new)
    session.commit()
    return code, offer


def withdraw_offer(session: Session, principal: Principal | None, code: str, offer_id: int) -> None:
    """Always refused (409) for whom may change the offer: registered places stay."""
    require_principal(principal)
    row = store.offer_row(session, code, offer_id)
    if row is None:
        get_round(session, principal, code)
        raise NotFound("offer", str(offer_id))
    authorize(session, principal, "placement.offer.write", _offer_target(row.workplace))
    raise Conflict(
        f"offer {offer_id} cannot be withdrawn: registered places stay in the round; places a "
        "school does not use return to the pool two weeks before the final matching"
    )


# --- requests ----------------------------------------------------------------------------------


def list_requests(session: Session, principal: Principal | None, code: str) -> list[StoredRequest]:
    """The round's requests: all (coordinator, admin) or those of the school's learners."""
    principal = require_principal(principal)
    get_round(session, principal, code)
    school = principal.institution if principal.role.value in ("school-admin", "assessor") else None
    target = Target("placement-round", code, institution=school)
    authorize(session, principal, "placement.request.list", target)
    return store.list_requests(session, code, school)


def add_request(
    session: Session, principal: Principal | None, code: str, data: Mapping[str, Any]
) -> StoredRequest:
    """Register a learner's request (an assessor of their school); one per learner per round."""
    principal = require_principal(principal)
    if principal.role not in ACTIONS["placement.request.write"]:
        raise AccessDenied("placement.request.write")
    learner_id = data["learner"]
    unknown_learner = InvalidData([_unknown("/learner", "learner", learner_id)])
    learner = learner_repository.get_learner(session, learner_id)
    if learner is None:
        raise unknown_learner
    target = Target("learner", learner_id, institution=learner.institution, learner=learner_id)
    try:
        actor = authorize(session, principal, "placement.request.write", target)
    except NotFound:
        raise unknown_learner from None  # outside your school: as unknown as a missing one
    open_round(session, code)
    request = _request(session, data)
    if store.has_request(session, code, learner_id):
        raise Conflict(f"learner '{learner_id}' already has a request in round '{code}'")
    request_id = store.add_request(session, code, request, actor.id, now())
    session.commit()
    return StoredRequest(request_id, code, request, learner.institution, learner.name)


def _request(session: Session, data: Mapping[str, Any]) -> PlacementRequest:
    errors: Errors = []
    _check_qualifications(session, [("/qualification", data["qualification"])], errors)
    workplaces = {w.code for w in store.list_workplaces(session, data["preferences"])}
    errors += [
        _unknown(f"/preferences/{i}", "workplace", code)
        for i, code in enumerate(data["preferences"])
        if code not in workplaces
    ]
    errors += [
        {"pointer": f"/preferences/{i}", "message": f"workplace '{code}' is named twice"}
        for i, code in enumerate(data["preferences"])
        if code in data["preferences"][:i]
    ]
    known_epas = registry.get_epas(session, set(data["practise_epas"]))
    errors += [
        _unknown(f"/practise_epas/{i}", "EPA", code)
        for i, code in enumerate(data["practise_epas"])
        if code not in known_epas
    ]
    if errors:
        raise InvalidData(errors)
    return PlacementRequest(
        data["learner"],
        data["qualification"],
        Location(data["home"]["lat"], data["home"]["lon"]),
        data["max_km"],
        tuple(data["preferences"]),
        tuple(dict.fromkeys(data["practise_epas"])),
    )
