"""Documents of OID4VCI 1.0 (pre-authorized code flow), described for the OpenAPI document.

The wallet endpoints answer with OAuth 2.0 / OID4VCI bodies, not problem documents: errors
are ``{"error", "error_description"}`` as ``application/json`` (`OAuthErrorSchema`).
"""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

from app.domain.credentials.oid4vci import CONFIGURATION_ID, PRE_AUTHORIZED_GRANT
from app.schemas.credentials import VerifiableCredentialSchema
from app.schemas.problems import doc


class OAuthErrorSchema(Schema):
    """An OAuth 2.0 error (RFC 6749 §5.2, OID4VCI 1.0 §8.3.1)."""

    error = fields.String(
        required=True,
        metadata={
            **doc(
                "invalid_request, unsupported_grant_type, invalid_grant, invalid_token, "
                "invalid_credential_request, unknown_credential_configuration, invalid_proof, "
                "invalid_nonce, credential_request_denied, slow_down (429)"
            ),
            "example": "invalid_grant",
        },
    )
    error_description = fields.String()


class OfferCreatedSchema(Schema):
    """A new credential offer; the PIN is shown this once."""

    credential_offer_uri = fields.Url(required=True)
    offer_url = fields.String(
        required=True,
        metadata={
            **doc("the QR code's payload"),
            "example": "openid-credential-offer://?credential_offer_uri=https%3A%2F%2F…",
        },
    )
    tx_code = fields.String(
        required=True, metadata={**doc("the PIN: 6 digits"), "pattern": "^[0-9]{6}$"}
    )
    expires_at = fields.String(required=True, metadata=doc("ISO 8601, UTC (Z)"))


class _Open(Schema):
    class Meta:
        unknown = INCLUDE


class IssuerMetadataSchema(_Open):
    """Credential Issuer Metadata (OID4VCI 1.0 §12.2)."""

    credential_issuer = fields.Url(required=True)
    credential_endpoint = fields.Url(required=True)
    nonce_endpoint = fields.Url(required=True)
    display = fields.List(fields.Dict())
    credential_configurations_supported = fields.Dict(required=True)


class AuthorizationServerMetadataSchema(_Open):
    """OAuth 2.0 Authorization Server Metadata (RFC 8414)."""

    issuer = fields.Url(required=True)
    token_endpoint = fields.Url(required=True)
    grant_types_supported = fields.List(fields.String())


class CredentialOfferSchema(_Open):
    """A Credential Offer (OID4VCI 1.0 §4.1.1), fetched by reference."""

    credential_issuer = fields.Url(required=True)
    credential_configuration_ids = fields.List(
        fields.String(metadata={"example": CONFIGURATION_ID}), required=True
    )
    grants = fields.Dict(required=True)


class WalletTokenRequestSchema(Schema):
    """The token request (form-encoded) of the pre-authorized code flow."""

    grant_type = fields.String(required=True, validate=validate.OneOf([PRE_AUTHORIZED_GRANT]))
    pre_authorized_code = fields.String(required=True, data_key="pre-authorized_code")
    tx_code = fields.String(metadata=doc("the PIN shown beside the QR code"))


class WalletTokenSchema(Schema):
    access_token = fields.String(required=True)
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = fields.Integer(required=True)


class WalletNonceSchema(Schema):
    c_nonce = fields.String(required=True)


class WalletNonceRequestSchema(_Open):
    """The nonce endpoint takes no parameters; a body, if any, is ignored."""


class ProofsSchema(_Open):
    jwt = fields.List(fields.String(), required=True, metadata=doc("exactly one key proof JWT"))


class CredentialRequestSchema(_Open):
    """A Credential Request (OID4VCI 1.0 §8.2)."""

    credential_configuration_id = fields.String(
        required=True, metadata={"example": CONFIGURATION_ID}
    )
    proofs = fields.Nested(ProofsSchema, required=True)


class IssuedCredentialSchema(Schema):
    credential = fields.Nested(VerifiableCredentialSchema, required=True)


class CredentialResponseSchema(Schema):
    """A Credential Response (OID4VCI 1.0 §8.3): one credential bound to the holder's DID."""

    credentials = fields.List(fields.Nested(IssuedCredentialSchema), required=True)
