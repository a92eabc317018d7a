"""Properties of the path engine on random DAGs and random learner records (hypothesis)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

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
from app.domain.path.record import (
    Enrolment,
    Entrustment,
    Evidence,
    HeldDiploma,
    LearnerRecord,
    PartialCredit,
)
from app.domain.path.results import PathResult

ON = date(2025, 9, 1)
SOURCES = ("exam", "evc", "prior_diploma", "vmbo_assignment", "transfer", "formative")
PROPERTY = settings(max_examples=120, deadline=None)

days = st.integers(-400, 60).map(lambda n: ON + timedelta(days=n))


@st.composite
def catalogs(draw: st.DrawFn) -> Catalog:
    """A qualification "Q" over 1–8 units plus outside units, random prerequisites (a DAG)."""
    n = draw(st.integers(1, 9))
    units = []
    for i in range(n):
        kind: Any = draw(st.sampled_from(["BC", "AV", "VC"]))
        outcomes = tuple(Outcome(f"o{i}.{k}", "t") for k in range(draw(st.integers(1, 4))))
        units.append(Unit(f"{kind}-{i}", kind, f"U{i}", draw(st.integers(0, 500)), outcomes, "I"))
    codes = [u.code for u in units]
    # an edge between positions i < j only: "j requires i" keeps the graph acyclic
    pairs = draw(st.sets(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=12))
    prerequisites = [(codes[j], codes[i]) for i, j in pairs if i < j]
    roles = draw(
        st.lists(st.sampled_from(["mandatory", "option", "outside"]), min_size=n, max_size=n)
    )
    mandatory = tuple(c for c, r in zip(codes, roles, strict=True) if r == "mandatory")
    options = tuple(c for c, r in zip(codes, roles, strict=True) if r == "option")
    option_hours = sum(u.study_load_hours for u in units if u.code in options)
    outcome_codes = [o.code for u in units for o in u.outcomes]
    relation_types: list[Any] = ["subsumes", "partial"]
    relations = [
        OutcomeRelation(a, b, kind)
        for a, b, kind in draw(
            st.lists(
                st.tuples(
                    st.sampled_from(outcome_codes),
                    st.sampled_from(outcome_codes),
                    st.sampled_from(relation_types),
                ),
                max_size=6,
            )
        )
        if a != b
    ]
    epas = tuple(
        RequiredEpa(f"E{k}", draw(st.integers(1, 5))) for k in range(draw(st.integers(0, 3)))
    )
    entry = tuple(draw(st.sets(st.sampled_from(["P1", "P2"]))))
    qualification = Qualification(
        "Q",
        "Q",
        draw(st.sampled_from(["mbo", "czo"])),
        mandatory,
        ElectiveRule(draw(st.integers(0, option_hours)), options),
        epas,
        tuple(sorted(entry)),
    )
    return Catalog.build(units, [qualification], relations, prerequisites)


@st.composite
def records(draw: st.DrawFn, catalog: Catalog) -> LearnerRecord:
    outcomes = [o for u in catalog.units.values() for o in u.outcome_codes]
    evidence = draw(
        st.lists(
            st.builds(
                Evidence,
                st.sampled_from(outcomes),
                st.sampled_from(SOURCES),
                days,
                st.one_of(st.none(), days),
                st.booleans(),
            ),
            max_size=12,
        )
    )
    entrustments = draw(
        st.lists(
            st.builds(
                Entrustment,
                st.sampled_from(["E0", "E1", "E2"]),
                st.integers(1, 5),
                days,
                st.booleans(),
                st.integers(0, 5),
            ),
            max_size=6,
        )
    )
    credits = draw(
        st.lists(
            st.builds(PartialCredit, st.sampled_from(outcomes), days, st.booleans()), max_size=3
        )
    )
    diplomas = draw(st.lists(st.builds(HeldDiploma, st.sampled_from(["P1", "P2", "X"]), days)))
    options = list(catalog.qualifications["Q"].electives.options)
    orders: st.SearchStrategy[list[str]] = st.one_of(st.just([]), st.permutations(options))
    chosen = tuple(draw(orders))
    chosen += tuple(draw(st.lists(st.sampled_from(list(catalog.units)), max_size=2)))
    enrolment = Enrolment("Q", chosen, draw(days), draw(st.integers(1, 40)))
    return LearnerRecord(
        tuple(evidence), tuple(entrustments), tuple(diplomas), tuple(credits), (enrolment,)
    )


@st.composite
def cases(draw: st.DrawFn) -> tuple[Catalog, LearnerRecord]:
    catalog = draw(catalogs())
    return catalog, draw(records(catalog))


def path(catalog: Catalog, record: LearnerRecord) -> PathResult:
    return compute_path(catalog, record, learner_id="L", qualification_code="Q", on=ON)


def counting(outcome: str) -> Evidence:
    return Evidence(outcome, "exam", ON)


@PROPERTY
@given(cases())
def test_order_respects_every_prerequisite_and_matches_ordered_units(
    case: tuple[Catalog, LearnerRecord],
) -> None:
    catalog, record = case
    result = path(catalog, record)
    position = {unit: i for i, unit in enumerate(result.order)}
    for before, after in catalog.graph.edges:
        if before in position and after in position:
            assert position[before] < position[after]
    kinds = {code: unit.kind for code, unit in catalog.units.items()}
    assert list(result.order) == ordered_units(catalog.graph, result.order, kinds)
    for unit in result.remaining_units:
        assert set(unit.blocked_by) <= set(catalog.graph.predecessors(unit.unit))
        assert all(b not in position or position[b] < position[unit.unit] for b in unit.blocked_by)


@PROPERTY
@given(cases(), st.data())
def test_adding_counting_evidence_never_increases_remaining_hours(
    case: tuple[Catalog, LearnerRecord], data: st.DataObject
) -> None:
    catalog, record = case
    before = path(catalog, record)
    outcomes = [o for u in catalog.units.values() for o in u.outcome_codes]
    extra = data.draw(st.lists(st.sampled_from(outcomes), min_size=1, max_size=4))
    richer = replace(record, evidence=(*record.evidence, *map(counting, extra)))
    after = path(catalog, richer)
    assert after.remaining_hours <= before.remaining_hours
    assert set(after.order) <= set(before.order) | set(before.electives.chosen)


@PROPERTY
@given(cases())
def test_recording_everything_missing_completes_the_path(
    case: tuple[Catalog, LearnerRecord],
) -> None:
    catalog, record = case
    result = path(catalog, record)
    qualification = catalog.qualifications["Q"]
    still = [o for u in result.remaining_units for o in u.missing_outcomes]
    still += [o for c in result.electives.candidates for o in catalog.units[c.unit].outcome_codes]
    last = max((e.sequence for e in record.entrustments), default=0) + 1
    needed = tuple(
        Entrustment(e.epa, e.required_level, ON, sequence=last) for e in result.remaining_epas
    )
    diplomas = tuple(HeldDiploma(any_of[0], ON) for any_of in result.missing_entry_requirements)
    done = replace(
        record,
        evidence=(*record.evidence, *map(counting, still)),
        entrustments=(*record.entrustments, *needed),
        diplomas=(*record.diplomas, *diplomas),
    )
    finished = path(catalog, done)
    assert finished.complete, finished
    assert finished.remaining_hours == 0 and finished.plan == () and finished.expected_finish == ON
    assert finished.progress.outcomes_achieved == finished.progress.outcomes_total
    assert qualification.code == finished.qualification


@PROPERTY
@given(cases())
def test_a_complete_path_has_nothing_remaining_and_sums_add_up(
    case: tuple[Catalog, LearnerRecord],
) -> None:
    catalog, record = case
    result = path(catalog, record)
    if result.complete:
        assert result.remaining_units == () and result.remaining_epas == ()
        assert result.entry_requirements_met and result.electives.remaining_hours == 0
    unit_hours = sum(u.remaining_hours for u in result.remaining_units)
    assert result.remaining_hours == unit_hours + result.electives.shortfall_hours
    assert [p.unit for p in result.plan if p.unit] == list(result.order)
    assert all(a.end == b.start for a, b in zip(result.plan, result.plan[1:], strict=False))
    assert set(result.needs_assessment) <= {
        o for u in result.remaining_units for o in u.missing_outcomes
    }
    assert len(result.explanations) >= len(result.remaining_units) + len(result.remaining_epas)
    summary = rank_paths(catalog, record, learner_id="L", on=ON, hours_per_week=20)[0]
    assert (summary.remaining_hours, summary.expected_finish, summary.complete) == (
        result.remaining_hours,
        result.expected_finish,
        result.complete,
    )
