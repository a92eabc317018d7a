"""marshmallow schemas of access: tokens, accounts, the audit trail, a learner's data rights."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_dump, validate

from app.domain.access import Role
from app.domain.text import CODE_LENGTH, PERSON_NAME_LENGTH
from app.schemas.base import StrictSchema, code_field, institution_code_field

ROLES = [role.value for role in Role]


class WorkplaceScoped(Schema):
    """Adds the workplace a ``workplace`` principal is bound to; left out for other roles."""

    workplace = fields.String(allow_none=True)

    @post_dump
    def leave_out_no_workplace(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if data.get("workplace") is None:
            data.pop("workplace", None)
        return data


class TokenInSchema(StrictSchema):
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    institution = institution_code_field(load_default=None, allow_none=True)
    learner = fields.String(load_default=None, validate=validate.Length(max=CODE_LENGTH))
    programme = code_field(load_default=None, allow_none=True)
    workplace = code_field(load_default=None, allow_none=True)
    expires_days = fields.Integer(load_default=None, validate=validate.Range(1, 3650))
    label = fields.String(load_default=None, validate=validate.Length(max=200))


class TokenSchema(WorkplaceScoped):
    id = fields.Integer()
    role = fields.String()
    institution = fields.String(allow_none=True)
    learner = fields.String(allow_none=True)
    programme = fields.String(allow_none=True)
    label = fields.String(allow_none=True)
    created_at = fields.DateTime()
    created_by = fields.String()
    expires_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)


class IssuedTokenSchema(TokenSchema):
    token = fields.String(
        metadata={"description": "the bearer token: shown only in this response, never again"}
    )


class AccountInSchema(StrictSchema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    name = fields.String(required=True, validate=validate.Length(min=1, max=PERSON_NAME_LENGTH))
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=12, max=1000)
    )
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    institution = institution_code_field(load_default=None, allow_none=True)
    learner = fields.String(load_default=None, validate=validate.Length(max=CODE_LENGTH))
    programme = code_field(load_default=None, allow_none=True)
    workplace = code_field(load_default=None, allow_none=True)


class AccountSchema(WorkplaceScoped):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    role = fields.String()
    institution = fields.String(allow_none=True)
    learner = fields.String(allow_none=True)
    programme = fields.String(allow_none=True)
    active = fields.Boolean()
    created_at = fields.DateTime()
    last_login_at = fields.DateTime(allow_none=True)


class PrincipalSchema(WorkplaceScoped):
    id = fields.String()
    role = fields.Function(lambda p: p.role.value)
    institution = fields.String(allow_none=True)
    learner = fields.String(allow_none=True)
    programme = fields.String(allow_none=True)
    name = fields.String()


class AuditArgs(StrictSchema):
    entity = fields.String(validate=validate.Length(max=40))
    id = fields.String(validate=validate.Length(max=200))
    since = fields.AwareDateTime(default_timezone=None)
    actor = fields.String(validate=validate.Length(max=100))
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))
    offset = fields.Integer(load_default=0, validate=validate.Range(0, 1_000_000_000))


class AuditEntrySchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor = fields.String()
    actor_role = fields.String(allow_none=True)
    action = fields.String(metadata={"description": "create, update or delete"})
    entity = fields.String(metadata={"description": "as the API names it: unit, learner, …"})
    entity_id = fields.String()
    part = fields.String(allow_none=True, metadata={"description": "child row, e.g. outcome"})
    institution = fields.String(allow_none=True)
    learner = fields.String(allow_none=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
    reason = fields.String(allow_none=True)


class AuditPageSchema(Schema):
    items = fields.List(fields.Nested(AuditEntrySchema))
    total = fields.Integer()
    limit = fields.Integer()
    offset = fields.Integer()


class TrustSchema(StrictSchema):
    trusted = fields.Boolean(required=True)


class EraseSchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class EmptySchema(StrictSchema):
    """A body that takes no fields."""


class LearnerExportSchema(Schema):
    """Everything stored about one learner (AVG art. 15 and 20)."""

    learner = fields.String()
    exported_at = fields.String()
    profile = fields.Dict(allow_none=True)
    evidence = fields.List(fields.Dict())
    entrustments = fields.List(fields.Dict())
    diplomas = fields.List(fields.Dict())
    enrolments = fields.List(fields.Dict())
    vmbo_completions = fields.List(fields.Dict())
    credentials = fields.List(fields.Dict(), metadata={"description": "with signed documents"})
    accounts = fields.List(fields.Dict())
    tokens = fields.List(fields.Dict())
    placement_requests = fields.List(
        fields.Dict(), metadata={"description": "internship requests (home, wishes)"}
    )
    placements = fields.List(fields.Dict(), metadata={"description": "published placements"})
    audit = fields.List(fields.Dict(), metadata={"description": "audit entries about them"})


class ErasureSchema(Schema):
    learner = fields.String()
    erased = fields.Boolean()
    revoked_credentials = fields.List(fields.String())
