"""Holder binding: the same credential, its subject named by the wallet's DID.

A wallet that receives a credential by OID4VCI or a VC-API exchange proves that it controls a
DID (a signed proof JWT, a DID-auth presentation). The copy it receives is the issued credential
with ``credentialSubject.id`` set to that DID and a fresh proof; everything else — its ``id``,
achievement, dates, hashed holder identifiers and status entry — stays as issued, so revoking
the credential revokes every copy.
"""

from __future__ import annotations

import copy
import hashlib
from typing import Any

from app.domain.credentials.did_key import public_key_from_did_key

__all__ = ["bind_to_holder", "grant_key", "require_did_key"]


def require_did_key(did: str) -> str:
    """Return `did` when it is an Ed25519 ``did:key`` (the binding method we support).

    Raises
    ------
    ValueError
        For any other identifier.

    Examples
    --------
    >>> require_did_key("did:key:z6MkeTG3bFFSLYVU7VqhgZxqr6YzpaGrQtFMh1uvqGy1vDnP")[:12]
    'did:key:z6Mk'
    >>> require_did_key("https://example.org/me")
    Traceback (most recent call last):
    ...
    ValueError: not a did:key DID: 'https://example.org/me'
    """
    if not isinstance(did, str) or not did.startswith("did:key:"):
        raise ValueError(f"not a did:key DID: {did!r}")
    public_key_from_did_key(did.split("#", 1)[0])
    return did.split("#", 1)[0]


def bind_to_holder(document: dict[str, Any], holder_did: str) -> dict[str, Any]:
    """Return an unsigned copy of `document` whose subject is `holder_did`.

    The proof is dropped (the caller signs the copy afresh); the original is not changed.

    Examples
    --------
    >>> issued = {"id": "urn:x", "credentialSubject": {"id": "https://r/l/1", "type": ["A"]},
    ...           "proof": [{"type": "DataIntegrityProof"}]}
    >>> bound = bind_to_holder(issued, "did:key:z6MkeTG3bFFSLYVU7VqhgZxqr6YzpaGrQtFMh1uvqGy1vDnP")
    >>> bound["credentialSubject"]["id"][:12], "proof" in bound, issued["credentialSubject"]["id"]
    ('did:key:z6Mk', False, 'https://r/l/1')
    """
    did = require_did_key(holder_did)
    bound = {k: copy.deepcopy(v) for k, v in document.items() if k != "proof"}
    subject = bound.get("credentialSubject")
    if not isinstance(subject, dict):
        raise ValueError("the credential has no single credentialSubject to bind")
    subject["id"] = did
    return bound


def grant_key(url_id: str) -> str:
    """The stored id of a wallet grant (an OID4VCI offer, a VC-API exchange) whose URL ends in
    `url_id`: a SHA-256 prefix, so neither the database nor the audit trail holds a live URL.

    Examples
    --------
    >>> len(grant_key("abc")), grant_key("abc") == grant_key("abd")
    (40, False)
    """
    return hashlib.sha256(url_id.encode("utf-8")).hexdigest()[:40]
