"""HTML forms on top of the API's own validation: form fields → payload, errors → form fields.

A page form is turned into the same payload the JSON API receives and loaded through the same
marshmallow schema and service; the errors that come back carry JSON pointers
(``/study_load_hours``, ``/outcomes/1/code``), which `FormErrors` maps onto the form's fields.
The messages are shown in Dutch (`dutch_message`); an unknown message is shown as it is.
A form is posted on behalf of the signed-in principal (`web_actor`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError

from app.domain.access import Principal
from app.domain.errors import InvalidData, RegistryError
from app.request_context import current_actor
from app.schemas.pointers import pointer_errors

#: (pattern of an API message, its Dutch text); ``\1`` etc. refer to the pattern's groups.
MESSAGES: tuple[tuple[str, str], ...] = (
    (r"Missing data for required field\.", "Vul dit veld in."),
    (r"Field may not be null\.", "Vul dit veld in."),
    (r"Shorter than minimum length 1\.", "Vul dit veld in."),
    (r"Length must be between 1 and (\d+)\.", r"Vul 1 tot en met \1 tekens in."),
    (r"Longer than maximum length (\d+)\.", r"Gebruik hoogstens \1 tekens."),
    (r"Length must be between (\d+) and (\d+)\.", r"Gebruik \1 tot en met \2 tekens."),
    (r"Not a valid integer\.", "Vul een heel getal in."),
    (r"Not a valid date\.", "Vul een geldige datum in (jjjj-mm-dd)."),
    (
        r"Must be greater than or equal to (\d+) and less than or equal to (\d+)\.",
        r"Vul een getal van \1 tot en met \2 in.",
    ),
    (r"Must be greater than or equal to (\d+)\.", r"Vul een getal van minstens \1 in."),
    (r"Must be one of: (.+)\.", r"Kies een van: \1."),
    (r"Unknown field\.", "Dit veld is onbekend."),
    (
        r"use letters, digits and \. _ : - only \(no spaces or /\)",
        "Gebruik alleen letters, cijfers en . _ : - (geen spaties of /).",
    ),
    (
        r"use letters, digits and \. _ - only \(the code names a key folder and a DID\)",
        "Gebruik alleen letters, cijfers en . _ - (geen spaties, : of /).",
    ),
    (
        r"must not contain NUL characters or unpaired surrogates .*",
        "Deze tekst bevat een teken dat niet kan worden opgeslagen (NUL of een los surrogaat).",
    ),
    (r"unknown institution '(.+)'", r"Onbekende instelling ‘\1’."),
    (r"unknown unit '(.+)'", r"Er is geen leereenheid met code ‘\1’."),
    (r"unknown outcome '(.+)'", r"Er is geen leerresultaat met code ‘\1’."),
    (
        r"outcome '(.+)' appears twice in this unit",
        r"Leerresultaat ‘\1’ staat twee keer in deze leereenheid.",
    ),
    (
        r"outcome '(.+)' already belongs to unit '(.+)'",
        r"Leerresultaat ‘\1’ hoort al bij leereenheid ‘\2’.",
    ),
    (
        r"unit is an elective option of (.+); it must stay VC",
        r"Deze leereenheid is een keuzedeel van \1; de soort moet VC (keuzedeel) blijven.",
    ),
    (r"date (.+) is in the future", r"De datum \1 ligt in de toekomst."),
    (r"unit '(.+)' already requires '(.+)'", r"Leereenheid ‘\1’ vereist ‘\2’ al."),
    (r"(.+) '(.+)' already exists", r"Er bestaat al een \1 met code ‘\2’."),
)
_COMPILED = tuple((re.compile(f"^{pattern}$"), dutch) for pattern, dutch in MESSAGES)
KIND_WORDS = {
    "unit": "leereenheid",
    "qualification": "kwalificatie",
    "vmbo assignment": "vmbo-opdracht",
}


def dutch_message(message: str) -> str:
    """Return the Dutch text of an API validation message (unknown ones unchanged).

    >>> dutch_message("Must be greater than or equal to 1.")
    'Vul een getal van minstens 1 in.'
    >>> dutch_message("outcome 'X:1' appears twice in this unit")
    'Leerresultaat ‘X:1’ staat twee keer in deze leereenheid.'
    >>> dutch_message("unit 'BC-1' already exists")
    'Er bestaat al een leereenheid met code ‘BC-1’.'
    >>> dutch_message("iets anders")
    'iets anders'
    """
    for pattern, dutch in _COMPILED:
        match = pattern.match(message)
        if match:
            text = match.expand(dutch)
            for english, word in KIND_WORDS.items():
                text = text.replace(f"een {english} met", f"een {word} met")
            return text
    return message


def field_name(pointer: str) -> str:
    """Return the form field of a JSON pointer: ``/outcomes/1/code`` → ``outcomes-1-code``.

    >>> field_name("/outcomes/1/code"), field_name("/study_load_hours"), field_name("/")
    ('outcomes-1-code', 'study_load_hours', '')
    """
    return "-".join(
        part.replace("~1", "/").replace("~0", "~") for part in pointer.strip("/").split("/") if part
    )


@dataclass
class FormErrors:
    """Errors of one form: by field name, and general ones (no field to show them at)."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)

    def add(self, name: str, message: str) -> None:
        if name:
            self.fields.setdefault(name, []).append(message)
        else:
            self.general.append(message)

    def add_pointers(
        self, errors: Iterable[Mapping[str, str]], rename: Callable[[str], str] | None = None
    ) -> None:
        """Add API errors (``{"pointer", "message"}``), renaming fields with `rename`."""
        for error in errors:
            name = field_name(error.get("pointer") or "")
            self.add(rename(name) if rename else name, dutch_message(error["message"]))

    def get(self, name: str) -> list[str]:
        return self.fields.get(name, [])

    def summary(self, labels: Mapping[str, str]) -> list[tuple[str | None, str]]:
        """(field id or None, "Label: message") for the error summary at the top of the form."""
        items: list[tuple[str | None, str]] = [(None, message) for message in self.general]
        for name, messages in self.fields.items():
            label = labels.get(name) or _row_label(name, labels)
            items += [(name, f"{label}: {message}" if label else message) for message in messages]
        return items


def _row_label(name: str, labels: Mapping[str, str]) -> str:
    """``outcomes-2-code`` → "Leerresultaat 3, code" when labels has ``outcomes-*-code``."""
    match = re.fullmatch(r"(\w+)-(\d+)(?:-(\w+))?", name)
    if not match:
        return ""
    group, index, part = match.groups()
    label = labels.get(f"{group}-*-{part}" if part else f"{group}-*", "")
    return label.replace("*", str(int(index) + 1))


def errors_of(
    error: ValidationError | RegistryError, rename: Callable[[str], str] | None = None
) -> FormErrors:
    """The form errors of a schema's `ValidationError` or a service's `InvalidData`/`Conflict`."""
    found = FormErrors()
    if isinstance(error, ValidationError):
        found.add_pointers(pointer_errors(error.messages), rename)
    elif isinstance(error, InvalidData) or getattr(error, "errors", None):
        found.add_pointers(error.errors, rename)  # type: ignore[attr-defined]
    else:
        found.add("", dutch_message(error.detail))
    return found


def optional_int(raw: str) -> int | str | None:
    """A number field's value for the schema: '' → None, digits → int, else the text (rejected).

    >>> optional_int(""), optional_int(" 12 "), optional_int("twaalf")
    (None, 12, 'twaalf')
    """
    raw = raw.strip()
    if not raw:
        return None
    return int(raw) if re.fullmatch(r"-?\d{1,9}", raw) else raw


def put(payload: dict[str, Any], name: str, value: Any, *, omit_empty: bool = True) -> None:
    """Set payload[name] unless `value` is empty and `omit_empty` (so 'required' applies)."""
    if value is None or value == "":
        if not omit_empty:
            payload[name] = None
        return
    payload[name] = value


def rows(
    form: Mapping[str, str], group: str, parts: Sequence[str], limit: int = 200
) -> list[dict[str, str]]:
    """The rows ``group-0-part``, ``group-1-part`` … of a form, as dicts of stripped text.

    >>> rows({"o-0-code": " A ", "o-2-code": "C"}, "o", ["code", "title"])
    [{'code': 'A', 'title': ''}, {'code': '', 'title': ''}, {'code': 'C', 'title': ''}]
    """
    indexes = [
        int(match.group(1))
        for key in form
        if (match := re.fullmatch(rf"{re.escape(group)}-(\d{{1,3}})-\w+", key))
    ]
    count = min(limit, max(indexes) + 1) if indexes else 0
    return [
        {part: (form.get(f"{group}-{i}-{part}") or "").strip() for part in parts}
        for i in range(count)
    ]


def web_actor() -> Principal | None:
    """The signed-in principal of the page request (None: nobody signed in)."""
    return current_actor()
