"""The RFC 9457 problem document as `app.api.errors` writes it, described for the API docs.

`app.api.errors.problem` builds every error body; these schemas only document it (the OpenAPI
``default`` and ``422`` responses), so a change there must be mirrored here. A test validates
real problem documents against this description.
"""

from __future__ import annotations

from marshmallow import Schema, fields

PROBLEM_TYPE = (
    "A URI naming the kind of problem: the configured problem base URI followed by not-found, "
    "duplicate-code, prerequisite-cycle, still-referenced, achievement-not-earned, "
    "nothing-to-certify, conflict, "
    "invalid-data, registry-error, malformed-json or internal-error; about:blank for other "
    "HTTP errors (e.g. 405, 413, 415)."
)


def doc(description: str) -> dict[str, str]:
    """The metadata that describes a field in the OpenAPI document."""
    return {"description": description}


class FieldErrorSchema(Schema):
    """One thing wrong with the request: where (a JSON pointer or a parameter) and what."""

    pointer = fields.String(
        metadata=doc("RFC 6901 JSON pointer into the request body ('/': the whole body)")
    )
    parameter = fields.String(metadata=doc("the query parameter at fault (instead of pointer)"))
    message = fields.String(required=True, metadata=doc("what is wrong, in words"))
    cycle = fields.List(
        fields.String(),
        metadata=doc("an imported prerequisite that would close a cycle: the cycle's unit codes"),
    )


class ReferenceSchema(Schema):
    """Something that still refers to the item whose removal was refused."""

    kind = fields.String(
        required=True,
        metadata=doc(
            "outcome_relation, epa, qualification, prerequisite, credential, evidence, "
            "vmbo_mapping or vmbo_completion"
        ),
    )
    code = fields.String(required=True, metadata=doc("the referring item's code or id"))
    outcome = fields.String(metadata=doc("the outcome through which it refers"))
    role = fields.String(metadata=doc("for a qualification: mandatory or option"))


class ProblemSchema(Schema):
    """An RFC 9457 problem document (application/problem+json): the body of every error."""

    type = fields.String(required=True, metadata=doc(PROBLEM_TYPE))
    title = fields.String(required=True, metadata=doc("short summary of the problem type"))
    status = fields.Integer(required=True, metadata=doc("the HTTP status code"))
    detail = fields.String(required=True, metadata=doc("what went wrong this time"))
    instance = fields.String(required=True, metadata=doc("the path of the request"))
    errors = fields.List(
        fields.Nested(FieldErrorSchema),
        metadata=doc("invalid data (422) and some conflicts (409): every error found"),
    )
    cycle = fields.List(
        fields.String(),
        metadata=doc("prerequisite-cycle: the unit codes of the cycle it would close"),
    )
    references = fields.List(
        fields.Nested(ReferenceSchema),
        metadata=doc("still-referenced: what still refers to the item to be removed"),
    )
    missing = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Raw()),
        metadata=doc(
            "achievement-not-earned: per kind (units, outcomes, epas, entry_requirements, "
            "elective_hours) what the learner still lacks"
        ),
    )
    database = fields.String(
        metadata=doc("not-ready (/readyz): 'reachable' or 'unreachable'"),
    )
    revision = fields.String(
        allow_none=True,
        metadata=doc("not-ready (/readyz): the database schema's migration revision, if any"),
    )
    expected_revision = fields.String(
        allow_none=True,
        metadata=doc("not-ready (/readyz): the newest migration this version ships"),
    )
