"""EPA entrustment credentials (unsigned): one OB 3.0 ``OpenBadgeCredential`` per entrustment.

The Achievement is an entrustable professional activity (``achievementType`` ``ext:EPA``; the
OB 3.0 schema pattern ``(ext:)[a-z|A-Z|0-9|.|-|_]+`` accepts it). The five supervision levels
are one ``ResultDescription`` with ``resultType`` ``RubricCriterionLevel`` and one
``RubricCriterionLevel`` per level; the learner's level is a ``Result`` whose
``achievedLevel`` is the id of that level (:func:`supervision_level_id`). The envelope, issuer,
alignments and evidence come from :mod:`app.domain.credentials.envelope`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.domain.credentials.envelope import (
    OutcomeFacts,
    european_metadata,
    evidence_entry,
    issuer_of,
    open_badge_credential,
    outcome_alignments,
    outcomes_narrative,
)
from app.domain.credentials.holder import HolderFacts
from app.domain.model import EpaType, SupervisionLevel

__all__ = [
    "EpaCredentialFacts",
    "supervision_result_description_id",
    "supervision_level_id",
    "build_epa_credential",
    "stated_level",
]


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
    #: The holder's name and e-mail with their salts (``credentialSubject.identifier``).
    holder: HolderFacts | None = None


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
    >>> from datetime import UTC
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
    achievement = european_metadata(achievement, outcomes=facts.outcomes)
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
        issuer=issuer_of(facts),
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
        holder=facts.holder,
    )


def stated_level(document: Mapping[str, Any]) -> int | None:
    """The supervision level an EPA credential states (its result's ``achievedLevel``), or None.

    >>> stated_level({"credentialSubject": {"result": [
    ...     {"achievedLevel": "https://r.nl/epas/BAZ-1#supervisieniveau-4"}]}})
    4
    >>> stated_level({"credentialSubject": {}}) is None
    True
    """
    subject = document.get("credentialSubject")
    results = subject.get("result") if isinstance(subject, Mapping) else None
    for result in results if isinstance(results, list) else []:
        achieved = result.get("achievedLevel") if isinstance(result, Mapping) else None
        if isinstance(achieved, str) and achieved.rpartition("-")[2].isdigit():
            return int(achieved.rpartition("-")[2])
    return None
