"""marshmallow schemas of learner records and paths."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_load, validate

from app.domain.learner import EnrolmentItem
from app.domain.path.hours import DEFAULT_HOURS_PER_WEEK
from app.domain.text import OUTCOME_CODE_LENGTH, PERSON_NAME_LENGTH, REASON_LENGTH
from app.schemas.base import institution_code_field, long_text
from app.schemas.registry import ListArgs, StrictSchema, code_field, date_field, text

SOURCES = ["exam", "evc", "prior_diploma", "vmbo_assignment", "transfer", "formative"]


class LearnerInSchema(StrictSchema):
    name = text(PERSON_NAME_LENGTH, required=True)
    external_id = fields.String(allow_none=True, validate=validate.Length(min=1, max=100))
    institution = institution_code_field(allow_none=True)
    email = fields.Email(
        allow_none=True,
        validate=validate.Length(max=254),
        metadata={"description": "Optional; credentials carry it hashed (emailAddress)"},
    )


class LearnerUpdateSchema(StrictSchema):
    """The fields of a learner that can be changed later (PATCH)."""

    email = fields.Email(required=True, allow_none=True, validate=validate.Length(max=254))


class LearnerSchema(Schema):
    id = fields.String()
    name = fields.String()
    external_id = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    institution = fields.String()


class LearnerListArgs(ListArgs):
    external_id = fields.String(validate=validate.Length(max=100))


class EvidenceInSchema(StrictSchema):
    outcome = code_field(OUTCOME_CODE_LENGTH, required=True)
    source = fields.String(required=True, validate=validate.OneOf(SOURCES))
    date = date_field(required=True)
    valid_until = date_field(allow_none=True)
    decided_by = fields.String(allow_none=True, validate=validate.Length(max=PERSON_NAME_LENGTH))
    basis = fields.String(allow_none=True, validate=validate.Length(max=300))
    assessor = fields.String(allow_none=True, validate=validate.Length(max=PERSON_NAME_LENGTH))
    note = long_text(allow_none=True)
    ref = fields.String(allow_none=True, validate=validate.Length(max=200))


class EvidenceSchema(Schema):
    id = fields.Integer()
    outcome = fields.String()
    source = fields.String()
    date = fields.Date()
    valid_until = fields.Date(allow_none=True)
    decided_by = fields.String(allow_none=True)
    basis = fields.String(allow_none=True)
    assessor = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    ref = fields.String(allow_none=True)
    recorded_by = fields.String()
    recorded_at = fields.DateTime()
    withdrawn = fields.Boolean()
    withdrawn_at = fields.DateTime(allow_none=True)
    withdrawn_reason = fields.String(allow_none=True)


class WithdrawSchema(StrictSchema):
    reason = text(REASON_LENGTH, required=True)


class EntrustmentInSchema(StrictSchema):
    epa = code_field(required=True)
    level = fields.Integer(strict=True, required=True, validate=validate.Range(1, 5))
    date = date_field(required=True)
    decided_by = text(PERSON_NAME_LENGTH, required=True)
    note = long_text(allow_none=True)


class EntrustmentSchema(Schema):
    id = fields.Integer()
    epa = fields.String()
    level = fields.Integer()
    date = fields.Date()
    decided_by = fields.String()
    note = fields.String(allow_none=True)
    recorded_by = fields.String()
    recorded_at = fields.DateTime()
    withdrawn = fields.Boolean()
    withdrawn_at = fields.DateTime(allow_none=True)
    withdrawn_reason = fields.String(allow_none=True)


class DiplomaInSchema(StrictSchema):
    qualification = code_field(required=True)
    date = date_field(required=True)
    note = long_text(allow_none=True)


class DiplomaSchema(Schema):
    id = fields.Integer()
    qualification = fields.String()
    date = fields.Date()
    note = fields.String(allow_none=True)


class EnrolmentSchema(StrictSchema):
    qualification = code_field(required=True)
    chosen_electives = fields.List(code_field(), load_default=list)
    start = date_field(required=True)
    hours_per_week = fields.Integer(
        strict=True, load_default=DEFAULT_HOURS_PER_WEEK, validate=validate.Range(1, 80)
    )

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> EnrolmentItem:
        return EnrolmentItem(
            data["qualification"],
            tuple(data["chosen_electives"]),
            data["start"],
            data["hours_per_week"],
        )


class PathArgs(StrictSchema):
    qualification = fields.String(validate=validate.Length(max=40))
    on = date_field()
    hours_per_week = fields.Integer(validate=validate.Range(1, 80))


class PathsArgs(StrictSchema):
    on = date_field()


def page_schema(item: type[Schema]) -> type[Schema]:
    from app.schemas.registry import page_of

    return page_of(item)
