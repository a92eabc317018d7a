"""What the registry accepts as a code and as free text: one definition for every entry point.

A **code** (unit, outcome, qualification, EPA, vmbo programme, assignment, route, institution)
names a record in URLs (``/api/units/{code}``), file names (an issuer's key folder) and DIDs
(``did:web:host:issuers:{institution}``), so it is a letter or digit followed by letters,
digits and ``. _ : -``: no ``/`` (it would split the URL path), no whitespace, no control
character. An institution code also has no ``:`` (it is one did:web path segment). A vmbo
*profielmodule* code keeps the official notation ``P/ZW/1``: it never names a URL or a file.

The patterns are written so that they mean the same in Python (matched with `re.fullmatch`)
and in JSON Schema / ECMA-262, where the OpenAPI document shows them: there ``$`` is the end of
the input. In Python ``$`` also matches before a final newline (``"EVIL\\n"``), which is why
`is_code` uses a full match and never ``re.match``.

**Free text** has a maximum length per kind (`NAME_LENGTH`, `TEXT_LENGTH`, ...), matching the
database columns, and may contain neither NUL (PostgreSQL refuses it in text) nor lone UTF-16
surrogates (no UTF-8 encoding exists for them): `unreadable_characters` finds them anywhere in
a JSON value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = [
    "CODE_PATTERN",
    "INSTITUTION_CODE_PATTERN",
    "MODULE_CODE_PATTERN",
    "CODE_LENGTH",
    "OUTCOME_CODE_LENGTH",
    "NAME_LENGTH",
    "PERSON_NAME_LENGTH",
    "REASON_LENGTH",
    "TEXT_LENGTH",
    "UNREADABLE",
    "is_code",
    "is_institution_code",
    "unreadable_characters",
]

#: Unit, outcome, qualification, EPA, vmbo programme, assignment and route codes.
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]*$"
#: Institution codes: also a key folder and one did:web path segment, so no ``:`` either.
INSTITUTION_CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
#: vmbo profielmodule codes (official notation, e.g. ``P/ZW/4``); never part of a URL.
MODULE_CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$"

#: Longest code of a unit, qualification, EPA, institution, programme, assignment or route.
CODE_LENGTH = 40
#: Longest outcome code (outcome codes extend their unit's code).
OUTCOME_CODE_LENGTH = 60
#: Longest title or name of a registry record (units, outcomes, qualifications, ...).
NAME_LENGTH = 300
#: Longest name of a person or an organisation (learners, assessors, accounts, institutions).
PERSON_NAME_LENGTH = 200
#: Longest reason of a withdrawal, status change or erasure.
REASON_LENGTH = 2000
#: Longest free text: descriptions, notes, the reason of an outcome relation.
TEXT_LENGTH = 10_000

#: The message for text holding a NUL character or a lone surrogate.
UNREADABLE = "must not contain NUL characters or unpaired surrogates (\\u0000, \\ud800-\\udfff)"

_CODE = re.compile(CODE_PATTERN)
_INSTITUTION_CODE = re.compile(INSTITUTION_CODE_PATTERN)
_UNREADABLE = re.compile("[\x00\ud800-\udfff]")


def is_code(value: str) -> bool:
    """Whether `value` is a code (the whole of it: a trailing newline is not allowed).

    >>> is_code("BC-VV-B1K1"), is_code("AV:NL-2F"), is_code("ROC/A"), is_code("EVIL\\n")
    (True, True, False, False)
    >>> is_code(""), is_code("-A"), is_code("A B")
    (False, False, False)
    """
    return _CODE.fullmatch(value) is not None


def is_institution_code(value: str) -> bool:
    """Whether `value` is an institution code: a code without ``:``.

    >>> is_institution_code("MBO-ZW"), is_institution_code("A:B"), is_institution_code("EVIL\\n")
    (True, False, False)
    """
    return _INSTITUTION_CODE.fullmatch(value) is not None


def unreadable_characters(value: object, pointer: str = "") -> Iterator[str]:
    """Yield the JSON pointer of every string (member name or value) holding NUL or a surrogate.

    A Python string holds a surrogate only when it was decoded from JSON's ``\\ud800``
    escapes without its pair; such text cannot be stored or encoded as UTF-8.

    >>> list(unreadable_characters({"name": "a\\x00b", "items": [{"note": "x\\ud800"}, "ok"]}))
    ['/name', '/items/0/note']
    >>> list(unreadable_characters({"a\\x00": 1})), list(unreadable_characters("fine 😀"))
    (['/a\\x00'], [])
    """
    pending: list[tuple[str, object]] = [(pointer, value)]  # a stack: no recursion limit
    while pending:
        where, item = pending.pop()
        if isinstance(item, str):
            if _UNREADABLE.search(item):
                yield where or "/"
        elif isinstance(item, dict):
            members = []
            for key, member in item.items():
                member_pointer = f"{where}/{_escape(str(key))}"
                if isinstance(key, str) and _UNREADABLE.search(key):
                    members.append((member_pointer, "\x00"))  # reported at the member itself
                else:
                    members.append((member_pointer, member))
            pending.extend(reversed(members))
        elif isinstance(item, list | tuple):
            pending.extend(reversed([(f"{where}/{i}", v) for i, v in enumerate(item)]))


def _escape(key: str) -> str:
    """Escape one JSON pointer reference token (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")
