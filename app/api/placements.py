"""Stagematching: workplaces, placement rounds, offers, requests, the matching, placements."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from app.authentication import public
from app.extensions import db
from app.request_context import current_actor
from app.schemas.access import EmptySchema
from app.schemas.placements import (
    MatchInSchema,
    MatchSchema,
    OfferInSchema,
    OfferPutSchema,
    OfferSchema,
    PlacementListSchema,
    PlacementSchema,
    RequestInSchema,
    RequestSchema,
    RoundInSchema,
    RoundSchema,
    WorkplaceInSchema,
    WorkplacePutSchema,
    WorkplaceSchema,
)
from app.schemas.registry import ListArgs, page_of
from app.services import placement_matching, placements

blp = Blueprint(
    "placements",
    __name__,
    description="Stagematching: leerbedrijven, placement rounds, offers, requests and matching",
)


def _page(items: list[Any], args: dict[str, Any]) -> dict[str, Any]:
    limit, offset = args["limit"], args["offset"]
    return {
        "items": items[offset : offset + limit],
        "total": len(items),
        "limit": limit,
        "offset": offset,
    }


def _offer(pair: tuple[str, Any]) -> dict[str, Any]:
    code, offer = pair
    return {
        "id": offer.id,
        "round": code,
        "workplace": offer.workplace,
        "qualifications": list(offer.qualifications),
        "places": offer.places,
        "hours_per_week": offer.hours_per_week,
        "epas": offer.epas,
        "reserved_for": offer.reserved_for,
    }


def _request(stored: Any) -> dict[str, Any]:
    request = stored.request
    return {
        "id": stored.id,
        "round": stored.round,
        "learner": request.learner,
        "qualification": request.qualification,
        "home": request.home,
        "max_km": request.max_km,
        "preferences": list(request.preferences),
        "practise_epas": list(request.practise_epas),
    }


@blp.route("/workplaces")
class WorkplaceCollection(MethodView):
    @public
    @blp.arguments(ListArgs, location="query")
    @blp.response(200, page_of(WorkplaceSchema))
    def get(self, args: dict[str, Any]):
        """List workplaces (leerbedrijven), by code."""
        return _page(placements.list_workplaces(db.session), args)

    @blp.arguments(WorkplaceInSchema)
    @blp.response(201, WorkplaceSchema)
    def post(self, data: dict[str, Any]):
        """Register a workplace with its location and SBB recognitions (coordinator)."""
        created = placements.create_workplace(db.session, current_actor(), data)
        location = url_for("placements.WorkplaceResource", code=created.code)
        return created, 201, {"Location": location}


@blp.route("/workplaces/<code>")
class WorkplaceResource(MethodView):
    @public
    @blp.response(200, WorkplaceSchema)
    def get(self, code: str):
        """Get a workplace."""
        return placements.get_workplace(db.session, code)

    @blp.arguments(WorkplacePutSchema)
    @blp.response(200, WorkplaceSchema)
    def put(self, data: dict[str, Any], code: str):
        """Replace a workplace's name, branch, place, location and recognitions (coordinator)."""
        return placements.replace_workplace(db.session, current_actor(), code, data)


@blp.route("/placement-rounds")
class RoundCollection(MethodView):
    @blp.arguments(ListArgs, location="query")
    @blp.response(200, page_of(RoundSchema))
    def get(self, args: dict[str, Any]):
        """List placement rounds, latest period first."""
        return _page(placements.list_rounds(db.session, current_actor()), args)

    @blp.arguments(RoundInSchema)
    @blp.response(201, RoundSchema)
    def post(self, data: dict[str, Any]):
        """Open a placement round (coordinator); past dates are accepted."""
        created = placements.create_round(db.session, current_actor(), data)
        location = url_for("placements.RoundResource", code=created.code)
        return created, 201, {"Location": location}


@blp.route("/placement-rounds/<code>")
class RoundResource(MethodView):
    @blp.response(200, RoundSchema)
    def get(self, code: str):
        """Get a placement round; `status` is open until published."""
        return placements.get_round(db.session, current_actor(), code)


@blp.route("/placement-rounds/<code>/offers")
class OfferCollection(MethodView):
    @blp.arguments(ListArgs, location="query")
    @blp.response(200, page_of(OfferSchema))
    def get(self, args: dict[str, Any], code: str):
        """List the round's offers, by id."""
        offers = placements.list_offers(db.session, current_actor(), code)
        return _page([_offer(pair) for pair in offers], args)

    @blp.arguments(OfferInSchema)
    @blp.response(201, OfferSchema)
    def post(self, data: dict[str, Any], code: str):
        """Register places (the workplace itself or the coordinator); never withdrawn later."""
        pair = placements.add_offer(db.session, current_actor(), code, data)
        location = url_for("placements.OfferResource", code=code, offer_id=pair[1].id)
        return _offer(pair), 201, {"Location": location}


@blp.route("/placement-rounds/<code>/offers/<int:offer_id>")
class OfferResource(MethodView):
    @blp.response(200, OfferSchema)
    def get(self, code: str, offer_id: int):
        """Get an offer."""
        return _offer(placements.get_offer(db.session, current_actor(), code, offer_id))

    @blp.arguments(OfferPutSchema)
    @blp.response(200, OfferSchema)
    def put(self, data: dict[str, Any], code: str, offer_id: int):
        """Replace an offer that only grows (more places, EPAs, levels); a reduction is 409."""
        changed = placements.change_offer(db.session, current_actor(), code, offer_id, data)
        return _offer(changed)

    @blp.response(204)
    def delete(self, code: str, offer_id: int):
        """Withdraw an offer: always refused (409), registered places stay in the round."""
        placements.withdraw_offer(db.session, current_actor(), code, offer_id)


@blp.route("/placement-rounds/<code>/requests")
class RequestCollection(MethodView):
    @blp.arguments(ListArgs, location="query")
    @blp.response(200, page_of(RequestSchema))
    def get(self, args: dict[str, Any], code: str):
        """List requests: all (coordinator) or those of your school's learners (school staff)."""
        found = placements.list_requests(db.session, current_actor(), code)
        return _page([_request(stored) for stored in found], args)

    @blp.arguments(RequestInSchema)
    @blp.response(201, RequestSchema)
    def post(self, data: dict[str, Any], code: str):
        """Register a learner's request (an assessor of their school); one per round."""
        stored = placements.add_request(db.session, current_actor(), code, data)
        return _request(stored), 201


@blp.route("/placement-rounds/<code>/match")
class Matching(MethodView):
    @blp.response(200, MatchSchema)
    def get(self, code: str):
        """The round's current proposal: the last matching's answer (coordinator)."""
        return placement_matching.get_match(db.session, current_actor(), code).document

    @blp.arguments(MatchInSchema)
    @blp.response(200, MatchSchema)
    def post(self, data: dict[str, Any], code: str):
        """Match requests to places (M1–M5) and store it as the proposal; 409 once published."""
        return placement_matching.run_match(db.session, current_actor(), code, data["on"])


@blp.route("/placement-rounds/<code>/publish")
class Publication(MethodView):
    @blp.arguments(EmptySchema)
    @blp.response(200, RoundSchema)
    def post(self, _: dict[str, Any], code: str):
        """Publish the proposal: the round is frozen, its placements become visible."""
        return placement_matching.publish_round(db.session, current_actor(), code)


@blp.route("/placement-rounds/<code>/placements")
class RoundPlacements(MethodView):
    @blp.response(200, PlacementListSchema)
    def get(self, code: str):
        """Published placements you may see: all, your workplace's, your school's or your own."""
        found, published = placement_matching.round_placements(db.session, current_actor(), code)
        return {"items": found, "published": published}


@blp.route("/learners/<learner_id>/placements")
class LearnerPlacements(MethodView):
    @blp.response(200, PlacementSchema(many=True))
    def get(self, learner_id: str):
        """A learner's published placements."""
        return placement_matching.learner_placements(db.session, current_actor(), learner_id)
