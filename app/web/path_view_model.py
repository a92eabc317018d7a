"""The view model of "Mijn leerpad": what the page shows, gathered from the services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.domain.access import Principal
from app.domain.learner import Learner
from app.domain.model import Qualification, Unit
from app.domain.paging import ListFilter
from app.domain.path.hours import DEFAULT_HOURS_PER_WEEK
from app.domain.path.results import PathResult, PathSummary, RemainingUnit
from app.services import credentials, learners, registry
from app.services.credentials import IssuedCredential
from app.services.learners import PathCaches
from app.web.graph_view import GraphView, status_graph


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
    graph: GraphView
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
    actor: Principal | None,
    learner_id: str,
    qualification: str | None,
    on: dt.date | None,
    hours_per_week: int | None,
    caches: PathCaches | None = None,
) -> PathPage:
    """Gather everything the page shows (raises the services' NotFound / InvalidData)."""
    learner = learners.read_learner(session, actor, learner_id)
    path = learners.learner_path(
        session, actor, learner_id, qualification, on, hours_per_week, caches
    )
    q = registry.get_qualification(session, path.qualification)
    graph = registry.qualification_graph(session, q.code)
    units = registry.get_units(session, {*graph.order, *(u.unit for u in path.remaining_units)})
    total = (
        sum(units[c].study_load_hours for c in q.units if c in units) + q.electives.required_hours
    )
    done = max(0, total - path.remaining_hours)
    summaries = learners.learner_paths(session, actor, learner_id, path.on, caches)
    enrolments = {
        e.qualification: e
        for e in learners.list_enrolments(session, actor, learner_id, ListFilter(limit=100)).items
    }
    enrolment = enrolments.get(q.code)
    pace = hours_per_week or (enrolment.hours_per_week if enrolment else DEFAULT_HOURS_PER_WEEK)
    return PathPage(
        learner=learner,
        qualification=q,
        path=path,
        hours_per_week=pace,
        total_hours=total,
        done_hours=done,
        percent=round(100 * done / total) if total else 100,
        graph=status_graph(graph, f"Leereenheden van {q.title} en hun volgorde", path, units),
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
        credentials=tuple(credentials.all_learner_credentials(session, learner_id)),
        enrolled=tuple(sorted(enrolments)),
    )


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
