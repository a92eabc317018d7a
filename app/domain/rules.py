"""Consistency rules of the registry, checked against the codes that exist.

Every check returns a list of `Problem` values instead of raising, so that an import can report
every error of a document at once while a single API write raises the first kind it meets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field
from typing import Literal

from app.domain.model import Epa, OutcomeRelation, Prerequisite, Qualification, Unit

__all__ = [
    "KnownCodes",
    "Problem",
    "unit_problems",
    "qualification_problems",
    "epa_problems",
    "relation_problems",
    "prerequisite_problems",
]

ProblemKind = Literal["invalid", "duplicate", "conflict"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One broken rule: `pointer` is a JSON pointer relative to the item checked."""

    pointer: str
    message: str
    kind: ProblemKind = "invalid"


@dataclass(frozen=True, slots=True)
class KnownCodes:
    """The codes that exist (stored, or about to be stored by the same import)."""

    institutions: Set[str] = frozenset()
    unit_kinds: Mapping[str, str] = field(default_factory=dict)
    outcome_units: Mapping[str, str] = field(default_factory=dict)
    qualifications: Set[str] = frozenset()
    epas: Set[str] = frozenset()


def unit_problems(unit: Unit, known: KnownCodes) -> list[Problem]:
    """Return what is wrong with `unit` given the codes that exist.

    An outcome code must be unique within the unit and may not belong to another unit.

    Examples
    --------
    >>> from app.domain.model import Outcome
    >>> u = Unit("U1", "BC", "T", 10, (Outcome("O1", "a"), Outcome("O1", "b")), "X")
    >>> [p.pointer for p in unit_problems(u, KnownCodes(institutions={"X"}))]
    ['/outcomes/1/code']
    """
    problems: list[Problem] = []
    if unit.institution not in known.institutions:
        problems.append(Problem("/institution", f"unknown institution '{unit.institution}'"))
    seen: set[str] = set()
    for index, outcome in enumerate(unit.outcomes):
        pointer = f"/outcomes/{index}/code"
        if outcome.code in seen:
            problems.append(
                Problem(pointer, f"outcome '{outcome.code}' appears twice in this unit")
            )
        seen.add(outcome.code)
        owner = known.outcome_units.get(outcome.code)
        if owner is not None and owner != unit.code:
            problems.append(
                Problem(
                    pointer,
                    f"outcome '{outcome.code}' already belongs to unit '{owner}'",
                    "duplicate",
                )
            )
    return problems


def qualification_problems(qualification: Qualification, known: KnownCodes) -> list[Problem]:
    """Return what is wrong with `qualification`: unknown codes, non-VC options, repeats.

    Examples
    --------
    >>> from app.domain.model import ElectiveRule
    >>> q = Qualification("Q", "T", "mbo", units=("A",), electives=ElectiveRule(240, ("A",)))
    >>> known = KnownCodes(unit_kinds={"A": "BC"})
    >>> [(p.pointer, p.message) for p in qualification_problems(q, known)]
    [('/electives/options/0', "elective option 'A' is a BC unit; options must be VC units"), \
('/electives/options/0', "unit 'A' is both mandatory and an elective option")]
    """
    problems: list[Problem] = []
    problems += _repeats(qualification.units, "/units")
    for index, code in enumerate(qualification.units):
        if code not in known.unit_kinds:
            problems.append(Problem(f"/units/{index}", f"unknown unit '{code}'"))
    problems += _repeats(qualification.electives.options, "/electives/options")
    mandatory = set(qualification.units)
    for index, code in enumerate(qualification.electives.options):
        pointer = f"/electives/options/{index}"
        kind = known.unit_kinds.get(code)
        if kind is None:
            problems.append(Problem(pointer, f"unknown unit '{code}'"))
        elif kind != "VC":
            problems.append(
                Problem(
                    pointer, f"elective option '{code}' is a {kind} unit; options must be VC units"
                )
            )
        if code in mandatory:
            problems.append(
                Problem(pointer, f"unit '{code}' is both mandatory and an elective option")
            )
    problems += _repeats([r.epa for r in qualification.required_epas], "/required_epas", "/epa")
    for index, required in enumerate(qualification.required_epas):
        if required.epa not in known.epas:
            problems.append(Problem(f"/required_epas/{index}/epa", f"unknown EPA '{required.epa}'"))
    for index, code in enumerate(qualification.entry_any_qualification):
        pointer = f"/entry_requirements/any_qualification/{index}"
        if code == qualification.code:
            problems.append(Problem(pointer, "a qualification cannot be its own entry requirement"))
        elif code not in known.qualifications:
            problems.append(Problem(pointer, f"unknown qualification '{code}'"))
    return problems


def epa_problems(epa: Epa, known: KnownCodes) -> list[Problem]:
    """Return what is wrong with `epa`: outcomes it draws on that do not exist, repeats."""
    problems = _repeats(epa.draws_on, "/draws_on")
    for index, code in enumerate(epa.draws_on):
        if code not in known.outcome_units:
            problems.append(Problem(f"/draws_on/{index}", f"unknown outcome '{code}'"))
    return problems


def relation_problems(relation: OutcomeRelation, known: KnownCodes) -> list[Problem]:
    """Return what is wrong with an outcome relation: unknown ends, or a self-relation."""
    problems: list[Problem] = []
    for name, code in (("from", relation.from_outcome), ("to", relation.to_outcome)):
        if code not in known.outcome_units:
            problems.append(Problem(f"/{name}", f"unknown outcome '{code}'"))
    if relation.from_outcome == relation.to_outcome:
        problems.append(Problem("/to", "an outcome cannot be related to itself"))
    return problems


def prerequisite_problems(prerequisite: Prerequisite, known: KnownCodes) -> list[Problem]:
    """Return what is wrong with a prerequisite apart from cycles (see graph.cycle_if_added)."""
    problems: list[Problem] = []
    for name, code in (("unit", prerequisite.unit), ("requires", prerequisite.requires)):
        if code not in known.unit_kinds:
            problems.append(Problem(f"/{name}", f"unknown unit '{code}'"))
    return problems


def _repeats(codes: Iterable[str], pointer: str, suffix: str = "") -> list[Problem]:
    seen: set[str] = set()
    problems: list[Problem] = []
    for index, code in enumerate(codes):
        if code in seen:
            problems.append(Problem(f"{pointer}/{index}{suffix}", f"'{code}' is listed twice"))
        seen.add(code)
    return problems
