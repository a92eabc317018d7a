"""What the "Mijn leerpad" page shows, gathered from the services into plain values."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import networkx as nx
from sqlalchemy.orm import Session

from app.domain.graph import unit_sort_key
from app.domain.layout import Layout, layered_layout
from app.domain.learner import Learner
from app.domain.model import Qualification, Unit
from app.domain.path.engine import PathResult, PathSummary, RemainingUnit
from app.persistence import credential_repository as credential_store
from app.persistence import registry_repository as repo
from app.persistence.credential_repository import IssuedCredential
from app.persistence.versions import PathCaches
from app.services import learners, registry

#: Graph status → Dutch label shown in the node, the legend and the list.
STATUS_LABELS: dict[str, str] = {
    "achieved": "behaald",
    "partial": "deels behaald",
    "open": "nog te doen",
    "blocked": "geblokkeerd",
    "unchosen": "niet gekozen",
}


@dataclass(frozen=True, slots=True)
class GraphNode:
    code: str
    title: str
    kind: str
    role: str
    status: str
    x: float
    y: float
    width: float
    height: float

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True, slots=True)
class Graph:
    nodes: tuple[GraphNode, ...]
    layout: Layout


@dataclass(frozen=True, slots=True)
class RemainingItem:
    position: int
    unit: RemainingUnit
    total_outcomes: int
    explanation: str
    outcomes: tuple[tuple[str, str, str | None], ...]  # (code, title, flag)
    needs_assessment: bool
    expired: bool

    @property
    def status(self) -> str:
        if self.unit.blocked_by:
            return "blocked"
        return "partial" if len(self.unit.missing_outcomes) < self.total_outcomes else "open"


@dataclass(frozen=True, slots=True)
class PathPage:
    learner: Learner
    qualification: Qualification
    path: PathResult
    hours_per_week: int
    total_hours: int
    done_hours: int
    percent: int
    graph: Graph
    remaining: tuple[RemainingItem, ...]
    other_explanations: tuple[str, ...]
    plan: tuple[
        tuple[str | None, str, int, dt.date, dt.date], ...
    ]  # (unit, title, hours, start, end)
    others: tuple[PathSummary, ...]
    credentials: tuple[IssuedCredential, ...]
    enrolled: tuple[str, ...]


def path_page(
    session: Session,
    learner_id: str,
    qualification: str | None,
    on: dt.date | None,
    hours_per_week: int | None,
    caches: PathCaches | None = None,
) -> PathPage:
    """Gather everything the page shows (raises the services' NotFound / InvalidData)."""
    learner = learners.get_learner(session, learner_id)
    path = learners.learner_path(session, learner_id, qualification, on, hours_per_week, caches)
    q = registry.get_qualification(session, path.qualification)
    graph_data = registry.qualification_graph(session, q.code)
    codes = [n["code"] for n in graph_data["nodes"]]  # type: ignore[attr-defined]
    units = repo.get_units(session, set(codes) | {u.unit for u in path.remaining_units})
    total = (
        sum(units[c].study_load_hours for c in q.units if c in units) + q.electives.required_hours
    )
    done = max(0, total - path.remaining_hours)
    summaries = learners.learner_paths(session, learner_id, path.on, caches)
    enrolments = {
        e.qualification: e
        for e in learners.list_enrolments(session, learner_id, repo.ListFilter(limit=100)).items  # type: ignore[attr-defined]
    }
    enrolment = enrolments.get(q.code)
    pace = hours_per_week or (
        enrolment.hours_per_week if enrolment else learners.DEFAULT_HOURS_PER_WEEK
    )
    return PathPage(
        learner=learner,
        qualification=q,
        path=path,
        hours_per_week=pace,
        total_hours=total,
        done_hours=done,
        percent=round(100 * done / total) if total else 100,
        graph=_graph(graph_data, path, units),
        remaining=_remaining(path, units),
        other_explanations=path.explanations[len(path.remaining_units) :],
        plan=tuple(
            (
                item.unit,
                units[item.unit].title if item.unit in units else "Keuzedelen (nog te kiezen)",
                item.hours,
                item.start,
                item.end,
            )
            for item in path.plan
        ),
        others=tuple(s for s in summaries if s.qualification != q.code)[:4],
        credentials=tuple(credential_store.all_for_learner(session, learner_id)),
        enrolled=tuple(sorted(enrolments)),
    )


def _graph(data: dict[str, Any], path: PathResult, units: dict[str, Unit]) -> Graph:
    G = nx.DiGraph()
    G.add_nodes_from(n["code"] for n in data["nodes"])
    G.add_edges_from((e["requires"], e["from"]) for e in data["edges"])
    kinds = {n["code"]: n["kind"] for n in data["nodes"]}
    layout = layered_layout(G, key=unit_sort_key(kinds))
    remaining = {u.unit: u for u in path.remaining_units}
    waiting = {b for u in path.remaining_units for b in u.blocked_by}
    candidates = {c.unit for c in path.electives.candidates}
    info = {n["code"]: n for n in data["nodes"]}
    nodes = []
    for box in layout.boxes:
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
        nodes.append(
            GraphNode(
                code,
                info[code]["title"],
                info[code]["kind"],
                info[code]["role"],
                status,
                box.x,
                box.y,
                box.width,
                box.height,
            )
        )
    return Graph(tuple(nodes), layout)


def _remaining(path: PathResult, units: dict[str, Unit]) -> tuple[RemainingItem, ...]:
    needs, expired = set(path.needs_assessment), set(path.expired_evidence)
    items = []
    for index, unit in enumerate(path.remaining_units):
        titles = {o.code: o.title for o in units[unit.unit].outcomes} if unit.unit in units else {}
        outcomes = tuple(
            (
                code,
                titles.get(code, ""),
                "beoordeling nodig"
                if code in needs
                else "bewijs verlopen"
                if code in expired
                else None,
            )
            for code in unit.missing_outcomes
        )
        items.append(
            RemainingItem(
                position=index + 1,
                unit=unit,
                total_outcomes=len(titles) or len(unit.missing_outcomes),
                explanation=path.explanations[index] if index < len(path.explanations) else "",
                outcomes=outcomes,
                needs_assessment=any(code in needs for code in unit.missing_outcomes),
                expired=any(code in expired for code in unit.missing_outcomes),
            )
        )
    return tuple(items)
