"""CASE 1.0 REST binding (read): /api/case/v1p0/CFPackages, CFDocuments, CFItems.

Imports go through ``POST /api/import`` (a body with a ``CFDocument`` member, or
``?format=case``), which hands them to `import_case`.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify
from flask.views import MethodView
from flask_smorest import Blueprint

from app.adapters.json_schemas import load_case_validator
from app.authentication import public
from app.domain.access import Principal
from app.extensions import db
from app.schemas.case import (
    CFDocumentListSchema,
    CFDocumentResponseSchema,
    CFItemSchema,
    CFPackageSchema,
    PackageArgs,
    load_registry_document,
)
from app.services import case_packages

blp = Blueprint(
    "case",
    __name__,
    description="CASE 1.0 (1EdTech) packages of qualifications: units, outcomes, associations",
)

#: Where the app keeps its CASE JSON Schema validator (read on first use).
VALIDATOR_KEY = "leerlijn_case_validator"


def _base_url() -> str:
    return str(current_app.config["LEERLIJN_BASE_URL"])


def case_validator() -> case_packages.PackageValidator:
    """The app's CASE 1.0 CFPackage JSON Schema check, built on first use."""
    validator = current_app.extensions.get(VALIDATOR_KEY)
    if validator is None:
        validator = load_case_validator(current_app.config["SCHEMAS_DIR"] / "json-schema")
        current_app.extensions[VALIDATOR_KEY] = validator
    return validator  # type: ignore[no-any-return]


def import_case(actor: Principal | None, body: Any) -> dict[str, Any]:
    """``POST /api/import`` for a CASE 1.0 package: all or nothing, one transaction."""
    return case_packages.import_package(
        db.session,
        actor,
        body,
        base_url=_base_url(),
        validate=case_validator(),
        load=load_registry_document,
    )


@blp.route("/case/v1p0/CFPackages/<qualification>")
class CFPackageResource(MethodView):
    @public
    @blp.arguments(PackageArgs, location="query")
    @blp.response(200, CFPackageSchema)
    def get(self, args: dict[str, Any], qualification: str):
        """A qualification as a CASE 1.0 CFPackage (by its code or its CFDocument identifier).

        Items: every unit of the qualification (options included) and of its prerequisite
        graph, and their outcomes. Associations: isChildOf (outcome → unit → document),
        precedes (required unit → the unit that needs it), exactMatchOf / isRelatedTo (outcome
        relations inside the package) and, with ``?include=vmbo``, the vmbo mappings.
        """
        package = case_packages.export_package(
            db.session, qualification, _base_url(), include_vmbo=args.get("include") == "vmbo"
        )
        return jsonify(package)


@blp.route("/case/v1p0/CFDocuments")
class CFDocumentCollection(MethodView):
    @public
    @blp.response(200, CFDocumentListSchema)
    def get(self):
        """Every qualification's CFDocument."""
        return jsonify(case_packages.list_documents(db.session, _base_url()))


@blp.route("/case/v1p0/CFDocuments/<identifier>")
class CFDocumentResource(MethodView):
    @public
    @blp.response(200, CFDocumentResponseSchema)
    def get(self, identifier: str):
        """One CFDocument, by its identifier."""
        return jsonify(case_packages.get_document(db.session, identifier, _base_url()))


@blp.route("/case/v1p0/CFItems/<identifier>")
class CFItemResource(MethodView):
    @public
    @blp.response(200, CFItemSchema)
    def get(self, identifier: str):
        """One CFItem (a unit or an outcome), by its identifier."""
        return jsonify(case_packages.get_item(db.session, identifier, _base_url()))
