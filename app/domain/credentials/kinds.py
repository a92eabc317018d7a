"""EPA entrustment, diploma and CLR 2.0 learner-record credentials (unsigned), from plain values.

Three credential kinds besides the unit certificate of :mod:`app.domain.credentials.envelope` (whose
helpers they reuse: issuer profile, alignments, evidence entries, ``credentialSchema`` entry):

``build_epa_credential``
    OB 3.0 ``OpenBadgeCredential`` whose Achievement is an entrustable professional activity
    (``achievementType`` ``ext:EPA``; the schema pattern ``(ext:)[a-z|A-Z|0-9|.|-|_]+``
    accepts it). The five supervision levels are one ``ResultDescription`` with
    ``resultType`` ``RubricCriterionLevel`` and one ``RubricCriterionLevel`` per level; the
    learner's level is a ``Result`` whose ``achievedLevel`` is the id of that level.
``build_diploma_credential``
    OB 3.0 ``OpenBadgeCredential`` whose Achievement is the qualification (``Diploma``),
    crebo in ``otherIdentifier``, units (and EPAs for czo) in the criteria narrative.
``build_clr_credential``
    CLR 2.0 ``ClrCredential``: the learner's signed OB credentials embedded as-is in
    ``credentialSubject.verifiableCredential``, their achievements in ``achievement`` and
    registry relations in ``association`` (``precedes``: prerequisite → unit that requires it;
    ``isPartOf``: unit or EPA → qualification), see :func:`registry_associations`.

A CLR is verified with :func:`verify_clr`: the usual checks on the outer credential (its
``schema`` check is :func:`clr_schema_check`, because no VC 2.0 CLR JSON Schema is shipped),
plus an ``embedded`` check that runs :func:`app.domain.verification.verify_credential` on
every embedded credential.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from app.domain.credentials.envelope import (
    EQF_LEVELS_URL,
    NLQF_LEVELS_URL,
    OB_CONTEXT,
    VC_V2_CONTEXT,
    OutcomeFacts,
    evidence_entry,
    format_datetime,
    issuer_profile,
    level_alignments,
    open_badge_credential,
    outcome_alignments,
    outcomes_narrative,
)
from app.domain.credentials.proof import DocumentLoader
from app.domain.credentials.verification import (
    ALLOWED_UNDEFINED_TERMS,
    Check,
    VerificationReport,
    _run,
    verify_credential,
)
from app.domain.model import (
    EpaType,
    Prerequisite,
    Qualification,
    QualificationKind,
    SupervisionLevel,
)

__all__ = [
    "CLR_CONTEXT",
    "ASSOCIATION_TYPES",
    "AssociationType",
    "CLR_SCHEMA_NOTE",
    "EpaCredentialFacts",
    "ComponentFacts",
    "DiplomaCredentialFacts",
    "AssociationFacts",
    "ClrFacts",
    "supervision_result_description_id",
    "supervision_level_id",
    "build_epa_credential",
    "build_diploma_credential",
    "registry_associations",
    "build_clr_credential",
    "clr_schema_check",
    "verify_clr",
]

CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
#: CLR 2.0 ``AssociationType`` (closed enumeration, CLR 2.0 JSON Schema ``Association``).
ASSOCIATION_TYPES: tuple[str, ...] = (
    "exactMatchOf",
    "isChildOf",
    "isParentOf",
    "isPartOf",
    "isPeerOf",
    "isRelatedTo",
    "precedes",
    "replacedBy",
)
AssociationType = Literal[
    "exactMatchOf",
    "isChildOf",
    "isParentOf",
    "isPartOf",
    "isPeerOf",
    "isRelatedTo",
    "precedes",
    "replacedBy",
]
#: Message of a passing CLR ``schema`` check (the structure is checked in code instead).
CLR_SCHEMA_NOTE = "no VC 2.0 CLR JSON Schema is shipped"


# ---------------------------------------------------------------------------------------------
# EPA entrustment credential
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EpaCredentialFacts:
    """Everything needed to build one EPA entrustment credential; filled by the issuing service.

    Attributes
    ----------
    credential_id : str
        URL (or ``urn:uuid:``) of this credential.
    issued_at : datetime
        Timezone-aware issue time (``validFrom``).
    issuer_did, institution_name : str
        Issuing institution (its DID must control the signing key) and its name.
    learner_id : str
        URL or DID of the learner.
    achievement_id : str
        Registry URL of the EPA (the Achievement); result-description and level ids are
        fragments of it (see :func:`supervision_level_id`).
    epa_code, epa_title : str
        EPA code (``humanCode``) and title (``name``).
    epa_type : {"kern", "specifiek"}
        Core or specific EPA.
    outcomes : tuple of OutcomeFacts
        Learning outcomes the EPA draws on (criteria narrative, one alignment each).
    supervision_levels : tuple of SupervisionLevel
        The supervision scale (registry's five levels), any order.
    level : int
        The learner's latest entrusted level (must be one of `supervision_levels`).
    entrusted_on : date
        Date of the entrustment decision (``awardedDate``).
    decided_by : str
        Who decided (e.g. "Praktijkbeoordelaar J. de Vries"), in the "Bekwaamverklaring" evidence.
    epa_description : str, optional
        Achievement description; defaults to "Kern-EPA <code>: <title>." / "Specifieke EPA …".
    note : str, optional
        Remark on the decision, appended to the evidence narrative.
    required_level : int, optional
        Level required to be entrusted (``requiredLevel`` of the ResultDescription).
    valid_until : datetime, optional
        End of validity (``validUntil``).
    institution_url, institution_brin : str, optional
        Awarding body's website and BRIN code.
    language : str
        BCP 47 language of the achievement (default "nl").
    """

    credential_id: str
    issued_at: datetime
    issuer_did: str
    institution_name: str
    learner_id: str
    achievement_id: str
    epa_code: str
    epa_title: str
    epa_type: EpaType
    outcomes: tuple[OutcomeFacts, ...]
    supervision_levels: tuple[SupervisionLevel, ...]
    level: int
    entrusted_on: date
    decided_by: str
    epa_description: str | None = None
    note: str | None = None
    required_level: int | None = None
    valid_until: datetime | None = None
    institution_url: str | None = None
    institution_brin: str | None = None
    language: str = "nl"


def supervision_result_description_id(achievement_id: str) -> str:
    """Return the id of the supervision-level ``ResultDescription`` of an EPA achievement.

    Examples
    --------
    >>> supervision_result_description_id("https://r.nl/epas/BAZ-1")
    'https://r.nl/epas/BAZ-1#supervisieniveau'
    """
    return f"{achievement_id}#supervisieniveau"


def supervision_level_id(achievement_id: str, level: int) -> str:
    """Return the id of one supervision level's ``RubricCriterionLevel`` of an EPA achievement.

    Examples
    --------
    >>> supervision_level_id("https://r.nl/epas/BAZ-1", 4)
    'https://r.nl/epas/BAZ-1#supervisieniveau-4'
    """
    return f"{supervision_result_description_id(achievement_id)}-{level}"


def _levels_by_number(facts: EpaCredentialFacts) -> dict[int, SupervisionLevel]:
    levels = {level.level: level for level in facts.supervision_levels}
    if len(levels) != len(facts.supervision_levels) or not levels:
        raise ValueError("supervision_levels must be non-empty with distinct level numbers")
    for name, value in (("level", facts.level), ("required_level", facts.required_level)):
        if value is not None and value not in levels:
            raise ValueError(
                f"{name} {value} is not one of the supervision levels {sorted(levels)}"
            )
    return levels


def _supervision_result_description(
    facts: EpaCredentialFacts, levels: Mapping[int, SupervisionLevel]
) -> dict[str, Any]:
    rubric = [
        {
            "id": supervision_level_id(facts.achievement_id, number),
            "type": ["RubricCriterionLevel"],
            "name": level.label_nl,
            "description": (
                f"Supervisieniveau {number} van {len(levels)} ({level.group}); "
                f"Engels: {level.label_en}."
            ),
            "level": str(number),
        }
        for number, level in sorted(levels.items())
    ]
    description: dict[str, Any] = {
        "id": supervision_result_description_id(facts.achievement_id),
        "type": ["ResultDescription"],
        "name": "Supervisieniveau",
        "resultType": "RubricCriterionLevel",
        "rubricCriterionLevel": rubric,
    }
    if facts.required_level is not None:
        description["requiredLevel"] = supervision_level_id(
            facts.achievement_id, facts.required_level
        )
    return description


def build_epa_credential(facts: EpaCredentialFacts) -> dict[str, Any]:
    """Return the unsigned OB 3.0 ``OpenBadgeCredential`` for one EPA entrustment.

    Raises
    ------
    ValueError
        If a datetime is naive, the levels are empty or repeated, or `level` /
        `required_level` is not on the scale.

    Examples
    --------
    >>> from datetime import timezone
    >>> scale = tuple(SupervisionLevel(n, f"Niveau {n}", f"Level {n}", "g") for n in range(1, 6))
    >>> vc = build_epa_credential(EpaCredentialFacts(
    ...     credential_id="https://r.nl/credentials/9", issued_at=datetime(2025, 3, 1, tzinfo=UTC),
    ...     issuer_did="did:key:z6MkX", institution_name="ROC", learner_id="https://r.nl/learners/l1",
    ...     achievement_id="https://r.nl/epas/BAZ-1", epa_code="BAZ-1", epa_title="Werkplek",
    ...     epa_type="kern", outcomes=(), supervision_levels=scale, level=4,
    ...     entrusted_on=date(2025, 2, 28), decided_by="J. de Vries"))
    >>> vc["credentialSubject"]["result"][0]["achievedLevel"]
    'https://r.nl/epas/BAZ-1#supervisieniveau-4'
    """
    levels = _levels_by_number(facts)
    kind = "Kern-EPA" if facts.epa_type == "kern" else "Specifieke EPA"
    achievement: dict[str, Any] = {
        "id": facts.achievement_id,
        "type": ["Achievement"],
        "achievementType": "ext:EPA",
        "humanCode": facts.epa_code,
        "name": facts.epa_title,
        "description": facts.epa_description
        or f"{kind} {facts.epa_code}: {facts.epa_title.rstrip('.')}.",
        "criteria": {
            "narrative": outcomes_narrative(
                facts.outcomes,
                intro=f"Bekwaamverklaring voor {kind.lower()} {facts.epa_code}. "
                "De EPA steunt op de volgende leerresultaten:",
            )
        },
        "inLanguage": facts.language,
        "resultDescription": [_supervision_result_description(facts, levels)],
    }
    if facts.outcomes:
        achievement["alignment"] = outcome_alignments(facts.outcomes)
    level = levels[facts.level]
    narrative = (
        f"Op {facts.entrusted_on.isoformat()} bekwaam verklaard voor {facts.epa_code} op "
        f"supervisieniveau {facts.level} ({level.label_nl}) door {facts.decided_by}."
    )
    if facts.note:
        narrative += f"\n\n{facts.note}"
    return open_badge_credential(
        credential_id=facts.credential_id,
        name=f"{facts.epa_code} {facts.epa_title} (supervisieniveau {facts.level})",
        issuer=_issuer(facts),
        issued_at=facts.issued_at,
        awarded=facts.entrusted_on,
        subject={
            "id": facts.learner_id,
            "type": ["AchievementSubject"],
            "achievement": achievement,
            "result": [
                {
                    "type": ["Result"],
                    "resultDescription": supervision_result_description_id(facts.achievement_id),
                    "achievedLevel": supervision_level_id(facts.achievement_id, facts.level),
                }
            ],
        },
        evidence=[evidence_entry("Bekwaamverklaring", "Bekwaamverklaring", narrative)],
        valid_until=facts.valid_until,
    )


# ---------------------------------------------------------------------------------------------
# Diploma credential
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ComponentFacts:
    """A unit or EPA listed in a diploma's criteria.

    `study_load_hours` counts towards ``creditsAvailable`` (units); `min_level` is the
    minimum supervision level (EPAs of a czo route).
    """

    code: str
    title: str
    url: str
    study_load_hours: int | None = None
    min_level: int | None = None


@dataclass(frozen=True, slots=True)
class DiplomaCredentialFacts:
    """Everything needed to build one diploma credential; filled by the issuing service.

    Attributes
    ----------
    credential_id, issued_at, issuer_did, institution_name, learner_id : see EpaCredentialFacts
    achievement_id : str
        Registry URL of the qualification (the Achievement).
    qualification_code, qualification_title : str
        ``humanCode`` and ``name``.
    qualification_kind : {"mbo", "czo"}
        mbo diploma or czo route (both ``achievementType`` "Diploma").
    units : tuple of ComponentFacts
        The units the diploma was awarded on (mandatory and chosen electives), in order;
        their study-load hours add up to ``creditsAvailable``/``creditsEarned``.
    awarded_on : date
        Date the diploma was awarded (``awardedDate``).
    epas : tuple of ComponentFacts
        Required EPAs with their minimum level (czo), listed after the units.
    crebo : str, optional
        CREBO code, as ``otherIdentifier`` (``identifierType`` "ext:CREBO").
    description : str, optional
        Achievement description; defaults to "Mbo-diploma <title> (<code>)." / "Czo-opleiding …".
    nlqf_level, eqf_level : int, optional
        Qualification-framework levels; each adds an alignment.
    quality_assurance : str, optional
        "Kwaliteitsborging" evidence narrative.
    valid_until, institution_url, institution_brin, language, nlqf_levels_url, eqf_levels_url
        As in :class:`app.domain.badges.UnitCertificateFacts`.
    """

    credential_id: str
    issued_at: datetime
    issuer_did: str
    institution_name: str
    learner_id: str
    achievement_id: str
    qualification_code: str
    qualification_title: str
    qualification_kind: QualificationKind
    units: tuple[ComponentFacts, ...]
    awarded_on: date
    epas: tuple[ComponentFacts, ...] = ()
    crebo: str | None = None
    description: str | None = None
    nlqf_level: int | None = None
    eqf_level: int | None = None
    quality_assurance: str | None = None
    valid_until: datetime | None = None
    institution_url: str | None = None
    institution_brin: str | None = None
    language: str = "nl"
    nlqf_levels_url: str = NLQF_LEVELS_URL
    eqf_levels_url: str = EQF_LEVELS_URL


def _diploma_narrative(facts: DiplomaCredentialFacts) -> str:
    lines = ["De lerende heeft de volgende leereenheden behaald:", ""]
    for unit in facts.units:
        hours = f" ({unit.study_load_hours} SBU)" if unit.study_load_hours is not None else ""
        lines.append(f"- **{unit.code}**: {unit.title}{hours}")
    if facts.epas:
        lines += ["", "en is bekwaam verklaard voor de volgende EPA's:", ""]
        for epa in facts.epas:
            level = f" (minimaal supervisieniveau {epa.min_level})" if epa.min_level else ""
            lines.append(f"- **{epa.code}**: {epa.title}{level}")
    return "\n".join(lines)


def build_diploma_credential(facts: DiplomaCredentialFacts) -> dict[str, Any]:
    """Return the unsigned OB 3.0 ``OpenBadgeCredential`` for one awarded qualification.

    Raises
    ------
    ValueError
        If a datetime is naive or there are no units and no EPAs.

    Examples
    --------
    >>> from datetime import timezone
    >>> vc = build_diploma_credential(DiplomaCredentialFacts(
    ...     credential_id="https://r.nl/credentials/d1", issued_at=datetime(2025, 7, 1, tzinfo=UTC),
    ...     issuer_did="did:key:z6MkX", institution_name="ROC", learner_id="https://r.nl/learners/l1",
    ...     achievement_id="https://r.nl/qualifications/Q-HZW", qualification_code="Q-HZW",
    ...     qualification_title="Helpende Zorg en Welzijn", qualification_kind="mbo",
    ...     units=(ComponentFacts("BC-1", "Basis", "https://r.nl/units/BC-1", 400),
    ...            ComponentFacts("AV-NL", "Nederlands", "https://r.nl/units/AV-NL", 80)),
    ...     awarded_on=date(2025, 6, 30), crebo="25960", nlqf_level=2, eqf_level=2))
    >>> a = vc["credentialSubject"]["achievement"]
    >>> a["achievementType"], a["creditsAvailable"], a["otherIdentifier"][0]["identifier"]
    ('Diploma', 480, '25960')
    """
    if not facts.units and not facts.epas:
        raise ValueError("a diploma needs at least one unit or EPA")
    credits = sum(unit.study_load_hours or 0 for unit in facts.units)
    kind = "Mbo-diploma" if facts.qualification_kind == "mbo" else "Czo-opleiding"
    achievement: dict[str, Any] = {
        "id": facts.achievement_id,
        "type": ["Achievement"],
        "achievementType": "Diploma",
        "humanCode": facts.qualification_code,
        "name": facts.qualification_title,
        "description": facts.description
        or f"{kind} {facts.qualification_title} ({facts.qualification_code}).",
        "criteria": {"narrative": _diploma_narrative(facts)},
        "creditsAvailable": credits,
        "inLanguage": facts.language,
    }
    if facts.crebo:
        achievement["otherIdentifier"] = [
            {"type": "IdentifierEntry", "identifier": facts.crebo, "identifierType": "ext:CREBO"}
        ]
    alignments = level_alignments(
        facts.nlqf_level, facts.eqf_level, facts.nlqf_levels_url, facts.eqf_levels_url
    )
    if alignments:
        achievement["alignment"] = alignments
    quality = facts.quality_assurance
    return open_badge_credential(
        credential_id=facts.credential_id,
        name=f"Diploma {facts.qualification_title}",
        issuer=_issuer(facts),
        issued_at=facts.issued_at,
        awarded=facts.awarded_on,
        subject={
            "id": facts.learner_id,
            "type": ["AchievementSubject"],
            "achievement": achievement,
            "creditsEarned": credits,
        },
        evidence=[evidence_entry("Kwaliteitsborging", "Kwaliteitsborging", quality)]
        if quality
        else [],
        valid_until=facts.valid_until,
    )


def _issuer(facts: EpaCredentialFacts | DiplomaCredentialFacts) -> dict[str, Any]:
    return issuer_profile(
        facts.issuer_did,
        facts.institution_name,
        url=facts.institution_url,
        brin=facts.institution_brin,
    )


# ---------------------------------------------------------------------------------------------
# CLR 2.0 learner record
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, order=True)
class AssociationFacts:
    """A CLR ``Association``: `source_id` <association_type> `target_id` (achievement ids)."""

    association_type: AssociationType
    source_id: str
    target_id: str


@dataclass(frozen=True, slots=True)
class ClrFacts:
    """Everything needed to build one CLR 2.0 learner record; filled by the issuing service.

    Attributes
    ----------
    credential_id, issued_at, issuer_did, institution_name, learner_id : see EpaCredentialFacts
    credentials : tuple of Mapping
        The learner's *signed* OB credentials, embedded unchanged (at least one). Each
        ``credentialSubject.id`` must be `learner_id`.
    associations : tuple of AssociationFacts
        Relations between achievements of those credentials (see :func:`registry_associations`);
        both ends must be achievement ids of `credentials`.
    name : str
        Display name of the record.
    description : str, optional
        Display description.
    partial : bool, optional
        CLR ``partial``: True when the record leaves out some of the learner's credentials.
    valid_until, institution_url, institution_brin : optional
        As in the other facts.
    """

    credential_id: str
    issued_at: datetime
    issuer_did: str
    institution_name: str
    learner_id: str
    credentials: tuple[Mapping[str, Any], ...]
    associations: tuple[AssociationFacts, ...] = ()
    name: str = "Leerlingdossier (Comprehensive Learner Record)"
    description: str | None = None
    partial: bool | None = None
    valid_until: datetime | None = None
    institution_url: str | None = None
    institution_brin: str | None = None


def registry_associations(
    prerequisites: Iterable[Prerequisite],
    qualifications: Iterable[Qualification],
    achievement_ids: Mapping[str, str],
) -> tuple[AssociationFacts, ...]:
    """Return the CLR associations between the achievements of one record, sorted.

    * ``precedes``: for a prerequisite "`unit` requires `requires`", source = `requires`,
      target = `unit` (the prerequisite comes first).
    * ``isPartOf``: a unit (mandatory or elective option) or required EPA of a qualification
      is part of that qualification.

    Only relations whose both ends are in `achievement_ids` are returned, so the record is
    self-contained.

    Parameters
    ----------
    prerequisites : iterable of Prerequisite
        The registry's prerequisite edges.
    qualifications : iterable of Qualification
        The registry's qualifications (units, elective options, required EPAs).
    achievement_ids : Mapping[str, str]
        Registry code (unit, EPA or qualification) → achievement id, for the achievements
        in the record.

    Examples
    --------
    >>> ids = {"A": "https://r.nl/units/A", "B": "https://r.nl/units/B", "Q": "https://r.nl/q/Q"}
    >>> for a in registry_associations([Prerequisite("B", "A"), Prerequisite("C", "B")],
    ...                                [Qualification("Q", "Q", "mbo", units=("A", "B"))], ids):
    ...     print(a.association_type, a.source_id.rsplit("/", 1)[1], a.target_id.rsplit("/", 1)[1])
    isPartOf A Q
    isPartOf B Q
    precedes A B
    """
    found: set[AssociationFacts] = set()
    for prerequisite in prerequisites:
        if prerequisite.requires in achievement_ids and prerequisite.unit in achievement_ids:
            found.add(
                AssociationFacts(
                    "precedes",
                    achievement_ids[prerequisite.requires],
                    achievement_ids[prerequisite.unit],
                )
            )
    for qualification in qualifications:
        if qualification.code not in achievement_ids:
            continue
        parts = (
            *qualification.units,
            *qualification.electives.options,
            *(required.epa for required in qualification.required_epas),
        )
        for part in parts:
            if part in achievement_ids:
                found.add(
                    AssociationFacts(
                        "isPartOf", achievement_ids[part], achievement_ids[qualification.code]
                    )
                )
    return tuple(sorted(found))


def _subject_achievement(credential: Mapping[str, Any]) -> Mapping[str, Any] | None:
    subject = credential.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
    return achievement if isinstance(achievement, Mapping) else None


def _achievements(credentials: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for credential in credentials:
        achievement = _subject_achievement(credential)
        if achievement is not None and str(achievement.get("id")) not in seen:
            seen[str(achievement.get("id"))] = copy.deepcopy(dict(achievement))
    return list(seen.values())


def build_clr_credential(facts: ClrFacts) -> dict[str, Any]:
    """Return the unsigned CLR 2.0 ``ClrCredential`` embedding the learner's credentials.

    ``@context`` is ``[VC 2.0, CLR 2.0.1, OB 3.0.3]`` (the order 1EdTech's validator expects).
    ``achievement`` lists each distinct achievement of the embedded credentials, in order.

    Raises
    ------
    ValueError
        If a datetime is naive, there are no credentials, a credential is unsigned or about
        another learner, or an association has an unknown type or an end that is not an
        achievement of the record.
    """
    if not facts.credentials:
        raise ValueError("a CLR needs at least one credential")
    for index, credential in enumerate(facts.credentials):
        if "proof" not in credential:
            raise ValueError(f"credential {index} is not signed (no proof)")
        subject = credential.get("credentialSubject")
        if not isinstance(subject, Mapping) or subject.get("id") != facts.learner_id:
            raise ValueError(f"credential {index} is not about learner {facts.learner_id!r}")
    achievements = _achievements(facts.credentials)
    ids = {a.get("id") for a in achievements}
    for association in facts.associations:
        if association.association_type not in ASSOCIATION_TYPES:
            raise ValueError(f"unknown associationType {association.association_type!r}")
        for end in (association.source_id, association.target_id):
            if end not in ids:
                raise ValueError(f"association end {end!r} is not an achievement of this record")
    subject: dict[str, Any] = {
        "id": facts.learner_id,
        "type": ["ClrSubject"],
        "verifiableCredential": [copy.deepcopy(dict(c)) for c in facts.credentials],
        "achievement": achievements,
    }
    if facts.associations:
        subject["association"] = [
            {
                "type": ["Association"],
                "associationType": association.association_type,
                "sourceId": association.source_id,
                "targetId": association.target_id,
            }
            for association in facts.associations
        ]
    credential: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT, CLR_CONTEXT, OB_CONTEXT],
        "id": facts.credential_id,
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": facts.name,
        "issuer": issuer_profile(
            facts.issuer_did,
            facts.institution_name,
            url=facts.institution_url,
            brin=facts.institution_brin,
        ),
        "validFrom": format_datetime(facts.issued_at),
        "credentialSubject": subject,
    }
    if facts.description:
        credential["description"] = facts.description
    if facts.partial is not None:
        credential["partial"] = facts.partial
    if facts.valid_until is not None:
        credential["validUntil"] = format_datetime(facts.valid_until)
    return credential


def _types(node: Mapping[str, Any]) -> list[Any]:
    value = node.get("type")
    return value if isinstance(value, list) else [value]


def _clr_structure_errors(document: Mapping[str, Any]) -> list[str]:
    errors: list[str] = []
    if not {"VerifiableCredential", "ClrCredential"} <= set(map(str, _types(document))):
        errors.append("$.type: must contain VerifiableCredential and ClrCredential")
    contexts = document.get("@context")
    if not isinstance(contexts, list) or CLR_CONTEXT not in contexts:
        errors.append(f"$.@context: must include {CLR_CONTEXT}")
    for key in ("id", "name", "validFrom"):
        if not isinstance(document.get(key), str):
            errors.append(f"$.{key}: required string")
    if "partial" in document and not isinstance(document["partial"], bool):
        errors.append("$.partial: must be a boolean")
    subject = document.get("credentialSubject")
    if not isinstance(subject, Mapping):
        return [*errors, "$.credentialSubject: required object"]
    if "ClrSubject" not in _types(subject):
        errors.append("$.credentialSubject.type: must contain ClrSubject")
    if not subject.get("id") and not subject.get("identifier"):
        errors.append("$.credentialSubject: id or identifier is required")
    credentials = subject.get("verifiableCredential")
    if not isinstance(credentials, list) or not credentials:
        errors.append("$.credentialSubject.verifiableCredential: required non-empty array")
    elif not all(isinstance(c, Mapping) for c in credentials):
        errors.append("$.credentialSubject.verifiableCredential: items must be objects")
    achievements = subject.get("achievement", [])
    if not isinstance(achievements, list):
        errors.append("$.credentialSubject.achievement: must be an array")
        achievements = []
    for i, achievement in enumerate(achievements):
        path = f"$.credentialSubject.achievement[{i}]"
        if not isinstance(achievement, Mapping) or "Achievement" not in _types(achievement):
            errors.append(f"{path}: must be an Achievement object")
            continue
        errors += [
            f"{path}.{key}: required"
            for key in ("id", "name", "description", "criteria")
            if key not in achievement
        ]
    associations = subject.get("association", [])
    if not isinstance(associations, list):
        return [*errors, "$.credentialSubject.association: must be an array"]
    for i, association in enumerate(associations):
        path = f"$.credentialSubject.association[{i}]"
        if not isinstance(association, Mapping) or "Association" not in _types(association):
            errors.append(f"{path}: must be an Association object")
            continue
        if association.get("associationType") not in ASSOCIATION_TYPES:
            errors.append(
                f"{path}.associationType: {association.get('associationType')!r} is not "
                f"one of {', '.join(ASSOCIATION_TYPES)}"
            )
        errors += [
            f"{path}.{key}: required string"
            for key in ("sourceId", "targetId")
            if not isinstance(association.get(key), str)
        ]
    return errors


def clr_schema_check(document: Mapping[str, Any]) -> tuple[bool, str]:
    """The ``schema`` check of a CLR: the CLR 2.0 data model's required structure, in code.

    Only the VC 1.1 (draft-04) rendering of the CLR 2.0 JSON Schema exists among our schemas,
    so this checks what that schema requires, adapted to VC 2.0 (``validFrom``): types,
    CLR context, ``id``/``name``, a ``ClrSubject`` with ``id`` and at least one embedded
    credential, Achievement essentials and Associations (closed ``associationType`` enum).
    Embedded credentials are checked separately (``embedded`` check of :func:`verify_clr`).

    Examples
    --------
    >>> clr_schema_check({"type": ["VerifiableCredential"]})[0]
    False
    """
    errors = _clr_structure_errors(document)
    if errors:
        return False, "; ".join(errors)
    subject = document["credentialSubject"]
    return True, (
        f"{CLR_SCHEMA_NOTE}; ClrCredential structure checked "
        f"({len(subject['verifiableCredential'])} credentials, "
        f"{len(subject.get('achievement', []))} achievements, "
        f"{len(subject.get('association', []))} associations)"
    )


def _embedded_check(
    verify: Callable[[Any], VerificationReport],
) -> Check:
    def check(document: Mapping[str, Any]) -> tuple[bool, str]:
        subject = document.get("credentialSubject")
        credentials = subject.get("verifiableCredential") if isinstance(subject, Mapping) else None
        if not isinstance(credentials, list) or not credentials:
            return False, "no embedded credentials (credentialSubject.verifiableCredential)"
        learner = subject.get("id") if isinstance(subject, Mapping) else None
        failures: list[str] = []
        for index, credential in enumerate(credentials):
            label = f"verifiableCredential[{index}]"
            if isinstance(credential, Mapping) and isinstance(credential.get("id"), str):
                label += f" ({credential['id']})"
            report = verify(credential)
            failures += [f"{label}: {c.check}: {c.message}" for c in report.checks if not c.ok]
            if isinstance(credential, Mapping):
                inner = credential.get("credentialSubject")
                inner_id = inner.get("id") if isinstance(inner, Mapping) else None
                if inner_id != learner:
                    failures.append(
                        f"{label}: credentialSubject.id {inner_id!r} is not the "
                        f"CLR subject {learner!r}"
                    )
        if failures:
            return False, "; ".join(failures)
        return True, f"all {len(credentials)} embedded credentials verified"

    return check


def verify_clr(
    document: Any,
    *,
    loader: DocumentLoader,
    resolve_public_key: Callable[[str], bytes | None],
    validate_schema: Callable[[Any], list[str]],
    now: datetime,
    is_known_issuer: Callable[[str], bool],
    is_live_method: Callable[[str], bool] | None = None,
    extra_checks: Sequence[tuple[str, Check]] = (),
    allowed_undefined: Collection[str] = ALLOWED_UNDEFINED_TERMS,
) -> VerificationReport:
    """Verify a CLR and every credential embedded in it; never raises on bad input.

    Keyword arguments are those of :func:`app.domain.verification.verify_credential`.
    The outer ``ClrCredential`` gets the usual checks, except that its ``schema`` check is
    :func:`clr_schema_check` (`validate_schema`, the OB 3.0 validator, is used for the
    embedded credentials). `extra_checks` (e.g. ``status``) run on the outer credential and on
    each embedded one. A final ``embedded`` check runs ``verify_credential`` on each embedded
    credential and reports every failing check as
    ``verifiableCredential[<index>] (<id>): <check>: <message>``; it also requires each
    embedded credential to be about the CLR's subject. A tampered embedded credential thus
    fails the CLR even when the outer proof (signed over the tampered copy) is valid.

    Returns
    -------
    VerificationReport
        Checks ``context, proof, issuer, validity, schema, *extra_checks, embedded``.
    """
    common: dict[str, Any] = {
        "loader": loader,
        "resolve_public_key": resolve_public_key,
        "now": now,
        "is_known_issuer": is_known_issuer,
        "is_live_method": is_live_method,
        "extra_checks": extra_checks,
        "allowed_undefined": allowed_undefined,
    }

    def verify_embedded(credential: Any) -> VerificationReport:
        return verify_credential(credential, validate_schema=validate_schema, **common)

    report = verify_credential(
        document,
        validate_schema=lambda _document: [],
        **{
            **common,
            "extra_checks": [*extra_checks, ("embedded", _embedded_check(verify_embedded))],
        },
    )
    if not isinstance(document, Mapping):
        return report
    checks = tuple(
        _run("schema", clr_schema_check, document) if c.check == "schema" else c
        for c in report.checks
    )
    return VerificationReport(all(c.ok for c in checks), checks)
