"""Learning units, their outcomes and prerequisites: /api/units."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from app.authentication import public
from app.domain.errors import NotFound
from app.domain.model import Prerequisite
from app.domain.paging import ListFilter
from app.extensions import db
from app.request_context import current_actor, default_institution
from app.schemas.registry import (
    ListArgs,
    PrerequisiteInSchema,
    PrerequisiteSchema,
    UnitPrerequisitesSchema,
    UnitSchema,
    page_of,
    to_unit,
)
from app.services import registry

blp = Blueprint("units", __name__, description="Learning units (leereenheden) with their outcomes")


@blp.route("/units")
class UnitCollection(MethodView):
    @public
    @blp.arguments(ListArgs, location="query")
    @blp.response(200, page_of(UnitSchema))
    def get(self, args: dict[str, Any]):
        """List units (filters: kind, q, institution)."""
        return registry.list_units(db.session, ListFilter(**args))

    @blp.arguments(UnitSchema)
    @blp.response(201, UnitSchema)
    def post(self, data: dict[str, Any]):
        """Create a unit with its outcomes."""
        unit = registry.create_unit(
            db.session, current_actor(), to_unit(data, default_institution())
        )
        return unit, 201, {"Location": url_for("units.UnitResource", code=unit.code)}


@blp.route("/units/<code>")
class UnitResource(MethodView):
    @public
    @blp.response(200, UnitSchema)
    def get(self, code: str):
        """Get a unit with its outcomes."""
        return registry.get_unit(db.session, code)

    @blp.arguments(UnitSchema)
    @blp.response(200, UnitSchema)
    def put(self, data: dict[str, Any], code: str):
        """Replace a unit as a whole (outcomes included)."""
        return registry.replace_unit(
            db.session, current_actor(), code, to_unit(data, default_institution())
        )

    @blp.response(204)
    def delete(self, code: str):
        """Delete a unit that nothing refers to."""
        registry.delete_unit(db.session, current_actor(), code)


@blp.route("/units/<code>/prerequisites")
class UnitPrerequisiteCollection(MethodView):
    @public
    @blp.response(200, UnitPrerequisitesSchema)
    def get(self, code: str):
        """The units this unit requires, and the units that require it."""
        return registry.unit_prerequisites(db.session, code)

    @blp.arguments(PrerequisiteInSchema)
    @blp.response(201, PrerequisiteSchema)
    def post(self, data: dict[str, Any], code: str):
        """Record that this unit requires another unit (refused when it closes a cycle)."""
        prerequisite = registry.add_prerequisite(
            db.session, current_actor(), Prerequisite(code, data["requires"])
        )
        location = url_for(
            "units.UnitPrerequisiteResource", code=code, requires=prerequisite.requires
        )
        return prerequisite, 201, {"Location": location}


@blp.route("/units/<code>/prerequisites/<requires>")
class UnitPrerequisiteResource(MethodView):
    @public
    @blp.response(200, PrerequisiteSchema)
    def get(self, code: str, requires: str):
        """One prerequisite of a unit."""
        if requires not in registry.unit_prerequisites(db.session, code)["requires"]:  # type: ignore[operator]
            raise NotFound("prerequisite", f"{code} requires {requires}")
        return Prerequisite(code, requires)

    @blp.response(204)
    def delete(self, code: str, requires: str):
        """Remove a prerequisite."""
        registry.remove_prerequisite(db.session, current_actor(), Prerequisite(code, requires))
