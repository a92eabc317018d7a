"""marshmallow schemas of the registry API: the request and response shapes, nothing else."""

from __future__ import annotations

import dataclasses
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from app.domain.legal_data import legal_data_problems
from app.domain.model import (
    ElectiveRule,
    Epa,
    Institution,
    LegalData,
    Outcome,
    OutcomeRelation,
    Prerequisite,
    Qualification,
    RequiredEpa,
    Unit,
)
from app.domain.text import OUTCOME_CODE_LENGTH, PERSON_NAME_LENGTH
from app.schemas.base import (  # the fields and bounds the other schemas take from here
    EARLIEST_DATE as EARLIEST_DATE,
)
from app.schemas.base import (
    LATEST_DATE as LATEST_DATE,
)
from app.schemas.base import (
    MAX_HOURS,
    StrictSchema,
    code_field,
    institution_code_field,
    long_text,
    text,
)
from app.schemas.base import (
    date_field as date_field,
)
from app.schemas.pointers import pointer_errors
from app.services.importer import ImportDocument


def level(low: int, high: int, **kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(low, high), **kwargs)


# --- lists ------------------------------------------------------------------------------------


class ListArgs(StrictSchema):
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 500))
    offset = fields.Integer(load_default=0, validate=validate.Range(0, 1_000_000_000))
    kind = fields.String()
    q = fields.String(validate=validate.Length(max=200))
    institution = fields.String(validate=validate.Length(max=40))


class PageSchema(Schema):
    total = fields.Integer()
    limit = fields.Integer()
    offset = fields.Integer()


def page_of(item: type[Schema]) -> type[Schema]:
    """Return the `{"items", "total", "limit", "offset"}` schema for `item`."""
    return type(
        f"{item.__name__.removesuffix('Schema')}PageSchema",
        (PageSchema,),
        {"items": fields.List(fields.Nested(item))},
    )


def one_or_many(item: type[Schema]) -> dict[str, Any]:
    """Return the OpenAPI schema of a body that is one `item` object or a list of them."""
    return {"oneOf": [item, {"type": "array", "items": item}]}


# --- institutions -----------------------------------------------------------------------------


class LegalDataSchema(StrictSchema):
    """An institution's legal data (what an EDC issuer states); every field may be null."""

    legal_name = fields.String(
        allow_none=True, load_default=None, validate=validate.Length(min=1, max=300)
    )
    kvk_number = fields.String(
        allow_none=True,
        load_default=None,
        metadata={"description": "Dutch Chamber of Commerce (KvK) number: 8 digits"},
    )
    street_address = fields.String(
        allow_none=True, load_default=None, validate=validate.Length(min=1, max=200)
    )
    postal_code = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Length(max=10),
        metadata={"description": "in the Netherlands '1234 AB'"},
    )
    locality = fields.String(
        allow_none=True, load_default=None, validate=validate.Length(min=1, max=100)
    )
    country_code = fields.String(
        allow_none=True,
        load_default=None,
        metadata={"description": "ISO 3166-1 alpha-2, e.g. NL", "example": "NL"},
    )
    homepage = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Length(max=300),
        metadata={"description": "an http(s) URL"},
    )
    note = fields.String(
        load_only=True,
        validate=validate.Length(max=1000),
        metadata={"description": "a remark on where the data comes from; not stored"},
    )

    @validates_schema
    def well_formed(self, data: dict[str, Any], **_: Any) -> None:
        problems = legal_data_problems(_legal(data))
        if problems:
            raise ValidationError({p["pointer"].lstrip("/"): [p["message"]] for p in problems})

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> LegalData:
        return _legal(data)


def _legal(data: dict[str, Any]) -> LegalData:
    return LegalData(**{k: v for k, v in data.items() if k != "note"})


class InstitutionSchema(StrictSchema):
    code = institution_code_field(required=True)
    name = text(PERSON_NAME_LENGTH, required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["mbo", "vmbo", "czo", "employer"]))
    brin = fields.String(allow_none=True, validate=validate.Length(max=16))
    trusted = fields.Boolean(
        dump_only=True,
        metadata={"description": "set by an admin: credentials of this issuer are vouched for"},
    )
    legal = fields.Nested(
        LegalDataSchema,
        allow_none=True,
        load_default=None,
        metadata={"description": "legal data for European Digital Credentials (null: none)"},
    )

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Institution:
        return Institution(**data)


# --- units ------------------------------------------------------------------------------------


class OutcomeSchema(StrictSchema):
    code = code_field(OUTCOME_CODE_LENGTH, required=True)
    dossier_code = fields.String(allow_none=True, validate=validate.Length(max=40))
    title = text(required=True)
    description = long_text(allow_none=True)
    nlqf_level = level(1, 8, allow_none=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Outcome:
        return Outcome(**data)


class UnitSchema(StrictSchema):
    """A learning unit with its outcomes. `institution` defaults to the configured one."""

    code = code_field(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["BC", "VC", "AV"]))
    title = text(required=True)
    description = long_text(allow_none=True)
    study_load_hours = fields.Integer(
        strict=True, required=True, validate=validate.Range(1, MAX_HOURS)
    )
    nlqf_level = level(1, 8, allow_none=True)
    institution = institution_code_field(allow_none=True)
    language = fields.String(load_default="nl", validate=validate.Length(min=2, max=8))
    title_en = fields.String(allow_none=True, validate=validate.Length(max=300))
    outcomes = fields.List(
        fields.Nested(OutcomeSchema), required=True, validate=validate.Length(min=1)
    )

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["outcomes"] = tuple(data["outcomes"])
        return data


class PrerequisiteInSchema(StrictSchema):
    requires = code_field(required=True)


class UnitPrerequisitesSchema(Schema):
    unit = fields.String()
    requires = fields.List(fields.String())
    required_by = fields.List(fields.String())


class PrerequisiteSchema(StrictSchema):
    unit = code_field(required=True)
    requires = code_field(required=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Prerequisite:
        return Prerequisite(**data)


# --- outcome relations ------------------------------------------------------------------------


class OutcomeRelationSchema(StrictSchema):
    from_outcome = code_field(OUTCOME_CODE_LENGTH, required=True, data_key="from")
    to_outcome = code_field(OUTCOME_CODE_LENGTH, required=True, data_key="to")
    type = fields.String(required=True, validate=validate.OneOf(["subsumes", "partial"]))
    reason = long_text(allow_none=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> OutcomeRelation:
        return OutcomeRelation(**data)


class RelationListArgs(ListArgs):
    outcome = fields.String(validate=validate.Length(max=OUTCOME_CODE_LENGTH))


# --- qualifications ---------------------------------------------------------------------------


class ElectivesSchema(StrictSchema):
    required_hours = fields.Integer(
        strict=True, load_default=0, validate=validate.Range(0, MAX_HOURS)
    )
    options = fields.List(code_field(), load_default=list)


class RequiredEpaSchema(StrictSchema):
    epa = code_field(required=True)
    min_level = level(1, 5, required=True)


class EntryRequirementsSchema(StrictSchema):
    any_qualification = fields.List(code_field(), load_default=list)


class QualificationSchema(StrictSchema):
    code = code_field(required=True)
    title = text(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["mbo", "czo"]))
    nlqf_level = level(1, 8, allow_none=True)
    eqf_level = level(1, 8, allow_none=True)
    crebo = fields.String(allow_none=True, validate=validate.Length(max=16))
    institution = institution_code_field(
        load_default=None,
        allow_none=True,
        metadata={"description": "the school that maintains it (default: the registry's)"},
    )
    units = fields.List(code_field(), load_default=list)
    electives = fields.Nested(
        ElectivesSchema, load_default=lambda: {"required_hours": 0, "options": []}
    )
    required_epas = fields.List(fields.Nested(RequiredEpaSchema), load_default=list)
    entry_requirements = fields.Nested(
        EntryRequirementsSchema, load_default=lambda: {"any_qualification": []}
    )

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Qualification:
        electives = data.pop("electives")
        entry = data.pop("entry_requirements")
        return Qualification(
            units=tuple(data.pop("units")),
            electives=ElectiveRule(electives["required_hours"], tuple(electives["options"])),
            required_epas=tuple(RequiredEpa(**r) for r in data.pop("required_epas")),
            entry_any_qualification=tuple(entry["any_qualification"]),
            **data,
        )


class GraphNodeSchema(Schema):
    code = fields.String()
    kind = fields.String()
    title = fields.String()
    study_load_hours = fields.Integer()
    role = fields.String(metadata={"description": "mandatory, option (elective) or outside"})


class GraphEdgeSchema(Schema):
    from_ = fields.String(data_key="from", attribute="unit")
    requires = fields.String()


class QualificationGraphSchema(Schema):
    qualification = fields.String()
    nodes = fields.List(fields.Nested(GraphNodeSchema))
    edges = fields.List(fields.Nested(GraphEdgeSchema))
    order = fields.List(fields.String())


# --- EPAs and supervision levels --------------------------------------------------------------


class EpaSchema(StrictSchema):
    code = code_field(required=True)
    title = text(required=True)
    description = long_text(allow_none=True)
    type = fields.String(required=True, validate=validate.OneOf(["kern", "specifiek"]))
    draws_on = fields.List(code_field(OUTCOME_CODE_LENGTH), load_default=list)
    institution = institution_code_field(
        load_default=None,
        allow_none=True,
        metadata={"description": "the school that maintains it (default: the registry's)"},
    )

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Epa:
        return Epa(**{**data, "draws_on": tuple(data["draws_on"])})


class SupervisionLevelSchema(Schema):
    level = fields.Integer()
    label_nl = fields.String()
    label_en = fields.String()
    group = fields.String()


# --- import -----------------------------------------------------------------------------------


class ImportSchema(StrictSchema):
    institutions = fields.List(fields.Nested(InstitutionSchema), load_default=list)
    units = fields.List(fields.Nested(UnitSchema), load_default=list)
    outcome_relations = fields.List(fields.Nested(OutcomeRelationSchema), load_default=list)
    prerequisites = fields.List(fields.Nested(PrerequisiteSchema), load_default=list)
    qualifications = fields.List(fields.Nested(QualificationSchema), load_default=list)
    epas = fields.List(fields.Nested(EpaSchema), load_default=list)


class CodesByKindSchema(Schema):
    institutions = fields.List(fields.String())
    units = fields.List(fields.String())
    outcome_relations = fields.List(fields.String())
    prerequisites = fields.List(fields.String())
    qualifications = fields.List(fields.String())
    epas = fields.List(fields.String())


class ImportReportSchema(Schema):
    created = fields.Nested(CodesByKindSchema)
    updated = fields.Nested(CodesByKindSchema)
    unchanged = fields.Nested(CodesByKindSchema)


# --- input → domain ---------------------------------------------------------------------------


def to_unit(data: dict[str, Any], default_institution: str) -> Unit:
    """Build the domain unit from loaded input, filling the default institution."""
    return Unit(**{**data, "institution": data.get("institution") or default_institution})


def to_import_document(data: dict[str, Any], default_institution: str) -> ImportDocument:
    return ImportDocument(
        institutions=tuple(data.get("institutions", ())),
        units=tuple(to_unit(u, default_institution) for u in data.get("units", ())),
        outcome_relations=tuple(data.get("outcome_relations", ())),
        prerequisites=tuple(data.get("prerequisites", ())),
        qualifications=tuple(owned(q, default_institution) for q in data.get("qualifications", ())),
        epas=tuple(owned(e, default_institution) for e in data.get("epas", ())),
    )


def owned(item: Any, default_institution: str) -> Any:
    """A qualification or EPA that names no maintaining school belongs to the default one."""
    if getattr(item, "institution", None):
        return item
    return dataclasses.replace(item, institution=default_institution)


def load_import_document(
    body: Any,
) -> tuple[dict[str, Any], list[dict[str, str]], dict[str, set[str]]]:
    """Load the document item by item, so one bad item does not hide the others' errors.

    Returns the loaded data (bad items left out), the field errors with pointers into the
    original document, and per kind the codes of items that failed to load (so references to
    them are not reported a second time as unknown).
    """
    if not isinstance(body, dict):
        return {}, [{"pointer": "/", "message": "the import must be a JSON object"}], {}
    schema_fields = ImportSchema().fields
    errors = [
        {"pointer": f"/{key}", "message": "unknown field"}
        for key in body
        if key not in schema_fields
    ]
    data: dict[str, Any] = {}
    unparsed: dict[str, set[str]] = {}
    for kind, field in schema_fields.items():
        items = body.get(kind, [])
        if not isinstance(items, list):
            errors.append({"pointer": f"/{kind}", "message": "must be a list"})
            items = []
        item_schema: Schema = field.inner.schema  # type: ignore[attr-defined]
        loaded = []
        for index, item in enumerate(items):
            try:
                loaded.append(item_schema.load(item))
            except ValidationError as error:
                errors += pointer_errors(error.messages, f"/{kind}/{index}")
                if isinstance(item, dict) and isinstance(item.get("code"), str):
                    unparsed.setdefault(kind, set()).add(item["code"])
        data[kind] = loaded
    return data, errors, unparsed


def import_document(
    session: Any, actor: Any, body: Any, default_institution: str
) -> dict[str, Any]:
    """Import a registry document as `POST /api/import`, `flask import` and the seed do.

    Raises
    ------
    InvalidData
        With every field error and every semantic error of the document; nothing is written.
    """
    from app.services.importer import import_registry

    data, field_errors, unparsed = load_import_document(body)
    document = to_import_document(data, default_institution)
    report = import_registry(session, actor, document, field_errors=field_errors, unparsed=unparsed)
    return report.as_dict()
