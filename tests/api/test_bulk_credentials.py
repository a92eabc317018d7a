"""Bulk issuing and revoking through the API: CSV and JSON, the per-row preview, all or nothing."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from app.services.bulk_credentials import MAX_ROWS
from tests.helpers import learner_id, signed_in_client

PROBLEM = "application/problem+json"
#: Units DEMO-L5 has achieved (the seed's worked case); BC-VP-P2K1 they have not.
EARNED = ("AV-LB", "AV-NL-2F", "BC-VV-B1K1")


@pytest.fixture
def l5(seeded: FlaskClient) -> str:
    return learner_id(seeded, "DEMO-L5")


@pytest.fixture
def school_b_learner(seeded: FlaskClient) -> str:
    """A learner of another institution, MBO-B."""
    made = seeded.post("/api/institutions", json={"code": "MBO-B", "name": "ROC B", "kind": "mbo"})
    assert made.status_code == 201
    learner = seeded.post("/api/learners", json={"name": "Bo", "institution": "MBO-B"})
    assert learner.status_code == 201
    return str(learner.get_json()["id"])


def csv_of(*rows: tuple[str, str, str]) -> str:
    return "learner,type,code\n" + "".join(f"{a},{b},{c}\n" for a, b, c in rows)


def post_csv(client: FlaskClient, text: str, query: str = "") -> Any:
    return client.post(f"/api/credentials/bulk{query}", data=text, content_type="text/csv")


def counts(client: FlaskClient, learner: str) -> tuple[int, int]:
    """The learner's credentials and the audit trail's entries."""
    held = client.get(f"/api/learners/{learner}/credentials").get_json()["total"]
    return held, client.get("/api/audit?limit=1").get_json()["total"]


def statuses(body: dict[str, Any]) -> list[str]:
    return [row["status"] for row in body["rows"]]


# --- the preview --------------------------------------------------------------------------------


def test_a_dry_run_reports_every_row_status_and_writes_nothing(
    seeded: FlaskClient, l5: str
) -> None:
    held = seeded.post(
        "/api/credentials", json={"learner": l5, "achievement": {"type": "unit", "code": "AV-LB"}}
    ).get_json()
    before = counts(seeded, l5)
    text = csv_of(
        (l5, "unit", "BC-VV-B1K1"),
        (l5, "unit", "AV-LB"),
        (l5, "unit", "BC-VP-P2K1"),
        ("ln-nobody", "unit", "BC-VV-B1K1"),
        (l5, "diploma", "X"),
        (l5, "unit", "NO-SUCH-UNIT"),
        (l5, "unit", "BC-VV-B1K1"),
    )
    response = post_csv(seeded, text, "?dry_run=true")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert statuses(body) == [
        "would_issue", "already_held", "not_earned", "error", "error", "error", "already_held",
    ]  # fmt: skip
    rows = body["rows"]
    assert [r["row"] for r in rows] == list(range(1, 8))
    assert rows[0] == {
        "row": 1, "learner": l5, "type": "unit", "code": "BC-VV-B1K1", "status": "would_issue",
        "credential": None, "missing": None, "reason": None, "duplicate_of": None,
    }  # fmt: skip
    assert rows[1]["credential"] == held["id"].rsplit("/", 1)[1]
    assert sorted(rows[2]["missing"]["outcomes"]) == ["VP:P2-K1-W1", "VP:P2-K1-W3"]
    assert rows[3]["reason"] == "unknown learner 'ln-nobody'"
    assert "unknown achievement type 'diploma'" in rows[4]["reason"]
    assert "unknown unit 'NO-SUCH-UNIT'" in rows[5]["reason"]
    assert rows[6]["duplicate_of"] == 1 and rows[6]["credential"] is None
    assert body["summary"] == {
        "would_issue": 1, "issued": 0, "already_held": 2, "not_earned": 1, "error": 3, "total": 7
    }  # fmt: skip
    assert body["dry_run"] is True
    assert counts(seeded, l5) == before


def test_json_rows_and_a_bare_list_are_accepted(seeded: FlaskClient, l5: str) -> None:
    rows = [{"learner": l5, "type": "unit", "code": code} for code in EARNED]
    for body in ({"rows": rows}, rows):
        response = seeded.post("/api/credentials/bulk?dry_run=true", json=body)
        assert response.status_code == 200, response.get_json()
        assert statuses(response.get_json()) == ["would_issue"] * 3


# --- writing ------------------------------------------------------------------------------------


def test_issuing_writes_every_row_in_one_go_and_the_credentials_verify(
    seeded: FlaskClient, l5: str
) -> None:
    before_held, before_audit = counts(seeded, l5)
    response = post_csv(seeded, csv_of(*((l5, "unit", code) for code in EARNED)))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert statuses(body) == ["issued"] * 3 and body["summary"]["issued"] == 3
    held, audit = counts(seeded, l5)
    assert held == before_held + 3 and audit > before_audit
    for row in body["rows"]:
        document = seeded.get(f"/api/credentials/{row['credential']}").get_json()
        assert row["code"] in document["name"]
        report = seeded.post("/api/verify", json=document).get_json()
        assert report["verified"] is True, report
    # each written credential is audited as written by the bound principal
    entries = seeded.get(f"/api/audit?entity=credential&id={body['rows'][0]['credential']}")
    items = entries.get_json()["items"]
    assert any(e["action"] == "create" and "learner" in (e["after"] or {}) for e in items)
    assert {e["actor"] for e in items} == {f"token:{seeded.token_id}"}
    # issuing again: every row is already held, nothing new (200)
    again = post_csv(seeded, csv_of(*((l5, "unit", code) for code in EARNED)))
    assert again.status_code == 200 and statuses(again.get_json()) == ["already_held"] * 3
    assert [r["credential"] for r in again.get_json()["rows"]] == [
        r["credential"] for r in body["rows"]
    ]


def test_one_bad_row_refuses_the_whole_batch_and_writes_nothing(
    seeded: FlaskClient, l5: str
) -> None:
    before = counts(seeded, l5)
    rows = [(l5, "unit", "AV-LB"), (l5, "unit", "BC-VP-P2K1"), (l5, "unit", "AV-NL-2F")]
    response = post_csv(seeded, csv_of(*rows))
    assert response.status_code == 409 and response.mimetype == PROBLEM
    body = response.get_json()
    assert "nothing was written" in body["detail"]
    assert statuses(body) == ["would_issue", "not_earned", "would_issue"]
    assert body["summary"]["not_earned"] == 1
    assert counts(seeded, l5) == before


def test_partial_issues_the_rows_that_can_be_and_reports_the_rest(
    seeded: FlaskClient, l5: str
) -> None:
    before_held, _ = counts(seeded, l5)
    rows = [
        (l5, "unit", "AV-LB"),
        (l5, "unit", "BC-VP-P2K1"),
        ("ln-nobody", "unit", "AV-LB"),
        (l5, "unit", "AV-LB"),
    ]
    response = post_csv(seeded, csv_of(*rows), "?partial=true")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert statuses(body) == ["issued", "not_earned", "error", "already_held"]
    assert body["rows"][3]["credential"] == body["rows"][0]["credential"]
    assert body["rows"][3]["duplicate_of"] == 1
    assert counts(seeded, l5)[0] == before_held + 1


# --- who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "binding"),
    [
        ("learner", {"learner": "DEMO-L5"}),
        ("vmbo-teacher", {"programme": "VMBO-ZW-WLC"}),
        ("school-admin", {"institution": "MBO-ZW"}),
    ],
)
def test_who_may_not_issue_or_revoke_is_refused_403(
    seeded: FlaskClient, l5: str, role: str, binding: dict[str, str]
) -> None:
    if role == "learner":
        binding = {"learner": l5}
    client = signed_in_client(seeded.application, role, **binding)
    issued = post_csv(client, csv_of((l5, "unit", "AV-LB")), "?dry_run=true")
    assert issued.status_code == 403 and issued.mimetype == PROBLEM
    revoked = client.post("/api/credentials/bulk-revoke", json={"ids": ["x"], "reason": "r"})
    assert revoked.status_code == 403


def test_an_assessor_issues_for_their_school_and_sees_others_as_unknown(
    seeded: FlaskClient, l5: str, school_b_learner: str
) -> None:
    assessor = signed_in_client(seeded.application, "assessor", institution="MBO-ZW")
    rows = [(l5, "unit", "AV-LB"), (school_b_learner, "unit", "AV-LB")]
    refused = post_csv(assessor, csv_of(*rows))
    assert refused.status_code == 409
    assert statuses(refused.get_json()) == ["would_issue", "error"]
    partial = post_csv(assessor, csv_of(*rows), "?partial=true")
    assert partial.status_code == 201 and statuses(partial.get_json()) == ["issued", "error"]
    assert partial.get_json()["rows"][1]["reason"] == f"unknown learner '{school_b_learner}'"


# --- malformed bodies ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "pointer", "words"),
    [
        ("", "/rows", "empty"),
        ("learner,code\nln-1,AV-LB\n", "/rows", "lacks the column(s) type"),
        ("learner,type,code\n", "/rows", "no data rows"),
        ("learner,type,code\nln-1,unit,AV-LB\nln-1,unit\n", "/rows/1/code", "row 2"),
    ],
)
def test_a_malformed_csv_is_a_422_naming_the_row_and_field(
    seeded: FlaskClient, text: str, pointer: str, words: str
) -> None:
    response = post_csv(seeded, text)
    assert response.status_code == 422 and response.mimetype == PROBLEM
    errors = response.get_json()["errors"]
    assert errors[0]["pointer"] == pointer and words in errors[0]["message"], errors


def test_too_many_rows_are_refused(seeded: FlaskClient) -> None:
    text = csv_of(*[("ln-1", "unit", "AV-LB")] * (MAX_ROWS + 1))
    response = post_csv(seeded, text)
    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {"pointer": "/rows", "message": f"at most {MAX_ROWS} rows per request"}
    ]


def test_malformed_json_rows_name_their_pointer(seeded: FlaskClient) -> None:
    response = seeded.post("/api/credentials/bulk", json={"rows": [{"learner": "ln-1"}]})
    assert response.status_code == 422
    pointers = sorted(e["pointer"] for e in response.get_json()["errors"])
    assert pointers == ["/rows/0/code", "/rows/0/type"]
    assert seeded.post("/api/credentials/bulk", json={"rows": []}).status_code == 422


def test_csv_is_accepted_on_the_bulk_path_only(seeded: FlaskClient) -> None:
    response = seeded.post("/api/credentials/bulk-revoke", data="ids\nx\n", content_type="text/csv")
    assert response.status_code == 415


# --- revoking -----------------------------------------------------------------------------------


def issued_ids(client: FlaskClient, learner: str) -> list[str]:
    response = post_csv(client, csv_of(*((learner, "unit", code) for code in EARNED)))
    assert response.status_code == 201, response.get_json()
    return [row["credential"] for row in response.get_json()["rows"]]


def test_bulk_revoke_previews_refuses_and_revokes_in_one_go(seeded: FlaskClient, l5: str) -> None:
    ids = issued_ids(seeded, l5)
    seeded.post(f"/api/credentials/{ids[2]}/revoke", json={"reason": "eerder"})
    body = {"ids": [ids[0], ids[1], ids[2], "nope", ids[0]], "reason": "fout uitgegeven"}
    preview = seeded.post("/api/credentials/bulk-revoke?dry_run=true", json=body)
    assert preview.status_code == 200
    assert statuses(preview.get_json()) == [
        "would_revoke", "would_revoke", "already_revoked", "error", "already_revoked"
    ]  # fmt: skip
    assert preview.get_json()["rows"][0]["code"] == "AV-LB"
    assert preview.get_json()["rows"][3]["reason"] == "unknown credential 'nope'"
    refused = seeded.post("/api/credentials/bulk-revoke", json=body)
    assert refused.status_code == 409 and refused.mimetype == PROBLEM
    assert seeded.get(f"/api/credentials/{ids[0]}/status").get_json()["status"] == "active"
    done = seeded.post("/api/credentials/bulk-revoke?partial=true", json=body)
    assert done.status_code == 201
    assert statuses(done.get_json()) == [
        "revoked", "revoked", "already_revoked", "error", "already_revoked"
    ]  # fmt: skip
    for credential in ids[:2]:
        state = seeded.get(f"/api/credentials/{credential}/status").get_json()
        assert state["status"] == "revoked"
        assert state["history"][-1]["reason"] == "fout uitgegeven"
        document = seeded.get(f"/api/credentials/{credential}").get_json()
        report = seeded.post("/api/verify", json=document).get_json()
        assert report["verified"] is False
        assert next(c for c in report["checks"] if c["check"] == "status")["ok"] is False


def test_all_good_ids_are_revoked_without_partial(seeded: FlaskClient, l5: str) -> None:
    ids = issued_ids(seeded, l5)
    response = seeded.post("/api/credentials/bulk-revoke", json={"ids": ids, "reason": "r"})
    assert response.status_code == 201 and statuses(response.get_json()) == ["revoked"] * 3


def test_another_schools_assessor_sees_the_credentials_as_unknown(
    seeded: FlaskClient, l5: str, school_b_learner: str
) -> None:
    ids = issued_ids(seeded, l5)
    assessor_b = signed_in_client(seeded.application, "assessor", institution="MBO-B")
    response = assessor_b.post(
        "/api/credentials/bulk-revoke?dry_run=true", json={"ids": ids[:1], "reason": "r"}
    )
    assert response.status_code == 200
    [row] = response.get_json()["rows"]
    assert row["status"] == "error" and row["learner"] is None and row["code"] is None
    assert row["reason"] == f"unknown credential '{ids[0]}'"


def test_a_malformed_revoke_body_is_a_422(seeded: FlaskClient) -> None:
    response = seeded.post("/api/credentials/bulk-revoke", json={"ids": []})
    assert response.status_code == 422
    assert sorted(e["pointer"] for e in response.get_json()["errors"]) == ["/ids", "/reason"]
