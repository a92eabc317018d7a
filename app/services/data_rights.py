"""A learner's data rights (AVG): a copy of everything stored (art. 15, 20) and erasure (art. 17).

Export: the learner themselves, a school-admin of their institution, or an admin. Erasure: an
admin only; it revokes every credential issued to the learner (so that no copy in circulation
keeps verifying), clears the personal data, closes the learner's accounts and tokens, and
leaves in the audit trail the fact of the erasure and its reason, never the erased data.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy.orm import Session

from app.adapters.credential_environment import CredentialEnvironment
from app.clock import now
from app.domain.access import Principal, Target
from app.domain.errors import NotFound
from app.persistence import learner_data
from app.persistence.models.credentials import IssuedCredentialRow
from app.services import access, status
from app.services.learners import get_learner

ERASURE_REVOCATION = "gewist op verzoek (AVG art. 17)"


def _target(session: Session, learner_id: str) -> Target:
    learner = get_learner(session, learner_id)
    return Target("learner", learner_id, institution=learner.institution, learner=learner_id)


def export_learner(session: Session, actor: Principal | None, learner_id: str) -> dict[str, Any]:
    """Every stored fact about the learner as one JSON document, with the audit entries."""
    access.authorize(session, actor, "learner.export", _target(session, learner_id))
    data = learner_data.learner_data(session, learner_id)
    audit = [
        {**dataclasses.asdict(entry), "at": entry.at.isoformat()}
        for entry in access.audit_of_learner(session, learner_id)
    ]
    return {
        "learner": learner_id,
        "exported_at": now().isoformat(),
        **data,
        "audit": audit,
    }


def erase_learner(
    session: Session,
    actor: Principal | None,
    env: CredentialEnvironment,
    learner_id: str,
    reason: str,
) -> dict[str, Any]:
    """Erase the learner's personal data in one transaction; returns what was done."""
    actor = access.authorize(
        session, actor, "learner.erase", _target(session, learner_id), reason=f"erasure: {reason}"
    )
    revoked = []
    for credential_id in learner_data.credential_ids_of(session, learner_id):
        credential = session.get(IssuedCredentialRow, credential_id)
        if credential is None:  # pragma: no cover - listed a moment ago in this transaction
            raise NotFound("credential", credential_id)
        if credential.revoked_at is None:
            status.apply_status_change(
                session, env, credential, "revoke", ERASURE_REVOCATION, actor.id
            )
            revoked.append(credential_id)
    learner_data.erase_personal_data(session, learner_id, now())
    session.commit()
    return {"learner": learner_id, "erased": True, "revoked_credentials": revoked}
