"""The registry import: POST /api/import."""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from app.extensions import db
from app.request_context import current_actor, default_institution
from app.schemas.registry import ImportReportSchema, ImportSchema, import_document

blp = Blueprint("import", __name__, description="All-or-nothing, idempotent registry import")


@blp.route("/import")
class ImportAction(MethodView):
    @blp.doc(
        requestBody={"required": True, "content": {"application/json": {"schema": ImportSchema}}}
    )
    @blp.response(200, ImportReportSchema)
    def post(self):
        """Import institutions, units, relations, prerequisites, qualifications and EPAs at once.

        Every error of the document is reported (field errors and unknown codes or cycles
        alike), and then nothing is written.
        """
        return import_document(
            db.session,
            current_actor(),
            request.get_json(silent=True),
            default_institution(),
        )
