"""Benchmark of the registry core: import, cycle check and qualification order at scale.

Synthetic, reproducible data (fixed seed):

* 1,000 units (600 BC, 150 AV, 250 VC) with 5 outcomes each (5,000 outcomes);
* ~2,000 prerequisite edges forming a DAG (each unit requires up to a few units placed earlier
  in a random topological order, mostly nearby ones, so chains are long);
* ONE qualification ``Q-BENCH`` holding all 750 BC/AV units as mandatory and the 250 VC units
  as elective options.

Everything runs through the service layer (``app.services.importer.import_registry``,
``app.services.registry``) on a fresh file-based SQLite database made with ``create_app`` and a
config subclass; the pure graph functions (``app.domain.graph``) are timed separately.

Run: ``.venv/bin/python bench/bench_registry.py [--repeat N] [--seed S]``
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from app.config import TestConfig  # noqa: E402
from app.domain.access import SYSTEM  # noqa: E402
from app.domain.errors import PrerequisiteCycle  # noqa: E402
from app.domain.graph import cycle_if_added, ordered_units  # noqa: E402
from app.domain.model import ElectiveRule, Institution, Outcome, Prerequisite, Qualification, Unit  # noqa: E402
from app.extensions import db  # noqa: E402
from app.services import registry  # noqa: E402
from app.services.importer import ImportDocument, import_registry  # noqa: E402

N_UNITS = 1_000
OUTCOMES_PER_UNIT = 5
N_EDGES = 2_000
KINDS = ["BC"] * 600 + ["AV"] * 150 + ["VC"] * 250


def build_document(seed: int) -> tuple[ImportDocument, list[str]]:
    """Return the synthetic registry and its units in the topological order used to make edges."""
    rng = random.Random(seed)
    kinds = KINDS[:]
    rng.shuffle(kinds)
    units = []
    for i, kind in enumerate(kinds):
        code = f"{kind}-{i:04}"
        outcomes = tuple(
            Outcome(f"{code}:W{k}", f"Outcome {k} of {code}", dossier_code=f"W{k}", nlqf_level=3)
            for k in range(1, OUTCOMES_PER_UNIT + 1)
        )
        units.append(
            Unit(code, kind, f"Unit {code}", rng.choice([120, 240, 400]), outcomes, "MBO-ZW")
        )  # type: ignore[arg-type]
    topo = [u.code for u in units]
    rng.shuffle(topo)
    edges: set[tuple[str, str]] = set()
    while len(edges) < N_EDGES:
        later = rng.randrange(1, N_UNITS)
        earlier = max(0, later - 1 - int(rng.expovariate(1 / 15)))  # mostly nearby: long chains
        edges.add((topo[later], topo[earlier]))  # (unit, requires): requires comes earlier
    mandatory = tuple(u.code for u in units if u.kind != "VC")
    options = tuple(u.code for u in units if u.kind == "VC")
    qualification = Qualification(
        "Q-BENCH",
        "Benchmark qualification",
        "mbo",
        units=mandatory,
        electives=ElectiveRule(2_400, options),
    )
    document = ImportDocument(
        institutions=(Institution("MBO-ZW", "Benchmark institution", "mbo"),),
        units=tuple(units),
        prerequisites=tuple(Prerequisite(u, r) for u, r in sorted(edges)),
        qualifications=(qualification,),
    )
    return document, topo


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return (time.perf_counter() - start) * 1000, result


def median_ms(action: Callable[[], Any], repeat: int) -> float:
    return statistics.median(timed(action)[0] for _ in range(repeat))


def line(label: str, ms: float, note: str = "", digits: int = 1) -> None:
    print(f"{label:<32}{ms:10.{digits}f} ms   {note}".rstrip())


def counts(report: Any) -> str:
    data = report.as_dict()
    return ", ".join(f"{bucket} {sum(len(c) for c in data[bucket].values())}" for bucket in data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeat", type=int, default=7, help="repetitions of the fast measurements"
    )
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args()

    document, topo = build_document(args.seed)
    with tempfile.TemporaryDirectory(prefix="leerlijn-bench-") as folder:

        class BenchConfig(TestConfig):
            SQLALCHEMY_DATABASE_URI = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"

        app = create_app(BenchConfig)
        with app.app_context():
            db.create_all()
            session = db.session
            n_outcomes = sum(len(u.outcomes) for u in document.units)
            print(
                f"registry: {len(document.units)} units, {n_outcomes} outcomes, "
                f"{len(document.prerequisites)} prerequisites, 1 qualification "
                f"({len(document.qualifications[0].units)} mandatory + "
                f"{len(document.qualifications[0].electives.options)} options); seed {args.seed}"
            )
            print(
                f"database: SQLite file, schema by db.create_all(); repeat {args.repeat} (median)\n"
            )

            first_ms, first = timed(lambda: import_registry(session, SYSTEM, document))
            session.remove()
            second_ms, second = timed(lambda: import_registry(session, SYSTEM, document))
            session.remove()
            assert not any(second.created.values()), "second import created something"
            assert not any(second.updated.values()), "second import updated something"
            line("import, first run", first_ms, counts(first))
            line("import, second run (idempotent)", second_ms, counts(second))

            graph_ms = median_ms(lambda: registry.prerequisite_graph(session), args.repeat)
            graph = registry.prerequisite_graph(session)
            # "start requires far" closes the longest cycle through the first unit of the order;
            # "free_unit requires free_requires" closes none.
            start = topo[0]
            lengths = nx.single_source_shortest_path_length(graph, start)
            far = max(lengths, key=lambda c: (lengths[c], c))
            cycle = cycle_if_added(graph, start, far)
            assert cycle and cycle[0] == cycle[-1] == start
            free_unit, free_requires = next(
                (a, b)
                for a, b in zip(topo, topo[1:], strict=False)
                if not nx.has_path(graph, a, b) and not graph.has_edge(b, a)
            )
            assert cycle_if_added(graph, free_unit, free_requires) is None
            size = f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges"
            print()
            line("prerequisite graph from the DB", graph_ms, size)
            hit_ms = median_ms(lambda: cycle_if_added(graph, start, far), args.repeat)
            miss_ms = median_ms(
                lambda: cycle_if_added(graph, free_unit, free_requires), args.repeat
            )
            line("cycle_if_added, closes a cycle", hit_ms, f"cycle of {len(cycle) - 1} units", 3)
            line("cycle_if_added, no cycle", miss_ms, "", 3)

            def refused() -> None:
                try:
                    registry.add_prerequisite(session, SYSTEM, Prerequisite(start, far))
                except PrerequisiteCycle:
                    session.rollback()
                else:  # pragma: no cover - the data guarantees a cycle
                    raise AssertionError("cycle not refused")

            def accepted() -> float:
                edge = Prerequisite(free_unit, free_requires)
                ms, _ = timed(lambda: registry.add_prerequisite(session, SYSTEM, edge))
                registry.remove_prerequisite(session, SYSTEM, edge)
                return ms

            refused_ms = median_ms(refused, args.repeat)
            accepted_ms = statistics.median(accepted() for _ in range(args.repeat))
            line("service add_prerequisite, 409", refused_ms, "graph load + check, rollback")
            line("service add_prerequisite, 201", accepted_ms, "graph load + check + commit")

            result = registry.qualification_graph(session, "Q-BENCH")
            assert len(result.order) == N_UNITS
            qgraph_ms = median_ms(
                lambda: registry.qualification_graph(session, "Q-BENCH"), args.repeat
            )
            kinds = {u.code: u.kind for u in document.units}
            members = list(kinds)
            order_ms = median_ms(lambda: ordered_units(graph, members, kinds), args.repeat)
            order = ordered_units(graph, members, kinds)
            position = {code: i for i, code in enumerate(order)}
            assert all(position[p.requires] < position[p.unit] for p in document.prerequisites)
            print()
            shape = f"{len(result.nodes)} nodes, {len(result.edges)} edges, order of {len(order)}"
            line("service qualification_graph", qgraph_ms, shape)
            line("pure ordered_units", order_ms, f"order of {len(order)}")
            session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
