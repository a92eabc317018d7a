"""marshmallow schemas of the vmbo side: programmes, assignments, mappings, completions, routes.

The overlap report and the route summary are JSON out only (the values of `app.domain.overlap`).
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate

from app.domain.overlap import COVERAGES, Module, PracticalAssignment, RouteTemplate, VmboProgramme
from app.domain.text import NAME_LENGTH, OUTCOME_CODE_LENGTH, PERSON_NAME_LENGTH
from app.schemas.base import institution_code_field, long_text, module_code_field
from app.schemas.registry import StrictSchema, code_field, date_field, text
from app.services.vmbo import VmboDocument


class ModuleSchema(StrictSchema):
    code = module_code_field(required=True)
    name = text(PERSON_NAME_LENGTH, required=True)


class ProgrammeSchema(StrictSchema):
    code = code_field(required=True)
    title = text(required=True)
    institution = institution_code_field(required=True)
    profile = text(PERSON_NAME_LENGTH, required=True)
    modules = fields.List(fields.Nested(ModuleSchema), load_default=list)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> VmboProgramme:
        modules = tuple(Module(m["code"], m["name"]) for m in data.pop("modules"))
        return VmboProgramme(**data, modules=modules)


class AssignmentInSchema(StrictSchema):
    """A practical assignment; the programme comes from the path."""

    code = code_field(required=True)
    title = text(required=True)
    description = long_text(allow_none=True)
    module = module_code_field(required=True)
    keuzevakken = fields.List(
        text(PERSON_NAME_LENGTH), load_default=list, validate=validate.Length(max=100)
    )


class MappingInSchema(StrictSchema):
    outcome = code_field(OUTCOME_CODE_LENGTH, required=True)
    coverage = fields.String(required=True, validate=validate.OneOf(list(COVERAGES)))
    note = long_text(allow_none=True)
    validated_by = text(NAME_LENGTH, required=True)
    validated_on = date_field(allow_none=True)


class MappingSchema(Schema):
    assignment = fields.String()
    outcome = fields.String()
    coverage = fields.String()
    note = fields.String(allow_none=True)
    validated_by = fields.String(allow_none=True)
    validated_on = fields.Date(allow_none=True)
    version = fields.Integer()
    ended_on = fields.Date(allow_none=True)
    current = fields.Boolean()


class AssignmentSchema(Schema):
    """An assignment as shown: its fields and its current mappings."""

    code = fields.String(attribute="assignment.code")
    title = fields.String(attribute="assignment.title")
    description = fields.String(attribute="assignment.description", allow_none=True)
    module = fields.String(attribute="assignment.module")
    keuzevakken = fields.List(fields.String(), attribute="assignment.keuzevakken")
    programme = fields.String(attribute="assignment.programme")
    mappings = fields.List(fields.Nested(MappingSchema))


class MappingListArgs(StrictSchema):
    history = fields.Boolean(load_default=False)


class MappingListSchema(Schema):
    items = fields.List(fields.Nested(MappingSchema))


class OverlapArgs(StrictSchema):
    qualification = code_field(required=True)


class CompletionInSchema(StrictSchema):
    assignment = code_field(required=True)
    date = date_field(required=True)
    assessor = text(PERSON_NAME_LENGTH, required=True)


class CompletionOutcomeSchema(Schema):
    outcome = fields.String()
    coverage = fields.String()
    ref = fields.String()
    evidence = fields.Integer(allow_none=True)


class CompletionSchema(Schema):
    id = fields.Integer()
    learner = fields.String()
    assignment = fields.String()
    date = fields.Date()
    assessor = fields.String()
    full = fields.List(fields.String())
    partial = fields.List(fields.String())
    evidence = fields.List(fields.Integer())
    outcomes = fields.List(fields.Nested(CompletionOutcomeSchema))
    recorded_by = fields.String()
    recorded_at = fields.DateTime()
    withdrawn = fields.Boolean()
    withdrawn_at = fields.DateTime(allow_none=True)
    withdrawn_reason = fields.String(allow_none=True)


class RouteInSchema(StrictSchema):
    code = code_field(required=True)
    title = text(required=True)
    programme = code_field(required=True)
    qualification = code_field(required=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> RouteTemplate:
        return RouteTemplate(**data)


class RouteSchema(Schema):
    code = fields.String()
    title = fields.String()
    programme = fields.String()
    qualification = fields.String()


# --- overlap and route summary (JSON out; the values of app.domain.overlap) -------------------


def _codes() -> fields.List:
    return fields.List(fields.String())


class UnitOverlapSchema(Schema):
    """One unit of an overlap: its outcomes covered fully, partly or not, and covered hours."""

    unit = fields.String()
    full = _codes()
    partial = _codes()
    none = _codes()
    covered_hours = fields.Integer()


class OverlapReportSchema(Schema):
    """Per unit of the qualification: outcomes covered fully, partly or not, and hours."""

    programme = fields.String()
    qualification = fields.String()
    units = fields.List(fields.Nested(UnitOverlapSchema))
    total_hours = fields.Integer()
    covered_hours = fields.Integer()


class RouteCoverageSchema(Schema):
    """The units the vmbo part covers fully and partly."""

    fully = _codes()
    partly = _codes()


class RouteUnitSchema(UnitOverlapSchema):
    """One unit of a route: its overlap, role, study load and remaining hours."""

    role = fields.String(metadata={"description": "mandatory or option"})
    study_load_hours = fields.Integer()
    remaining_hours = fields.Integer()


class MboPartUnitSchema(Schema):
    """What remains of one unit for the mbo part."""

    unit = fields.String()
    role = fields.String()
    outcomes = _codes()
    needs_assessment = _codes()
    hours = fields.Integer()


class RouteElectivesSchema(Schema):
    """The elective rule of the route's qualification."""

    required_hours = fields.Integer()
    options = _codes()


class RouteSummarySchema(Schema):
    """What the vmbo part covers (fully, partly) and what remains for the mbo part, in hours."""

    code = fields.String(attribute="route.code")
    title = fields.String(attribute="route.title")
    programme = fields.String(attribute="route.programme")
    qualification = fields.String(attribute="route.qualification")
    covers = fields.Nested(RouteCoverageSchema)
    units = fields.List(fields.Nested(RouteUnitSchema), attribute="report.units")
    mbo_part = fields.List(fields.Nested(MboPartUnitSchema))
    electives = fields.Nested(RouteElectivesSchema)
    total_hours = fields.Integer()
    covered_hours = fields.Integer()
    remaining_hours = fields.Integer()


def to_assignment(data: dict[str, Any], programme: str) -> PracticalAssignment:
    return PracticalAssignment(
        code=data["code"],
        title=data["title"],
        programme=programme,
        module=data["module"],
        description=data.get("description"),
        keuzevakken=tuple(data.get("keuzevakken") or ()),
    )


def load_vmbo_document(raw: Any) -> VmboDocument:
    """Validate the seed/vmbo.json shape (programmes with nested assignments and mappings)."""
    if not isinstance(raw, dict):
        raise ValidationError({"_schema": ["expected a JSON object"]})
    programmes, assignments, mappings = [], [], []
    for index, item in enumerate(raw.get("programmes") or []):
        item = dict(item)
        nested = item.pop("assignments", None) or []
        try:
            programmes.append(ProgrammeSchema().load(item))
        except ValidationError as error:
            raise ValidationError({"programmes": {index: error.messages}}) from error
        for position, data in enumerate(nested):
            data = dict(data)
            maps = data.pop("mappings", None) or []
            try:
                assignments.append(to_assignment(AssignmentInSchema().load(data), item["code"]))
                for mapping in MappingInSchema(many=True).load(maps):
                    mappings.append({**mapping, "assignment": data["code"]})
            except ValidationError as error:
                where = {"programmes": {index: {"assignments": {position: error.messages}}}}
                raise ValidationError(where) from error
    routes = RouteInSchema(many=True).load(raw.get("routes") or [])
    return VmboDocument(tuple(programmes), tuple(assignments), tuple(mappings), tuple(routes))
