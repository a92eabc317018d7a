"""The view model of "Mijn leerpad": what the page shows, gathered from the services.

Everything the page says about progress comes from the path engine (`PathResult`) and the
engine's own standing of the learner (`learner_standing`): an EPA counts as met when the path
does not list it in ``remaining_epas``, its current level is the standing's level, and a
diploma is held when the standing holds it. The page adds no rule of its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.domain.access import Principal
from app.domain.learner import Learner
from app.domain.model import Qualification, Unit
from app.domain.paging import ListFilter
from app.domain.path.hours import DEFAULT_HOURS_PER_WEEK
from app.domain.path.record import HeldDiploma
from app.domain.path.results import PathResult, PathSummary, RemainingUnit
from app.domain.path.standing import learner_standing
from app.services import credentials, learners, registry
from app.services.credentials import IssuedCredential
from app.services.learners import PathCaches
from app.web.filters import dutch_date, dutch_number
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
class EpaItem:
    """One EPA the qualification requires: where the learner stands and what is needed."""

    code: str
    title: str
    current_level: int | None  # None: no counting entrustment
    current_label: str  # "niveau 2 – Uitvoeren onder directe supervisie" or "nog geen ..."
    required_level: int
    required_label: str
    met: bool
    explanation: str | None  # the path's sentence for an EPA that is not met

    @property
    def status(self) -> str:
        """``achieved``, ``partial`` (a level below the required one) or ``open``."""
        if self.met:
            return "achieved"
        return "open" if self.current_level is None else "partial"

    @property
    def status_label(self) -> str:
        if self.met:
            return "behaald"
        return "nog geen bekwaamverklaring" if self.current_level is None else "niveau te laag"


@dataclass(frozen=True, slots=True)
class ProgressBar:
    """One bar of the progress block: what it counts, how far, and the words for it."""

    label: str  # accessible name of the bar
    percent: int  # 0–100; 100 only when everything it counts is done
    text: str  # e.g. "1.200 van 3.200 uur" or "3 van 5 EPA's op het vereiste niveau"


@dataclass(frozen=True, slots=True)
class HeldDiplomaItem:
    qualification: str
    title: str
    date: dt.date


@dataclass(frozen=True, slots=True)
class Finish:
    """When the learner is expected to be done: a date, or why there is none yet."""

    date: dt.date | None
    note: str | None


@dataclass(frozen=True, slots=True)
class PathPage:
    learner: Learner
    qualification: Qualification
    path: PathResult
    hours_per_week: int
    total_hours: int
    done_hours: int
    percent: int
    has_units: bool  # the qualification asks for units or elective hours
    bars: tuple[ProgressBar, ...]
    finish: Finish
    epas: tuple[EpaItem, ...]
    graph: GraphView
    remaining: tuple[RemainingItem, ...]
    other_explanations: tuple[str, ...]  # electives and entry requirements (EPAs: `epas`)
    plan: tuple[
        tuple[str | None, str, int, dt.date, dt.date], ...
    ]  # (unit, title, hours, start, end)
    held: tuple[HeldDiplomaItem, ...]  # diplomas the learner holds (not this qualification)
    held_here: dt.date | None  # the learner holds this qualification's diploma since then
    others: tuple[PathSummary, ...]  # the closest diplomas the learner does not hold
    credentials: tuple[IssuedCredential, ...]
    enrolled: tuple[str, ...]

    @property
    def epas_met(self) -> int:
        return sum(1 for epa in self.epas if epa.met)


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
    catalog, record = learners.cached_inputs(session, learner_id, caches)
    standing = learner_standing(catalog, record, path.on)
    held_on = _held_on(record.diplomas, standing.diplomas)
    titles = {s.qualification: s.title for s in summaries}
    epa_sentences, notes = _split_explanations(path)
    epas = _epa_items(session, q, path, standing.levels, epa_sentences)
    has_units = bool(q.units or q.electives.required_hours)
    return PathPage(
        learner=learner,
        qualification=q,
        path=path,
        hours_per_week=pace,
        total_hours=total,
        done_hours=done,
        percent=_percent(done, total, path.complete),
        has_units=has_units,
        bars=_bars(q, path, done, total, epas),
        finish=_finish(path, has_units),
        epas=epas,
        graph=status_graph(graph, f"Leereenheden van {q.title} en hun volgorde", path, units),
        remaining=_remaining(path, units),
        other_explanations=notes,
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
        held=tuple(
            HeldDiplomaItem(code, titles.get(code, code), day)
            for code, day in sorted(held_on.items())
            if code != q.code
        ),
        held_here=held_on.get(q.code),
        others=tuple(
            s for s in summaries if s.qualification != q.code and s.qualification not in held_on
        )[:4],
        credentials=tuple(credentials.all_learner_credentials(session, learner_id)),
        enrolled=tuple(sorted(enrolments)),
    )


def _percent(done: int, total: int, complete: bool) -> int:
    """``done / total`` in whole percents; 100 only when all is done (and never when empty).

    >>> _percent(0, 0, False), _percent(995, 1000, False), _percent(1000, 1000, True)
    (0, 99, 100)
    """
    if total <= 0:
        return 100 if complete else 0
    percent = round(100 * done / total)
    return min(percent, 99) if done < total else percent


def _bars(
    q: Qualification, path: PathResult, done: int, total: int, epas: tuple[EpaItem, ...]
) -> tuple[ProgressBar, ...]:
    bars = []
    if total > 0:
        bars.append(
            ProgressBar(
                f"Studielast van {q.title}",
                _percent(done, total, done >= total),
                f"{dutch_number(done)} van {dutch_number(total)} uur",
            )
        )
    if epas:
        met = sum(1 for epa in epas if epa.met)
        bars.append(
            ProgressBar(
                f"EPA's van {q.title}",
                _percent(met, len(epas), met == len(epas)),
                f"{met} van {len(epas)} EPA's op het vereiste niveau",
            )
        )
    return tuple(bars)


def _finish(path: PathResult, has_units: bool) -> Finish:
    """The expected finish: the plan's end, unless EPAs or the entry requirement still wait."""
    if path.complete:
        return Finish(path.on, None)
    waiting = []
    if path.remaining_epas:
        codes = [e.epa for e in path.remaining_epas]
        listed = " en ".join([", ".join(codes[:-1]), codes[-1]] if len(codes) > 1 else codes)
        waiting.append(f"je bekwaamverklaringen voor {listed}")
    if not path.entry_requirements_met:
        waiting.append("de toelatingseis")
    if not waiting:
        return Finish(path.expected_finish, None)
    note = f"Dat hangt af van {' en '.join(waiting)}."
    if has_units and path.remaining_hours:
        note = (
            f"Je studie-uren zijn naar verwachting klaar op {dutch_date(path.expected_finish)}; "
            f"daarna hangt het af van {' en '.join(waiting)}."
        )
    return Finish(None, note)


def _held_on(diplomas: Iterable[HeldDiploma], held: frozenset[str]) -> dict[str, dt.date]:
    """The earliest date of each diploma the standing holds."""
    dates: dict[str, dt.date] = {}
    for diploma in diplomas:
        if diploma.qualification in held:
            known = dates.get(diploma.qualification)
            dates[diploma.qualification] = min(known, diploma.date) if known else diploma.date
    return dates


def _split_explanations(path: PathResult) -> tuple[dict[str, str], tuple[str, ...]]:
    """The path's sentences after those of the units: {EPA: sentence} and the other sentences.

    The engine writes them in a fixed order (`compute_path`): the elective shortfall (when
    there is one), one per remaining EPA, then the entry requirement.
    """
    others = path.explanations[len(path.remaining_units) :]
    first = 1 if path.electives.shortfall_hours else 0
    last = first + len(path.remaining_epas)
    by_epa = {
        e.epa: sentence for e, sentence in zip(path.remaining_epas, others[first:last], strict=True)
    }
    return by_epa, (*others[:first], *others[last:])


def _epa_items(
    session: Session,
    q: Qualification,
    path: PathResult,
    levels: Mapping[str, int],
    sentences: dict[str, str],
) -> tuple[EpaItem, ...]:
    if not q.required_epas:
        return ()
    epas = registry.get_epas(session, [r.epa for r in q.required_epas])
    scale = {s.level: s.label_nl for s in registry.supervision_levels(session)}
    remaining = {e.epa for e in path.remaining_epas}

    def label(level: int) -> str:
        return f"niveau {level} – {scale[level]}" if level in scale else f"niveau {level}"

    items = []
    for required in sorted(q.required_epas, key=lambda r: r.epa):
        current = levels.get(required.epa)
        items.append(
            EpaItem(
                code=required.epa,
                title=epas[required.epa].title if required.epa in epas else "",
                current_level=current,
                current_label=label(current) if current else "nog geen bekwaamverklaring",
                required_level=required.min_level,
                required_label=label(required.min_level),
                met=required.epa not in remaining,
                explanation=sentences.get(required.epa),
            )
        )
    return tuple(items)


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
