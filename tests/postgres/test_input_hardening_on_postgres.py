"""On PostgreSQL, which refuses NUL in text, a NUL anywhere is a 4xx answer, never a 500."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.helpers import learner_id

PROBLEM = "application/problem+json"


def assert_422_at(response: Any, where: str) -> None:
    assert response.status_code == 422, response.get_data(as_text=True)[:500]
    assert response.mimetype == PROBLEM
    errors = response.get_json(force=True)["errors"]
    assert [e.get("pointer") or e.get("parameter") for e in errors] == [where]


def test_a_nul_in_a_name_a_query_a_note_or_a_path_is_a_422(pg_seeded_client: FlaskClient) -> None:
    client = pg_seeded_client
    assert_422_at(client.post("/api/learners", json={"name": "Ada\x00"}), "/name")
    assert_422_at(client.get("/api/learners?q=Ada%00"), "q")
    learner = learner_id(client, "DEMO-L5")
    evidence = {"outcome": "AV:NL-2F", "source": "exam", "date": "2025-01-01", "note": "a\x00"}
    assert_422_at(client.post(f"/api/learners/{learner}/evidence", json=evidence), "/note")
    assert_422_at(client.get("/api/learners/ln-%00"), "learner_id")
    assert_422_at(client.post("/api/import", json={"epas": [{"code": "E\x00"}]}), "/epas/0/code")
    assert client.get("/registry?q=zorg%00").status_code == 400
    assert client.get("/api/units?limit=5").status_code == 200  # the database is still fine


def test_a_pasted_credential_with_a_nul_is_judged_not_a_500(pg_seeded_client: FlaskClient) -> None:
    pasted = (
        '{"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"],'
        ' "issuer": "did:web:127.0.0.1%3A8000:issuers:MBO\\u0000",'
        ' "credentialStatus": {"type": "BitstringStatusListEntry", "statusPurpose": "revocation",'
        ' "statusListCredential": "http://127.0.0.1:8000/status/x\\u0000", "statusListIndex": "1"}}'
    )
    page = pg_seeded_client.post("/verifieren", data={"credential": pasted})
    assert page.status_code == 200
    assert "niet geldig" in page.get_data(as_text=True)
