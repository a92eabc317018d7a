"""Load benchmark: concurrent clients against several real instances on one PostgreSQL, and SQLite.

Two phases, one after the other, each `--clients` concurrent clients (16) for `--seconds` (60;
``--quick``: 10):

(a) **two instances on one PostgreSQL**: a throwaway cluster (``tests/postgres/conftest.py``'s
    `running_cluster`), two gunicorn masters with `--workers` (4) each on separate ports, both
    started by `tests.served.serve` with the same ``DATABASE_URL``; each runs ``flask seed`` at
    its start, the second on the live, already seeded database (it must change nothing). Both
    get the same ``LEERLIJN_BASE_URL``, as instances behind one load balancer do. Every client
    sends its requests to the two instances in turn.
(b) **one instance on SQLite** (`--workers` workers), the same mix.

The mix, repeated by each client (learners: the seeded ones; tokens: an assessor of MBO-ZW
for the learner requests, none for verify, the admin for placement reads):

``path``       ``GET /api/learners/{id}/path`` (``?qualification=`` for a learner without an
               enrolment)
``evidence``   ``POST /api/learners/{id}/evidence``, an exam of one outcome with a unique
               ``ref`` (acknowledged: 201)
``issue``      ``POST /api/credentials`` of a random unit: 201 (new) or 200 (held) is
               acknowledged, 409 (not earned) a correct refusal
``verify``     ``POST /api/verify`` (anonymous) of a credential this client was issued;
               ``LEERLIJN_RATE_LIMIT_VERIFY`` is raised for the bench
``placement``  ``GET /api/placement-rounds``, ``…/{code}``, ``…/{code}/offers``,
               ``…/{code}/placements`` in turn (the seed's two rounds)

What the figures are: per kind the number of requests, p50 and p99 of the latency seen by the
client (send to last byte, on a keep-alive connection; the clients run in threads of this
process and share the 2 cores with the servers, so they are this machine's figures, not the
service's alone), the answers by status, the answers 5xx and the requests without an answer;
then the throughput of all requests over the phase. Afterwards every acknowledged write is
looked up on the OTHER instance in (a) (the same instance in (b)): evidence by its ``ref`` in the
learner's evidence list, a credential by ``GET /api/credentials/{id}``; reported as found /
acknowledged. A verify counts as ``verified`` when the answer says every check passed.

Nothing about speed is asserted. The exit status is non-zero when any answer is 5xx, a request
got no answer, an answer had a status outside the ones listed above, a verification failed,
or an acknowledged write is not found: those are correctness, not speed.

Run: ``.venv/bin/python bench/bench_load.py [--seconds 60] [--clients 16] [--workers 4] [--quick]``
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.load_clients import NO_ANSWER, Client, evidence_item, evidence_refs  # noqa: E402
from tests.postgres.conftest import find_bindir, running_cluster  # noqa: E402
from tests.served import Response, Served, serve  # noqa: E402

KINDS = ("path", "evidence", "issue", "verify", "placement")
#: Answers that are part of the mix, per kind (anything else is unexpected).
EXPECTED = {
    "path": {200},
    "evidence": {201},
    "issue": {200, 201, 409},
    "verify": {200},
    "placement": {200},
}
#: Outcomes the evidence writes record: single-outcome units (so that issuing them then
#: succeeds) and outcomes of larger units (so that most issues of those are refused).
OUTCOMES = (
    "AV:NL-2F", "AV:NL-3F", "AV:REK-2F", "AV:REK-3F", "AV:EN-B1A2", "AV:LB", "KD:K1006",
    "KD:K0210", "VV:B1-K1-W1", "VP:P2-K1-W1", "VP:P2-K1-W3",
)  # fmt: skip
UNITS = (
    "AV-NL-2F", "AV-NL-3F", "AV-REK-2F", "AV-REK-3F", "AV-EN-B1A2", "AV-LB", "VC-K1006",
    "VC-K0210", "BC-VV-B1K1", "BC-VP-P2K1",
)  # fmt: skip
#: The path of a learner without an enrolment is asked for one of these.
PATH_QUALIFICATIONS = ("Q-VP", "Q-VIG", "Q-HZW")
ROUNDS = ("BPV-2025-NAJAAR", "BPV-2026-VOORJAAR")
PLACEMENT_READS = ("", "/{code}", "/{code}/offers", "/{code}/placements")
BASE_URL = "http://127.0.0.1:8000"  # one public address for all instances (a load balancer's)
MAX_CONNECTIONS = 200  # PostgreSQL: 2 instances × workers × SQLAlchemy's pool (5 + 10 overflow)


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    no_answer: int = 0

    @property
    def count(self) -> int:
        return len(self.latencies_ms) + self.no_answer

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def quantile(self, q: int) -> float:
        if len(self.latencies_ms) < 2:
            return self.latencies_ms[0] if self.latencies_ms else 0.0
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[q - 1]


@dataclass
class Phase:
    """What the clients of one phase saw and wrote."""

    name: str
    tallies: dict[str, Tally] = field(default_factory=lambda: {k: Tally() for k in KINDS})
    #: (index of the instance that acknowledged it, learner, ref)
    evidence: list[tuple[int, str, str]] = field(default_factory=list)
    #: (index of the instance, path of the credential in the API)
    credentials: list[tuple[int, str]] = field(default_factory=list)
    refused: int = 0
    verified: Counter[bool] = field(default_factory=Counter)
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float | None, status: int | None) -> None:
        with self.lock:
            tally = self.tallies[kind]
            if seconds is None or status is None:
                tally.no_answer += 1
            else:
                tally.latencies_ms.append(seconds * 1000)
                tally.statuses[status] += 1


@dataclass(frozen=True)
class Setup:
    services: Sequence[Served]
    learners: Sequence[str]
    #: learner → the query of their path (a learner without an enrolment names a qualification)
    path_query: dict[str, str]
    assessor: str
    admin: str


def run_client(setup: Setup, phase: Phase, number: int, deadline: float) -> None:
    """One client: the mix, over and over until `deadline`, alternating between the services."""
    rng = random.Random(number)
    client = Client()
    turn = number
    issued: list[dict[str, Any]] = []

    def send(kind: str, method: str, path: str, **kwargs: Any) -> tuple[int, Response | None]:
        nonlocal turn
        index = turn % len(setup.services)
        turn += 1
        began = time.perf_counter()
        try:
            response = client.request(setup.services[index], method, path, **kwargs)
        except NO_ANSWER:
            phase.record(kind, None, None)
            return index, None
        phase.record(kind, time.perf_counter() - began, response.status)
        return index, response

    iteration = 0
    try:
        while time.monotonic() < deadline:
            iteration += 1
            learner = rng.choice(setup.learners)
            path = f"/api/learners/{learner}/path{setup.path_query[learner]}"
            send("path", "GET", path, token=setup.assessor)
            ref = f"load-{phase.name}-{number}-{iteration}"
            index, answer = send(
                "evidence",
                "POST",
                f"/api/learners/{learner}/evidence",
                json=evidence_item(rng.choice(OUTCOMES), ref),
                token=setup.assessor,
            )
            if answer is not None and answer.status == 201:
                with phase.lock:
                    phase.evidence.append((index, learner, ref))
            achievement = {"type": "unit", "code": rng.choice(UNITS)}
            index, answer = send(
                "issue",
                "POST",
                "/api/credentials",
                json={"learner": learner, "achievement": achievement},
                token=setup.assessor,
            )
            if answer is not None and answer.status in (200, 201):
                issued.append(answer.json())
                location = answer.headers["Location"]
                with phase.lock:
                    phase.credentials.append((index, location[location.index("/api/") :]))
            elif answer is not None and answer.status == 409:
                with phase.lock:
                    phase.refused += 1
            if issued:
                _, answer = send("verify", "POST", "/api/verify", json=rng.choice(issued))
                if answer is not None and answer.status == 200:
                    with phase.lock:
                        phase.verified[bool(answer.json().get("verified"))] += 1
            read = PLACEMENT_READS[iteration % len(PLACEMENT_READS)]
            code = ROUNDS[(iteration // len(PLACEMENT_READS)) % len(ROUNDS)]
            path = "/api/placement-rounds" + read.format(code=code)
            send("placement", "GET", path, token=setup.admin)
    finally:
        client.close()


def run_phase(name: str, setup: Setup, clients: int, seconds: float) -> Phase:
    warm_up(setup)
    phase = Phase(name)
    began = time.monotonic()
    deadline = began + seconds
    threads = [
        threading.Thread(target=run_client, args=(setup, phase, number, deadline), daemon=True)
        for number in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.seconds = time.monotonic() - began
    return phase


def warm_up(setup: Setup) -> None:
    """A few path and placement reads per instance (not counted): each worker loads its caches."""
    for served in setup.services:
        for learner in setup.learners[:8]:
            path = f"/api/learners/{learner}/path{setup.path_query[learner]}"
            served.request("GET", path, token=setup.assessor)
            served.request("GET", f"/api/placement-rounds/{ROUNDS[0]}/offers")


def check_writes(setup: Setup, phase: Phase) -> tuple[int, int, list[str]]:
    """Look every acknowledged write up on the other instance: (found, acknowledged, missing)."""
    services = setup.services
    wanted: dict[tuple[int, str], set[str]] = {}
    for index, learner, ref in phase.evidence:
        wanted.setdefault(((index + 1) % len(services), learner), set()).add(ref)
    missing: list[str] = []
    found = 0
    for (reader, learner), refs in wanted.items():
        held = evidence_refs(services[reader], learner, token=setup.admin)
        found += len(refs & held.keys())
        missing += [f"evidence {ref} of {learner}" for ref in sorted(refs - held.keys())]
    for index, path in phase.credentials:
        answer = services[(index + 1) % len(services)].request("GET", path, token=setup.admin)
        if answer.status == 200:
            found += 1
        else:
            missing.append(f"credential {path} ({answer.status})")
    return found, len(phase.evidence) + len(phase.credentials), missing


def report(title: str, setup: Setup, phase: Phase) -> list[str]:
    """Print the phase's table; return what went wrong (empty when everything held)."""
    print(f"\n{title}")
    header = ("kind", "count", "p50 ms", "p99 ms", "5xx", "no answer")
    print("{:<10} {:>7} {:>8} {:>8} {:>5} {:>9}  answers".format(*header))
    problems: list[str] = []
    total = 0
    for kind in KINDS:
        tally = phase.tallies[kind]
        total += tally.count
        answers = " ".join(f"{s}:{n}" for s, n in sorted(tally.statuses.items()))
        print(
            f"{kind:<10} {tally.count:>7} {tally.quantile(50):>8.1f} {tally.quantile(99):>8.1f} "
            f"{tally.server_errors:>5} {tally.no_answer:>9}  {answers}"
        )
        if tally.server_errors:
            problems.append(f"{kind}: {tally.server_errors} answers 5xx")
        if tally.no_answer:
            problems.append(f"{kind}: {tally.no_answer} requests without an answer")
        unexpected = {s: n for s, n in tally.statuses.items() if s not in EXPECTED[kind]}
        if unexpected and not tally.server_errors:
            problems.append(f"{kind}: unexpected answers {unexpected}")
    print(f"throughput: {total} requests in {phase.seconds:.1f} s = {total / phase.seconds:.0f}/s")
    found, acknowledged, missing = check_writes(setup, phase)
    where = "the other instance" if len(setup.services) > 1 else "the instance"
    print(
        f"writes acknowledged: {len(phase.evidence)} evidence, {len(phase.credentials)} "
        f"credentials (201 new or 200 held); found afterwards on {where}: "
        f"{found}/{acknowledged}; issue refused as not earned (409): {phase.refused}"
    )
    print(f"verify: {phase.verified[True]} verified, {phase.verified[False]} not verified")
    problems += [f"missing: {what}" for what in missing[:20]]
    if phase.verified[False]:
        problems.append(f"{phase.verified[False]} verifications failed")
    return problems


def prepare(services: Sequence[Served]) -> Setup:
    """Learners of the seed and an assessor token of MBO-ZW (made through the first instance)."""
    first = services[0]
    document = first.request("GET", "/api/learners?limit=500").json()
    learners = [item["id"] for item in document["items"]]
    path_query = {
        learner: ""
        if first.request("GET", f"/api/learners/{learner}/path").status == 200
        else f"?qualification={PATH_QUALIFICATIONS[number % len(PATH_QUALIFICATIONS)]}"
        for number, learner in enumerate(learners)
    }
    made = first.request("POST", "/api/tokens", json={"role": "assessor", "institution": "MBO-ZW"})
    if made.status != 201:
        raise SystemExit(f"could not create an assessor token: {made.status} {made.text}")
    return Setup(services, learners, path_query, made.json()["token"], first.admin_token)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--quick", action="store_true", help="10 s per phase")
    args = parser.parse_args(argv)
    seconds = 10.0 if args.quick else args.seconds
    env = {"LEERLIJN_RATE_LIMIT_VERIFY": "1000000 per minute", "LEERLIJN_BASE_URL": BASE_URL}
    bindir = find_bindir()
    if bindir is None:
        raise SystemExit("no PostgreSQL server binaries (initdb, pg_ctl); see tests/postgres")
    problems: list[str] = []
    shape = f"{args.clients} clients, {seconds:g} s, {args.workers} workers per instance"
    with tempfile.TemporaryDirectory(prefix="leerlijn-load-") as folder, ExitStack() as stack:
        root = Path(folder)
        cluster = stack.enter_context(running_cluster(bindir, max_connections=MAX_CONNECTIONS))
        url = cluster.create_database("leerlijn_load")
        first = stack.enter_context(
            serve(root / "a", database_url=url, workers=args.workers, env=env)
        )
        second = stack.enter_context(
            serve(root / "b", database_url=url, workers=args.workers, env=env, seed=True)
        )
        setup = prepare([first, second])
        phase = run_phase("pg", setup, args.clients, seconds)
        problems += report(f"(a) 2 instances on one PostgreSQL; {shape}", setup, phase)
        stack.close()
        with serve(root / "c", workers=args.workers, env=env) as single:
            setup = prepare([single])
            phase = run_phase("sqlite", setup, args.clients, seconds)
            problems += report(f"(b) 1 instance on SQLite; {shape}", setup, phase)
    if problems:
        print("\nFAILED (correctness):\n  " + "\n  ".join(problems))
        return 1
    print("\nOK: no 5xx, every request answered, every acknowledged write found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
