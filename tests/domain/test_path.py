"""Focused tests of the path rules R1–R11 on tiny literal catalogs."""

from __future__ import annotations

from datetime import date
from typing import Any

import networkx as nx
import pytest

from app.domain.errors import InvalidData, NotFound, PrerequisiteCycle
from app.domain.graph import ordered_units
from app.domain.model import (
    ElectiveRule,
    Outcome,
    OutcomeRelation,
    Qualification,
    RequiredEpa,
    Unit,
)
from app.domain.path.catalog import Catalog
from app.domain.path.engine import compute_path, rank_paths
from app.domain.path.hours import duration_days, remaining_unit_hours
from app.domain.path.record import (
    Enrolment,
    Entrustment,
    Evidence,
    HeldDiploma,
    LearnerRecord,
    PartialCredit,
)
from app.domain.path.results import Candidate, PathResult, PathSummary, PlanItem, RemainingEpa

ON = date(2025, 9, 1)
BEFORE = date(2025, 1, 1)
AFTER = date(2025, 12, 1)


def unit(code: str, hours: int, *outcomes: str) -> Unit:
    """A unit whose kind is its code prefix (BC, AV, VC)."""
    kind: Any = code[:2]
    return Unit(code, kind, f"Titel {code}", hours, tuple(Outcome(o, o) for o in outcomes), "I")


def catalog(
    units: list[Unit],
    *qualifications: Qualification,
    relations: tuple[tuple[str, str, str], ...] = (),
    prerequisites: tuple[tuple[str, str], ...] = (),
) -> Catalog:
    rels = [OutcomeRelation(a, b, t) for a, b, t in relations]  # type: ignore[arg-type]
    return Catalog.build(units, qualifications, rels, prerequisites)


def mbo(code: str, *units: str, electives: ElectiveRule | None = None, **kw: Any) -> Qualification:
    return Qualification(code, f"Titel {code}", "mbo", units, electives or ElectiveRule(), **kw)


def exam(outcome: str, day: date = BEFORE, **kw: Any) -> Evidence:
    return Evidence(outcome, "exam", day, **kw)


def path(cat: Catalog, record: LearnerRecord, code: str = "Q", **kw: Any) -> PathResult:
    kw.setdefault("hours_per_week", 40)
    return compute_path(cat, record, learner_id="L", qualification_code=code, on=ON, **kw)


def evidence(*items: Evidence, **kw: Any) -> LearnerRecord:
    return LearnerRecord(evidence=items, **kw)


def missing(result: PathResult) -> dict[str, tuple[str, ...]]:
    return {u.unit: u.missing_outcomes for u in result.remaining_units}


ONE = catalog([unit("BC-1", 100, "a", "b")], mbo("Q", "BC-1"))


class TestR1CountingEvidence:
    def test_exam_on_or_before_on_counts(self) -> None:
        result = path(ONE, evidence(exam("a"), exam("b", ON)))
        assert result.remaining_units == () and result.complete

    @pytest.mark.parametrize(
        "item",
        [
            Evidence("a", "formative", BEFORE),
            exam("a", withdrawn=True),
            exam("a", AFTER),
            exam("a", valid_until=date(2025, 8, 31)),
        ],
        ids=["formative", "withdrawn", "future", "expired"],
    )
    def test_evidence_that_does_not_count(self, item: Evidence) -> None:
        assert missing(path(ONE, evidence(item))) == {"BC-1": ("a", "b")}

    def test_valid_until_the_reference_date_still_counts(self) -> None:
        assert missing(path(ONE, evidence(exam("a", valid_until=ON)))) == {"BC-1": ("b",)}

    @pytest.mark.parametrize("source", ["evc", "prior_diploma", "vmbo_assignment", "transfer"])
    def test_every_other_source_counts(self, source: str) -> None:
        record = evidence(Evidence("a", source, BEFORE))  # type: ignore[arg-type]
        assert missing(path(ONE, record)) == {"BC-1": ("b",)}

    def test_subsumes_is_transitive_and_only_downward(self) -> None:
        cat = catalog(
            [unit("AV-1", 10, "1F"), unit("AV-2", 10, "2F"), unit("AV-3", 10, "3F")],
            mbo("Q", "AV-1", "AV-2", "AV-3"),
            relations=(("3F", "2F", "subsumes"), ("2F", "1F", "subsumes")),
        )
        assert path(cat, evidence(exam("3F"))).complete
        assert missing(path(cat, evidence(exam("2F")))) == {"AV-3": ("3F",)}

    def test_expired_evidence_does_not_subsume(self) -> None:
        cat = catalog(
            [unit("AV-2", 10, "2F"), unit("AV-3", 10, "3F")],
            mbo("Q", "AV-2"),
            relations=(("3F", "2F", "subsumes"),),
        )
        record = evidence(exam("3F", valid_until=date(2025, 1, 2)))
        assert missing(path(cat, record)) == {"AV-2": ("2F",)}


class TestR2ExpiredEvidence:
    def test_lists_unachieved_outcomes_whose_evidence_all_expired(self) -> None:
        cat = catalog([unit("BC-1", 100, "a", "b", "c", "d")], mbo("Q", "BC-1"))
        record = evidence(
            exam("d", valid_until=date(2025, 6, 1)),
            exam("b", valid_until=date(2025, 6, 1)),
            exam("c", valid_until=date(2025, 6, 1)),
            exam("c"),  # one valid item: achieved, so not expired
            exam("a", valid_until=date(2025, 6, 1), withdrawn=True),
        )
        result = path(cat, record)
        assert result.expired_evidence == ("b", "d")
        assert missing(result) == {"BC-1": ("a", "b", "d")}
        assert "het bewijs voor b en d is verlopen" in result.explanations[0]

    def test_formative_and_future_evidence_are_not_expired_evidence(self) -> None:
        record = evidence(
            Evidence("a", "formative", BEFORE, valid_until=date(2025, 2, 1)),
            exam("b", AFTER, valid_until=AFTER),
        )
        assert path(ONE, record).expired_evidence == ()

    def test_only_outcomes_of_remaining_units(self) -> None:
        cat = catalog([unit("BC-1", 10, "a"), unit("BC-2", 10, "x")], mbo("Q", "BC-1"))
        record = evidence(exam("x", valid_until=date(2025, 2, 1)))
        assert path(cat, record).expired_evidence == ()


class TestR3PartlyAchievedUnits:
    def test_missing_outcomes_keep_the_unit_order(self) -> None:
        cat = catalog([unit("BC-1", 100, "z", "a", "m")], mbo("Q", "BC-1"))
        assert missing(path(cat, evidence(exam("a")))) == {"BC-1": ("z", "m")}

    def test_progress_and_formative_only_outcomes(self) -> None:
        record = evidence(exam("a"), Evidence("b", "formative", BEFORE))
        progress = path(ONE, record).progress
        assert (progress.outcomes_achieved, progress.outcomes_total) == (1, 2)
        assert progress.formative == ("b",)


class TestR4NeedsAssessment:
    CAT = catalog(
        [unit("BC-1", 10, "a"), unit("BC-2", 30, "p", "q", "r")],
        mbo("Q", "BC-2"),
        relations=(("a", "p", "partial"), ("zz", "q", "partial")),
    )

    def test_partial_relation_from_an_achieved_outcome(self) -> None:
        result = path(self.CAT, evidence(exam("a")))
        assert result.needs_assessment == ("p",)
        assert missing(result) == {"BC-2": ("p", "q", "r")}

    def test_partial_relation_from_an_unachieved_outcome_does_not_flag(self) -> None:
        assert path(self.CAT, LearnerRecord()).needs_assessment == ()

    def test_partial_credits(self) -> None:
        record = LearnerRecord(
            partial_credits=(
                PartialCredit("r", BEFORE),
                PartialCredit("q", BEFORE, withdrawn=True),
                PartialCredit("p", AFTER),
            )
        )
        assert path(self.CAT, record).needs_assessment == ("r",)

    def test_achieved_targets_are_not_listed(self) -> None:
        record = evidence(exam("a"), exam("p"), partial_credits=(PartialCredit("p", BEFORE),))
        assert path(self.CAT, record).needs_assessment == ()


def _electives_catalog(required: int) -> Catalog:
    units = [unit("BC-1", 100, "m"), *(unit(f"VC-{n}", 240, f"k{n}") for n in "ABCD")]
    options = ("VC-A", "VC-B", "VC-C", "VC-D")
    return catalog(units, mbo("Q", "BC-1", electives=ElectiveRule(required, options)))


def _enrolled(chosen: tuple[str, ...], *items: Evidence) -> LearnerRecord:
    return LearnerRecord(evidence=items, enrolments=(Enrolment("Q", chosen, ON, 40),))


class TestR5Electives:
    def test_chosen_units_are_taken_in_order_of_preference_until_covered(self) -> None:
        result = path(_electives_catalog(480), _enrolled(("VC-C", "VC-A", "VC-B")))
        assert result.order == ("BC-1", "VC-A", "VC-C")
        electives = result.electives
        assert (electives.remaining_hours, electives.shortfall_hours) == (480, 0)
        assert electives.chosen == ("VC-C", "VC-A", "VC-B")
        assert [c.unit for c in electives.candidates] == ["VC-B", "VC-D"]
        assert electives.candidates[0] == Candidate(unit="VC-B", title="Titel VC-B", hours=240)
        assert result.remaining_hours == 100 + 480

    def test_achieved_options_count_even_when_not_chosen(self) -> None:
        result = path(_electives_catalog(480), _enrolled(("VC-A", "VC-B"), exam("kD")))
        electives = result.electives
        assert (electives.achieved_hours, electives.remaining_hours) == (240, 240)
        assert [u.unit for u in result.remaining_units] == ["BC-1", "VC-A"]
        assert [c.unit for c in electives.candidates] == ["VC-B", "VC-C"]

    def test_shortfall_when_the_chosen_units_do_not_cover(self) -> None:
        result = path(_electives_catalog(720), _enrolled(("VC-B", "VC-X", "VC-B")))
        assert result.electives.shortfall_hours == 480
        assert result.remaining_hours == 100 + 240 + 480
        assert result.plan[-1].unit is None and result.plan[-1].hours == 480
        assert "dekken 480 van de 720" in result.explanations[-1]

    def test_no_chosen_electives_is_all_shortfall(self) -> None:
        result = path(_electives_catalog(480), LearnerRecord())
        assert result.electives.shortfall_hours == 480 and result.remaining_hours == 580
        assert "nog geen keuzedelen gekozen" in result.explanations[-1]

    def test_achieved_chosen_units_are_skipped(self) -> None:
        result = path(_electives_catalog(480), _enrolled(("VC-A", "VC-B", "VC-C"), exam("kA")))
        assert result.order == ("BC-1", "VC-B")
        assert result.electives.achieved_hours == 240

    def test_nothing_is_taken_when_the_requirement_is_met(self) -> None:
        result = path(_electives_catalog(240), _enrolled(("VC-B",), exam("kA")))
        assert result.order == ("BC-1",) and result.electives.remaining_hours == 0

    def test_partly_done_elective_covers_its_full_hours_and_costs_its_remaining_hours(
        self,
    ) -> None:
        units = [unit("VC-A", 240, "x", "y"), unit("VC-B", 240, "z")]
        cat = catalog(units, mbo("Q", electives=ElectiveRule(480, ("VC-A", "VC-B"))))
        result = path(cat, LearnerRecord(
            evidence=(exam("x"),), enrolments=(Enrolment("Q", ("VC-A", "VC-B"), ON, 40),)
        ))  # fmt: skip
        assert [(u.unit, u.remaining_hours) for u in result.remaining_units] == [
            ("VC-A", 120), ("VC-B", 240),
        ]  # fmt: skip
        assert result.electives.shortfall_hours == 0 and result.remaining_hours == 360

    def test_evidence_on_a_chosen_elective_does_not_pull_in_another_one(self) -> None:
        chosen = ("VC-A", "VC-B", "VC-C")
        units = [unit("VC-A", 240, "x", "y"), unit("VC-B", 240, "z"), unit("VC-C", 240, "w")]
        cat = catalog(units, mbo("Q", electives=ElectiveRule(480, chosen)))
        enrolment = (Enrolment("Q", chosen, ON, 40),)
        before = path(cat, LearnerRecord(enrolments=enrolment))
        after = path(cat, LearnerRecord(evidence=(exam("x"),), enrolments=enrolment))
        assert before.order == after.order == ("VC-A", "VC-B")
        assert (before.remaining_hours, after.remaining_hours) == (480, 360)


class TestR6Epas:
    CAT = catalog([], Qualification("C", "Leerroute", "czo", required_epas=(
        RequiredEpa("E1", 4), RequiredEpa("E3", 3), RequiredEpa("E2", 4),
    )))  # fmt: skip

    def epas(self, *entrustments: Entrustment) -> tuple[RemainingEpa, ...]:
        result = path(self.CAT, LearnerRecord(entrustments=entrustments), "C")
        return result.remaining_epas

    def test_without_entrustments_every_epa_remains_sorted_by_code(self) -> None:
        assert [e.epa for e in self.epas()] == ["E1", "E2", "E3"]
        assert self.epas()[0] == RemainingEpa(epa="E1", current_level=None, required_level=4)

    def test_met_at_or_above_the_minimum(self) -> None:
        remaining = self.epas(
            Entrustment("E1", 5, BEFORE), Entrustment("E2", 4, BEFORE), Entrustment("E3", 3, ON)
        )
        assert remaining == ()

    def test_a_later_lower_level_applies(self) -> None:
        remaining = self.epas(
            Entrustment("E1", 4, BEFORE), Entrustment("E1", 2, date(2025, 3, 1)),
            Entrustment("E2", 4, BEFORE), Entrustment("E3", 3, BEFORE),
        )  # fmt: skip
        assert remaining == (RemainingEpa(epa="E1", current_level=2, required_level=4),)

    def test_same_date_ties_go_to_the_one_recorded_last(self) -> None:
        remaining = self.epas(
            Entrustment("E1", 4, BEFORE, sequence=2), Entrustment("E1", 1, BEFORE, sequence=1),
            Entrustment("E2", 2, BEFORE, sequence=1), Entrustment("E2", 4, BEFORE, sequence=1),
            Entrustment("E3", 3, BEFORE),
        )  # fmt: skip
        assert remaining == ()

    def test_withdrawn_and_future_entrustments_do_not_count(self) -> None:
        remaining = self.epas(
            Entrustment("E1", 4, BEFORE), Entrustment("E1", 1, ON, withdrawn=True),
            Entrustment("E2", 4, AFTER), Entrustment("E3", 3, BEFORE),
        )  # fmt: skip
        assert remaining == (RemainingEpa(epa="E2", current_level=None, required_level=4),)

    def test_complete_only_when_every_epa_is_met(self) -> None:
        met = (Entrustment("E1", 4, BEFORE), Entrustment("E2", 4, ON), Entrustment("E3", 3, ON))
        record = LearnerRecord(entrustments=met)
        result = path(self.CAT, record, "C")
        assert result.complete and result.explanations == ()


class TestR7Blocked:
    CAT = catalog(
        [
            unit("BC-0", 10, "o"),
            unit("BC-1", 10, "a"),
            unit("BC-2", 10, "b"),
            unit("BC-3", 10, "c"),
        ],
        mbo("Q", "BC-1", "BC-2", "BC-3"),
        prerequisites=(("BC-2", "BC-1"), ("BC-2", "BC-0"), ("BC-3", "BC-2")),
    )

    def test_direct_unachieved_requirements_including_outside_the_qualification(self) -> None:
        result = path(self.CAT, LearnerRecord())
        assert result.blocked == {"BC-2": ("BC-0", "BC-1"), "BC-3": ("BC-2",)}
        assert "BC-0" not in result.order
        assert "je kunt pas beginnen na BC-0 en BC-1" in result.explanations[1]

    def test_achieved_requirements_unblock(self) -> None:
        result = path(self.CAT, evidence(exam("o"), exam("a")))
        assert result.blocked == {"BC-3": ("BC-2",)}
        assert result.remaining_units[0].blocked_by == ()


class TestR8Order:
    def test_kind_then_code_with_prerequisites_first(self) -> None:
        units = [
            unit("VC-1", 1, "v"),
            unit("AV-1", 1, "w"),
            unit("BC-2", 1, "x"),
            unit("BC-1", 1, "y"),
        ]
        cat = catalog(
            units,
            mbo("Q", "VC-1", "AV-1", "BC-2", "BC-1"),
            prerequisites=(("BC-1", "VC-1"),),
        )
        result = path(cat, LearnerRecord())
        assert result.order == ("BC-2", "AV-1", "VC-1", "BC-1")
        kinds = {u.code: u.kind for u in units}
        assert list(result.order) == ordered_units(cat.graph, result.order, kinds)
        assert [u.unit for u in result.remaining_units] == list(result.order)


class TestR9SharedUnits:
    def test_a_shared_unit_counts_for_every_qualification(self) -> None:
        cat = catalog(
            [unit("BC-S", 10, "s"), unit("BC-A", 10, "a"), unit("BC-B", 10, "b")],
            mbo("QA", "BC-S", "BC-A"),
            mbo("QB", "BC-S", "BC-B"),
        )
        record = evidence(exam("s"))
        assert path(cat, record, "QA").order == ("BC-A",)
        assert path(cat, record, "QB").order == ("BC-B",)


class TestR10Hours:
    @pytest.mark.parametrize(
        ("load", "missing_", "total", "hours"),
        [
            (800, 2, 3, 533),
            (5, 1, 2, 3),
            (7, 1, 2, 4),
            (3, 1, 2, 2),
            (1, 1, 3, 0),
            (400, 5, 5, 400),
        ],
    )
    def test_rounded_half_up(self, load: int, missing_: int, total: int, hours: int) -> None:
        assert remaining_unit_hours(load, missing_, total) == hours

    def test_unit_hours_in_a_path(self) -> None:
        cat = catalog(
            [unit("BC-1", 800, "a", "b", "c"), unit("AV-1", 5, "x", "y")], mbo("Q", "BC-1", "AV-1")
        )
        result = path(cat, evidence(exam("a"), exam("y")))
        assert [u.remaining_hours for u in result.remaining_units] == [533, 3]
        assert result.remaining_hours == 536


class TestR11EntryRequirements:
    CAT = catalog([unit("BC-1", 10, "a")], mbo("Q", "BC-1", entry_any_qualification=("P1", "P2")))

    def test_a_held_diploma_meets_the_requirement(self) -> None:
        record = evidence(exam("a"), diplomas=(HeldDiploma("P2", BEFORE),))
        result = path(self.CAT, record)
        assert result.entry_requirements_met and result.complete

    def test_missing_or_future_diploma(self) -> None:
        record = evidence(exam("a"), diplomas=(HeldDiploma("P1", AFTER), HeldDiploma("X", BEFORE)))
        result = path(self.CAT, record)
        assert not result.entry_requirements_met and not result.complete
        assert result.missing_entry_requirements == (("P1", "P2"),)
        assert result.explanations == (
            "Je voldoet nog niet aan de toelatingseis: je hebt een diploma nodig van P1 of P2.",
        )


class TestPlan:
    CAT = catalog([unit("BC-1", 100, "a"), unit("AV-1", 41, "b")], mbo("Q", "BC-1", "AV-1"))

    def test_units_follow_each_other_from_the_later_of_on_and_start(self) -> None:
        result = path(self.CAT, LearnerRecord(), hours_per_week=20, start=date(2025, 9, 15))
        assert result.plan == (
            PlanItem(unit="BC-1", hours=100, start=date(2025, 9, 15), end=date(2025, 10, 20)),
            PlanItem(unit="AV-1", hours=41, start=date(2025, 10, 20), end=date(2025, 11, 4)),
        )
        assert result.expected_finish == date(2025, 11, 4)

    def test_start_before_on_begins_on_on(self) -> None:
        result = path(self.CAT, LearnerRecord(), start=date(2024, 1, 1))
        assert result.plan[0].start == ON

    def test_pace_and_start_default_to_the_enrolment(self) -> None:
        record = LearnerRecord(enrolments=(Enrolment("Q", (), date(2025, 10, 1), 10),))
        result = compute_path(self.CAT, record, learner_id="L", qualification_code="Q", on=ON)
        assert result.plan[0].start == date(2025, 10, 1)
        assert (result.plan[0].end - result.plan[0].start).days == duration_days(100, 10) == 70

    def test_nothing_remaining_finishes_on_on(self) -> None:
        result = path(self.CAT, evidence(exam("a"), exam("b")), start=AFTER)
        assert result.plan == () and result.expected_finish == ON


class TestErrors:
    def test_unknown_qualification(self) -> None:
        with pytest.raises(NotFound, match="qualification 'NOPE'"):
            path(ONE, LearnerRecord(), "NOPE")

    def test_pace_must_be_positive(self) -> None:
        with pytest.raises(InvalidData):
            path(ONE, LearnerRecord(), hours_per_week=0)

    def test_catalog_rejects_unknown_units_and_cycles(self) -> None:
        with pytest.raises(NotFound, match="unit 'BC-9'"):
            catalog([], mbo("Q", "BC-9"))
        with pytest.raises(PrerequisiteCycle):
            catalog([unit("BC-1", 1, "a")], prerequisites=(("BC-1", "BC-1"),))
        cyclic = nx.DiGraph([("BC-1", "BC-2"), ("BC-2", "BC-1")])
        with pytest.raises(PrerequisiteCycle, match="BC-1 → BC-2 → BC-1|BC-2 → BC-1 → BC-2"):
            Catalog(units={}, qualifications={}, graph=cyclic)


class TestRankPaths:
    def test_order_and_enrolment_use(self) -> None:
        cat = catalog(
            [unit("BC-1", 100, "a"), unit("VC-1", 240, "v")],
            mbo("Q-A", "BC-1", electives=ElectiveRule(240, ("VC-1",))),
            mbo("Q-B", "BC-1"),
            mbo("Q-E", entry_any_qualification=("Q-A",)),
            Qualification("C", "Leerroute", "czo"),
        )
        record = LearnerRecord(enrolments=(Enrolment("Q-A", ("VC-1",), date(2025, 10, 1), 34),))
        ranked = rank_paths(cat, record, learner_id="L", on=ON, hours_per_week=40)
        assert [s.qualification for s in ranked] == ["Q-B", "Q-A", "C", "Q-E"]
        for summary in ranked:
            full = compute_path(
                cat, record, learner_id="L", qualification_code=summary.qualification, on=ON,
                hours_per_week=40 if summary.qualification != "Q-A" else None,
            )  # fmt: skip
            assert summary.remaining_hours == full.remaining_hours
            assert summary.expected_finish == full.expected_finish
            assert summary.complete == full.complete
        assert ranked[1] == PathSummary(
            qualification="Q-A", title="Titel Q-A", kind="mbo", complete=False,
            entry_requirements_met=True, remaining_hours=340, remaining_epas=(),
            expected_finish=date(2025, 12, 11),  # 1 Oct + 21 days (100 h) + 50 days (240 h)
        )  # fmt: skip
