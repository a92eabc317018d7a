"""The layered graph layout (pure): columns by generation, no edge pointing backwards."""

from __future__ import annotations

import networkx as nx
import pytest

from app.domain.layout import layered_layout


class TestLayeredLayout:
    def test_every_edge_points_to_a_later_column(self) -> None:
        G = nx.DiGraph([("a", "b"), ("b", "c"), ("a", "c"), ("d", "c")])
        layout = layered_layout(G)
        assert layout.layers == (("a", "d"), ("b",), ("c",))
        for edge in layout.edges:
            assert layout.box(edge.source).layer < layout.box(edge.target).layer
            assert edge.x1 < edge.x2

    def test_boxes_do_not_overlap_and_fit_the_drawing(self) -> None:
        G = nx.DiGraph()
        G.add_nodes_from(f"u{i}" for i in range(7))
        G.add_edges_from([("u0", "u5"), ("u1", "u6")])
        layout = layered_layout(G)
        for box in layout.boxes:
            assert 0 <= box.x and box.x + box.width <= layout.width
            assert 0 <= box.y and box.y + box.height <= layout.height
        for a in layout.boxes:
            for b in layout.boxes:
                if a is not b and a.layer == b.layer:
                    assert a.y + a.height <= b.y or b.y + b.height <= a.y

    def test_barycentre_orders_a_column_by_its_prerequisites(self) -> None:
        G = nx.DiGraph([("a", "z"), ("b", "y")])
        assert layered_layout(G).layers == (("a", "b"), ("z", "y"))

    def test_key_breaks_ties(self) -> None:
        G = nx.DiGraph()
        G.add_nodes_from(["VC-1", "AV-1", "BC-1"])
        rank = {"BC": 0, "AV": 1, "VC": 2}
        assert layered_layout(G, key=lambda n: (rank[n[:2]], n)).layers == (
            ("BC-1", "AV-1", "VC-1"),
        )

    def test_a_cycle_is_refused(self) -> None:
        with pytest.raises(nx.NetworkXUnfeasible):
            layered_layout(nx.DiGraph([("a", "b"), ("b", "a")]))
