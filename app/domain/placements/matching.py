"""Rule M4: place as many learners as possible, then at the lowest total cost.

The matching is a minimum-cost flow: every learner sends one unit, either over a feasible pair
(learner → offer, cost M3, capacity 1) and on through the offer (capacity `places`) to the sink,
or straight to the sink over an *unplaced* arc whose cost exceeds what any set of placements
can cost in total — so a flow of minimum cost places the most learners first and, among those
assignments, has the lowest total cost. networkx's network simplex solves it exactly.

Determinism: learners are numbered by learner id, offers by offer id, and every arc is added in
that order, so the same round gives the same answer byte for byte. Ties are broken by a tiny
secondary cost: among assignments of equal count and cost, the learners left unplaced are those
latest in learner-id order (the M3 costs are scaled so that this never outweighs one unit of
real cost).
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import networkx as nx

from app.domain.placements.cost import pair_cost, rank_cost
from app.domain.placements.distance import EARTH_RADIUS_KM, distance_km
from app.domain.placements.feasibility import is_feasible, reservations_apply
from app.domain.placements.model import (
    Applicant,
    MatchResult,
    Offer,
    Placement,
    PlacementRound,
    Unplaced,
    Workplace,
)
from app.domain.placements.reasons import unplaced_reasons

__all__ = [
    "Option",
    "CANDIDATES_PER_LEARNER",
    "feasible_options",
    "optimal_assignment",
    "match_round",
]

#: Speed (measured by bench/bench_placements.py): the flow is first solved over each learner's
#: cheapest few pairs only; the other pairs join when the solution's node potentials show that
#: they could lower the cost (column generation), so the answer stays exactly optimal.
CANDIDATES_PER_LEARNER = 6


@dataclass(frozen=True, slots=True, order=True)
class Option:
    """A feasible pair of one learner: the M3 cost, the offer's index, rank and distance."""

    cost: int
    offer: int
    rank: int
    distance_km: int


def _latitude_band(lats: Sequence[float], lat: float, max_km: int) -> tuple[int, int]:
    """Indexes of the sorted `lats` within reach of `max_km` (+1 km for rounding) by latitude.

    A great-circle distance is never shorter than the difference in latitude along a meridian,
    so no offer outside the band can lie within reach.
    """
    degrees = math.degrees((max_km + 1) / EARTH_RADIUS_KM)
    return bisect.bisect_left(lats, lat - degrees), bisect.bisect_right(lats, lat + degrees)


def feasible_options(
    round_: PlacementRound,
    workplaces: Mapping[str, Workplace],
    offers: Sequence[Offer],
    applicants: Sequence[Applicant],
    honour_reservations: bool,
) -> list[list[Option]]:
    """Every feasible pair (M1) of each applicant, cheapest first (ties: lowest offer index).

    Examples
    --------
    >>> from app.domain.placements.model import Location, PlacementRequest, Recognition
    >>> day = dt.date(2025, 9, 1)
    >>> rnd = PlacementRound("R", "R", day, dt.date(2026, 1, 31), dt.date(2025, 6, 1))
    >>> wps = {c: Workplace(c, c, "vvt", "-", Location(52.5, lon),
    ...                     (Recognition("Q", dt.date(2024, 1, 1)),))
    ...        for c, lon in (("A", 6.10), ("B", 6.20))}
    >>> offers = [Offer(1, "A", ("Q",), 1), Offer(2, "B", ("Q",), 1)]
    >>> a = Applicant(PlacementRequest("l", "Q", Location(52.5, 6.10), 10, ("B",)), "I")
    >>> [[(o.cost, o.offer, o.rank, o.distance_km) for o in row]
    ...  for row in feasible_options(rnd, wps, offers, [a], True)]
    [[(7, 1, 0, 7), (10000, 0, 10, 0)]]
    """
    start = round_.period_start
    by_qualification: dict[str, list[tuple[float, int]]] = {}
    for index, offer in enumerate(offers):
        workplace = workplaces.get(offer.workplace)
        if workplace is None:
            continue
        for qualification in set(offer.qualifications):
            if workplace.recognised_for(qualification, start):
                by_qualification.setdefault(qualification, []).append(
                    (workplace.location.lat, index)
                )
    bands = {q: sorted(items) for q, items in by_qualification.items()}
    lats = {q: [lat for lat, _ in items] for q, items in bands.items()}
    options: list[list[Option]] = []
    for applicant in applicants:
        request = applicant.request
        found: list[Option] = []
        band = bands.get(request.qualification, [])
        low, high = _latitude_band(
            lats.get(request.qualification, []), request.home.lat, request.max_km
        )
        distances: dict[str, int] = {}  # offers of one workplace share their distance
        for _, index in band[low:high]:
            offer = offers[index]
            workplace = workplaces[offer.workplace]
            km = distances.get(offer.workplace)
            if km is None:
                km = distances[offer.workplace] = distance_km(request.home, workplace.location)
            if is_feasible(applicant, offer, workplace, start, km, honour_reservations):
                rank = rank_cost(request.preferences, offer.workplace)
                found.append(Option(pair_cost(rank, km), index, rank, km))
        found.sort()
        options.append(found)
    return options


def optimal_assignment(
    capacities: Sequence[int],
    options: Sequence[Sequence[Option]],
    candidates: int = CANDIDATES_PER_LEARNER,
) -> list[Option | None]:
    """Solve M4 exactly: the chosen option of each learner (None: unplaced).

    Parameters
    ----------
    capacities : sequence of int
        Places per offer index.
    options : sequence of sequences of Option
        Each learner's feasible pairs, cheapest first.
    candidates : int
        How many of each learner's cheapest pairs the first solve uses (speed only).

    Examples
    --------
    Two learners want the one near place; the second can go elsewhere, so both are placed:

    >>> near, far = Option(5, 0, 0, 5), Option(10020, 1, 10, 20)
    >>> optimal_assignment([1, 1], [[near], [Option(3, 0, 0, 3), far]]) == [near, far]
    True
    """
    learners = len(options)
    if learners == 0:
        return []
    scale = learners * (learners + 1) // 2 + 1  # the tie-break sum stays below one cost unit
    max_cost = max((option.cost for row in options for option in row), default=0)
    unplaced_cost = learners * max_cost * scale + scale
    active = [set(range(min(candidates, len(row)))) for row in options]
    while True:
        graph = _flow_network(capacities, options, active, unplaced_cost, scale)
        flow = nx.network_simplex(graph)[1]
        if not _improving_pairs(graph, flow, options, active, scale):
            break
    chosen: list[Option | None] = []
    for learner, row in enumerate(options):
        used = flow[learner]
        chosen.append(
            next(
                (row[i] for i in sorted(active[learner]) if used[_offer_node(learners, row[i])]),
                None,
            )
        )
    return chosen


def _offer_node(learners: int, option: Option) -> int:
    return learners + option.offer


def _flow_network(
    capacities: Sequence[int],
    options: Sequence[Sequence[Option]],
    active: Sequence[set[int]],
    unplaced_cost: int,
    scale: int,
) -> nx.DiGraph[int]:
    """Nodes: learners 0..n-1, offers n..n+m-1, the sink n+m; arcs in a canonical order."""
    learners, sink = len(options), len(options) + len(capacities)
    graph: nx.DiGraph[int] = nx.DiGraph()
    for learner in range(learners):
        graph.add_node(learner, demand=-1)
    for index in range(len(capacities)):
        graph.add_node(learners + index, demand=0)
    graph.add_node(sink, demand=learners)
    for learner, row in enumerate(options):
        for i in sorted(active[learner]):
            option = row[i]
            weight = option.cost * scale
            graph.add_edge(learner, _offer_node(learners, option), capacity=1, weight=weight)
        graph.add_edge(learner, sink, capacity=1, weight=unplaced_cost + learners - learner)
    for index, places in enumerate(capacities):
        graph.add_edge(learners + index, sink, capacity=places, weight=0)
    return graph


def _improving_pairs(
    graph: nx.DiGraph[int],
    flow: Mapping[int, Mapping[int, int]],
    options: Sequence[Sequence[Option]],
    active: Sequence[set[int]],
    scale: int,
) -> bool:
    """Add each left-out pair whose reduced cost is negative; whether any was added.

    Shortest distances in the residual network of an optimal flow are node potentials under
    which every residual arc has a non-negative reduced cost. A left-out pair with a negative
    reduced cost could lower the total; when there is none, the flow is optimal over all pairs.
    """
    residual: nx.DiGraph[int] = nx.DiGraph()
    root = -1
    for u, v, data in graph.edges(data=True):
        used = flow[u][v]
        if used < data["capacity"]:
            residual.add_edge(u, v, weight=data["weight"])
        if used > 0:
            residual.add_edge(v, u, weight=-data["weight"])
    for node in graph.nodes:
        residual.add_edge(root, node, weight=0)
    distance = nx.single_source_bellman_ford_path_length(residual, root)
    learners, added = len(options), False
    for learner, row in enumerate(options):
        if len(active[learner]) == len(row):
            continue
        for i, option in enumerate(row):
            if i in active[learner]:
                continue
            if distance[learner] + option.cost * scale < distance[_offer_node(learners, option)]:
                active[learner].add(i)
                added = True
    return added


def match_round(
    round_: PlacementRound,
    workplaces: Iterable[Workplace],
    offers: Iterable[Offer],
    applicants: Iterable[Applicant],
    on: dt.date,
    candidates: int = CANDIDATES_PER_LEARNER,
) -> MatchResult:
    """Match the round's requests to its offers on `on` (rules M1–M5).

    Parameters
    ----------
    round_ : PlacementRound
    workplaces : iterable of Workplace
        At least the workplaces of `offers`.
    offers, applicants : iterables of Offer and Applicant
    on : date
        The day of matching: reservations count only before ``match_date − 14 days``.
    candidates : int
        Speed only: see `CANDIDATES_PER_LEARNER`.

    Returns
    -------
    MatchResult
        Placed and unplaced learners, each by learner id; every unplaced learner with reasons.

    Examples
    --------
    >>> from app.domain.placements.model import Location, PlacementRequest, Recognition
    >>> day = dt.date(2025, 9, 1)
    >>> rnd = PlacementRound("R", "R", day, dt.date(2026, 1, 31), dt.date(2025, 6, 1))
    >>> wp = Workplace("W", "Isala", "ziekenhuis", "Zwolle", Location(52.51, 6.09),
    ...                (Recognition("Q", dt.date(2024, 1, 1)),))
    >>> home = Location(52.52, 6.08)
    >>> applicants = [Applicant(PlacementRequest(l, "Q", home, 10, ("W",)), "I") for l in "ab"]
    >>> result = match_round(rnd, [wp], [Offer(1, "W", ("Q",), 1)], applicants, day)
    >>> [(p.learner, p.workplace, p.cost) for p in result.placed]
    [('a', 'W', 1)]
    >>> [(u.learner, [r.code for r in u.reasons]) for u in result.unplaced]
    [('b', ['capacity'])]
    """
    by_code = {w.code: w for w in workplaces}
    ordered_offers = sorted(offers, key=lambda o: o.id)
    ordered = sorted(applicants, key=lambda a: a.learner)
    honour = reservations_apply(on, round_.match_date)
    options = feasible_options(round_, by_code, ordered_offers, ordered, honour)
    chosen = optimal_assignment([o.places for o in ordered_offers], options, candidates)
    placed, unplaced = [], []
    for applicant, row, option in zip(ordered, options, chosen, strict=True):
        if option is None:
            reasons = unplaced_reasons(
                applicant, ordered_offers, by_code, round_.period_start, honour, len(row)
            )
            unplaced.append(Unplaced(applicant.learner, reasons))
            continue
        offer = ordered_offers[option.offer]
        placed.append(
            Placement(
                applicant.learner,
                offer.id,
                offer.workplace,
                option.rank,
                option.distance_km,
                option.cost,
            )
        )
    return MatchResult(tuple(placed), tuple(unplaced))
