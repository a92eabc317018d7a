"""marshmallow schemas of a learner's path and of the ranking of paths (JSON out only).

They give the JSON shape of the values of `app.domain.path.results` at the API edge, and so
document ``GET /learners/{id}/path`` and ``GET /learners/{id}/paths`` in the OpenAPI document.
Fields come out in the order declared here; dates are ISO 8601 strings.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, pre_dump

__all__ = [
    "RemainingUnitSchema",
    "CandidateSchema",
    "ElectiveStatusSchema",
    "RemainingEpaSchema",
    "ProgressSchema",
    "PlanItemSchema",
    "MissingEntryRequirementSchema",
    "PathSchema",
    "PathSummarySchema",
    "PathRankingSchema",
]


class Codes(fields.List):
    """A list of codes (or sentences) that are already strings: dumped as a plain copy.

    The same JSON as ``fields.List(fields.String())`` without a field call per item: a long
    path has thousands of them (``bench/bench_http_path.py``).
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(fields.String(), **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> list[Any] | None:
        return None if value is None else list(value)


def _codes(**kwargs: Any) -> fields.List:
    return Codes(**kwargs)


class RemainingUnitSchema(Schema):
    """A unit the learner still needs."""

    unit = fields.String()
    kind = fields.String()
    title = fields.String()
    missing_outcomes = _codes(metadata={"description": "unachieved outcomes, in unit order"})
    remaining_hours = fields.Integer()
    blocked_by = _codes(metadata={"description": "directly required units not yet achieved"})


class CandidateSchema(Schema):
    """An elective option that could still be chosen, with its full study load."""

    unit = fields.String()
    title = fields.String()
    hours = fields.Integer()


class ElectiveStatusSchema(Schema):
    """The elective rule applied to the learner."""

    required_hours = fields.Integer()
    achieved_hours = fields.Integer()
    remaining_hours = fields.Integer()
    shortfall_hours = fields.Integer(
        metadata={"description": "remaining elective hours the chosen electives do not cover"}
    )
    chosen = _codes()
    candidates = fields.Nested(CandidateSchema, many=True)


class RemainingEpaSchema(Schema):
    """A required EPA whose current supervision level is too low (null: no entrustment)."""

    epa = fields.String()
    current_level = fields.Integer(allow_none=True)
    required_level = fields.Integer()


class ProgressSchema(Schema):
    """Outcomes achieved of the outcomes counted; outcomes with only formative evidence."""

    outcomes_achieved = fields.Integer()
    outcomes_total = fields.Integer()
    formative = _codes()


class PlanItemSchema(Schema):
    """One step of the plan; `unit` is null for elective hours no chosen elective covers."""

    unit = fields.String(allow_none=True)
    hours = fields.Integer()
    start = fields.Date()
    end = fields.Date(metadata={"description": "exclusive: the next step's start"})


class MissingEntryRequirementSchema(Schema):
    """An unmet entry requirement: a diploma of any of these qualifications."""

    any_of = _codes()

    @pre_dump
    def _wrap(self, any_of: tuple[str, ...], **_: Any) -> dict[str, tuple[str, ...]]:
        return {"any_of": any_of}


class PathSchema(Schema):
    """What remains toward a qualification, why, in what order and by when."""

    learner = fields.String()
    qualification = fields.String()
    on = fields.Date()
    complete = fields.Boolean()
    entry_requirements_met = fields.Boolean()
    missing_entry_requirements = fields.Nested(MissingEntryRequirementSchema, many=True)
    remaining_units = fields.Nested(RemainingUnitSchema, many=True)
    order = _codes(metadata={"description": "remaining units in study order"})
    blocked = fields.Dict(
        keys=fields.String(),
        values=_codes(),
        metadata={"description": "remaining unit → the unachieved units it directly requires"},
    )
    needs_assessment = _codes()
    expired_evidence = _codes()
    electives = fields.Nested(ElectiveStatusSchema)
    remaining_epas = fields.Nested(RemainingEpaSchema, many=True)
    progress = fields.Nested(ProgressSchema)
    remaining_hours = fields.Integer()
    plan = fields.Nested(PlanItemSchema, many=True)
    expected_finish = fields.Date()
    explanations = _codes(metadata={"description": "one Dutch sentence per remaining item"})


class PathSummarySchema(Schema):
    """One qualification in the ranking."""

    qualification = fields.String()
    title = fields.String()
    complete = fields.Boolean()
    entry_requirements_met = fields.Boolean()
    remaining_hours = fields.Integer()
    remaining_epas = fields.Nested(RemainingEpaSchema, many=True)
    expected_finish = fields.Date()


class PathRankingSchema(Schema):
    """Every qualification, closest first, on a reference date."""

    on = fields.Date()
    paths = fields.Nested(PathSummarySchema, many=True)
