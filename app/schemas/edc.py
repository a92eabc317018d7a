"""The European Digital Credential as the API documents it (ELM v3, VC 1.1 shape)."""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields


def doc(description: str) -> dict[str, str]:
    return {"description": description}


class EuropeanDigitalCredentialSchema(Schema):
    """A signed European Digital Credential (ELM v3 EDC application profile, VC 1.1 shape).

    Conforms to the SHACL shapes ``http://data.europa.eu/snb/model/ap/edc-generic-no-cv``;
    signed with an ``eddsa-rdfc-2022`` Data Integrity proof by the key that signed the Open
    Badges credential of the same id.
    """

    class Meta:
        unknown = INCLUDE

    context = fields.List(
        fields.String(),
        data_key="@context",
        metadata={
            "description": "VC 1.1, the EDC context, then the Data Integrity context",
            "example": [
                "https://www.w3.org/2018/credentials/v1",
                "http://data.europa.eu/snb/model/context/edc-ap",
                "https://w3id.org/security/data-integrity/v2",
            ],
        },
    )
    id = fields.String(metadata=doc("the credential's URL (the same as its OB credential's)"))
    type = fields.List(
        fields.String(),
        metadata={"example": ["VerifiableCredential", "EuropeanDigitalCredential"]},
    )
    issuer = fields.Dict(metadata=doc("the institution: an Organisation with legal data"))
    issued = fields.String(metadata=doc("XML Schema dateTime"))
    validFrom = fields.String(metadata=doc("XML Schema dateTime"))
    credentialSubject = fields.Dict(metadata=doc("the learner: a Person with hasClaim"))
    credentialSchema = fields.Dict(metadata=doc("the SHACL profile (ShaclValidator2017)"))
    credentialStatus = fields.Dict(
        metadata=doc("the status entry's IRI, as an xsd:anyURI value object")
    )
    displayParameter = fields.Dict(metadata=doc("title, description and images (nl, en)"))
    proof = fields.Dict(metadata=doc("one Data Integrity proof (eddsa-rdfc-2022)"))
