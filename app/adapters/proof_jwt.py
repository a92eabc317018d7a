"""Key proof JWTs of OID4VCI wallets: decode and verify the signature with joserfc.

The signing key is the one the JWT's ``kid`` names (a did:key verification method, resolved
locally); the header and claims are then judged by `app.domain.credentials.oid4vci.check_proof`.

joserfc warns (``SecurityWarning``) on every use of ``EdDSA``, which RFC 9864 deprecates in
favour of the fully specified ``Ed25519``; OID4VCI wallets and their metadata still name
``EdDSA``, which for an Ed25519 key means exactly ``Ed25519``. `REGISTRY` therefore knows
``EdDSA`` without the warning (a process-wide warnings filter would not be thread-safe), and
allows nothing else.
"""

from __future__ import annotations

import base64
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey
from joserfc.jws import JWSRegistry, extract_compact
from joserfc.jwt import JWTClaimsRegistry

from app.domain.credentials.did_key import public_key_from_did_key
from app.domain.credentials.oid4vci import PROOF_ALG, InvalidProof

__all__ = ["REGISTRY", "verify_proof_jwt"]

#: Longest proof JWT taken (a did:key proof is a few hundred bytes).
MAX_PROOF_LENGTH = 4096


class _EdDSA(type(JWSRegistry.algorithms[PROOF_ALG])):  # type: ignore[misc]
    """joserfc's EdDSA (Ed25519 keys) without its deprecation warning."""

    security_warning = None


class _ProofRegistry(JWSRegistry):
    algorithms = {PROOF_ALG: _EdDSA()}  # noqa: RUF012  (joserfc's class-level registry)
    recommended = [PROOF_ALG]  # noqa: RUF012


#: The JWS registry of proof JWTs: EdDSA only.
REGISTRY = _ProofRegistry(algorithms=[PROOF_ALG])


def verify_proof_jwt(token: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Verify the signature of a compact proof JWT with the key of its did:key ``kid``.

    Returns its header and claims (not yet judged: see ``check_proof``).

    Raises
    ------
    InvalidProof
        Not a compact JWS, a ``kid`` that is no Ed25519 did:key, a bad signature.
    """
    if not isinstance(token, str) or not token or len(token) > MAX_PROOF_LENGTH:
        raise InvalidProof("the proof must be a compact JWT")
    try:
        header = extract_compact(token.encode("ascii")).protected
    except (JoseError, ValueError, TypeError, UnicodeError):
        raise InvalidProof("the proof is not a compact JWT") from None
    kid = header.get("kid") if isinstance(header, dict) else None
    try:
        public_key = public_key_from_did_key(kid) if isinstance(kid, str) else None
    except ValueError:
        public_key = None
    if public_key is None:
        raise InvalidProof("the proof's kid must be a did:key verification method")
    key = OKPKey.import_key({"kty": "OKP", "crv": "Ed25519", "x": _b64url(public_key)})
    try:
        decoded = jwt.decode(token, key, algorithms=[PROOF_ALG], registry=REGISTRY)
        JWTClaimsRegistry().validate(decoded.claims)  # exp and nbf, when present
    except (JoseError, ValueError, TypeError):
        raise InvalidProof("the proof's signature does not verify (or it has expired)") from None
    return dict(decoded.header), dict(decoded.claims)


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
