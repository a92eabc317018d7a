"""Public documents outside /api that verifiers fetch: status lists and issuers' DID documents."""

from __future__ import annotations

from flask import Response, jsonify
from flask_smorest import Blueprint

from app.api.credentials import VC_MEDIA_TYPE
from app.authentication import public
from app.extensions import db
from app.request_context import credential_environment
from app.schemas.credentials import DidDocumentSchema, VerifiableCredentialSchema
from app.services import status
from app.services.registry import get_institution

DID_MEDIA_TYPE = "application/did+json"

blp = Blueprint(
    "issuers",
    __name__,
    description="Served outside /api for verifiers: signed status lists and DID documents",
)


@blp.route("/status/<list_id>", methods=["GET"])
@blp.response(
    200,
    VerifiableCredentialSchema,
    content_type=VC_MEDIA_TYPE,
    description="A signed BitstringStatusListCredential.",
)
@public
def status_list(list_id: str) -> Response:
    """A signed BitstringStatusListCredential (re-signed whenever a bit changes)."""
    response = jsonify(status.status_list_document(db.session, list_id))
    response.mimetype = VC_MEDIA_TYPE
    response.headers["Cache-Control"] = "no-cache"
    return response


@blp.route("/issuers/<code>/did.json", methods=["GET"])
@blp.response(200, DidDocumentSchema, content_type=DID_MEDIA_TYPE)
@public
def did_document(code: str) -> Response:
    """The did:web DID document of an issuing institution (its keys that are not retired)."""
    get_institution(db.session, code)
    response = jsonify(credential_environment().issuers.did_document(code))
    response.mimetype = DID_MEDIA_TYPE
    return response
