"""Bitstring Status List v1.0: revocation and suspension bits of issued credentials.

A list is a bitstring of at least 131,072 entries (16 KiB); bit 0 is the most significant bit
of the first byte. It is published as a ``BitstringStatusListCredential`` whose
``encodedList`` is the multibase base64url (no padding) of the GZIP-compressed bitstring.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

from app.domain.credentials.envelope import VC_V2_CONTEXT
from app.domain.credentials.multibase import (
    gunzip_bytes,
    gzip_bytes,
    multibase_decode,
    multibase_encode_base64url,
)
from app.domain.credentials.verdict import Verdict

__all__ = [
    "LIST_SIZE",
    "StatusPurpose",
    "empty_bitstring",
    "get_bit",
    "set_bit",
    "encode_list",
    "decode_list",
    "status_entry",
    "build_status_list_credential",
    "check_status",
    "FLAGGED",
]

#: Entries per list: the specification's minimum (16 KiB), for herd privacy.
LIST_SIZE = 131_072
StatusPurpose = Literal["revocation", "suspension"]


def empty_bitstring(size: int = LIST_SIZE) -> bytes:
    """Return a bitstring of `size` zero bits (`size` a multiple of 8).

    >>> len(empty_bitstring())
    16384
    """
    if size % 8:
        raise ValueError("a bitstring size must be a multiple of 8")
    return bytes(size // 8)


def get_bit(bits: bytes, index: int) -> bool:
    """Return bit `index` (0 = most significant bit of the first byte).

    >>> get_bit(b"\\x80\\x01", 0), get_bit(b"\\x80\\x01", 15), get_bit(b"\\x80\\x01", 1)
    (True, True, False)
    """
    if not 0 <= index < len(bits) * 8:
        raise IndexError(f"status index {index} is outside a list of {len(bits) * 8} entries")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def set_bit(bits: bytes, index: int, value: bool) -> bytes:
    """Return a copy of `bits` with bit `index` set to `value`.

    >>> set_bit(bytes(2), 9, True)
    b'\\x00@'
    """
    if not 0 <= index < len(bits) * 8:
        raise IndexError(f"status index {index} is outside a list of {len(bits) * 8} entries")
    changed = bytearray(bits)
    mask = 0x80 >> (index % 8)
    changed[index // 8] = changed[index // 8] | mask if value else changed[index // 8] & ~mask
    return bytes(changed)


def encode_list(bits: bytes) -> str:
    """Return the ``encodedList`` of `bits`: multibase base64url of its GZIP compression.

    >>> decode_list(encode_list(set_bit(empty_bitstring(), 42, True)))[5]
    32
    """
    return multibase_encode_base64url(gzip_bytes(bits))


def decode_list(encoded: str) -> bytes:
    """Return the bitstring of an ``encodedList``; raises ValueError when it is malformed."""
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise ValueError("encodedList must be a multibase base64url string (prefix 'u')")
    return gunzip_bytes(multibase_decode(encoded))


def status_entry(list_url: str, index: int, purpose: StatusPurpose) -> dict[str, str]:
    """Return the ``credentialStatus`` entry pointing at bit `index` of a list.

    >>> status_entry("https://x/status/a", 7, "revocation")["statusListIndex"]
    '7'
    """
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def build_status_list_credential(
    list_url: str,
    issuer: Mapping[str, Any],
    purpose: StatusPurpose,
    bits: bytes,
    valid_from: datetime,
) -> dict[str, Any]:
    """Return the unsigned ``BitstringStatusListCredential`` publishing `bits`."""
    return {
        "@context": [VC_V2_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": dict(issuer),
        "validFrom": valid_from.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encode_list(bits),
        },
    }


#: Status purpose → (code, English word, Dutch word) of a set bit.
FLAGGED: dict[str, tuple[str, str, str]] = {
    "revocation": ("revoked", "revoked", "ingetrokken"),
    "suspension": ("suspended", "suspended", "geschorst"),
}


def _unreachable(url: object, why: str, why_nl: str) -> Verdict:
    return Verdict(
        False,
        "unreachable",
        f"status list {url!r} {why}",
        f"De status kon niet worden gecontroleerd: de statuslijst {url} {why_nl}.",
    )


def check_status(
    document: Mapping[str, Any],
    resolve_list: Callable[[str], Mapping[str, Any] | None],
    list_is_authentic: Callable[[Mapping[str, Any], Mapping[str, Any]], tuple[bool, str]],
) -> Verdict:
    """Check every ``BitstringStatusListEntry`` of `document`; fail on a set bit.

    Parameters
    ----------
    document : Mapping
        The credential being verified.
    resolve_list : callable
        Status list credential for a URL, or None when it cannot be had (offline, unknown).
    list_is_authentic : callable
        ``(status_list_credential, credential) -> (ok, message)``: the list's proof is valid
        and its issuer is the credential's issuer.

    Returns
    -------
    Verdict
        ``active`` (or ``no-status``) when nothing is flagged; ``revoked`` or ``suspended`` for
        a set bit; ``unreachable`` when a list cannot be had or read (never a pass);
        ``untrusted-status-list`` or ``invalid-status`` otherwise.

    Examples
    --------
    >>> check_status({}, lambda url: None, lambda l, d: (True, ""))[:3]
    (True, 'no-status', 'the credential carries no status information')
    >>> entry = status_entry("https://x/status/a", 7, "revocation")
    >>> verdict = check_status({"credentialStatus": entry}, lambda url: None, lambda l, d: (True, ""))
    >>> verdict.ok, verdict.code, verdict.message
    (False, 'unreachable', "status list 'https://x/status/a' is not available offline")
    """  # noqa: E501
    entries = document.get("credentialStatus")
    if entries is None:
        return Verdict(
            True,
            "no-status",
            "the credential carries no status information",
            "Het credential heeft geen statusinformatie (intrekking of schorsing).",
        )
    if isinstance(entries, Mapping):
        entries = [entries]
    if not isinstance(entries, Sequence) or isinstance(entries, str):
        return Verdict(
            False,
            "invalid-status",
            "credentialStatus must be an object or a list of objects",
            "De statusinformatie (credentialStatus) heeft een onbekende vorm.",
        )
    found: list[str] = []
    for entry in entries:
        if not isinstance(entry, Mapping) or entry.get("type") != "BitstringStatusListEntry":
            return Verdict(
                False,
                "invalid-status",
                f"unsupported credentialStatus entry {entry!r}",
                "Deze soort statusinformatie kan deze verificateur niet controleren.",
            )
        url, purpose = entry.get("statusListCredential"), entry.get("statusPurpose")
        try:
            index = int(str(entry.get("statusListIndex")))
        except ValueError:
            return Verdict(
                False,
                "invalid-status",
                f"statusListIndex {entry.get('statusListIndex')!r} is not a number",
                "De plaats in de statuslijst (statusListIndex) is geen getal.",
            )
        status_list = resolve_list(str(url)) if isinstance(url, str) else None
        if status_list is None:
            return _unreachable(url, "is not available offline", "is niet beschikbaar")
        authentic, reason = list_is_authentic(status_list, document)
        if not authentic:
            return Verdict(
                False,
                "untrusted-status-list",
                f"status list {url!r} is not trustworthy: {reason}",
                f"De statuslijst {url} is niet betrouwbaar (niet door de uitgever ondertekend).",
            )
        subject = status_list.get("credentialSubject", {})
        if subject.get("statusPurpose") != purpose:
            return Verdict(
                False,
                "invalid-status",
                f"status list {url!r} is for {subject.get('statusPurpose')!r}, not {purpose!r}",
                f"De statuslijst {url} is voor een ander doel dan het credential aangeeft.",
            )
        try:
            bit = get_bit(decode_list(subject.get("encodedList", "")), index)
        except (ValueError, IndexError) as error:
            return _unreachable(url, f"cannot be read: {error}", "kan niet worden gelezen")
        if bit:
            code, word, woord = FLAGGED.get(
                str(purpose), ("flagged", f"flagged ({purpose})", f"gemarkeerd ({purpose})")
            )
            return Verdict(
                False,
                code,
                f"the credential is {word}",
                f"Het credential is {woord} door de uitgever.",
            )
        found.append(str(purpose))
    if not found:
        return Verdict(True, "no-status", "no status entries", "Er is geen statusinformatie.")
    return Verdict(
        True,
        "active",
        "not " + " and not ".join(FLAGGED.get(p, ("", p, p))[1] for p in found),
        "Niet " + " en niet ".join(FLAGGED.get(p, ("", p, p))[2] for p in found) + ".",
    )
