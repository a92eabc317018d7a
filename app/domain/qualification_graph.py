"""A qualification's prerequisite graph: its units, the units they require, edges and order.

`/api/qualifications/{code}/graph` serialises a `QualificationGraph`; the pages draw its
`graph` directly. The nodes come in path order (`app.domain.graph.ordered_units`), so the
API's ``order`` is the order of ``nodes``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import networkx as nx

from app.domain.graph import ordered_units, required_closure
from app.domain.model import Prerequisite, Qualification, Unit

__all__ = ["GraphUnit", "QualificationGraph", "build_qualification_graph", "role_in"]


@dataclass(frozen=True, slots=True)
class GraphUnit:
    """One unit of the graph and its role: ``mandatory``, ``option`` or ``outside``.

    ``outside`` is a unit the qualification does not contain but one of its units requires.
    """

    code: str
    kind: str
    title: str
    study_load_hours: int
    role: str


@dataclass(frozen=True, slots=True)
class QualificationGraph:
    """The units of `qualification` with every unit they require, in path order.

    Attributes
    ----------
    qualification : str
        The qualification's code.
    nodes : tuple of GraphUnit
        The units, in path order.
    edges : tuple of Prerequisite
        "`unit` requires `requires`" between the nodes, sorted by unit, then requires.
    graph : nx.DiGraph
        The same as a graph: nodes in path order, an edge ``(requires, unit)`` per prerequisite.
    """

    qualification: str
    nodes: tuple[GraphUnit, ...]
    edges: tuple[Prerequisite, ...]
    graph: nx.DiGraph[str] = field(compare=False, repr=False)

    @property
    def order(self) -> tuple[str, ...]:
        """The unit codes in path order."""
        return tuple(node.code for node in self.nodes)


def role_in(qualification: Qualification, code: str) -> str:
    """Return the role of unit `code` in `qualification`.

    Examples
    --------
    >>> from app.domain.model import ElectiveRule
    >>> q = Qualification("Q", "Q", "mbo", ("BC-1",), ElectiveRule(0, ("VC-1",)))
    >>> role_in(q, "BC-1"), role_in(q, "VC-1"), role_in(q, "AV-9")
    ('mandatory', 'option', 'outside')
    """
    if code in qualification.units:
        return "mandatory"
    if code in qualification.electives.options:
        return "option"
    return "outside"


def build_qualification_graph(
    qualification: Qualification, prerequisites: nx.DiGraph[str], units: Mapping[str, Unit]
) -> QualificationGraph:
    """Return the graph of `qualification` within the registry's prerequisite graph.

    Parameters
    ----------
    qualification : Qualification
        Its mandatory units and elective options are the members.
    prerequisites : nx.DiGraph
        The registry's whole prerequisite graph (edge ``(requires, unit)``).
    units : mapping of str to Unit
        At least the members and every unit they require, directly or not.

    Examples
    --------
    >>> from app.domain.graph import build_prerequisite_graph
    >>> from app.domain.model import ElectiveRule
    >>> units = {c: Unit(c, c[:2], f"Unit {c}", 100, (), "MBO") for c in ("BC-1", "BC-2", "AV-1")}
    >>> G = build_prerequisite_graph(units, [("BC-2", "BC-1"), ("BC-1", "AV-1")])
    >>> q = Qualification("Q", "Q", "mbo", ("BC-2",), ElectiveRule(0, ()))
    >>> result = build_qualification_graph(q, G, units)
    >>> result.order
    ('AV-1', 'BC-1', 'BC-2')
    >>> [(n.code, n.role) for n in result.nodes][-1]
    ('BC-2', 'mandatory')
    >>> [(e.unit, e.requires) for e in result.edges]
    [('BC-1', 'AV-1'), ('BC-2', 'BC-1')]
    >>> list(result.graph.edges)
    [('AV-1', 'BC-1'), ('BC-1', 'BC-2')]
    """
    members = [*qualification.units, *qualification.electives.options]
    codes = required_closure(prerequisites, members)
    kinds = {code: units[code].kind for code in codes}
    order = ordered_units(prerequisites, codes, kinds)
    edges = tuple(
        sorted(
            (
                Prerequisite(unit, requires)
                for requires, unit in prerequisites.subgraph(codes).edges
            ),
            key=lambda edge: (edge.unit, edge.requires),
        )
    )
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(order)
    graph.add_edges_from((edge.requires, edge.unit) for edge in edges)
    nodes = tuple(
        GraphUnit(
            code,
            units[code].kind,
            units[code].title,
            units[code].study_load_hours,
            role_in(qualification, code),
        )
        for code in order
    )
    return QualificationGraph(qualification.code, nodes, edges, graph)
