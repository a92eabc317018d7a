"""Delivery into a wallet: sign a holder-bound copy of an issued credential and record it.

Both wallet protocols (OID4VCI in `app.services.oid4vci`, VC-API exchanges in
`app.services.exchanges`) end here, once the wallet has proven control of its DID.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.adapters.credential_environment import CredentialEnvironment
from app.clock import now
from app.domain.access import Principal, Role
from app.domain.credentials.holder_binding import bind_to_holder
from app.domain.errors import Conflict
from app.persistence.audit import bind_principal
from app.persistence.models.credentials import IssuedCredentialRow
from app.persistence.models.wallets import CredentialDeliveryRow
from app.services.credentials import sign

CHANNELS = ("oid4vci", "vcapi")


class NotDeliverable(Conflict):
    """The credential cannot go into a wallet now (revoked, suspended, or its key retired)."""


def wallet_principal(grant_id: str, credential: IssuedCredentialRow) -> Principal:
    """Who acts when a wallet redeems `grant_id` (an offer or exchange): the learner's wallet,
    named by the grant in the audit trail (``wallet:<grant>``)."""
    return Principal(
        id=f"wallet:{grant_id}",
        role=Role.LEARNER,
        institution=credential.institution,
        learner=credential.learner,
        name="wallet",
    )


def require_deliverable(env: CredentialEnvironment, credential: IssuedCredentialRow) -> None:
    """Refuse (409) a credential that is revoked, suspended, or signed by a retired key."""
    if credential.revoked_at is not None:
        raise NotDeliverable("the credential is revoked")
    if credential.suspended:
        raise NotDeliverable("the credential is suspended")
    key = env.issuers.keys.find(credential.institution, credential.key_id)
    if key is None or key.status == "retired":
        raise NotDeliverable("the key that signed this credential is retired; issue it anew")


def deliver_bound_copy(
    session: Session,
    env: CredentialEnvironment,
    credential: IssuedCredentialRow,
    holder_did: str,
    channel: str,
    principal: Principal,
) -> dict[str, Any]:
    """Sign `credential` afresh with `holder_did` as its subject, record the delivery (audited,
    as `principal`) and return the signed copy. The caller commits.

    The copy keeps the credential's id and status entry, and is signed by the key that signed
    the original (the key whose status list covers it).
    """
    if channel not in CHANNELS:
        raise ValueError(f"unknown delivery channel {channel!r}")
    require_deliverable(env, credential)
    key = env.issuers.keys.find(credential.institution, credential.key_id)
    assert key is not None  # require_deliverable checked it
    signed = sign(env, bind_to_holder(credential.document, holder_did), key)
    bind_principal(session, principal)
    session.add(
        CredentialDeliveryRow(
            credential=credential.id,
            channel=channel,
            holder=signed["credentialSubject"]["id"],
            delivered_at=now(),
        )
    )
    session.flush()
    return signed
