"""marshmallow schemas of stagematching: workplaces, rounds, offers, requests, the matching."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_dump, validate, validates_schema

from app.domain.placements.model import BRANCHES
from app.domain.text import CODE_LENGTH, NAME_LENGTH, PERSON_NAME_LENGTH
from app.schemas.base import StrictSchema, code_field, date_field, institution_code_field, text

#: Most preferences a request names (best first).
MAX_PREFERENCES = 5
#: Most EPAs an offer or a request lists.
MAX_EPAS = 50
#: Most places one offer holds.
MAX_PLACES = 1000


class LocationSchema(StrictSchema):
    lat = fields.Float(required=True, validate=validate.Range(-90, 90))
    lon = fields.Float(required=True, validate=validate.Range(-180, 180))


class RecognitionSchema(StrictSchema):
    qualification = code_field(required=True)
    start = date_field(required=True, data_key="from")
    until = date_field(load_default=None, allow_none=True)

    @validates_schema
    def until_not_before_start(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("until") is not None and data["until"] < data["start"]:
            raise ValidationError("must not lie before 'from'", "until")


class WorkplaceFieldsSchema(StrictSchema):
    name = text(PERSON_NAME_LENGTH, required=True)
    branch = fields.String(required=True, validate=validate.OneOf(BRANCHES))
    place = text(PERSON_NAME_LENGTH, required=True)
    location = fields.Nested(LocationSchema, required=True)
    recognitions = fields.List(
        fields.Nested(RecognitionSchema), load_default=list, validate=validate.Length(max=100)
    )


class WorkplaceInSchema(WorkplaceFieldsSchema):
    code = code_field(required=True)


class WorkplacePutSchema(WorkplaceFieldsSchema):
    """A workplace replaced as a whole; `code`, when given, must be the one in the URL."""

    code = code_field()


class RecognitionOutSchema(Schema):
    qualification = fields.String()
    start = fields.Date(data_key="from")
    until = fields.Date(allow_none=True)


class LocationOutSchema(Schema):
    lat = fields.Float()
    lon = fields.Float()


class WorkplaceSchema(Schema):
    code = fields.String()
    name = fields.String()
    branch = fields.String()
    place = fields.String()
    location = fields.Nested(LocationOutSchema)
    recognitions = fields.List(fields.Nested(RecognitionOutSchema))


class PeriodSchema(StrictSchema):
    start = date_field(required=True)
    end = date_field(required=True)

    @validates_schema
    def end_not_before_start(self, data: dict[str, Any], **_: Any) -> None:
        if data["end"] < data["start"]:
            raise ValidationError("must not lie before 'start'", "end")


class RoundInSchema(StrictSchema):
    code = code_field(required=True)
    name = text(NAME_LENGTH, required=True)
    period = fields.Nested(PeriodSchema, required=True)
    match_date = date_field(required=True)


class RoundSchema(Schema):
    code = fields.String()
    name = fields.String()
    period = fields.Function(
        lambda r: {"start": r.period_start.isoformat(), "end": r.period_end.isoformat()}
    )
    match_date = fields.Date()
    status = fields.String(metadata={"description": "open until published"})


class OfferEpaSchema(StrictSchema):
    epa = code_field(required=True)
    max_level = fields.Integer(strict=True, required=True, validate=validate.Range(1, 5))


class OfferInSchema(StrictSchema):
    workplace = code_field(required=True)
    qualifications = fields.List(
        code_field(), required=True, validate=validate.Length(min=1, max=MAX_EPAS)
    )
    places = fields.Integer(strict=True, required=True, validate=validate.Range(1, MAX_PLACES))
    hours_per_week = fields.Integer(
        strict=True, load_default=None, allow_none=True, validate=validate.Range(1, 60)
    )
    epas = fields.List(
        fields.Nested(OfferEpaSchema), load_default=list, validate=validate.Length(max=MAX_EPAS)
    )
    reserved_for = institution_code_field(load_default=None, allow_none=True)


class OfferPutSchema(OfferInSchema):
    """An offer replaced as a whole; `id` and `round`, as GET shows them, may be sent back."""

    id = fields.Integer(load_only=True)
    round = fields.String(load_only=True, validate=validate.Length(max=CODE_LENGTH))


class OfferEpaOutSchema(Schema):
    epa = fields.String()
    max_level = fields.Integer()


class OfferSchema(Schema):
    id = fields.Integer()
    round = fields.String()
    workplace = fields.String()
    qualifications = fields.List(fields.String())
    places = fields.Integer()
    hours_per_week = fields.Integer(allow_none=True)
    epas = fields.List(fields.Nested(OfferEpaOutSchema))
    reserved_for = fields.String(allow_none=True)


class RequestInSchema(StrictSchema):
    learner = fields.String(required=True, validate=validate.Length(min=1, max=CODE_LENGTH))
    qualification = code_field(required=True)
    home = fields.Nested(LocationSchema, required=True)
    max_km = fields.Integer(strict=True, required=True, validate=validate.Range(1, 300))
    preferences = fields.List(
        code_field(), load_default=list, validate=validate.Length(max=MAX_PREFERENCES)
    )
    practise_epas = fields.List(
        code_field(), load_default=list, validate=validate.Length(max=MAX_EPAS)
    )


class RequestSchema(Schema):
    id = fields.Integer()
    round = fields.String()
    learner = fields.String()
    qualification = fields.String()
    home = fields.Nested(LocationOutSchema)
    max_km = fields.Integer()
    preferences = fields.List(fields.String())
    practise_epas = fields.List(fields.String())


class MatchInSchema(StrictSchema):
    on = date_field(
        load_default=None, metadata={"description": "the day of matching (default: today)"}
    )


class ReasonSchema(Schema):
    code = fields.String(
        metadata={"description": "not_recognised, too_far, epa_level, reserved or capacity"}
    )
    message = fields.String(metadata={"description": "in Dutch"})
    epa = fields.String()
    level = fields.Integer(metadata={"description": "the supervision level needed"})
    max_km = fields.Integer()
    nearest_km = fields.Integer()
    offers = fields.Integer()

    @post_dump
    def leave_out_empty(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {key: value for key, value in data.items() if value is not None}


class PlacedSchema(Schema):
    learner = fields.String()
    offer = fields.Integer(metadata={"description": "the offer's id"})
    workplace = fields.String()
    rank = fields.Integer(
        metadata={"description": "0-based position among the preferences; 10 when not there"}
    )
    preferred = fields.Boolean()
    distance_km = fields.Integer()
    cost = fields.Integer(metadata={"description": "1000 × rank + distance_km"})


class UnplacedSchema(Schema):
    learner = fields.String()
    reasons = fields.List(fields.Nested(ReasonSchema))


class MatchSchema(Schema):
    """A matching's answer (also the round's stored proposal)."""

    round = fields.String()
    on = fields.String(metadata={"description": "the day of matching (ISO date)"})
    reservations_apply = fields.Boolean(
        metadata={"description": "whether reserved places were kept for their school"}
    )
    placed = fields.List(fields.Nested(PlacedSchema))
    unplaced = fields.List(fields.Nested(UnplacedSchema))
    placed_count = fields.Integer()
    total_cost = fields.Integer()


class PlacementSchema(Schema):
    """A published placement."""

    round = fields.Function(lambda p: p.round.code)
    period = fields.Function(
        lambda p: {"start": p.round.period_start.isoformat(), "end": p.round.period_end.isoformat()}
    )
    learner = fields.String()
    learner_name = fields.String(metadata={"description": "only to whom may see it"})
    offer = fields.Function(lambda p: p.offer.id)
    workplace = fields.Function(lambda p: p.workplace.code)
    workplace_name = fields.Function(lambda p: p.workplace.name)
    place = fields.Function(lambda p: p.workplace.place)
    practise_epas = fields.List(fields.String())
    rank = fields.Integer()
    distance_km = fields.Integer()
    cost = fields.Integer()


class PlacementListSchema(Schema):
    items = fields.List(fields.Nested(PlacementSchema))
    published = fields.Boolean()
