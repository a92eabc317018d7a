"""Institutions, EPAs, outcome relations and the supervision scale."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from app.authentication import public
from app.domain.model import Epa, Institution, LegalData, OutcomeRelation
from app.domain.paging import ListFilter
from app.extensions import db
from app.request_context import current_actor, default_institution
from app.schemas.access import TrustSchema
from app.schemas.registry import (
    EpaSchema,
    InstitutionSchema,
    LegalDataSchema,
    ListArgs,
    OutcomeRelationSchema,
    RelationListArgs,
    SupervisionLevelSchema,
    owned,
    page_of,
)
from app.services import registry

blp = Blueprint(
    "catalog", __name__, description="Institutions, EPAs, outcome relations, supervision levels"
)


@blp.route("/institutions")
class InstitutionCollection(MethodView):
    @public
    @blp.arguments(ListArgs, location="query")
    @blp.response(200, page_of(InstitutionSchema))
    def get(self, args: dict[str, Any]):
        """List institutions (filters: kind, q)."""
        return registry.list_institutions(db.session, ListFilter(**args))

    @blp.arguments(InstitutionSchema)
    @blp.response(201, InstitutionSchema)
    def post(self, institution: Institution):
        """Create an institution."""
        created = registry.create_institution(db.session, current_actor(), institution)
        location = url_for("catalog.InstitutionResource", code=created.code)
        return created, 201, {"Location": location}


@blp.route("/institutions/<code>")
class InstitutionResource(MethodView):
    @public
    @blp.response(200, InstitutionSchema)
    def get(self, code: str):
        """Get an institution."""
        return registry.get_institution(db.session, code)


@blp.route("/institutions/<code>/legal")
class InstitutionLegalData(MethodView):
    @blp.arguments(LegalDataSchema)
    @blp.response(200, InstitutionSchema)
    def put(self, legal: LegalData, code: str):
        """Replace the institution's legal data for European Digital Credentials (admin only).

        Legal name, KvK number (8 digits; the issuer's `eidasLegalIdentifier`), street address,
        postal code (`1234 AB` in the Netherlands), locality, country (ISO 3166-1 alpha-2) and
        homepage (http or https); a field left out or null is cleared.
        """
        return registry.set_institution_legal(db.session, current_actor(), code, legal)


@blp.route("/institutions/<code>/trust")
class InstitutionTrustAction(MethodView):
    @blp.arguments(TrustSchema)
    @blp.response(200, InstitutionSchema)
    def post(self, data: dict[str, Any], code: str):
        """Trust an institution's credentials, or stop trusting them (admin only)."""
        return registry.set_institution_trust(db.session, current_actor(), code, data["trusted"])


@blp.route("/epas")
class EpaCollection(MethodView):
    @public
    @blp.arguments(ListArgs, location="query")
    @blp.response(200, page_of(EpaSchema))
    def get(self, args: dict[str, Any]):
        """List EPAs (filters: kind = EPA type kern/specifiek, q)."""
        return registry.list_epas(db.session, ListFilter(**args))

    @blp.arguments(EpaSchema)
    @blp.response(201, EpaSchema)
    def post(self, epa: Epa):
        """Create an EPA."""
        created = registry.create_epa(
            db.session, current_actor(), owned(epa, default_institution())
        )
        return created, 201, {"Location": url_for("catalog.EpaResource", code=created.code)}


@blp.route("/epas/<code>")
class EpaResource(MethodView):
    @public
    @blp.response(200, EpaSchema)
    def get(self, code: str):
        """Get an EPA."""
        return registry.get_epa(db.session, code)


@blp.route("/outcome-relations")
class OutcomeRelationCollection(MethodView):
    @public
    @blp.arguments(RelationListArgs, location="query")
    @blp.response(200, page_of(OutcomeRelationSchema))
    def get(self, args: dict[str, Any]):
        """List outcome relations (filters: kind = subsumes/partial, outcome)."""
        outcome = args.pop("outcome", None)
        return registry.list_outcome_relations(db.session, ListFilter(**args), outcome)

    @blp.arguments(OutcomeRelationSchema)
    @blp.response(201, OutcomeRelationSchema)
    def post(self, relation: OutcomeRelation):
        """Create an outcome relation (subsumes or partial)."""
        created = registry.create_outcome_relation(db.session, current_actor(), relation)
        location = url_for(
            "catalog.OutcomeRelationCollection", outcome=created.from_outcome, kind=created.type
        )
        return created, 201, {"Location": location}


@blp.route("/supervision-levels")
class SupervisionLevelCollection(MethodView):
    @public
    @blp.response(200, SupervisionLevelSchema(many=True))
    def get(self):
        """The five fixed supervision levels of entrustment decisions."""
        return registry.supervision_levels(db.session)
