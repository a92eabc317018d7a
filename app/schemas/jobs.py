"""Documents of long-running jobs: the link a 202 answers and the job itself."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class JobLinkSchema(Schema):
    """The answer of a request that started a job (``202``, with the same URL in Location)."""

    job = fields.String(
        required=True, metadata={"description": "URL of the job: GET it for its progress"}
    )


class JobProgressSchema(Schema):
    stage = fields.String(metadata={"description": "validating, writing, undoing, done or failed"})
    done = fields.Integer(metadata={"description": "items written so far (while undoing: left)"})
    total = fields.Integer(metadata={"description": "items to write (0 until validated)"})


class JobSchema(Schema):
    """A job: ``done`` with the import report as its result, or ``failed`` with
    ``{"detail", "errors"?, "written"?, "undone"?}`` (nothing remains of a failed import
    unless ``undone`` is false)."""

    id = fields.String()
    kind = fields.String()
    status = fields.String(validate=validate.OneOf(["running", "done", "failed"]))
    progress = fields.Nested(JobProgressSchema)
    result = fields.Dict(allow_none=True)
    created_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
