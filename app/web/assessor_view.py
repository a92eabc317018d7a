"""View models of the assessor's pages: the outcome tree, the record, what may be issued.

Everything here is read through `app.services` after the page authorized the learner
(`assessor_pages.staff_learner`), and judged with the path engine's own rules: an outcome or a
unit counts as achieved when the engine's standing says so (`learner_standing`, the rule
`unearned` applies to a unit), an EPA when `unearned` finds a counting entrustment, a diploma
when its path is complete. The pages add no rule of their own; issuing checks again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.domain.access import Principal
from app.domain.errors import NotFound
from app.domain.paging import ListFilter
from app.domain.path.achievements import unearned
from app.domain.path.catalog import Catalog
from app.domain.path.record import LearnerRecord
from app.domain.path.standing import Standing, learner_standing
from app.services import credentials, learners, registry, status, vmbo
from app.services.learners import PathCaches

#: Evidence source (the API's value) → Dutch, in the order the form offers them.
SOURCE_LABELS: dict[str, str] = {
    "exam": "Examen of beoordeling",
    "evc": "EVC (erkenning van eerder verworven competenties)",
    "prior_diploma": "Eerder behaald diploma",
    "vmbo_assignment": "vmbo-opdracht",
    "transfer": "Overgenomen van een andere school",
    "formative": "Formatief (oefenen; telt niet mee)",
}
#: Achievement type → Dutch.
ACHIEVEMENT_LABELS: dict[str, str] = {
    "unit": "leereenheid",
    "epa": "EPA",
    "qualification": "diploma",
}
#: Credential state → Dutch.
STATE_LABELS: dict[str, str] = {
    "active": "geldig",
    "suspended": "geschorst",
    "revoked": "ingetrokken",
}
#: How many record items a staff page lists.
RECORD_LIMIT = 500


@dataclass(frozen=True, slots=True)
class OutcomeChoice:
    """One outcome checkbox: its code, title, and whether the learner already achieved it."""

    code: str
    title: str
    achieved: bool


@dataclass(frozen=True, slots=True)
class UnitChoices:
    """The outcomes of one unit of a qualification, as a group of checkboxes."""

    code: str
    title: str
    kind: str
    role: str  # "verplicht" or "keuzedeel"
    outcomes: tuple[OutcomeChoice, ...]

    @property
    def achieved(self) -> bool:
        return all(o.achieved for o in self.outcomes)


@dataclass(frozen=True, slots=True)
class OutcomeTree:
    """A qualification's units and their outcomes (mandatory units first, then options)."""

    code: str
    title: str
    units: tuple[UnitChoices, ...]


@dataclass(frozen=True, slots=True)
class Offer:
    """An achievement the learner earns today, and the credential already held for it (if any)."""

    kind: str
    code: str
    title: str
    detail: str
    held: str | None  # the id of a credential that is not revoked

    @property
    def value(self) -> str:
        """The value of its radio button: ``kind:code`` (codes never contain a space)."""
        return f"{self.kind}:{self.code}"


@dataclass(frozen=True, slots=True)
class CredentialLine:
    """One issued credential on the staff page, with its state."""

    id: str
    kind: str
    code: str
    name: str
    issued_at: dt.datetime
    state: str

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def kind_label(self) -> str:
        return ACHIEVEMENT_LABELS.get(self.kind, self.kind)


def standing_of(
    session: Session, learner_id: str, on: dt.date, caches: PathCaches | None
) -> tuple[Catalog, LearnerRecord, Standing]:
    """The catalog, the learner's record and the engine's standing on `on`."""
    catalog, record = learners.cached_inputs(session, learner_id, caches)
    return catalog, record, learner_standing(catalog, record, on)


def tree_qualifications(record: LearnerRecord, wanted: str | None) -> list[str]:
    """The qualifications whose trees the evidence form shows: `wanted`, else the enrolments.

    >>> from app.domain.path.record import Enrolment
    >>> record = LearnerRecord(enrolments=(Enrolment("Q-B", (), dt.date(2025, 1, 1), 20),
    ...                                    Enrolment("Q-A", (), dt.date(2025, 1, 1), 20)))
    >>> tree_qualifications(record, None), tree_qualifications(record, "Q-C")
    (['Q-A', 'Q-B'], ['Q-C'])
    """
    if wanted:
        return [wanted]
    return sorted({e.qualification for e in record.enrolments})


def outcome_tree(catalog: Catalog, standing: Standing, qualification: str) -> OutcomeTree:
    """The units of `qualification` with their outcomes, marking those already achieved.

    Raises
    ------
    NotFound
        If there is no such qualification.
    """
    q = catalog.qualifications.get(qualification)
    if q is None:
        raise NotFound("qualification", qualification)
    groups = []
    roles = [(code, "verplicht") for code in q.units]
    roles += [(code, "keuzedeel") for code in q.electives.options if code not in q.units]
    for code, role in roles:
        unit = catalog.units.get(code)
        if unit is None:
            continue
        outcomes = tuple(
            OutcomeChoice(o.code, o.title, o.code in standing.achieved) for o in unit.outcomes
        )
        groups.append(UnitChoices(unit.code, unit.title, unit.kind, role, outcomes))
    return OutcomeTree(q.code, q.title, tuple(groups))


def offers(
    session: Session,
    catalog: Catalog,
    record: LearnerRecord,
    standing: Standing,
    learner_id: str,
    on: dt.date,
    held: Mapping[tuple[str, str], str],
) -> list[Offer]:
    """What the learner earns on `on` and may get a credential for: achieved units of their
    enrolled qualifications (and any other achieved unit), EPAs with a counting entrustment,
    enrolled qualifications whose path is complete. Mandatory units, then EPAs, then diplomas."""
    found: list[Offer] = []
    enrolled = sorted({e.qualification for e in record.enrolments})
    for code in sorted(standing.achieved_units):
        unit = catalog.units[code]
        detail = f"{unit.study_load_hours} uur, {len(unit.outcomes)} leerresultaten"
        found.append(Offer("unit", code, unit.title, detail, held.get(("unit", code))))
    epas = registry.get_epas(session, standing.levels)
    for code in sorted(standing.levels):
        if unearned(catalog, record, "epa", code, on, learner_id=learner_id) is not None:
            continue
        title = epas[code].title if code in epas else code
        detail = f"niveau {standing.levels[code]}"
        found.append(Offer("epa", code, title, detail, held.get(("epa", code))))
    for code in enrolled:
        if code not in catalog.qualifications:
            continue
        if unearned(catalog, record, "qualification", code, on, learner_id=learner_id) is None:
            title = catalog.qualifications[code].title
            found.append(Offer("qualification", code, title, "", held.get(("qualification", code))))
    return found


def credential_lines(
    session: Session, actor: Principal | None, env: object, learner_id: str
) -> list[CredentialLine]:
    """The learner's credentials, newest first, each with its state."""
    lines = []
    for issued in credentials.all_learner_credentials(session, learner_id):
        state = status.credential_status(session, actor, env, issued.id)["status"]  # type: ignore[arg-type]
        lines.append(
            CredentialLine(
                issued.id,
                issued.achievement_type,
                issued.achievement_code,
                issued.name,
                issued.issued_at,
                state,
            )
        )
    lines.sort(key=lambda line: line.issued_at, reverse=True)
    return lines


def held_credentials(lines: Iterable[CredentialLine]) -> dict[tuple[str, str], str]:
    """(kind, code) → the id of a credential for it that is not revoked."""
    return {(line.kind, line.code): line.id for line in lines if line.state != "revoked"}


def record_lists(session: Session, actor: Principal | None, learner_id: str) -> dict[str, list]:  # type: ignore[type-arg]
    """The learner's evidence, entrustments and vmbo completions, newest first."""
    flt = ListFilter(limit=RECORD_LIMIT)
    evidence = learners.list_evidence(session, actor, learner_id, flt).items
    entrustments = learners.list_entrustments(session, actor, learner_id, flt).items
    completions = vmbo.list_completions(session, actor, learner_id, flt).items
    return {
        "evidence": sorted(evidence, key=lambda e: (e.date, e.id), reverse=True),
        "entrustments": sorted(entrustments, key=lambda e: (e.date, e.id), reverse=True),
        "completions": sorted(completions, key=lambda c: (c.date, c.id), reverse=True),
    }


def level_choices(session: Session) -> list[tuple[int, str]]:
    """(level, "1 – Dutch description") of the supervision levels 1–5."""
    return [
        (level.level, f"{level.level} – {level.label_nl}")
        for level in sorted(registry.supervision_levels(session), key=lambda lv: lv.level)
    ]


def epa_choices(session: Session, record: LearnerRecord, catalog: Catalog) -> list[tuple[str, str]]:
    """(code, "CODE – title") of the EPAs: those the enrolled qualifications require first."""
    wanted: list[str] = []
    for enrolment in record.enrolments:
        q = catalog.qualifications.get(enrolment.qualification)
        if q is not None:
            wanted += [r.epa for r in q.required_epas if r.epa not in wanted]
    every = registry.list_epas(session, ListFilter(limit=RECORD_LIMIT)).items
    order = {code: index for index, code in enumerate(wanted)}
    every = sorted(every, key=lambda e: (order.get(e.code, len(order)), e.code))
    return [(e.code, f"{e.code} – {e.title}") for e in every]


def assignment_choices(session: Session) -> list[tuple[str, list[tuple[str, str]]]]:
    """(programme title, [(assignment code, "CODE – title")]) of every vmbo programme."""
    groups = []
    for programme in vmbo.list_programmes(session, ListFilter(limit=RECORD_LIMIT)).items:
        items = vmbo.list_assignments(session, programme.code, ListFilter(limit=RECORD_LIMIT)).items
        choices = []
        for item in items:
            assignment = getattr(item, "assignment", item)
            choices.append((assignment.code, f"{assignment.code} – {assignment.title}"))
        if choices:
            groups.append((f"{programme.title} ({programme.code})", choices))
    return groups
