"""The registry import: POST /api/import."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError

from app.api import current_actor
from app.api.errors import pointer_errors
from app.api.schemas import ImportReportSchema, ImportSchema, to_import_document
from app.extensions import db
from app.services.importer import import_registry

blp = Blueprint("import", __name__, description="All-or-nothing, idempotent registry import")


def load_import_document(body: Any) -> tuple[dict[str, Any], list[dict[str, str]], dict[str, set[str]]]:
    """Load the document item by item, so one bad item does not hide the others' errors.

    Returns the loaded data (bad items left out), the field errors with pointers into the
    original document, and per kind the codes of items that failed to load (so references to
    them are not reported a second time as unknown).
    """
    if not isinstance(body, dict):
        return {}, [{"pointer": "/", "message": "the import must be a JSON object"}], {}
    fields = ImportSchema().fields
    errors = [{"pointer": f"/{key}", "message": "unknown field"} for key in body if key not in fields]
    data: dict[str, Any] = {}
    unparsed: dict[str, set[str]] = {}
    for kind, field in fields.items():
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


@blp.route("/import")
class Import(MethodView):
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": ImportSchema}}})
    @blp.response(200, ImportReportSchema)
    def post(self):
        """Import institutions, units, relations, prerequisites, qualifications and EPAs at once.

        Every error of the document is reported (field errors and unknown codes or cycles
        alike), and then nothing is written.
        """
        data, field_errors, unparsed = load_import_document(request.get_json(silent=True))
        document = to_import_document(data, current_app.config["LEERLIJN_DEFAULT_INSTITUTION"])
        report = import_registry(db.session, current_actor(), document, field_errors=field_errors, unparsed=unparsed)
        return report.as_dict()
