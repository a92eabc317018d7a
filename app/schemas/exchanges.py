"""marshmallow schemas of VC-API exchanges (the Learner Credential Wallet)."""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields

from app.schemas.credentials import SignedDocument, VerifiableCredentialSchema
from app.schemas.problems import doc
from app.schemas.registry import StrictSchema


class ExchangeCreatedSchema(Schema):
    """A new exchange: where the wallet talks to it, and the deep link that opens the wallet."""

    exchange_url = fields.String(
        required=True, metadata=doc("the VC-API exchange endpoint (POST); good for one delivery")
    )
    lcw_url = fields.String(
        required=True,
        metadata=doc(
            "https://lcw.app/request?request= and the URL-encoded JSON "
            '{"credentialRequestOrigin": <origin>, "protocols": {"vcapi": <exchange_url>}}, '
            "for a QR code or a link on the phone"
        ),
    )
    expires_at = fields.DateTime(
        required=True, metadata=doc("the wallet must complete the exchange before this moment")
    )


class ExchangeStepSchema(StrictSchema):
    """One wallet step: ``{}`` first, then the signed DID-auth presentation."""

    verifiablePresentation = fields.Dict(
        metadata=doc(
            "the wallet's VerifiablePresentation: holder its did:key, one proof "
            "(Ed25519Signature2020, or DataIntegrityProof eddsa-rdfc-2022) with proofPurpose "
            "authentication and the request's challenge and domain. Leave out to get the request"
        )
    )


class PresentationRequestSchema(Schema):
    """A Verifiable Presentation Request asking for DID authentication with a did:key."""

    query = fields.List(
        fields.Dict(),
        metadata={
            "example": [{"type": "DIDAuthentication", "acceptedMethods": [{"method": "key"}]}]
        },
    )
    challenge = fields.String(metadata=doc("sign this in the proof (single use)"))
    domain = fields.String(metadata=doc("sign this in the proof: the registry's origin"))
    interact = fields.Dict(metadata=doc("where to send the presentation: this exchange"))


class DeliveryPresentationSchema(Schema):
    """The presentation carrying the credential bound to the wallet's DID (not signed)."""

    class Meta:
        unknown = INCLUDE

    context = fields.List(fields.String(), data_key="@context", attribute="@context")
    type = fields.List(fields.String())
    verifiableCredential = fields.List(
        SignedDocument(VerifiableCredentialSchema),
        metadata=doc("the credential, credentialSubject.id the wallet's DID, signed afresh"),
    )


class ExchangeStepResultSchema(Schema):
    """Either the presentation request (answer to ``{}``) or the credential (answer to a
    presentation)."""

    verifiablePresentationRequest = fields.Nested(PresentationRequestSchema)
    verifiablePresentation = fields.Nested(DeliveryPresentationSchema)
