"""The prerequisite graph: cycle detection with its reported path, and the order rule."""

from __future__ import annotations

import pytest

from app.domain.errors import PrerequisiteCycle
from app.domain.graph import (
    build_prerequisite_graph,
    cycle_if_added,
    ordered_units,
    required_closure,
)

KINDS = {"BC-A": "BC", "BC-B": "BC", "AV-A": "AV", "AV-B": "AV", "VC-A": "VC", "VC-B": "VC"}


class TestCycleIfAdded:
    def test_the_seed_example_names_the_two_unit_cycle(self) -> None:
        graph = build_prerequisite_graph(
            ["BC-VV-B1K1", "BC-VP-P2K1"], [("BC-VP-P2K1", "BC-VV-B1K1")]
        )
        assert cycle_if_added(graph, "BC-VV-B1K1", "BC-VP-P2K1") == [
            "BC-VV-B1K1",
            "BC-VP-P2K1",
            "BC-VV-B1K1",
        ]

    def test_a_longer_cycle_follows_requires_from_the_refused_unit(self) -> None:
        # C requires B, B requires A; adding "A requires C" closes A → C → B → A.
        graph = build_prerequisite_graph("ABC", [("C", "B"), ("B", "A")])
        assert cycle_if_added(graph, "A", "C") == ["A", "C", "B", "A"]

    def test_the_shortest_cycle_is_reported(self) -> None:
        graph = build_prerequisite_graph("ABCD", [("D", "C"), ("C", "B"), ("B", "A"), ("D", "A")])
        assert cycle_if_added(graph, "A", "D") == ["A", "D", "A"]

    def test_a_unit_requiring_itself_is_a_cycle_of_one(self) -> None:
        assert cycle_if_added(build_prerequisite_graph("A", []), "A", "A") == ["A", "A"]

    def test_no_cycle_when_nothing_leads_back(self) -> None:
        graph = build_prerequisite_graph("ABC", [("C", "B")])
        assert cycle_if_added(graph, "B", "A") is None
        assert cycle_if_added(graph, "C", "A") is None
        assert cycle_if_added(graph, "A", "NEW") is None


class TestBuild:
    def test_edges_point_from_the_required_unit_to_the_unit_that_requires_it(self) -> None:
        graph = build_prerequisite_graph(["A", "B"], [("B", "A")])
        assert list(graph.edges) == [("A", "B")]

    def test_a_cycle_in_the_data_is_refused_and_named(self) -> None:
        with pytest.raises(PrerequisiteCycle) as refused:
            build_prerequisite_graph("ABC", [("A", "B"), ("B", "C"), ("C", "A")])
        cycle = refused.value.cycle
        assert cycle[0] == cycle[-1] and sorted(cycle[:-1]) == ["A", "B", "C"]
        pairs = set(zip(cycle, cycle[1:], strict=False))  # each step follows "requires"
        assert pairs <= {("A", "B"), ("B", "C"), ("C", "A")}


class TestOrder:
    def test_ties_go_bc_then_av_then_vc_then_code(self) -> None:
        graph = build_prerequisite_graph(KINDS, [])
        assert ordered_units(graph, KINDS, KINDS) == [
            "BC-A",
            "BC-B",
            "AV-A",
            "AV-B",
            "VC-A",
            "VC-B",
        ]

    def test_a_requirement_beats_the_kind_order(self) -> None:
        graph = build_prerequisite_graph(KINDS, [("BC-A", "VC-B")])  # BC-A requires VC-B
        order = ordered_units(graph, KINDS, KINDS)
        assert order.index("VC-B") < order.index("BC-A")
        assert order == ["BC-B", "AV-A", "AV-B", "VC-A", "VC-B", "BC-A"]

    def test_prerequisites_outside_the_ordered_units_are_ignored(self) -> None:
        graph = build_prerequisite_graph(KINDS, [("BC-A", "VC-B")])
        assert ordered_units(graph, ["BC-A", "AV-A"], KINDS) == ["BC-A", "AV-A"]

    def test_the_order_is_deterministic(self) -> None:
        graph = build_prerequisite_graph(KINDS, [("AV-B", "BC-B"), ("VC-A", "AV-A")])
        assert (
            len(
                {
                    tuple(ordered_units(graph, sorted(KINDS, reverse=r), KINDS))
                    for r in (True, False)
                }
            )
            == 1
        )


def test_the_closure_holds_every_unit_required_directly_or_not() -> None:
    graph = build_prerequisite_graph("ABCDE", [("C", "B"), ("B", "A"), ("E", "D")])
    assert required_closure(graph, ["C"]) == {"A", "B", "C"}
    assert required_closure(graph, ["C", "E", "X"]) == {"A", "B", "C", "D", "E", "X"}
