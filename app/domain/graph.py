"""The prerequisite graph of learning units.

An edge ``(a, b)`` means "`a` must be achieved before `b`", i.e. unit `b` requires unit `a`.
Every function here is pure and deterministic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import networkx as nx

from app.domain.errors import PrerequisiteCycle
from app.domain.model import KIND_RANK

__all__ = [
    "build_prerequisite_graph",
    "cycle_if_added",
    "unit_sort_key",
    "ordered_units",
    "required_closure",
]


def build_prerequisite_graph(
    units: Iterable[str], prerequisites: Iterable[tuple[str, str]]
) -> nx.DiGraph[str]:
    """Return the prerequisite graph of `units` and ``(unit, requires)`` pairs.

    Parameters
    ----------
    units : iterable of str
        Unit codes (nodes); units named only in `prerequisites` are added too.
    prerequisites : iterable of (str, str)
        ``(unit, requires)`` pairs: `unit` requires `requires`.

    Returns
    -------
    nx.DiGraph
        Edge ``(requires, unit)`` for every pair.

    Raises
    ------
    PrerequisiteCycle
        If the pairs contain a cycle; the cycle is named.

    Examples
    --------
    >>> G = build_prerequisite_graph(["A", "B"], [("B", "A")])
    >>> list(G.edges)
    [('A', 'B')]
    """
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(units)
    graph.add_edges_from((requires, unit) for unit, requires in prerequisites)
    if nx.is_directed_acyclic_graph(graph):  # linear; find_cycle only when there is one
        return graph
    cycle_edges = nx.find_cycle(graph)
    # find_cycle follows "before → after"; report it along "requires" (after → before).
    after_first = [edge[1] for edge in cycle_edges]
    cycle = list(reversed(after_first))
    raise PrerequisiteCycle([*cycle, cycle[0]])


def cycle_if_added(graph: nx.DiGraph[str], unit: str, requires: str) -> list[str] | None:
    """Return the cycle that "`unit` requires `requires`" would close, or None.

    The cycle starts and ends with `unit` and follows `requires` edges.

    Examples
    --------
    >>> G = build_prerequisite_graph(["X", "Y"], [("Y", "X")])
    >>> cycle_if_added(G, "X", "Y")
    ['X', 'Y', 'X']
    >>> cycle_if_added(G, "Z", "X") is None
    True
    """
    if unit == requires:
        return [unit, unit]
    if unit not in graph or requires not in graph:
        return None
    # A cycle exists when `unit` must already come before `requires`.
    try:
        before_path = nx.shortest_path(graph, unit, requires)
    except nx.NetworkXNoPath:
        return None
    return [unit, *reversed(before_path)]


def unit_sort_key(kind_of: Mapping[str, str]) -> Callable[[str], tuple[int, str]]:
    """Return the tie-break key of every order: kind (BC < AV < VC), then code."""

    def key(code: str) -> tuple[int, str]:
        return (KIND_RANK.get(kind_of.get(code, ""), len(KIND_RANK)), code)

    return key


def ordered_units(
    graph: nx.DiGraph[str], units: Iterable[str], kind_of: Mapping[str, str]
) -> list[str]:
    """Return `units` in prerequisite order, smallest available unit first.

    At each step the smallest unit (by `unit_sort_key`) whose prerequisites among `units`
    have all been emitted comes next; prerequisites outside `units` are ignored.

    Examples
    --------
    >>> kinds = {"BC-2": "BC", "AV-1": "AV", "VC-1": "VC"}
    >>> G = build_prerequisite_graph(kinds, [])
    >>> ordered_units(G, ["VC-1", "AV-1", "BC-2"], kinds)
    ['BC-2', 'AV-1', 'VC-1']
    >>> G = build_prerequisite_graph(kinds, [("BC-2", "VC-1")])  # BC-2 requires VC-1
    >>> ordered_units(G, ["VC-1", "AV-1", "BC-2"], kinds)
    ['AV-1', 'VC-1', 'BC-2']
    """
    wanted = set(units)
    subgraph: nx.DiGraph[str] = nx.DiGraph()
    subgraph.add_nodes_from(wanted)
    subgraph.add_edges_from(
        (a, b) for a, b in graph.subgraph(wanted & set(graph)).edges if a in wanted and b in wanted
    )
    return list(nx.lexicographical_topological_sort(subgraph, key=unit_sort_key(kind_of)))


def required_closure(graph: nx.DiGraph[str], units: Iterable[str]) -> set[str]:
    """Return `units` together with every unit they require, directly or not.

    Examples
    --------
    >>> G = build_prerequisite_graph(["A", "B", "C"], [("C", "B"), ("B", "A")])
    >>> sorted(required_closure(G, ["C"]))
    ['A', 'B', 'C']
    """
    closure = set(units)
    stack = [unit for unit in closure if unit in graph]
    while stack:  # one walk from every unit at once, against the edges
        for required in graph.predecessors(stack.pop()):
            if required not in closure:
                closure.add(required)
                stack.append(required)
    return closure
