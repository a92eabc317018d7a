"""European Digital Credentials (ELM v3): an issued credential in Europe's format."""

from __future__ import annotations

from flask import Response, jsonify
from flask.views import MethodView
from flask_smorest import Blueprint

from app.extensions import db
from app.request_context import credential_environment, current_actor
from app.schemas.edc import EuropeanDigitalCredentialSchema
from app.services import edc

blp = Blueprint("edc", __name__, description="European Digital Credentials (ELM v3)")


@blp.route("/credentials/<credential_id>/edc")
class CredentialEdc(MethodView):
    @blp.response(200, EuropeanDigitalCredentialSchema)
    def get(self, credential_id: str) -> Response:
        """The credential as a signed European Digital Credential (EDC, ELM v3).

        Built from the stored credential and the institution's legal data, signed afresh by
        the key that signed the credential; same id, so its status is the credential's.
        Who may read the credential may read its EDC; 409 when the institution has no legal
        name, KvK number or country yet.
        """
        return jsonify(
            edc.credential_edc(db.session, current_actor(), credential_environment(), credential_id)
        )
