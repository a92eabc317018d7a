"""Open Badges 3.0 unit certificates (unsigned), built from plain values.

One learning unit (leereenheid) passed by one learner becomes one ``OpenBadgeCredential``
(VC Data Model 2.0, OB 3.0.3 context, no extra JSON-LD context). Signing is done separately
by :func:`app.domain.dataintegrity.add_proof`.

EU micro-credential standard elements (Council Recommendation 2022/C 243/02, Annex I) are
carried only by OB 3.0's own properties:

=================================  ===========================================================
EU element                         OB 3.0 property
=================================  ===========================================================
identification of the learner      ``credentialSubject.id``
title                              ``name`` and ``credentialSubject.achievement.name``
country/region of the issuer       ``issuer.address.addressCountryCode`` ("NL") and
                                   ``issuer.address.addressCountry``
awarding body                      ``issuer`` (``id`` = DID, ``name``, ``url``, BRIN in
                                   ``otherIdentifier``)
date of issuing                    ``validFrom`` (issue) and ``awardedDate`` (date awarded)
learning outcomes                  ``achievement.criteria.narrative`` (Markdown list) and one
                                   ``achievement.alignment`` per outcome
notional workload                  ``achievement.creditsAvailable`` (study-load hours, SBU) and
                                   ``credentialSubject.creditsEarned``
level (EQF / NLQF)                 ``achievement.alignment`` with ``targetFramework`` "NLQF" /
                                   "EQF" and the level as ``targetCode``
type of assessment                 ``evidence[]`` entry named "Beoordeling" whose ``genre`` is
                                   the assessment type (e.g. "Examen", "EVC")
form of participation              ``evidence[]`` entry named "Vorm van deelname" whose
                                   ``genre`` is the form (e.g. "Op locatie", "Online")
quality assurance                  ``evidence[]`` entry named "Kwaliteitsborging"
                                   (``genre`` "Kwaliteitsborging", ``narrative`` = the QA text)
dates of the learning activity     ``credentialSubject.activityStartDate`` / ``activityEndDate``
language                           ``achievement.inLanguage``
=================================  ===========================================================

``credentialSchema`` points at the published OB 3.0 JSON Schema (type
``1EdTechJsonSchemaValidator2019``, made resolvable by a one-term embedded context, see
:func:`credential_schema_entry`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from app.domain.model import UnitKind

__all__ = [
    "VC_V2_CONTEXT",
    "OB_CONTEXT",
    "OB_CREDENTIAL_SCHEMA",
    "OutcomeFacts",
    "UnitCertificateFacts",
    "achievement_type",
    "format_datetime",
    "outcomes_narrative",
    "outcome_alignments",
    "level_alignments",
    "issuer_profile",
    "evidence_entry",
    "credential_schema_entry",
    "build_unit_credential",
]

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
#: Published URL of the OB 3.0 AchievementCredential JSON Schema (used in the spec examples).
OB_CREDENTIAL_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
OB_SCHEMA_VALIDATOR = "1EdTechJsonSchemaValidator2019"
#: IRI of ``1EdTechJsonSchemaValidator2019``. No shipped context defines the term, so a bare
#: value is a *relative* ``@type``: RDF conversion drops it and Digital Bazaar's verifier (jsonld
#: safe mode) rejects the credential ("relative @type reference"). The credentialSchema entry
#: therefore carries a one-term embedded ``@context`` mapping it to this IRI (the mapping used
#: by 1EdTech's ``ob/v3p0/extensions.json`` context; not checked against a primary source).
OB_SCHEMA_VALIDATOR_IRI = (
    "https://purl.imsglobal.org/spec/vccs/v1p0/context.json#1EdTechJsonSchemaValidator2019"
)
#: Description pages of the qualification-framework levels (overridable per credential).
EQF_LEVELS_URL = "https://europass.europa.eu/en/description-eight-eqf-levels"
NLQF_LEVELS_URL = "https://www.nlqf.nl/nlqf-niveaus"


@dataclass(frozen=True, slots=True)
class OutcomeFacts:
    """A learning outcome as it appears on a certificate.

    `url` is the registry page of the outcome; `framework` names the source framework
    (``targetFramework``), e.g. "Kwalificatiedossier".
    """

    code: str
    title: str
    url: str
    framework: str = "Kwalificatiedossier"


@dataclass(frozen=True, slots=True)
class UnitCertificateFacts:
    """Everything needed to build one unit certificate; filled by the issuing service.

    Attributes
    ----------
    credential_id : str
        URL (or ``urn:uuid:``) of this credential.
    issued_at : datetime
        Timezone-aware issue time (``validFrom``).
    issuer_did : str
        DID of the issuing institution; must control the signing key.
    institution_name : str
        Awarding body's name.
    learner_id : str
        URL or DID of the learner.
    achievement_id : str
        Registry URL of the unit (the Achievement).
    unit_code, unit_kind, unit_title, unit_description : str
        Unit facts; `unit_code` becomes ``humanCode``.
    study_load_hours : int
        Study load (SBU), ``creditsAvailable``/``creditsEarned``.
    outcomes : tuple of OutcomeFacts
        Learning outcomes in their stated order.
    assessment_type : str
        Type of assessment, e.g. "Examen", "EVC", "Proeve van bekwaamheid".
    participation_form : str
        Form of participation, e.g. "Op locatie", "Online", "Hybride", "Werkplekleren".
    quality_assurance : str
        Who assures quality and how (Markdown).
    awarded_on : date, optional
        Date the unit was awarded (``awardedDate``); defaults to `issued_at`.
    valid_until : datetime, optional
        End of validity (``validUntil``).
    nlqf_level, eqf_level : int, optional
        Qualification-framework levels; each adds an alignment.
    institution_url, institution_brin : str, optional
        Awarding body's website and BRIN code.
    activity_start, activity_end : date, optional
        When the learning activity took place.
    language : str
        BCP 47 language of the achievement (default "nl").
    """

    credential_id: str
    issued_at: datetime
    issuer_did: str
    institution_name: str
    learner_id: str
    achievement_id: str
    unit_code: str
    unit_kind: UnitKind
    unit_title: str
    unit_description: str
    study_load_hours: int
    outcomes: tuple[OutcomeFacts, ...]
    assessment_type: str
    participation_form: str
    quality_assurance: str
    awarded_on: date | None = None
    valid_until: datetime | None = None
    nlqf_level: int | None = None
    eqf_level: int | None = None
    institution_url: str | None = None
    institution_brin: str | None = None
    activity_start: date | None = None
    activity_end: date | None = None
    language: str = "nl"
    nlqf_levels_url: str = NLQF_LEVELS_URL
    eqf_levels_url: str = EQF_LEVELS_URL


def achievement_type(kind: UnitKind) -> str:
    """Return the OB 3.0 ``achievementType`` of a unit kind.

    Vocational units (BC basis, VC profile) are certificates; general subjects (AV) use
    the extension value ``ext:GeneralSubject`` (allowed by the schema pattern ``ext:…``).

    Raises
    ------
    ValueError
        If `kind` is not BC, VC or AV.

    Examples
    --------
    >>> achievement_type("BC"), achievement_type("AV")
    ('Certificate', 'ext:GeneralSubject')
    """
    if kind in ("BC", "VC"):
        return "Certificate"
    if kind == "AV":
        return "ext:GeneralSubject"
    raise ValueError(f"unknown unit kind {kind!r}")


def format_datetime(value: datetime | date) -> str:
    """Return an XML Schema dateTime in UTC with a ``Z`` suffix, whole seconds.

    A `date` becomes midnight UTC. A naive `datetime` is rejected.

    Raises
    ------
    ValueError
        If `value` is a naive datetime.

    Examples
    --------
    >>> from datetime import timedelta
    >>> from datetime import timedelta, timezone
    >>> format_datetime(datetime(2024, 9, 1, 14, 30, 5, 123, tzinfo=timezone(timedelta(hours=2))))
    '2024-09-01T12:30:05Z'
    >>> format_datetime(date(2024, 9, 1))
    '2024-09-01T00:00:00Z'
    """
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    if value.tzinfo is None:
        raise ValueError("datetime must be timezone-aware")
    return value.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def outcomes_narrative(
    outcomes: Sequence[OutcomeFacts],
    intro: str = "De lerende heeft de volgende leerresultaten aangetoond:",
) -> str:
    """Return the criteria narrative: `intro` and a Markdown list of the outcomes (code, title).

    Examples
    --------
    >>> print(outcomes_narrative([OutcomeFacts("LR1", "Plant zorg", "https://r.nl/o/LR1")]))
    De lerende heeft de volgende leerresultaten aangetoond:
    <BLANKLINE>
    - **LR1**: Plant zorg
    """
    lines = [f"- **{outcome.code}**: {outcome.title}" for outcome in outcomes]
    return "\n".join([intro, "", *lines])


def outcome_alignments(outcomes: Sequence[OutcomeFacts]) -> list[dict[str, Any]]:
    """Return one OB 3.0 ``Alignment`` per learning outcome (code, title, framework, URL).

    Examples
    --------
    >>> outcome_alignments([OutcomeFacts("LR1", "Plant zorg", "https://r.nl/o/LR1")])[0]["targetCode"]
    'LR1'
    """
    return [
        {
            "type": ["Alignment"],
            "targetName": outcome.title,
            "targetCode": outcome.code,
            "targetFramework": outcome.framework,
            "targetUrl": outcome.url,
        }
        for outcome in outcomes
    ]


def level_alignments(
    nlqf_level: int | None,
    eqf_level: int | None,
    nlqf_levels_url: str = NLQF_LEVELS_URL,
    eqf_levels_url: str = EQF_LEVELS_URL,
) -> list[dict[str, Any]]:
    """Return the NLQF and EQF level alignments (each only when its level is given).

    Examples
    --------
    >>> [(a["targetFramework"], a["targetCode"]) for a in level_alignments(4, None)]
    [('NLQF', '4')]
    """
    alignments: list[dict[str, Any]] = []
    if nlqf_level is not None:
        alignments.append(
            {
                "type": ["Alignment"],
                "targetName": f"NLQF niveau {nlqf_level}",
                "targetCode": str(nlqf_level),
                "targetFramework": "NLQF",
                "targetUrl": nlqf_levels_url,
            }
        )
    if eqf_level is not None:
        alignments.append(
            {
                "type": ["Alignment"],
                "targetName": f"EQF level {eqf_level}",
                "targetCode": str(eqf_level),
                "targetFramework": "EQF",
                "targetUrl": eqf_levels_url,
            }
        )
    return alignments


def _alignments(facts: UnitCertificateFacts) -> list[dict[str, Any]]:
    return outcome_alignments(facts.outcomes) + level_alignments(
        facts.nlqf_level, facts.eqf_level, facts.nlqf_levels_url, facts.eqf_levels_url
    )


def issuer_profile(
    did: str, name: str, *, url: str | None = None, brin: str | None = None
) -> dict[str, Any]:
    """Return the issuer ``Profile``: DID, name, optional website and BRIN, Dutch address.

    Examples
    --------
    >>> profile = issuer_profile("did:key:z6MkX", "ROC Voorbeeld", brin="99XX")
    >>> profile["otherIdentifier"][0]["identifierType"], profile["address"]["addressCountryCode"]
    ('ext:BRIN', 'NL')
    """
    issuer: dict[str, Any] = {"id": did, "type": ["Profile"], "name": name}
    if url:
        issuer["url"] = url
    if brin:
        issuer["otherIdentifier"] = [
            {"type": "IdentifierEntry", "identifier": brin, "identifierType": "ext:BRIN"}
        ]
    issuer["address"] = {
        "type": ["Address"],
        "addressCountry": "Nederland",
        "addressCountryCode": "NL",
    }
    return issuer


def _issuer(facts: UnitCertificateFacts) -> dict[str, Any]:
    return issuer_profile(
        facts.issuer_did,
        facts.institution_name,
        url=facts.institution_url,
        brin=facts.institution_brin,
    )


def evidence_entry(name: str, genre: str, narrative: str | None = None) -> dict[str, Any]:
    """Return an OB 3.0 ``Evidence`` entry (name, genre and an optional Markdown narrative).

    Examples
    --------
    >>> evidence_entry("Vorm van deelname", "Online")
    {'type': ['Evidence'], 'name': 'Vorm van deelname', 'genre': 'Online'}
    """
    entry: dict[str, Any] = {"type": ["Evidence"], "name": name, "genre": genre}
    if narrative is not None:
        entry["narrative"] = narrative
    return entry


def _evidence(facts: UnitCertificateFacts) -> list[dict[str, Any]]:
    return [
        evidence_entry(
            "Beoordeling",
            facts.assessment_type,
            f"Leereenheid {facts.unit_code} is beoordeeld door: {facts.assessment_type}.",
        ),
        evidence_entry("Vorm van deelname", facts.participation_form),
        evidence_entry("Kwaliteitsborging", "Kwaliteitsborging", facts.quality_assurance),
    ]


def credential_schema_entry() -> dict[str, Any]:
    """Return the ``credentialSchema`` entry pointing at the published OB 3.0 JSON Schema.

    The entry embeds a one-term context for ``1EdTechJsonSchemaValidator2019`` (see
    :data:`OB_SCHEMA_VALIDATOR_IRI`) so the type is an absolute IRI in the signed RDF.

    Examples
    --------
    >>> entry = credential_schema_entry()
    >>> entry["type"], entry["@context"][entry["type"]] == OB_SCHEMA_VALIDATOR_IRI
    ('1EdTechJsonSchemaValidator2019', True)
    """
    return {
        "@context": {OB_SCHEMA_VALIDATOR: OB_SCHEMA_VALIDATOR_IRI},
        "id": OB_CREDENTIAL_SCHEMA,
        "type": OB_SCHEMA_VALIDATOR,
    }


def build_unit_credential(facts: UnitCertificateFacts) -> dict[str, Any]:
    """Return the unsigned OB 3.0 ``OpenBadgeCredential`` for one passed unit.

    See the module docstring for which property carries which EU micro-credential element.

    Raises
    ------
    ValueError
        If a datetime is naive or the unit kind is unknown.

    Examples
    --------
    >>> facts = UnitCertificateFacts(
    ...     credential_id="https://leerlijn.example.nl/credentials/1",
    ...     issued_at=datetime(2024, 9, 1, 12, tzinfo=UTC),
    ...     issuer_did="did:key:z6MkeTG3bFFSLYVU7VqhgZxqr6YzpaGrQtFMh1uvqGy1vDnP",
    ...     institution_name="ROC Voorbeeld", learner_id="https://leerlijn.example.nl/learners/l1",
    ...     achievement_id="https://leerlijn.example.nl/units/BC-ZW-01", unit_code="BC-ZW-01",
    ...     unit_kind="BC", unit_title="Basiszorg", unit_description="Basiszorg verlenen.",
    ...     study_load_hours=120,
    ...     outcomes=(OutcomeFacts("LR1", "Plant zorg", "https://leerlijn.example.nl/outcomes/LR1"),),
    ...     assessment_type="Examen", participation_form="Op locatie",
    ...     quality_assurance="Erkende mbo-instelling; toezicht Inspectie van het Onderwijs.",
    ...     nlqf_level=3, eqf_level=3)
    >>> vc = build_unit_credential(facts)
    >>> vc["type"], vc["credentialSubject"]["achievement"]["humanCode"]
    (['VerifiableCredential', 'OpenBadgeCredential'], 'BC-ZW-01')
    >>> [a["targetFramework"] for a in vc["credentialSubject"]["achievement"]["alignment"]]
    ['Kwalificatiedossier', 'NLQF', 'EQF']
    """
    achievement: dict[str, Any] = {
        "id": facts.achievement_id,
        "type": ["Achievement"],
        "achievementType": achievement_type(facts.unit_kind),
        "humanCode": facts.unit_code,
        "name": facts.unit_title,
        "description": facts.unit_description,
        "criteria": {"narrative": outcomes_narrative(facts.outcomes)},
        "creditsAvailable": facts.study_load_hours,
        "inLanguage": facts.language,
        "alignment": _alignments(facts),
    }
    subject: dict[str, Any] = {
        "id": facts.learner_id,
        "type": ["AchievementSubject"],
        "achievement": achievement,
        "creditsEarned": facts.study_load_hours,
    }
    if facts.activity_start is not None:
        subject["activityStartDate"] = format_datetime(facts.activity_start)
    if facts.activity_end is not None:
        subject["activityEndDate"] = format_datetime(facts.activity_end)
    return open_badge_credential(
        credential_id=facts.credential_id,
        name=f"{facts.unit_code} {facts.unit_title}",
        issuer=_issuer(facts),
        issued_at=facts.issued_at,
        awarded=facts.awarded_on or facts.issued_at,
        subject=subject,
        evidence=_evidence(facts),
        valid_until=facts.valid_until,
    )


def open_badge_credential(
    *,
    credential_id: str,
    name: str,
    issuer: dict[str, Any],
    issued_at: datetime,
    awarded: datetime | date,
    subject: dict[str, Any],
    evidence: list[dict[str, Any]],
    valid_until: datetime | None = None,
) -> dict[str, Any]:
    """Return the unsigned OB 3.0 ``OpenBadgeCredential`` envelope every kind shares.

    `evidence` is left out when empty; ``validUntil`` only when `valid_until` is given.

    Examples
    --------
    >>> when = datetime(2025, 9, 1, tzinfo=UTC)
    >>> vc = open_badge_credential(credential_id="urn:x", name="N", issuer={"id": "did:key:z"},
    ...     issued_at=when, awarded=when, subject={"type": ["AchievementSubject"]}, evidence=[])
    >>> sorted(vc)
    ['@context', 'awardedDate', 'credentialSchema', 'credentialSubject', 'id', 'issuer', 'name', 'type', 'validFrom']
    """
    credential: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT, OB_CONTEXT],
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": name,
        "issuer": issuer,
        "validFrom": format_datetime(issued_at),
        "awardedDate": format_datetime(awarded),
        "credentialSubject": subject,
    }
    if evidence:
        credential["evidence"] = evidence
    credential["credentialSchema"] = [credential_schema_entry()]
    if valid_until is not None:
        credential["validUntil"] = format_datetime(valid_until)
    return credential
