"""``did:key`` identifiers for Ed25519 keys: DIDs, verification-method ids, DID documents.

A ``did:key`` DID is ``did:key:`` followed by the key's public Multikey (``z6Mk…``, see
:mod:`app.domain.credentials.multibase`); its only verification method is
``did:key:<mb>#<mb>``. Resolution is local and pure: the DID *is* the key.
"""

from __future__ import annotations

from typing import Any

from app.domain.credentials.multibase import (
    decode_ed25519_public_multikey,
    encode_ed25519_public_multikey,
)

__all__ = [
    "DID_KEY_PREFIX",
    "DID_CONTEXTS",
    "did_key_from_public_key",
    "did_key_verification_method",
    "public_key_from_did_key",
    "did_key_document",
]

#: Method prefix of every did:key DID.
DID_KEY_PREFIX = "did:key:"
#: ``@context`` of a Multikey DID document (DID core v1 and the Multikey vocabulary).
DID_CONTEXTS: tuple[str, ...] = (
    "https://www.w3.org/ns/did/v1",
    "https://w3id.org/security/multikey/v1",
)


def did_key_from_public_key(public_key: bytes) -> str:
    """Return the ``did:key`` DID of a raw Ed25519 public key.

    Examples
    --------
    >>> did_key_from_public_key(bytes(32))
    'did:key:z6MkeTG3bFFSLYVU7VqhgZxqr6YzpaGrQtFMh1uvqGy1vDnP'
    """
    return DID_KEY_PREFIX + encode_ed25519_public_multikey(public_key)


def did_key_verification_method(did: str) -> str:
    """Return the verification-method id ``did:key:<mb>#<mb>`` of a did:key DID.

    Raises
    ------
    ValueError
        If `did` is not an Ed25519 did:key.

    Examples
    --------
    >>> did_key_verification_method('did:key:z6MkeTG3bFFSLYVU7VqhgZxqr6YzpaGrQtFMh1uvqGy1vDnP')
    'did:key:z6MkeTG3bFFSLYVU7VqhgZxqr6YzpaGrQtFMh1uvqGy1vDnP#z6MkeTG3bFFSLYVU7VqhgZxqr6YzpaGrQtFMh1uvqGy1vDnP'
    """
    public_key_from_did_key(did)  # validates
    multikey = did[len(DID_KEY_PREFIX) :]
    return f"{did}#{multikey}"


def public_key_from_did_key(did_url: str) -> bytes:
    """Return the Ed25519 public key of a did:key DID or DID URL (``did:key:<mb>[#<mb>]``).

    The fragment, when present, must equal the method-specific id.

    Raises
    ------
    ValueError
        If `did_url` is not an Ed25519 did:key (URL) or its fragment names another key.

    Examples
    --------
    >>> vm = did_key_verification_method(did_key_from_public_key(b"\\x01" * 32))
    >>> public_key_from_did_key(vm) == b"\\x01" * 32
    True
    >>> public_key_from_did_key('did:web:example.nl')
    Traceback (most recent call last):
    ...
    ValueError: not a did:key: 'did:web:example.nl'
    """
    if not did_url.startswith(DID_KEY_PREFIX):
        raise ValueError(f"not a did:key: {did_url!r}")
    did, _, fragment = did_url.partition("#")
    multikey = did[len(DID_KEY_PREFIX) :]
    if fragment and fragment != multikey:
        raise ValueError(f"did:key fragment {fragment!r} does not match the key")
    return decode_ed25519_public_multikey(multikey)


def did_key_document(did: str) -> dict[str, Any]:
    """Return the DID document of an Ed25519 did:key DID (one Multikey verification method).

    The method is referenced from ``assertionMethod``, ``authentication``,
    ``capabilityInvocation`` and ``capabilityDelegation``.

    Raises
    ------
    ValueError
        If `did` is not an Ed25519 did:key DID (a DID URL with fragment is accepted and
        the fragment ignored).

    Examples
    --------
    >>> doc = did_key_document(did_key_from_public_key(bytes(32)))
    >>> method = doc["verificationMethod"][0]
    >>> method["type"], doc["assertionMethod"] == [method["id"]]
    ('Multikey', True)
    """
    did = did.partition("#")[0]
    public_key_from_did_key(did)
    multikey = did[len(DID_KEY_PREFIX) :]
    vm_id = f"{did}#{multikey}"
    return {
        "@context": list(DID_CONTEXTS),
        "id": did,
        "verificationMethod": [
            {"id": vm_id, "type": "Multikey", "controller": did, "publicKeyMultibase": multikey}
        ],
        "authentication": [vm_id],
        "assertionMethod": [vm_id],
        "capabilityInvocation": [vm_id],
        "capabilityDelegation": [vm_id],
    }
