"""Diploma credentials (unsigned): one OB 3.0 ``OpenBadgeCredential`` per awarded qualification.

The Achievement is the qualification (``achievementType`` ``Diploma``, for an mbo diploma and a
czo route alike), its CREBO code in ``otherIdentifier`` and, as edubadges carries it, in
``educationProgramIdentifier``, the units it was awarded on (and the required EPAs of a czo
route) in the criteria narrative, their study load in ``SBU`` and ``creditsAvailable``. The
envelope, issuer, level alignments and evidence come from :mod:`app.domain.credentials.envelope`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.domain.credentials.envelope import (
    EQF_LEVELS_URL,
    NLQF_LEVELS_URL,
    european_metadata,
    evidence_entry,
    issuer_of,
    level_alignments,
    open_badge_credential,
)
from app.domain.credentials.holder import HolderFacts
from app.domain.errors import NothingToCertify
from app.domain.model import QualificationKind

__all__ = ["ComponentFacts", "DiplomaCredentialFacts", "build_diploma_credential"]


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
    credential_id, issued_at, issuer_did, institution_name, learner_id
        As in :class:`app.domain.credentials.epa.EpaCredentialFacts`.
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
        As in :class:`app.domain.credentials.unit.UnitCertificateFacts`.
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
    #: The holder's name and e-mail with their salts (``credentialSubject.identifier``).
    holder: HolderFacts | None = None


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
        If a datetime is naive.
    NothingToCertify
        If there are no units and no EPAs (a `ValueError` too).

    Examples
    --------
    >>> from datetime import UTC
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
        raise NothingToCertify(
            f"qualification '{facts.qualification_code}' has no units and no EPAs: "
            "a diploma of it would certify nothing"
        )
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
    achievement = european_metadata(achievement, study_load_hours=credits, crebo=facts.crebo)
    alignments = level_alignments(
        facts.nlqf_level, facts.eqf_level, facts.nlqf_levels_url, facts.eqf_levels_url
    )
    if alignments:
        achievement["alignment"] = alignments
    quality = facts.quality_assurance
    return open_badge_credential(
        credential_id=facts.credential_id,
        name=f"Diploma {facts.qualification_title}",
        issuer=issuer_of(facts),
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
        holder=facts.holder,
    )
