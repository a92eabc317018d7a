"""Benchmark of stagematching (app.domain.placements): our exact matching vs a greedy baseline.

Synthetic, reproducible region (fixed seed) of about 90 × 70 km around Zwolle, Deventer and
Apeldoorn: 750 workplaces with recognitions for some of five qualifications, 1,500 offers of
1–3 places (about 3,000 places; a tenth reserved for one of three schools) with EPAs and the
highest level they supervise, and 5,000 requests (home within the region, ``max_km`` 10–40,
0–5 preferences, 0–2 EPAs to practise at a current level of 0–3).

Ours: `match_round` (M1–M5: feasible pairs, min-cost maximum flow, reasons). Baseline, in the
same run on the same feasible pairs: serial dictatorship — learners one by one in a random
order, each on their cheapest feasible place that is still free. Goal: ours places at least as
many learners at no higher total cost, in under 30 s. Figures are printed, never asserted.

Run: ``.venv/bin/python bench/bench_placements.py [--requests N] [--offers N]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.domain.path.record import Entrustment, LearnerRecord  # noqa: E402
from app.domain.placements.feasibility import applicant_levels, reservations_apply  # noqa: E402
from app.domain.placements.matching import feasible_options, match_round  # noqa: E402
from app.domain.placements.model import (  # noqa: E402
    Applicant,
    Location,
    Offer,
    OfferEpa,
    PlacementRequest,
    PlacementRound,
    Recognition,
    Workplace,
)

QUALIFICATIONS = ("Q-HZW", "Q-VIG", "Q-VP", "Q-MZ3", "BAZ")
EPAS = tuple(f"EPA-{i}" for i in range(1, 9))
SCHOOLS = ("MBO-A", "MBO-B", "MBO-C")
ROUND = PlacementRound(
    "BENCH", "Bench", dt.date(2026, 2, 2), dt.date(2026, 6, 26), dt.date(2026, 1, 12)
)
ON = dt.date(2025, 12, 1)  # reservations still count


def region(
    requests: int, offers: int, seed: int = 16
) -> tuple[list[Workplace], list[Offer], list[Applicant]]:
    rng = random.Random(seed)

    def point() -> Location:
        return Location(round(rng.uniform(52.10, 52.75), 5), round(rng.uniform(5.85, 6.60), 5))

    since = dt.date(2024, 1, 1)
    workplaces = [
        Workplace(
            f"W{i:04d}",
            f"Leerbedrijf {i}",
            "vvt",
            "-",
            point(),
            tuple(Recognition(q, since) for q in rng.sample(QUALIFICATIONS, rng.choice((1, 2, 3)))),
        )
        for i in range(offers // 2)
    ]
    offer_values = []
    for i in range(offers):
        workplace = workplaces[i % len(workplaces)]
        recognised = [r.qualification for r in workplace.recognitions]
        epas = tuple(
            OfferEpa(epa, rng.randint(2, 5)) for epa in rng.sample(EPAS, rng.randint(2, 6))
        )
        reserved = rng.choice(SCHOOLS) if rng.random() < 0.1 else None
        places = rng.choice((1, 2, 2, 3))
        offer_values.append(Offer(i + 1, workplace.code, tuple(recognised), places, epas, reserved))
    applicants = []
    for i in range(requests):
        home = point()
        nearby = [w.code for w in rng.sample(workplaces, 40)]
        practise = tuple(rng.sample(EPAS, rng.randint(0, 2)))
        record = LearnerRecord(
            entrustments=tuple(
                Entrustment(epa, level, dt.date(2025, 6, 1))
                for epa in practise
                if (level := rng.randint(0, 3))
            )
        )
        request = PlacementRequest(
            f"L{i:05d}",
            rng.choice(QUALIFICATIONS),
            home,
            rng.choice((10, 15, 20, 25, 30, 40)),
            tuple(rng.sample(nearby, rng.randint(0, 5))),
            practise,
        )
        levels = applicant_levels(record, practise, ROUND.period_start)
        applicants.append(Applicant(request, rng.choice(SCHOOLS), levels))
    return workplaces, offer_values, applicants


def greedy(
    workplaces: list[Workplace], offers: list[Offer], applicants: list[Applicant], seed: int = 7
) -> tuple[int, int]:
    """Serial dictatorship: in a random order, each learner takes their cheapest free place."""
    ordered_offers = sorted(offers, key=lambda o: o.id)
    ordered = sorted(applicants, key=lambda a: a.learner)
    options = feasible_options(
        ROUND,
        {w.code: w for w in workplaces},
        ordered_offers,
        ordered,
        reservations_apply(ON, ROUND.match_date),
    )
    free = [o.places for o in ordered_offers]
    order = list(range(len(ordered)))
    random.Random(seed).shuffle(order)
    placed = cost = 0
    for learner in order:
        for option in options[learner]:
            if free[option.offer]:
                free[option.offer] -= 1
                placed += 1
                cost += option.cost
                break
    return placed, cost


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--offers", type=int, default=1500)
    args = parser.parse_args()
    workplaces, offers, applicants = region(args.requests, args.offers)
    places = sum(o.places for o in offers)
    print(f"region: {len(applicants)} requests, {len(offers)} offers, {places} places")
    started = time.perf_counter()
    pairs = feasible_options(
        ROUND,
        {w.code: w for w in workplaces},
        sorted(offers, key=lambda o: o.id),
        sorted(applicants, key=lambda a: a.learner),
        True,
    )
    print(f"feasible pairs (M1): {sum(map(len, pairs))} in {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    result = match_round(ROUND, workplaces, offers, applicants, ON)
    ours_time = time.perf_counter() - started
    started = time.perf_counter()
    greedy_placed, greedy_cost = greedy(workplaces, offers, applicants)
    greedy_time = time.perf_counter() - started
    print(
        f"ours (min-cost max-flow): placed {result.placed_count}, total cost {result.total_cost}, "
        f"{ours_time:.2f} s (goal < 30 s)"
    )
    print(
        f"greedy (serial dictatorship): placed {greedy_placed}, total cost {greedy_cost}, "
        f"{greedy_time:.2f} s"
    )
    per = (result.total_cost / result.placed_count) if result.placed_count else 0.0
    greedy_per = (greedy_cost / greedy_placed) if greedy_placed else 0.0
    better = result.placed_count > greedy_placed or (
        result.placed_count == greedy_placed and result.total_cost <= greedy_cost
    )
    print(
        f"ours − greedy: {result.placed_count - greedy_placed:+d} placed; "
        f"cost per placed {per:.0f} vs {greedy_per:.0f}; "
        + ("at least as many at no higher cost" if better else "WORSE THAN GREEDY")
    )
    reasons: dict[str, int] = {}
    for unplaced in result.unplaced:
        for reason in unplaced.reasons:
            reasons[reason.code] = reasons.get(reason.code, 0) + 1
    print("reasons of the unplaced:", ", ".join(f"{k} {v}" for k, v in sorted(reasons.items())))


if __name__ == "__main__":
    main()
