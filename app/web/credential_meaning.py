"""What a credential says, in Dutch, for a person: read from any (possibly foreign) document.

Reading never fails: a missing or oddly shaped property is simply left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.orm import Session

from app.domain.credentials.holder import dutch_message
from app.domain.credentials.verification import IssuerStanding, IssuerTrust, VerificationReport
from app.domain.errors import NotFound
from app.services import learners, registry

#: Verification check → (Dutch label, what it means when it passes, when it fails).
CHECKS: dict[str, tuple[str, str, str]] = {
    "context": (
        "Context",
        "Het document gebruikt alleen bekende begrippen (JSON-LD-contexten).",
        "Het document gebruikt onbekende of ontbrekende begrippen (JSON-LD-contexten).",
    ),
    "proof": (
        "Handtekening",
        "De digitale handtekening klopt: de inhoud is niet veranderd sinds de uitgifte.",
        "De digitale handtekening klopt niet: de inhoud is veranderd of niet ondertekend.",
    ),
    "issuer": (
        "Uitgever",
        "De uitgever is bekend en heeft het document met een eigen sleutel ondertekend.",
        "De uitgever is onbekend of heeft deze sleutel niet (meer) in gebruik.",
    ),
    "validity": (
        "Geldigheid",
        "Het document is op dit moment geldig (niet te vroeg, niet verlopen).",
        "Het document is nog niet geldig of is verlopen.",
    ),
    "schema": (
        "Schema",
        "Het document heeft de vorm van een Open Badges 3.0-credential.",
        "Het document heeft niet de vorm van een Open Badges 3.0-credential.",
    ),
    "status": (
        "Status",
        "Het document is niet ingetrokken en niet geschorst.",
        "De status van het document kon niet betrouwbaar worden vastgesteld.",
    ),
    "holder": (
        "Houder",
        "De naam komt overeen met de houder van dit credential.",
        "De naam komt niet overeen met de houder van dit credential.",
    ),
}

#: The reason line of a compared holder (the meaning line says whether it matched).
HOLDER_REASON = (
    "Vergeleken met de versleutelde (gehashte) naam en het e-mailadres van de houder in het"
    " credential."
)
HOLDER_NOT_CHECKED = (
    "Niet gecontroleerd telt niet mee in het oordeel: dat hangt van de andere controles af."
)

#: Status check code → what it means in Dutch (the reason line names the date and reason).
STATUS_MEANINGS: dict[str, str] = {
    "revoked": "Het document is ingetrokken door de uitgever: het geldt niet meer.",
    "suspended": "Het document is geschorst door de uitgever: het geldt nu niet.",
    "unreachable": (
        "De status kon niet worden gecontroleerd: de statuslijst van de uitgever was niet"
        " te lezen. Of het document is ingetrokken of geschorst, is dus onbekend."
    ),
}

ACHIEVEMENT_TYPES = {
    "Certificate": "Certificaat van een leereenheid (beroepsgericht)",
    "ext:GeneralSubject": "Generiek onderdeel (bijvoorbeeld taal of rekenen)",
    "Diploma": "Diploma",
    "ext:EPA": "Toevertrouwde beroepsactiviteit (EPA)",
}
ROLES = {"mandatory": "verplicht onderdeel", "option": "keuzedeel (optie)"}


@dataclass(frozen=True, slots=True)
class CheckLine:
    name: str
    label: str
    ok: bool
    meaning: str
    reason: str


@dataclass(frozen=True, slots=True)
class Placement:
    code: str
    title: str
    role: str
    level: int | None


@dataclass(frozen=True, slots=True)
class Meaning:
    """The human-readable content of a credential (every field optional)."""

    name: str | None = None
    subject: str | None = None
    learner_name: str | None = None
    achievement_code: str | None = None
    achievement_name: str | None = None
    achievement_type: str | None = None
    description: str | None = None
    outcomes: tuple[tuple[str, str], ...] = ()
    nlqf: str | None = None
    eqf: str | None = None
    supervision: tuple[str, str] | None = None
    study_load: Any = None
    issuer_name: str | None = None
    issuer_id: str | None = None
    brin: str | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    awarded: str | None = None
    activity_start: str | None = None
    activity_end: str | None = None
    evidence: tuple[tuple[str, str], ...] = ()
    status: str | None = None
    placements: tuple[Placement, ...] = field(default=())


def issuer_meaning(standing: IssuerStanding | None, ok: bool) -> str | None:
    """What the issuer check means in Dutch, by what the registry knows of the issuer.

    Only a trusted institution is called a school this registry vouches for.

    >>> issuer_meaning(IssuerStanding(IssuerTrust.UNTRUSTED, "EVIL", "Nep ROC"), False)
    'De uitgever (Nep ROC) is bij dit register bekend, maar wordt niet vertrouwd.'
    >>> issuer_meaning(IssuerStanding(IssuerTrust.UNKNOWN), False)
    'De uitgever is geen instelling van dit register; wie het is, is niet vastgesteld.'
    """
    if standing is None:
        return None
    if standing.trust is IssuerTrust.UNKNOWN:
        return "De uitgever is geen instelling van dit register; wie het is, is niet vastgesteld."
    if standing.trust is IssuerTrust.UNTRUSTED:
        return (
            f"De uitgever ({standing.name}) is bij dit register bekend, maar wordt niet vertrouwd."
        )
    if ok:
        return (
            f"De uitgever is {standing.name}, een instelling die dit register vertrouwt, en heeft"
            " het document met een eigen sleutel ondertekend."
        )
    return None


def check_lines(report: VerificationReport) -> tuple[CheckLine, ...]:
    """Return each check with its Dutch label, a Dutch meaning and the Dutch reason."""
    lines = []
    for check in report.checks:
        label, good, bad = CHECKS.get(
            check.check, (check.check.capitalize(), "In orde.", "Niet in orde.")
        )
        meaning = good if check.ok else bad
        if check.check == "issuer":
            meaning = issuer_meaning(report.issuer, check.ok) or meaning
        if check.check == "status":
            meaning = STATUS_MEANINGS.get(check.code, meaning)
        reason = check.message_nl or ("In orde." if check.ok else "Niet in orde.")
        if check.check == "holder":
            meaning = dutch_message(check.message) or meaning
            reason = HOLDER_NOT_CHECKED if check.code == "not-checked" else HOLDER_REASON
        lines.append(CheckLine(check.check, label, check.ok, meaning, reason))
    return tuple(lines)


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> Sequence[Any]:
    if isinstance(value, list | tuple):
        return value
    return [value] if isinstance(value, Mapping) else []


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def read_credential(document: Any) -> Meaning:
    """Read what `document` claims (unverified: the caller shows the verdict next to it).

    >>> read_credential("nonsense").name is None
    True
    >>> m = read_credential({"name": "X", "credentialSubject": {"achievement": {"humanCode": "BC-1",
    ...     "alignment": [{"targetFramework": "NLQF", "targetCode": "3"}]}}})
    >>> m.achievement_code, m.nlqf
    ('BC-1', '3')
    """
    doc = _map(document)
    subject = _map(next(iter(_list(doc.get("credentialSubject"))), {}))
    achievement = _map(subject.get("achievement"))
    issuer = doc.get("issuer")
    issuer_map = _map(issuer)
    outcomes: list[tuple[str, str]] = []
    levels: dict[str, str] = {}
    supervision: tuple[str, str] | None = None
    for alignment in map(_map, _list(achievement.get("alignment"))):
        framework = _text(alignment.get("targetFramework")) or ""
        code = _text(alignment.get("targetCode")) or ""
        name = _text(alignment.get("targetName")) or ""
        if framework in ("NLQF", "EQF"):
            levels[framework] = code
        elif "supervis" in framework.lower():
            supervision = (code, name)
        else:
            outcomes.append((code, name))
    for result in map(_map, _list(subject.get("result"))):
        value = _text(result.get("value")) or _text(result.get("achievedLevel"))
        if (
            value
            and supervision is None
            and "supervis" in str(result.get("resultDescription", "")).lower()
        ):
            supervision = (value, "")
    brin = None
    for identifier in map(_map, _list(issuer_map.get("otherIdentifier"))):
        if identifier.get("identifierType") == "ext:BRIN":
            brin = _text(identifier.get("identifier"))
    evidence = tuple(
        (_text(e.get("name")) or "Bewijs", _text(e.get("genre")) or _text(e.get("narrative")) or "")
        for e in map(_map, _list(doc.get("evidence")))
        if e.get("name") != "Kwaliteitsborging"
    ) + tuple(
        ("Kwaliteitsborging", _text(e.get("narrative")) or "")
        for e in map(_map, _list(doc.get("evidence")))
        if e.get("name") == "Kwaliteitsborging"
    )
    statuses = [
        _text(s.get("statusPurpose")) for s in map(_map, _list(doc.get("credentialStatus")))
    ]
    kind = _text(achievement.get("achievementType"))
    return Meaning(
        name=_text(doc.get("name")),
        subject=_text(subject.get("id")),
        achievement_code=_text(achievement.get("humanCode")),
        achievement_name=_text(achievement.get("name")),
        achievement_type=ACHIEVEMENT_TYPES.get(kind or "", kind),
        description=_text(achievement.get("description")),
        outcomes=tuple(outcomes),
        nlqf=levels.get("NLQF"),
        eqf=levels.get("EQF"),
        supervision=supervision,
        study_load=_text(subject.get("creditsEarned"))
        or _text(achievement.get("creditsAvailable")),
        issuer_name=_text(issuer_map.get("name")),
        issuer_id=_text(issuer_map.get("id")) or _text(issuer),
        brin=brin,
        valid_from=_text(doc.get("validFrom")),
        valid_until=_text(doc.get("validUntil")),
        awarded=_text(doc.get("awardedDate")),
        activity_start=_text(subject.get("activityStartDate")),
        activity_end=_text(subject.get("activityEndDate")),
        evidence=evidence,
        status=_status_text(statuses),
    )


PURPOSES = {"revocation": "intrekking", "suspension": "schorsing"}


def _status_text(purposes: Sequence[str | None]) -> str | None:
    """Say which status lists the issuer keeps for the credential, in Dutch.

    >>> _status_text(["revocation", "suspension"])
    'De uitgever houdt bij of dit credential is ingetrokken of geschorst (intrekking en schorsing).'
    >>> _status_text([]) is None
    True
    """
    named = [PURPOSES.get(p, p) for p in purposes if p]
    if not named:
        return None
    what = " en ".join(named)
    return f"De uitgever houdt bij of dit credential is ingetrokken of geschorst ({what})."


def with_registry(session: Session, meaning: Meaning, base_url: str) -> Meaning:
    """Add what our registry knows: the qualifications containing the unit, the learner's
    name (only for our own learner URLs) and the supervision level's description."""
    placements: list[Placement] = []
    if meaning.achievement_code:
        for q in registry.get_qualifications(session).values():
            role = (
                "mandatory"
                if meaning.achievement_code in q.units
                else "option"
                if meaning.achievement_code in q.electives.options
                else None
            )
            if role:
                placements.append(Placement(q.code, q.title, ROLES[role], q.nlqf_level))
    learner_name: str | None = None
    prefix = f"{base_url}/api/learners/"
    if meaning.subject and meaning.subject.startswith(prefix):
        with suppress(NotFound):  # not (or no longer) our learner: no name
            learner_name = learners.get_learner(session, meaning.subject[len(prefix) :]).name
    supervision = meaning.supervision
    if supervision and supervision[0].isdigit():
        levels = {level.level: level.label_nl for level in registry.supervision_levels(session)}
        description = levels.get(int(supervision[0]))
        if description:
            supervision = (supervision[0], description)
    return replace(
        meaning,
        placements=tuple(sorted(placements, key=lambda p: p.code)),
        learner_name=learner_name,
        supervision=supervision,
    )
