"""vmbo programmes, practical assignments, their mbo mappings, overlap, crediting and routes."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from app.authentication import public
from app.domain.overlap import RouteTemplate, VmboProgramme
from app.domain.paging import ListFilter
from app.extensions import db
from app.request_context import credential_environment, current_actor
from app.schemas.learners import WithdrawSchema
from app.schemas.registry import ListArgs, page_of
from app.schemas.vmbo import (
    AssignmentInSchema,
    AssignmentSchema,
    CompletionInSchema,
    CompletionSchema,
    MappingInSchema,
    MappingListArgs,
    MappingListSchema,
    MappingSchema,
    OverlapArgs,
    OverlapReportSchema,
    ProgrammeSchema,
    RouteInSchema,
    RouteSchema,
    RouteSummarySchema,
    to_assignment,
)
from app.services import vmbo

blp = Blueprint(
    "vmbo", __name__, description="vmbo programmes, practical assignments and their mbo overlap"
)
routes_blp = Blueprint(
    "routes", __name__, description="Doorlopende leerroutes (vmbo → mbo route templates)"
)


@blp.route("/vmbo/programmes")
class ProgrammeCollection(MethodView):
    @public
    @blp.arguments(ListArgs, location="query")
    @blp.response(200, page_of(ProgrammeSchema))
    def get(self, args: dict[str, Any]):
        """List vmbo programmes (filters: q, institution)."""
        return vmbo.list_programmes(db.session, ListFilter(**args))

    @blp.arguments(ProgrammeSchema)
    @blp.response(201, ProgrammeSchema)
    def post(self, programme: VmboProgramme):
        """Create a vmbo programme of a vmbo school."""
        created = vmbo.create_programme(db.session, current_actor(), programme)
        return created, 201, {"Location": url_for("vmbo.ProgrammeResource", code=created.code)}


@blp.route("/vmbo/programmes/<code>")
class ProgrammeResource(MethodView):
    @public
    @blp.response(200, ProgrammeSchema)
    def get(self, code: str):
        """Get a vmbo programme."""
        return vmbo.get_programme(db.session, code)


@blp.route("/vmbo/programmes/<code>/assignments")
class AssignmentCollection(MethodView):
    @public
    @blp.arguments(ListArgs, location="query")
    @blp.response(200, page_of(AssignmentSchema))
    def get(self, args: dict[str, Any], code: str):
        """The programme's practical assignments with their current mappings."""
        return vmbo.list_assignments(db.session, code, ListFilter(**args))

    @blp.arguments(AssignmentInSchema)
    @blp.response(201, AssignmentSchema)
    def post(self, data: dict[str, Any], code: str):
        """Add a practical assignment to the programme."""
        created = vmbo.create_assignment(
            db.session, current_actor(), code, to_assignment(data, code)
        )
        return (
            created,
            201,
            {"Location": url_for("vmbo.AssignmentResource", code=created.assignment.code)},
        )


@blp.route("/vmbo/assignments/<code>")
class AssignmentResource(MethodView):
    @public
    @blp.response(200, AssignmentSchema)
    def get(self, code: str):
        """Get a practical assignment with its current mappings."""
        return vmbo.get_assignment(db.session, code)


@blp.route("/vmbo/assignments/<code>/mappings")
class MappingCollection(MethodView):
    @public
    @blp.arguments(MappingListArgs, location="query")
    @blp.response(200, MappingListSchema)
    def get(self, args: dict[str, Any], code: str):
        """Current mappings of the assignment (``?history=true``: every version)."""
        return {"items": vmbo.list_mappings(db.session, code, args["history"])}

    @blp.arguments(MappingInSchema)
    @blp.response(201, MappingSchema)
    def post(self, data: dict[str, Any], code: str):
        """Map the assignment onto an mbo outcome; an existing pair gets a new version."""
        created = vmbo.save_mapping(db.session, current_actor(), code, data)
        return created, 201, {"Location": url_for("vmbo.MappingCollection", code=code)}


@blp.route("/vmbo/assignments/<code>/mappings/<outcome>")
class MappingResource(MethodView):
    @blp.response(204)
    def delete(self, code: str, outcome: str):
        """End the current mapping (its versions stay as history)."""
        vmbo.end_mapping(db.session, current_actor(), code, outcome)


@blp.route("/vmbo/programmes/<code>/overlap")
class OverlapResource(MethodView):
    @public
    @blp.arguments(OverlapArgs, location="query")
    @blp.response(200, OverlapReportSchema)
    def get(self, args: dict[str, Any], code: str):
        """Per unit of the qualification: outcomes covered fully, partly or not, and hours."""
        return vmbo.overlap(db.session, code, args["qualification"])


@blp.route("/learners/<learner_id>/vmbo-completions")
class CompletionCollection(MethodView):
    @blp.arguments(ListArgs, location="query")
    @blp.response(200, page_of(CompletionSchema))
    def get(self, args: dict[str, Any], learner_id: str):
        """The learner's completed vmbo assignments, withdrawn ones included."""
        return vmbo.list_completions(db.session, current_actor(), learner_id, ListFilter(**args))

    @blp.arguments(CompletionInSchema)
    @blp.response(201, CompletionSchema)
    def post(self, data: dict[str, Any], learner_id: str):
        """Credit a completed assignment: evidence for full mappings, flags for partial ones."""
        created = vmbo.record_completion(db.session, current_actor(), learner_id, data)
        location = url_for("vmbo.CompletionCollection", learner_id=learner_id)
        return created, 201, {"Location": location}


@blp.route("/learners/<learner_id>/vmbo-completions/<int(max=2147483647):completion_id>/withdraw")
class CompletionWithdrawAction(MethodView):
    @blp.arguments(WithdrawSchema)
    @blp.response(200, CompletionSchema)
    def post(self, data: dict[str, Any], learner_id: str, completion_id: int):
        """Withdraw a completion and its evidence (kept, marked withdrawn).

        Issued credentials whose achievement is no longer earned without it are suspended
        ("onderbouwing ingetrokken"); staff lift that with `/credentials/{id}/unsuspend`.
        """
        return vmbo.withdraw_completion(
            db.session,
            current_actor(),
            credential_environment(),
            learner_id,
            completion_id,
            data["reason"],
        )


@routes_blp.route("/routes")
class RouteCollection(MethodView):
    @public
    @routes_blp.arguments(ListArgs, location="query")
    @routes_blp.response(200, page_of(RouteSchema))
    def get(self, args: dict[str, Any]):
        """List route templates."""
        return vmbo.list_routes(db.session, ListFilter(**args))

    @routes_blp.arguments(RouteInSchema)
    @routes_blp.response(201, RouteSchema)
    def post(self, route: RouteTemplate):
        """Create a doorlopende leerroute: a vmbo programme continuing into a qualification."""
        created = vmbo.create_route(db.session, current_actor(), route)
        return created, 201, {"Location": url_for("routes.RouteResource", code=created.code)}


@routes_blp.route("/routes/<code>")
class RouteResource(MethodView):
    @public
    @routes_blp.response(200, RouteSummarySchema)
    def get(self, code: str):
        """What the vmbo part covers (fully, partly) and what remains for the mbo part, in hours."""
        return vmbo.get_route(db.session, code)
