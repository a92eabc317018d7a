"""The study order of the remaining units (R8) and their calendar at a pace: the plan.

The plan lays the remaining units end to end in study order from ``max(on, start)``, each for
`duration_days` of its remaining hours, then the uncovered elective hours; its last end is the
expected finish. A plan that would run past the calendar's last day ends on that day.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date
from heapq import heapify, heappop, heappush

from app.domain.errors import InvalidData
from app.domain.path.catalog import Catalog
from app.domain.path.hours import duration_days
from app.domain.path.results import PlanItem
from app.domain.path.speed import slot_setters

__all__ = ["LAST_ORDINAL", "check_pace", "study_order", "study_plan", "finish_date"]

#: Plans that would run past the calendar's end (absurd loads or paces) end on its last day.
LAST_ORDINAL = date.max.toordinal()


def check_pace(hours_per_week: int) -> None:
    """Refuse a pace that is not a positive number of hours.

    Raises
    ------
    InvalidData
        If `hours_per_week` is 0 or negative (pointer ``/hours_per_week``).

    Examples
    --------
    >>> check_pace(20)
    >>> check_pace(0)
    Traceback (most recent call last):
    ...
    app.domain.errors.InvalidData: /hours_per_week: must be a positive number of hours
    """
    if hours_per_week <= 0:
        raise InvalidData(
            [{"pointer": "/hours_per_week", "message": "must be a positive number of hours"}]
        )


def study_order(catalog: Catalog, units: Collection[str]) -> list[int]:
    """Return the positions (``Catalog.rank``) of `units` in prerequisite order (R8).

    Smallest available first: the same order as ``graph.ordered_units``
    (``nx.lexicographical_topological_sort`` keyed on kind, then code) over the precomputed
    adjacency of the catalog. It works on positions in that sort rather than on codes, for
    speed (``bench/bench_path.py``): int compares are cheap and lists index faster than dicts.

    Parameters
    ----------
    catalog : Catalog
    units : collection of str
        Units of the catalog; prerequisites outside `units` are ignored.

    Returns
    -------
    list of int
        ``catalog.by_rank[position]`` is the unit at each place.

    Examples
    --------
    >>> from app.domain.model import Outcome, Unit
    >>> units = [Unit(c, c[:2], c, 10, (Outcome(c, c),), "I") for c in ("AV-1", "BC-1", "BC-2")]
    >>> catalog = Catalog.build(units, [], prerequisites=[("BC-1", "AV-1")])
    >>> [catalog.by_rank[p] for p in study_order(catalog, ["BC-1", "AV-1", "BC-2"])]
    ['BC-2', 'AV-1', 'BC-1']
    """
    rank, successors_at = catalog.rank, catalog.successors_at
    wanted = list(dict.fromkeys([rank[u] for u in units]))
    waiting = [-1] * len(successors_at)  # -1: not wanted; else unplaced wanted requirements
    for position in wanted:
        waiting[position] = 0
    for position in wanted:
        for later in successors_at[position]:
            if waiting[later] >= 0:
                waiting[later] += 1
    ready = [position for position in wanted if not waiting[position]]
    heapify(ready)
    order = []
    while ready:
        position = heappop(ready)
        order.append(position)
        for later in successors_at[position]:
            n = waiting[later]
            if n > 0:
                waiting[later] = n - 1
                if n == 1:
                    heappush(ready, later)
    return order


def study_plan(
    order: Sequence[str], hours: Mapping[str, int], shortfall: int, begin: date, hours_per_week: int
) -> tuple[PlanItem, ...]:
    """Return the plan: the units of `order`, then the `shortfall` elective hours, end to end.

    Parameters
    ----------
    order : sequence of str
        Remaining units in study order.
    hours : mapping of str to int
        Remaining hours of each unit of `order`.
    shortfall : int
        Elective hours no chosen elective covers; a last step without a unit when not 0.
    begin : date
        Start of the first step.
    hours_per_week : int
        Study pace; positive (`check_pace`).

    Returns
    -------
    tuple of PlanItem

    Examples
    --------
    >>> plan = study_plan(["BC-1"], {"BC-1": 80}, 40, date(2025, 9, 1), 40)
    >>> [(item.unit, item.start.isoformat(), item.end.isoformat()) for item in plan]
    [('BC-1', '2025-09-01', '2025-09-15'), (None, '2025-09-15', '2025-09-22')]
    """
    steps: list[tuple[str | None, int]] = [(u, hours[u]) for u in order]
    if shortfall:
        steps.append((None, shortfall))
    # PlanItem(unit, h, day, end), built through its slots: see app.domain.path.speed
    new, (set_unit, set_hours, set_start, set_end) = object.__new__, slot_setters(PlanItem)
    items = []
    day, ordinal, fromordinal = begin, begin.toordinal(), date.fromordinal
    for unit, h in steps:
        ordinal = min(ordinal + duration_days(h, hours_per_week), LAST_ORDINAL)
        end = fromordinal(ordinal)
        item = new(PlanItem)
        set_unit(item, unit)
        set_hours(item, h)
        set_start(item, day)
        set_end(item, end)
        items.append(item)
        day = end
    return tuple(items)


def finish_date(
    unit_hours: Collection[int], shortfall: int, begin: date, on: date, hours_per_week: int
) -> date:
    """Return the last end of the plan that `study_plan` would build, without building it.

    The durations of the steps do not depend on their order, so their sum is enough.

    Parameters
    ----------
    unit_hours : collection of int
        Remaining hours of every remaining unit (a step each, even of 0 hours).
    shortfall : int
        Elective hours no chosen elective covers (a step when not 0).
    begin : date
        Start of the plan.
    on : date
        Reference date: the finish of a plan without steps.
    hours_per_week : int
        Study pace; positive.

    Returns
    -------
    date
        The same date as the end of the last item of `study_plan`, or `on`.

    Examples
    --------
    >>> finish_date([80], 40, date(2025, 9, 1), date(2025, 9, 1), 40).isoformat()
    '2025-09-22'
    >>> finish_date([], 0, date(2025, 10, 1), date(2025, 9, 1), 40).isoformat()
    '2025-09-01'
    """
    if not unit_hours and not shortfall:
        return on
    days = sum(duration_days(h, hours_per_week) for h in (*unit_hours, shortfall) if h)
    return date.fromordinal(min(begin.toordinal() + days, LAST_ORDINAL))
