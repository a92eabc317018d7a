"""marshmallow schemas of credentials: issue and status requests, summaries, verification reports.

The signed documents themselves (`VerifiableCredentialSchema`, `DidDocumentSchema`) are
described, never loaded or dumped: they are served exactly as signed and verified as received.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from marshmallow import INCLUDE, Schema, fields, validate

from app.schemas.problems import doc
from app.schemas.registry import StrictSchema, code_field
from app.services.credentials import credential_url

ACHIEVEMENT_TYPES = ["unit", "epa", "qualification"]


# --- requests ---------------------------------------------------------------------------------


class AchievementRefSchema(StrictSchema):
    type = fields.String(required=True, validate=validate.OneOf(ACHIEVEMENT_TYPES))
    code = code_field(required=True)


class IssueSchema(StrictSchema):
    learner = fields.String(required=True, validate=validate.Length(min=1, max=40))
    achievement = fields.Nested(AchievementRefSchema, required=True)


class StatusChangeSchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


# --- signed documents (described only) --------------------------------------------------------


class DataIntegrityProofSchema(Schema):
    """A Data Integrity proof (here always ``eddsa-rdfc-2022``).

    Registered by name (`DOCUMENTED_SCHEMAS`) because `proof` refers to it by name: one proof
    or a list of them.
    """

    class Meta:
        unknown = INCLUDE

    type = fields.String(metadata={"example": "DataIntegrityProof"})
    cryptosuite = fields.String(metadata={"example": "eddsa-rdfc-2022"})
    created = fields.String(metadata=doc("XML Schema dateTime"))
    verificationMethod = fields.String(metadata=doc("the DID URL of the signing key"))
    proofPurpose = fields.String(metadata={"example": "assertionMethod"})
    proofValue = fields.String(metadata=doc("the multibase (base58btc) signature"))


PROOF_REF = {"$ref": "#/components/schemas/DataIntegrityProof"}
#: Schemas the OpenAPI document must hold by these names although no field nests them.
DOCUMENTED_SCHEMAS: dict[str, type[Schema]] = {"DataIntegrityProof": DataIntegrityProofSchema}


class VerifiableCredentialSchema(Schema):
    """A signed W3C Verifiable Credential (VC Data Model 2.0).

    The service issues Open Badges 3.0 ``OpenBadgeCredential``s (unit certificates, EPAs,
    diplomas), CLR 2.0 ``ClrCredential``s (a learner's record) and
    ``BitstringStatusListCredential``s; `POST /api/verify` takes any issuer's credential.
    """

    class Meta:
        unknown = INCLUDE

    context = fields.List(
        fields.Raw(),
        data_key="@context",
        metadata={
            "description": "context URLs (or inline contexts), the VC 2.0 one first",
            "example": ["https://www.w3.org/ns/credentials/v2"],
        },
    )
    id = fields.String(metadata=doc("the credential's URL or urn:uuid"))
    type = fields.Raw(
        metadata={
            "description": "a type name or a list of them",
            "example": ["VerifiableCredential", "OpenBadgeCredential"],
        }
    )
    name = fields.String()
    issuer = fields.Raw(metadata=doc("the issuer's DID, or a Profile object whose id is it"))
    validFrom = fields.String(metadata=doc("XML Schema dateTime"))
    validUntil = fields.String(metadata=doc("XML Schema dateTime"))
    credentialSubject = fields.Dict(metadata=doc("what the credential says about its subject"))
    credentialStatus = fields.Raw(
        metadata=doc("BitstringStatusListEntry objects: where revocation and suspension show")
    )
    credentialSchema = fields.Raw(metadata=doc("the JSON Schema(s) the credential conforms to"))
    proof = fields.Raw(
        metadata={
            "description": "one Data Integrity proof, or a list of them",
            "oneOf": [PROOF_REF, {"type": "array", "items": PROOF_REF}],
        }
    )


class VerificationMethodSchema(Schema):
    id = fields.String(metadata=doc("the DID URL of the key"))
    type = fields.String(metadata={"example": "Multikey"})
    controller = fields.String(metadata=doc("the issuer's DID"))
    publicKeyMultibase = fields.String(metadata=doc("the Ed25519 public key as a Multikey"))


class DidDocumentSchema(Schema):
    """The did:web DID document of an issuing institution: its keys that are not retired."""

    context = fields.List(fields.String(), data_key="@context")
    id = fields.String(metadata={"example": "did:web:leerlijn.example:issuers:MBO-ZW"})
    verificationMethod = fields.List(fields.Nested(VerificationMethodSchema))
    assertionMethod = fields.List(fields.String())
    authentication = fields.List(fields.String())


class SignedDocument(fields.Nested):
    """A signed document, dumped exactly as stored and documented as the nested schema."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value


# --- responses --------------------------------------------------------------------------------


class CredentialSummarySchema(Schema):
    id = fields.String()
    url = fields.Function(
        lambda c: credential_url(current_app.config["LEERLIJN_BASE_URL"], c.id),
        metadata=doc("the public page of the credential"),
    )
    type = fields.String(
        attribute="achievement_type", metadata=doc("unit, epa, qualification or record")
    )
    code = fields.String(attribute="achievement_code")
    name = fields.String()
    institution = fields.String()
    issued_at = fields.DateTime()
    credential = SignedDocument(VerifiableCredentialSchema, attribute="document")


class HolderSchema(Schema):
    """Who the person presenting the credential says they are (both optional)."""

    name = fields.String(metadata=doc("full name, e.g. of the applicant in front of you"))
    email = fields.String(metadata=doc("e-mail address"))


class VerifyRequestSchema(Schema):
    """A credential to verify together with the holder to check it against."""

    credential = fields.Nested(VerifiableCredentialSchema, required=True)
    holder = fields.Nested(
        HolderSchema,
        metadata=doc(
            "checked against credentialSubject.identifier (hashed name / e-mail): the holder"
            " check says match, no-match (then verified is false) or not-checked"
        ),
    )


class CheckSchema(Schema):
    check = fields.String(metadata=doc("context, proof, issuer, validity, schema or status"))
    ok = fields.Boolean()
    code = fields.String(
        metadata=doc(
            "Stable machine code of the outcome, kebab-case: valid, trusted-issuer, active,"
            " no-status; or a failure such as undefined-terms, unknown-context, no-proof,"
            " bad-signature, unknown-key, unknown-issuer, untrusted-issuer, retired-key,"
            " method-not-controlled, not-yet-valid, expired, schema-invalid, revoked, suspended,"
            " unreachable, untrusted-status-list, invalid-status, error"
        )
    )
    message = fields.String(metadata=doc("Why, in English (the same as message_en)"))
    message_en = fields.String(metadata=doc("Why, in English"))
    message_nl = fields.String(
        metadata=doc(
            "Why, in Dutch; for a revoked or suspended credential of this registry"
            " with the date and the reason"
        )
    )


class IssuerStandingSchema(Schema):
    trust = fields.String(
        metadata=doc(
            "trusted: an institution of this registry, trusted by its operator; untrusted: known"
            " here but not trusted; unknown: not an issuer of this registry"
        )
    )
    institution = fields.String(allow_none=True)
    name = fields.String(allow_none=True)


class VerificationSchema(Schema):
    verified = fields.Boolean(metadata=doc("true when every check passed"))
    checks = fields.List(fields.Nested(CheckSchema))
    issuer = fields.Nested(IssuerStandingSchema, metadata=doc("what the registry knows of it"))


class StatusEventSchema(Schema):
    action = fields.String()
    reason = fields.String()
    by = fields.String()
    at = fields.String()


class StatusBitSchema(Schema):
    purpose = fields.String(metadata=doc("revocation or suspension"))
    statusListCredential = fields.String(metadata=doc("URL of the signed status list"))
    statusListIndex = fields.String(metadata=doc("the credential's bit in that list"))
    named_in_credential = fields.Boolean(
        metadata=doc("whether the credential's own credentialStatus names this bit")
    )


class CredentialStatusSchema(Schema):
    id = fields.String()
    status = fields.String(metadata=doc("active, suspended or revoked"))
    revoked = fields.Boolean()
    suspended = fields.Boolean()
    history = fields.List(fields.Nested(StatusEventSchema))
    entries = fields.List(
        fields.Nested(StatusBitSchema),
        metadata=doc(
            "where the credential's status bits are published: the revocation bit named in the"
            " credential, the suspension bit kept by the registry"
        ),
    )
