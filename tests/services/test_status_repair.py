"""``flask status rebuild``: every status list recomputed from the status history.

A list is damaged the way a lost update damages it (a revocation's bit missing from the signed
list that verifiers read, the ``allocated`` counter wrong, a credential row out of step with
its history); the rebuild restores it, re-signs it, and a second run finds nothing to do.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from app.domain.access import SYSTEM
from app.domain.credentials.statuslist import empty_bitstring
from app.extensions import db
from app.persistence.audit import bind_principal
from app.persistence.models.credentials import IssuedCredentialRow, StatusListRow
from app.request_context import credential_environment
from app.services.status import signed_status_list
from tests.api.test_credentials import credential_key, issued, new_holder

UNIT = "AV-NL-2F"


def status_code(client: FlaskClient, credential: dict[str, Any]) -> str:
    report = client.post("/api/verify", json=credential).get_json()
    [check] = [c for c in report["checks"] if c["check"] == "status"]
    return str(check["code"])


def damage_every_list(app: Flask) -> None:
    """Clear every list's bits (in the row and the signed document), break its counter and
    forget the revocations in the credential rows: what lost updates leave behind."""
    with app.app_context():
        env = credential_environment()
        bind_principal(db.session, SYSTEM)
        for status_list in db.session.query(StatusListRow):
            key = env.issuers.keys.find(status_list.institution, status_list.key_id)
            assert key is not None
            status_list.bits = empty_bitstring()
            status_list.allocated = 0
            status_list.document = signed_status_list(
                env,
                key,
                status_list.id,
                status_list.purpose,  # type: ignore[arg-type]
                status_list.bits,
            )
        for credential in db.session.query(IssuedCredentialRow):
            credential.revoked_at = None
            credential.suspended = False
        db.session.commit()


def test_rebuild_restores_a_damaged_list_from_the_status_history(seeded: FlaskClient) -> None:
    app = seeded.application
    revoked, suspended, lifted, untouched = (
        issued(seeded, new_holder(seeded, UNIT), UNIT) for _ in range(4)
    )
    for credential, action in (
        (revoked, "revoke"),
        (suspended, "suspend"),
        (lifted, "suspend"),
        (lifted, "unsuspend"),
    ):
        response = seeded.post(
            f"/api/credentials/{credential_key(credential)}/{action}", json={"reason": "test"}
        )
        assert response.status_code == 200, response.get_data(as_text=True)
    assert [status_code(seeded, c) for c in (revoked, suspended, lifted, untouched)] == [
        "revoked",
        "suspended",
        "active",
        "active",
    ]

    damage_every_list(app)
    # The damage shows: the revoked and the suspended credential verify as active.
    assert status_code(seeded, revoked) == "active" and status_code(seeded, suspended) == "active"

    result = app.test_cli_runner().invoke(args=["status", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "repaired" in result.output and "1 bit(s) set" in result.output
    assert [status_code(seeded, c) for c in (revoked, suspended, lifted, untouched)] == [
        "revoked",
        "suspended",
        "active",
        "active",
    ]
    with app.app_context():
        rows = {r.id: r for r in db.session.query(IssuedCredentialRow)}
        assert rows[credential_key(revoked)].revoked_at is not None
        assert rows[credential_key(suspended)].suspended is True
        assert rows[credential_key(lifted)].suspended is False
        issued_count = len(rows)
        for status_list in db.session.query(StatusListRow):
            assert status_list.allocated == issued_count
    states = [
        seeded.get(f"/api/credentials/{credential_key(c)}/status").get_json()["status"]
        for c in (revoked, suspended)
    ]
    assert states == ["revoked", "suspended"]

    # Nothing left to repair: a second run re-signs nothing.
    again = app.test_cli_runner().invoke(args=["status", "rebuild"])
    assert again.exit_code == 0, again.output
    assert "0 repaired" in again.output and "repaired:" not in again.output


def test_the_rebuild_is_in_the_audit_trail(seeded: FlaskClient) -> None:
    app = seeded.application
    credential = issued(seeded, new_holder(seeded, UNIT), UNIT)
    seeded.post(f"/api/credentials/{credential_key(credential)}/revoke", json={"reason": "x"})
    damage_every_list(app)
    result = app.test_cli_runner().invoke(args=["status", "rebuild"])
    assert result.exit_code == 0, result.output
    entries = seeded.get("/api/audit?entity=status-list").get_json()["items"]
    restored = [
        e
        for e in entries
        if e["actor"] == "system"
        and e["action"] == "update"
        and (e["before"] or {}).get("allocated") == 0
        and (e["after"] or {}).get("allocated", 0) > 0
    ]
    assert len(restored) == 2, entries[:4]  # the revocation and the suspension list
