"""The one graph view model: a laid-out prerequisite graph, ready for ``web/_graph.html``.

Every page that draws units and their prerequisites builds a `GraphView` here and renders it
with the one macro ``graph_figure`` in ``templates/web/_graph.html``:

* `status_graph`: a learner's path, each unit coloured by its status (behaald, nog te doen, ...);
* `qualification_graph`: a qualification's units coloured by kind, with their role;
* `neighbourhood`: one unit with the units it requires and the units that require it.

Only plain values go in (the layout is `app.domain.layout`), so the drawing is the same
wherever it is shown; links are made by the caller's `link` function.

Units that neither require nor are required by another unit have no place in a left-to-right
drawing: they are `GraphView.loose` and shown as a wrapping grid of cards below it (a
qualification without prerequisites is only such a grid), and `GraphView.caption` says so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

from app.domain.graph import unit_sort_key
from app.domain.layout import Box, Layout, layered_layout
from app.domain.model import Unit
from app.domain.path.results import PathResult
from app.domain.qualification_graph import QualificationGraph
from app.web.labels import KIND_LABELS, KIND_LEGEND, ROLE_LABELS, STATUS_LABELS

#: Where a node's box links to, given its unit code.
Link = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class GraphNode:
    """One unit's box: its place, its two lines of text and how it is coloured and linked."""

    code: str
    title: str
    label: str  # the box's second line
    description: str  # what the box says, for the figure's description and the tooltip
    classes: str  # CSS classes: ``node status-open``, ``node kind-BC role-option``, ...
    href: str | None  # the box is a link to here (None: not a link)
    current: bool  # the page's own unit (``aria-current``)
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class LegendItem:
    swatch: str  # CSS classes of the coloured square
    text: str


@dataclass(frozen=True, slots=True)
class GraphView:
    """A drawing: ids, title and description for screen readers, the boxes and the legend.

    `nodes` are the boxes of the drawing (units linked by a prerequisite), `loose` the units
    without any prerequisite link, shown as a grid of cards (their x and y are 0).
    """

    id: str  # prefix of the SVG's element ids, unique on the page
    title: str
    shows: str  # what a box says besides the code: "status" or "soort"
    css_class: str  # classes of the <figure>
    nodes: tuple[GraphNode, ...]
    layout: Layout
    legend: tuple[LegendItem, ...]
    loose: tuple[GraphNode, ...] = ()

    @property
    def caption(self) -> str:
        """How to read the figure, matching what it shows (drawing, grid or both)."""
        if self.nodes and self.loose:
            return (
                "In de tekening staat wat eerst moet links; volg de pijlen naar rechts. "
                "De leereenheden eronder hebben geen vaste volgorde."
            )
        if self.nodes:
            return "Van links naar rechts: wat eerst moet, staat links; volg de pijlen."
        if self.loose:
            return "Deze leereenheden hebben geen vaste volgorde: je kunt ze in elke volgorde doen."
        return ""


def status_graph(
    graph: QualificationGraph, title: str, path: PathResult, units: Mapping[str, Unit]
) -> GraphView:
    """The qualification's graph on a learner's path; a remaining unit links to its item."""
    kinds = {node.code: node.kind for node in graph.nodes}
    titles = {node.code: node.title for node in graph.nodes}
    layout, loose = split_layout(graph.graph, unit_sort_key(kinds))
    remaining = {u.unit: u for u in path.remaining_units}
    waiting = {b for u in path.remaining_units for b in u.blocked_by}
    candidates = {c.unit for c in path.electives.candidates}
    nodes = []
    for box in (*layout.boxes, *loose):
        code = box.node
        if code in remaining:
            unit = remaining[code]
            total = len(units[code].outcomes) if code in units else len(unit.missing_outcomes)
            if unit.blocked_by:
                status = "blocked"
            elif len(unit.missing_outcomes) < total:
                status = "partial"
            else:
                status = "open"
        elif code in candidates:
            status = "unchosen"
        elif code in waiting:
            status = "open"
        else:
            status = "achieved"
        label = STATUS_LABELS[status]
        href = f"#eenheid-{code}" if code in remaining else None
        nodes.append(
            GraphNode(
                code,
                titles[code],
                label,
                label,
                f"node status-{status}",
                href,
                False,
                box.x,
                box.y,
                box.width,
                box.height,
            )
        )
    legend = tuple(LegendItem(f"status-{status}", text) for status, text in STATUS_LABELS.items())
    drawn = len(layout.boxes)
    return GraphView(
        "graaf",
        title,
        "status",
        "graph",
        tuple(nodes[:drawn]),
        layout,
        legend,
        tuple(nodes[drawn:]),
    )


def qualification_graph(graph: QualificationGraph, title: str, link: Link) -> GraphView:
    """A qualification's units by kind, each box saying its role and linking to its page."""
    info = {node.code: (node.kind, node.title) for node in graph.nodes}
    roles = {node.code: node.role for node in graph.nodes}
    return kind_graph("graaf", title, graph.graph, info, link, roles)


def neighbourhood(
    unit: Unit,
    requires: Iterable[str],
    required_by: Iterable[str],
    units: Mapping[str, Unit],
    link: Link,
) -> GraphView:
    """The unit with the units it requires (left) and the units that require it (right)."""
    G: nx.DiGraph[str] = nx.DiGraph()
    G.add_node(unit.code)
    G.add_edges_from((before, unit.code) for before in requires)
    G.add_edges_from((unit.code, after) for after in required_by)
    info = {code: (units[code].kind, units[code].title) for code in G if code in units}
    title = f"{unit.code} en de leereenheden eromheen"
    return kind_graph("omgeving", title, G, info, link, current=unit.code)


def kind_graph(
    graph_id: str,
    title: str,
    G: nx.DiGraph[str],
    info: Mapping[str, tuple[str, str]],
    link: Link,
    roles: Mapping[str, str] | None = None,
    current: str | None = None,
) -> GraphView:
    """Lay out `G` (edges requires → unit) coloured by kind; `info` maps a code to (kind, title)."""
    kinds = {code: kind for code, (kind, _) in info.items()}
    layout, loose = split_layout(G, unit_sort_key(kinds))
    roles = roles or {}
    nodes = []
    for box in (*layout.boxes, *loose):
        kind, unit_title = info[box.node]
        role = roles.get(box.node)
        is_current = box.node == current
        classes = f"node kind-{kind}" + (f" role-{role}" if role else "")
        nodes.append(
            GraphNode(
                box.node,
                unit_title,
                _kind_label(kind, role, is_current),
                _kind_description(kind, role),
                classes + (" current" if is_current else ""),
                None if is_current else link(box.node),
                is_current,
                box.x,
                box.y,
                box.width,
                box.height,
            )
        )
    used_roles = set(roles.values())
    legend = [LegendItem(f"kind-{kind}", f"{kind}: {text}") for kind, text in KIND_LEGEND.items()]
    if "option" in used_roles:
        legend.append(LegendItem("kind-VC role-option", "keuze: een van de keuzedelen"))
    if "outside" in used_roles:
        legend.append(
            LegendItem("role-outside", "vooraf vereist: geen onderdeel van de kwalificatie")
        )
    drawn = len(layout.boxes)
    return GraphView(
        graph_id,
        title,
        "soort",
        "graph kind-graph",
        tuple(nodes[:drawn]),
        layout,
        tuple(legend),
        tuple(nodes[drawn:]),
    )


def split_layout(G: nx.DiGraph[str], key: Callable[[str], Any]) -> tuple[Layout, tuple[Box, ...]]:
    """Lay out the units linked by a prerequisite; the others are loose cards, sorted by `key`.

    Returns
    -------
    tuple of (Layout, tuple of Box)
        The layered drawing of the linked units (empty when there are none) and one zero-sized
        box per unit without any prerequisite link, in `key` order.

    Examples
    --------
    >>> G = nx.DiGraph([("A", "B")])
    >>> G.add_nodes_from(["D", "C"])
    >>> layout, loose = split_layout(G, key=str)
    >>> layout.layers, [box.node for box in loose]
    ((('A',), ('B',)), ['C', 'D'])
    """
    linked = [node for node in G if G.degree(node)]
    loose = sorted((node for node in G if not G.degree(node)), key=key)
    layout = layered_layout(G.subgraph(linked), key=key)
    return layout, tuple(Box(node, 0, row, 0, 0, 0, 0) for row, node in enumerate(loose))


def _kind_label(kind: str, role: str | None, current: bool) -> str:
    if current:
        return f"{kind} · deze eenheid"
    if role:
        return f"{kind} · {ROLE_LABELS.get(role, role)}"
    return f"{kind} · {KIND_LABELS.get(kind, kind)}"


def _kind_description(kind: str, role: str | None) -> str:
    parts = [KIND_LABELS.get(kind, kind)]
    if role:
        parts.append(ROLE_LABELS.get(role, role))
    return ", ".join(parts)
