"""Documents of bulk issuing and revoking: the rows in (CSV or JSON), the per-row report out.

A bulk issue is CSV (``text/csv``, a header ``learner,type,code`` and one data row per
credential) or JSON (``{"rows": [{"learner", "type", "code"}]}`` or the bare list). At most
`MAX_ROWS` rows. A malformed body is an `InvalidData` (422) whose errors point at the row and
field, as JSON pointers into the JSON form (``/rows/0/code`` is the first data row's code).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from app.domain.errors import InvalidData
from app.schemas.base import StrictSchema
from app.schemas.pointers import pointer_errors
from app.schemas.problems import ProblemSchema
from app.services.bulk_credentials import (
    ISSUE_STATUSES,
    MAX_ROWS,
    REVOKE_STATUSES,
    BulkRow,
)

COLUMNS = ("learner", "type", "code")


class BulkRowSchema(StrictSchema):
    learner = fields.String(required=True, validate=validate.Length(min=1, max=40))
    type = fields.String(
        required=True,
        validate=validate.Length(min=1, max=16),
        metadata={"description": "unit, epa or qualification (another is a row error)"},
    )
    code = fields.String(required=True, validate=validate.Length(min=1, max=60))


class BulkIssueSchema(StrictSchema):
    """``{"rows": [...]}``; the bare list of rows is accepted too."""

    rows = fields.List(
        fields.Nested(BulkRowSchema),
        required=True,
        validate=validate.Length(min=1, max=MAX_ROWS),
    )


class BulkRevokeSchema(StrictSchema):
    ids = fields.List(
        fields.String(validate=validate.Length(min=1, max=40)),
        required=True,
        validate=validate.Length(min=1, max=MAX_ROWS),
        metadata={"description": f"credential ids (at most {MAX_ROWS})"},
    )
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class BulkArgs(Schema):
    dry_run = fields.Boolean(
        load_default=False, metadata={"description": "only the per-row preview; nothing written"}
    )
    partial = fields.Boolean(
        load_default=False,
        metadata={"description": "write the rows that can be and report the rest"},
    )


class RowReportSchema(Schema):
    row = fields.Integer(metadata={"description": "the data row (1-based) or the id's position"})
    status = fields.String(validate=validate.OneOf(sorted({*ISSUE_STATUSES, *REVOKE_STATUSES})))
    learner = fields.String(allow_none=True)
    type = fields.String(allow_none=True)
    code = fields.String(allow_none=True)
    credential = fields.String(
        allow_none=True, metadata={"description": "the credential's id (held, issued, revoked)"}
    )
    missing = fields.Dict(
        allow_none=True, metadata={"description": "not_earned: what is lacking, per kind"}
    )
    reason = fields.String(allow_none=True, metadata={"description": "error: why"})
    duplicate_of = fields.Integer(
        allow_none=True, metadata={"description": "the earlier row this one repeats"}
    )


class BulkReportSchema(Schema):
    """One entry per row, and the count per status (with ``total``)."""

    dry_run = fields.Boolean()
    partial = fields.Boolean()
    rows = fields.List(fields.Nested(RowReportSchema))
    summary = fields.Dict(keys=fields.String(), values=fields.Integer())


class BulkRefusedSchema(ProblemSchema):
    """409, all or nothing: the problem document with the per-row report as extensions."""

    dry_run = fields.Boolean()
    partial = fields.Boolean()
    rows = fields.List(fields.Nested(RowReportSchema))
    summary = fields.Dict(keys=fields.String(), values=fields.Integer())


#: The request body of ``POST /api/credentials/bulk``, for the OpenAPI document.
BULK_ISSUE_BODY = {
    "required": True,
    "description": (
        f"CSV with the header `learner,type,code`, or JSON; at most {MAX_ROWS} rows. "
        "A row repeating an earlier one is `already_held` (`duplicate_of`)."
    ),
    "content": {
        "text/csv": {"schema": {"type": "string"}},
        "application/json": {
            "schema": {
                "oneOf": [
                    BulkIssueSchema,
                    {"type": "array", "items": BulkRowSchema, "minItems": 1, "maxItems": MAX_ROWS},
                ]
            }
        },
    },
}


def load_bulk_rows(raw: bytes, mimetype: str, parsed_json: Any) -> list[BulkRow]:
    """The rows of a bulk issue body: CSV when `mimetype` is ``text/csv``, else JSON.

    Raises
    ------
    InvalidData
        An empty body, a missing header or column, an empty cell, too many rows.
    """
    if mimetype == "text/csv":
        return rows_from_csv(raw)
    body = {"rows": parsed_json} if isinstance(parsed_json, list) else parsed_json
    if not isinstance(body, dict):
        raise InvalidData([{"pointer": "/rows", "message": "a list of rows is required"}])
    try:
        data = BulkIssueSchema().load(body)
    except ValidationError as error:
        raise InvalidData(pointer_errors(error.messages)) from None
    return [BulkRow(r["learner"], r["type"], r["code"]) for r in data["rows"]]


def rows_from_csv(raw: bytes | str) -> list[BulkRow]:
    """The rows of a CSV text with the header ``learner,type,code`` (in any order; others ignored).

    >>> rows_from_csv(b"learner,type,code\\nln-1,unit,U1\\n")
    [BulkRow(learner='ln-1', type='unit', code='U1')]
    >>> rows_from_csv(b"learner,code\\nln-1,U1\\n")
    Traceback (most recent call last):
    ...
    app.domain.errors.InvalidData: /rows: the CSV header lacks the column(s) type
    """
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise InvalidData([{"pointer": "/rows", "message": "the CSV is not UTF-8 text"}]) from None
    reader = csv.reader(io.StringIO(text.strip("\r\n")))
    try:
        header = [name.strip().lower() for name in next(reader)]
    except (StopIteration, csv.Error):
        raise InvalidData([{"pointer": "/rows", "message": "the CSV is empty"}]) from None
    if missing := [c for c in COLUMNS if c not in header]:
        message = f"the CSV header lacks the column(s) {', '.join(missing)}"
        raise InvalidData([{"pointer": "/rows", "message": message}])
    where = {column: header.index(column) for column in COLUMNS}
    rows: list[BulkRow] = []
    errors: list[dict[str, str]] = []
    try:
        for index, cells in enumerate(reader):
            if index >= MAX_ROWS:
                message = f"at most {MAX_ROWS} rows per request"
                raise InvalidData([{"pointer": "/rows", "message": message}])
            values = {c: cells[i].strip() if i < len(cells) else "" for c, i in where.items()}
            for column, value in values.items():
                if not value or len(value) > 60:
                    errors.append(
                        {
                            "pointer": f"/rows/{index}/{column}",
                            "message": f"row {index + 1}: {column} must be 1 to 60 characters",
                        }
                    )
            rows.append(BulkRow(**values))
    except csv.Error as error:
        raise InvalidData([{"pointer": "/rows", "message": f"malformed CSV: {error}"}]) from None
    if errors:
        raise InvalidData(errors[:50])
    if not rows:
        raise InvalidData([{"pointer": "/rows", "message": "the CSV has no data rows"}])
    return rows


def load_bulk_revoke(body: Any) -> dict[str, Any]:
    """``{"ids", "reason"}`` of a bulk revoke (422 with pointers when malformed)."""
    try:
        return BulkRevokeSchema().load(body if isinstance(body, dict) else {})  # type: ignore[no-any-return]
    except ValidationError as error:
        raise InvalidData(pointer_errors(error.messages)) from None
