"""A layered drawing of a prerequisite graph: columns by topological generation.

Pure and deterministic: a graph goes in, coordinates come out; drawing them (SVG) is left to
the caller. Column `k` holds the units whose longest chain of prerequisites has `k` links
(``nx.topological_generations``), so every edge points from a column to a later one. Within a
column units are ordered by the mean row of their prerequisites (barycentre heuristic, which
keeps edges short and mostly uncrossed), ties by `key`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass

import networkx as nx

__all__ = ["Box", "Edge", "Layout", "layered_layout"]


@dataclass(frozen=True, slots=True)
class Box:
    """A node's rectangle; `x`, `y` is the top-left corner."""

    node: str
    layer: int
    row: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class Edge:
    """An edge from the right middle of `source`'s box to the left middle of `target`'s box."""

    source: str
    target: str
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True, slots=True)
class Layout:
    layers: tuple[tuple[str, ...], ...]
    boxes: tuple[Box, ...]
    edges: tuple[Edge, ...]
    width: float
    height: float

    def box(self, node: str) -> Box:
        """Return the box of `node`."""
        return next(b for b in self.boxes if b.node == node)


def layered_layout(
    G: nx.DiGraph[str],
    key: Callable[[str], Hashable] | None = None,
    *,
    box_width: float = 150,
    box_height: float = 44,
    column_gap: float = 60,
    row_gap: float = 14,
    margin: float = 8,
) -> Layout:
    """Return a left-to-right layered layout of the acyclic graph `G`.

    Parameters
    ----------
    G : nx.DiGraph
        Acyclic graph; an edge ``(a, b)`` means `a` comes before `b` (a prerequisite of `b`).
    key : callable, optional
        Sort key of nodes within a column when barycentres tie (default: the node itself).
    box_width, box_height, column_gap, row_gap, margin : float
        Geometry, in user units of the drawing.

    Returns
    -------
    Layout
        `layers` (columns, top to bottom), one `Box` per node, one `Edge` per edge (sorted),
        and the drawing's total `width` and `height`. Columns are vertically centred.

    Raises
    ------
    nx.NetworkXUnfeasible
        If `G` contains a cycle.

    Examples
    --------
    >>> G = nx.DiGraph([("A", "C"), ("B", "C"), ("C", "D")])
    >>> G.add_node("E")
    >>> layout = layered_layout(G)
    >>> layout.layers
    (('A', 'B', 'E'), ('C',), ('D',))
    >>> layout.box("C").layer, layout.box("C").x, layout.width
    (1, 218, 586)
    >>> [(e.source, e.target) for e in layout.edges]
    [('A', 'C'), ('B', 'C'), ('C', 'D')]
    >>> layered_layout(nx.DiGraph()).layers
    ()
    """
    sort_key: Callable[[str], Hashable] = key or (lambda node: node)
    layers: list[list[str]] = []
    row_of: dict[str, float] = {}
    for generation in nx.topological_generations(G):

        def barycentre(node: str) -> float:
            rows = [row_of[p] for p in G.predecessors(node)]
            return sum(rows) / len(rows) if rows else -1.0

        column = sorted(generation, key=lambda n: (barycentre(n), sort_key(n)))
        row_of.update((node, float(row)) for row, node in enumerate(column))
        layers.append(column)
    tallest = max((len(column) for column in layers), default=0)
    height = 2 * margin + tallest * box_height + max(0, tallest - 1) * row_gap
    width = 2 * margin + len(layers) * box_width + max(0, len(layers) - 1) * column_gap
    boxes: dict[str, Box] = {}
    for index, column in enumerate(layers):
        used = len(column) * box_height + max(0, len(column) - 1) * row_gap
        top = margin + (height - 2 * margin - used) / 2
        for row, node in enumerate(column):
            boxes[node] = Box(
                node,
                index,
                row,
                margin + index * (box_width + column_gap),
                top + row * (box_height + row_gap),
                box_width,
                box_height,
            )
    edges = tuple(
        Edge(
            a,
            b,
            boxes[a].x + box_width,
            boxes[a].y + box_height / 2,
            boxes[b].x,
            boxes[b].y + box_height / 2,
        )
        for a, b in sorted(G.edges)
    )
    return Layout(
        layers=tuple(tuple(column) for column in layers),
        boxes=tuple(boxes[node] for column in layers for node in column),
        edges=edges,
        width=width,
        height=height,
    )
