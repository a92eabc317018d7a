"""The qualification form of the school-admin pages: what it shows, and the payload it amounts to.

A qualification is typed in as fields, three lists of codes (mandatory units, elective options,
entry qualifications: one code per line, or separated by spaces or commas) and rows of required
EPAs (``epas-<row>-epa``, ``epas-<row>-min_level``). `read_qualification_form` turns that into
the JSON API's qualification payload (`QualificationSchema`) and `rename_pointer` shows an error
at ``/required_epas/1/epa`` or ``/units/3`` at the form field it came from.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError

from app.domain.errors import InvalidData, RegistryError
from app.domain.model import Qualification
from app.web.form_flow import FieldError, errors_from
from app.web.forms import optional_int, put, rows

EPA_PARTS = ("epa", "min_level")
EMPTY_EPA_ROWS = 2
#: Form field (``*`` is a row number) → Dutch label, for the error summary.
QUALIFICATION_LABELS: dict[str, str] = {
    "code": "Code",
    "title": "Titel",
    "kind": "Soort",
    "nlqf_level": "NLQF-niveau",
    "eqf_level": "EQF-niveau",
    "crebo": "Crebonummer",
    "institution": "Instelling",
    "units": "Verplichte leereenheden",
    "electives_required_hours": "Uren aan keuzedelen",
    "electives_options": "Keuzedelen om uit te kiezen",
    "entry": "Toelatingseisen",
    "epas-*": "EPA *",
    "epas-*-epa": "EPA *, code",
    "epas-*-min_level": "EPA *, minimaal niveau",
}
#: (pattern of a rule's message, its Dutch text): the qualification rules' own messages.
MESSAGES: tuple[tuple[str, str], ...] = (
    (r"unknown EPA '(.+)'", r"Er is geen EPA met code ‘\1’."),
    (r"unknown qualification '(.+)'", r"Er is geen kwalificatie met code ‘\1’."),
    (
        r"elective option '(.+)' is a (\w+) unit; options must be VC units",
        r"‘\1’ is een \2-eenheid; keuzedelen moeten VC-eenheden (keuzedelen) zijn.",
    ),
    (
        r"unit '(.+)' is both mandatory and an elective option",
        r"‘\1’ staat zowel bij de verplichte leereenheden als bij de keuzedelen.",
    ),
    (
        r"a qualification cannot be its own entry requirement",
        "Een kwalificatie kan niet haar eigen toelatingseis zijn.",
    ),
)
_COMPILED = tuple((re.compile(f"^{pattern}$"), dutch) for pattern, dutch in MESSAGES)


@dataclass
class QualificationForm:
    """What the form shows: the typed values and the EPA rows."""

    values: dict[str, str]
    epas: list[dict[str, str]] = field(default_factory=list)

    @classmethod
    def empty(cls) -> QualificationForm:
        return cls({"kind": "mbo"}, [_empty_row() for _ in range(EMPTY_EPA_ROWS + 1)])

    @classmethod
    def of(cls, q: Qualification) -> QualificationForm:
        values = {
            "code": q.code,
            "title": q.title,
            "kind": q.kind,
            "nlqf_level": "" if q.nlqf_level is None else str(q.nlqf_level),
            "eqf_level": "" if q.eqf_level is None else str(q.eqf_level),
            "crebo": q.crebo or "",
            "institution": q.institution or "",
            "units": "\n".join(q.units),
            "electives_required_hours": str(q.electives.required_hours),
            "electives_options": "\n".join(q.electives.options),
            "entry": "\n".join(q.entry_any_qualification),
        }
        epas = [{"epa": r.epa, "min_level": str(r.min_level)} for r in q.required_epas]
        return cls(values, epas + [_empty_row() for _ in range(EMPTY_EPA_ROWS)])


def _empty_row() -> dict[str, str]:
    return dict.fromkeys(EPA_PARTS, "")


def codes(text: str) -> list[str]:
    """The codes typed in a list field: one a line, or separated by spaces, commas or ';'.

    >>> codes(" BC-1\\nBC-2, VC-3 ;VC-4 \\n\\n")
    ['BC-1', 'BC-2', 'VC-3', 'VC-4']
    """
    return [code for code in re.split(r"[\s,;]+", text) if code]


def read_qualification_form(
    form: Mapping[str, str], code: str | None
) -> tuple[QualificationForm, dict[str, Any], list[int]]:
    """The form as typed, the API payload, and payload EPA index → form row."""
    names = (
        "code",
        "title",
        "kind",
        "nlqf_level",
        "eqf_level",
        "crebo",
        "institution",
        "units",
        "electives_required_hours",
        "electives_options",
        "entry",
    )
    values = {name: (form.get(name) or "").strip() for name in names}
    if code is not None:
        values["code"] = code
    payload: dict[str, Any] = {}
    put(payload, "code", values["code"])
    put(payload, "title", values["title"])
    put(payload, "kind", values["kind"])
    for name in ("nlqf_level", "eqf_level"):
        put(payload, name, optional_int(values[name]), omit_empty=False)
    put(payload, "crebo", values["crebo"], omit_empty=False)
    put(payload, "institution", values["institution"], omit_empty=False)
    payload["units"] = codes(values["units"])
    hours = optional_int(values["electives_required_hours"])
    payload["electives"] = {
        "required_hours": 0 if hours is None else hours,
        "options": codes(values["electives_options"]),
    }
    payload["entry_requirements"] = {"any_qualification": codes(values["entry"])}
    epa_rows = rows(form, "epas", EPA_PARTS)
    required, row_of = [], []
    for index, row in enumerate(epa_rows):
        if not row["epa"] and not row["min_level"]:
            continue
        item: dict[str, Any] = {}
        put(item, "epa", row["epa"])
        put(item, "min_level", optional_int(row["min_level"]))
        required.append(item)
        row_of.append(index)
    payload["required_epas"] = required
    if not any(not r["epa"] and not r["min_level"] for r in epa_rows):
        epa_rows += [_empty_row() for _ in range(EMPTY_EPA_ROWS)]
    return QualificationForm(values, epa_rows), payload, row_of


def rename_pointer(row_of: list[int]) -> Callable[[str], str]:
    """Map a payload field (``required_epas-1-epa``, ``units-3``) to its form field.

    >>> rename = rename_pointer([0, 2])
    >>> [rename(n) for n in ("required_epas-1-epa", "units-3", "electives-options-0",
    ...                      "electives-required_hours", "entry_requirements-any_qualification-1")]
    ['epas-2-epa', 'units', 'electives_options', 'electives_required_hours', 'entry']
    """

    def rename(name: str) -> str:
        parts = name.split("-")
        if parts[0] == "required_epas":
            if len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) < len(row_of):
                parts[1] = str(row_of[int(parts[1])])
            return "-".join(["epas", *parts[1:]]) if len(parts) > 1 else "epas-0-epa"
        if parts[0] == "electives":
            return "electives_required_hours" if "required_hours" in parts else "electives_options"
        if parts[0] == "entry_requirements":
            return "entry"
        return parts[0] if parts[0] in ("units",) else name

    return rename


def qualification_errors(
    error: ValidationError | RegistryError, row_of: list[int]
) -> list[FieldError]:
    """The form errors of a refused qualification, in Dutch, at their fields."""
    if isinstance(error, RegistryError) and getattr(error, "errors", None):
        translated = [
            {**item, "message": dutch(item["message"])}
            for item in error.errors  # type: ignore[attr-defined]
        ]
        error = InvalidData(translated)
    return errors_from(error, QUALIFICATION_LABELS, rename_pointer(row_of))


def dutch(message: str) -> str:
    """The Dutch text of a qualification rule's message (others unchanged).

    >>> dutch("unknown EPA 'X'")
    'Er is geen EPA met code ‘X’.'
    """
    for pattern, text in _COMPILED:
        match = pattern.match(message)
        if match:
            return match.expand(text)
    return message
