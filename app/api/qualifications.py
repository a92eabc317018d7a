"""Qualifications (diplomas and CZO leerroutes) and their graphs: /api/qualifications."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from app.authentication import public
from app.domain.model import Qualification
from app.domain.paging import ListFilter
from app.extensions import db
from app.request_context import current_actor, default_institution
from app.schemas.registry import (
    ListArgs,
    QualificationGraphSchema,
    QualificationSchema,
    owned,
    page_of,
)
from app.services import registry

blp = Blueprint("qualifications", __name__, description="Qualifications, elective rules, graphs")


@blp.route("/qualifications")
class QualificationCollection(MethodView):
    @public
    @blp.arguments(ListArgs, location="query")
    @blp.response(200, page_of(QualificationSchema))
    def get(self, args: dict[str, Any]):
        """List qualifications (filters: kind, q)."""
        return registry.list_qualifications(db.session, ListFilter(**args))

    @blp.arguments(QualificationSchema)
    @blp.response(201, QualificationSchema)
    def post(self, qualification: Qualification):
        """Create a qualification."""
        created = registry.create_qualification(
            db.session, current_actor(), owned(qualification, default_institution())
        )
        return (
            created,
            201,
            {"Location": url_for("qualifications.QualificationResource", code=created.code)},
        )


@blp.route("/qualifications/<code>")
class QualificationResource(MethodView):
    @public
    @blp.response(200, QualificationSchema)
    def get(self, code: str):
        """Get a qualification."""
        return registry.get_qualification(db.session, code)

    @blp.arguments(QualificationSchema)
    @blp.response(200, QualificationSchema)
    def put(self, qualification: Qualification, code: str):
        """Replace a qualification as a whole."""
        return registry.replace_qualification(
            db.session, current_actor(), code, owned(qualification, default_institution())
        )


@blp.route("/qualifications/<code>/graph")
class QualificationGraphResource(MethodView):
    @public
    @blp.response(200, QualificationGraphSchema)
    def get(self, code: str):
        """The prerequisite graph of the qualification's units, with the path order."""
        return registry.qualification_graph(db.session, code)
