"""The registry import: POST /api/import."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from app.api import current_actor
from app.api.schemas import ImportReportSchema, ImportSchema, to_import_document
from app.extensions import db
from app.services.importer import import_registry

blp = Blueprint("import", __name__, description="All-or-nothing, idempotent registry import")


@blp.route("/import")
class Import(MethodView):
    @blp.arguments(ImportSchema)
    @blp.response(200, ImportReportSchema)
    def post(self, data: dict[str, Any]):
        """Import institutions, units, relations, prerequisites, qualifications and EPAs at once."""
        document = to_import_document(data, current_app.config["LEERLIJN_DEFAULT_INSTITUTION"])
        return import_registry(db.session, current_actor(), document).as_dict()
