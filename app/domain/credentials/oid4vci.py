"""OpenID for Verifiable Credential Issuance 1.0, pre-authorized code flow, ``ldp_vc``: the rules.

The documents a wallet reads (the credential issuer's and the authorization server's metadata,
a credential offer), the PIN (``tx_code``) rules, and the checks of a key proof JWT's header and
claims once its signature is verified (`app.adapters.proof_jwt`). Pure: no clock, no randomness,
no keys and no storage of its own; the callers pass "now", a source of random numbers and the
server keys that make an offer's code and PIN hash.

Lifetimes (see README, "Wallets: OID4VCI"): an offer and its pre-authorized code live
:data:`OFFER_LIFETIME`, an access token :data:`ACCESS_TOKEN_LIFETIME` and is good for one
credential request, a ``c_nonce`` :data:`NONCE_LIFETIME` and is good for one proof. After
:data:`MAX_PIN_ATTEMPTS` wrong PINs the offer is locked for good (a new offer is needed).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

from app.domain.credentials.did_key import public_key_from_did_key
from app.domain.credentials.envelope import EDUCREDENTIAL_CONTEXT, OB_CONTEXT, VC_V2_CONTEXT
from app.domain.errors import RegistryError

__all__ = [
    "ACCESS_TOKEN_LIFETIME",
    "CONFIGURATION_ID",
    "MAX_PIN_ATTEMPTS",
    "NONCE_LIFETIME",
    "OFFER_LIFETIME",
    "PRE_AUTHORIZED_GRANT",
    "PROOF_TYP",
    "TX_CODE_LENGTH",
    "CredentialRequestDenied",
    "InvalidCredentialRequest",
    "InvalidGrant",
    "InvalidNonce",
    "InvalidProof",
    "InvalidRequest",
    "InvalidToken",
    "UnknownCredentialConfiguration",
    "UnknownOffer",
    "UnsupportedGrantType",
    "WalletRequestRefused",
    "authorization_server_metadata",
    "check_proof",
    "code_digest",
    "credential_issuer_metadata",
    "credential_offer",
    "hash_secret",
    "new_tx_code",
    "offer_url",
    "pre_authorized_code",
    "read_credential_request",
    "tx_code_hash",
    "tx_code_matches",
]

#: The one credential configuration: an Open Badge 3.0 credential as JSON-LD with a Data
#: Integrity proof, bound to the holder's did:key.
CONFIGURATION_ID = "OpenBadgeCredential_ldp_vc"
PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
#: The ``typ`` header of a key proof JWT (OID4VCI 1.0, appendix F.1).
PROOF_TYP = "openid4vci-proof+jwt"
PROOF_ALG = "EdDSA"
TX_CODE_LENGTH = 6
OFFER_LIFETIME = dt.timedelta(minutes=15)
ACCESS_TOKEN_LIFETIME = dt.timedelta(minutes=5)
NONCE_LIFETIME = dt.timedelta(minutes=5)
MAX_PIN_ATTEMPTS = 5
#: The longest ``c_nonce`` a proof may carry (ours are 43 characters; the column holds 64).
MAX_NONCE_LENGTH = 64
#: How far a proof's ``iat`` may lie in the future (clocks differ) or in the past (a proof
#: made for a nonce cannot be older than the nonce itself).
CLOCK_SKEW = dt.timedelta(seconds=60)

CREDENTIAL_CONTEXT = (VC_V2_CONTEXT, OB_CONTEXT, EDUCREDENTIAL_CONTEXT)
CREDENTIAL_TYPE = ("VerifiableCredential", "OpenBadgeCredential")


# --- refusals ---------------------------------------------------------------------------------


class WalletRequestRefused(RegistryError):
    """A refused wallet request; `error` is its OAuth 2.0 / OID4VCI error code."""

    error = "invalid_request"


class InvalidRequest(WalletRequestRefused):
    """A parameter is missing or malformed."""


class UnsupportedGrantType(WalletRequestRefused):
    error = "unsupported_grant_type"


class InvalidGrant(WalletRequestRefused):
    """Unknown, expired, used or locked pre-authorized code, or a wrong or missing PIN."""

    error = "invalid_grant"


class InvalidToken(WalletRequestRefused):
    """No access token, or an unknown, expired or used one (RFC 6750)."""

    error = "invalid_token"


class InvalidCredentialRequest(WalletRequestRefused):
    error = "invalid_credential_request"


class UnknownCredentialConfiguration(WalletRequestRefused):
    error = "unknown_credential_configuration"


class InvalidProof(WalletRequestRefused):
    error = "invalid_proof"


class InvalidNonce(WalletRequestRefused):
    """The proof's ``c_nonce`` is unknown, expired or used: get a fresh one and retry."""

    error = "invalid_nonce"


class UnknownOffer(WalletRequestRefused):
    """No such offer, or it expired or was redeemed (its document is no longer served)."""

    error = "invalid_request"


class CredentialRequestDenied(WalletRequestRefused):
    """The credential cannot be handed out now (revoked, suspended, its key retired)."""

    error = "credential_request_denied"


# --- documents --------------------------------------------------------------------------------

_DISPLAY = (
    {"name": "Leerlijn", "locale": "nl", "description": "Erkende mbo-resultaten als Open Badge"},
    {"name": "Leerlijn", "locale": "en", "description": "Recognised mbo results as Open Badges"},
)
_CREDENTIAL_DISPLAY = (
    {
        "name": "Leerlijn-credential (Open Badge 3.0)",
        "locale": "nl",
        "description": "Een behaald resultaat: onderdeel, EPA of diploma, getekend door de school.",
    },
    {
        "name": "Leerlijn credential (Open Badge 3.0)",
        "locale": "en",
        "description": "An achievement: a unit, EPA or diploma, signed by the school.",
    },
)


def credential_issuer_metadata(base_url: str) -> dict[str, Any]:
    """The Credential Issuer Metadata (``/.well-known/openid-credential-issuer``).

    Examples
    --------
    >>> meta = credential_issuer_metadata("https://leerlijn.example")
    >>> meta["credential_endpoint"], meta["nonce_endpoint"]
    ('https://leerlijn.example/oid4vci/credential', 'https://leerlijn.example/oid4vci/nonce')
    >>> config = meta["credential_configurations_supported"][CONFIGURATION_ID]
    >>> config["format"], config["cryptographic_binding_methods_supported"]
    ('ldp_vc', ['did:key'])
    >>> config["proof_types_supported"]
    {'jwt': {'proof_signing_alg_values_supported': ['EdDSA']}}
    >>> [d["locale"] for d in meta["display"]]
    ['nl', 'en']
    """
    display = [dict(d) for d in _CREDENTIAL_DISPLAY]
    return {
        "credential_issuer": base_url,
        "credential_endpoint": f"{base_url}/oid4vci/credential",
        "nonce_endpoint": f"{base_url}/oid4vci/nonce",
        "display": [dict(d) for d in _DISPLAY],
        "credential_configurations_supported": {
            CONFIGURATION_ID: {
                "format": "ldp_vc",
                "credential_definition": {
                    "@context": list(CREDENTIAL_CONTEXT),
                    "type": list(CREDENTIAL_TYPE),
                },
                "cryptographic_binding_methods_supported": ["did:key"],
                "credential_signing_alg_values_supported": ["eddsa-rdfc-2022"],
                "proof_types_supported": {
                    "jwt": {"proof_signing_alg_values_supported": [PROOF_ALG]}
                },
                "credential_metadata": {"display": display},
                "display": [dict(d) for d in display],
            }
        },
    }


def authorization_server_metadata(base_url: str) -> dict[str, Any]:
    """The OAuth Authorization Server Metadata (RFC 8414) of the pre-authorized code flow.

    Examples
    --------
    >>> meta = authorization_server_metadata("https://leerlijn.example")
    >>> meta["issuer"], meta["token_endpoint"]
    ('https://leerlijn.example', 'https://leerlijn.example/oid4vci/token')
    >>> meta["pre-authorized_grant_anonymous_access_supported"]
    True
    """
    return {
        "issuer": base_url,
        "token_endpoint": f"{base_url}/oid4vci/token",
        "grant_types_supported": [PRE_AUTHORIZED_GRANT],
        "response_types_supported": [],
        "token_endpoint_auth_methods_supported": ["none"],
        "pre-authorized_grant_anonymous_access_supported": True,
    }


def credential_offer(base_url: str, pre_authorized_code: str) -> dict[str, Any]:
    """The Credential Offer a wallet fetches from ``credential_offer_uri``.

    Examples
    --------
    >>> offer = credential_offer("https://leerlijn.example", "abc")
    >>> offer["credential_configuration_ids"]
    ['OpenBadgeCredential_ldp_vc']
    >>> grant = offer["grants"][PRE_AUTHORIZED_GRANT]
    >>> grant["pre-authorized_code"], grant["tx_code"]["input_mode"], grant["tx_code"]["length"]
    ('abc', 'numeric', 6)
    """
    return {
        "credential_issuer": base_url,
        "credential_configuration_ids": [CONFIGURATION_ID],
        "grants": {
            PRE_AUTHORIZED_GRANT: {
                "pre-authorized_code": pre_authorized_code,
                "tx_code": {
                    "input_mode": "numeric",
                    "length": TX_CODE_LENGTH,
                    "description": "De pincode naast de QR-code / the PIN shown beside the QR code",
                },
            }
        },
    }


def offer_url(credential_offer_uri: str) -> str:
    """The ``openid-credential-offer://`` URL (the QR code's payload) of an offer by reference.

    Examples
    --------
    >>> offer_url("https://leerlijn.example/oid4vci/offers/x1")
    'openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fleerlijn.example%2Foid4vci%2Foffers%2Fx1'
    """
    return "openid-credential-offer://?credential_offer_uri=" + quote(credential_offer_uri, safe="")


# --- secrets ----------------------------------------------------------------------------------


def new_tx_code(randbelow: Callable[[int], int]) -> str:
    """A PIN of :data:`TX_CODE_LENGTH` decimal digits drawn with `randbelow` (``secrets``).

    Examples
    --------
    >>> new_tx_code(lambda n: 42), new_tx_code(lambda n: n - 1)
    ('000042', '999999')
    """
    return str(randbelow(10**TX_CODE_LENGTH)).zfill(TX_CODE_LENGTH)


def hash_secret(secret: str, salt: str = "") -> str:
    """SHA-256 (hex) of a secret handed to a wallet, salted with what it belongs to.

    Examples
    --------
    >>> len(hash_secret("123456", "offer-1")), hash_secret("1", "a") == hash_secret("1", "b")
    (64, False)
    """
    return hashlib.sha256(f"{salt}:{secret}".encode()).hexdigest()


def pre_authorized_code(code_key: bytes, url_id: str) -> str:
    """The pre-authorized code of the offer `url_id`: base64url HMAC-SHA256 under `code_key`
    (a server secret), computed when the offer document is served and never stored.

    Examples
    --------
    >>> code = pre_authorized_code(b"k" * 32, "x1")
    >>> len(code), code == pre_authorized_code(b"j" * 32, "x1")
    (43, False)
    """
    mac = hmac.new(code_key, url_id.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def code_digest(code: str) -> str:
    """What is stored of a pre-authorized code (SHA-256, hex): the token endpoint's lookup.

    Examples
    --------
    >>> len(code_digest("abc")), code_digest("abc") == code_digest("abd")
    (64, False)
    """
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def tx_code_hash(pin_key: bytes, offer: str, tx_code: str) -> str:
    """What is stored of an offer's PIN: HMAC-SHA256 (hex) under `pin_key` (a server secret)
    of the offer's stored id and the PIN. Without the key a stolen row gives no PIN away.

    Examples
    --------
    >>> len(tx_code_hash(b"k" * 32, "o1", "123456"))
    64
    >>> tx_code_hash(b"k" * 32, "o1", "1") == tx_code_hash(b"k" * 32, "o2", "1")
    False
    """
    message = f"{offer}:{tx_code}".encode()
    return hmac.new(pin_key, message, hashlib.sha256).hexdigest()


def tx_code_matches(stored_hash: str, pin_key: bytes, offer: str, given: str | None) -> bool:
    """Whether `given` is the PIN whose hash is `stored_hash`, compared in constant time.

    Examples
    --------
    >>> stored = tx_code_hash(b"k" * 32, "o1", "123456")
    >>> tx_code_matches(stored, b"k" * 32, "o1", "123456")
    True
    >>> tx_code_matches(stored, b"k" * 32, "o1", "654321")
    False
    >>> tx_code_matches(stored, b"j" * 32, "o1", "123456")
    False
    >>> tx_code_matches(stored, b"k" * 32, "o1", None), tx_code_matches(stored, b"k" * 32, "o1", "")
    (False, False)
    """
    if not given:
        return False
    return hmac.compare_digest(stored_hash, tx_code_hash(pin_key, offer, given))


# --- the key proof ----------------------------------------------------------------------------


def check_proof(
    header: Mapping[str, Any], claims: Mapping[str, Any], issuer: str, now: dt.datetime
) -> tuple[str, str]:
    """Check a key proof JWT's header and claims (its signature is checked by the caller).

    Returns the holder's DID and the proof's ``c_nonce``. Whether that nonce is live is for
    the caller (it is stored).

    Raises
    ------
    InvalidProof
        ``typ`` is not :data:`PROOF_TYP`, ``alg`` not EdDSA, ``kid`` not a did:key
        verification method, ``aud`` not `issuer`, ``iat`` missing or out of time, no nonce.
    InvalidNonce
        A nonce that cannot be ours: longer than :data:`MAX_NONCE_LENGTH` or not printable
        ASCII (a NUL byte never reaches the database).

    Examples
    --------
    >>> did = "did:key:z6MkeTG3bFFSLYVU7VqhgZxqr6YzpaGrQtFMh1uvqGy1vDnP"
    >>> header = {"typ": PROOF_TYP, "alg": "EdDSA", "kid": did + "#" + did[8:]}
    >>> now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    >>> claims = {"aud": "https://i", "iat": int(now.timestamp()), "nonce": "n1"}
    >>> check_proof(header, claims, "https://i", now) == (did, "n1")
    True
    >>> check_proof(header, {**claims, "aud": "https://other"}, "https://i", now)
    Traceback (most recent call last):
    ...
    app.domain.credentials.oid4vci.InvalidProof: the proof's aud must be the credential issuer
    """
    if header.get("typ") != PROOF_TYP:
        raise InvalidProof(f"the proof's typ must be '{PROOF_TYP}'")
    if header.get("alg") != PROOF_ALG:
        raise InvalidProof(f"the proof's alg must be '{PROOF_ALG}'")
    holder = did_key_of(header.get("kid"))
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if issuer not in audiences:
        raise InvalidProof("the proof's aud must be the credential issuer")
    issued_at = claims.get("iat")
    if not isinstance(issued_at, int | float) or isinstance(issued_at, bool):
        raise InvalidProof("the proof has no iat")
    moment = now.timestamp()
    oldest = moment - (NONCE_LIFETIME + CLOCK_SKEW).total_seconds()
    if not oldest <= issued_at <= moment + CLOCK_SKEW.total_seconds():
        raise InvalidProof("the proof's iat is too far from now")
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        raise InvalidProof("the proof has no nonce: get one from the nonce endpoint")
    if len(nonce) > MAX_NONCE_LENGTH or not (nonce.isascii() and nonce.isprintable()):
        raise InvalidNonce("the c_nonce is not one of ours: get a fresh one")
    return holder, nonce


def did_key_of(kid: object) -> str:
    """The did:key DID of a proof's ``kid`` (a did:key verification method).

    Examples
    --------
    >>> mb = "z6MkeTG3bFFSLYVU7VqhgZxqr6YzpaGrQtFMh1uvqGy1vDnP"
    >>> did_key_of(f"did:key:{mb}#{mb}") == f"did:key:{mb}"
    True
    >>> did_key_of("did:web:example.nl#key-1")
    Traceback (most recent call last):
    ...
    app.domain.credentials.oid4vci.InvalidProof: the proof's kid must be a did:key ...
    """
    refused = InvalidProof("the proof's kid must be a did:key verification method")
    if not isinstance(kid, str) or "#" not in kid:
        raise refused
    try:
        public_key_from_did_key(kid)
    except ValueError:
        raise refused from None
    return kid.split("#", 1)[0]


def read_credential_request(body: object) -> str:
    """The proof JWT of a Credential Request for :data:`CONFIGURATION_ID`.

    One credential per request: ``proofs`` holds exactly one ``jwt``. A ``proof_type``
    member beside it (Digital Bazaar's client sends ``{"proof_type": "jwt", "jwt": [...]}``)
    is tolerated when it says ``jwt``.

    Raises
    ------
    InvalidCredentialRequest
        Not an object, or no ``credential_configuration_id`` (``credential_identifier`` is
        not offered: the token names no authorization details).
    UnknownCredentialConfiguration
        Another configuration than :data:`CONFIGURATION_ID`.
    InvalidProof
        No ``proofs``, another proof type, or not exactly one JWT.

    Examples
    --------
    >>> read_credential_request(
    ...     {"credential_configuration_id": CONFIGURATION_ID, "proofs": {"jwt": ["a.b.c"]}})
    'a.b.c'
    >>> read_credential_request({"credential_configuration_id": "X", "proofs": {"jwt": ["j"]}})
    Traceback (most recent call last):
    ...
    app.domain.credentials.oid4vci.UnknownCredentialConfiguration: unknown ... configuration 'X'
    """
    if not isinstance(body, dict):
        raise InvalidCredentialRequest("the credential request must be a JSON object")
    configuration = body.get("credential_configuration_id")
    if configuration is None:
        raise InvalidCredentialRequest("the request names no credential_configuration_id")
    if configuration != CONFIGURATION_ID:
        shown = configuration if isinstance(configuration, str) else "?"
        raise UnknownCredentialConfiguration(f"unknown credential configuration {shown[:80]!r}")
    proofs = body.get("proofs")
    if not isinstance(proofs, dict) or "jwt" not in proofs:
        raise InvalidProof("the request must hold proofs.jwt: one key proof JWT")
    others = {k: v for k, v in proofs.items() if k != "jwt"}
    if others and others != {"proof_type": "jwt"}:
        raise InvalidProof("only jwt proofs are supported")
    jwts = proofs["jwt"]
    if not isinstance(jwts, list) or len(jwts) != 1 or not isinstance(jwts[0], str):
        raise InvalidProof("proofs.jwt must be a list of exactly one JWT")
    return jwts[0]
