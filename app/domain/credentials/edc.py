"""European Digital Credentials (ELM v3, EDC application profile) from our Open Badges credentials.

An EDC is a VC 1.1-style credential (``@context`` VC 1.1 and the EDC context) describing one
claim about a ``Person``: a ``LearningAchievement`` that is ``specifiedBy`` a ``Qualification``
(a diploma) or a ``LearningAchievementSpecification`` (a unit or an EPA), ``awardedBy`` an
``AwardingProcess`` whose ``awardingBody`` is the issuing institution, and ``provenBy`` a
``LearningAssessment``. The issuer is an ``Organisation`` with its legal name, address,
homepage and its KvK number as ``eidasLegalIdentifier`` (and ``registration``).

The facts are those of the credential as issued: :func:`build_edc` reads the stored, signed
Open Badges 3.0 document (achievement, levels, study load, outcomes, evidence, dates, status),
so the EDC says exactly what the OB credential says, plus the institution's legal data. The
learner's name is not in the OB credential (only a salted hash) and so not in the EDC either;
the subject is the learner's IRI.

Where the shapes (``schemas/shacl/EDC-generic-no-cv.ttl``) and a VC habit disagree, the shapes
win: ``credentialStatus`` is a plain IRI (the credential's revocation entry), not a status
entry object; ``credentialSchema`` is a ``ShaclValidator2017``. The Data Integrity proof needs
the Data Integrity context (VC 1.1 does not define its terms); :func:`signing_context` appends
it when the credential is signed, after the two EDC contexts.

Pure: no I/O.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from xml.sax.saxutils import escape

from app.domain.legal_data import country_iri
from app.domain.model import LegalData

__all__ = [
    "VC_V1_CONTEXT",
    "EDC_CONTEXT",
    "DATA_INTEGRITY_CONTEXT",
    "EDC_CONTEXTS",
    "EDC_SCHEMA",
    "EDC_TYPE",
    "EdcIssuer",
    "Kind",
    "MissingLegalData",
    "build_edc",
    "is_edc",
    "signing_context",
    "status_iri",
]

VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
EDC_CONTEXT = "http://data.europa.eu/snb/model/context/edc-ap"
DATA_INTEGRITY_CONTEXT = "https://w3id.org/security/data-integrity/v2"
#: The ``@context`` of every EDC, in this order (the EDC application profile).
EDC_CONTEXTS = (VC_V1_CONTEXT, EDC_CONTEXT)
#: The SHACL profile every EDC is checked against (``credentialSchema``).
EDC_SCHEMA = "http://data.europa.eu/snb/model/ap/edc-generic-no-cv"
EDC_TYPE = "EuropeanDigitalCredential"

Kind = Literal["unit", "epa", "qualification"]

_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
_GENERIC_PROFILE = "http://data.europa.eu/snb/credential/e34929035b"
_BASE64 = "http://data.europa.eu/snb/encoding/6146cde7dd"
_EQF = "http://data.europa.eu/snb/eqf/"
_NLQF = "https://www.nlqf.nl/nlqf-niveaus"
#: A unit of a diploma as the OB diploma's criteria list it: ``- **CODE**: title (N SBU)``.
_LISTED_UNIT = re.compile(
    r"^- \*\*(?P<code>[^*]+)\*\*: (?P<title>.+?)(?: \((?P<hours>\d+) SBU\))?$"
)


class MissingLegalData(ValueError):
    """The institution lacks legal data an EDC issuer must state (names the missing fields)."""

    def __init__(self, institution: str, fields: Sequence[str]) -> None:
        super().__init__(
            f"institution {institution!r} has no {', '.join(fields)}: an EDC issuer must state"
            " its legal name, KvK number and country (PUT /api/institutions/{code}/legal)"
        )
        self.institution = institution
        self.fields = tuple(fields)


@dataclass(frozen=True, slots=True)
class EdcIssuer:
    """The issuing institution: its DID, code, display name and legal data."""

    did: str
    code: str
    name: str
    legal: LegalData | None

    def missing(self) -> list[str]:
        """The legal fields an EDC needs that are not stated.

        >>> EdcIssuer("did:key:z", "X", "X", LegalData(legal_name="X")).missing()
        ['kvk_number', 'country_code']
        """
        legal = self.legal or LegalData()
        return [f for f in ("legal_name", "kvk_number", "country_code") if not getattr(legal, f)]


def is_edc(document: object) -> bool:
    """Whether `document` says it is a European Digital Credential.

    >>> is_edc({"type": ["VerifiableCredential", "EuropeanDigitalCredential"]}), is_edc({})
    (True, False)
    """
    types = document.get("type") if isinstance(document, Mapping) else None
    return types == EDC_TYPE or (isinstance(types, list) and EDC_TYPE in types)


def signing_context(contexts: Sequence[str]) -> list[str]:
    """The ``@context`` of the signed EDC: the EDC contexts, then the Data Integrity context.

    >>> signing_context(list(EDC_CONTEXTS))[-1]
    'https://w3id.org/security/data-integrity/v2'
    """
    return [*contexts, *([] if DATA_INTEGRITY_CONTEXT in contexts else [DATA_INTEGRITY_CONTEXT])]


def status_iri(open_badge: Mapping[str, Any]) -> str | None:
    """The plain IRI of the OB credential's (first) status entry, or None.

    >>> status_iri({"credentialStatus": {"id": "https://x/status/l#7", "type": "T"}})
    'https://x/status/l#7'
    """
    status = open_badge.get("credentialStatus")
    if isinstance(status, list):
        status = status[0] if status else None
    value = status.get("id") if isinstance(status, Mapping) else status
    return value if isinstance(value, str) else None


def _concept(iri: str, labels: Mapping[str, str], scheme: str | None = None) -> dict[str, Any]:
    concept: dict[str, Any] = {"id": iri, "type": "Concept", "prefLabel": dict(labels)}
    if scheme:
        concept["inScheme"] = {"id": scheme, "type": "ConceptScheme"}
    return concept


def _language(code: str) -> dict[str, Any]:
    iso3, nl, en = {"nl": ("NLD", "Nederlands", "Dutch"), "en": ("ENG", "Engels", "English")}.get(
        code, ("NLD", "Nederlands", "Dutch")
    )
    return _concept(_LANGUAGE + iso3, {"nl": nl, "en": en}, _LANGUAGE.rstrip("/"))


def _country(alpha2: str) -> dict[str, Any]:
    return _concept(
        country_iri(alpha2),
        {"en": alpha2},
        "http://publications.europa.eu/resource/authority/country",
    )


def _organisation(issuer: EdcIssuer, credential_id: str) -> dict[str, Any]:
    missing = issuer.missing()
    legal = issuer.legal
    if missing or legal is None:
        raise MissingLegalData(issuer.code, missing)
    assert legal.legal_name and legal.kvk_number and legal.country_code  # see missing()
    country = _country(legal.country_code)
    identifier = {
        "id": f"{credential_id}#kvk",
        "type": "LegalIdentifier",
        "notation": legal.kvk_number,
        "schemeName": "KvK-nummer (Kamer van Koophandel)",
        "spatial": country,
    }
    lines = [
        legal.street_address,
        " ".join(p for p in (legal.postal_code, legal.locality) if p),
    ]
    address: dict[str, Any] = {
        "id": f"{credential_id}#address",
        "type": "Address",
        "countryCode": country,
    }
    if any(lines):
        address["fullAddress"] = {
            "id": f"{credential_id}#full-address",
            "type": "Note",
            "noteLiteral": {"nl": ", ".join(line for line in lines if line)},
        }
    organisation: dict[str, Any] = {
        "id": issuer.did,
        "type": "Organisation",
        "legalName": {"nl": legal.legal_name},
        "altLabel": {"nl": issuer.name},
        "eIDASIdentifier": identifier,  # elm:eidasLegalIdentifier in the EDC context
        "registration": f"{credential_id}#kvk",
        "location": {"id": f"{credential_id}#location", "type": "Location", "address": address},
    }
    if legal.homepage:
        organisation["homepage"] = {
            "id": f"{credential_id}#homepage",
            "type": "WebResource",
            "contentURL": legal.homepage,
        }
    return organisation


def _levels(achievement: Mapping[str, Any]) -> dict[str, str]:
    return {
        a["targetType"]: str(a["targetCode"])
        for a in achievement.get("alignment", [])
        if isinstance(a, Mapping) and a.get("targetType") in ("ext:NLQF", "ext:EQF")
    }


def _outcomes(achievement: Mapping[str, Any], kind: Kind) -> list[dict[str, Any]]:
    """Learning outcomes: the outcome alignments (unit, EPA) or the diploma's listed units."""
    if kind == "qualification":
        narrative = (achievement.get("criteria") or {}).get("narrative", "")
        base = str(achievement.get("id", "")).rsplit("/api/", 1)[0]
        return [
            {
                "id": f"{base}/api/units/{m['code']}",
                "type": "LearningOutcome",
                "title": {"nl": f"{m['code']}: {m['title']}"},
            }
            for m in (_LISTED_UNIT.match(line) for line in narrative.splitlines())
            if m
        ]
    return [
        {
            "id": a["targetUrl"],
            "type": "LearningOutcome",
            "title": {"nl": f"{a['targetCode']}: {a['targetName']}"},
        }
        for a in achievement.get("alignment", [])
        if isinstance(a, Mapping) and "targetType" not in a and a.get("targetUrl")
    ]


def _specification(achievement: Mapping[str, Any], kind: Kind) -> dict[str, Any]:
    """A ``Qualification`` (diploma) or a ``LearningAchievementSpecification`` (unit, EPA)."""
    spec: dict[str, Any] = {
        "id": achievement["id"],
        "type": "Qualification" if kind == "qualification" else "LearningAchievementSpecification",
        "title": {"nl": achievement["name"]},
        "language": _language(achievement.get("inLanguage", "nl")),
    }
    if achievement.get("description"):
        spec["description"] = {"nl": achievement["description"]}
    if achievement.get("humanCode"):
        spec["identifier"] = {
            "id": f"{achievement['id']}#code",
            "type": "Identifier",
            "notation": achievement["humanCode"],
            "schemeName": "Leerlijn",
        }
    hours = achievement.get("SBU", achievement.get("creditsAvailable"))
    if isinstance(hours, int) and hours > 0:
        spec["volumeOfLearning"] = f"PT{hours}H"
    outcomes = _outcomes(achievement, kind)
    if outcomes:
        spec["learningOutcome"] = outcomes
    levels = _levels(achievement)
    if kind == "qualification":
        if "ext:EQF" in levels:
            level = levels["ext:EQF"]
            spec["eqfLevel"] = _concept(
                _EQF + level,
                {"en": f"EQF level {level}", "nl": f"EQF-niveau {level}"},
                _EQF + "25831c2",
            )
        if "ext:NLQF" in levels:
            level = levels["ext:NLQF"]
            spec["nqfLevel"] = _concept(
                f"{_NLQF}#{level}",
                {"nl": f"NLQF niveau {level}", "en": f"NLQF level {level}"},
                _NLQF,
            )
        spec["isPartialQualification"] = False
    elif kind == "unit" and achievement.get("achievementType") == "Certificate":
        spec["isPartialQualification"] = True
    return spec


def _assessment(open_badge: Mapping[str, Any], credential_id: str, awarding: str) -> dict[str, Any]:
    """The ``LearningAssessment`` that proves the achievement, from the OB evidence."""
    evidence = [e for e in open_badge.get("evidence", []) if isinstance(e, Mapping)]
    chosen = next(
        (e for e in evidence if e.get("name") in ("Beoordeling", "Bekwaamverklaring")),
        evidence[0] if evidence else {},
    )
    title = chosen.get("genre") or "Examinering volgens het examenplan"
    assessment: dict[str, Any] = {
        "id": f"{credential_id}#assessment",
        "type": "LearningAssessment",
        "title": {"nl": title},
        "grade": {
            "id": f"{credential_id}#grade",
            "type": "Note",
            "noteLiteral": {"nl": "Behaald", "en": "Passed"},
        },
        "awardedBy": awarding,
    }
    if chosen.get("narrative"):
        assessment["description"] = {"nl": chosen["narrative"]}
    return assessment


_TITLE_EN = {
    "unit": "Certificate of a learning unit",
    "epa": "Entrustment (EPA)",
    "qualification": "Diploma",
}
_TITLE_NL = {
    "unit": "Certificaat van een leereenheid",
    "epa": "Bekwaamverklaring (EPA)",
    "qualification": "Diploma",
}


def _image(lines: Sequence[str]) -> str:
    """A plain SVG rendering of the credential's main lines, base64 (the EDC display image)."""
    text = "".join(
        f'<text x="40" y="{80 + 48 * i}" font-size="{28 if i == 0 else 20}">{escape(line)}</text>'
        for i, line in enumerate(lines)
    )
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="700" '
        'font-family="sans-serif"><rect width="1000" height="700" fill="#ffffff" '
        f'stroke="#1f4e79" stroke-width="8"/>{text}</svg>'
    )
    return base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _display(
    open_badge: Mapping[str, Any], kind: Kind, issuer: EdcIssuer, credential_id: str, awarded: str
) -> dict[str, Any]:
    name = open_badge["credentialSubject"]["achievement"]["name"]
    day = awarded[:10]
    details = {
        "nl": [_TITLE_NL[kind], name, f"Uitgegeven door {issuer.name}", f"Behaald op {day}"],
        "en": [_TITLE_EN[kind], name, f"Issued by {issuer.name}", f"Awarded on {day}"],
    }

    def individual(code: str) -> dict[str, Any]:
        return {
            "id": f"{credential_id}#display-{code}",
            "type": "IndividualDisplay",
            "language": _language(code),
            "displayDetail": {
                "id": f"{credential_id}#display-{code}-1",
                "type": "DisplayDetail",
                "page": 1,
                "image": {
                    "id": f"{credential_id}#display-{code}-image",
                    "type": "MediaObject",
                    "content": _image(details[code]),
                    "contentEncoding": _concept(_BASE64, {"en": "base64"}),
                    "contentType": _concept(_FILE_TYPE + "SVG", {"en": "SVG"}),
                },
            },
        }

    return {
        "id": f"{credential_id}#display",
        "type": "DisplayParameter",
        "title": {"nl": f"{_TITLE_NL[kind]}: {name}", "en": f"{_TITLE_EN[kind]}: {name}"},
        "description": {
            "nl": f"{_TITLE_NL[kind]} van {issuer.name}, behaald op {day}.",
            "en": f"{_TITLE_EN[kind]} issued by {issuer.name}, awarded on {day}.",
        },
        "language": [_language("nl"), _language("en")],
        "primaryLanguage": _language("nl"),
        "individualDisplay": [individual("nl"), individual("en")],
    }


def build_edc(open_badge: Mapping[str, Any], kind: Kind, issuer: EdcIssuer) -> dict[str, Any]:
    """Return the unsigned EDC of an issued Open Badges 3.0 credential.

    Parameters
    ----------
    open_badge : Mapping
        The stored OB 3.0 credential (signed or not; its proof is not used).
    kind : {"unit", "epa", "qualification"}
        What the credential is for: a unit certificate, an EPA entrustment or a diploma.
    issuer : EdcIssuer
        The issuing institution; its DID must be the OB credential's issuer.

    Returns
    -------
    dict
        The EDC, with the OB credential's ``id`` (it is the same credential), ``issued`` and
        ``validFrom`` (the OB ``validFrom``), and the status entry's IRI as
        ``credentialStatus``.

    Raises
    ------
    MissingLegalData
        The institution has no legal name, KvK number or country.
    ValueError
        The issuer is not the OB credential's issuer.

    Examples
    --------
    >>> ob = {"id": "https://r.example/credentials/c1", "issuer": {"id": "did:key:z6Mk"},
    ...       "validFrom": "2025-09-01T10:00:00Z", "awardedDate": "2025-08-30T00:00:00Z",
    ...       "credentialSubject": {"id": "https://r.example/api/learners/ln-1",
    ...           "achievement": {"id": "https://r.example/api/units/BC-1", "name": "Zorg",
    ...               "achievementType": "Certificate", "SBU": 400}},
    ...       "credentialStatus": {"id": "https://r.example/status/l1#3"}}
    >>> legal = LegalData("Stichting R", "90000012", None, None, None, "NL", None)
    >>> edc = build_edc(ob, "unit", EdcIssuer("did:key:z6Mk", "R", "ROC R", legal))
    >>> edc["type"], edc["credentialStatus"]["@value"]
    (['VerifiableCredential', 'EuropeanDigitalCredential'], 'https://r.example/status/l1#3')
    >>> spec = edc["credentialSubject"]["hasClaim"]["specifiedBy"]
    >>> spec["type"], spec["volumeOfLearning"], spec["isPartialQualification"]
    ('LearningAchievementSpecification', 'PT400H', True)
    >>> edc["issuer"]["eIDASIdentifier"]["notation"]
    '90000012'
    """
    credential_id = str(open_badge["id"])
    ob_issuer = open_badge.get("issuer")
    ob_issuer_id = ob_issuer.get("id") if isinstance(ob_issuer, Mapping) else ob_issuer
    if ob_issuer_id != issuer.did:
        raise ValueError(f"the EDC issuer {issuer.did!r} did not issue {credential_id!r}")
    subject = open_badge["credentialSubject"]
    achievement = subject["achievement"]
    issued = str(open_badge["validFrom"])
    awarded = str(open_badge.get("awardedDate") or issued)
    awarding = f"{credential_id}#awarding"
    claim: dict[str, Any] = {
        "id": f"{credential_id}#achievement",
        "type": "LearningAchievement",
        "title": {"nl": achievement["name"]},
        "awardedBy": {
            "id": awarding,
            "type": "AwardingProcess",
            "awardingBody": issuer.did,
            "awardingDate": awarded,
        },
        "provenBy": _assessment(open_badge, credential_id, awarding),
        "specifiedBy": _specification(achievement, kind),
    }
    if achievement.get("description"):
        claim["description"] = {"nl": achievement["description"]}
    edc: dict[str, Any] = {
        "@context": list(EDC_CONTEXTS),
        "id": credential_id,
        "type": ["VerifiableCredential", EDC_TYPE],
        "credentialProfiles": _concept(
            _GENERIC_PROFILE,
            {"en": "Generic", "nl": "Generiek"},
            "http://data.europa.eu/snb/credential/25831c2",
        ),
        "credentialSchema": {"id": EDC_SCHEMA, "type": "ShaclValidator2017"},
        "issuer": _organisation(issuer, credential_id),
        "issued": issued,
        "validFrom": issued,
        "credentialSubject": {"id": subject["id"], "type": "Person", "hasClaim": claim},
        "displayParameter": _display(open_badge, kind, issuer, credential_id, awarded),
    }
    if open_badge.get("validUntil"):
        edc["validUntil"] = open_badge["validUntil"]
    status = status_iri(open_badge)
    if status is not None:
        # The shapes want an xsd:anyURI literal (VC 1.1 would coerce a string to a node).
        edc["credentialStatus"] = {"@value": status, "@type": "xsd:anyURI"}
    return edc
