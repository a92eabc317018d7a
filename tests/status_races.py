"""Concurrent status changes and first issues against the real service (issue 14, points 1-2).

Shared by ``tests/test_status_races.py`` (SQLite) and
``tests/postgres/test_status_races_on_postgres.py``: many threads send their requests at the
same moment (a barrier) to a gunicorn service with several workers; afterwards the published
status lists (as served) and the database must hold every acknowledged change.
"""

from __future__ import annotations

import base64
import gzip
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import create_engine, text

from tests.served import Response, Served

CLIENTS = 16
OUTCOMES = ("1", "2")


def decode_list(encoded: str) -> bytes:
    """The bitstring of an ``encodedList`` (multibase 'u' base64url of GZIP), stdlib only."""
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def bit(bits: bytes, index: int) -> bool:
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def at_once(calls: Iterable[Callable[[], Response]], clients: int = CLIENTS) -> list[Response]:
    """Run `calls` on `clients` threads, the first `clients` of them released together."""
    calls = list(calls)
    start = threading.Barrier(min(clients, len(calls)))

    def run(index_call: tuple[int, Callable[[], Response]]) -> Response:
        index, call = index_call
        if index < start.parties:
            start.wait(timeout=60)
        return call()

    with ThreadPoolExecutor(clients) as pool:
        return list(pool.map(run, enumerate(calls)))


def ok(response: Response, *statuses: int) -> Any:
    assert response.status in (statuses or (200, 201)), (response.status, response.text)
    return response.json()


def new_school(served: Served, code: str, learners: int) -> list[str]:
    """An institution with one unit of two outcomes and `learners` learners who earned it."""
    ok(served.request("POST", "/api/institutions", {"code": code, "name": code, "kind": "mbo"}))
    unit = {
        "code": f"BC-{code}",
        "kind": "BC",
        "title": "Eenheid",
        "study_load_hours": 10,
        "institution": code,
        "outcomes": [{"code": f"BC-{code}:{o}", "title": f"Resultaat {o}"} for o in OUTCOMES],
    }
    ok(served.request("POST", "/api/units", unit))

    def learner_with_evidence(number: int) -> Response:
        created = served.request(
            "POST", "/api/learners", {"name": f"Leerling {number}", "institution": code}
        )
        learner = ok(created)["id"]
        evidence = [
            {"outcome": f"BC-{code}:{o}", "source": "exam", "date": "2025-06-01"} for o in OUTCOMES
        ]
        ok(served.request("POST", f"/api/learners/{learner}/evidence", evidence))
        return created

    made = at_once((lambda n=n: learner_with_evidence(n)) for n in range(learners))
    return [str(r.json()["id"]) for r in made]


def issue_all(served: Served, code: str, learners: list[str]) -> list[Response]:
    """Issue the school's unit to every learner, all at once."""
    return at_once(
        (
            lambda learner=learner: served.request(
                "POST",
                "/api/credentials",
                {"learner": learner, "achievement": {"type": "unit", "code": f"BC-{code}"}},
            )
        )
        for learner in learners
    )


def credential_key(credential: dict[str, Any]) -> str:
    return str(credential["id"]).rsplit("/", 1)[-1]


def status_bits(served: Served, credential: dict[str, Any]) -> dict[str, bool]:
    """{purpose: bit as the served list shows it} for both of the credential's bits."""
    entries = ok(served.request("GET", f"/api/credentials/{credential_key(credential)}/status"))
    found = {}
    for entry in entries["entries"]:
        served_list = ok(
            served.request("GET", urlsplit(entry["statusListCredential"]).path, token=None)
        )
        bits = decode_list(served_list["credentialSubject"]["encodedList"])
        found[entry["purpose"]] = bit(bits, int(entry["statusListIndex"]))
    return found


def database_counts(served: Served, institution: str) -> list[tuple[str, str, int, int]]:
    """(list id, purpose, allocated, entries) of every status list of `institution`, read
    from the service's database directly."""
    database_url = served.env["DATABASE_URL"]
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT l.id, l.purpose, l.allocated, COUNT(e.credential)"
                    " FROM status_lists l LEFT JOIN credential_status_entries e"
                    " ON e.status_list = l.id WHERE l.institution = :institution"
                    " GROUP BY l.id, l.purpose, l.allocated ORDER BY l.id"
                ),
                {"institution": institution},
            )
            return [(str(r[0]), str(r[1]), int(r[2]), int(r[3])) for r in rows]
    finally:
        engine.dispose()


def keys_of(served: Served, institution: str) -> list[str]:
    """The status ("active", "rotated", …) of each stored key of `institution`, read from the
    service's database directly (keys live there, shared by every instance)."""
    database_url = served.env["DATABASE_URL"]
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT status FROM issuer_keys WHERE institution = :institution"),
                {"institution": institution},
            )
            return sorted(str(r[0]) for r in rows)
    finally:
        engine.dispose()


def check_first_issue_race(served: Served) -> None:
    """16 simultaneous first issues of a new school: all succeed, one key, one list each."""
    learners = new_school(served, "ROC-RACE", CLIENTS)
    answers = issue_all(served, "ROC-RACE", learners)
    assert [a.status for a in answers] == [201] * CLIENTS, [
        (a.status, a.text[:200]) for a in answers if a.status != 201
    ]
    assert keys_of(served, "ROC-RACE") == ["active"]
    issuers = {a.json()["issuer"]["id"] for a in answers}
    assert len(issuers) == 1
    lists = database_counts(served, "ROC-RACE")
    assert sorted(purpose for _, purpose, _, _ in lists) == ["revocation", "suspension"], lists
    for _, _, allocated, entries in lists:
        assert allocated == entries == CLIENTS, lists


def check_concurrent_status_changes(served: Served, revocations: int, suspensions: int) -> None:
    """Revoke and suspend many credentials of one list from 16 clients at once: every
    acknowledged change is in the published lists, the counters match the entries, and a
    second revocation of the same credential is a 409 (nothing to repair by hand)."""
    total = revocations + suspensions
    learners = new_school(served, "ROC-STATUS", total)
    credentials = [ok(a, 201) for a in issue_all(served, "ROC-STATUS", learners)]
    revoked, suspended = credentials[:revocations], credentials[revocations:]
    changes = [("revoke", c) for c in revoked] + [("suspend", c) for c in suspended]
    answers = at_once(
        (
            lambda action=action, credential=credential: served.request(
                "POST",
                f"/api/credentials/{credential_key(credential)}/{action}",
                {"reason": "gelijktijdig"},
            )
        )
        for action, credential in changes
    )
    assert [a.status for a in answers] == [200] * total, [
        (a.status, a.text[:200]) for a in answers if a.status != 200
    ]
    for credential in revoked:
        assert status_bits(served, credential) == {"revocation": True, "suspension": False}
    for credential in suspended:
        assert status_bits(served, credential) == {"revocation": False, "suspension": True}
    lists = database_counts(served, "ROC-STATUS")
    assert all(allocated == entries == total for _, _, allocated, entries in lists), lists
    again = at_once(
        (
            lambda credential=credential: served.request(
                "POST",
                f"/api/credentials/{credential_key(credential)}/revoke",
                {"reason": "nog eens"},
            )
        )
        for credential in revoked[:CLIENTS]
    )
    assert {a.status for a in again} == {409}
    report = ok(served.request("POST", "/api/verify", revoked[0], token=None))
    assert report["verified"] is False
    assert [c["code"] for c in report["checks"] if c["check"] == "status"] == ["revoked"]


def check_same_issue_race(served: Served, copies: int = 12) -> None:
    """The same credential asked for `copies` times at once: one is minted, every answer
    names it (issuing is idempotent also under concurrency, across workers and instances)."""
    [learner] = new_school(served, "ROC-TWICE", 1)
    answers = issue_all(served, "ROC-TWICE", [learner] * copies)
    statuses = sorted(a.status for a in answers)
    assert statuses == [200] * (copies - 1) + [201], [(a.status, a.text[:200]) for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert stored_credentials(served, learner) == 1


def stored_credentials(served: Served, learner: str) -> int:
    """How many credentials the service's database holds for `learner`."""
    database_url = served.env["DATABASE_URL"]
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(
                    text("SELECT COUNT(*) FROM issued_credentials WHERE learner = :learner"),
                    {"learner": learner},
                ).scalar_one()
            )
    finally:
        engine.dispose()
