"""The unit form of the registry pages: what it shows, and the payload it amounts to.

A unit is typed in as fields plus rows of outcomes (``outcomes-<row>-<part>``); `read_unit_form`
turns that into the JSON API's unit payload and remembers which payload outcome came from which
form row, so that an error at ``/outcomes/1/code`` is shown at the right row.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.domain.model import Unit
from app.web.forms import FormErrors, optional_int, put, rows

OUTCOME_PARTS = ("code", "title", "dossier_code", "nlqf_level", "description")
EMPTY_OUTCOME_ROWS = 3
NEW_UNIT_OUTCOME_ROWS = 4
#: Form field (``*`` is a row number) → Dutch label, for the error summary.
UNIT_LABELS: dict[str, str] = {
    "code": "Code",
    "kind": "Soort",
    "title": "Titel",
    "description": "Beschrijving",
    "study_load_hours": "Studielast in uren",
    "nlqf_level": "NLQF-niveau",
    "institution": "Instelling",
    "language": "Taal",
    "title_en": "Engelse titel",
    "outcomes": "Leerresultaten",
    "outcomes-*": "Leerresultaat *",
    "outcomes-*-code": "Leerresultaat *, code",
    "outcomes-*-title": "Leerresultaat *, titel",
    "outcomes-*-dossier_code": "Leerresultaat *, code in het dossier",
    "outcomes-*-nlqf_level": "Leerresultaat *, NLQF-niveau",
    "outcomes-*-description": "Leerresultaat *, beschrijving",
}


@dataclass
class UnitForm:
    """What the form shows: the typed values, the outcome rows and the errors."""

    values: dict[str, str]
    outcomes: list[dict[str, str]]
    errors: FormErrors = dataclasses.field(default_factory=FormErrors)
    refused: list[dict[str, str]] = dataclasses.field(default_factory=list)

    @classmethod
    def empty(cls) -> UnitForm:
        return cls(
            {"kind": "BC", "language": "nl"}, [_empty_row() for _ in range(NEW_UNIT_OUTCOME_ROWS)]
        )

    @classmethod
    def of(cls, unit: Unit) -> UnitForm:
        values = {
            "code": unit.code,
            "kind": unit.kind,
            "title": unit.title,
            "description": unit.description or "",
            "study_load_hours": str(unit.study_load_hours),
            "nlqf_level": "" if unit.nlqf_level is None else str(unit.nlqf_level),
            "institution": unit.institution,
            "language": unit.language,
            "title_en": unit.title_en or "",
        }
        outcomes = [
            {
                "code": o.code,
                "title": o.title,
                "dossier_code": o.dossier_code or "",
                "nlqf_level": "" if o.nlqf_level is None else str(o.nlqf_level),
                "description": o.description or "",
            }
            for o in unit.outcomes
        ]
        return cls(values, outcomes + [_empty_row() for _ in range(EMPTY_OUTCOME_ROWS)])


def _empty_row() -> dict[str, str]:
    return dict.fromkeys(OUTCOME_PARTS, "")


def read_unit_form(
    form: Mapping[str, str], code: str | None
) -> tuple[UnitForm, dict[str, Any], list[int]]:
    """The form as typed, the API payload it amounts to, and payload outcome index → form row."""
    names = (
        "code",
        "kind",
        "title",
        "description",
        "study_load_hours",
        "nlqf_level",
        "institution",
        "language",
        "title_en",
    )
    values = {name: (form.get(name) or "").strip() for name in names}
    if code is not None:
        values["code"] = code
    payload: dict[str, Any] = {}
    put(payload, "code", values["code"])
    put(payload, "kind", values["kind"])
    put(payload, "title", values["title"])
    put(payload, "description", values["description"], omit_empty=False)
    put(payload, "study_load_hours", optional_int(values["study_load_hours"]))
    put(payload, "nlqf_level", optional_int(values["nlqf_level"]), omit_empty=False)
    put(payload, "institution", values["institution"], omit_empty=False)
    put(payload, "language", values["language"])
    put(payload, "title_en", values["title_en"], omit_empty=False)
    outcome_rows = rows(form, "outcomes", OUTCOME_PARTS)
    outcomes, row_of = [], []
    for index, row in enumerate(outcome_rows):
        if not row["code"] and not row["title"]:
            continue  # an empty row: nothing to add, or an outcome removed
        outcome: dict[str, Any] = {}
        put(outcome, "code", row["code"])
        put(outcome, "title", row["title"])
        put(outcome, "dossier_code", row["dossier_code"], omit_empty=False)
        put(outcome, "nlqf_level", optional_int(row["nlqf_level"]), omit_empty=False)
        put(outcome, "description", row["description"], omit_empty=False)
        outcomes.append(outcome)
        row_of.append(index)
    payload["outcomes"] = outcomes
    if not any(not r["code"] and not r["title"] for r in outcome_rows):
        outcome_rows += [_empty_row() for _ in range(EMPTY_OUTCOME_ROWS)]
    return UnitForm(values, outcome_rows), payload, row_of


def rename_outcomes(row_of: list[int]) -> Callable[[str], str]:
    """Map ``outcomes-<payload index>…`` to ``outcomes-<form row>…``."""

    def rename(name: str) -> str:
        parts = name.split("-")
        if (
            len(parts) >= 2
            and parts[0] == "outcomes"
            and parts[1].isdigit()
            and int(parts[1]) < len(row_of)
        ):
            parts[1] = str(row_of[int(parts[1])])
        return "-".join(parts)

    return rename
