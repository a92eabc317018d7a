"""The registry as the path engine reads it: units, qualifications, relations, prerequisites.

`Catalog` is a frozen value that precomputes, once, the indexes every path needs (subsumes
closure, direct requirements, sort keys), so that one catalog built per request can serve a
single path or a ranking across every qualification. The learner's side is in
`app.domain.path.record`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import networkx as nx

from app.domain.errors import NotFound
from app.domain.graph import build_prerequisite_graph, unit_sort_key
from app.domain.model import OutcomeRelation, Qualification, Unit
from app.domain.path.hours import remaining_unit_hours

__all__ = ["Catalog"]


@dataclass(frozen=True, slots=True, eq=False)
class Catalog:
    """Units, qualifications, outcome relations and the prerequisite graph, indexed once.

    Parameters
    ----------
    units : mapping of str to Unit
        Every unit by code.
    qualifications : mapping of str to Qualification
        Every qualification (mbo diploma or czo leerroute) by code.
    relations : tuple of OutcomeRelation
        ``subsumes`` and ``partial`` relations between outcomes.
    graph : nx.DiGraph
        Prerequisite graph from `build_prerequisite_graph`; edge ``(a, b)`` means `b` requires
        `a`. Nodes that are not in `units` are allowed (they are never achieved).

    Raises
    ------
    NotFound
        If a qualification names a unit (mandatory or option) that is not in `units`.
    PrerequisiteCycle
        If `graph` has a cycle (checked in linear time; the cycle is named).

    Notes
    -----
    The derived fields are private indexes of the path engine: ``subsumes`` (outcome → every
    outcome it subsumes, transitively), ``partial_pairs``, ``outcomes_of``, ``requires`` (unit
    → directly required units, sorted), ``required_by``, ``rank`` / ``by_rank`` (position of
    every unit when sorted by kind rank, then code), ``unit_at`` / ``requires_at`` /
    ``successors_at`` (by position: the unit or None for a graph node that is not a unit, its
    ``requires``, and the positions of the units that directly require it),
    ``load`` (study load hours), ``hours_left`` (unit → its R10 remaining hours by the number
    of missing outcomes: ``hours_left[u][k] == remaining_unit_hours(load[u], k, total)``, so
    that a path looks hours up instead of computing them per unit and qualification;
    ``bench/bench_path.py``), ``mandatory`` (qualification → its units without duplicates)
    and ``mandatory_outcomes`` (qualification → the outcomes of those units). The indexes are
    taken from `graph` when the catalog is built: do not change the graph afterwards.

    Examples
    --------
    >>> from app.domain.model import Outcome
    >>> a = Unit("A", "BC", "A", 100, (Outcome("a1", "a1"),), "I")
    >>> b = Unit("B", "VC", "B", 100, (Outcome("b1", "b1"),), "I")
    >>> rels = [OutcomeRelation("b1", "a1", "subsumes")]
    >>> quals = [Qualification("Q", "Q", "mbo", ("A", "B"))]
    >>> cat = Catalog.build([a, b], quals, rels, [("B", "A")])
    >>> cat.requires["B"], sorted(cat.subsumes["b1"])
    (('A',), ['a1'])
    """

    units: Mapping[str, Unit]
    qualifications: Mapping[str, Qualification]
    relations: tuple[OutcomeRelation, ...] = ()
    graph: nx.DiGraph[str] = field(default_factory=nx.DiGraph)
    subsumes: Mapping[str, frozenset[str]] = field(init=False, repr=False)
    partial_pairs: tuple[tuple[str, str], ...] = field(init=False, repr=False)
    outcomes_of: Mapping[str, tuple[str, ...]] = field(init=False, repr=False)
    requires: Mapping[str, tuple[str, ...]] = field(init=False, repr=False)
    required_by: Mapping[str, tuple[str, ...]] = field(init=False, repr=False)
    rank: Mapping[str, int] = field(init=False, repr=False)
    by_rank: tuple[str, ...] = field(init=False, repr=False)
    unit_at: tuple[Unit | None, ...] = field(init=False, repr=False)
    requires_at: tuple[tuple[str, ...], ...] = field(init=False, repr=False)
    successors_at: tuple[tuple[int, ...], ...] = field(init=False, repr=False)
    load: Mapping[str, int] = field(init=False, repr=False)
    hours_left: Mapping[str, tuple[int, ...]] = field(init=False, repr=False)
    mandatory: Mapping[str, tuple[str, ...]] = field(init=False, repr=False)
    mandatory_outcomes: Mapping[str, frozenset[str]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        units = dict(self.units)
        qualifications = dict(self.qualifications)
        _check_references(units, qualifications)
        if not nx.is_directed_acyclic_graph(self.graph):  # linear, unlike nx.find_cycle
            pairs = [(unit, requires) for requires, unit in self.graph.edges]
            build_prerequisite_graph(self.graph.nodes, pairs)  # raises, naming the cycle
        key = unit_sort_key({code: unit.kind for code, unit in units.items()})
        outcomes_of = {code: unit.outcome_codes for code, unit in units.items()}
        derived: dict[str, Mapping[str, Any]] = {
            "units": units,
            "qualifications": qualifications,
            "subsumes": _subsumes_closure(self.relations),
            "outcomes_of": outcomes_of,
            "requires": {u: tuple(sorted(self.graph.predecessors(u))) for u in self.graph},
            "required_by": {u: tuple(self.graph.successors(u)) for u in self.graph},
            "load": {code: unit.study_load_hours for code, unit in units.items()},
            "hours_left": {
                code: _hours_left(unit.study_load_hours, len(outcomes_of[code]))
                for code, unit in units.items()
            },
            "mandatory": {q.code: tuple(dict.fromkeys(q.units)) for q in qualifications.values()},
            "mandatory_outcomes": {
                q.code: frozenset().union(*(outcomes_of[u] for u in q.units))
                for q in qualifications.values()
            },
        }
        by_rank = tuple(sorted(set(units) | set(self.graph), key=key))
        rank = {code: position for position, code in enumerate(by_rank)}
        derived["rank"] = rank
        requires, required_by = derived["requires"], derived["required_by"]
        by_position = {
            "unit_at": tuple(units.get(code) for code in by_rank),
            "requires_at": tuple(requires.get(code, ()) for code in by_rank),
            "successors_at": tuple(
                tuple(rank[after] for after in required_by.get(code, ())) for code in by_rank
            ),
        }
        for name, index in by_position.items():
            object.__setattr__(self, name, index)
        for name, mapping in derived.items():
            object.__setattr__(self, name, MappingProxyType(mapping))
        object.__setattr__(self, "by_rank", by_rank)
        object.__setattr__(self, "relations", tuple(self.relations))
        partial = tuple(
            (r.from_outcome, r.to_outcome) for r in self.relations if r.type == "partial"
        )
        object.__setattr__(self, "partial_pairs", partial)

    @classmethod
    def build(
        cls,
        units: Iterable[Unit],
        qualifications: Iterable[Qualification],
        relations: Iterable[OutcomeRelation] = (),
        prerequisites: Iterable[tuple[str, str]] = (),
    ) -> Catalog:
        """Return a catalog from plain sequences; `prerequisites` holds ``(unit, requires)``.

        Raises
        ------
        PrerequisiteCycle
            If the prerequisites contain a cycle.
        NotFound
            If a qualification names an unknown unit.
        """
        units = tuple(units)
        graph: nx.DiGraph[str] = nx.DiGraph()
        graph.add_nodes_from(u.code for u in units)
        graph.add_edges_from((requires, unit) for unit, requires in prerequisites)
        return cls(
            units={u.code: u for u in units},
            qualifications={q.code: q for q in qualifications},
            relations=tuple(relations),
            graph=graph,
        )


def _hours_left(study_load_hours: int, total: int) -> tuple[int, ...]:
    """Return the R10 remaining hours of a unit for 0, 1, …, `total` missing outcomes.

    Examples
    --------
    >>> _hours_left(800, 3)
    (0, 267, 533, 800)
    """
    return tuple([remaining_unit_hours(study_load_hours, k, total) for k in range(total + 1)])


def _check_references(
    units: Mapping[str, Unit], qualifications: Mapping[str, Qualification]
) -> None:
    for qualification in qualifications.values():
        for code in (*qualification.units, *qualification.electives.options):
            if code not in units:
                raise NotFound("unit", code)


def _subsumes_closure(relations: Iterable[OutcomeRelation]) -> dict[str, frozenset[str]]:
    """Map each outcome to every outcome it subsumes, directly or transitively.

    Examples
    --------
    >>> rels = [OutcomeRelation("c", "b", "subsumes"), OutcomeRelation("b", "a", "subsumes")]
    >>> sorted(_subsumes_closure(rels)["c"])
    ['a', 'b']
    """
    subsumes: nx.DiGraph[str] = nx.DiGraph()
    subsumes.add_edges_from(
        (r.from_outcome, r.to_outcome) for r in relations if r.type == "subsumes"
    )
    return {
        outcome: frozenset(nx.descendants(subsumes, outcome))
        for outcome in subsumes
        if subsumes.out_degree(outcome)
    }
