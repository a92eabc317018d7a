"""The path engine: what a learner still needs for a qualification, and in what order.

Plain data in (`Catalog`, `LearnerRecord`, a reference date `on`), a frozen `PathResult` out.
The rules R1–R11 of the path contract are implemented here; the places where the contract
leaves a choice are stated in the Notes of `compute_path`.

What depends only on the learner and `on` (achieved outcomes, achieved units, EPA levels,
diplomas) is computed once, in a `Standing` (`learner_standing`), and reused by `rank_paths`
for every qualification.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from heapq import heapify, heappop, heappush
from itertools import filterfalse
from typing import Any

from app.domain.errors import InvalidData, NotFound
from app.domain.model import Qualification
from app.domain.path import explain
from app.domain.path.catalog import Catalog, LearnerRecord

__all__ = [
    "DEFAULT_HOURS_PER_WEEK",
    "RemainingUnit",
    "Candidate",
    "ElectiveStatus",
    "RemainingEpa",
    "Progress",
    "PlanItem",
    "PathResult",
    "PathSummary",
    "Standing",
    "compute_path",
    "learner_standing",
    "current_levels",
    "rank_paths",
    "remaining_unit_hours",
    "duration_days",
]

#: Study pace used by `compute_path` when neither the call nor an enrolment gives one.
DEFAULT_HOURS_PER_WEEK = 40


# --------------------------------------------------------------------------- result values


@dataclass(frozen=True, slots=True)
class RemainingUnit:
    unit: str
    kind: str
    title: str
    missing_outcomes: tuple[str, ...]
    remaining_hours: int
    blocked_by: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "kind": self.kind,
            "title": self.title,
            "missing_outcomes": list(self.missing_outcomes),
            "remaining_hours": self.remaining_hours,
            "blocked_by": list(self.blocked_by),
        }


@dataclass(frozen=True, slots=True)
class Candidate:
    unit: str
    title: str
    hours: int

    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "title": self.title, "hours": self.hours}


@dataclass(frozen=True, slots=True)
class ElectiveStatus:
    required_hours: int
    achieved_hours: int
    remaining_hours: int
    shortfall_hours: int
    chosen: tuple[str, ...]
    candidates: tuple[Candidate, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "required_hours": self.required_hours,
            "achieved_hours": self.achieved_hours,
            "remaining_hours": self.remaining_hours,
            "shortfall_hours": self.shortfall_hours,
            "chosen": list(self.chosen),
            "candidates": [c.to_dict() for c in self.candidates],
        }


@dataclass(frozen=True, slots=True)
class RemainingEpa:
    epa: str
    current_level: int | None
    required_level: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "epa": self.epa,
            "current_level": self.current_level,
            "required_level": self.required_level,
        }


@dataclass(frozen=True, slots=True)
class Progress:
    outcomes_achieved: int
    outcomes_total: int
    formative: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcomes_achieved": self.outcomes_achieved,
            "outcomes_total": self.outcomes_total,
            "formative": list(self.formative),
        }


@dataclass(frozen=True, slots=True)
class PlanItem:
    """One step of the plan; `unit` is None for an uncovered elective shortfall."""

    unit: str | None
    hours: int
    start: date
    end: date  # exclusive: the next item's start

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "hours": self.hours,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class PathResult:
    """A learner's path to one qualification on a reference date (see `compute_path`).

    Notes
    -----
    `explanations` is written on its first read (one sentence per remaining unit is most of
    the cost of a path) and kept: every way of reading the field, including ``==``,
    ``repr``, ``to_dict`` and ``dataclasses.asdict``, sees the same tuple of sentences.
    """

    learner: str
    qualification: str
    on: date
    complete: bool
    entry_requirements_met: bool
    missing_entry_requirements: tuple[tuple[str, ...], ...]
    remaining_units: tuple[RemainingUnit, ...]
    order: tuple[str, ...]
    needs_assessment: tuple[str, ...]
    expired_evidence: tuple[str, ...]
    electives: ElectiveStatus
    remaining_epas: tuple[RemainingEpa, ...]
    progress: Progress
    remaining_hours: int
    plan: tuple[PlanItem, ...]
    expected_finish: date
    explanations: tuple[str, ...]

    @property
    def blocked(self) -> dict[str, tuple[str, ...]]:
        """Remaining units that wait for an unachieved required unit, by unit code."""
        return {
            u.unit: u.blocked_by
            for u in sorted(self.remaining_units, key=_unit_code)
            if u.blocked_by
        }

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape of the path, with ISO date strings."""
        return {
            "learner": self.learner,
            "qualification": self.qualification,
            "on": self.on.isoformat(),
            "complete": self.complete,
            "entry_requirements_met": self.entry_requirements_met,
            "missing_entry_requirements": [
                {"any_of": list(any_of)} for any_of in self.missing_entry_requirements
            ],
            "remaining_units": [u.to_dict() for u in self.remaining_units],
            "order": list(self.order),
            "blocked": {unit: list(by) for unit, by in self.blocked.items()},
            "needs_assessment": list(self.needs_assessment),
            "expired_evidence": list(self.expired_evidence),
            "electives": self.electives.to_dict(),
            "remaining_epas": [e.to_dict() for e in self.remaining_epas],
            "progress": self.progress.to_dict(),
            "remaining_hours": self.remaining_hours,
            "plan": [item.to_dict() for item in self.plan],
            "expected_finish": self.expected_finish.isoformat(),
            "explanations": list(self.explanations),
        }


@dataclass(frozen=True, slots=True)
class PathSummary:
    """One line of `rank_paths`."""

    qualification: str
    title: str
    kind: str
    complete: bool
    entry_requirements_met: bool
    remaining_hours: int
    remaining_epas: tuple[RemainingEpa, ...]
    expected_finish: date

    def to_dict(self) -> dict[str, Any]:
        return {
            "qualification": self.qualification,
            "title": self.title,
            "complete": self.complete,
            "entry_requirements_met": self.entry_requirements_met,
            "remaining_hours": self.remaining_hours,
            "remaining_epas": [e.to_dict() for e in self.remaining_epas],
            "expected_finish": self.expected_finish.isoformat(),
        }


def _unit_code(unit: RemainingUnit) -> str:
    return unit.unit


@dataclass(frozen=True, slots=True)
class _Sentences:
    """The explanations of a path before they are written (see `_WrittenOnFirstRead`)."""

    units: tuple[RemainingUnit, ...]
    outcomes_of: Mapping[str, tuple[str, ...]]
    flagged: frozenset[str]
    evidenced: frozenset[str]
    others: tuple[str, ...]

    def write(self) -> tuple[str, ...]:
        """Return one sentence per remaining unit (R2, R4, R7), then the `others`."""
        flagged, evidenced, outcomes_of = self.flagged, self.evidenced, self.outcomes_of
        explain_unit, sentences = explain.explain_unit, []
        for u in self.units:
            lacks = u.missing_outcomes
            partial = () if flagged.isdisjoint(lacks) else [o for o in lacks if o in flagged]
            expired = () if evidenced.isdisjoint(lacks) else [o for o in lacks if o in evidenced]
            sentences.append(
                explain_unit(
                    u.unit,
                    u.title,
                    lacks,
                    len(outcomes_of[u.unit]),
                    u.remaining_hours,
                    u.blocked_by,
                    partial,
                    expired,
                )
            )
        return (*sentences, *self.others)


class _WrittenOnFirstRead:
    """Data descriptor over a slot that may hold `_Sentences`: the first read writes them.

    The written tuple replaces the `_Sentences` in the slot, so the work is done once and
    the attribute reads as a plain tuple of str everywhere (``__eq__``, ``__repr__`` and
    ``__getstate__`` of the dataclass read it through this descriptor too).
    """

    __slots__ = ("slot",)

    def __init__(self, slot: Any) -> None:
        self.slot = slot

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        if obj is None:
            return self
        value = self.slot.__get__(obj, owner)
        if type(value) is _Sentences:
            value = value.write()
            self.slot.__set__(obj, value)
        return value

    def __set__(self, obj: object, value: object) -> None:
        self.slot.__set__(obj, value)

    def __delete__(self, obj: object) -> None:
        self.slot.__delete__(obj)


PathResult.explanations = _WrittenOnFirstRead(PathResult.explanations)  # type: ignore[assignment]


# --------------------------------------------------------------------------- arithmetic


def remaining_unit_hours(study_load_hours: int, missing: int, total: int) -> int:
    """Return ``study_load_hours × missing / total`` rounded half up (R10), in integers.

    Examples
    --------
    >>> remaining_unit_hours(800, 2, 3)
    533
    >>> remaining_unit_hours(5, 1, 2)
    3
    >>> remaining_unit_hours(400, 0, 5)
    0
    """
    if total <= 0:
        return 0
    return (2 * study_load_hours * missing + total) // (2 * total)


def duration_days(hours: int, hours_per_week: int) -> int:
    """Return ``ceil(hours / hours_per_week × 7)``: the calendar days a plan step lasts.

    Examples
    --------
    >>> duration_days(240, 40), duration_days(1, 40), duration_days(0, 40)
    (42, 1, 0)
    """
    return -(-hours * 7 // hours_per_week)


# --------------------------------------------------------------------------- learner standing


@dataclass(frozen=True, slots=True)
class Standing:
    """What holds for one learner on a reference date, independent of any qualification.

    Built by `learner_standing`; `rank_paths` builds it once and reuses it for every
    qualification.

    Attributes
    ----------
    achieved : frozenset of str
        Outcomes with valid counting evidence (R1, R2) and the outcomes they subsume (R3).
    evidenced : frozenset of str
        Outcomes that are not achieved although they have counting evidence: it expired (R2).
    formative_only : frozenset of str
        Outcomes that are not achieved and whose only evidence is formative.
    flagged : frozenset of str
        Outcomes that are not achieved and need an assessment: the target of a ``partial``
        relation from an achieved outcome, or covered by a partial credit (R4).
    levels : mapping of str to int
        The current supervision level per EPA (`current_levels`, R6).
    diplomas : frozenset of str
        The qualifications of the diplomas held (R11).
    missing : mapping of str to tuple of str
        Every catalog unit → its unachieved outcomes, in the unit's order (R3).
    achieved_units : frozenset of str
        The catalog units whose outcomes are all achieved: those with an empty `missing`
        tuple, for every qualification that has them (R9).
    """

    achieved: frozenset[str]
    evidenced: frozenset[str]
    formative_only: frozenset[str]
    flagged: frozenset[str]
    levels: Mapping[str, int]
    diplomas: frozenset[str]
    missing: Mapping[str, tuple[str, ...]]
    achieved_units: frozenset[str]

    def unit_achieved(self, unit: str) -> bool:
        """Return True when `unit` is a catalog unit whose outcomes are all achieved."""
        return unit in self.achieved_units


def learner_standing(catalog: Catalog, record: LearnerRecord, on: date) -> Standing:
    """Return what holds for `record` on `on`: achieved outcomes and units, EPA levels, diplomas.

    Only what is recorded on or before `on` and not withdrawn counts; formative evidence
    never achieves an outcome.

    Parameters
    ----------
    catalog : Catalog
        Units and outcome relations (``subsumes``, ``partial``).
    record : LearnerRecord
        The learner's evidence, entrustments, diplomas and partial credits.
    on : date
        Reference date.

    Returns
    -------
    Standing

    Examples
    --------
    >>> from app.domain.model import Outcome, OutcomeRelation, Unit
    >>> from app.domain.path.catalog import Evidence
    >>> unit = Unit("U", "BC", "U", 10, tuple(Outcome(c, c) for c in "abc"), "I")
    >>> catalog = Catalog.build([unit], [], [OutcomeRelation("a", "b", "subsumes")])
    >>> record = LearnerRecord(evidence=(Evidence("a", "exam", date(2025, 1, 1)),
    ...                                  Evidence("c", "formative", date(2025, 1, 1))))
    >>> standing = learner_standing(catalog, record, date(2025, 9, 1))
    >>> sorted(standing.achieved), standing.missing["U"], sorted(standing.formative_only)
    (['a', 'b'], ('c',), ['c'])
    >>> standing.unit_achieved("U")
    False
    """
    formative: set[str] = set()
    evidenced: set[str] = set()  # R2: valid or expired
    direct: set[str] = set()
    for ev in record.evidence:  # one pass: this is the per-evidence work of every path
        if ev.withdrawn or not ev.date <= on:
            continue
        if ev.source == "formative":
            formative.add(ev.outcome)
            continue
        evidenced.add(ev.outcome)
        until = ev.valid_until
        if until is None or on <= until:
            direct.add(ev.outcome)
    subsumes, achieved = catalog.subsumes, direct  # grows by what direct outcomes subsume
    achieved.update(*[subsumes[o] for o in direct.intersection(subsumes)])
    flagged = {to for frm, to in catalog.partial_pairs if frm in achieved}
    flagged.update(
        pc.outcome for pc in record.partial_credits if not pc.withdrawn and pc.date <= on
    )
    lacks = achieved.__contains__
    missing = {
        unit: tuple(filterfalse(lacks, outcomes)) for unit, outcomes in catalog.outcomes_of.items()
    }
    return Standing(
        achieved=frozenset(achieved),
        evidenced=frozenset(evidenced - achieved),
        formative_only=frozenset(formative - evidenced - achieved),
        flagged=frozenset(flagged - achieved),
        levels=current_levels(record, on),
        diplomas=frozenset(d.qualification for d in record.diplomas if d.date <= on),
        missing=missing,
        achieved_units=frozenset([unit for unit, lacking in missing.items() if not lacking]),
    )


def current_levels(record: LearnerRecord, on: date) -> dict[str, int]:
    """Return the level of the latest counting entrustment per EPA on `on` (R6).

    An entrustment counts when it is not withdrawn and dated on or before `on`. The latest is
    the one with the latest date, then the highest `sequence`, then the last given.

    Parameters
    ----------
    record : LearnerRecord
    on : date
        Reference date.

    Returns
    -------
    dict of str to int
        EPA code → supervision level, for every EPA with a counting entrustment.

    Examples
    --------
    >>> from app.domain.path.catalog import Entrustment
    >>> day = date(2025, 1, 1)
    >>> record = LearnerRecord(entrustments=(
    ...     Entrustment("E", 4, day, sequence=2), Entrustment("E", 2, day, sequence=1),
    ...     Entrustment("F", 5, day, withdrawn=True), Entrustment("G", 3, date(2026, 1, 1))))
    >>> current_levels(record, date(2025, 9, 1))
    {'E': 4}
    """
    latest: dict[str, tuple[tuple[date, int, int], int]] = {}
    for index, ent in enumerate(record.entrustments):
        if ent.withdrawn or ent.date > on:
            continue
        key = (ent.date, ent.sequence, index)
        if ent.epa not in latest or key > latest[ent.epa][0]:
            latest[ent.epa] = (key, ent.level)
    return {epa: level for epa, (_, level) in latest.items()}


# --------------------------------------------------------------------------- per qualification


@dataclass(frozen=True, slots=True)
class _Core:
    """What both a path and a ranking line need for one qualification."""

    remaining: tuple[str, ...]
    hours: Mapping[str, int]
    electives: ElectiveStatus
    taken: tuple[str, ...]
    remaining_epas: tuple[RemainingEpa, ...]
    missing_entry: tuple[tuple[str, ...], ...]
    remaining_hours: int

    @property
    def complete(self) -> bool:
        return not (
            self.remaining
            or self.electives.remaining_hours
            or self.remaining_epas
            or self.missing_entry
        )


def _core(
    catalog: Catalog, standing: Standing, qualification: Qualification, chosen: Sequence[str]
) -> _Core:
    missing = standing.missing
    mandatory = tuple([u for u in catalog.mandatory[qualification.code] if missing[u]])
    electives, taken = _electives(catalog, standing, qualification, chosen)
    remaining = mandatory + taken
    load, outcomes_of = catalog.load, catalog.outcomes_of
    hours = {}
    for u in remaining:  # remaining_unit_hours, inlined: a remaining unit has outcomes
        total = len(outcomes_of[u])
        hours[u] = (2 * load[u] * len(missing[u]) + total) // (2 * total)
    return _Core(
        remaining=remaining,
        hours=hours,
        electives=electives,
        taken=taken,
        remaining_epas=_remaining_epas(qualification, standing),
        missing_entry=_missing_entry(qualification, standing),
        remaining_hours=sum(hours.values()) + electives.shortfall_hours,
    )


def _electives(
    catalog: Catalog, standing: Standing, qualification: Qualification, chosen: Sequence[str]
) -> tuple[ElectiveStatus, tuple[str, ...]]:
    """Apply R5: achieved elective hours, the chosen units that cover the rest, candidates."""
    rule = qualification.electives
    options = dict.fromkeys(rule.options)
    mandatory = set(qualification.units)
    achieved_hours = sum(
        catalog.units[o].study_load_hours for o in options if standing.unit_achieved(o)
    )
    remaining_hours = max(0, rule.required_hours - achieved_hours)
    taken: list[str] = []
    covered = 0
    for code in dict.fromkeys(chosen):
        if covered >= remaining_hours:
            break
        if code in options and code not in mandatory and not standing.unit_achieved(code):
            taken.append(code)
            covered += catalog.units[code].study_load_hours
    candidates = tuple(
        Candidate(o, catalog.units[o].title, catalog.units[o].study_load_hours)
        for o in sorted(options)
        if o not in mandatory and o not in taken and not standing.unit_achieved(o)
    )
    status = ElectiveStatus(
        required_hours=rule.required_hours,
        achieved_hours=achieved_hours,
        remaining_hours=remaining_hours,
        shortfall_hours=max(0, remaining_hours - covered),
        chosen=tuple(chosen),
        candidates=candidates,
    )
    return status, tuple(taken)


def _remaining_epas(qualification: Qualification, standing: Standing) -> tuple[RemainingEpa, ...]:
    """Apply R6: required EPAs whose current level is below the minimum, by code."""
    gaps = []
    for required in sorted(qualification.required_epas, key=lambda r: r.epa):
        level = standing.levels.get(required.epa)
        if level is None or level < required.min_level:
            gaps.append(RemainingEpa(required.epa, level, required.min_level))
    return tuple(gaps)


def _missing_entry(qualification: Qualification, standing: Standing) -> tuple[tuple[str, ...], ...]:
    """Apply R11: the unmet ``any_qualification`` requirement, if any."""
    any_of = qualification.entry_any_qualification
    if not any_of or standing.diplomas.intersection(any_of):
        return ()
    return (tuple(any_of),)


# --------------------------------------------------------------------------- path details


def _order(catalog: Catalog, units: Collection[str]) -> list[int]:
    """Return the positions (``Catalog.rank``) of `units` in prerequisite order (R8).

    Smallest available first: the same order as ``graph.ordered_units``
    (``nx.lexicographical_topological_sort`` keyed on kind, then code) over the precomputed
    adjacency of the catalog, worked on positions in that sort: int compares are cheap and
    lists index faster than dicts.
    """
    rank, successors_at = catalog.rank, catalog.successors_at
    wanted = list(dict.fromkeys([rank[u] for u in units]))
    waiting = [-1] * len(successors_at)  # -1: not wanted; else unplaced wanted requirements
    for position in wanted:
        waiting[position] = 0
    for position in wanted:
        for later in successors_at[position]:
            if waiting[later] >= 0:
                waiting[later] += 1
    ready = [position for position in wanted if not waiting[position]]
    heapify(ready)
    order = []
    while ready:
        position = heappop(ready)
        order.append(position)
        for later in successors_at[position]:
            n = waiting[later]
            if n > 0:
                waiting[later] = n - 1
                if n == 1:
                    heappush(ready, later)
    return order


#: Plans that would run past the calendar's end (absurd loads or paces) end on its last day.
LAST_ORDINAL = date.max.toordinal()


def _plan(
    order: Sequence[str], hours: Mapping[str, int], shortfall: int, begin: date, hours_per_week: int
) -> tuple[PlanItem, ...]:
    steps: list[tuple[str | None, int]] = [(u, hours[u]) for u in order]
    if shortfall:
        steps.append((None, shortfall))
    new, (set_unit, set_hours, set_start, set_end) = object.__new__, _slot_setters(PlanItem)
    items = []
    day, ordinal, fromordinal = begin, begin.toordinal(), date.fromordinal
    for unit, h in steps:  # PlanItem(unit, h, day, end), built as in _remaining_units
        ordinal = min(ordinal - (-h * 7 // hours_per_week), LAST_ORDINAL)  # duration_days, inlined
        end = fromordinal(ordinal)
        item = new(PlanItem)
        set_unit(item, unit)
        set_hours(item, h)
        set_start(item, day)
        set_end(item, end)
        items.append(item)
        day = end
    return tuple(items)


def _slot_setters(cls: type) -> tuple[Callable[[Any, Any], None], ...]:
    """Return the slot setters of the frozen dataclass `cls`, in field order.

    ``new = object.__new__(cls)`` followed by every setter with the field values builds the
    same instance as ``cls(*values)`` at a third of the cost: the generated ``__init__`` of a
    frozen dataclass goes through ``object.__setattr__`` per field. Only for classes without
    ``__post_init__``; the hot loops of a path use it for `RemainingUnit` and `PlanItem`.

    Examples
    --------
    >>> new, (u, h, s, e) = object.__new__, _slot_setters(PlanItem)
    >>> item, day = new(PlanItem), date(2025, 9, 1)
    >>> u(item, "A"), h(item, 40), s(item, day), e(item, day)
    (None, None, None, None)
    >>> item == PlanItem("A", 40, day, day)
    True
    """
    return tuple(getattr(cls, f.name).__set__ for f in fields(cls))


def _finish(core: _Core, begin: date, on: date, hours_per_week: int) -> date:
    """Return the plan's last end without building it (durations do not depend on order)."""
    steps = [*core.hours.values(), core.electives.shortfall_hours]
    days = sum(duration_days(h, hours_per_week) for h in steps if h)
    has_steps = bool(core.remaining or core.electives.shortfall_hours)
    if not has_steps:
        return on
    return date.fromordinal(min(begin.toordinal() + days, LAST_ORDINAL))


def _progress(
    catalog: Catalog, standing: Standing, qualification: Qualification, taken: Iterable[str]
) -> Progress:
    """Count the outcomes of the mandatory units and of the achieved or remaining electives."""
    achieved_options = [o for o in qualification.electives.options if standing.unit_achieved(o)]
    mandatory = catalog.mandatory_outcomes[qualification.code]  # most outcomes: not copied
    extra = set().union(*(catalog.outcomes_of[u] for u in (*achieved_options, *taken)))
    extra.difference_update(mandatory)
    achieved = standing.achieved
    return Progress(
        outcomes_achieved=len(achieved & mandatory) + len(achieved & extra),
        outcomes_total=len(mandatory) + len(extra),
        formative=tuple(
            sorted([o for o in standing.formative_only if o in mandatory or o in extra])
        ),
    )


def _other_explanations(core: _Core) -> list[str]:
    """Explain the elective shortfall, the remaining EPAs and the missing entry requirement."""
    sentences = []
    electives = core.electives
    if electives.shortfall_hours:
        sentences.append(
            explain.explain_elective_shortfall(
                electives.shortfall_hours, electives.required_hours, bool(core.taken)
            )
        )
    sentences.extend(
        explain.explain_epa(e.epa, e.current_level, e.required_level) for e in core.remaining_epas
    )
    sentences.extend(explain.explain_entry_requirement(any_of) for any_of in core.missing_entry)
    return sentences


def _check_pace(hours_per_week: int) -> None:
    if hours_per_week <= 0:
        raise InvalidData(
            [{"pointer": "/hours_per_week", "message": "must be a positive number of hours"}]
        )


# --------------------------------------------------------------------------- public API


def compute_path(
    catalog: Catalog,
    record: LearnerRecord,
    *,
    learner_id: str,
    qualification_code: str,
    on: date,
    hours_per_week: int | None = None,
    start: date | None = None,
) -> PathResult:
    """Return what `record` still needs for a qualification on `on`, in study order.

    Parameters
    ----------
    catalog : Catalog
        Units, qualifications, outcome relations and prerequisites.
    record : LearnerRecord
        The learner's evidence, entrustments, diplomas, partial credits and enrolments.
    learner_id : str
        Echoed in the result.
    qualification_code : str
        The qualification (mbo diploma or czo leerroute) to plan for.
    on : date
        Reference date: only what is recorded on or before it counts.
    hours_per_week : int, optional
        Study pace of the plan; default: the enrolment's, else `DEFAULT_HOURS_PER_WEEK`.
    start : date, optional
        Enrolment start; the plan begins at ``max(on, start)``. Default: the enrolment's, else
        `on`.

    Returns
    -------
    PathResult
        ``to_dict()`` gives the JSON shape of the API.

    Raises
    ------
    NotFound
        If `qualification_code` is not in the catalog.
    InvalidData
        If the pace is not a positive number of hours.

    Examples
    --------
    >>> from app.domain.model import Outcome, Unit
    >>> from app.domain.path.catalog import Evidence
    >>> unit = Unit("BC-1", "BC", "Zorg", 800, tuple(Outcome(c, c) for c in "abc"), "I")
    >>> catalog = Catalog.build([unit], [Qualification("Q", "Zorg", "mbo", ("BC-1",))])
    >>> record = LearnerRecord(evidence=(Evidence("b", "exam", date(2025, 1, 1)),))
    >>> path = compute_path(catalog, record, learner_id="L", qualification_code="Q",
    ...                     on=date(2025, 9, 1), hours_per_week=40)
    >>> path.order, path.remaining_units[0].missing_outcomes, path.remaining_hours
    (('BC-1',), ('a', 'c'), 533)
    >>> path.plan[0].end.isoformat()
    '2025-12-04'

    Notes
    -----
    Choices where the contract leaves room:

    * R5 cover: a taken elective covers its full ``study_load_hours`` (the elective hours it
      earns once achieved), while its *work* in `remaining_hours` is its R10 remaining hours.
      Covering with R10 hours instead would make adding evidence to a chosen elective raise
      `remaining_hours` (a further elective would be taken), breaking monotonicity.
      Candidates show full ``study_load_hours``. Options that are also mandatory units are
      never taken as electives (they are already remaining units).
    * R7 lists *direct* requirements only; a unit whose requirement is itself blocked shows
      just that requirement.
    * `progress` counts the distinct outcomes of the mandatory units, the achieved options and
      the taken electives; `formative` lists those that are not achieved and whose only
      counting-date, non-withdrawn evidence is formative.
    * `needs_assessment` and `expired_evidence` only list missing outcomes of remaining units.
    * Explanations come in this order: units (in `order`), elective shortfall, EPAs, entry
      requirements.
    """
    qualification = catalog.qualifications.get(qualification_code)
    if qualification is None:
        raise NotFound("qualification", qualification_code)
    enrolment = record.enrolment_for(qualification_code)
    if hours_per_week is None:
        hours_per_week = enrolment.hours_per_week if enrolment else DEFAULT_HOURS_PER_WEEK
    if start is None:
        start = enrolment.start if enrolment else on
    _check_pace(hours_per_week)
    chosen = enrolment.chosen_electives if enrolment else ()
    standing = learner_standing(catalog, record, on)
    core = _core(catalog, standing, qualification, chosen)
    positions = _order(catalog, core.remaining)
    order = tuple(map(catalog.by_rank.__getitem__, positions))
    found = _remaining_units(catalog, standing, core.hours, positions)
    sentences = _Sentences(
        found.units,
        catalog.outcomes_of,
        standing.flagged,
        standing.evidenced,
        tuple(_other_explanations(core)),
    )
    plan = _plan(order, core.hours, core.electives.shortfall_hours, max(on, start), hours_per_week)
    return PathResult(
        learner=learner_id,
        qualification=qualification_code,
        on=on,
        complete=core.complete,
        entry_requirements_met=not core.missing_entry,
        missing_entry_requirements=core.missing_entry,
        remaining_units=found.units,
        order=order,
        needs_assessment=tuple(sorted(found.needs_assessment)),
        expired_evidence=tuple(sorted(found.expired)),
        electives=core.electives,
        remaining_epas=core.remaining_epas,
        progress=_progress(catalog, standing, qualification, core.taken),
        remaining_hours=core.remaining_hours,
        plan=plan,
        expected_finish=plan[-1].end if plan else on,
        explanations=sentences,  # type: ignore[arg-type]  # written on first read
    )


@dataclass(frozen=True, slots=True)
class _Found:
    units: tuple[RemainingUnit, ...]
    needs_assessment: frozenset[str]
    expired: frozenset[str]


def _remaining_units(
    catalog: Catalog, standing: Standing, hours: Mapping[str, int], positions: Sequence[int]
) -> _Found:
    """Build the remaining units at `positions`, in that order (R2, R4, R7).

    Their sentences are written later (`_Sentences`). This is the per-unit work of a path,
    so it is kept tight: each `RemainingUnit` is built through its slots (`_slot_setters`).
    """
    by_rank, unit_at, requires_at = catalog.by_rank, catalog.unit_at, catalog.requires_at
    missing, achieved = standing.missing, standing.achieved_units.__contains__
    new, setters = object.__new__, _slot_setters(RemainingUnit)
    set_unit, set_kind, set_title, set_missing, set_hours, set_blocked_by = setters
    found, lacks_of_each = [], []
    for position in positions:
        code, unit = by_rank[position], unit_at[position]
        lacks = missing[code]
        item = new(RemainingUnit)  # RemainingUnit(code, kind, title, lacks, hours, blocked_by)
        set_unit(item, code)
        set_kind(item, unit.kind)  # type: ignore[union-attr]  # remaining units are units
        set_title(item, unit.title)  # type: ignore[union-attr]
        set_missing(item, lacks)
        set_hours(item, hours[code])
        set_blocked_by(item, tuple(filterfalse(achieved, requires_at[position])))
        found.append(item)
        lacks_of_each.append(lacks)
    lacking = set().union(*lacks_of_each)
    return _Found(
        tuple(found),
        needs_assessment=standing.flagged & lacking,
        expired=standing.evidenced & lacking,
    )


def rank_paths(
    catalog: Catalog,
    record: LearnerRecord,
    *,
    learner_id: str,
    on: date,
    hours_per_week: int,
) -> list[PathSummary]:
    """Return a summary of the learner's path to every qualification, most reachable first.

    Sorted by: entry requirements met first, mbo before czo, remaining hours, code. For a
    qualification the learner is enrolled in, the enrolment's chosen electives, start and pace
    are used; otherwise no chosen electives, start `on` and `hours_per_week`.

    Parameters
    ----------
    catalog : Catalog
    record : LearnerRecord
    learner_id : str
        Accepted for symmetry with `compute_path`; summaries do not repeat it.
    on : date
        Reference date.
    hours_per_week : int
        Pace for qualifications without an enrolment.

    Returns
    -------
    list of PathSummary
        ``remaining_hours`` and ``expected_finish`` equal those of `compute_path`.

    Raises
    ------
    InvalidData
        If a pace is not a positive number of hours.

    Examples
    --------
    >>> from app.domain.model import Outcome, Unit, RequiredEpa
    >>> unit = Unit("AV-1", "AV", "Taal", 160, (Outcome("t", "t"),), "I")
    >>> quals = [Qualification("Q-A", "A", "mbo", ("AV-1",)),
    ...          Qualification("C", "C", "czo", required_epas=(RequiredEpa("E", 4),)),
    ...          Qualification("Q-B", "B", "mbo", entry_any_qualification=("Q-A",))]
    >>> catalog = Catalog.build([unit], quals)
    >>> ranked = rank_paths(catalog, LearnerRecord(), learner_id="L", on=date(2025, 9, 1),
    ...                     hours_per_week=40)
    >>> [(s.qualification, s.remaining_hours, s.expected_finish.isoformat()) for s in ranked]
    [('Q-A', 160, '2025-09-29'), ('C', 0, '2025-09-01'), ('Q-B', 0, '2025-09-01')]
    """
    _check_pace(hours_per_week)
    standing = learner_standing(catalog, record, on)
    summaries = [
        _summary(catalog, record, standing, qualification, on, hours_per_week)
        for qualification in catalog.qualifications.values()
    ]
    summaries.sort(
        key=lambda s: (
            not s.entry_requirements_met,
            s.kind != "mbo",
            s.remaining_hours,
            s.qualification,
        )
    )
    return summaries


def _summary(
    catalog: Catalog,
    record: LearnerRecord,
    standing: Standing,
    qualification: Qualification,
    on: date,
    hours_per_week: int,
) -> PathSummary:
    enrolment = record.enrolment_for(qualification.code)
    chosen = enrolment.chosen_electives if enrolment else ()
    begin = max(on, enrolment.start) if enrolment else on
    pace = enrolment.hours_per_week if enrolment else hours_per_week
    _check_pace(pace)
    core = _core(catalog, standing, qualification, chosen)
    return PathSummary(
        qualification=qualification.code,
        title=qualification.title,
        kind=qualification.kind,
        complete=core.complete,
        entry_requirements_met=not core.missing_entry,
        remaining_hours=core.remaining_hours,
        remaining_epas=core.remaining_epas,
        expected_finish=_finish(core, begin, on, pace),
    )
