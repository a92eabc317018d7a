"""A learner's own details: registering a learner, and their e-mail address (holder identity).

The e-mail is personal data (audited without its value, cleared on erasure); credentials issued
after it is set carry it hashed as an ``emailAddress`` IdentityObject
(see :mod:`app.domain.credentials.holder`).
"""

from __future__ import annotations

import secrets

from sqlalchemy.orm import Session

from app.clock import now
from app.domain.access import Principal, Target
from app.domain.errors import Conflict, InvalidData
from app.domain.learner import Learner
from app.persistence import learner_repository as records
from app.persistence import registry_repository as repo
from app.services.access import authorize
from app.services.learners import get_learner, learner_target


def new_learner_id() -> str:
    return "ln-" + secrets.token_hex(6)


def create_learner(
    session: Session,
    actor: Principal | None,
    name: str,
    institution: str,
    external_id: str | None,
    email: str | None = None,
) -> Learner:
    authorize(session, actor, "learner.create", Target("learner", institution=institution))
    if repo.get_institution(session, institution) is None:
        raise InvalidData(
            [{"pointer": "/institution", "message": f"unknown institution '{institution}'"}]
        )
    if external_id and records.find_learner_by_external_id(session, institution, external_id):
        raise Conflict(
            f"a learner with external_id '{external_id}' already exists at {institution}"
        )
    learner = Learner(new_learner_id(), name, institution, external_id, email or None)
    records.add_learner(session, learner, now())
    session.commit()
    return learner


def set_learner_email(
    session: Session, actor: Principal | None, learner_id: str, email: str | None
) -> Learner:
    """Set (or with None clear) the learner's e-mail; credentials issued later carry it hashed."""
    authorize(session, actor, "learner.update", learner_target(session, learner_id))
    records.set_learner_email(session, learner_id, email or None)
    session.commit()
    return get_learner(session, learner_id)
