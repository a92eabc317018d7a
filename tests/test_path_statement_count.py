"""The SQL statements of a path request are bounded: they do not grow with a learner's evidence
or with the size of the registry (issue #19, "Scale"; ``bench/bench_scale.py`` counts the same
on PostgreSQL with 100,000 learners).

A path request (``GET /api/learners/{id}/path`` or ``/paths``) runs, with the admin token:

* 1 statement for the token, 1 for the learner (authorization), 1 for the two cache versions
  (the learner's record version and the registry version) — `CACHED`, when both caches hold
  the current versions;
* 5 more when the learner's record changed since the worker last read it (evidence,
  entrustments, diplomas, vmbo partial credits, enrolments) — `RECORD_READ`;
* 8 more when the registry changed, on the first request of each worker after the write
  (units, their outcomes, qualifications, their units, EPAs and entry requirements, outcome
  relations, prerequisites) — `CATALOG_BUILT`.

The first two are fixed sets of statements with the learner as parameter, so 3 or 400 evidence
records, 19 or 619 units cost the same. A catalog rebuild (the first path request
per worker after a registry write) reads all outcomes in one statement however many units there
are (`registry_repository.get_units`: ``subqueryload``; ``selectinload`` sent one per 500 units).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from app.extensions import db
from tests.helpers import admin_client

ON = "2025-09-01"
#: Statements of a path request when the catalog and the learner's record are cached.
CACHED = 3
#: ... when the learner's record is read (a write to it since the last read).
RECORD_READ = CACHED + 5
#: ... when the registry changed too (the catalog is built afresh).
CATALOG_BUILT = RECORD_READ + 8
EXTRA_UNITS = 500


@contextmanager
def statements(app: Flask) -> Iterator[list[str]]:
    """Collect the SQL statements `app`'s engine runs inside the block."""
    seen: list[str] = []

    def on_execute(*args: Any) -> None:
        seen.append(" ".join(str(args[2]).split()))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)


def counted(app: Flask, client: FlaskClient, url: str) -> list[str]:
    """The statements of one GET of `url`, which must answer 200."""
    with statements(app) as seen:
        response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return list(seen)


def path_counts(app: Flask, client: FlaskClient, learner: str) -> dict[str, list[str]]:
    """Statements of path and paths: the first read after a write, then cached."""
    path = f"/api/learners/{learner}/path?on={ON}"
    paths = f"/api/learners/{learner}/paths?on={ON}"
    return {
        "path, first": counted(app, client, path),
        "path, cached": counted(app, client, path),
        "paths, cached": counted(app, client, paths),
    }


def new_learner(client: FlaskClient, qualification: str = "Q-VP") -> str:
    response = client.post("/api/learners", json={"name": "Schaal", "institution": "MBO-ZW"})
    assert response.status_code == 201, response.get_json()
    learner = response.get_json()["id"]
    enrolment = {
        "qualification": qualification,
        "chosen_electives": [],
        "start": "2024-09-01",
        "hours_per_week": 24,
    }
    response = client.post(f"/api/learners/{learner}/enrolments", json=enrolment)
    assert response.status_code == 201, response.get_json()
    return str(learner)


def add_evidence(client: FlaskClient, learner: str, count: int) -> None:
    """`count` evidence records in one request (the API takes an array), on Q-VP's outcomes."""
    outcomes = ["VV:B1-K1-W1", "VV:B1-K2-W1", "AV:NL-3F", "VP:P2-K1-W1", "AV:LB"]
    sources = ["exam", "formative", "transfer"]
    items = [
        {"outcome": outcomes[n % len(outcomes)], "source": sources[n % 3], "date": "2025-03-01"}
        for n in range(count)
    ]
    response = client.post(f"/api/learners/{learner}/evidence", json=items)
    assert response.status_code == 201, response.get_json()


def more_units(count: int) -> dict[str, Any]:
    """An import document of `count` units (5 outcomes each) and a qualification of them all."""
    units = [
        {
            "code": f"BC-X{n:04d}",
            "kind": "BC",
            "title": f"Eenheid {n}",
            "study_load_hours": 120,
            "institution": "MBO-ZW",
            "outcomes": [
                {"code": f"X:{n:04d}-W{k}", "title": f"Werkproces {n}.{k}"} for k in range(1, 6)
            ],
        }
        for n in range(count)
    ]
    prerequisites = [
        {"unit": f"BC-X{n:04d}", "requires": f"BC-X{n - 1:04d}"} for n in range(1, count, 2)
    ]
    qualification = {
        "code": "Q-XL",
        "title": "Grote kwalificatie",
        "kind": "mbo",
        "units": [unit["code"] for unit in units],
        "electives": {"required_hours": 0, "options": []},
    }
    return {"units": units, "prerequisites": prerequisites, "qualifications": [qualification]}


@pytest.fixture
def client(seeded_app: Flask) -> FlaskClient:
    client = admin_client(seeded_app)
    # The first path request of the app builds the catalog; later ones reuse it.
    first = client.get(f"/api/learners/{new_learner(client)}/path?on={ON}")
    assert first.status_code == 200, first.get_json()
    return client


def test_a_path_request_runs_a_fixed_number_of_statements(
    seeded_app: Flask, client: FlaskClient
) -> None:
    learner = new_learner(client)
    add_evidence(client, learner, 3)
    counts = path_counts(seeded_app, client, learner)
    assert {name: len(found) for name, found in counts.items()} == {
        "path, first": RECORD_READ,
        "path, cached": CACHED,
        "paths, cached": CACHED,
    }, counts
    assert sum("FROM evidence" in s for s in counts["path, first"]) == 1, counts["path, first"]


def test_the_count_does_not_grow_with_evidence(seeded_app: Flask, client: FlaskClient) -> None:
    learner = new_learner(client)
    add_evidence(client, learner, 3)
    few = path_counts(seeded_app, client, learner)
    add_evidence(client, learner, 400)
    many = path_counts(seeded_app, client, learner)
    assert {name: len(found) for name, found in many.items()} == {
        name: len(found) for name, found in few.items()
    }, many
    assert many == few  # the very same statements


def test_the_count_does_not_grow_with_units(seeded_app: Flask, client: FlaskClient) -> None:
    learner = new_learner(client)
    add_evidence(client, learner, 3)
    path = f"/api/learners/{learner}/path?on={ON}"
    counted(seeded_app, client, path)  # record read and cached
    before = path_counts(seeded_app, client, learner)

    response = client.post("/api/import", json=more_units(EXTRA_UNITS))
    assert response.status_code == 200, response.get_json()
    counted(seeded_app, client, path)  # the registry changed: the catalog is rebuilt once
    after = path_counts(seeded_app, client, learner)
    assert {name: len(found) for name, found in after.items()} == {
        name: len(found) for name, found in before.items()
    }, after

    big = new_learner(client, "Q-XL")  # a path through all 600 new units
    counts = path_counts(seeded_app, client, big)
    assert len(counts["path, first"]) == RECORD_READ, counts["path, first"]
    assert len(counts["path, cached"]) == CACHED, counts["path, cached"]


def rebuild_statements(app: Flask, client: FlaskClient, learner: str, units: int) -> list[str]:
    """Statements of the path request that rebuilds the catalog after importing `units` units."""
    path = f"/api/learners/{learner}/path?on={ON}"
    counted(app, client, path)  # the learner's record is cached
    response = client.post("/api/import", json=more_units(units))
    assert response.status_code == 200, response.get_json()
    return counted(app, client, path)


def test_a_catalog_rebuild_runs_a_fixed_number_of_statements(
    seeded_app: Flask, client: FlaskClient
) -> None:
    rebuilt = rebuild_statements(seeded_app, client, new_learner(client), 300)  # 319 units
    assert len(rebuilt) == CATALOG_BUILT - 5, rebuilt  # the record itself is still cached


def test_a_catalog_rebuild_does_not_grow_with_units(seeded_app: Flask, client: FlaskClient) -> None:
    learner = new_learner(client)
    small = rebuild_statements(seeded_app, client, learner, 300)  # 319 units
    large = rebuild_statements(seeded_app, client, learner, 600)  # 619 units (300 replaced)
    assert len(large) == len(small), [s[:60] for s in large]
