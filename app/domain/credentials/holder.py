"""Holder identity: hashed ``IdentityObject``s in ``credentialSubject.identifier``, and the check.

An Open Badges 3.0 credential names its holder without revealing who that is: for each known
identifier of the learner (the full name, and the e-mail address when the registry has one) the
subject carries one ``IdentityObject``::

    {"type": "IdentityObject", "identityType": "name", "hashed": true,
     "identityHash": "sha256$" + hex(sha256(normalised value + salt)), "salt": "<random>"}

(OB 3.0 §B.1.6 IdentityObject / IdentityHash: UTF-8, SHA-256, lower-case hex, the salt appended.)
Each object has its own random salt (chosen by the issuing service), so two credentials of the
same learner do not carry the same hash.

Normalisation, applied both when issuing and when checking (see :func:`normalise`):

* ``name``: Unicode NFC, leading/trailing whitespace removed, every run of internal whitespace
  collapsed to one space, then lower-cased (``casefold``), so "  jan  de Vries" matches
  "Jan de Vries". Accents are kept: "Müller" does not match "Muller".
* ``emailAddress``: Unicode NFC, trimmed, lower-cased.

An employer checks a credential against the person in front of them with
:func:`check_holder`: the given name (or e-mail) matches when it hashes, with an object's salt,
to that object's ``identityHash``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "HolderFacts",
    "HolderVerdict",
    "normalise",
    "identity_hash",
    "identity_object",
    "holder_identifiers",
    "check_holder",
    "dutch_message",
    "VERDICTS",
]

_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class HolderFacts:
    """What a credential says about its holder: the name and e-mail, each with its own salt."""

    name: str
    name_salt: str
    email: str | None = None
    email_salt: str | None = None


@dataclass(frozen=True, slots=True)
class HolderVerdict:
    """Outcome of :func:`check_holder`: `code` is ``match``, ``no-match`` or ``not-checked``."""

    ok: bool
    code: str
    message_nl: str
    message_en: str


def normalise(value: str, identity_type: str) -> str:
    """Return `value` as hashed for `identity_type` (``name`` or ``emailAddress``).

    Examples
    --------
    >>> normalise("  Jan   de\\tVries ", "name")
    'jan de vries'
    >>> normalise(" A@Example.COM ", "emailAddress")
    'a@example.com'
    """
    text = unicodedata.normalize("NFC", value).strip()
    if identity_type == "name":
        return _WHITESPACE.sub(" ", text).casefold()
    return text.lower()


def identity_hash(value: str, salt: str) -> str:
    """Return the OB 3.0 IdentityHash ``sha256$<hex>`` of `value` with `salt` appended.

    Examples
    --------
    >>> identity_hash("a@example.com", "Kosher")
    'sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399'
    """
    return "sha256$" + hashlib.sha256((value + salt).encode("utf-8")).hexdigest()


def identity_object(value: str, identity_type: str, salt: str) -> dict[str, Any]:
    """Return a hashed, salted ``IdentityObject`` of the normalised `value`.

    Examples
    --------
    >>> obj = identity_object("A@example.com", "emailAddress", "Kosher")
    >>> obj["identityHash"] == identity_hash("a@example.com", "Kosher"), obj["hashed"]
    (True, True)
    """
    return {
        "type": "IdentityObject",
        "identityHash": identity_hash(normalise(value, identity_type), salt),
        "identityType": identity_type,
        "hashed": True,
        "salt": salt,
    }


def holder_identifiers(holder: HolderFacts) -> list[dict[str, Any]]:
    """Return the subject's ``identifier`` list: the name, and the e-mail when known."""
    identifiers = [identity_object(holder.name, "name", holder.name_salt)]
    if holder.email:
        if not holder.email_salt:
            raise ValueError("an e-mail identifier needs its own salt")
        identifiers.append(identity_object(holder.email, "emailAddress", holder.email_salt))
    return identifiers


def _matches(identifier: Mapping[str, Any], value: str, identity_type: str) -> bool:
    if identifier.get("identityType") != identity_type:
        return False
    expected = identifier.get("identityHash")
    if not isinstance(expected, str):
        return False
    normalised = normalise(value, identity_type)
    if identifier.get("hashed") is not True:
        return expected == normalised
    algorithm, _, digest = expected.partition("$")
    salt = identifier.get("salt")
    salted = normalised + (salt if isinstance(salt, str) else "")
    if algorithm == "sha256":
        return hashlib.sha256(salted.encode("utf-8")).hexdigest() == digest.lower()
    if algorithm == "md5":
        return hashlib.md5(salted.encode("utf-8"), usedforsecurity=False).hexdigest() == (
            digest.lower()
        )
    return False


def _identifiers(document: Any) -> list[Mapping[str, Any]]:
    subject = document.get("credentialSubject") if isinstance(document, Mapping) else None
    if isinstance(subject, list) and len(subject) == 1:
        subject = subject[0]
    found = subject.get("identifier") if isinstance(subject, Mapping) else None
    if isinstance(found, Mapping):
        found = [found]
    if not isinstance(found, list):
        return []
    return [i for i in found if isinstance(i, Mapping)]


#: Every verdict of :func:`check_holder`: key → (ok, code, Dutch message, English message).
VERDICTS: dict[str, tuple[bool, str, str, str]] = {
    "not-given": (
        True,
        "not-checked",
        "Niet gecontroleerd: er is geen naam of e-mailadres van de houder opgegeven.",
        "not-checked: no holder name or e-mail was given",
    ),
    "no-identifiers": (
        True,
        "not-checked",
        "Niet gecontroleerd: dit credential noemt de houder niet.",
        "not-checked: the credential subject carries no identifiers",
    ),
    "match-name": (
        True,
        "match",
        "De naam komt overeen met de houder van dit credential.",
        "match: the given name belongs to the holder of this credential",
    ),
    "match-email": (
        True,
        "match",
        "Het e-mailadres komt overeen met de houder van dit credential.",
        "match: the given e-mail address belongs to the holder of this credential",
    ),
    "no-match-name": (
        False,
        "no-match",
        "De naam komt niet overeen met de houder van dit credential.",
        "no-match: the given name does not belong to the holder of this credential",
    ),
    "no-match-email": (
        False,
        "no-match",
        "Het e-mailadres komt niet overeen met de houder van dit credential.",
        "no-match: the given e-mail address does not belong to the holder of this credential",
    ),
    "no-match-both": (
        False,
        "no-match",
        "De naam en het e-mailadres komen niet overeen met de houder van dit credential.",
        "no-match: neither the given name nor the e-mail belongs to the holder of this credential",
    ),
}


def _verdict(key: str) -> HolderVerdict:
    return HolderVerdict(*VERDICTS[key])


def dutch_message(message_en: str) -> str | None:
    """The Dutch message of a holder verdict given its English one (None when unknown).

    Examples
    --------
    >>> dutch_message("no-match: the given name does not belong to the holder of this credential")
    'De naam komt niet overeen met de houder van dit credential.'
    """
    return next((nl for _, _, nl, en in VERDICTS.values() if en == message_en), None)


def check_holder(document: Any, name: str | None, email: str | None) -> HolderVerdict:
    """Does the given name or e-mail belong to the subject of `document`?

    ``match`` when one of them hashes to one of the subject's identifiers; ``no-match`` when
    none does; ``not-checked`` (ok, so the verdict does not change) when neither was given or the
    subject carries no identifiers.

    Examples
    --------
    >>> vc = {"credentialSubject": {"identifier": [identity_object("Jan de Vries", "name", "s")]}}
    >>> check_holder(vc, " jan  DE vries", None).code, check_holder(vc, "Piet", None).code
    ('match', 'no-match')
    >>> check_holder(vc, None, None).code
    'not-checked'
    """
    name = name.strip() if isinstance(name, str) and name.strip() else None
    email = email.strip() if isinstance(email, str) and email.strip() else None
    if name is None and email is None:
        return _verdict("not-given")
    identifiers = _identifiers(document)
    if not identifiers:
        return _verdict("no-identifiers")
    if name is not None and any(_matches(i, name, "name") for i in identifiers):
        return _verdict("match-name")
    if email is not None and any(_matches(i, email, "emailAddress") for i in identifiers):
        return _verdict("match-email")
    if name is not None and email is not None:
        return _verdict("no-match-both")
    return _verdict("no-match-name" if email is None else "no-match-email")
