"""Learners, their records and their paths: /api/learners."""

from __future__ import annotations

from typing import Any

from flask import current_app, request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from app.clock import today
from app.domain.learner import EnrolmentItem
from app.domain.paging import ListFilter
from app.extensions import db
from app.request_context import credential_environment, current_actor, default_institution
from app.schemas.access import EraseSchema, ErasureSchema, LearnerExportSchema
from app.schemas.learners import (
    DiplomaInSchema,
    DiplomaSchema,
    EnrolmentSchema,
    EntrustmentInSchema,
    EntrustmentSchema,
    EvidenceInSchema,
    EvidenceSchema,
    LearnerInSchema,
    LearnerListArgs,
    LearnerSchema,
    LearnerUpdateSchema,
    PathArgs,
    PathsArgs,
    WithdrawSchema,
)
from app.schemas.paths import PathRankingSchema, PathSchema
from app.schemas.registry import ListArgs, one_or_many, page_of
from app.services import data_rights, learner_details, learners

blp = Blueprint("learners", __name__, description="Learners, their records and their paths")

#: `POST /learners/{id}/evidence` takes one evidence object or a list of them (all-or-nothing).
EVIDENCE_BODY = {
    "required": True,
    "description": "One evidence object (answered with one) or a list (answered with a list).",
    "content": {
        "application/json": {
            "schema": one_or_many(EvidenceInSchema),
            "example": {
                "outcome": "VV:B1-K1-W1",
                "source": "exam",
                "date": "2024-06-01",
                "assessor": "J. de Vries",
            },
        }
    },
}


@blp.route("/learners")
class LearnerCollection(MethodView):
    @blp.arguments(LearnerListArgs, location="query")
    @blp.response(200, page_of(LearnerSchema))
    def get(self, args: dict[str, Any]):
        """List learners (filters: q, institution, external_id)."""
        external_id = args.pop("external_id", None)
        return learners.list_learners(db.session, current_actor(), ListFilter(**args), external_id)

    @blp.arguments(LearnerInSchema)
    @blp.response(201, LearnerSchema)
    def post(self, data: dict[str, Any]):
        """Register a learner; the id is assigned by the service."""
        institution = data.get("institution") or default_institution()
        learner = learner_details.create_learner(
            db.session,
            current_actor(),
            data["name"],
            institution,
            data.get("external_id"),
            data.get("email"),
        )
        location = url_for("learners.LearnerResource", learner_id=learner.id)
        return learner, 201, {"Location": location}


@blp.route("/learners/<learner_id>")
class LearnerResource(MethodView):
    @blp.response(200, LearnerSchema)
    def get(self, learner_id: str):
        """Get a learner."""
        return learners.read_learner(db.session, current_actor(), learner_id)

    @blp.arguments(LearnerUpdateSchema)
    @blp.response(200, LearnerSchema)
    def patch(self, data: dict[str, Any], learner_id: str):
        """Set or clear the learner's e-mail address (staff of the school)."""
        return learner_details.set_learner_email(
            db.session, current_actor(), learner_id, data["email"]
        )


@blp.route("/learners/<learner_id>/export")
class LearnerExportResource(MethodView):
    @blp.response(200, LearnerExportSchema)
    def get(self, learner_id: str):
        """All data about the learner as one JSON document (the learner, their school, admin)."""
        return data_rights.export_learner(db.session, current_actor(), learner_id)


@blp.route("/learners/<learner_id>/erase")
class LearnerErasureAction(MethodView):
    @blp.arguments(EraseSchema)
    @blp.response(200, ErasureSchema)
    def post(self, data: dict[str, Any], learner_id: str):
        """Erase the learner's personal data; their credentials are revoked (admin only)."""
        return data_rights.erase_learner(
            db.session, current_actor(), credential_environment(), learner_id, data["reason"]
        )


@blp.route("/learners/<learner_id>/evidence")
class EvidenceCollection(MethodView):
    @blp.arguments(ListArgs, location="query")
    @blp.response(200, page_of(EvidenceSchema))
    def get(self, args: dict[str, Any], learner_id: str):
        """All evidence of a learner, withdrawn items included."""
        return learners.list_evidence(db.session, current_actor(), learner_id, ListFilter(**args))

    @blp.doc(requestBody=EVIDENCE_BODY)
    @blp.response(201)
    @blp.alt_response(201, schema=one_or_many(EvidenceSchema), success=True)
    def post(self, learner_id: str):
        """Record one evidence object (→ object) or a list (→ list; all-or-nothing)."""
        body = request.get_json(silent=True)
        as_list = isinstance(body, list)
        items = (
            EvidenceInSchema(many=True).load(body)
            if as_list
            else [EvidenceInSchema().load(_object(body))]
        )
        created = learners.record_evidence(
            db.session, current_actor(), learner_id, items, as_list=as_list
        )
        dumped = EvidenceSchema(many=True).dump(created)
        location = url_for("learners.EvidenceCollection", learner_id=learner_id)
        return (dumped if as_list else dumped[0]), 201, {"Location": location}


@blp.route("/learners/<learner_id>/evidence/<int(max=2147483647):evidence_id>/withdraw")
class EvidenceWithdrawAction(MethodView):
    @blp.arguments(WithdrawSchema)
    @blp.response(200, EvidenceSchema)
    def post(self, data: dict[str, Any], learner_id: str, evidence_id: int):
        """Withdraw evidence (it is kept, marked withdrawn, and no longer counts).

        Issued credentials whose achievement is no longer earned without it are suspended
        ("onderbouwing ingetrokken"); staff lift that with `/credentials/{id}/unsuspend`.
        """
        return learners.withdraw_evidence(
            db.session,
            current_actor(),
            credential_environment(),
            learner_id,
            evidence_id,
            data["reason"],
        )


@blp.route("/learners/<learner_id>/entrustments")
class EntrustmentCollection(MethodView):
    @blp.arguments(ListArgs, location="query")
    @blp.response(200, page_of(EntrustmentSchema))
    def get(self, args: dict[str, Any], learner_id: str):
        """All entrustment decisions of a learner, withdrawn ones included."""
        return learners.list_entrustments(
            db.session, current_actor(), learner_id, ListFilter(**args)
        )

    @blp.arguments(EntrustmentInSchema)
    @blp.response(201, EntrustmentSchema)
    def post(self, data: dict[str, Any], learner_id: str):
        """Record an entrustment decision (EPA, supervision level 1–5)."""
        created = learners.record_entrustment(db.session, current_actor(), learner_id, data)
        location = url_for("learners.EntrustmentCollection", learner_id=learner_id)
        return created, 201, {"Location": location}


@blp.route("/learners/<learner_id>/entrustments/<int(max=2147483647):entrustment_id>/withdraw")
class EntrustmentWithdrawAction(MethodView):
    @blp.arguments(WithdrawSchema)
    @blp.response(200, EntrustmentSchema)
    def post(self, data: dict[str, Any], learner_id: str, entrustment_id: int):
        """Withdraw an entrustment decision.

        An EPA credential whose level the learner no longer holds is suspended ("onderbouwing
        ingetrokken"); staff lift that with `/credentials/{id}/unsuspend`.
        """
        return learners.withdraw_entrustment(
            db.session,
            current_actor(),
            credential_environment(),
            learner_id,
            entrustment_id,
            data["reason"],
        )


@blp.route("/learners/<learner_id>/diplomas")
class DiplomaCollection(MethodView):
    @blp.arguments(ListArgs, location="query")
    @blp.response(200, page_of(DiplomaSchema))
    def get(self, args: dict[str, Any], learner_id: str):
        """Qualifications the learner already holds."""
        return learners.list_diplomas(db.session, current_actor(), learner_id, ListFilter(**args))

    @blp.arguments(DiplomaInSchema)
    @blp.response(201, DiplomaSchema)
    def post(self, data: dict[str, Any], learner_id: str):
        """Record a diploma held (it meets entry requirements; it credits no outcomes)."""
        created = learners.record_diploma(db.session, current_actor(), learner_id, data)
        location = url_for("learners.DiplomaCollection", learner_id=learner_id)
        return created, 201, {"Location": location}


@blp.route("/learners/<learner_id>/enrolments")
class EnrolmentCollection(MethodView):
    @blp.arguments(ListArgs, location="query")
    @blp.response(200, page_of(EnrolmentSchema))
    def get(self, args: dict[str, Any], learner_id: str):
        """The learner's enrolments."""
        return learners.list_enrolments(db.session, current_actor(), learner_id, ListFilter(**args))

    @blp.arguments(EnrolmentSchema)
    @blp.response(201, EnrolmentSchema)
    def post(self, enrolment: EnrolmentItem, learner_id: str):
        """Enrol the learner toward a qualification (one enrolment per qualification)."""
        created = learners.enrol(db.session, current_actor(), learner_id, enrolment)
        location = url_for(
            "learners.EnrolmentResource", learner_id=learner_id, qualification=created.qualification
        )
        return created, 201, {"Location": location}


@blp.route("/learners/<learner_id>/enrolments/<qualification>")
class EnrolmentResource(MethodView):
    @blp.response(200, EnrolmentSchema)
    def get(self, learner_id: str, qualification: str):
        """One enrolment."""
        return learners.get_enrolment(db.session, current_actor(), learner_id, qualification)

    @blp.arguments(EnrolmentSchema)
    @blp.response(200, EnrolmentSchema)
    def put(self, enrolment: EnrolmentItem, learner_id: str, qualification: str):
        """Replace an enrolment (chosen electives, start, hours per week)."""
        return learners.replace_enrolment(
            db.session, current_actor(), learner_id, qualification, enrolment
        )


@blp.route("/learners/<learner_id>/path")
class LearnerPath(MethodView):
    @blp.arguments(PathArgs, location="query")
    @blp.response(200, PathSchema)
    def get(self, args: dict[str, Any], learner_id: str):
        """What remains toward a qualification, why, in what order and by when."""
        return learners.learner_path(
            db.session,
            current_actor(),
            learner_id,
            args.get("qualification"),
            args.get("on"),
            args.get("hours_per_week"),
            caches=current_app.extensions["path_caches"],
        )


@blp.route("/learners/<learner_id>/paths")
class LearnerPaths(MethodView):
    @blp.arguments(PathsArgs, location="query")
    @blp.response(200, PathRankingSchema)
    def get(self, args: dict[str, Any], learner_id: str):
        """Every qualification, closest first: which diploma is nearest for this learner."""
        on = args.get("on") or today()
        summaries = learners.learner_paths(
            db.session, current_actor(), learner_id, on, current_app.extensions["path_caches"]
        )
        return {"on": on, "paths": summaries}


def _object(body: Any) -> dict[str, Any]:
    from marshmallow import ValidationError

    if not isinstance(body, dict):
        raise ValidationError({"_schema": ["expected a JSON object or an array of objects"]})
    return body
