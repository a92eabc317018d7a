"""What one qualification still asks of a learner's standing: units, electives, EPAs, entry.

A path (`compute_path`) and a line of a ranking (`rank_paths`) both start from the
`QualificationGap`; the path adds the order, the plan and the explanations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.domain.model import Qualification
from app.domain.path.catalog import Catalog
from app.domain.path.results import Candidate, ElectiveStatus, RemainingEpa
from app.domain.path.standing import Standing

__all__ = ["QualificationGap", "qualification_gap"]


@dataclass(frozen=True, slots=True)
class QualificationGap:
    """What remains of one qualification for one standing.

    Attributes
    ----------
    remaining : tuple of str
        The unachieved mandatory units (R9), then the taken electives (R5).
    hours : mapping of str to int
        Remaining unit → its remaining hours (R10).
    electives : ElectiveStatus
        The elective rule applied (R5).
    taken : tuple of str
        The chosen electives that cover the remaining elective hours, in order of preference.
    remaining_epas : tuple of RemainingEpa
        Required EPAs below their minimum level (R6), by code.
    missing_entry : tuple of tuple of str
        The unmet entry requirement (R11): empty, or one tuple of qualifications of which a
        diploma is needed.
    remaining_hours : int
        The hours of the remaining units plus the uncovered elective hours.
    """

    remaining: tuple[str, ...]
    hours: Mapping[str, int]
    electives: ElectiveStatus
    taken: tuple[str, ...]
    remaining_epas: tuple[RemainingEpa, ...]
    missing_entry: tuple[tuple[str, ...], ...]
    remaining_hours: int

    @property
    def complete(self) -> bool:
        """True when nothing remains: no units, elective hours, EPAs or entry requirement."""
        return not (
            self.remaining
            or self.electives.remaining_hours
            or self.remaining_epas
            or self.missing_entry
        )


def qualification_gap(
    catalog: Catalog, standing: Standing, qualification: Qualification, chosen: Sequence[str]
) -> QualificationGap:
    """Return what `qualification` still asks of `standing`, with `chosen` electives.

    Parameters
    ----------
    catalog : Catalog
    standing : Standing
        From `learner_standing` with the same catalog.
    qualification : Qualification
        A qualification of the catalog.
    chosen : sequence of str
        The enrolment's chosen electives, in order of preference.

    Returns
    -------
    QualificationGap

    Examples
    --------
    >>> from datetime import date
    >>> from app.domain.model import ElectiveRule, Outcome, Unit
    >>> from app.domain.path.record import LearnerRecord
    >>> from app.domain.path.standing import learner_standing
    >>> units = [Unit("BC-1", "BC", "Zorg", 100, (Outcome("a", "a"),), "I"),
    ...          Unit("VC-1", "VC", "Keuze", 240, (Outcome("k", "k"),), "I")]
    >>> q = Qualification("Q", "Q", "mbo", ("BC-1",), ElectiveRule(480, ("VC-1",)))
    >>> catalog = Catalog.build(units, [q])
    >>> standing = learner_standing(catalog, LearnerRecord(), date(2025, 9, 1))
    >>> gap = qualification_gap(catalog, standing, q, ["VC-1"])
    >>> gap.remaining, gap.electives.shortfall_hours, gap.remaining_hours, gap.complete
    (('BC-1', 'VC-1'), 240, 580, False)
    """
    missing = standing.missing
    mandatory = tuple([u for u in catalog.mandatory[qualification.code] if missing[u]])
    electives, taken = _electives(catalog, standing, qualification, chosen)
    remaining = mandatory + taken
    hours_left = catalog.hours_left  # R10 hours, looked up by the number of missing outcomes
    hours = {u: hours_left[u][len(missing[u])] for u in remaining}
    return QualificationGap(
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
