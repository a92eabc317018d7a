"""Issuer identity: which DID an institution signs as, its DID document, key resolution.

`did:key` is used when the public base URL is a loopback address (a local install has no
domain to publish a DID document on); otherwise `did:web:{host}:issuers:{code}` with the DID
document at ``/issuers/{code}/did.json``. That document is served in both modes.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from app.adapters.keystore import IssuerKey, IssuerKeys
from app.domain.credentials.did_key import (
    DID_CONTEXTS,
    did_key_verification_method,
    public_key_from_did_key,
)
from app.domain.credentials.multibase import decode_ed25519_public_multikey
from app.domain.text import is_institution_code


def is_loopback_url(base_url: str) -> bool:
    """Whether `base_url` points at this machine only.

    >>> is_loopback_url("http://127.0.0.1:8000"), is_loopback_url("https://leerlijn.example")
    (True, False)
    """
    host = urlsplit(base_url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class IssuerDirectory:
    """Maps institutions to DIDs and verification methods, and back, for one base URL."""

    base_url: str
    keys: IssuerKeys

    @property
    def uses_did_key(self) -> bool:
        return is_loopback_url(self.base_url)

    @property
    def did_web_prefix(self) -> str:
        parts = urlsplit(self.base_url)
        host = quote(parts.netloc, safe="")
        path = ":".join(p for p in parts.path.split("/") if p)
        return f"did:web:{host}" + (f":{path}" if path else "")

    def did_web(self, institution: str) -> str:
        return f"{self.did_web_prefix}:issuers:{institution}"

    def issuer_did(self, key: IssuerKey) -> str:
        """The DID that controls `key` and appears as ``issuer.id``."""
        return key.did_key if self.uses_did_key else self.did_web(key.institution)

    def verification_method(self, key: IssuerKey) -> str:
        if self.uses_did_key:
            return did_key_verification_method(key.did_key)
        return f"{self.did_web(key.institution)}#{key.key_id}"

    def did_document(self, institution: str) -> dict[str, Any]:
        """The did:web DID document of `institution`: every key that is not retired."""
        did = self.did_web(institution)
        live = [k for k in self.keys.keys(institution) if k.status != "retired"]
        methods = [
            {
                "id": f"{did}#{k.key_id}",
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": k.public_key_multibase,
            }
            for k in live
        ]
        ids = [m["id"] for m in methods]
        return {
            "@context": list(DID_CONTEXTS),
            "id": did,
            "verificationMethod": methods,
            "assertionMethod": ids,
            "authentication": ids,
        }

    def key_for_method(self, verification_method: str) -> IssuerKey | None:
        """Our key behind a verification method (retired ones included), or None."""
        did, _, fragment = verification_method.partition("#")
        if did.startswith("did:key:"):
            multikey = did.removeprefix("did:key:")
            return next(
                (k for k in self.keys.all_keys() if k.public_key_multibase == multikey), None
            )
        prefix = self.did_web_prefix + ":issuers:"
        code = unquote(did.removeprefix(prefix))
        if did.startswith(prefix) and is_institution_code(code):
            return self.keys.find(code, fragment)
        return None

    def resolve_public_key(self, verification_method: str) -> bytes | None:
        """Raw Ed25519 key of a verification method: did:key self-resolves, did:web only ours."""
        if verification_method.startswith("did:key:"):
            try:
                return public_key_from_did_key(verification_method)
            except ValueError:
                return None
        key = self.key_for_method(verification_method)
        return decode_ed25519_public_multikey(key.public_key_multibase) if key else None

    def institution_of_issuer(self, issuer: str) -> str | None:
        """The institution whose keys make `issuer` (a did:key or our did:web), or None."""
        if issuer.startswith("did:key:"):
            key = next((k for k in self.keys.all_keys() if k.did_key == issuer), None)
            return None if key is None else key.institution
        prefix = self.did_web_prefix + ":issuers:"
        if not issuer.startswith(prefix):
            return None
        code = unquote(issuer.removeprefix(prefix))
        return code if self._keys_of(code) else None

    def is_known_issuer(self, issuer: str) -> bool:
        """Whether `issuer` is the DID of one of our institutions' keys."""
        if issuer.startswith("did:key:"):
            return any(k.did_key == issuer for k in self.keys.all_keys())
        prefix = self.did_web_prefix + ":issuers:"
        return issuer.startswith(prefix) and bool(
            self._keys_of(unquote(issuer.removeprefix(prefix)))
        )

    def _keys_of(self, code: str) -> list[IssuerKey]:
        """The keys of institution `code`; none for a received DID naming no possible code."""
        return self.keys.keys(code) if is_institution_code(code) else []

    def is_live_method(self, verification_method: str) -> bool:
        """Whether the method's key is ours and not retired."""
        key = self.key_for_method(verification_method)
        return key is not None and key.status != "retired"
