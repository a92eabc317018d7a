"""The path engine: what a learner still needs for a qualification, and in what order.

Plain data in (`Catalog`, `LearnerRecord`, a reference date `on`), a frozen `PathResult` out.
The rules R1–R11 of the path contract are implemented by the modules of this package; the
places where the contract leaves a choice are stated in the Notes of `compute_path`.

* `app.domain.path.standing`: what holds for the learner on `on` (R1–R4, R6, R11), computed
  once and reused by `rank_paths` for every qualification;
* `app.domain.path.gap`: what one qualification still asks (R5, R6, R9–R11);
* `app.domain.path.plan`: the study order (R8) and the calendar;
* this module: the two questions, a path (`compute_path`) and a ranking (`rank_paths`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import filterfalse

from app.domain.errors import NotFound
from app.domain.model import Qualification
from app.domain.path import explain
from app.domain.path.catalog import Catalog
from app.domain.path.gap import QualificationGap, qualification_gap
from app.domain.path.hours import DEFAULT_HOURS_PER_WEEK
from app.domain.path.plan import check_pace, finish_date, study_order, study_plan
from app.domain.path.record import LearnerRecord
from app.domain.path.results import (
    PathResult,
    PathSummary,
    PendingExplanations,
    Progress,
    RemainingUnit,
)
from app.domain.path.speed import slot_setters
from app.domain.path.standing import Standing, learner_standing

__all__ = ["compute_path", "rank_paths"]


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
        ``app.schemas.paths.PathSchema`` gives the JSON shape of the API.

    Raises
    ------
    NotFound
        If `qualification_code` is not in the catalog.
    InvalidData
        If the pace is not a positive number of hours.

    Examples
    --------
    >>> from app.domain.model import Outcome, Unit
    >>> from app.domain.path.record import Evidence
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
    check_pace(hours_per_week)
    chosen = enrolment.chosen_electives if enrolment else ()
    standing = learner_standing(catalog, record, on)
    gap = qualification_gap(catalog, standing, qualification, chosen)
    positions = study_order(catalog, gap.remaining)
    order = tuple(map(catalog.by_rank.__getitem__, positions))
    found = _remaining_units(catalog, standing, gap.hours, positions)
    sentences = PendingExplanations(
        found.units,
        catalog.outcomes_of,
        standing.flagged,
        standing.evidenced,
        tuple(_other_explanations(gap)),
    )
    shortfall = gap.electives.shortfall_hours
    plan = study_plan(order, gap.hours, shortfall, max(on, start), hours_per_week)
    return PathResult(
        learner=learner_id,
        qualification=qualification_code,
        on=on,
        complete=gap.complete,
        entry_requirements_met=not gap.missing_entry,
        missing_entry_requirements=gap.missing_entry,
        remaining_units=found.units,
        order=order,
        needs_assessment=tuple(sorted(found.needs_assessment)),
        expired_evidence=tuple(sorted(found.expired)),
        electives=gap.electives,
        remaining_epas=gap.remaining_epas,
        progress=_progress(catalog, standing, qualification, gap.taken),
        remaining_hours=gap.remaining_hours,
        plan=plan,
        expected_finish=plan[-1].end if plan else on,
        explanations=sentences,  # type: ignore[arg-type]  # written on first read (speed.py)
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

    Their sentences are written later (`PendingExplanations`). This is the per-unit work of a
    path, so each `RemainingUnit` is built through its slots (`app.domain.path.speed`).
    """
    by_rank, unit_at, requires_at = catalog.by_rank, catalog.unit_at, catalog.requires_at
    missing, achieved = standing.missing, standing.achieved_units.__contains__
    new, setters = object.__new__, slot_setters(RemainingUnit)
    set_unit, set_kind, set_title, set_missing, set_hours, set_blocked_by = setters
    found, lacks_of_each = [], []
    for position in positions:
        code, unit = by_rank[position], unit_at[position]
        assert unit is not None  # remaining units are catalog units, not bare graph nodes
        lacks = missing[code]
        item = new(RemainingUnit)  # RemainingUnit(code, kind, title, lacks, hours, blocked_by)
        set_unit(item, code)
        set_kind(item, unit.kind)
        set_title(item, unit.title)
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


def _progress(
    catalog: Catalog, standing: Standing, qualification: Qualification, taken: Iterable[str]
) -> Progress:
    """Count the outcomes of the mandatory units and of the achieved or remaining electives."""
    achieved_options = [o for o in qualification.electives.options if standing.unit_achieved(o)]
    mandatory = catalog.mandatory_outcomes[qualification.code]  # most outcomes: not copied
    extra: set[str] = set().union(*(catalog.outcomes_of[u] for u in (*achieved_options, *taken)))
    extra.difference_update(mandatory)
    achieved = standing.achieved
    return Progress(
        outcomes_achieved=len(achieved & mandatory) + len(achieved & extra),
        outcomes_total=len(mandatory) + len(extra),
        formative=tuple(
            sorted([o for o in standing.formative_only if o in mandatory or o in extra])
        ),
    )


def _other_explanations(gap: QualificationGap) -> list[str]:
    """Explain the elective shortfall, the remaining EPAs and the missing entry requirement."""
    sentences = []
    electives = gap.electives
    if electives.shortfall_hours:
        sentences.append(
            explain.explain_elective_shortfall(
                electives.shortfall_hours, electives.required_hours, bool(gap.taken)
            )
        )
    sentences.extend(
        explain.explain_epa(e.epa, e.current_level, e.required_level) for e in gap.remaining_epas
    )
    sentences.extend(explain.explain_entry_requirement(any_of) for any_of in gap.missing_entry)
    return sentences


def rank_paths(
    catalog: Catalog,
    record: LearnerRecord,
    *,
    learner_id: str,
    on: date,
    hours_per_week: int = DEFAULT_HOURS_PER_WEEK,
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
    hours_per_week : int, default `DEFAULT_HOURS_PER_WEEK`
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
    check_pace(hours_per_week)
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
    check_pace(pace)
    gap = qualification_gap(catalog, standing, qualification, chosen)
    shortfall = gap.electives.shortfall_hours
    return PathSummary(
        qualification=qualification.code,
        title=qualification.title,
        kind=qualification.kind,
        complete=gap.complete,
        entry_requirements_met=not gap.missing_entry,
        remaining_hours=gap.remaining_hours,
        remaining_epas=gap.remaining_epas,
        expected_finish=finish_date(gap.hours.values(), shortfall, begin, on, pace),
    )
