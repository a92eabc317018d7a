"""What the path engine returns: frozen values, serialised only at the edges.

`compute_path` returns a `PathResult` and `rank_paths` a list of `PathSummary`; the JSON shape
of both is given by the marshmallow schemas in ``app/schemas/paths.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from app.domain.path import explain
from app.domain.path.speed import write_on_first_read

__all__ = [
    "RemainingUnit",
    "Candidate",
    "ElectiveStatus",
    "RemainingEpa",
    "Progress",
    "PlanItem",
    "PathResult",
    "PathSummary",
    "PendingExplanations",
]


@dataclass(frozen=True, slots=True)
class RemainingUnit:
    """A unit the learner still needs: its missing outcomes, hours and unachieved requirements.

    Attributes
    ----------
    unit, kind, title : str
        The unit.
    missing_outcomes : tuple of str
        Its outcomes that are not achieved, in the unit's order (R3).
    remaining_hours : int
        Its study load for the missing outcomes (R10, `remaining_unit_hours`).
    blocked_by : tuple of str
        The units it directly requires that are not achieved (R7), sorted.
    """

    unit: str
    kind: str
    title: str
    missing_outcomes: tuple[str, ...]
    remaining_hours: int
    blocked_by: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Candidate:
    """An elective option the learner could still choose, with its full study load."""

    unit: str
    title: str
    hours: int


@dataclass(frozen=True, slots=True)
class ElectiveStatus:
    """The elective rule of a qualification applied to a learner (R5).

    Attributes
    ----------
    required_hours : int
        Elective hours the qualification requires.
    achieved_hours : int
        Study load of the achieved options.
    remaining_hours : int
        ``required_hours − achieved_hours``, at least 0.
    shortfall_hours : int
        Remaining elective hours that the chosen electives do not cover.
    chosen : tuple of str
        The enrolment's chosen electives, as given.
    candidates : tuple of Candidate
        Options neither mandatory, taken nor achieved, by code.
    """

    required_hours: int
    achieved_hours: int
    remaining_hours: int
    shortfall_hours: int
    chosen: tuple[str, ...]
    candidates: tuple[Candidate, ...]


@dataclass(frozen=True, slots=True)
class RemainingEpa:
    """A required EPA whose current supervision level (None: no entrustment) is too low (R6)."""

    epa: str
    current_level: int | None
    required_level: int


@dataclass(frozen=True, slots=True)
class Progress:
    """Outcomes achieved of the outcomes counted, and those with only formative evidence."""

    outcomes_achieved: int
    outcomes_total: int
    formative: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PlanItem:
    """One step of the plan; `unit` is None for an uncovered elective shortfall.

    `end` is exclusive: it is the next item's `start`.
    """

    unit: str | None
    hours: int
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class PathResult:
    """A learner's path to one qualification on a reference date (see `compute_path`).

    Notes
    -----
    `explanations` is written on its first read (one sentence per remaining unit is most of
    the cost of a path; see `app.domain.path.speed`) and kept: every way of reading the field,
    including ``==``, ``repr``, ``dataclasses.asdict`` and the API's schema, sees the same
    tuple of sentences.
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


@dataclass(frozen=True, slots=True)
class PathSummary:
    """One line of `rank_paths`: how far the learner is from one qualification."""

    qualification: str
    title: str
    kind: str
    complete: bool
    entry_requirements_met: bool
    remaining_hours: int
    remaining_epas: tuple[RemainingEpa, ...]
    expected_finish: date


def _unit_code(unit: RemainingUnit) -> str:
    return unit.unit


@dataclass(frozen=True, slots=True)
class PendingExplanations:
    """The explanations of a path before they are written: ``PathResult.explanations``
    holds one of these until its first read, which writes the sentences (`write`).

    Attributes
    ----------
    units : tuple of RemainingUnit
        The remaining units, in study order.
    outcomes_of : mapping of str to tuple of str
        Every unit's outcomes (``Catalog.outcomes_of``).
    flagged : frozenset of str
        Outcomes that need an assessment (``Standing.flagged``).
    evidenced : frozenset of str
        Outcomes whose evidence expired (``Standing.evidenced``).
    others : tuple of str
        The sentences that follow those of the units (electives, EPAs, entry requirements).
    """

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


write_on_first_read(PathResult, "explanations", PendingExplanations)
