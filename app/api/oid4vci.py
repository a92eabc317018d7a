"""Wallets by OpenID for Verifiable Credential Issuance 1.0 (pre-authorized code flow).

`offers_blp` (under /api): ``POST /api/credentials/{id}/offer`` makes an offer (the learner,
or staff of the issuing school). `blp` (outside /api, open to every wallet): the two metadata
documents, the offer document, and the token, nonce and credential endpoints. These answer
errors as OAuth 2.0 / OID4VCI do (``{"error", "error_description"}``, ``application/json``),
never as problem documents; the wallet's access token is read here (the pages' authentication
reads only cookies outside /api).
"""

from __future__ import annotations

from flask import Response, jsonify, request
from flask_smorest import Blueprint
from werkzeug.exceptions import BadRequest, TooManyRequests

from app.authentication import public
from app.domain.credentials.oid4vci import (
    InvalidRequest,
    InvalidToken,
    UnknownOffer,
    WalletRequestRefused,
)
from app.extensions import db
from app.request_context import credential_environment, current_actor
from app.schemas.oid4vci import (
    AuthorizationServerMetadataSchema,
    CredentialOfferSchema,
    CredentialRequestSchema,
    CredentialResponseSchema,
    IssuerMetadataSchema,
    OAuthErrorSchema,
    OfferCreatedSchema,
    WalletNonceRequestSchema,
    WalletNonceSchema,
    WalletTokenRequestSchema,
    WalletTokenSchema,
)
from app.services import oid4vci

FORM = "application/x-www-form-urlencoded"

blp = Blueprint(
    "oid4vci",
    __name__,
    description="OID4VCI 1.0 for wallets (pre-authorized code flow, ldp_vc); OAuth error bodies",
)
offers_blp = Blueprint(
    "credential_offers", __name__, description="Offer a credential to a wallet (OID4VCI)"
)

REFUSED = "Refused: an OAuth 2.0 / OID4VCI error (`error`, `error_description`)."
BEARER_REFUSED = {
    "WWW-Authenticate": {
        "description": 'Bearer error="invalid_token"',
        "schema": {"type": "string"},
    }
}


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def wallet_error(error: WalletRequestRefused) -> Response:
    """An OAuth error body: 401 for the access token, 404 for an offer, else 400."""
    status = (
        401 if isinstance(error, InvalidToken) else 404 if isinstance(error, UnknownOffer) else 400
    )
    response = jsonify({"error": error.error, "error_description": error.detail})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = (
            f'Bearer realm="leerlijn", error="invalid_token", error_description="{error.detail}"'
        )
    return _no_store(response)


def too_many(error: TooManyRequests) -> Response:
    """The token and nonce endpoints' rate limit: an OAuth error (``slow_down``), Retry-After."""
    response = jsonify(
        {"error": "slow_down", "error_description": f"too many requests: {error.description}"}
    )
    response.status_code = 429
    for header, value in error.get_headers():
        if header.lower() not in ("content-type", "content-length"):
            response.headers[header] = value
    return _no_store(response)


def bad_request(error: BadRequest) -> Response:
    """A request refused before the view (e.g. a NUL character in the body), the OAuth way."""
    return wallet_error(InvalidRequest(str(error.description or "the request is malformed")))


blp.register_error_handler(WalletRequestRefused, wallet_error)
blp.register_error_handler(BadRequest, bad_request)
blp.register_error_handler(TooManyRequests, too_many)


def _refusals(*statuses: int):  # type: ignore[no-untyped-def]
    """Document OAuth error answers with `statuses`."""

    def decorate(view):  # type: ignore[no-untyped-def]
        for status in statuses:
            view = blp.alt_response(
                status,
                schema=OAuthErrorSchema,
                description=REFUSED,
                headers=BEARER_REFUSED if status == 401 else None,
            )(view)
        return view

    return decorate


@offers_blp.route("/credentials/<credential_id>/offer", methods=["POST"])
@offers_blp.doc(
    requestBody={
        "required": False,
        "description": "Nothing is needed; an empty object may be sent.",
        "content": {"application/json": {"schema": WalletNonceRequestSchema}},
    }
)
@offers_blp.response(201, OfferCreatedSchema)
def create_offer(credential_id: str) -> tuple[dict[str, str], int, dict[str, str]]:
    """Offer the credential to a wallet: the QR code's URL and the PIN (shown this once).

    The learner it belongs to or staff of the issuing school; a credential may have several
    open offers, each valid for 15 minutes. A revoked or suspended credential is refused (409).
    """
    offer = oid4vci.create_offer(
        db.session, current_actor(), credential_environment(), credential_id
    )
    return offer.as_dict(), 201, {"Cache-Control": "no-store"}


@blp.route("/.well-known/openid-credential-issuer", methods=["GET"])
@blp.response(200, IssuerMetadataSchema)
@public
def issuer_metadata() -> Response:
    """The Credential Issuer Metadata."""
    return jsonify(oid4vci.issuer_metadata(credential_environment()))


@blp.route("/.well-known/oauth-authorization-server", methods=["GET"])
@blp.response(200, AuthorizationServerMetadataSchema)
@public
def authorization_server_metadata() -> Response:
    """The Authorization Server Metadata (the token endpoint)."""
    return jsonify(oid4vci.authorization_server_metadata(credential_environment()))


@blp.route("/oid4vci/offers/<offer_id>", methods=["GET"])
@blp.response(200, CredentialOfferSchema)
@_refusals(404)
@public
def offer_document(offer_id: str) -> Response:
    """A Credential Offer (the `credential_offer_uri`), while it can be redeemed."""
    document = oid4vci.offer_document(db.session, credential_environment(), offer_id)
    return _no_store(jsonify(document))


@blp.route("/oid4vci/token", methods=["POST"])
@blp.doc(requestBody={"required": True, "content": {FORM: {"schema": WalletTokenRequestSchema}}})
@blp.response(200, WalletTokenSchema)
@_refusals(400, 429)
@public
def token() -> Response:
    """Trade the pre-authorized code and its PIN for an access token (one credential request).

    A wrong or missing PIN is `invalid_grant` and does not use the code up; after 5 wrong
    PINs the offer is locked. Requests per client address are rate limited (429).
    """
    if request.mimetype != FORM:
        raise InvalidRequest(f"the token request must be {FORM}")
    form = request.form
    answer = oid4vci.redeem_code(
        db.session,
        credential_environment(),
        form.get("grant_type"),
        form.get("pre-authorized_code"),
        form.get("tx_code"),
    )
    return _no_store(jsonify(answer.as_dict()))


@blp.route("/oid4vci/nonce", methods=["POST"])
@blp.doc(
    requestBody={
        "required": False,
        "description": "No parameters; a body is ignored.",
        "content": {"application/json": {"schema": WalletNonceRequestSchema}},
    }
)
@blp.response(200, WalletNonceSchema)
@_refusals(429)
@public
def nonce() -> Response:
    """A fresh `c_nonce` for a key proof: single use, valid for 5 minutes. Requests per client
    address are rate limited (429)."""
    return _no_store(jsonify({"c_nonce": oid4vci.issue_nonce(db.session)}))


@blp.route("/oid4vci/credential", methods=["POST"])
@blp.doc(
    requestBody={
        "required": True,
        "content": {"application/json": {"schema": CredentialRequestSchema}},
    }
)
@blp.response(200, CredentialResponseSchema)
@_refusals(400, 401)
@public
def credential() -> Response:
    """The credential, bound to the did:key of the key proof (`Authorization: Bearer` the
    access token, good for one request)."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    access_token = secret.strip() if scheme.lower() == "bearer" else None
    answer = oid4vci.deliver_credential(
        db.session,
        credential_environment(),
        access_token,
        _json_body(),
    )
    return _no_store(jsonify(answer))


def _json_body() -> object:
    """The parsed JSON body, or None (not JSON, malformed, or absurdly deep)."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        return None
