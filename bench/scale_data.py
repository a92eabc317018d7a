"""Bulk generator of learners for the scale benchmark: many learners, 40 evidence records each.

Adds learners ``<run>-000001`` … ``<run>-NNNNNN`` of institution MBO-ZW to a migrated and seeded
PostgreSQL database, with psycopg 3 ``COPY`` in batches (one transaction per batch: a batch is
written completely or not at all). Each learner is

* enrolled in one of the seed's mbo qualifications (Q-VIG 35 %, Q-VP 25 %, Q-MZ3 25 %,
  Q-HZW 15 %; the czo leerroute BAZ needs a Q-VP diploma and EPAs, so nobody starts there), with
  one to all of its elective options chosen, a start on 1 September 2022–2025 and 16–32 hours a
  week;
* given exactly 40 evidence records drawn from the outcomes of that qualification's mandatory
  units and chosen electives: a share of the outcomes that grows with the time since the start
  is achieved (mostly ``exam``, some ``evc`` with a decision and basis, some of them expired,
  some ``prior_diploma``, ``transfer`` and ``vmbo_assignment``); the rest are ``formative``
  records (which never count) and about 1 in 25 records is withdrawn, so that paths differ.

What a learner gets depends only on the seed and their number, not on the batch size or on how
far an earlier run got; a rerun adds only the learners that are missing (idempotent per run id).
Within a batch the evidence rows are written in date order, as a school's records accumulate, so
a learner's rows are spread over the table as in real life rather than packed together.

The path caches (``app/persistence/versions.py``) key on the registry version, which this never
changes (no registry table is written), and on each learner's ``record_version``: new learners
are written with version 1, and `add_evidence` bumps the version of the learner it writes to,
so a running service never serves a stale record. These rows are written with ``COPY`` on a
plain psycopg connection, outside the ORM, so **they are not in the audit trail** (which records
ORM writes): right for benchmark data, never a way to load real records.

Run: ``.venv/bin/python bench/scale_data.py DATABASE_URL [--learners 100000] [--run scale]``
(``DATABASE_URL`` as the app takes it, e.g. ``postgresql+psycopg://user@host:5432/db``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import random
import re
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import psycopg

SEED = 20250901
INSTITUTION = "MBO-ZW"
EVIDENCE_PER_LEARNER = 40
BATCH = 5_000
#: The newest evidence date: nothing is dated in the future (the API refuses that).
LAST_DAY = dt.date(2025, 8, 31)
RECORDED_BY = "bench:scale_data"
#: The first date of the records `add_evidence` adds.
EXTRA_FROM = dt.date(2023, 9, 1)
#: Enrolment shares among the seed's mbo qualifications (BAZ is a czo leerroute: see above).
QUALIFICATION_WEIGHTS = {"Q-VIG": 35, "Q-VP": 25, "Q-MZ3": 25, "Q-HZW": 15}
START_YEARS = {2022: 15, 2023: 30, 2024: 30, 2025: 25}
HOURS_PER_WEEK = (16, 20, 24, 24, 32)
#: Sources of achieved outcomes and their shares; ``formative`` fills the rest.
SOURCES = {"exam": 85, "evc": 6, "prior_diploma": 3, "transfer": 3, "vmbo_assignment": 3}
WITHDRAWN_SHARE = 0.04
FIRST_NAMES = (
    "Anna", "Bram", "Daan", "Emma", "Fleur", "Julia", "Lars", "Lieke", "Mila", "Noah", "Sanne",
    "Sem", "Sophie", "Tess", "Thijs", "Yara", "Zoë", "Mohammed", "Fatima", "Kevin", "Priya",
)  # fmt: skip
RUN_ID = re.compile(r"^[a-z][a-z0-9]{0,19}$")

LEARNER_COLUMNS = ("id", "name", "external_id", "institution", "created_at", "record_version")
ENROLMENT_COLUMNS = ("learner", "qualification", "chosen_electives", "start", "hours_per_week")
EVIDENCE_COLUMNS = (
    "learner", "outcome", "source", "date", "valid_until", "decided_by", "basis", "assessor",
    "recorded_by", "recorded_at", "withdrawn_at", "withdrawn_reason",
)  # fmt: skip


@dataclass(frozen=True)
class Programme:
    """One qualification as the generator needs it: outcomes of mandatory units and options."""

    code: str
    mandatory_outcomes: tuple[str, ...]
    option_outcomes: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Generated:
    """What one `ensure_learners` call did."""

    learners_before: int
    learners_added: int
    evidence_added: int
    seconds: float

    @property
    def rows(self) -> int:
        """Rows written: learners, their enrolments and their evidence."""
        return 2 * self.learners_added + self.evidence_added

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def conninfo(database_url: str) -> str:
    """The libpq URL of an app ``DATABASE_URL`` (``postgresql+psycopg://`` → ``postgresql://``).

    >>> conninfo("postgresql+psycopg://leerlijn@127.0.0.1:5432/scale")
    'postgresql://leerlijn@127.0.0.1:5432/scale'
    """
    scheme, separator, rest = database_url.partition("://")
    if not separator or scheme.split("+")[0] not in ("postgres", "postgresql"):
        raise ValueError(f"not a PostgreSQL URL: {database_url!r}")
    return "postgresql://" + rest


def learner_id(run: str, number: int) -> str:
    """The id of learner `number` of `run`, e.g. ``scale-000001``."""
    return f"{run}-{number:06d}"


def load_programmes(connection: psycopg.Connection) -> dict[str, Programme]:
    """The seeded qualifications of `QUALIFICATION_WEIGHTS` with their units' outcomes."""
    rows = connection.execute(
        """
        SELECT qu.qualification, qu.role, qu.unit, o.code
        FROM qualification_units qu JOIN outcomes o ON o.unit_code = qu.unit
        WHERE qu.qualification = ANY(%s)
        ORDER BY qu.qualification, qu.position, o.position
        """,
        (list(QUALIFICATION_WEIGHTS),),
    ).fetchall()
    mandatory: dict[str, list[str]] = {code: [] for code in QUALIFICATION_WEIGHTS}
    options: dict[str, dict[str, list[str]]] = {code: {} for code in QUALIFICATION_WEIGHTS}
    for qualification, role, unit, outcome in rows:
        if role == "mandatory":
            mandatory[qualification].append(outcome)
        else:
            options[qualification].setdefault(unit, []).append(outcome)
    missing = [code for code, outcomes in mandatory.items() if not outcomes]
    if missing:
        raise RuntimeError(f"not seeded (run `flask --app wsgi seed` first): {missing}")
    return {
        code: Programme(
            code,
            tuple(mandatory[code]),
            {unit: tuple(outcomes) for unit, outcomes in options[code].items()},
        )
        for code in QUALIFICATION_WEIGHTS
    }


def _day_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    if last <= first:
        return first
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def learner_rows(
    run: str, number: int, programmes: dict[str, Programme], now: dt.datetime, seed: int = SEED
) -> tuple[tuple[object, ...], tuple[object, ...], list[tuple[object, ...]]]:
    """The learner row, enrolment row and 40 evidence rows of learner `number` (deterministic)."""
    rng = random.Random(f"{seed}:{run}:{number}")
    ident = learner_id(run, number)
    name = f"{rng.choice(FIRST_NAMES)} {chr(65 + rng.randrange(26))}. {run.capitalize()} {number}"
    learner = (ident, name, ident.upper(), INSTITUTION, now, 1)

    codes, weights = zip(*QUALIFICATION_WEIGHTS.items(), strict=True)
    programme = programmes[rng.choices(codes, weights)[0]]
    option_units = sorted(programme.option_outcomes)
    chosen = sorted(rng.sample(option_units, rng.randint(1, len(option_units))))
    year = rng.choices(list(START_YEARS), list(START_YEARS.values()))[0]
    start = dt.date(year, 9, 1)
    enrolment = (
        ident, programme.code, json.dumps(chosen), start, rng.choice(HOURS_PER_WEEK),
    )  # fmt: skip

    pool = list(programme.mandatory_outcomes)
    for unit in chosen:
        pool += programme.option_outcomes[unit]
    # Progress grows with the years since the start (a 2025 starter has little), with spread.
    years = max(0.0, (LAST_DAY - start).days / 365.0)
    progress = min(1.0, max(0.0, rng.gauss(0.12 + 0.3 * years, 0.15)))
    achieved = rng.sample(pool, round(progress * len(pool)))
    first_day = start - dt.timedelta(days=365) if year == 2025 else start
    sources, shares = zip(*SOURCES.items(), strict=True)
    evidence: list[tuple[object, ...]] = []
    for outcome in achieved:
        source = rng.choices(sources, shares)[0]
        day = _day_between(rng, first_day, LAST_DAY)
        until = decided_by = basis = assessor = None
        if source == "evc":
            decided_by, basis = "examencommissie", "portfolio en criteriumgericht interview"
            until = day + dt.timedelta(days=rng.choice((365, 730, 1095)))  # some have expired
        elif source == "exam":
            assessor = f"beoordelaar {rng.randrange(1, 400)}"
        evidence.append([outcome, source, day, until, decided_by, basis, assessor])
    while len(evidence) < EVIDENCE_PER_LEARNER:
        day = _day_between(rng, first_day, LAST_DAY)
        assessor = f"docent {rng.randrange(1, 400)}"
        evidence.append([rng.choice(pool), "formative", day, None, None, None, assessor])
    rng.shuffle(evidence)
    rows = []
    for outcome, source, day, until, decided_by, basis, assessor in evidence[:EVIDENCE_PER_LEARNER]:
        withdrawn = rng.random() < WITHDRAWN_SHARE
        rows.append(
            (
                ident, outcome, source, day, until, decided_by, basis, assessor, RECORDED_BY,
                now, now if withdrawn else None, "foutief geregistreerd" if withdrawn else None,
            )
        )  # fmt: skip
    return learner, enrolment, rows


def _copy_text(rows: Iterable[Sequence[object]]) -> bytes:
    """Rows in COPY's text format (values hold no tab, newline or backslash)."""
    out = io.StringIO()
    for row in rows:
        out.write(
            "\t".join(
                "\\N"
                if value is None
                else value.isoformat()
                if isinstance(value, (dt.date, dt.datetime))
                else str(value)
                for value in row
            )
        )
        out.write("\n")
    return out.getvalue().encode("utf-8")


def _copy(cursor: psycopg.Cursor, table: str, columns: Sequence[str], data: bytes) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        copy.write(data)


def existing_numbers(connection: psycopg.Connection, run: str) -> set[int]:
    """Numbers of the learners of `run` that already exist."""
    rows = connection.execute("SELECT id FROM learners WHERE id LIKE %s", (f"{run}-%",)).fetchall()
    return {int(ident.rsplit("-", 1)[1]) for (ident,) in rows if ident.rsplit("-", 1)[1].isdigit()}


def ensure_learners(
    database_url: str,
    total: int,
    *,
    run: str = "scale",
    seed: int = SEED,
    batch: int = BATCH,
    progress: Callable[[str], None] | None = print,
) -> Generated:
    """Make learners ``<run>-000001`` … ``<run>-<total>`` exist, adding those that are missing.

    Parameters
    ----------
    database_url : str
        A migrated and seeded PostgreSQL database (the app's ``DATABASE_URL``).
    total : int
        How many learners of `run` there must be afterwards.
    run : str
        The id prefix (lower-case letters and digits, starting with a letter).
    seed : int
        With `run` and a learner's number, decides everything about that learner.
    batch : int
        Learners per transaction.
    progress : callable, optional
        Receives a line per batch (rows/s so far); None for silence.

    Returns
    -------
    Generated
        Learners before, learners and evidence rows added, seconds taken.
    """
    if not RUN_ID.match(run):
        raise ValueError(f"run id must match {RUN_ID.pattern}: {run!r}")
    began = time.perf_counter()
    added = evidence_added = 0
    with psycopg.connect(conninfo(database_url)) as connection:
        programmes = load_programmes(connection)
        have = existing_numbers(connection, run)
        missing = [n for n in range(1, total + 1) if n not in have]
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        for first in range(0, len(missing), batch):
            numbers = missing[first : first + batch]
            learners, enrolments, evidence = [], [], []
            for number in numbers:
                learner, enrolment, rows = learner_rows(run, number, programmes, now, seed)
                learners.append(learner)
                enrolments.append(enrolment)
                evidence += rows
            evidence.sort(key=lambda row: row[3])  # type: ignore[arg-type,return-value]
            with connection.transaction(), connection.cursor() as cursor:
                _copy(cursor, "learners", LEARNER_COLUMNS, _copy_text(learners))
                _copy(cursor, "enrolments", ENROLMENT_COLUMNS, _copy_text(enrolments))
                _copy(cursor, "evidence", EVIDENCE_COLUMNS, _copy_text(evidence))
            added += len(numbers)
            evidence_added += len(evidence)
            if progress is not None:
                seconds = time.perf_counter() - began
                rows = 2 * added + evidence_added
                progress(
                    f"  {run}: {len(have) + added:,} learners, {evidence_added:,} evidence rows "
                    f"added, {rows / seconds:,.0f} rows/s"
                )
        if added:
            connection.execute("ANALYZE learners")
            connection.execute("ANALYZE enrolments")
            connection.execute("ANALYZE evidence")
            connection.commit()
    return Generated(len(have), added, evidence_added, time.perf_counter() - began)


def add_evidence(
    database_url: str, learner: str, count: int, *, seed: int = SEED, source: str = "exam"
) -> None:
    """Add `count` evidence records to `learner` (outcomes of their enrolment) and bump the
    learner's ``record_version`` in the same transaction, as an ORM write would."""
    rng = random.Random(f"{seed}:extra:{learner}:{count}")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with psycopg.connect(conninfo(database_url)) as connection:
        outcomes = [
            code
            for (code,) in connection.execute(
                """
                SELECT o.code FROM enrolments e
                JOIN qualification_units qu ON qu.qualification = e.qualification
                JOIN outcomes o ON o.unit_code = qu.unit
                WHERE e.learner = %s ORDER BY o.code
                """,
                (learner,),
            )
        ]
        if not outcomes:
            raise ValueError(f"learner {learner} has no enrolment with outcomes")
        rows = [
            (
                learner, rng.choice(outcomes), source, _day_between(rng, EXTRA_FROM, LAST_DAY),
                None, None, None, "beoordelaar 1", RECORDED_BY, now, None, None,
            )
            for _ in range(count)
        ]  # fmt: skip
        with connection.transaction(), connection.cursor() as cursor:
            _copy(cursor, "evidence", EVIDENCE_COLUMNS, _copy_text(rows))
            cursor.execute(
                "UPDATE learners SET record_version = record_version + 1 WHERE id = %s", (learner,)
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url", help="the app's DATABASE_URL (PostgreSQL)")
    parser.add_argument("--learners", type=int, default=100_000, help="learners there must be")
    parser.add_argument("--run", default="scale", help="learner id prefix (default: scale)")
    parser.add_argument("--batch", type=int, default=BATCH, help="learners per transaction")
    args = parser.parse_args()
    done = ensure_learners(args.database_url, args.learners, run=args.run, batch=args.batch)
    print(
        f"{done.learners_added:,} learners and {done.evidence_added:,} evidence rows added "
        f"({done.learners_before:,} existed) in {done.seconds:.1f} s: "
        f"{done.rows_per_second:,.0f} rows/s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
