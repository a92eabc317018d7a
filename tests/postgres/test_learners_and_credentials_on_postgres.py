"""Learner records, paths, vmbo crediting and credentials on a real PostgreSQL server.

The seeded template was loaded by `flask seed` (migrations + seed/), so the demo learners,
their vmbo completions and the registry are there; every test gets its own copy.
"""

from __future__ import annotations

from flask.testing import FlaskClient

ON = "2025-09-01"


def demo(client: FlaskClient, external_id: str) -> str:
    return client.get(f"/api/learners?external_id={external_id}").get_json()["items"][0]["id"]


def test_the_worked_cases_come_out_the_same_on_postgres(pg_seeded_client: FlaskClient) -> None:
    l5 = pg_seeded_client.get(
        f"/api/learners/{demo(pg_seeded_client, 'DEMO-L5')}/path?on={ON}"
    ).get_json()
    assert l5["order"] == ["BC-VP-P2K1", "AV-EN-B1A2", "AV-NL-3F", "AV-REK-3F", "VC-K0210"]
    assert l5["remaining_hours"] == 1373 and l5["electives"]["remaining_hours"] == 240
    l1 = pg_seeded_client.get(
        f"/api/learners/{demo(pg_seeded_client, 'DEMO-L1')}/path?on={ON}"
    ).get_json()
    assert l1["needs_assessment"] == ["DV:B1-K1-W1"] and l1["remaining_hours"] == 1350
    l9 = pg_seeded_client.get(
        f"/api/learners/{demo(pg_seeded_client, 'DEMO-L9')}/path?on={ON}"
    ).get_json()
    assert [e["epa"] for e in l9["remaining_epas"]] == ["BAZ-4", "BAZ-5"] and l9[
        "entry_requirements_met"
    ]


def test_records_are_all_or_nothing_and_the_path_follows_them(
    pg_seeded_client: FlaskClient,
) -> None:
    learner = demo(pg_seeded_client, "DEMO-L5")
    path = f"/api/learners/{learner}/path?qualification=Q-VP&on={ON}"
    before = pg_seeded_client.get(path).get_json()["remaining_hours"]
    bad = [
        {"outcome": "AV:EN-B1A2", "source": "exam", "date": "2025-06-01"},
        {"outcome": "NOPE", "source": "exam", "date": "2025-06-01"},
    ]
    assert pg_seeded_client.post(f"/api/learners/{learner}/evidence", json=bad).status_code == 422
    assert pg_seeded_client.get(path).get_json()["remaining_hours"] == before
    good = pg_seeded_client.post(f"/api/learners/{learner}/evidence", json=bad[:1])
    assert good.status_code == 201
    assert pg_seeded_client.get(path).get_json()["remaining_hours"] == before - 200
    evidence_id = good.get_json()[0]["id"]
    withdrawn = pg_seeded_client.post(
        f"/api/learners/{learner}/evidence/{evidence_id}/withdraw",
        json={"reason": "verkeerd geregistreerd"},
    )
    assert withdrawn.status_code == 200 and withdrawn.get_json()["withdrawn_at"].endswith("+00:00")
    assert pg_seeded_client.get(path).get_json()["remaining_hours"] == before


def test_credentials_issue_verify_and_revoke_on_postgres(pg_seeded_client: FlaskClient) -> None:
    learner = demo(pg_seeded_client, "DEMO-L5")
    issued = pg_seeded_client.post(
        "/api/credentials",
        json={"learner": learner, "achievement": {"type": "unit", "code": "BC-VV-B1K1"}},
    )
    assert issued.status_code == 201
    credential = issued.get_json()
    assert pg_seeded_client.post("/api/verify", json=credential).get_json()["verified"] is True
    credential_id = credential["id"].rsplit("/", 1)[1]
    revoked = pg_seeded_client.post(
        f"/api/credentials/{credential_id}/revoke", json={"reason": "fraude"}
    )
    assert revoked.status_code == 200 and revoked.get_json()["status"] == "revoked"
    report = pg_seeded_client.post("/api/verify", json=credential).get_json()
    assert report["verified"] is False
    [status] = [c for c in report["checks"] if c["check"] == "status"]
    assert status["code"] == "revoked"
    assert status["message"].startswith("the credential is revoked since ")
    assert status["message"].endswith("; reason: fraude")
    assert "ingetrokken" in status["message_nl"] and "Reden: fraude." in status["message_nl"]
    assert (
        pg_seeded_client.post(
            f"/api/credentials/{credential_id}/revoke", json={"reason": "x"}
        ).status_code
        == 409
    )


def test_vmbo_overlap_on_postgres(pg_seeded_client: FlaskClient) -> None:
    report = pg_seeded_client.get(
        "/api/vmbo/programmes/VMBO-ZW-WLC/overlap?qualification=Q-HZW"
    ).get_json()
    covered = {u["unit"]: u["covered_hours"] for u in report["units"]}
    assert covered["BC-DV-B1K1"] == 160 and covered["BC-HZW-PK1"] == 450
