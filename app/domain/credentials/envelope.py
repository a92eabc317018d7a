"""The Open Badges 3.0 facts every credential kind shares, and the envelope that holds them.

Unit certificates (:mod:`~app.domain.credentials.unit`), EPA entrustments
(:mod:`~app.domain.credentials.epa`) and diplomas (:mod:`~app.domain.credentials.diploma`) are
all one unsigned ``OpenBadgeCredential`` (VC Data Model 2.0, OB 3.0.3 context and this
registry's European-metadata context :data:`EDUCREDENTIAL_CONTEXT`) built by
:func:`open_badge_credential`; they differ only in their
``credentialSubject``. The CLR record (:mod:`~app.domain.credentials.clr`) reuses the issuer
profile. What is shared:

* the contexts (:data:`VC_V2_CONTEXT`, the one definition of the VC 2.0 context URL, and
  :data:`OB_CONTEXT`),
* the issuer ``Profile`` (:func:`issuer_profile`, :func:`issuer_of`),
* outcome and NLQF/EQF level ``Alignment`` entries, the criteria narrative,
* the European metadata on the achievement in the edubadges OB 3.0 extension style
  (:func:`european_metadata`: type ``EducredentialAchievement``, ``SBU`` study load in hours,
  ``educationProgramIdentifier`` = crebo, ``learningOutcome``; levels as alignments with
  ``targetType`` ``ext:NLQF`` / ``ext:EQF``; language as OB 3.0's ``inLanguage``),
* ``Evidence`` entries,
* the ``credentialSchema`` entry pointing at the published OB 3.0 JSON Schema (type
  ``1EdTechJsonSchemaValidator2019``, made resolvable by a one-term embedded context, see
  :func:`credential_schema_entry`),
* XML Schema dateTime formatting (:func:`format_datetime`).

Signing is done separately by :func:`app.domain.credentials.proof.add_proof`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol

from app.domain.credentials.holder import HolderFacts, holder_identifiers

__all__ = [
    "VC_V2_CONTEXT",
    "OB_CONTEXT",
    "EDUCREDENTIAL_CONTEXT",
    "EDUCREDENTIAL_ACHIEVEMENT",
    "OB_CREDENTIAL_SCHEMA",
    "OB_SCHEMA_VALIDATOR",
    "OB_SCHEMA_VALIDATOR_IRI",
    "EQF_LEVELS_URL",
    "NLQF_LEVELS_URL",
    "OutcomeFacts",
    "IssuerFacts",
    "format_datetime",
    "outcomes_narrative",
    "outcome_alignments",
    "level_alignments",
    "european_metadata",
    "issuer_profile",
    "issuer_of",
    "evidence_entry",
    "credential_schema_entry",
    "open_badge_credential",
]

#: The W3C Verifiable Credentials Data Model 2.0 context: first ``@context`` of every credential
#: this registry issues or accepts (the one place this URL is written).
VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
#: The Open Badges 3.0.3 context (second ``@context`` of every OB credential).
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
#: This registry's JSON-LD context for the European metadata on achievements (third ``@context``
#: of every OB credential; shipped as ``schemas/contexts/leerlijn-educredential-v1.jsonld``). It
#: defines the edubadges OB 3.0 extension terms we use (``EducredentialAchievement``, ``SBU``,
#: ``educationProgramIdentifier``, with edubadges' IRIs) and ``learningOutcome``; see
#: ``schemas/contexts/README.md`` for why the edubadges context is not shipped verbatim.
EDUCREDENTIAL_CONTEXT = "https://leerlijn.nl/contexts/educredential-v1.jsonld"
#: Achievement type whose scoped context defines the European-metadata terms.
EDUCREDENTIAL_ACHIEVEMENT = "EducredentialAchievement"
#: Published URL of the OB 3.0 AchievementCredential JSON Schema (used in the spec examples).
OB_CREDENTIAL_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
#: ``credentialSchema`` type of the OB 3.0 JSON Schema entry.
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


class IssuerFacts(Protocol):
    """What every credential's facts say about the awarding body (see :func:`issuer_of`)."""

    @property
    def issuer_did(self) -> str:
        """DID of the issuing institution; must control the signing key."""

    @property
    def institution_name(self) -> str:
        """Awarding body's name."""

    @property
    def institution_url(self) -> str | None:
        """Awarding body's website, if any."""

    @property
    def institution_brin(self) -> str | None:
        """Awarding body's BRIN code, if any."""


def format_datetime(value: datetime | date) -> str:
    """Return an XML Schema dateTime in UTC with a ``Z`` suffix, whole seconds.

    A `date` becomes midnight UTC. A naive `datetime` is rejected.

    Raises
    ------
    ValueError
        If `value` is a naive datetime.

    Examples
    --------
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
                "targetType": "ext:NLQF",
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
                "targetType": "ext:EQF",
                "targetName": f"EQF level {eqf_level}",
                "targetCode": str(eqf_level),
                "targetFramework": "EQF",
                "targetUrl": eqf_levels_url,
            }
        )
    return alignments


def european_metadata(
    achievement: dict[str, Any],
    *,
    study_load_hours: int | None = None,
    crebo: str | None = None,
    outcomes: Sequence[OutcomeFacts] = (),
) -> dict[str, Any]:
    """Return `achievement` with the European metadata terms of :data:`EDUCREDENTIAL_CONTEXT`.

    Adds the type ``EducredentialAchievement`` (whose scoped context defines the terms),
    ``SBU`` (study load in hours), ``educationProgramIdentifier`` (the crebo, a number as in
    edubadges' examples when it is all digits) and ``learningOutcome`` (one "code: title" string
    per outcome), each only when given. Language stays OB 3.0's ``inLanguage`` and the
    NLQF/EQF levels stay alignments (:func:`level_alignments`), as in edubadges' examples.

    Examples
    --------
    >>> a = european_metadata({"type": ["Achievement"]}, study_load_hours=120, crebo="25960",
    ...     outcomes=[OutcomeFacts("LR1", "Plant zorg", "https://r.nl/o/LR1")])
    >>> a["type"], a["SBU"], a["educationProgramIdentifier"], a["learningOutcome"]
    (['Achievement', 'EducredentialAchievement'], 120, 25960, ['LR1: Plant zorg'])
    """
    result = dict(achievement)
    types = list(result.get("type") or ["Achievement"])
    if EDUCREDENTIAL_ACHIEVEMENT not in types:
        types.append(EDUCREDENTIAL_ACHIEVEMENT)
    result["type"] = types
    if study_load_hours is not None:
        result["SBU"] = study_load_hours
    if crebo:
        result["educationProgramIdentifier"] = int(crebo) if crebo.isdigit() else crebo
    if outcomes:
        result["learningOutcome"] = [f"{o.code}: {o.title}" for o in outcomes]
    return result


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


def issuer_of(facts: IssuerFacts) -> dict[str, Any]:
    """Return the issuer ``Profile`` of any credential's facts (see :func:`issuer_profile`).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> facts = SimpleNamespace(issuer_did="did:key:z6MkX", institution_name="ROC",
    ...                         institution_url=None, institution_brin="99XX")
    >>> issuer_of(facts)["otherIdentifier"][0]["identifier"]
    '99XX'
    """
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
    holder: HolderFacts | None = None,
) -> dict[str, Any]:
    """Return the unsigned OB 3.0 ``OpenBadgeCredential`` envelope every kind shares.

    `evidence` is left out when empty; ``validUntil`` only when `valid_until` is given. With a
    `holder`, the subject gets its hashed ``identifier`` list (see
    :mod:`app.domain.credentials.holder`).

    Examples
    --------
    >>> when = datetime(2025, 9, 1, tzinfo=UTC)
    >>> vc = open_badge_credential(credential_id="urn:x", name="N", issuer={"id": "did:key:z"},
    ...     issued_at=when, awarded=when, subject={"type": ["AchievementSubject"]}, evidence=[])
    >>> sorted(vc)  # doctest: +NORMALIZE_WHITESPACE
    ['@context', 'awardedDate', 'credentialSchema', 'credentialSubject', 'id', 'issuer', 'name',
     'type', 'validFrom']
    """
    if holder is not None:
        subject = {**subject, "identifier": holder_identifiers(holder)}
    credential: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT, OB_CONTEXT, EDUCREDENTIAL_CONTEXT],
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
