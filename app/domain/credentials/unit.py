"""Open Badges 3.0 unit certificates (unsigned), built from plain values.

One learning unit (leereenheid) passed by one learner becomes one ``OpenBadgeCredential``
built by the shared envelope (:func:`app.domain.credentials.envelope.open_badge_credential`).
Signing is done separately by :func:`app.domain.credentials.proof.add_proof`.

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
learning outcomes                  ``achievement.learningOutcome`` ("code: title" strings),
                                   ``achievement.criteria.narrative`` (Markdown list) and one
                                   ``achievement.alignment`` per outcome
notional workload                  ``achievement.SBU`` (study-load hours, edubadges extension),
                                   also ``achievement.creditsAvailable`` and
                                   ``credentialSubject.creditsEarned``
level (EQF / NLQF)                 ``achievement.alignment`` with ``targetType`` "ext:NLQF" /
                                   "ext:EQF" (as edubadges), ``targetFramework`` "NLQF" / "EQF"
                                   and the level as ``targetCode``
type of assessment                 ``evidence[]`` entry named "Beoordeling" whose ``genre`` is
                                   the assessment type (e.g. "Examen", "EVC")
form of participation              ``evidence[]`` entry named "Vorm van deelname" whose
                                   ``genre`` is the form (e.g. "Op locatie", "Online")
quality assurance                  ``evidence[]`` entry named "Kwaliteitsborging"
                                   (``genre`` "Kwaliteitsborging", ``narrative`` = the QA text)
dates of the learning activity     ``credentialSubject.activityStartDate`` / ``activityEndDate``
language                           ``achievement.inLanguage``
=================================  ===========================================================

The terms ``EducredentialAchievement``, ``SBU`` and ``learningOutcome`` are defined by the
registry's context :data:`app.domain.credentials.envelope.EDUCREDENTIAL_CONTEXT`.
``credentialSchema`` points at the published OB 3.0 JSON Schema (see
:func:`app.domain.credentials.envelope.credential_schema_entry`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.domain.credentials.envelope import (
    EQF_LEVELS_URL,
    NLQF_LEVELS_URL,
    OutcomeFacts,
    european_metadata,
    evidence_entry,
    format_datetime,
    issuer_of,
    level_alignments,
    open_badge_credential,
    outcome_alignments,
    outcomes_narrative,
)
from app.domain.credentials.holder import HolderFacts
from app.domain.model import UnitKind

__all__ = ["UnitCertificateFacts", "achievement_type", "build_unit_credential"]


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
    #: The holder's name and e-mail with their salts (``credentialSubject.identifier``).
    holder: HolderFacts | None = None


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


def _alignments(facts: UnitCertificateFacts) -> list[dict[str, Any]]:
    return outcome_alignments(facts.outcomes) + level_alignments(
        facts.nlqf_level, facts.eqf_level, facts.nlqf_levels_url, facts.eqf_levels_url
    )


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


def build_unit_credential(facts: UnitCertificateFacts) -> dict[str, Any]:
    """Return the unsigned OB 3.0 ``OpenBadgeCredential`` for one passed unit.

    See the module docstring for which property carries which EU micro-credential element.

    Raises
    ------
    ValueError
        If a datetime is naive or the unit kind is unknown.

    Examples
    --------
    >>> from datetime import UTC
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
    achievement = european_metadata(
        achievement, study_load_hours=facts.study_load_hours, outcomes=facts.outcomes
    )
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
        issuer=issuer_of(facts),
        issued_at=facts.issued_at,
        awarded=facts.awarded_on or facts.issued_at,
        subject=subject,
        evidence=_evidence(facts),
        valid_until=facts.valid_until,
        holder=facts.holder,
    )
