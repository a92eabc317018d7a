"""EPA entrustment and diploma credentials, and the learner's whole record (CLR 2.0), via HTTP.

Seed learners: DEMO-L5 holds all of Q-VIG (so its diploma can be issued) but lacks parts of
Q-VP; DEMO-L9 is entrusted for BAZ-1..3 at level 4 and BAZ-5 at level 2, with no decision for
BAZ-4. Tests that change a learner's record (new entrustments, revocations) use a learner of
their own, so the module-scoped seeded app of ``tests/api/test_credentials.py`` can be shared.
"""

# ruff: noqa: F811  (local_app is a fixture imported from tests/api/test_credentials.py)

from __future__ import annotations

import copy
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.api.test_credentials import (  # noqa: F401  (module-scoped app fixture)
    LOCAL_BASE,
    VC,
    assert_problem,
    credential_key,
    failed,
    held,
    issued,
    learner_id,
    local_app,
    verify,
)
from tests.api.test_verify import resign_with_app_key
from tests.helpers import admin_client

Document = dict[str, Any]
VC_V2 = "https://www.w3.org/ns/credentials/v2"
CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
EDUCREDENTIAL_CONTEXT = "https://leerlijn.nl/contexts/educredential-v1.jsonld"


# --- helpers ----------------------------------------------------------------------------------


def issue_kind(client: FlaskClient, learner: str, kind: str, code: str) -> Any:
    return client.post(
        "/api/credentials", json={"learner": learner, "achievement": {"type": kind, "code": code}}
    )


def issued_kind(client: FlaskClient, learner: str, kind: str, code: str) -> Document:
    response = issue_kind(client, learner, kind, code)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()  # type: ignore[no-any-return]


def new_learner(client: FlaskClient, name: str) -> str:
    response = client.post("/api/learners", json={"name": name})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["id"]  # type: ignore[no-any-return]


def entrust(client: FlaskClient, learner: str, epa: str, level: int, date: str) -> None:
    body = {"epa": epa, "level": level, "date": date, "decided_by": "praktijkopleider"}
    response = client.post(f"/api/learners/{learner}/entrustments", json=body)
    assert response.status_code == 201, response.get_data(as_text=True)


def add_evidence(client: FlaskClient, learner: str, outcomes: list[str]) -> None:
    items = [{"outcome": o, "source": "exam", "date": "2024-03-01"} for o in outcomes]
    response = client.post(f"/api/learners/{learner}/evidence", json=items)
    assert response.status_code == 201, response.get_data(as_text=True)


def record(client: FlaskClient, learner: str) -> Document:
    response = client.get(f"/api/learners/{learner}/record")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json(force=True)  # type: ignore[no-any-return]


def level_id(epa: str, level: int) -> str:
    return f"{LOCAL_BASE}/api/epas/{epa}#supervisieniveau-{level}"


def check(report: Document, name: str) -> Document:
    return next(c for c in report["checks"] if c["check"] == name)  # type: ignore[no-any-return]


def associations(clr: Document) -> set[tuple[str, str, str]]:
    return {
        (a["associationType"], a["sourceId"], a["targetId"])
        for a in clr["credentialSubject"].get("association", [])
    }


def unit_id(code: str) -> str:
    return f"{LOCAL_BASE}/api/units/{code}"


def qualification_id(code: str) -> str:
    return f"{LOCAL_BASE}/api/qualifications/{code}"


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def api(local_app: Flask) -> FlaskClient:
    return admin_client(local_app)


@pytest.fixture
def l5(api: FlaskClient) -> str:
    return learner_id(api, "DEMO-L5")


@pytest.fixture
def l9(api: FlaskClient) -> str:
    return learner_id(api, "DEMO-L9")


@pytest.fixture(scope="module")
def levels(local_app: Flask) -> list[Document]:
    """The five supervision levels as seeded (level, label_nl, …)."""
    import json

    return json.loads(
        (local_app.config["SEED_DIR"] / "supervision_levels.json").read_text(encoding="utf-8")
    )  # type: ignore[no-any-return]


# --- EPA entrustment --------------------------------------------------------------------------


def test_an_epa_credential_holds_the_epa_and_the_five_supervision_levels(
    api: FlaskClient, l9: str, levels: list[Document]
) -> None:
    epa = api.get("/api/epas/BAZ-1").get_json()
    vc = issued_kind(api, l9, "epa", "BAZ-1")
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    achievement = vc["credentialSubject"]["achievement"]
    assert achievement["id"] == f"{LOCAL_BASE}/api/epas/BAZ-1"
    assert achievement["achievementType"] == "ext:EPA"
    assert achievement["humanCode"] == "BAZ-1" and achievement["name"] == epa["title"]
    [description] = achievement["resultDescription"]
    assert description["resultType"] == "RubricCriterionLevel"
    rubric = description["rubricCriterionLevel"]
    assert len(rubric) == 5 == len(levels)
    assert [r["id"] for r in rubric] == [level_id("BAZ-1", n) for n in range(1, 6)]
    assert len({r["id"] for r in rubric}) == 5
    by_level = {level["level"]: level for level in levels}
    for number, item in enumerate(rubric, start=1):
        assert "RubricCriterionLevel" in item["type"]
        assert item["name"] == by_level[number]["label_nl"]  # the Dutch name
        assert item["description"]
        assert item["level"] == str(number)
    # Level 4 for BAZ-1 (the seed's decision).
    [result] = vc["credentialSubject"]["result"]
    assert result["resultDescription"] == description["id"]
    assert result["achievedLevel"] == level_id("BAZ-1", 4)
    assert result["achievedLevel"] in {r["id"] for r in rubric}
    assert verify(api, vc)["verified"] is True


def test_the_epa_credential_carries_the_learners_level_for_baz5(api: FlaskClient, l9: str) -> None:
    vc = issued_kind(api, l9, "epa", "BAZ-5")
    [result] = vc["credentialSubject"]["result"]
    assert result["achievedLevel"] == level_id("BAZ-5", 2)
    rubric = vc["credentialSubject"]["achievement"]["resultDescription"][0]["rubricCriterionLevel"]
    assert next(r for r in rubric if r["id"] == result["achievedLevel"])["level"] == "2"
    assert verify(api, vc)["verified"] is True


def test_the_latest_entrustment_counts_even_when_it_is_lower(api: FlaskClient) -> None:
    learner = new_learner(api, "Later lager")
    entrust(api, learner, "BAZ-2", 4, "2025-01-10")
    first = issued_kind(api, learner, "epa", "BAZ-2")
    assert first["credentialSubject"]["result"][0]["achievedLevel"] == level_id("BAZ-2", 4)
    entrust(api, learner, "BAZ-2", 2, "2025-06-01")  # a later, lower decision
    # While the level-4 credential is held, issuing again answers it; revoked, a new one is
    # issued at the current level.
    assert issue_kind(api, learner, "epa", "BAZ-2").status_code == 200
    revoked = api.post(f"/api/credentials/{credential_key(first)}/revoke", json={"reason": "lager"})
    assert revoked.status_code == 200, revoked.get_data(as_text=True)
    vc = issued_kind(api, learner, "epa", "BAZ-2")
    assert vc["credentialSubject"]["result"][0]["achievedLevel"] == level_id("BAZ-2", 2)
    assert verify(api, vc)["verified"] is True


def test_an_epa_without_an_entrustment_decision_is_a_409(api: FlaskClient, l9: str) -> None:
    before = len(api.get(f"/api/learners/{l9}/credentials").get_json()["items"])
    body = assert_problem(issue_kind(api, l9, "epa", "BAZ-4"), 409)
    assert body["missing"]["epas"] == ["BAZ-4"]
    assert len(api.get(f"/api/learners/{l9}/credentials").get_json()["items"]) == before


def test_an_unknown_epa_is_a_422(api: FlaskClient, l9: str) -> None:
    body = assert_problem(issue_kind(api, l9, "epa", "BAZ-99"), 422)
    assert any(
        e["pointer"] == "/achievement/code" and "BAZ-99" in e["message"] for e in body["errors"]
    )


# --- diplomas ---------------------------------------------------------------------------------


def test_a_complete_path_gives_a_diploma(api: FlaskClient, l5: str) -> None:
    qualification = api.get("/api/qualifications/Q-VIG").get_json()
    response = issue_kind(api, l5, "qualification", "Q-VIG")
    assert response.status_code == 201, response.get_data(as_text=True)
    vc = response.get_json()
    assert response.headers["Location"].endswith(f"/api/credentials/{credential_key(vc)}")
    achievement = vc["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == "Diploma"
    assert achievement["humanCode"] == "Q-VIG"
    assert achievement["id"] == qualification_id("Q-VIG")
    assert achievement["name"] == qualification["title"]
    narrative = achievement["criteria"]["narrative"]
    assert all(unit in narrative for unit in qualification["units"])
    assert vc["credentialStatus"]["statusPurpose"] == "revocation"
    assert verify(api, vc)["verified"] is True


def test_an_incomplete_path_is_a_409_naming_what_is_missing(api: FlaskClient, l5: str) -> None:
    path = api.get(f"/api/learners/{l5}/path?qualification=Q-VP")
    assert path.status_code == 200
    path = path.get_json()
    assert path["complete"] is False
    body = assert_problem(issue_kind(api, l5, "qualification", "Q-VP"), 409)
    missing = body["missing"]
    assert {"units", "outcomes", "epas", "entry_requirements"} <= set(missing)
    assert missing["units"] == path["order"]
    assert sorted(missing["units"]) == sorted(u["unit"] for u in path["remaining_units"])
    assert sorted(missing["outcomes"]) == sorted(
        o for u in path["remaining_units"] for o in u["missing_outcomes"]
    )
    assert "BC-VP-P2K1" in missing["units"] and "VP:P2-K1-W1" in missing["outcomes"]
    assert missing["epas"] == [] and missing["entry_requirements"] == []


def test_a_czo_route_without_every_epa_is_a_409_naming_the_epas(api: FlaskClient, l9: str) -> None:
    body = assert_problem(issue_kind(api, l9, "qualification", "BAZ"), 409)
    assert sorted(body["missing"]["epas"]) == ["BAZ-4", "BAZ-5"]
    assert body["missing"]["units"] == [] and body["missing"]["outcomes"] == []


def test_a_vmbo_pupil_gets_no_mbo_diploma(api: FlaskClient) -> None:
    body = assert_problem(
        issue_kind(api, learner_id(api, "DEMO-L1"), "qualification", "Q-HZW"), 409
    )
    assert body["missing"]["units"]


def test_an_unknown_qualification_is_a_422(api: FlaskClient, l5: str) -> None:
    body = assert_problem(issue_kind(api, l5, "qualification", "Q-NOPE"), 422)
    assert any(e["pointer"] == "/achievement/code" for e in body["errors"])


# --- the whole record: CLR 2.0 ----------------------------------------------------------------


@pytest.fixture(scope="module")
def l5_record(local_app: Flask) -> tuple[Document, list[Document]]:
    """DEMO-L5's record after issuing BC-VV-B1K1, VC-K1006 and the Q-VIG diploma."""
    client = admin_client(local_app)
    learner = learner_id(client, "DEMO-L5")
    own = [  # issued here, or held since an earlier test issued them (issuing is idempotent)
        held(client, learner, "BC-VV-B1K1"),
        held(client, learner, "VC-K1006"),
        held(client, learner, "Q-VIG", "qualification"),
    ]
    return record(client, learner), own


def test_the_record_is_a_signed_clr_embedding_every_credential_of_the_learner(
    api: FlaskClient, l5: str, l5_record: tuple[Document, list[Document]]
) -> None:
    clr, own = l5_record
    assert clr["@context"] == [VC_V2, CLR_CONTEXT, OB_CONTEXT, EDUCREDENTIAL_CONTEXT]
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
    assert clr["proof"] and clr["issuer"]["id"] == own[0]["issuer"]["id"]
    subject = clr["credentialSubject"]
    assert "ClrSubject" in subject["type"] and subject["id"] == f"{LOCAL_BASE}/api/learners/{l5}"
    embedded = {c["id"]: c for c in subject["verifiableCredential"]}
    # Every credential issued to the learner (up to the record), unchanged, signed.
    listed = api.get(f"/api/learners/{l5}/credentials?per_page=100").get_json()["items"]
    for vc in own:
        assert embedded[vc["id"]] == vc
    assert set(embedded) <= {i["credential"]["id"] for i in listed}
    assert "partial" not in clr or clr["partial"] is False
    # Their achievements, each once.
    achievement_ids = [a["id"] for a in subject["achievement"]]
    assert len(achievement_ids) == len(set(achievement_ids))
    assert {c["credentialSubject"]["achievement"]["id"] for c in embedded.values()} == set(
        achievement_ids
    )
    assert {unit_id("BC-VV-B1K1"), unit_id("VC-K1006"), qualification_id("Q-VIG")} <= set(
        achievement_ids
    )


def test_the_record_relates_achievements_as_the_registry_does(
    l5_record: tuple[Document, list[Document]],
) -> None:
    clr, _ = l5_record
    found = associations(clr)
    assert ("isPartOf", unit_id("BC-VV-B1K1"), qualification_id("Q-VIG")) in found
    assert ("isPartOf", unit_id("VC-K1006"), qualification_id("Q-VIG")) in found  # an elective
    assert ("precedes", unit_id("BC-VV-B1K1"), unit_id("VC-K1006")) in found  # VC-K1006 requires it
    assert all(a["type"] == ["Association"] for a in clr["credentialSubject"]["association"])
    ids = {a["id"] for a in clr["credentialSubject"]["achievement"]}
    assert all(source in ids and target in ids for _, source, target in found)
    # Nothing the registry does not say: the qualification is part of nothing, precedes nothing.
    assert not any(source == qualification_id("Q-VIG") for _, source, _ in found)


def test_the_record_and_its_embedded_credentials_verify(
    api: FlaskClient, l5_record: tuple[Document, list[Document]]
) -> None:
    clr, _ = l5_record
    report = verify(api, clr)
    assert report["verified"] is True, report
    names = [c["check"] for c in report["checks"]]
    assert {"context", "proof", "issuer", "validity", "schema", "status", "embedded"} <= set(names)
    assert "valid against the CLR 2.0 ClrCredential" in check(report, "schema")["message"]
    assert check(report, "schema")["ok"] is True
    assert (
        str(len(clr["credentialSubject"]["verifiableCredential"]))
        in check(report, "embedded")["message"]
    )


def test_the_record_is_served_as_vc_ld_json_when_asked(api: FlaskClient, l5: str) -> None:
    response = api.get(f"/api/learners/{l5}/record", headers={"Accept": VC})
    assert response.status_code == 200 and response.mimetype == VC
    assert "ClrCredential" in response.get_json(force=True)["type"]


def test_a_tampered_embedded_credential_fails_the_record(
    local_app: Flask, api: FlaskClient, l5_record: tuple[Document, list[Document]]
) -> None:
    clr, _ = l5_record
    tampered = copy.deepcopy(clr)
    inner = tampered["credentialSubject"]["verifiableCredential"][0]
    inner["name"] = inner["name"] + " (met lof)"
    # Not re-signed: the outer proof and the embedded check both fail.
    report = verify(api, tampered)
    assert report["verified"] is False and {"proof", "embedded"} <= failed(report)
    # Re-signed by the issuer over the tampered copy: only the embedded check can tell.
    resigned = resign_with_app_key(local_app, tampered)
    report = verify(api, resigned)
    assert report["verified"] is False and failed(report) == {"embedded"}
    message = check(report, "embedded")["message"]
    assert "verifiableCredential[0]" in message and "proof" in message


def test_an_embedded_credential_about_someone_else_fails_the_record(
    local_app: Flask, api: FlaskClient, l9: str, l5_record: tuple[Document, list[Document]]
) -> None:
    clr, _ = l5_record
    foreign = issued_kind(api, l9, "epa", "BAZ-3")  # validly signed, but about DEMO-L9
    mixed = copy.deepcopy(clr)
    mixed["credentialSubject"]["verifiableCredential"].append(foreign)
    report = verify(api, resign_with_app_key(local_app, mixed))
    assert report["verified"] is False and failed(report) == {"embedded"}
    assert "is not the CLR subject" in check(report, "embedded")["message"]


def test_a_revoked_credential_is_left_out_and_the_record_is_partial(api: FlaskClient) -> None:
    learner = new_learner(api, "Gedeeltelijk")
    add_evidence(api, learner, ["VV:B1-K2-W1", "VV:B1-K2-W2", "AV:NL-2F"])
    kept, revoked = issued(api, learner, "BC-VV-B1K2"), issued(api, learner, "AV-NL-2F")
    whole = record(api, learner)
    assert {c["id"] for c in whole["credentialSubject"]["verifiableCredential"]} == {
        kept["id"],
        revoked["id"],
    }
    assert whole.get("partial") in (None, False)
    response = api.post(
        f"/api/credentials/{credential_key(revoked)}/revoke", json={"reason": "fout"}
    )
    assert response.status_code == 200
    partial = record(api, learner)
    assert [c["id"] for c in partial["credentialSubject"]["verifiableCredential"]] == [kept["id"]]
    assert [a["id"] for a in partial["credentialSubject"]["achievement"]] == [unit_id("BC-VV-B1K2")]
    assert partial["partial"] is True
    assert verify(api, partial)["verified"] is True
    # The earlier record, which embeds the now revoked credential, no longer verifies.
    report = verify(api, whole)
    assert report["verified"] is False and "embedded" in failed(report)
    assert "revoked" in check(report, "embedded")["message"]


def test_a_suspended_credential_stays_in_the_record_but_fails_its_verification(
    api: FlaskClient,
) -> None:
    learner = new_learner(api, "Geschorst")
    add_evidence(api, learner, ["AV:REK-2F"])
    vc = issued(api, learner, "AV-REK-2F")
    assert (
        api.post(
            f"/api/credentials/{credential_key(vc)}/suspend", json={"reason": "onderzoek"}
        ).status_code
        == 200
    )
    clr = record(api, learner)
    assert [c["id"] for c in clr["credentialSubject"]["verifiableCredential"]] == [vc["id"]]
    report = verify(api, clr)
    assert report["verified"] is False and "suspended" in check(report, "embedded")["message"]
    assert (
        api.post(
            f"/api/credentials/{credential_key(vc)}/unsuspend", json={"reason": "klaar"}
        ).status_code
        == 200
    )
    assert verify(api, clr)["verified"] is True


def test_a_learner_without_credentials_has_no_record(api: FlaskClient) -> None:
    assert_problem(api.get(f"/api/learners/{new_learner(api, 'Leeg')}/record"), 409)


def test_a_learner_whose_only_credential_is_revoked_has_no_record(api: FlaskClient) -> None:
    learner = new_learner(api, "Alles ingetrokken")
    add_evidence(api, learner, ["AV:LB"])
    vc = issued(api, learner, "AV-LB")
    assert (
        api.post(
            f"/api/credentials/{credential_key(vc)}/revoke", json={"reason": "fout"}
        ).status_code
        == 200
    )
    assert_problem(api.get(f"/api/learners/{learner}/record"), 409)


def test_an_unknown_learners_record_is_a_404(api: FlaskClient) -> None:
    assert_problem(api.get("/api/learners/ln-nobody/record"), 404)
