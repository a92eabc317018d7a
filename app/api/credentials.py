"""Credentials: issue, read, list per learner, change status, verify: /api/credentials."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, jsonify, request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from app.authentication import public
from app.domain.errors import InvalidData
from app.domain.paging import ListFilter
from app.extensions import db
from app.request_context import credential_environment, current_actor
from app.schemas.credentials import (
    CredentialStatusSchema,
    CredentialSummarySchema,
    IssueSchema,
    StatusChangeSchema,
    VerifiableCredentialSchema,
    VerificationSchema,
    VerifyRequestSchema,
)
from app.schemas.registry import ListArgs, page_of
from app.services import credentials, status, verification

blp = Blueprint(
    "credentials", __name__, description="Open Badges 3.0 credentials: issue and verify"
)

VC_MEDIA_TYPE = "application/vc+ld+json"

#: The request body of `POST /api/verify`: any JSON value is accepted (and judged), an object
#: is expected; documented so that "Try it out" in /api/docs sends one. Either the credential
#: itself, or ``{"credential": ..., "holder": {"name": ..., "email": ...}}`` to also check that
#: it belongs to that person (the ``holder`` check).
VERIFY_BODY = {
    "required": True,
    "description": (
        "A signed credential from any issuer, as received (JSON-LD, VC 2.0); or an object with"
        " that credential under `credential` and the person presenting it under `holder`"
        " (`name` and/or `email`), to check it names them (check `holder`: match, no-match or"
        " not-checked)."
    ),
    "content": {
        "application/json": {"schema": {"oneOf": [VerifiableCredentialSchema, VerifyRequestSchema]}}
    },
}

#: Longest holder name or e-mail taken in a verify request.
MAX_HOLDER_FIELD = 1000


def verify_request(body: Any) -> tuple[Any, dict[str, str]]:
    """Split a verify request into the credential and the holder (empty when none is given).

    A JSON object with a ``credential`` member and no ``@context`` is the wrapped form; any other
    body is the credential itself.
    """
    if not (isinstance(body, dict) and "credential" in body and "@context" not in body):
        return body, {}
    holder = body.get("holder")
    if holder is None:
        return body["credential"], {}
    if not isinstance(holder, dict):
        raise InvalidData([{"pointer": "/holder", "message": "holder must be an object"}])
    given: dict[str, str] = {}
    for field in ("name", "email"):
        value = holder.get(field)
        if value is None:
            continue
        if not isinstance(value, str) or len(value) > MAX_HOLDER_FIELD:
            raise InvalidData(
                [{"pointer": f"/holder/{field}", "message": "a string (at most 1000 characters)"}]
            )
        given[field] = value
    return body["credential"], given


def credential_response(
    document: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """The signed credential itself, as application/vc+ld+json when asked, else JSON."""
    response = jsonify(document)
    response.status_code = status
    # Ties (e.g. */*) go to plain JSON: only a client that asks for vc+ld+json gets it.
    if request.accept_mimetypes.best_match(["application/json", VC_MEDIA_TYPE]) == VC_MEDIA_TYPE:
        response.mimetype = VC_MEDIA_TYPE
    response.headers.update(headers or {})
    return response


def signed_credential(status_code: int, description: str) -> Callable[[Any], Any]:
    """Document a view answering with a signed credential, in JSON or ``vc+ld+json``."""

    def decorate(view: Any) -> Any:
        view = blp.alt_response(
            status_code,
            schema=VerifiableCredentialSchema,
            content_type=VC_MEDIA_TYPE,
            description=description,
            success=True,
        )(view)
        return blp.response(status_code, VerifiableCredentialSchema, description=description)(view)

    return decorate


HELD = (
    "The learner already holds a credential for this achievement that is not revoked (and whose "
    "key is not retired): that one, as issued (Location: its URL in this API); nothing is minted."
)


@blp.route("/credentials")
class CredentialCollection(MethodView):
    @blp.arguments(IssueSchema)
    @signed_credential(201, "The signed OpenBadgeCredential (Location: its URL in this API).")
    @blp.alt_response(200, schema=VerifiableCredentialSchema, description=HELD, success=True)
    @blp.alt_response(
        200,
        schema=VerifiableCredentialSchema,
        content_type=VC_MEDIA_TYPE,
        description=HELD,
        success=True,
    )
    def post(self, data: dict[str, Any]):
        """Issue a signed credential; the body of the answer is the credential itself.

        Idempotent per learner and achievement: while the learner holds a credential for it
        that is not revoked, that one is answered (200) instead of a new one (201).
        """
        issued, created = credentials.issue_credential(
            db.session,
            current_actor(),
            credential_environment(),
            data["learner"],
            data["achievement"],
        )
        return credential_response(
            issued.document,
            201 if created else 200,
            {"Location": url_for("credentials.CredentialResource", credential_id=issued.id)},
        )


@blp.route("/credentials/<credential_id>")
class CredentialResource(MethodView):
    @signed_credential(200, "The signed OpenBadgeCredential, as issued.")
    def get(self, credential_id: str):
        """The signed credential."""
        return credential_response(
            credentials.read_credential(db.session, current_actor(), credential_id).document
        )


@blp.route("/learners/<learner_id>/credentials")
class LearnerCredentialCollection(MethodView):
    @blp.arguments(ListArgs, location="query")
    @blp.response(200, page_of(CredentialSummarySchema))
    def get(self, args: dict[str, Any], learner_id: str):
        """Credentials issued to a learner (each with the signed document)."""
        return credentials.learner_credentials(
            db.session, current_actor(), learner_id, ListFilter(**args)
        )


@blp.route("/learners/<learner_id>/record")
class LearnerRecordResource(MethodView):
    @signed_credential(200, "A signed CLR 2.0 ClrCredential embedding every credential.")
    def get(self, learner_id: str):
        """The learner's whole record: a signed CLR 2.0 ClrCredential embedding every credential."""
        document = credentials.learner_record_credential(
            db.session, current_actor(), credential_environment(), learner_id
        )
        return credential_response(document)


@blp.route("/verify")
class VerifyAction(MethodView):
    @public
    @blp.doc(requestBody=VERIFY_BODY)
    @blp.response(200, VerificationSchema)
    def post(self):
        """Verify a credential (any issuer's): each check with its reason; never a 500."""
        document, holder = verify_request(request.get_json(silent=True))
        return verification.verify(
            db.session, credential_environment(), document, holder=holder
        ).as_dict()


STATUS_ACTIONS = {
    "revoke": "Revoke a credential for good (its revocation bit is set).",
    "suspend": "Suspend a credential (its suspension bit is set until unsuspended).",
    "unsuspend": "Lift a suspension.",
}


def _status_change(action: str) -> type[MethodView]:
    class StatusChangeAction(MethodView):
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

    StatusChangeAction.post.__doc__ = STATUS_ACTIONS[action]
    StatusChangeAction.__name__ = f"Credential{action.capitalize()}Action"
    return blp.route(f"/credentials/<credential_id>/{action}")(StatusChangeAction)  # type: ignore[no-any-return]


for _action in STATUS_ACTIONS:
    _status_change(_action)


@blp.route("/credentials/<credential_id>/status")
class CredentialStatusResource(MethodView):
    @blp.response(200, CredentialStatusSchema)
    def get(self, credential_id: str):
        """The credential's status and its history."""
        return status.credential_status(
            db.session, current_actor(), credential_environment(), credential_id
        )
