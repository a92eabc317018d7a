"""Stagematching pages: the coordinator's round page, the workplace's offer form, "Mijn stage".

``/stagerondes/<code>``              the round: offers, requests, the voorlopige matching with the
                                     explanation per unplaced learner; buttons to match, publish
``/stagerondes/<code>/matchen``      POST: run the matching (today) and show the proposal
``/stagerondes/<code>/publiceren``   POST: publish the proposal (the round is frozen)
``/stagerondes/<code>/aanbod``       the workplace's offer form (GET, POST)

"Mijn stage" is a block of the learner's page (``placements/_my_stage.html``), filled by the
template function `my_stage` once a round with their placement is published.
"""

from __future__ import annotations

from typing import Any

from flask import Response, redirect, render_template, request, url_for
from marshmallow import ValidationError

from app.domain.access import Role
from app.domain.errors import Conflict, InvalidData, NotFound
from app.extensions import db
from app.schemas.placements import OfferInSchema
from app.services import placement_matching, placements
from app.services.placement_matching import MyPlacement
from app.web.blueprint import web
from app.web.forms import FormErrors, errors_of, optional_int, web_actor

BRANCH_LABELS = {
    "vvt": "VVT",
    "ziekenhuis": "ziekenhuis",
    "ggz": "ggz",
    "gehandicaptenzorg": "gehandicaptenzorg",
    "jeugd": "jeugdzorg",
    "kinderopvang": "kinderopvang",
    "huisartsenzorg": "huisartsenzorg",
}
OFFER_LABELS = {
    "workplace": "Leerbedrijf",
    "qualifications": "Kwalificaties",
    "places": "Aantal plaatsen",
    "hours_per_week": "Uren per week",
    "epas": "EPA's",
}


@web.app_template_global()
def my_stage(learner_id: str) -> list[MyPlacement]:
    """The learner's published placements for "Mijn stage" (none when not allowed to see)."""
    try:
        return placement_matching.my_placements(db.session, web_actor(), learner_id)
    except NotFound:
        return []


@web.get("/stagerondes/<code>")
def placement_round(code: str) -> str:
    """The coordinator's round page: offers, requests and the voorlopige matching."""
    actor = web_actor()
    found = placements.get_round(db.session, actor, code)
    offers = placements.list_offers(db.session, actor, code)
    requests = placements.list_requests(db.session, actor, code)
    try:
        proposal = placement_matching.get_match(db.session, actor, code).document
    except NotFound:
        proposal = None
    published, _ = placement_matching.round_placements(db.session, actor, code)
    names = {stored.request.learner: stored.learner_name for stored in requests}
    workplaces = {w.code: w for w in placements.list_workplaces(db.session)}
    return render_template(
        "placements/round.html",
        round=found,
        offers=[offer for _, offer in offers],
        requests=requests,
        proposal=proposal,
        published=published,
        names=names,
        workplaces=workplaces,
        branches=BRANCH_LABELS,
        message=request.args.get("melding"),
    )


@web.post("/stagerondes/<code>/matchen")
def placement_match(code: str) -> Response:
    """Run the matching today and go back to the round page."""
    placement_matching.run_match(db.session, web_actor(), code, None)
    return redirect(
        url_for("web.placement_round", code=code, melding="gematcht") + "#matching", 303
    )


@web.post("/stagerondes/<code>/publiceren")
def placement_publish(code: str) -> Response:
    """Publish the proposal: learners, schools and workplaces now see the placements."""
    placement_matching.publish_round(db.session, web_actor(), code)
    return redirect(url_for("web.placement_round", code=code, melding="gepubliceerd"), 303)


def _offer_payload(form: Any) -> dict[str, Any]:
    epas = []
    for index in range(10):
        epa = (form.get(f"epas-{index}-epa") or "").strip()
        level = (form.get(f"epas-{index}-max_level") or "").strip()
        if epa or level:
            epas.append({"epa": epa, "max_level": optional_int(level)})
    qualifications = [q.strip() for q in (form.get("qualifications") or "").split(",") if q.strip()]
    return {
        "workplace": (form.get("workplace") or "").strip(),
        "qualifications": qualifications,
        "places": optional_int(form.get("places") or ""),
        "hours_per_week": optional_int(form.get("hours_per_week") or ""),
        "epas": epas,
        "reserved_for": None,
    }


@web.route("/stagerondes/<code>/aanbod", methods=["GET", "POST"])
def placement_offer_form(code: str) -> Response | tuple[str, int] | str:
    """The workplace's offer form: qualifications, places, hours, EPAs with their highest level."""
    actor = web_actor()
    found = placements.get_round(db.session, actor, code)
    own = actor.workplace if actor is not None and actor.role is Role.WORKPLACE else None
    values: dict[str, Any] = {
        "workplace": own or "",
        "qualifications": "",
        "places": "1",
        "hours_per_week": "",
        "epas": [{"epa": "", "max_level": ""}] * 3,
    }
    errors = FormErrors()
    if request.method == "POST":
        payload = _offer_payload(request.form)
        values = {
            **request.form.to_dict(),
            "epas": payload["epas"] + [{"epa": "", "max_level": ""}],
        }
        try:
            data = OfferInSchema().load({k: v for k, v in payload.items() if v is not None})
            _, offer = placements.add_offer(db.session, actor, code, data)
        except ValidationError as error:
            errors = errors_of(error)
        except (InvalidData, Conflict) as error:
            errors = errors_of(error)
        else:
            target = url_for("web.placement_offer_form", code=code, opgeslagen=offer.id)
            return redirect(target, 303)
        db.session.rollback()
    mine = [o for _, o in placements.list_offers(db.session, actor, code) if o.workplace == own]
    html = render_template(
        "placements/offer_form.html",
        round=found,
        values=values,
        errors=errors,
        summary=errors.summary(OFFER_LABELS),
        own=own,
        offers=mine,
        saved=request.args.get("opgeslagen"),
    )
    return (html, 422) if errors else html
