"""The vmbo overlap: best coverage, per-unit split and hours, credit snapshots, route summary."""

from __future__ import annotations

import datetime as dt

from app.domain.model import ElectiveRule, Outcome, Qualification, Unit
from app.domain.overlap import (
    AssignmentMapping,
    MboPartUnit,
    RouteCoverage,
    RouteTemplate,
    UnitOverlap,
    best_coverage,
    credit_for,
    overlap_report,
    route_summary,
    unit_overlap,
)


def unit(code: str, hours: int, outcomes: str, kind: str = "BC") -> Unit:
    return Unit(code, kind, code, hours, tuple(Outcome(f"{code}:{o}", o) for o in outcomes), "I")


def full(assignment: str, outcome: str, version: int = 1, **kw: object) -> AssignmentMapping:
    return AssignmentMapping(assignment, outcome, "full", version, **kw)  # type: ignore[arg-type]


def partial(assignment: str, outcome: str, version: int = 1, **kw: object) -> AssignmentMapping:
    return AssignmentMapping(assignment, outcome, "partial", version, **kw)  # type: ignore[arg-type]


DV = unit("BC-DV", 400, "12345")
HZW = unit("BC-HZW", 600, "1234")
AV = unit("AV-NL", 160, "1", kind="AV")
VC1 = unit("VC-1", 240, "1", kind="VC")
VC2 = unit("VC-2", 240, "1", kind="VC")
UNITS = {u.code: u for u in (DV, HZW, AV, VC1, VC2)}
Q = Qualification(
    "Q", "Q", "mbo", ("BC-DV", "BC-HZW", "AV-NL"), ElectiveRule(480, ("VC-1", "VC-2"))
)
# The shape of seed/vmbo.json restricted to Q: VA-4 maps DV:3 partially, VA-7 fully.
MAPPINGS = [
    full("VA-1", "BC-HZW:1"),
    full("VA-2", "BC-HZW:2"),
    full("VA-3", "BC-HZW:3"),
    partial("VA-4", "BC-DV:3"),
    full("VA-5", "BC-DV:2"),
    partial("VA-5", "BC-DV:1"),
    full("VA-7", "BC-DV:3"),
]


class TestBestCoverage:
    def test_full_anywhere_wins_over_partial(self) -> None:
        assert best_coverage(MAPPINGS)["BC-DV:3"] == "full"
        assert best_coverage(reversed(MAPPINGS))["BC-DV:3"] == "full"

    def test_ended_mappings_do_not_count(self) -> None:
        ended = full("VA-9", "BC-DV:4", ended_on=dt.date(2025, 1, 1))
        assert "BC-DV:4" not in best_coverage([*MAPPINGS, ended])


class TestUnitOverlap:
    def test_split_in_unit_order_and_hours(self) -> None:
        found = unit_overlap(DV, best_coverage(MAPPINGS))
        assert found.full == ("BC-DV:2", "BC-DV:3")
        assert found.partial == ("BC-DV:1",)
        assert found.none == ("BC-DV:4", "BC-DV:5")
        assert found.covered_hours == 160

    def test_rounds_half_up(self) -> None:
        odd = unit("U", 5, "ab")
        assert unit_overlap(odd, {"U:a": "full"}).covered_hours == 3
        third = unit("T", 800, "abc")
        assert unit_overlap(third, {"T:a": "full", "T:b": "full"}).covered_hours == 533

    def test_partial_is_worth_no_hours(self) -> None:
        assert unit_overlap(DV, {"BC-DV:1": "partial"}).covered_hours == 0


class TestOverlapReport:
    def test_mandatory_units_then_options_with_totals(self) -> None:
        report = overlap_report("P", Q, UNITS, MAPPINGS)
        assert [u.unit for u in report.units] == ["BC-DV", "BC-HZW", "AV-NL", "VC-1", "VC-2"]
        assert report.units[0] == UnitOverlap(
            unit="BC-DV",
            role="mandatory",
            study_load_hours=400,
            full=("BC-DV:2", "BC-DV:3"),
            partial=("BC-DV:1",),
            none=("BC-DV:4", "BC-DV:5"),
            covered_hours=160,
        )
        assert report.units[1].covered_hours == 450
        assert report.total_hours == 400 + 600 + 160 + 240 + 240
        assert report.covered_hours == 610
        assert report.programme == "P" and report.qualification == "Q"

    def test_option_that_is_also_mandatory_is_listed_once(self) -> None:
        q = Qualification("Q2", "Q2", "mbo", ("VC-1",), ElectiveRule(240, ("VC-1", "VC-2")))
        report = overlap_report("P", q, UNITS, [])
        assert [(u.unit, u.role) for u in report.units] == [
            ("VC-1", "mandatory"),
            ("VC-2", "option"),
        ]


class TestCreditFor:
    def test_full_first_with_versioned_refs(self) -> None:
        maps = [partial("VA-5", "a", 1), full("VA-5", "b", 3)]
        assert [(c.outcome, c.coverage, c.ref) for c in credit_for(maps)] == [
            ("b", "full", "VA-5@v3"),
            ("a", "partial", "VA-5@v1"),
        ]

    def test_ended_mappings_give_no_credit(self) -> None:
        assert credit_for([full("VA-5", "a", ended_on=dt.date(2025, 1, 1))]) == ()


class TestRouteSummary:
    def test_covers_remaining_and_elective_rule(self) -> None:
        report = overlap_report("P", Q, UNITS, MAPPINGS)
        summary = route_summary(RouteTemplate("R", "Route", "P", "Q"), Q, report)
        assert summary.covers == RouteCoverage(fully=(), partly=("BC-DV", "BC-HZW"))
        assert summary.remaining_hours == summary.total_hours - summary.covered_hours == 1030
        assert summary.electives == ElectiveRule(required_hours=480, options=("VC-1", "VC-2"))
        mbo = {u.unit: u for u in summary.mbo_part}
        assert mbo["BC-DV"] == MboPartUnit(
            unit="BC-DV",
            role="mandatory",
            outcomes=("BC-DV:1", "BC-DV:4", "BC-DV:5"),
            needs_assessment=("BC-DV:1",),
            hours=240,
        )

    def test_fully_covered_unit(self) -> None:
        maps = [full("VA-1", c) for c in HZW.outcome_codes]
        q = Qualification("Q3", "Q3", "mbo", ("BC-HZW",))
        summary = route_summary(
            RouteTemplate("R", "R", "P", "Q3"), q, overlap_report("P", q, UNITS, maps)
        )
        assert summary.covers == RouteCoverage(fully=("BC-HZW",), partly=())
        assert summary.remaining_hours == 0
