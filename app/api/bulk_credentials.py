"""Bulk issuing and revoking: POST /api/credentials/bulk and /api/credentials/bulk-revoke."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from app.api.errors import PROBLEM_JSON
from app.extensions import db
from app.request_context import credential_environment, current_actor
from app.schemas.bulk_credentials import (
    BULK_ISSUE_BODY,
    BulkArgs,
    BulkRefusedSchema,
    BulkReportSchema,
    BulkRevokeSchema,
    load_bulk_revoke,
    load_bulk_rows,
)
from app.services import bulk_credentials
from app.services.bulk_credentials import MAX_ROWS

blp = Blueprint(
    "bulk_credentials",
    __name__,
    description=f"Issue or revoke up to {MAX_ROWS} credentials at once, with a per-row preview",
)

WRITTEN = "Credentials were written: the report, with each written row's credential id."
REFUSED = (
    "All or nothing: some rows cannot be written (not_earned or error), so nothing was; the "
    "problem document carries the per-row report (`rows`, `summary`)."
)


@blp.route("/credentials/bulk")
class BulkIssueAction(MethodView):
    @blp.arguments(BulkArgs, location="query")
    @blp.doc(requestBody=BULK_ISSUE_BODY)
    @blp.response(200, BulkReportSchema, description="The report; nothing new was written.")
    @blp.alt_response(201, schema=BulkReportSchema, description=WRITTEN, success=True)
    @blp.alt_response(409, schema=BulkRefusedSchema, description=REFUSED, content_type=PROBLEM_JSON)
    def post(self, args: dict[str, Any]):
        """Issue credentials for many rows (CSV `learner,type,code`, or JSON); or preview them.

        Each row is checked as `POST /api/credentials` checks it, and reported as
        `would_issue`, `already_held`, `not_earned` (with `missing`) or `error` (with
        `reason`); a learner outside your scope is an unknown learner. With `dry_run=true`
        nothing is written. Otherwise, all or nothing: 409 with the report when a row cannot be
        issued, else every credential is issued in one transaction (rows `issued`). With
        `partial=true` the rows that can be issued are, and the rest are reported.
        """
        actor = bulk_credentials.may_issue_in_bulk(db.session, current_actor())
        json_body = None if request.mimetype == "text/csv" else request.get_json(silent=True)
        rows = load_bulk_rows(request.get_data(), request.mimetype, json_body)
        report = bulk_credentials.issue_in_bulk(
            db.session, actor, credential_environment(), rows, **args
        )
        return report.as_dict(), 201 if report.written else 200


@blp.route("/credentials/bulk-revoke")
class BulkRevokeAction(MethodView):
    @blp.arguments(BulkArgs, location="query")
    @blp.doc(
        requestBody={
            "required": True,
            "content": {"application/json": {"schema": BulkRevokeSchema}},
        }
    )
    @blp.response(200, BulkReportSchema, description="The report; nothing new was written.")
    @blp.alt_response(201, schema=BulkReportSchema, description=WRITTEN, success=True)
    @blp.alt_response(409, schema=BulkRefusedSchema, description=REFUSED, content_type=PROBLEM_JSON)
    def post(self, args: dict[str, Any]):
        """Revoke many credentials with one reason; or preview it.

        Each id is reported as `would_revoke`, `already_revoked` or `error` (an unknown
        credential, or one outside your scope). All or nothing unless `partial=true`; every
        status bit is set in one transaction, each status list re-signed once.
        """
        actor = bulk_credentials.may_revoke_in_bulk(db.session, current_actor())
        data = load_bulk_revoke(request.get_json(silent=True))
        report = bulk_credentials.revoke_in_bulk(
            db.session, actor, credential_environment(), data["ids"], data["reason"], **args
        )
        return report.as_dict(), 201 if report.written else 200
