"""Benchmark of the pure path engine (app.domain.path); prints figures and ratios vs targets.

Synthetic, reproducible data (fixed seed):

* a catalog of 1,000 units with 5 outcomes each (5,000 outcomes), ~2,000 prerequisite edges
  (a DAG), 500 ``subsumes`` and 500 ``partial`` outcome relations;
* qualification ``Q-BIG``: all 1,000 units (960 mandatory, 40 elective options, 2,400 elective
  hours required, 12 chosen);
* 199 further qualifications of 100–300 units drawn from the same catalog (every 10th is a
  czo leerroute with EPAs and an entry requirement), so that ranking covers 200;
* a learner holding 50 % of the outcomes (plus expired, formative and withdrawn evidence,
  partial credits, entrustments, a diploma and an enrolment in ``Q-BIG``).

Targets: path p50 ≤ 5 ms (catalog build timed separately), ranking of 200 ≤ 200 ms.

A path's explanations are written on the first read of ``PathResult.explanations`` (see
``app/domain/path/speed.py``): the ``path`` lines leave them unwritten, the ``+ explanations``
line includes writing them. The JSON of a path is the API's job (``app/schemas/paths.py``); it
is measured through HTTP by ``bench_http_path.py``.

Run: ``.venv/bin/python bench/bench_path.py [--repeat N]``
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.domain.model import (  # noqa: E402
    ElectiveRule,
    Outcome,
    OutcomeRelation,
    Qualification,
    RequiredEpa,
    Unit,
)
from app.domain.path.catalog import Catalog  # noqa: E402
from app.domain.path.engine import compute_path, rank_paths  # noqa: E402
from app.domain.path.record import (  # noqa: E402
    Enrolment,
    Entrustment,
    Evidence,
    HeldDiploma,
    LearnerRecord,
    PartialCredit,
)

SEED = 20250901
ON = date(2025, 9, 1)
N_UNITS = 1_000
OUTCOMES_PER_UNIT = 5
N_EDGES = 2_000
N_QUALIFICATIONS = 200
PATH_TARGET_MS = 5.0
RANK_TARGET_MS = 200.0
KINDS = ("BC", "AV", "VC")


def make_units(rng: random.Random) -> list[Unit]:
    units = []
    for n in range(N_UNITS):
        kind = "VC" if n >= N_UNITS - 40 else rng.choice(KINDS[:2])
        outcomes = tuple(Outcome(f"O{n:04d}-{k}", f"Leerresultaat {n}.{k}") for k in range(5))
        hours = rng.choice((120, 160, 200, 240, 400, 800))
        units.append(Unit(f"{kind}-{n:04d}", kind, f"Eenheid {n}", hours, outcomes, "ROC"))  # type: ignore[arg-type]
    return units


def make_prerequisites(rng: random.Random, codes: list[str]) -> list[tuple[str, str]]:
    """Return ~N_EDGES ``(unit, requires)`` pairs that respect a random topological order."""
    rank = list(codes)
    rng.shuffle(rank)
    pairs: set[tuple[str, str]] = set()
    while len(pairs) < N_EDGES:
        i, j = sorted(rng.sample(range(len(rank)), 2))
        if j - i <= 50:  # local edges keep chains realistic
            pairs.add((rank[j], rank[i]))
    return sorted(pairs)


def make_relations(rng: random.Random, outcomes: list[str]) -> list[OutcomeRelation]:
    relations = []
    for kind in ("subsumes", "partial"):
        for _ in range(500):
            a, b = rng.sample(outcomes, 2)
            relations.append(OutcomeRelation(a, b, kind))
    # subsumes must not cycle in real data; keep a DAG by direction of the code
    return [r if r.type == "partial" or r.from_outcome > r.to_outcome else
            OutcomeRelation(r.to_outcome, r.from_outcome, r.type) for r in relations]  # fmt: skip


def make_qualifications(rng: random.Random, units: list[Unit]) -> list[Qualification]:
    codes = [u.code for u in units]
    options = tuple(codes[-40:])
    big = Qualification(
        "Q-BIG", "Grote kwalificatie", "mbo", tuple(codes[:-40]), ElectiveRule(2_400, options)
    )
    quals = [big]
    for q in range(1, N_QUALIFICATIONS):
        members = rng.sample(codes[:-40], rng.randint(100, 300))
        if q % 10 == 0:
            epas = tuple(RequiredEpa(f"EPA-{q}-{k}", 4) for k in range(5))
            quals.append(
                Qualification(f"C-{q:03d}", f"Leerroute {q}", "czo", tuple(members[:20]),
                              required_epas=epas, entry_any_qualification=("Q-BIG", "Q-001"))
            )  # fmt: skip
            continue
        rule = ElectiveRule(720, tuple(rng.sample(options, 6)))
        quals.append(Qualification(f"Q-{q:03d}", f"Kwalificatie {q}", "mbo", tuple(members), rule))
    return quals


def make_record(rng: random.Random, units: list[Unit], quals: list[Qualification]) -> LearnerRecord:
    outcomes = [o.code for u in units for o in u.outcomes]
    held = rng.sample(outcomes, len(outcomes) // 2)
    day = ON - timedelta(days=400)
    evidence = [Evidence(o, "exam", day + timedelta(days=rng.randrange(300))) for o in held]
    others = rng.sample(outcomes, 600)
    evidence += [
        Evidence(o, "evc", day, valid_until=day + timedelta(days=30)) for o in others[:200]
    ]
    evidence += [Evidence(o, "formative", day) for o in others[200:400]]
    evidence += [Evidence(o, "transfer", day, withdrawn=True) for o in others[400:]]
    credits = tuple(PartialCredit(o, day) for o in rng.sample(outcomes, 200))
    entrustments = tuple(
        Entrustment(epa.epa, rng.randint(1, 5), day + timedelta(days=rng.randrange(300)), False, n)
        for n, q in enumerate(quals) for epa in q.required_epas
    )  # fmt: skip
    chosen = tuple(rng.sample(quals[0].electives.options, 12))
    return LearnerRecord(
        evidence=tuple(evidence),
        entrustments=entrustments,
        diplomas=(HeldDiploma("Q-001", day),),
        partial_credits=credits,
        enrolments=(Enrolment("Q-BIG", chosen, ON, 32),),
    )


CPU: dict[str, list[float]] = {}  # CPU time of this process per timed label (load-independent)


def timings(run: Callable[[], object], repeat: int, label: str = "") -> list[float]:
    """Return wall-clock milliseconds of `repeat` runs; keep their CPU time under `label`."""
    run()  # warm-up
    found, cpu = [], []
    for _ in range(repeat):
        began, began_cpu = time.perf_counter(), time.process_time()
        run()
        found.append((time.perf_counter() - began) * 1_000)
        cpu.append((time.process_time() - began_cpu) * 1_000)
    CPU[label] = cpu
    return found


def p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200, help="path runs (ranking: repeat/5)")
    args = parser.parse_args()
    rng = random.Random(SEED)
    units = make_units(rng)
    prerequisites = make_prerequisites(rng, [u.code for u in units])
    relations = make_relations(rng, [o.code for u in units for o in u.outcomes])
    quals = make_qualifications(rng, units)
    record = make_record(rng, units, quals)

    build = timings(
        lambda: Catalog.build(units, quals, relations, prerequisites), max(5, args.repeat // 20)
    )
    catalog = Catalog.build(units, quals, relations, prerequisites)  # only one stays alive

    def one_path() -> object:
        return compute_path(catalog, record, learner_id="B", qualification_code="Q-BIG", on=ON)

    def one_path_explained() -> object:
        return compute_path(
            catalog, record, learner_id="B", qualification_code="Q-BIG", on=ON
        ).explanations

    def typical_path() -> object:
        return compute_path(catalog, record, learner_id="B", qualification_code="Q-001", on=ON)

    def ranking() -> object:
        return rank_paths(catalog, record, learner_id="B", on=ON, hours_per_week=32)

    path_ms = timings(one_path, args.repeat, "path")
    explained_ms = timings(one_path_explained, args.repeat)
    typical_ms = timings(typical_path, args.repeat)
    rank_ms = timings(ranking, max(10, args.repeat // 5), "rank")
    result = compute_path(catalog, record, learner_id="B", qualification_code="Q-BIG", on=ON)
    memberships = sum(len(q.units) + len(q.electives.options) for q in quals)

    print(f"catalog: {len(units)} units, {sum(len(u.outcomes) for u in units)} outcomes, "
          f"{catalog.graph.number_of_edges()} prerequisite edges, {len(relations)} relations, "
          f"{len(quals)} qualifications ({memberships} unit memberships)")  # fmt: skip
    print(f"learner: {len(record.evidence)} evidence items; Q-BIG path: "
          f"{len(result.remaining_units)} remaining units, {len(result.blocked)} blocked, "
          f"{result.remaining_hours} h, {len(result.explanations)} explanations")  # fmt: skip
    print(f"catalog build      p50 {p(build, 50):7.2f} ms   p95 {p(build, 95):7.2f} ms")
    p50, p95 = p(path_ms, 50), p(path_ms, 95)
    print(f"path (1,000 units) p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   "
          f"target p50 ≤ {PATH_TARGET_MS:g} ms → ratio {p50 / PATH_TARGET_MS:.2f}")  # fmt: skip
    print(
        f"  + explanations   p50 {p(explained_ms, 50):7.2f} ms   p95 {p(explained_ms, 95):7.2f} ms"
    )
    typical = len(catalog.qualifications["Q-001"].units)
    print(f"path ({typical} units)   p50 {p(typical_ms, 50):7.2f} ms   "
          f"p95 {p(typical_ms, 95):7.2f} ms   (Q-001, same catalog)")  # fmt: skip
    print(f"  CPU time of this process: p50 {p(CPU['path'], 50):.2f} ms "
          f"(ratio {p(CPU['path'], 50) / PATH_TARGET_MS:.2f}); differs from wall time when "
          f"the machine is shared (load average {os.getloadavg()[0]:.1f})")  # fmt: skip
    r50, r95 = p(rank_ms, 50), p(rank_ms, 95)
    print(f"rank (200 quals)   p50 {r50:7.2f} ms   p95 {r95:7.2f} ms   "
          f"target ≤ {RANK_TARGET_MS:g} ms → ratio p50 {r50 / RANK_TARGET_MS:.2f}, "
          f"p95 {r95 / RANK_TARGET_MS:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
