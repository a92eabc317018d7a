"""CASE 1.0 documents at the edge: their OpenAPI description, and the registry document loader.

The CASE documents are built by `app.domain.case` and returned as they are; these schemas only
document them (every object also allows the members they do not name, as CASE packages from
other tools carry more). The JSON Schema that packages are validated against is OpenSALT's
CASE 1.0 CFPackage schema (`app.adapters.json_schemas.load_case_validator`).
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from typing import Any

from marshmallow import INCLUDE, Schema, fields, validate

from app.schemas.base import StrictSchema
from app.schemas.registry import load_import_document, to_import_document
from app.services.import_writes import ImportDocument


def _doc(description: str, **extra: Any) -> dict[str, Any]:
    return {"description": description, **extra}


class _Open(Schema):
    class Meta:
        unknown = INCLUDE


class LinkUriSchema(Schema):
    title = fields.String()
    identifier = fields.String()
    uri = fields.String()


class InstitutionNoteSchema(_Open):
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    brin = fields.String()


class CFDocumentSchema(_Open):
    """A CASE 1.0 CFDocument: one qualification (extension members: this registry's)."""

    identifier = fields.String(metadata=_doc("a UUID: kept from an import, else UUID v5"))
    uri = fields.String()
    creator = fields.String(metadata=_doc("the name of the institution that maintains it"))
    title = fields.String()
    lastChangeDateTime = fields.String(metadata=_doc("when the package was made (UTC)"))
    language = fields.String()
    CFPackageURI = fields.Nested(LinkUriSchema)
    qualificationCode = fields.String(metadata=_doc("extension: the qualification's code"))
    qualificationKind = fields.String(metadata=_doc("extension: mbo or czo"))
    nlqfLevel = fields.Integer(metadata=_doc("extension: NLQF level"))
    eqfLevel = fields.Integer(metadata=_doc("extension: EQF level"))
    crebo = fields.String(metadata=_doc("extension: crebo number"))
    electiveRequiredHours = fields.Integer(metadata=_doc("extension: elective hours required"))
    institutionCode = fields.String(metadata=_doc("extension: the maintaining institution"))
    institutions = fields.List(
        fields.Nested(InstitutionNoteSchema),
        metadata=_doc("extension: every institution the package names"),
    )


class CFItemSchema(_Open):
    """A CASE 1.0 CFItem: a unit (leereenheid) or one of its outcomes (leerresultaat)."""

    identifier = fields.String()
    uri = fields.String()
    fullStatement = fields.String(metadata=_doc("the title"))
    humanCodingScheme = fields.String(metadata=_doc("the registry's code"))
    CFItemType = fields.String(
        metadata=_doc(
            "Beroepsgerichte eenheid (BC), Keuzedeel (VC), Generiek (AV) or Leerresultaat"
        )
    )
    notes = fields.String(metadata=_doc("the description"))
    language = fields.String()
    lastChangeDateTime = fields.String()
    unitKind = fields.String(metadata=_doc("extension: BC, VC or AV (units)"))
    studyLoadHours = fields.Integer(metadata=_doc("extension: study load in hours (units)"))
    nlqfLevel = fields.Integer(metadata=_doc("extension: NLQF level"))
    institutionCode = fields.String(metadata=_doc("extension: the unit's institution"))
    titleEn = fields.String(metadata=_doc("extension: English title (units)"))
    dossierCode = fields.String(metadata=_doc("extension: code in the dossier (outcomes)"))


class CFAssociationSchema(_Open):
    """A CASE 1.0 CFAssociation between two nodes."""

    identifier = fields.String()
    associationType = fields.String(
        metadata=_doc("isChildOf, precedes, exactMatchOf or isRelatedTo here")
    )
    uri = fields.String()
    originNodeURI = fields.Nested(LinkUriSchema)
    destinationNodeURI = fields.Nested(LinkUriSchema)
    sequenceNumber = fields.Integer()
    lastChangeDateTime = fields.String()
    unitRole = fields.String(metadata=_doc("extension: mandatory or option"))
    relationType = fields.String(metadata=_doc("extension: subsumes or partial"))
    reason = fields.String(metadata=_doc("extension: why the outcomes are related"))
    vmboAssignment = fields.String(metadata=_doc("extension: vmbo assignment (?include=vmbo)"))
    vmboProgramme = fields.String(metadata=_doc("extension: its vmbo programme"))
    vmboCoverage = fields.String(metadata=_doc("extension: full or partial"))


class CFPackageSchema(_Open):
    """A CASE 1.0 CFPackage of one qualification."""

    CFDocument = fields.Nested(CFDocumentSchema)
    CFItems = fields.List(fields.Nested(CFItemSchema))
    CFAssociations = fields.List(fields.Nested(CFAssociationSchema))


class CFDocumentListSchema(Schema):
    CFDocuments = fields.List(fields.Nested(CFDocumentSchema))


class CFDocumentResponseSchema(Schema):
    CFDocument = fields.Nested(CFDocumentSchema)


class PackageArgs(StrictSchema):
    include = fields.String(
        validate=validate.OneOf(["vmbo"]),
        metadata=_doc("vmbo: add the current vmbo mappings onto the outcomes as associations"),
    )


def load_registry_document(
    data: dict[str, Any], default_institution: str
) -> tuple[ImportDocument, list[dict[str, Any]], Mapping[str, AbstractSet[str]]]:
    """Load a registry import document as ``POST /api/import`` does (every field checked)."""
    loaded, errors, unparsed = load_import_document(data)
    return to_import_document(loaded, default_institution), list(errors), unparsed
