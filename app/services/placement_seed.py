"""Loads the demo placement rounds of `seed/placements.json` through the stagematching use cases.

Idempotent: workplaces and rounds that exist are left as they are; a new round gets its offers
and requests, is matched on its ``match_on`` day and, when ``publish`` says so, published.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.domain.access import Principal
from app.persistence import placement_repository
from app.persistence.learner_repository import find_learner_by_external_id
from app.schemas.placements import OfferInSchema, RequestInSchema, RoundInSchema, WorkplaceInSchema
from app.services import placement_matching, placements


def load_placements(
    session: Session,
    actor: Principal | None,
    path: Path,
    default_institution: str,
    read_json: Any,
) -> list[str]:
    """Create the seed's workplaces and rounds that do not exist yet (the demo learners of the
    file are created before, by `app.services.seeding.load_demo_learners`).

    Returns the codes of the workplaces and rounds created.
    """
    document = read_json(path)
    created = []
    for item in document["workplaces"]:
        if placement_repository.get_workplace(session, item["code"]) is None:
            placements.create_workplace(session, actor, WorkplaceInSchema().load(item))
            created.append(item["code"])
    for item in document["rounds"]:
        if placement_repository.get_round(session, item["code"]) is not None:
            continue
        fields = {key: item[key] for key in ("code", "name", "period", "match_date")}
        placements.create_round(session, actor, RoundInSchema().load(fields))
        for offer in item["offers"]:
            placements.add_offer(session, actor, item["code"], OfferInSchema().load(offer))
        for request in item["requests"]:
            learner = find_learner_by_external_id(session, default_institution, request["learner"])
            assert learner is not None, request["learner"]
            body = RequestInSchema().load({**request, "learner": learner.id})
            placements.add_request(session, actor, item["code"], body)
        on = dt.date.fromisoformat(item["match_on"])
        placement_matching.run_match(session, actor, item["code"], on)
        if item.get("publish"):
            placement_matching.publish_round(session, actor, item["code"])
        created.append(item["code"])
    return created
