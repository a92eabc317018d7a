"""vmbo practical assignments mapped onto mbo learning outcomes, and what that overlap is worth.

A vmbo programme (Zorg & Welzijn) has practical assignments; each assignment may be mapped
onto mbo learning outcomes with coverage ``full`` or ``partial``. A mapping is versioned: a new
mapping for the same assignment–outcome pair ends the current one, which stays as history.

This module is pure: plain values in, plain values out. It computes

* the overlap of a programme with a qualification (`overlap_report`): per unit, which outcomes
  the programme's current mappings cover fully, partly or not at all, and the study hours the
  fully covered outcomes are worth;
* the credit one completed assignment gives (`credit_for`): evidence for the fully covered
  outcomes, a flag for the partially covered ones;
* the summary of a doorlopende leerroute (`route_summary`): what the vmbo part covers and
  what remains for the mbo part.

Hours are rounded half up with `app.domain.path.hours.remaining_unit_hours` (the R10 rule), so
an overlap and a learner's path agree on what the same outcomes are worth. The JSON shapes of
the report and the route summary are given by the schemas in ``app/schemas/vmbo.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from app.domain.model import ElectiveRule, Qualification, Unit
from app.domain.path.hours import remaining_unit_hours

__all__ = [
    "Coverage",
    "COVERAGES",
    "Module",
    "VmboProgramme",
    "PracticalAssignment",
    "AssignmentMapping",
    "CompletionOutcome",
    "VmboCompletion",
    "RouteTemplate",
    "UnitOverlap",
    "OverlapReport",
    "RouteCoverage",
    "MboPartUnit",
    "RouteSummary",
    "best_coverage",
    "credit_for",
    "unit_overlap",
    "overlap_report",
    "route_summary",
]

Coverage = Literal["full", "partial"]
COVERAGES: tuple[str, ...] = ("full", "partial")


# --------------------------------------------------------------------------- values


@dataclass(frozen=True, slots=True)
class Module:
    """A profielmodule of a vmbo profile, e.g. ``P/ZW/4`` "Mens en zorg"."""

    code: str
    name: str


@dataclass(frozen=True, slots=True)
class VmboProgramme:
    code: str
    title: str
    institution: str
    profile: str
    modules: tuple[Module, ...] = ()


@dataclass(frozen=True, slots=True)
class PracticalAssignment:
    """A practical assignment of a vmbo programme; `module` is the profielmodule code."""

    code: str
    title: str
    programme: str
    module: str
    description: str | None = None
    keuzevakken: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AssignmentMapping:
    """Version `version` of the mapping of an assignment onto an mbo learning outcome.

    The mapping is current while `ended_on` is None.
    """

    assignment: str
    outcome: str
    coverage: Coverage
    version: int
    note: str | None = None
    validated_by: str | None = None
    validated_on: dt.date | None = None
    ended_on: dt.date | None = None

    @property
    def current(self) -> bool:
        return self.ended_on is None

    @property
    def ref(self) -> str:
        """Return the evidence reference, e.g. ``VA-5@v1``.

        >>> AssignmentMapping("VA-5", "DV:B1-K1-W2", "full", 1).ref
        'VA-5@v1'
        """
        return f"{self.assignment}@v{self.version}"


@dataclass(frozen=True, slots=True)
class CompletionOutcome:
    """What one completion credited for one outcome (a snapshot of the mapping then)."""

    outcome: str
    coverage: Coverage
    ref: str
    evidence: int | None = None


@dataclass(frozen=True, slots=True)
class VmboCompletion:
    """A pupil's completed practical assignment and the credit it gave."""

    id: int
    learner: str
    assignment: str
    date: dt.date
    assessor: str
    outcomes: tuple[CompletionOutcome, ...] = ()
    recorded_by: str = ""
    recorded_at: dt.datetime | None = None
    withdrawn_at: dt.datetime | None = None
    withdrawn_reason: str | None = None

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def full(self) -> tuple[str, ...]:
        return tuple(o.outcome for o in self.outcomes if o.coverage == "full")

    @property
    def partial(self) -> tuple[str, ...]:
        return tuple(o.outcome for o in self.outcomes if o.coverage == "partial")

    @property
    def evidence(self) -> tuple[int, ...]:
        return tuple(o.evidence for o in self.outcomes if o.evidence is not None)


@dataclass(frozen=True, slots=True)
class RouteTemplate:
    """A doorlopende leerroute: vmbo programme `programme` continuing into `qualification`."""

    code: str
    title: str
    programme: str
    qualification: str


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class UnitOverlap:
    """How far a programme's mappings cover one unit of a qualification.

    Attributes
    ----------
    unit : str
        The unit's code.
    role : str
        ``mandatory`` or ``option`` (an elective option of the qualification).
    study_load_hours : int
        The unit's study load.
    full, partial, none : tuple of str
        Its outcomes covered fully, partly and not at all, each in the unit's order.
    covered_hours : int
        What the fully covered outcomes are worth (R10, rounded half up).
    """

    unit: str
    role: str
    study_load_hours: int
    full: tuple[str, ...]
    partial: tuple[str, ...]
    none: tuple[str, ...]
    covered_hours: int

    @property
    def remaining_hours(self) -> int:
        """The study load that the fully covered outcomes leave."""
        return self.study_load_hours - self.covered_hours


@dataclass(frozen=True, slots=True)
class OverlapReport:
    """The overlap of a vmbo programme with a qualification, unit by unit (`overlap_report`)."""

    programme: str
    qualification: str
    units: tuple[UnitOverlap, ...]

    @property
    def total_hours(self) -> int:
        """The study load of the listed units."""
        return sum(u.study_load_hours for u in self.units)

    @property
    def covered_hours(self) -> int:
        """The covered hours of the listed units."""
        return sum(u.covered_hours for u in self.units)


@dataclass(frozen=True, slots=True)
class RouteCoverage:
    """The units a route's vmbo part covers: `fully` (every outcome) and `partly` (some)."""

    fully: tuple[str, ...]
    partly: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MboPartUnit:
    """What remains of one unit for the mbo part of a route.

    `outcomes` are those not fully covered; `needs_assessment` those covered partly; `hours`
    the unit's remaining hours.
    """

    unit: str
    role: str
    outcomes: tuple[str, ...]
    needs_assessment: tuple[str, ...]
    hours: int


@dataclass(frozen=True, slots=True)
class RouteSummary:
    """What the vmbo part of a doorlopende leerroute covers and what remains (`route_summary`).

    Attributes
    ----------
    route : RouteTemplate
    report : OverlapReport
        The overlap of the route's programme with its qualification.
    electives : ElectiveRule
        The elective rule of the qualification.
    """

    route: RouteTemplate
    report: OverlapReport
    electives: ElectiveRule

    @property
    def covers(self) -> RouteCoverage:
        """The units covered fully (no outcome left) and partly (some outcome covered)."""
        units = self.report.units
        return RouteCoverage(
            fully=tuple(u.unit for u in units if not u.partial and not u.none),
            partly=tuple(u.unit for u in units if (u.full or u.partial) and (u.partial or u.none)),
        )

    @property
    def mbo_part(self) -> tuple[MboPartUnit, ...]:
        """The units with outcomes that are not fully covered, in the report's order."""
        return tuple(
            MboPartUnit(
                unit=u.unit,
                role=u.role,
                outcomes=tuple(o for o in _unit_order(u) if o not in u.full),
                needs_assessment=u.partial,
                hours=u.remaining_hours,
            )
            for u in self.report.units
            if u.partial or u.none
        )

    @property
    def total_hours(self) -> int:
        """The report's total hours."""
        return self.report.total_hours

    @property
    def covered_hours(self) -> int:
        """The report's covered hours."""
        return self.report.covered_hours

    @property
    def remaining_hours(self) -> int:
        """``total_hours − covered_hours``: what remains for the mbo part."""
        return self.report.total_hours - self.report.covered_hours


def _unit_order(unit: UnitOverlap) -> list[str]:
    order = {o: i for i, o in enumerate((*unit.full, *unit.partial, *unit.none))}
    return sorted(order, key=order.__getitem__)


# --------------------------------------------------------------------------- functions


def best_coverage(mappings: Iterable[AssignmentMapping]) -> dict[str, Coverage]:
    """Return the best coverage of each outcome over the current `mappings`.

    An outcome that is ``full`` in one assignment and ``partial`` in another counts as full;
    ended mappings are ignored.

    Examples
    --------
    >>> maps = [AssignmentMapping("VA-4", "o1", "partial", 1),
    ...         AssignmentMapping("VA-7", "o1", "full", 1),
    ...         AssignmentMapping("VA-7", "o2", "partial", 1),
    ...         AssignmentMapping("VA-8", "o3", "full", 1, ended_on=dt.date(2025, 1, 1))]
    >>> best_coverage(maps)
    {'o1': 'full', 'o2': 'partial'}
    """
    found: dict[str, Coverage] = {}
    for mapping in mappings:
        if mapping.current and found.get(mapping.outcome) != "full":
            found[mapping.outcome] = mapping.coverage
    return found


def credit_for(mappings: Iterable[AssignmentMapping]) -> tuple[CompletionOutcome, ...]:
    """Return what completing an assignment credits under its current `mappings`.

    One item per outcome, ``full`` before ``partial`` and otherwise in the given order; each
    carries the mapping's reference (assignment and version), so that the credit is a snapshot.

    Examples
    --------
    >>> maps = [AssignmentMapping("VA-5", "DV:W2", "full", 1),
    ...         AssignmentMapping("VA-5", "DV:W1", "partial", 2)]
    >>> [(c.outcome, c.coverage, c.ref) for c in credit_for(maps)]
    [('DV:W2', 'full', 'VA-5@v1'), ('DV:W1', 'partial', 'VA-5@v2')]
    """
    current = [m for m in mappings if m.current]
    ordered = [m for m in current if m.coverage == "full"] + [
        m for m in current if m.coverage == "partial"
    ]
    seen: set[str] = set()
    items = []
    for mapping in ordered:
        if mapping.outcome not in seen:
            seen.add(mapping.outcome)
            items.append(CompletionOutcome(mapping.outcome, mapping.coverage, mapping.ref))
    return tuple(items)


def unit_overlap(
    unit: Unit, coverage: Mapping[str, Coverage], role: str = "mandatory"
) -> UnitOverlap:
    """Split the outcomes of `unit` by `coverage`, in the unit's order, and value the full ones.

    ``covered_hours`` is ``study_load_hours × fully covered / all outcomes``, rounded half up.

    Examples
    --------
    >>> from app.domain.model import Outcome
    >>> unit = Unit("BC-1", "BC", "Zorg", 400, tuple(Outcome(c, c) for c in "abcde"), "I")
    >>> u = unit_overlap(unit, {"b": "full", "c": "full", "a": "partial"})
    >>> u.full, u.partial, u.none, u.covered_hours
    (('b', 'c'), ('a',), ('d', 'e'), 160)
    """
    outcomes = unit.outcome_codes
    full = tuple(o for o in outcomes if coverage.get(o) == "full")
    partial = tuple(o for o in outcomes if coverage.get(o) == "partial")
    none = tuple(o for o in outcomes if o not in coverage)
    hours = remaining_unit_hours(unit.study_load_hours, len(full), len(outcomes))
    return UnitOverlap(unit.code, role, unit.study_load_hours, full, partial, none, hours)


def overlap_report(
    programme: str,
    qualification: Qualification,
    units: Mapping[str, Unit],
    mappings: Iterable[AssignmentMapping],
) -> OverlapReport:
    """Return the overlap of a programme's current `mappings` with a qualification.

    Parameters
    ----------
    programme : str
        Code of the vmbo programme, echoed in the report.
    qualification : Qualification
        Its mandatory units, then its elective options (each once), make the report's units.
    units : mapping of str to Unit
        At least every unit of `qualification`.
    mappings : iterable of AssignmentMapping
        The mappings of the programme's assignments; ended ones are ignored.

    Returns
    -------
    OverlapReport
        ``total_hours`` is the study load of the listed units, ``covered_hours`` the sum of
        their covered hours.

    Raises
    ------
    KeyError
        If a unit of `qualification` is missing from `units`.

    Examples
    --------
    >>> from app.domain.model import ElectiveRule, Outcome
    >>> a = Unit("BC-A", "BC", "A", 600, tuple(Outcome(c, c) for c in "wxyz"), "I")
    >>> b = Unit("VC-B", "VC", "B", 240, (Outcome("k", "k"),), "I")
    >>> q = Qualification("Q", "Q", "mbo", ("BC-A",), ElectiveRule(240, ("VC-B",)))
    >>> maps = [AssignmentMapping("VA-1", c, "full", 1) for c in "wxy"]
    >>> report = overlap_report("P", q, {"BC-A": a, "VC-B": b}, maps)
    >>> [(u.unit, u.covered_hours) for u in report.units], report.total_hours
    ([('BC-A', 450), ('VC-B', 0)], 840)
    """
    coverage = best_coverage(mappings)
    mandatory = dict.fromkeys(qualification.units)
    options = [o for o in dict.fromkeys(qualification.electives.options) if o not in mandatory]
    found = [unit_overlap(units[code], coverage, "mandatory") for code in mandatory]
    found += [unit_overlap(units[code], coverage, "option") for code in options]
    return OverlapReport(programme, qualification.code, tuple(found))


def route_summary(
    route: RouteTemplate, qualification: Qualification, report: OverlapReport
) -> RouteSummary:
    """Return what the vmbo part of `route` covers and what remains for its mbo part.

    ``remaining_hours`` is the report's ``total_hours − covered_hours``; the elective rule of
    the qualification is given with it.

    Examples
    --------
    >>> from app.domain.model import Outcome
    >>> a = Unit("BC-A", "BC", "A", 100, (Outcome("x", "x"), Outcome("y", "y")), "I")
    >>> q = Qualification("Q", "Q", "mbo", ("BC-A",))
    >>> report = overlap_report("P", q, {"BC-A": a}, [AssignmentMapping("V", "x", "full", 1)])
    >>> summary = route_summary(RouteTemplate("R", "R", "P", "Q"), q, report)
    >>> summary.covers, summary.remaining_hours
    (RouteCoverage(fully=(), partly=('BC-A',)), 50)
    >>> summary.mbo_part
    (MboPartUnit(unit='BC-A', role='mandatory', outcomes=('y',), needs_assessment=(), hours=50),)
    """
    return RouteSummary(route=route, report=report, electives=qualification.electives)
