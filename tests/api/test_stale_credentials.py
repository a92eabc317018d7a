"""No stale credentials: withdrawing what a credential rests on suspends it at once.

For each kind: a unit credential (its evidence), an EPA credential (its entrustment), a unit
credential whose evidence came from a vmbo completion, and a diploma credential (evidence behind
one of its units). After the withdrawal the credential's status is ``suspended`` with the
reason "onderbouwing ingetrokken" by the principal who withdrew, and `POST /api/verify` says the
status check failed; recording the evidence again does not lift it; staff unsuspend it
explicitly. A withdrawal a credential does not rest on leaves it active.
"""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.helpers import SignedInClient, learner_id, signed_in_client

REASON = "onderbouwing ingetrokken"
DAY = "2025-06-01"

Document = dict[str, Any]


# --- helpers ----------------------------------------------------------------------------------


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def assessor(client: FlaskClient) -> SignedInClient:
    """An assessor of the seed's mbo school: the one who withdraws in these tests."""
    return signed_in_client(client.application, "assessor", institution="MBO-ZW")


def new_learner(client: FlaskClient, name: str = "Nieuwe leerling") -> str:
    return str(ok(client.post("/api/learners", json={"name": name}), 201)["id"])


def add_evidence(client: FlaskClient, learner: str, outcomes: list[str]) -> list[int]:
    items = [
        {"outcome": o, "source": "exam", "date": DAY, "assessor": "Examinator"} for o in outcomes
    ]
    return [e["id"] for e in ok(client.post(f"/api/learners/{learner}/evidence", json=items), 201)]


def entrust(client: FlaskClient, learner: str, epa: str, level: int, date: str) -> int:
    body = {"epa": epa, "level": level, "date": date, "decided_by": "praktijkopleider"}
    return int(ok(client.post(f"/api/learners/{learner}/entrustments", json=body), 201)["id"])


def issue(client: FlaskClient, learner: str, kind: str, code: str) -> Document:
    body = {"learner": learner, "achievement": {"type": kind, "code": code}}
    return ok(client.post("/api/credentials", json=body), 201)  # type: ignore[no-any-return]


def key(document: Document) -> str:
    return str(document["id"]).rsplit("/", 1)[1]


def status_of(client: FlaskClient, document: Document) -> Document:
    return ok(client.get(f"/api/credentials/{key(document)}/status"))  # type: ignore[no-any-return]


def status_check(client: FlaskClient, document: Document) -> tuple[bool, Document]:
    report = ok(client.post("/api/verify", json=document))
    check = next(c for c in report["checks"] if c["check"] == "status")
    return report["verified"], check


def withdraw(client: FlaskClient, learner: str, what: str, item: int) -> None:
    ok(client.post(f"/api/learners/{learner}/{what}/{item}/withdraw", json={"reason": "fout"}))


def assert_suspended_by(client: FlaskClient, document: Document, actor: SignedInClient) -> None:
    status = status_of(client, document)
    assert status["status"] == "suspended" and status["suspended"] is True, status
    last = status["history"][-1]
    assert (last["action"], last["reason"], last["by"]) == (
        "suspend",
        REASON,
        f"token:{actor.token_id}",
    )
    verified, check = status_check(client, document)
    assert verified is False and check["ok"] is False, check


def assert_active(client: FlaskClient, document: Document) -> None:
    status = status_of(client, document)
    assert status["status"] == "active", status
    verified, check = status_check(client, document)
    assert verified is True and check["ok"] is True, check


def unsuspend(client: FlaskClient, document: Document) -> None:
    body = {"reason": "nieuw bewijs beoordeeld"}
    assert ok(client.post(f"/api/credentials/{key(document)}/unsuspend", json=body))["status"] == (
        "active"
    )
    assert_active(client, document)


# --- unit credential: its evidence ------------------------------------------------------------


def test_withdrawing_evidence_suspends_the_unit_credential_resting_on_it(
    seeded: FlaskClient,
) -> None:
    learner = new_learner(seeded)
    evidence = add_evidence(seeded, learner, ["VV:B1-K2-W1", "VV:B1-K2-W2", "AV:NL-2F"])
    unit = issue(seeded, learner, "unit", "BC-VV-B1K2")
    other = issue(seeded, learner, "unit", "AV-NL-2F")
    staff = assessor(seeded)

    withdraw(staff, learner, "evidence", evidence[0])
    assert_suspended_by(seeded, unit, staff)
    assert_active(seeded, other)  # it rests on other evidence

    add_evidence(seeded, learner, ["VV:B1-K2-W1"])  # the unit is earned again ...
    assert status_of(seeded, unit)["status"] == "suspended"  # ... which lifts nothing
    again = seeded.post(
        "/api/credentials",
        json={"learner": learner, "achievement": {"type": "unit", "code": "BC-VV-B1K2"}},
    )
    assert again.status_code == 200 and key(again.get_json()) == key(unit)  # not a new one
    unsuspend(staff, unit)


def test_a_withdrawal_the_credential_does_not_rest_on_leaves_it_active(
    seeded: FlaskClient,
) -> None:
    learner = new_learner(seeded)
    evidence = add_evidence(seeded, learner, ["VV:B1-K2-W1", "VV:B1-K2-W2", "VV:B1-K2-W1"])
    unrelated = add_evidence(seeded, learner, ["VV:B1-K1-W1"])
    unit = issue(seeded, learner, "unit", "BC-VV-B1K2")
    withdraw(seeded, learner, "evidence", unrelated[0])  # another unit's outcome
    withdraw(seeded, learner, "evidence", evidence[0])  # VV:B1-K2-W1 has a second item
    assert_active(seeded, unit)
    assert status_of(seeded, unit)["history"] == []


def test_a_revoked_or_suspended_credential_is_left_as_it_is(seeded: FlaskClient) -> None:
    learner = new_learner(seeded)
    evidence = add_evidence(seeded, learner, ["VV:B1-K2-W1", "VV:B1-K2-W2"])
    unit = issue(seeded, learner, "unit", "BC-VV-B1K2")
    ok(seeded.post(f"/api/credentials/{key(unit)}/suspend", json={"reason": "twijfel"}))
    withdraw(seeded, learner, "evidence", evidence[0])
    history = status_of(seeded, unit)["history"]
    assert [(h["action"], h["reason"]) for h in history] == [("suspend", "twijfel")]


# --- EPA credential: its entrustment ----------------------------------------------------------


def test_withdrawing_an_entrustment_suspends_the_epa_credential_above_the_level_left(
    seeded: FlaskClient,
) -> None:
    learner = new_learner(seeded)
    entrust(seeded, learner, "BAZ-1", 3, "2025-01-10")
    higher = entrust(seeded, learner, "BAZ-1", 4, "2025-02-10")
    baz2 = entrust(seeded, learner, "BAZ-2", 2, "2025-02-10")
    entrust(seeded, learner, "BAZ-2", 2, "2025-03-10")
    epa = issue(seeded, learner, "epa", "BAZ-1")
    assert epa["credentialSubject"]["result"][0]["achievedLevel"].endswith("-4")
    other = issue(seeded, learner, "epa", "BAZ-2")
    staff = assessor(seeded)

    withdraw(staff, learner, "entrustments", baz2)  # BAZ-2 stays at level 2
    assert_active(seeded, other)
    assert_active(seeded, epa)

    withdraw(staff, learner, "entrustments", higher)  # BAZ-1 falls back to level 3 < 4
    assert_suspended_by(seeded, epa, staff)
    assert_active(seeded, other)

    entrust(seeded, learner, "BAZ-1", 4, "2025-04-10")
    assert status_of(seeded, epa)["status"] == "suspended"
    unsuspend(staff, epa)


# --- a unit credential on evidence from a vmbo completion -------------------------------------


def test_withdrawing_a_vmbo_completion_suspends_the_unit_credential_it_credited(
    seeded: FlaskClient,
) -> None:
    learner = new_learner(seeded)
    add_evidence(seeded, learner, ["DV:B1-K1-W1", "DV:B1-K1-W3", "DV:B1-K1-W4", "DV:B1-K1-W5"])
    completion = {"assignment": "VA-5", "date": DAY, "assessor": "docent vmbo"}
    created = ok(seeded.post(f"/api/learners/{learner}/vmbo-completions", json=completion), 201)
    assert created["full"] == ["DV:B1-K1-W2"]
    unit = issue(seeded, learner, "unit", "BC-DV-B1K1")
    staff = assessor(seeded)

    withdraw(staff, learner, "vmbo-completions", created["id"])
    assert_suspended_by(seeded, unit, staff)

    ok(seeded.post(f"/api/learners/{learner}/vmbo-completions", json=completion), 201)
    assert status_of(seeded, unit)["status"] == "suspended"
    unsuspend(staff, unit)


# --- diploma credential: evidence behind one of its units -------------------------------------


def test_withdrawing_evidence_behind_a_unit_suspends_the_diploma_and_the_unit(
    seeded: FlaskClient,
) -> None:
    learner = learner_id(seeded, "DEMO-L5")  # the seed's learner whose Q-VIG path is complete
    assert ok(seeded.get(f"/api/learners/{learner}/path?qualification=Q-VIG"))["complete"] is True
    diploma = issue(seeded, learner, "qualification", "Q-VIG")
    unit = issue(seeded, learner, "unit", "BC-VV-B1K1")
    elsewhere = issue(seeded, learner, "unit", "AV-NL-2F")
    evidence = ok(seeded.get(f"/api/learners/{learner}/evidence?limit=500"))["items"]
    behind = [e["id"] for e in evidence if e["outcome"] == "VV:B1-K1-W1" and not e["withdrawn"]]
    assert behind
    staff = assessor(seeded)

    for item in behind:
        withdraw(staff, learner, "evidence", item)
    assert ok(seeded.get(f"/api/learners/{learner}/path?qualification=Q-VIG"))["complete"] is False
    assert_suspended_by(seeded, diploma, staff)
    assert_suspended_by(seeded, unit, staff)
    assert_active(seeded, elsewhere)

    add_evidence(seeded, learner, ["VV:B1-K1-W1"])
    assert ok(seeded.get(f"/api/learners/{learner}/path?qualification=Q-VIG"))["complete"] is True
    assert status_of(seeded, diploma)["status"] == "suspended"
    unsuspend(staff, diploma)
    unsuspend(staff, unit)
