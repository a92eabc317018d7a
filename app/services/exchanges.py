"""VC-API exchanges: a credential into the Learner Credential Wallet (DCC) by DID authentication.

1. The learner (or staff of the issuing school) creates an exchange for a credential
   (`create_exchange`): its URL, and the LCW deep link
   ``https://lcw.app/request?request=<URL-encoded {"credentialRequestOrigin", "protocols":
   {"vcapi": exchange URL}}>`` that the page shows as a QR code.
2. The wallet POSTs ``{}`` to the exchange URL (`participate`) and receives a Verifiable
   Presentation Request for DID authentication with a fresh random ``challenge`` and the
   ``domain`` (the registry's origin, e.g. ``https://leerlijn.example``; the same value as
   ``credentialRequestOrigin``, as the DCC's own exchange service sends its exchange host).
3. The wallet POSTs ``{"verifiablePresentation": ...}``, a presentation signed by its
   ``did:key`` for that challenge and domain; it receives ``{"verifiablePresentation":
   {"verifiableCredential": [the credential bound to that DID]}}``.

An exchange is single use (once delivered, any further step is refused with 409) and
expires `EXCHANGE_LIFETIME` after it was made (409 too: create a new one). The exchange URL
is the capability to receive the credential, so the database keeps only a hash of its last
path segment (`grant_key`): the row id, which the audit trail records, opens nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from typing import Any
from urllib.parse import quote, urlsplit

from sqlalchemy.orm import Session

from app.adapters.credential_environment import CredentialEnvironment
from app.clock import now
from app.domain.access import Principal, Target
from app.domain.credentials.holder_binding import grant_key
from app.domain.credentials.presentation import PresentationVerdict, verify_did_authentication
from app.domain.errors import Conflict, InvalidData, NotFound
from app.persistence import exchange_repository as repo
from app.persistence.audit import bind_principal
from app.persistence.models.credentials import IssuedCredentialRow
from app.persistence.models.wallets import WalletExchangeRow
from app.services.access import authorize
from app.services.wallet_delivery import deliver_bound_copy, require_deliverable, wallet_principal

__all__ = [
    "EXCHANGE_LIFETIME",
    "LCW_REQUEST_URL",
    "ExchangeClosed",
    "PresentationRefused",
    "create_exchange",
    "lcw_url",
    "origin_of",
    "participate",
]

#: How long a wallet has to complete an exchange after it was made.
EXCHANGE_LIFETIME = dt.timedelta(minutes=15)
#: The Learner Credential Wallet's universal link for a credential request.
LCW_REQUEST_URL = "https://lcw.app/request?request="
#: The context of the presentation that carries the credential back.
VC2_CONTEXT = "https://www.w3.org/ns/credentials/v2"


class ExchangeClosed(Conflict):
    """The exchange is completed (the credential was delivered) or expired (409)."""


class PresentationRefused(InvalidData):
    """The wallet's DID-auth presentation failed a check (422); ``check`` names which."""

    def __init__(self, verdict: PresentationVerdict) -> None:
        super().__init__(
            [
                {
                    "pointer": "/verifiablePresentation" + verdict.pointer,
                    "message": verdict.message,
                }
            ],
            detail=f"DID authentication failed ({verdict.check}): {verdict.message}",
        )
        self.check = verdict.check


def origin_of(base_url: str) -> str:
    """The origin (scheme, host and port) of the registry's base URL.

    >>> origin_of("https://leerlijn.example/sub/")
    'https://leerlijn.example'
    >>> origin_of("http://127.0.0.1:8000")
    'http://127.0.0.1:8000'
    """
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}"


def exchange_url(base_url: str, exchange_id: str) -> str:
    return f"{base_url}/api/exchanges/{exchange_id}"


def lcw_url(base_url: str, url: str) -> str:
    """The LCW deep link that opens the exchange at `url` in the Learner Credential Wallet.

    >>> lcw_url("https://r.example", "https://r.example/api/exchanges/x")[:60]
    'https://lcw.app/request?request=%7B%22credentialRequestOrigi'
    """
    request = {"credentialRequestOrigin": origin_of(base_url), "protocols": {"vcapi": url}}
    return LCW_REQUEST_URL + quote(json.dumps(request, separators=(",", ":")), safe="")


def _credential_or_404(session: Session, credential_id: str) -> IssuedCredentialRow:
    credential = repo.credential_row(session, credential_id)
    if credential is None:
        raise NotFound("credential", credential_id)
    return credential


def create_exchange(
    session: Session, actor: Principal | None, env: CredentialEnvironment, credential_id: str
) -> dict[str, Any]:
    """Open an exchange for `credential_id`; return its ``exchange_url``, ``lcw_url`` and
    ``expires_at``. For the learner it was issued to and staff of the issuing school (others:
    404 or 403); a revoked or suspended credential, or one whose key is retired, is refused
    (409). Commits.
    """
    credential = _credential_or_404(session, credential_id)
    target = Target(
        "credential", credential_id, institution=credential.institution, learner=credential.learner
    )
    principal = authorize(session, actor, "credential.offer", target)
    require_deliverable(env, credential)
    exchange_id = secrets.token_urlsafe(24)
    created = now()
    expires = created + EXCHANGE_LIFETIME
    repo.add(session, grant_key(exchange_id), credential.id, principal.id, created, expires)
    session.commit()
    url = exchange_url(env.base_url, exchange_id)
    return {"exchange_url": url, "lcw_url": lcw_url(env.base_url, url), "expires_at": expires}


def _open_exchange(
    session: Session, exchange_id: str
) -> tuple[WalletExchangeRow, IssuedCredentialRow, Principal]:
    """The exchange locked for this step, its credential and the wallet acting on it."""
    row = repo.locked_exchange(session, grant_key(exchange_id))
    if row is None:
        raise NotFound("exchange", exchange_id)
    if row.completed_at is not None:
        raise ExchangeClosed(
            "this exchange is completed: its credential was delivered; create a new exchange"
        )
    if row.expires_at <= now():
        raise ExchangeClosed(
            f"this exchange expired at {row.expires_at.isoformat()}; create a new exchange"
        )
    credential = _credential_or_404(session, row.credential)
    principal = wallet_principal(row.id, credential)
    bind_principal(session, principal)
    return row, credential, principal


def _presentation_request(
    env: CredentialEnvironment, exchange_id: str, challenge: str
) -> dict[str, Any]:
    url = exchange_url(env.base_url, exchange_id)
    return {
        "verifiablePresentationRequest": {
            "query": [{"type": "DIDAuthentication", "acceptedMethods": [{"method": "key"}]}],
            "challenge": challenge,
            "domain": origin_of(env.base_url),
            "interact": {
                "service": [{"type": "UnmediatedPresentationService2021", "serviceEndpoint": url}]
            },
        }
    }


def participate(
    session: Session, env: CredentialEnvironment, exchange_id: str, body: Any
) -> dict[str, Any]:
    """One wallet step of the exchange (no sign-in: the exchange URL is the grant). Commits.

    ``{}``: the DID-authentication request, with a fresh challenge (an earlier one is void).
    ``{"verifiablePresentation": ...}``: the presentation is checked (422 naming the failed
    check); the credential, bound to the presentation's holder, comes back in a presentation
    and the exchange is completed.

    Raises
    ------
    NotFound
        An unknown exchange (404).
    ExchangeClosed
        A completed or expired exchange (409).
    InvalidData
        A body that is neither step, or a refused presentation (`PresentationRefused`, 422).
    """
    if not isinstance(body, dict) or (body and "verifiablePresentation" not in body):
        raise InvalidData(
            [
                {
                    "pointer": "",
                    "message": "send {} for the presentation request, then "
                    '{"verifiablePresentation": ...} signed for its challenge and domain',
                }
            ]
        )
    row, credential, principal = _open_exchange(session, exchange_id)
    require_deliverable(env, credential)
    if not body:
        row.challenge = secrets.token_urlsafe(32)
        session.commit()
        return _presentation_request(env, exchange_id, row.challenge)
    if row.challenge is None:
        raise Conflict(
            "ask for the presentation request first: POST {} to this exchange, then sign its "
            "challenge"
        )
    verdict = verify_did_authentication(
        body["verifiablePresentation"],
        challenge=row.challenge,
        domain=origin_of(env.base_url),
        loader=env.loader,
    )
    if not verdict.ok or verdict.holder is None:
        raise PresentationRefused(verdict)
    bound = deliver_bound_copy(session, env, credential, verdict.holder, "vcapi", principal)
    row.completed_at = now()
    row.challenge = None
    session.commit()
    return {
        "verifiablePresentation": {
            "@context": [VC2_CONTEXT],
            "type": ["VerifiablePresentation"],
            "verifiableCredential": [bound],
        }
    }
