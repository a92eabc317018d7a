"""Stagematching rules M1–M5 on small hand-made rounds, and M4 against brute force."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from dataclasses import asdict

from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.path.record import Entrustment, LearnerRecord
from app.domain.placements.distance import distance_km
from app.domain.placements.feasibility import applicant_levels
from app.domain.placements.matching import feasible_options, match_round, optimal_assignment
from app.domain.placements.model import (
    Applicant,
    Location,
    Offer,
    OfferEpa,
    PlacementRequest,
    PlacementRound,
    Recognition,
    Workplace,
)

START = dt.date(2026, 2, 1)
ROUND = PlacementRound("R", "Voorjaar", START, dt.date(2026, 6, 30), dt.date(2026, 1, 15))
ZWOLLE, DEVENTER = Location(52.5168, 6.0830), Location(52.2550, 6.1639)
HOME = Location(52.52, 6.09)  # Zwolle: 1 km from WZ, 30 km from WD


def workplace(code: str, where: Location, *recognitions: Recognition) -> Workplace:
    return Workplace(
        code, code, "vvt", "-", where, recognitions or (Recognition("Q", dt.date(2024, 1, 1)),)
    )


WZ, WD = workplace("WZ", ZWOLLE), workplace("WD", DEVENTER)


def applicant(
    learner: str,
    *,
    max_km: int = 40,
    prefs: tuple[str, ...] = (),
    epas: tuple[str, ...] = (),
    levels: tuple[tuple[str, int], ...] = (),
    school: str = "MBO-A",
    q: str = "Q",
) -> Applicant:
    return Applicant(PlacementRequest(learner, q, HOME, max_km, prefs, epas), school, levels)


def codes(result, learner: str) -> list[str]:
    return [r.code for u in result.unplaced if u.learner == learner for r in u.reasons]


def test_distance_is_haversine_rounded_half_up() -> None:
    assert distance_km(ZWOLLE, DEVENTER) == 30
    assert distance_km(HOME, ZWOLLE) == 1


def test_each_reason_names_why() -> None:
    offers = [
        Offer(1, "WZ", ("Q",), 1, (OfferEpa("E", 2),)),
        Offer(2, "WD", ("Q",), 1, (OfferEpa("E", 5),)),
    ]
    learners = [
        applicant("a-none", q="P"),  # nobody offers P
        applicant("b-far", max_km=0),
        applicant("c-epa", epas=("E",), levels=(("E", 3),)),  # needs 4: only WD (30 km) can
        applicant("d-placed", prefs=("WZ",)),
        applicant("e-capacity", max_km=5),
    ]
    result = match_round(ROUND, [WZ, WD], offers, learners, dt.date(2025, 12, 1))
    assert codes(result, "a-none") == ["not_recognised"]
    assert codes(result, "b-far") == ["too_far"]
    assert [p.learner for p in result.placed] == ["c-epa", "d-placed"]
    assert codes(result, "e-capacity") == ["capacity"]
    placed = {p.learner: p for p in result.placed}
    assert placed["c-epa"].workplace == "WD" and placed["d-placed"].cost == 1  # rank 0, 1 km
    near_only = match_round(
        ROUND, [WZ, WD], offers, [applicant("c", max_km=10, epas=("E",), levels=(("E", 3),))], START
    )
    reason = near_only.unplaced[0].reasons[0]
    assert (reason.code, reason.epa, reason.level) == ("epa_level", "E", 4)
    assert "niveau 4" in reason.message


def test_the_level_comes_from_r6_on_the_first_day_of_the_period() -> None:
    record = LearnerRecord(
        entrustments=(
            Entrustment("E", 2, dt.date(2025, 1, 1)),
            Entrustment("E", 4, dt.date(2026, 3, 1)),
        )
    )
    assert applicant_levels(record, ["E"], START) == (("E", 2),)


def test_recognition_must_hold_on_the_first_day() -> None:
    late = workplace("WL", ZWOLLE, Recognition("Q", dt.date(2026, 2, 2)))
    ended = workplace("WE", ZWOLLE, Recognition("Q", dt.date(2020, 1, 1), dt.date(2026, 1, 31)))
    still = workplace("WS", ZWOLLE, Recognition("Q", dt.date(2020, 1, 1), START))
    offers = [Offer(i, w.code, ("Q",), 1) for i, w in enumerate((late, ended, still), 1)]
    result = match_round(
        ROUND, [late, ended, still], offers, [applicant("a"), applicant("b")], START
    )
    assert [p.workplace for p in result.placed] == ["WS"]
    assert codes(result, "b") == ["capacity"]


def test_reservations_count_until_two_weeks_before_the_match_date() -> None:
    offers = [Offer(1, "WZ", ("Q",), 1, reserved_for="MBO-B")]
    learner = [applicant("a", school="MBO-A")]
    before = match_round(ROUND, [WZ], offers, learner, dt.date(2025, 12, 31))  # 15 days before
    assert codes(before, "a") == ["reserved"]
    after = match_round(ROUND, [WZ], offers, learner, dt.date(2026, 1, 1))  # 14 days before
    assert [p.learner for p in after.placed] == ["a"]
    own = match_round(ROUND, [WZ], offers, [applicant("b", school="MBO-B")], dt.date(2025, 12, 1))
    assert [p.learner for p in own.placed] == ["b"]


def test_more_placements_beat_lower_cost() -> None:
    # a prefers WZ; b can only reach WZ: placing both sends a to its non-preferred WD
    offers = [Offer(1, "WZ", ("Q",), 1), Offer(2, "WD", ("Q",), 1)]
    learners = [applicant("a", prefs=("WZ",)), applicant("b", max_km=5)]
    result = match_round(ROUND, [WZ, WD], offers, learners, START)
    assert {(p.learner, p.workplace) for p in result.placed} == {("a", "WD"), ("b", "WZ")}
    assert result.total_cost == 10030 + 10001


def test_the_same_round_gives_the_same_answer_byte_for_byte() -> None:
    offers = [Offer(i, w.code, ("Q",), 2) for i, w in enumerate((WZ, WD, WZ), 1)]
    learners = [applicant(f"l{i}", prefs=("WD",) if i % 2 else ()) for i in range(9)]
    first = json.dumps(asdict(match_round(ROUND, [WZ, WD], offers, learners, START)))
    again = json.dumps(asdict(match_round(ROUND, [WD, WZ], offers[::-1], learners[::-1], START)))
    assert first == again


# --- M4 against brute force ----------------------------------------------------------------------


def brute_force(capacities: list[int], options: list[list]) -> tuple[int, int]:
    """(most placed, lowest cost among those) over every assignment."""
    best = (0, 0)
    choices = [[None, *row] for row in options]
    for pick in itertools.product(*choices):
        used = [0] * len(capacities)
        for option in pick:
            if option is not None:
                used[option.offer] += 1
        if any(u > c for u, c in zip(used, capacities, strict=True)):
            continue
        placed = sum(option is not None for option in pick)
        cost = sum(option.cost for option in pick if option is not None)
        if placed > best[0] or (placed == best[0] and cost < best[1]):
            best = (placed, cost)
    return best


points = st.tuples(st.floats(52.2, 52.6), st.floats(5.9, 6.3))


@settings(max_examples=60, deadline=None)
@given(
    offers=st.lists(
        st.tuples(points, st.integers(1, 2), st.sampled_from([None, "MBO-A"]), st.integers(1, 5)),
        min_size=1,
        max_size=3,
    ),
    learners=st.lists(
        st.tuples(
            points,
            st.integers(5, 40),
            st.sampled_from(["MBO-A", "MBO-B"]),
            st.lists(st.integers(0, 2), max_size=2),
            st.integers(0, 4),
        ),
        min_size=1,
        max_size=5,
    ),
    candidates=st.sampled_from([1, 6]),
)
def test_no_assignment_places_more_or_as_many_cheaper(offers, learners, candidates) -> None:
    places = [workplace(f"W{i}", Location(*where)) for i, (where, *_) in enumerate(offers)]
    offer_values = [
        Offer(i + 1, f"W{i}", ("Q",), n, (OfferEpa("E", level),), reserved)
        for i, (_, n, reserved, level) in enumerate(offers)
    ]
    applicants = [
        Applicant(
            PlacementRequest(
                f"l{i}",
                "Q",
                Location(*home),
                km,
                tuple(dict.fromkeys(f"W{p}" for p in prefs)),
                ("E",),
            ),
            school,
            (("E", current),),
        )
        for i, (home, km, school, prefs, current) in enumerate(learners)
    ]
    options = feasible_options(ROUND, {w.code: w for w in places}, offer_values, applicants, True)
    capacities = [o.places for o in offer_values]
    chosen = optimal_assignment(capacities, options, candidates)
    placed = sum(option is not None for option in chosen)
    cost = sum(option.cost for option in chosen if option is not None)
    assert (placed, cost) == brute_force(capacities, options)
    for option, row in zip(chosen, options, strict=True):
        assert option is None or option in row
    used = [
        sum(1 for o in chosen if o is not None and o.offer == i) for i in range(len(capacities))
    ]
    assert all(u <= c for u, c in zip(used, capacities, strict=True))
