"""What holds for one learner on a reference date, whatever the qualification.

Achieved outcomes and units, expired and formative evidence, outcomes that need an assessment,
EPA levels and diplomas depend only on the learner's record and the date: `learner_standing`
computes them once, and `rank_paths` reuses that `Standing` for every qualification.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from itertools import filterfalse

from app.domain.path.catalog import Catalog
from app.domain.path.record import LearnerRecord

__all__ = ["Standing", "learner_standing", "current_levels"]


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
    >>> from app.domain.path.record import Evidence
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
    >>> from app.domain.path.record import Entrustment
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
