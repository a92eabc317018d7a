"""OID4VCI use cases: offer a credential to a wallet, redeem the code, hand out the credential.

Pre-authorized code flow with a PIN (``tx_code``). The learner (or staff of the issuing
school) makes an offer; the wallet fetches it, trades the code and PIN for an access token,
gets a ``c_nonce``, and asks for the credential with a key proof JWT signed by its did:key.
It receives the issued credential bound to that DID (`app.services.wallet_delivery`).

Nothing stored gives a live offer away: the offer's row id is a SHA-256 prefix of the random id
in its URL (as for VC-API exchanges), the pre-authorized code is an HMAC of that URL id under a
server key (computed when the offer document is served; only its SHA-256 is stored), the PIN is
stored as an HMAC under another server key, the access token as its SHA-256. The server keys
come from ``LEERLIJN_KEY_ENCRYPTION_KEY`` (`app.adapters.key_sealing.KeySealer.derive`).
"Now" is `app.clock.now`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app import clock
from app.adapters.credential_environment import CredentialEnvironment
from app.adapters.proof_jwt import verify_proof_jwt
from app.domain.access import Principal, Target
from app.domain.credentials import oid4vci as rules
from app.domain.credentials.holder_binding import grant_key
from app.domain.credentials.oid4vci import (
    CredentialRequestDenied,
    InvalidGrant,
    InvalidNonce,
    InvalidRequest,
    InvalidToken,
    UnknownOffer,
    UnsupportedGrantType,
)
from app.domain.errors import NotFound
from app.persistence import oid4vci_repository as store
from app.persistence.audit import bind_principal
from app.persistence.key_repository import DatabaseKeyStore
from app.persistence.models.wallets import WalletOfferRow
from app.services.access import authorize
from app.services.wallet_delivery import (
    NotDeliverable,
    deliver_bound_copy,
    require_deliverable,
    wallet_principal,
)

__all__ = [
    "AccessToken",
    "OfferCreated",
    "authorization_server_metadata",
    "create_offer",
    "deliver_credential",
    "issue_nonce",
    "issuer_metadata",
    "offer_document",
    "redeem_code",
]

ACCESS_TOKEN_SALT = "oid4vci-access-token"
CODE_KEY_LABEL = "oid4vci-code"
PIN_KEY_LABEL = "oid4vci-pin"


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class OfferCreated:
    """A new offer: the PIN is shown this once (stored only hashed)."""

    credential_offer_uri: str
    offer_url: str
    tx_code: str
    expires_at: dt.datetime

    def as_dict(self) -> dict[str, str]:
        return {
            "credential_offer_uri": self.credential_offer_uri,
            "offer_url": self.offer_url,
            "tx_code": self.tx_code,
            "expires_at": _iso(self.expires_at),
        }


@dataclass(frozen=True, slots=True)
class AccessToken:
    """An access token for one credential request (stored only hashed)."""

    access_token: str
    expires_in: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
        }


def issuer_metadata(env: CredentialEnvironment) -> dict[str, Any]:
    return rules.credential_issuer_metadata(env.base_url)


def authorization_server_metadata(env: CredentialEnvironment) -> dict[str, Any]:
    return rules.authorization_server_metadata(env.base_url)


def offer_uri(base_url: str, url_id: str) -> str:
    return f"{base_url}/oid4vci/offers/{url_id}"


def _server_key(env: CredentialEnvironment, label: str) -> bytes:
    """A server secret for `label`, derived from the key encryption key of the key store."""
    keys = env.issuers.keys
    if not isinstance(keys, DatabaseKeyStore):
        raise TypeError("OID4VCI offers need the database key store (its sealer's key)")
    return keys.sealer.derive(label)


def create_offer(
    session: Session, actor: Principal | None, env: CredentialEnvironment, credential_id: str
) -> OfferCreated:
    """Offer a credential to a wallet (the learner it belongs to, or staff of its school).

    A credential may have several open offers. Raises NotFound (404) for a credential that
    does not exist or lies outside the actor's scope, NotDeliverable (409) for one that is
    revoked, suspended or signed by a retired key.
    """
    credential = store.credential_row(session, credential_id)
    if credential is None:
        raise NotFound("credential", credential_id)
    target = Target(
        "credential", credential_id, institution=credential.institution, learner=credential.learner
    )
    actor = authorize(session, actor, "credential.offer", target)
    require_deliverable(env, credential)
    url_id = secrets.token_urlsafe(24)
    offer_id = grant_key(url_id)
    code = rules.pre_authorized_code(_server_key(env, CODE_KEY_LABEL), url_id)
    tx_code = rules.new_tx_code(secrets.randbelow)
    created_at = clock.now().replace(microsecond=0)
    expires_at = created_at + rules.OFFER_LIFETIME
    store.add_offer(
        session,
        WalletOfferRow(
            id=offer_id,
            credential=credential.id,
            pre_authorized_code=rules.code_digest(code),
            tx_code_hash=rules.tx_code_hash(_server_key(env, PIN_KEY_LABEL), offer_id, tx_code),
            created_by=actor.id,
            created_at=created_at,
            expires_at=expires_at,
            failed_attempts=0,
        ),
    )
    session.commit()
    uri = offer_uri(env.base_url, url_id)
    return OfferCreated(uri, rules.offer_url(uri), tx_code, expires_at)


def offer_document(session: Session, env: CredentialEnvironment, url_id: str) -> dict[str, Any]:
    """The Credential Offer behind a ``credential_offer_uri`` ending in `url_id` (while it can
    be redeemed), with the pre-authorized code computed afresh."""
    offer = store.get_offer(session, grant_key(url_id))
    if offer is None or offer.redeemed_at is not None or offer.expires_at <= clock.now():
        raise UnknownOffer("no such offer, or it expired or was used: ask for a new one")
    code = rules.pre_authorized_code(_server_key(env, CODE_KEY_LABEL), url_id)
    return rules.credential_offer(env.base_url, code)


def redeem_code(
    session: Session,
    env: CredentialEnvironment,
    grant_type: str | None,
    pre_authorized_code: str | None,
    tx_code: str | None,
) -> AccessToken:
    """Trade a pre-authorized code and its PIN for an access token (the token endpoint).

    A wrong PIN does not use the code up, but counts: after
    :data:`~app.domain.credentials.oid4vci.MAX_PIN_ATTEMPTS` wrong ones the offer is locked
    (every later request, the right PIN included, is ``invalid_grant``). A missing PIN is
    refused without counting.
    """
    if not grant_type:
        raise InvalidRequest("grant_type is required")
    if grant_type != rules.PRE_AUTHORIZED_GRANT:
        raise UnsupportedGrantType(f"only the grant type {rules.PRE_AUTHORIZED_GRANT} is supported")
    if not pre_authorized_code:
        raise InvalidRequest("pre-authorized_code is required")
    offer = store.offer_by_code_locked(session, rules.code_digest(pre_authorized_code))
    now = clock.now()
    if offer is None or offer.expires_at <= now:
        raise InvalidGrant("the pre-authorized code is unknown or has expired")
    if offer.redeemed_at is not None:
        raise InvalidGrant("the pre-authorized code was used already")
    if offer.failed_attempts >= rules.MAX_PIN_ATTEMPTS:
        raise InvalidGrant("too many wrong PINs: this offer is locked; ask for a new one")
    credential = store.credential_row(session, offer.credential)
    assert credential is not None  # a foreign key
    if not tx_code:
        raise InvalidGrant("the PIN (tx_code) is missing")
    bind_principal(session, wallet_principal(offer.id, credential))
    pin_key = _server_key(env, PIN_KEY_LABEL)
    if not rules.tx_code_matches(offer.tx_code_hash, pin_key, offer.id, tx_code):
        offer.failed_attempts += 1
        session.commit()
        raise InvalidGrant("the PIN (tx_code) is wrong")
    offer.redeemed_at = now
    token = secrets.token_urlsafe(32)
    lifetime = rules.ACCESS_TOKEN_LIFETIME
    store.add_access_token(
        session, rules.hash_secret(token, ACCESS_TOKEN_SALT), offer.id, now + lifetime
    )
    session.commit()
    return AccessToken(token, int(lifetime.total_seconds()))


def issue_nonce(session: Session) -> str:
    """A fresh ``c_nonce`` (single use, :data:`~app.domain.credentials.oid4vci.NONCE_LIFETIME`)."""
    now = clock.now()
    store.forget_nonces_expired_before(session, now - rules.NONCE_LIFETIME)
    nonce = secrets.token_urlsafe(32)
    store.add_nonce(session, nonce, now + rules.NONCE_LIFETIME)
    session.commit()
    return nonce


def deliver_credential(
    session: Session, env: CredentialEnvironment, access_token: str | None, body: object
) -> dict[str, Any]:
    """The credential endpoint: check the token, the request and its key proof, then hand out
    the credential bound to the proof's did:key; the token and the nonce are used up with it,
    in one transaction.

    Raises InvalidToken (401) first, then the 400 refusals of the request and its proof.
    """
    now = clock.now()
    token = (
        store.access_token_locked(session, rules.hash_secret(access_token, ACCESS_TOKEN_SALT))
        if access_token
        else None
    )
    if token is None or token.used_at is not None or token.expires_at <= now:
        raise InvalidToken("the access token is missing, unknown, expired or used")
    proof = rules.read_credential_request(body)
    header, claims = verify_proof_jwt(proof)
    holder, nonce_value = rules.check_proof(header, claims, env.base_url, now)
    nonce = store.nonce_locked(session, nonce_value)
    if nonce is None or nonce.used_at is not None or nonce.expires_at <= now:
        raise InvalidNonce("the c_nonce is unknown, expired or used: get a fresh one")
    offer = store.get_offer(session, token.offer)
    assert offer is not None  # a foreign key
    credential = store.credential_row(session, offer.credential)
    assert credential is not None
    nonce.used_at = now
    token.used_at = now
    try:
        signed = deliver_bound_copy(
            session, env, credential, holder, "oid4vci", wallet_principal(offer.id, credential)
        )
    except NotDeliverable as refused:
        session.rollback()
        raise CredentialRequestDenied(refused.detail) from None
    session.commit()
    return {"credentials": [{"credential": signed}]}
