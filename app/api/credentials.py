"""Credentials: issue, read, list per learner, verify; and issuers' DID documents."""

from __future__ import annotations

from typing import Any

from flask import Blueprint as FlaskBlueprint
from flask import current_app, jsonify, request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from app.adapters.credential_environment import credential_environment
from app.api import current_actor
from app.extensions import db
from app.persistence import registry_repository as repo
from app.schemas.registry import ListArgs, StrictSchema, code_field, page_of
from app.services import credentials, status

blp = Blueprint(
    "credentials", __name__, description="Open Badges 3.0 credentials: issue and verify"
)
did_documents = FlaskBlueprint("issuers", __name__)

VC_MEDIA_TYPE = "application/vc+ld+json"


class AchievementRefSchema(StrictSchema):
    type = fields.String(required=True, validate=validate.OneOf(["unit", "epa", "qualification"]))
    code = code_field(required=True)


class IssueSchema(StrictSchema):
    learner = fields.String(required=True, validate=validate.Length(min=1, max=40))
    achievement = fields.Nested(AchievementRefSchema, required=True)


class CredentialSummarySchema(Schema):
    id = fields.String()
    url = fields.Function(
        lambda c: credentials.credential_url(current_app.config["LEERLIJN_BASE_URL"], c.id)
    )
    type = fields.String(attribute="achievement_type")
    code = fields.String(attribute="achievement_code")
    name = fields.String()
    institution = fields.String()
    issued_at = fields.DateTime()
    credential = fields.Dict(attribute="document")


class CheckSchema(Schema):
    check = fields.String()
    ok = fields.Boolean()
    message = fields.String()


class VerificationSchema(Schema):
    verified = fields.Boolean()
    checks = fields.List(fields.Nested(CheckSchema))


def credential_response(
    document: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
):
    """The signed credential itself, as application/vc+ld+json when asked, else JSON."""
    response = jsonify(document)
    response.status_code = status
    # Ties (e.g. */*) go to plain JSON: only a client that asks for vc+ld+json gets it.
    if request.accept_mimetypes.best_match(["application/json", VC_MEDIA_TYPE]) == VC_MEDIA_TYPE:
        response.mimetype = VC_MEDIA_TYPE
    response.headers.update(headers or {})
    return response


@blp.route("/credentials")
class Credentials(MethodView):
    @blp.arguments(IssueSchema)
    @blp.response(201)
    def post(self, data: dict[str, Any]):
        """Issue a signed credential; the body of the answer is the credential itself."""
        issued = credentials.issue_credential(
            db.session,
            current_actor(),
            credential_environment(),
            data["learner"],
            data["achievement"],
        )
        return credential_response(
            issued.document,
            201,
            {"Location": url_for("credentials.CredentialItem", credential_id=issued.id)},
        )


@blp.route("/credentials/<credential_id>")
class CredentialItem(MethodView):
    @blp.response(200)
    def get(self, credential_id: str):
        """The signed credential."""
        return credential_response(credentials.get_credential(db.session, credential_id).document)


@blp.route("/learners/<learner_id>/credentials")
class LearnerCredentials(MethodView):
    @blp.arguments(ListArgs, location="query")
    @blp.response(200, page_of(CredentialSummarySchema))
    def get(self, args: dict[str, Any], learner_id: str):
        """Credentials issued to a learner (each with the signed document)."""
        return credentials.learner_credentials(db.session, learner_id, repo.ListFilter(**args))


@blp.route("/learners/<learner_id>/record")
class LearnerRecordCredential(MethodView):
    @blp.response(200)
    def get(self, learner_id: str):
        """The learner's whole record: a signed CLR 2.0 ClrCredential embedding every credential."""
        document = credentials.learner_record_credential(
            db.session, current_actor(), credential_environment(), learner_id
        )
        return credential_response(document)


@blp.route("/verify")
class Verify(MethodView):
    @blp.response(200, VerificationSchema)
    def post(self):
        """Verify a credential (any issuer's): each check with its reason; never a 500."""
        document = request.get_json(silent=True)
        return credentials.verify(db.session, credential_environment(), document).as_dict()


class StatusChangeSchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class StatusEventSchema(Schema):
    action = fields.String()
    reason = fields.String()
    by = fields.String()
    at = fields.String()


class CredentialStatusSchema(Schema):
    id = fields.String()
    status = fields.String(metadata={"description": "active, suspended or revoked"})
    revoked = fields.Boolean()
    suspended = fields.Boolean()
    history = fields.List(fields.Nested(StatusEventSchema))


def _status_change(action: str):  # type: ignore[no-untyped-def]
    class StatusChange(MethodView):
        @blp.arguments(StatusChangeSchema)
        @blp.response(200, CredentialStatusSchema)
        def post(self, data: dict[str, Any], credential_id: str):
            return status.change_status(
                db.session,
                current_actor(),
                credential_environment(),
                credential_id,
                action,
                data["reason"],
            )

    StatusChange.post.__doc__ = {
        "revoke": "Revoke a credential for good (its revocation bit is set).",
        "suspend": "Suspend a credential (its suspension bit is set until unsuspended).",
        "unsuspend": "Lift a suspension.",
    }[action]
    StatusChange.__name__ = f"Credential{action.capitalize()}"
    blp.route(f"/credentials/<credential_id>/{action}")(StatusChange)


for _action in ("revoke", "suspend", "unsuspend"):
    _status_change(_action)


@blp.route("/credentials/<credential_id>/status")
class CredentialStatus(MethodView):
    @blp.response(200, CredentialStatusSchema)
    def get(self, credential_id: str):
        """The credential's status and its history."""
        return status.credential_status(db.session, credential_id)


@did_documents.get("/status/<list_id>")
def status_list(list_id: str):
    """A signed BitstringStatusListCredential (re-signed whenever a bit changes)."""
    response = jsonify(status.status_list_document(db.session, list_id))
    response.mimetype = VC_MEDIA_TYPE
    response.headers["Cache-Control"] = "no-cache"
    return response


@did_documents.get("/issuers/<code>/did.json")
def did_document(code: str):
    """The did:web DID document of an issuing institution (its keys that are not retired)."""
    from app.services.registry import get_institution

    get_institution(db.session, code)
    response = jsonify(credential_environment().issuers.did_document(code))
    response.mimetype = "application/did+json"
    return response
