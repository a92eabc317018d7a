"""The audit trail: every kind of write leaves an entry, secrets and personal data stay out,
GET /api/audit filters and is scoped, nothing edits it, and no write outlives a failed entry.

One seeded app for the module; the fixture `writes` performs one write of every kind through the
API (as the role that makes it in practice) and the tests read the trail back.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, insert, select, text, update

from app import create_app
from app.config import TestConfig
from app.domain.access import SYSTEM
from app.extensions import db
from app.persistence import audit
from app.persistence.audit import PERSONAL, UnattributedWrite, bind_principal
from app.persistence.models.access import AccountRow, AuditRow
from app.persistence.models.registry import InstitutionRow
from app.services.access import hash_token
from app.services.seeding import load_seed
from tests.api._registry import dispose, registry_app
from tests.helpers import SignedInClient, admin_client, credential_id, learner_id, signed_in_client

PROBLEM = "application/problem+json"
LEARNER_NAME = "Zwaantje Geheimnaam"
EXTERNAL_ID = "GEHEIM-4711"
NOTE = "Vertrouwelijke notitie over de leerling"
WITHDRAW_REASON = "Vertrouwelijke reden van intrekking"
PASSWORD = "een geheime wachtzin"
EMAIL = "geheim@mbo-zw.example"
UNIT = {
    "code": "BC-AUDIT",
    "kind": "BC",
    "title": "Auditeenheid",
    "study_load_hours": 40,
    "institution": "MBO-ZW",
    "outcomes": [{"code": "AUDIT:1", "title": "Eerste resultaat"}],
}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    class Config(TestConfig):
        LEERLIJN_KEYS_DIR: Path = tmp_path_factory.mktemp("keys")

    application = create_app(Config)
    with application.app_context():
        db.create_all()
        load_seed(db.session, SYSTEM, application.config["SEED_DIR"], "MBO-ZW")
        db.session.remove()
    yield application
    dispose(application)


@pytest.fixture(scope="module")
def clients(app: Flask) -> dict[str, SignedInClient]:
    api = admin_client(app)
    assert api.post("/api/institutions", json={"code": "MBO-B", "name": "B", "kind": "mbo"})
    l5 = learner_id(api, "DEMO-L5")
    return {
        "admin": api,
        "school-admin": signed_in_client(app, "school-admin", institution="MBO-ZW"),
        "school-admin-b": signed_in_client(app, "school-admin", institution="MBO-B"),
        "assessor": signed_in_client(app, "assessor", institution="MBO-ZW"),
        "vmbo-teacher": signed_in_client(app, "vmbo-teacher", programme="VMBO-ZW-WLC"),
        "learner": signed_in_client(app, "learner", learner=l5),
    }


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


@pytest.fixture(scope="module")
def writes(app: Flask, clients: dict[str, SignedInClient]) -> dict[str, Any]:
    """One write of every kind; the ids they made (and what went in, to look for it later)."""
    api, school, assessor = clients["admin"], clients["school-admin"], clients["assessor"]
    done: dict[str, Any] = {"started": dt.datetime.now(dt.UTC)}
    ok(school.post("/api/units", json=UNIT), 201)
    ok(school.put("/api/units/BC-AUDIT", json={**UNIT, "title": "Auditeenheid, herzien"}))
    ok(school.post("/api/units", json={**UNIT, "code": "BC-AUDIT-2", "outcomes": [
        {"code": "AUDIT-2:1", "title": "Resultaat"}]}), 201)  # fmt: skip
    ok(school.post("/api/units/BC-AUDIT-2/prerequisites", json={"requires": "BC-AUDIT"}), 201)
    assert school.delete("/api/units/BC-AUDIT-2/prerequisites/BC-AUDIT").status_code == 204
    assert school.delete("/api/units/BC-AUDIT-2").status_code == 204
    qualification = ok(api.get("/api/qualifications/Q-HZW"))
    ok(school.post("/api/qualifications", json={**qualification, "code": "Q-AUDIT"}), 201)
    ok(school.put("/api/qualifications/Q-AUDIT", json={
        **qualification, "code": "Q-AUDIT", "units": qualification["units"][:-1]}))  # fmt: skip
    ok(school.post("/api/epas", json={**ok(api.get("/api/epas/BAZ-1")), "code": "EPA-AUDIT"}), 201)
    ok(api.post("/api/institutions", json={"code": "AUDIT-I", "name": "A", "kind": "mbo"}), 201)
    ok(api.post("/api/institutions/AUDIT-I/trust", json={"trusted": True}))
    learner = ok(
        assessor.post(
            "/api/learners",
            json={"name": LEARNER_NAME, "external_id": EXTERNAL_ID, "institution": "MBO-ZW"},
        ),
        201,
    )
    base = f"/api/learners/{learner['id']}"
    evidence = ok(
        assessor.post(
            f"{base}/evidence",
            json={"outcome": "VV:B1-K1-W1", "source": "exam", "date": "2025-01-10", "note": NOTE},
        ),
        201,
    )
    ok(
        assessor.post(
            f"{base}/evidence/{evidence['id']}/withdraw", json={"reason": WITHDRAW_REASON}
        )
    )
    entrustment = ok(
        assessor.post(
            f"{base}/entrustments",
            json={"epa": "BAZ-1", "level": 2, "date": "2025-01-10", "decided_by": "praktijk"},
        ),
        201,
    )
    diploma = ok(
        assessor.post(f"{base}/diplomas", json={"qualification": "Q-VP", "date": "2023-07-01"}), 201
    )
    ok(
        school.post(f"{base}/enrolments", json={"qualification": "Q-HZW", "start": "2025-09-01"}),
        201,
    )
    completion = ok(
        assessor.post(
            f"{base}/vmbo-completions",
            json={"assignment": "VA-1", "date": "2025-06-20", "assessor": "docent vmbo"},
        ),
        201,
    )
    mapping = {"outcome": "DV:B1-K1-W4", "coverage": "partial", "validated_by": "docent"}
    ok(clients["vmbo-teacher"].post("/api/vmbo/assignments/VA-6/mappings", json=mapping), 201)
    l5 = learner_id(api, "DEMO-L5")  # the new learner has achieved nothing to issue
    issued = ok(
        assessor.post(
            "/api/credentials",
            json={"learner": l5, "achievement": {"type": "unit", "code": "BC-VV-B1K1"}},
        ),
        201,
    )
    credential = credential_id(issued)
    ok(assessor.post(f"/api/credentials/{credential}/revoke", json={"reason": WITHDRAW_REASON}))
    token = ok(school.post("/api/tokens", json={"role": "assessor", "institution": "MBO-ZW"}), 201)
    ok(school.post(f"/api/tokens/{token['id']}/revoke", json={}))
    account = ok(
        school.post(
            "/api/accounts",
            json={"email": EMAIL, "name": LEARNER_NAME, "password": PASSWORD,
                  "role": "assessor", "institution": "MBO-ZW"},
        ),
        201,
    )  # fmt: skip
    ok(school.post(f"/api/accounts/{account['id']}/deactivate", json={}))
    ok(
        clients["school-admin-b"].post(
            "/api/learners", json={"name": "Bo", "institution": "MBO-B"}
        ),
        201,
    )
    with app.app_context():
        password_hash = db.session.scalar(
            select(AccountRow.password_hash).where(AccountRow.id == account["id"])
        )
        db.session.remove()
    done.update(
        learner=learner["id"],
        l5=l5,
        evidence=evidence["id"],
        entrustment=entrustment["id"],
        diploma=diploma["id"],
        completion=completion["id"],
        credential=credential,
        token=token,
        account=account["id"],
        password_hash=password_hash,
    )
    return done


def trail(client: FlaskClient, **filters: Any) -> list[dict[str, Any]]:
    """Every audit entry the client may see that matches `filters`, oldest first."""
    items: list[dict[str, Any]] = []
    while True:
        page = ok(
            client.get("/api/audit", query_string={**filters, "limit": 500, "offset": len(items)})
        )
        items += page["items"]
        if len(items) >= page["total"]:
            return items


def one(entries: list[dict[str, Any]], **match: Any) -> dict[str, Any]:
    found = [e for e in entries if all(e.get(k) == v for k, v in match.items())]
    assert len(found) == 1, (match, entries)
    return found[0]


def actor_of(client: SignedInClient) -> str:
    return f"token:{client.token_id}"


# --- each kind of write -----------------------------------------------------------------------


def test_unit_create_update_delete(clients: dict[str, SignedInClient], writes: Any) -> None:
    school = clients["school-admin"]
    entries = trail(clients["admin"], entity="unit", id="BC-AUDIT")
    created = one(entries, action="create", part=None)
    assert created["actor"] == actor_of(school) and created["actor_role"] == "school-admin"
    assert created["institution"] == "MBO-ZW" and created["before"] is None
    assert created["after"]["title"] == "Auditeenheid" and created["after"]["code"] == "BC-AUDIT"
    assert any(e["part"] == "outcome" and e["action"] == "create" for e in entries)
    updated = one(entries, action="update", part=None)
    assert updated["before"] == {"title": "Auditeenheid"}
    assert updated["after"] == {"title": "Auditeenheid, herzien"}
    deleted = one(
        trail(clients["admin"], entity="unit", id="BC-AUDIT-2"), action="delete", part=None
    )
    assert deleted["after"] is None and deleted["before"]["code"] == "BC-AUDIT-2"
    assert deleted["actor"] == actor_of(school)
    # its outcomes went with it, and keep the unit's institution although the unit is gone
    gone = one(
        trail(clients["admin"], entity="unit", id="BC-AUDIT-2"), action="delete", part="outcome"
    )
    assert gone["institution"] == "MBO-ZW"


def test_prerequisite_added_and_removed(clients: dict[str, SignedInClient], writes: Any) -> None:
    entries = trail(clients["admin"], entity="unit", id="BC-AUDIT-2")
    added = one(entries, part="prerequisite", action="create")
    assert added["after"] == {"unit": "BC-AUDIT-2", "requires": "BC-AUDIT"}
    assert added["institution"] == "MBO-ZW" and added["actor_role"] == "school-admin"
    removed = one(entries, part="prerequisite", action="delete")
    assert removed["before"] == {"unit": "BC-AUDIT-2", "requires": "BC-AUDIT"}


@pytest.mark.parametrize(
    ("entity", "entity_id", "role", "field", "value"),
    [
        ("qualification", "Q-AUDIT", "school-admin", "code", "Q-AUDIT"),
        ("epa", "EPA-AUDIT", "school-admin", "code", "EPA-AUDIT"),
        ("institution", "AUDIT-I", "admin", "trusted", False),
    ],
)
def test_registry_creations(
    clients: dict[str, SignedInClient],
    writes: Any,
    entity: str,
    entity_id: str,
    role: str,
    field: str,
    value: Any,
) -> None:
    created = one(trail(clients["admin"], entity=entity, id=entity_id), action="create", part=None)
    assert created["actor"] == actor_of(clients[role]) and created["actor_role"] == role
    assert created["before"] is None and created["after"][field] == value
    institution = "MBO-ZW" if entity != "institution" else "AUDIT-I"
    assert created["institution"] == institution
    # every part is scoped like its whole, so a school-admin sees it in their trail
    parts = trail(clients["admin"], entity=entity, id=entity_id)
    assert {e["institution"] for e in parts} == {institution}


def test_a_unit_removed_from_a_qualification(
    clients: dict[str, SignedInClient], writes: Any
) -> None:
    """Replacing a qualification's links is recorded, the link that went away included."""
    entries = trail(clients["admin"], entity="qualification", id="Q-AUDIT")
    removed = [e for e in entries if e["part"] == "unit" and e["action"] == "delete"]
    assert removed and {e["actor_role"] for e in removed} == {"school-admin"}
    qualification = ok(clients["admin"].get("/api/qualifications/Q-HZW"))
    gone = qualification["units"][-1]
    assert gone in {e["before"]["unit"] for e in removed}
    assert gone not in ok(clients["admin"].get("/api/qualifications/Q-AUDIT"))["units"]


def test_trust_change(clients: dict[str, SignedInClient], writes: Any) -> None:
    changed = one(trail(clients["admin"], entity="institution", id="AUDIT-I"), action="update")
    assert changed["before"] == {"trusted": False} and changed["after"] == {"trusted": True}
    assert changed["actor"] == actor_of(clients["admin"]) and changed["actor_role"] == "admin"


def test_learner_created_without_their_personal_data(
    clients: dict[str, SignedInClient], writes: Any
) -> None:
    created = one(trail(clients["admin"], entity="learner", id=writes["learner"]), action="create")
    assert created["actor"] == actor_of(clients["assessor"]) and created["actor_role"] == "assessor"
    assert created["learner"] == writes["learner"] and created["institution"] == "MBO-ZW"
    assert created["after"]["name"] == PERSONAL and created["after"]["external_id"] == PERSONAL


@pytest.mark.parametrize(
    ("entity", "key"),
    [
        ("evidence", "evidence"),
        ("entrustment", "entrustment"),
        ("diploma", "diploma"),
        ("vmbo-completion", "completion"),
    ],
)
def test_record_writes(
    clients: dict[str, SignedInClient], writes: Any, entity: str, key: str
) -> None:
    entries = trail(clients["admin"], entity=entity, id=str(writes[key]))
    assert {(e["institution"], e["learner"]) for e in entries} == {("MBO-ZW", writes["learner"])}
    created = one(entries, action="create", part=None)
    assert created["actor"] == actor_of(clients["assessor"]) and created["actor_role"] == "assessor"
    assert created["learner"] == writes["learner"] and created["institution"] == "MBO-ZW"
    assert created["before"] is None and created["after"]["learner"] == writes["learner"]


def test_evidence_withdrawal_keeps_the_fact_not_the_text(
    clients: dict[str, SignedInClient], writes: Any
) -> None:
    entries = trail(clients["admin"], entity="evidence", id=str(writes["evidence"]))
    assert one(entries, action="create")["after"]["note"] == PERSONAL
    withdrawn = one(entries, action="update")
    assert withdrawn["before"]["withdrawn_at"] is None and withdrawn["after"]["withdrawn_at"]
    assert withdrawn["after"]["withdrawn_reason"] == PERSONAL
    # a vmbo completion's evidence is audited as evidence of the same learner
    made = trail(clients["admin"], entity="evidence", actor=actor_of(clients["assessor"]))
    assert any(e["after"] and e["after"].get("source") == "vmbo_assignment" for e in made)


def test_enrolment(clients: dict[str, SignedInClient], writes: Any) -> None:
    entries = trail(clients["admin"], entity="enrolment")
    created = [e for e in entries if e["learner"] == writes["learner"]]
    assert len(created) == 1 and created[0]["action"] == "create"
    assert created[0]["actor_role"] == "school-admin"
    assert created[0]["after"]["qualification"] == "Q-HZW"


def test_vmbo_mapping(clients: dict[str, SignedInClient], writes: Any) -> None:
    entries = trail(clients["admin"], entity="vmbo-assignment", id="VA-6")
    mine = [e for e in entries if e["actor"] == actor_of(clients["vmbo-teacher"])]
    assert any(e["part"] == "mapping" and e["action"] == "create" for e in mine)
    assert {e["actor_role"] for e in mine} == {"vmbo-teacher"}
    assert {e["institution"] for e in mine} == {"VMBO-ZW"}


def test_credential_issued_and_revoked(clients: dict[str, SignedInClient], writes: Any) -> None:
    entries = trail(clients["admin"], entity="credential", id=writes["credential"])
    issued = one(entries, action="create", part=None)
    assert issued["actor"] == actor_of(clients["assessor"]) and issued["learner"] == writes["l5"]
    assert issued["institution"] == "MBO-ZW" and "document" not in issued["after"]
    revoked = one(entries, action="update", part=None)
    assert revoked["before"]["revoked_at"] is None and revoked["after"]["revoked_at"]
    event = one(entries, part="status-event", action="create")
    assert event["after"]["action"] == "revoke" and event["after"]["reason"] == PERSONAL
    assert {(e["institution"], e["learner"]) for e in entries} == {("MBO-ZW", writes["l5"])}


def test_token_created_and_revoked(clients: dict[str, SignedInClient], writes: Any) -> None:
    entries = trail(clients["admin"], entity="token", id=str(writes["token"]["id"]))
    created = one(entries, action="create")
    assert created["actor"] == actor_of(clients["school-admin"])
    assert created["after"]["role"] == "assessor" and created["institution"] == "MBO-ZW"
    assert "token_hash" not in created["after"]
    revoked = one(entries, action="update")
    assert revoked["before"] == {"revoked_at": None} and revoked["after"]["revoked_at"]


def test_account_created_and_deactivated(clients: dict[str, SignedInClient], writes: Any) -> None:
    entries = trail(clients["admin"], entity="account", id=str(writes["account"]))
    created = one(entries, action="create")
    assert created["actor_role"] == "school-admin" and created["institution"] == "MBO-ZW"
    assert created["after"]["email"] == PERSONAL and created["after"]["name"] == PERSONAL
    assert "password_hash" not in created["after"]
    deactivated = one(entries, action="update")
    assert deactivated["before"] == {"active": True} and deactivated["after"] == {"active": False}


# --- what never appears ---------------------------------------------------------------------------


def test_no_secret_or_personal_data_in_the_trail(
    clients: dict[str, SignedInClient], writes: Any
) -> None:
    body = json.dumps(trail(clients["admin"]), ensure_ascii=False)
    tokens = [c.token for c in clients.values() if c.token] + [writes["token"]["token"]]
    forbidden = [
        *tokens,
        *(hash_token(token) for token in tokens),
        PASSWORD,
        writes["password_hash"],
        LEARNER_NAME,
        EXTERNAL_ID,
        NOTE,
        WITHDRAW_REASON,
        EMAIL,
        "password",
        "token_hash",
    ]
    seed = json.loads((Path(TestConfig.SEED_DIR) / "learners.json").read_text(encoding="utf-8"))
    forbidden += [learner["name"] for learner in seed["learners"]]
    for value in forbidden:
        assert value not in body, f"{value!r} is in the audit trail"


# --- reading the trail --------------------------------------------------------------------------


def test_the_filters(clients: dict[str, SignedInClient], writes: Any) -> None:
    api = clients["admin"]
    units = trail(api, entity="unit", id="BC-AUDIT")
    assert units and {(e["entity"], e["entity_id"]) for e in units} == {("unit", "BC-AUDIT")}
    by_assessor = trail(api, actor=actor_of(clients["assessor"]))
    assert by_assessor and {e["actor"] for e in by_assessor} == {actor_of(clients["assessor"])}
    assert {e["entity"] for e in by_assessor} >= {"learner", "evidence", "credential"}
    since = writes["started"].isoformat()
    recent = trail(api, since=since)
    everything = trail(api)
    assert recent and len(recent) < len(everything)
    assert all(dt.datetime.fromisoformat(e["at"]) >= writes["started"] for e in recent)
    earlier = [e for e in everything if e not in recent]
    assert all(dt.datetime.fromisoformat(e["at"]) < writes["started"] for e in earlier)
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()
    assert trail(api, since=future) == []
    combined = trail(api, entity="unit", id="BC-AUDIT", actor=actor_of(clients["admin"]))
    assert combined == []
    problem = api.get("/api/audit?since=yesterday")
    assert problem.status_code == 422 and problem.mimetype == PROBLEM
    entry = units[0]
    assert ok(api.get(f"/api/audit/{entry['id']}")) == entry
    assert api.get("/api/audit/99999999").status_code == 404


def test_a_school_admin_sees_their_institution_only(
    clients: dict[str, SignedInClient], writes: Any
) -> None:
    for principal, institution in (("school-admin", "MBO-ZW"), ("school-admin-b", "MBO-B")):
        entries = trail(clients[principal])
        assert entries and {e["institution"] for e in entries} == {institution}
    zw = trail(clients["school-admin"], entity="unit", id="BC-AUDIT")[0]
    assert clients["school-admin"].get(f"/api/audit/{zw['id']}").status_code == 200
    hidden = clients["school-admin-b"].get(f"/api/audit/{zw['id']}")
    assert hidden.status_code == 404 and hidden.mimetype == PROBLEM
    assert trail(clients["school-admin-b"], entity="unit", id="BC-AUDIT") == []


@pytest.mark.parametrize("principal", ["assessor", "vmbo-teacher", "learner"])
def test_other_roles_may_not_read_the_trail(
    clients: dict[str, SignedInClient], writes: Any, principal: str
) -> None:
    client = clients[principal]
    for url in ("/api/audit", "/api/audit/1"):
        response = client.get(url)
        assert response.status_code == 403 and response.mimetype == PROBLEM, url


def test_nothing_edits_the_trail(
    app: Flask, clients: dict[str, SignedInClient], writes: Any
) -> None:
    api = clients["admin"]
    entry = trail(api, entity="unit", id="BC-AUDIT")[0]
    for url in ("/api/audit", f"/api/audit/{entry['id']}"):
        for method in ("PUT", "PATCH", "DELETE", *(["POST"] if url.endswith("/1") else [])):
            response = api.open(url, method=method, json={})
            assert response.status_code == 405, (method, url, response.status_code)
            assert response.mimetype == PROBLEM
            assert app.test_client().open(url, method=method).status_code == 405
    assert ok(api.get(f"/api/audit/{entry['id']}")) == entry
    assert "audit" not in " ".join(app.cli.commands)  # no command line to edit it either


def test_the_actor_is_never_taken_from_a_header(
    clients: dict[str, SignedInClient], writes: Any
) -> None:
    school = clients["school-admin"]
    body = {**UNIT, "code": "BC-AUDIT-3", "outcomes": [{"code": "AUDIT-3:1", "title": "R"}]}
    ok(school.post("/api/units", json=body, headers={"X-Leerlijn-Actor": "mallory"}), 201)
    entries = trail(clients["admin"], entity="unit", id="BC-AUDIT-3")
    assert entries and {e["actor"] for e in entries} == {actor_of(school)}
    assert trail(clients["admin"], actor="mallory") == []


# --- no write without its entry -------------------------------------------------------------------


def _count(app: Flask, model: Any) -> int:
    with app.app_context():
        try:
            return int(db.session.scalar(select(func.count()).select_from(model)) or 0)
        finally:
            db.session.remove()


def test_a_write_whose_entry_fails_is_not_committed(
    app: Flask,
    clients: dict[str, SignedInClient],
    writes: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    api, assessor = clients["admin"], clients["assessor"]
    evidence_url = f"/api/learners/{writes['l5']}/evidence"
    evidence_before = ok(api.get(evidence_url))["total"]
    entries_before = _count(app, AuditRow)

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the audit trail is out of order")

    monkeypatch.setattr(audit, "_entry", refuse)
    body = {**UNIT, "code": "BC-UNAUDITED", "outcomes": [{"code": "UNAUDITED:1", "title": "R"}]}
    response = clients["school-admin"].post("/api/units", json=body)
    assert response.status_code == 500 and response.mimetype == PROBLEM
    item = {"outcome": "VV:B1-K1-W1", "source": "exam", "date": "2025-01-10"}
    assert assessor.post(evidence_url, json=item).status_code == 500
    monkeypatch.undo()
    assert api.get("/api/units/BC-UNAUDITED").status_code == 404
    assert ok(api.get(evidence_url))["total"] == evidence_before
    assert _count(app, AuditRow) == entries_before


def test_without_the_audit_table_nothing_is_written() -> None:
    app = registry_app()
    try:
        api = admin_client(app)
        api.sign_in()  # the token is written (and audited) while the trail still exists
        with app.app_context():
            db.session.execute(text("DROP TABLE audit_entries"))
            db.session.commit()
            db.session.remove()
        response = api.post("/api/units", json=UNIT)
        assert response.status_code >= 500 and response.mimetype == PROBLEM
        assert api.get("/api/units/BC-AUDIT").status_code == 404
        response = api.post(
            "/api/institutions", json={"code": "NO-TRAIL", "name": "N", "kind": "mbo"}
        )
        assert response.status_code >= 500
        assert api.get("/api/institutions/NO-TRAIL").status_code == 404
    finally:
        dispose(app)


def test_bulk_statements_are_recorded_too(app: Flask, writes: Any) -> None:
    """An ORM bulk UPDATE or DELETE leaves an entry per row; a bulk INSERT is refused."""
    renamed = update(InstitutionRow).where(InstitutionRow.code == "AUDIT-I").values(name="Bulk")
    with app.app_context():
        try:
            with pytest.raises(UnattributedWrite):
                db.session.execute(renamed)
            db.session.rollback()
            bind_principal(db.session, SYSTEM)
            db.session.execute(renamed)
            db.session.commit()
            rows = db.session.scalars(
                select(AuditRow).where(
                    AuditRow.entity == "institution",
                    AuditRow.entity_id == "AUDIT-I",
                    AuditRow.actor == "system",
                )
            ).all()
            assert [(r.action, r.before, r.after) for r in rows] == [
                ("update", {"name": "A"}, {"name": "Bulk"})
            ]
            bind_principal(db.session, SYSTEM)
            with pytest.raises(UnattributedWrite, match="bulk write"):
                db.session.execute(insert(InstitutionRow).values(code="BULK", name="B", kind="mbo"))
            db.session.rollback()
            assert db.session.get(InstitutionRow, "BULK") is None
        finally:
            db.session.remove()


def test_a_flush_without_a_bound_principal_is_refused(app: Flask) -> None:
    with app.app_context():
        try:
            db.session.add(InstitutionRow(code="NOBODY", name="Niemand", kind="mbo"))
            with pytest.raises(UnattributedWrite, match="institutions"):
                db.session.flush()
            db.session.rollback()
            # a principal is bound for one transaction: after its commit, the next write needs
            # its own authorization
            bind_principal(db.session, SYSTEM)
            db.session.add(InstitutionRow(code="ONCE", name="Eenmaal", kind="mbo"))
            db.session.commit()
            db.session.add(InstitutionRow(code="TWICE", name="Tweemaal", kind="mbo"))
            with pytest.raises(UnattributedWrite):
                db.session.flush()
            db.session.rollback()
            assert db.session.get(InstitutionRow, "NOBODY") is None
            assert db.session.get(InstitutionRow, "TWICE") is None
            assert db.session.get(InstitutionRow, "ONCE") is not None
        finally:
            db.session.remove()
