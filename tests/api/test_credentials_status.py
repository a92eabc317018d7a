"""Credential status through HTTP: Bitstring Status Lists, revoke / suspend / unsuspend, verify.

Every issued credential names one ``revocation`` ``BitstringStatusListEntry``; its
``suspension`` bit is kept by the registry (listed by ``/api/credentials/{id}/status``) and
checked by this registry's verifier. The lists are served signed at ``/status/{list}`` and re-signed
when a bit changes. The encoded lists are decoded here with the standard library only (GZIP +
multibase base64url), not with the app's own decoder.

Uses the module-scoped seeded apps of ``tests/api/test_credentials.py`` (did:key and did:web);
each test issues its own credentials, so the tests do not depend on each other.
"""

# ruff: noqa: F811  (local_app and web_app are fixtures imported from tests/api/test_credentials.py)

from __future__ import annotations

import base64
import gzip
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.api.test_credentials import (  # noqa: F401  (module-scoped app fixtures)
    LOCAL_BASE,
    VC,
    WEB_BASE,
    assert_problem,
    credential_key,
    failed,
    issued,
    learner_id,
    local_app,
    new_holder,
    verify,
    web_app,
)
from tests.helpers import admin_client

Document = dict[str, Any]
MIN_ENTRIES = 131_072
UNITS = ["BC-VV-B1K1", "BC-VV-B1K2", "BC-VV-B1K3", "AV-NL-2F", "AV-REK-2F", "AV-LB"]
UNKNOWN = "00000000-0000-4000-8000-000000000000"


# --- helpers ----------------------------------------------------------------------------------


def decode_list(encoded: str) -> bytes:
    """The bitstring of an ``encodedList``: multibase 'u' (base64url, no padding) of GZIP."""
    assert isinstance(encoded, str) and encoded.startswith("u"), encoded[:10]
    body = encoded[1:]
    assert "=" not in body
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def bit(bits: bytes, index: int) -> bool:
    """Bit `index`, 0 being the most significant bit of the first byte (the spec's order)."""
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def entry(client: FlaskClient, credential: Document, purpose: str) -> Document:
    """The credential's status entry for `purpose`: the revocation entry is the one the
    credential names; the suspension entry is kept by the registry and listed by
    ``GET /api/credentials/{id}/status`` (staff and the holder see it)."""
    named = credential["credentialStatus"]
    if named["statusPurpose"] == purpose:
        return named  # type: ignore[no-any-return]
    [found] = [e for e in state(client, credential)["entries"] if e["purpose"] == purpose]
    url, index = found["statusListCredential"], found["statusListIndex"]
    return {"statusListCredential": url, "statusListIndex": index, "statusPurpose": purpose}


def status_list(client: FlaskClient, url: str) -> Document:
    response = client.get(urlsplit(url).path)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == VC
    return response.get_json(force=True)  # type: ignore[no-any-return]


def flagged(client: FlaskClient, credential: Document, purpose: str) -> bool:
    """Whether the credential's bit for `purpose` is set in the list as served now."""
    item = entry(client, credential, purpose)
    served = status_list(client, item["statusListCredential"])
    return bit(
        decode_list(served["credentialSubject"]["encodedList"]), int(item["statusListIndex"])
    )


def change(
    client: FlaskClient, credential: Document | str, action: str, reason: str | None = "test"
) -> Any:
    key = credential if isinstance(credential, str) else credential_key(credential)
    body = {} if reason is None else {"reason": reason}
    return client.post(f"/api/credentials/{key}/{action}", json=body)


def changed_ok(client: FlaskClient, credential: Document, action: str, reason: str) -> Document:
    response = change(client, credential, action, reason)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()  # type: ignore[no-any-return]


def state(client: FlaskClient, credential: Document) -> Document:
    response = client.get(f"/api/credentials/{credential_key(credential)}/status")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()  # type: ignore[no-any-return]


def status_message(report: Document) -> str:
    return next(c["message"] for c in report["checks"] if c["check"] == "status")


class Issuer:
    """Issues a new unit certificate per call: units in turn, to a new learner holding them all
    whenever they ran out (issuing a held achievement again answers the credential held)."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.count = 0
        self.learner = ""

    def __call__(self) -> Document:
        if self.count % len(UNITS) == 0:
            self.learner = new_holder(self.client, *UNITS)
        unit = UNITS[self.count % len(UNITS)]
        self.count += 1
        return issued(self.client, self.learner, unit)


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def api(local_app: Flask) -> FlaskClient:
    return admin_client(local_app)


@pytest.fixture
def web(web_app: Flask) -> FlaskClient:
    return admin_client(web_app)


@pytest.fixture
def new_credential(api: FlaskClient) -> Issuer:
    return Issuer(api)


# --- status entries and lists -----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["unit", "epa"])
def test_every_issued_credential_names_one_revocation_entry_and_the_registry_keeps_its_suspension(
    api: FlaskClient, kind: str
) -> None:
    if kind == "unit":
        credential = issued(api, learner_id(api, "DEMO-L5"), "BC-VV-B1K1")
    else:
        response = api.post(
            "/api/credentials",
            json={
                "learner": learner_id(api, "DEMO-L9"),
                "achievement": {"type": "epa", "code": "BAZ-1"},
            },
        )
        assert response.status_code == 201, response.get_data(as_text=True)
        credential = response.get_json()
    # One status object, as the OB 3.0 schema allows: the revocation entry.
    named = credential["credentialStatus"]
    assert isinstance(named, dict) and named["statusPurpose"] == "revocation"
    assert named["type"] == "BitstringStatusListEntry"
    listed = state(api, credential)["entries"]
    assert sorted(e["purpose"] for e in listed) == ["revocation", "suspension"]
    assert {e["purpose"]: e["named_in_credential"] for e in listed} == {
        "revocation": True,
        "suspension": False,
    }
    for purpose in ("revocation", "suspension"):
        item = entry(api, credential, purpose)
        url = item["statusListCredential"]
        assert url.startswith(f"{LOCAL_BASE}/status/")
        assert item["statusListIndex"].isdigit() and 0 <= int(item["statusListIndex"]) < MIN_ENTRIES
    assert named["id"] == f"{named['statusListCredential']}#{named['statusListIndex']}"
    # One list per purpose.
    assert (
        entry(api, credential, "revocation")["statusListCredential"]
        != entry(api, credential, "suspension")["statusListCredential"]
    )
    # The entry is part of what is signed, and the credential verifies with both bits checked.
    report = verify(api, credential)
    assert report["verified"] is True
    assert "status" in [c["check"] for c in report["checks"]]
    assert "not revoked" in status_message(report) and "not suspended" in status_message(report)


@pytest.mark.parametrize("mode", ["did:key", "did:web"])
def test_the_status_list_is_a_signed_list_of_the_same_issuer_with_at_least_131072_entries(
    request: pytest.FixtureRequest, mode: str
) -> None:
    client: FlaskClient = request.getfixturevalue("api" if mode == "did:key" else "web")
    base = LOCAL_BASE if mode == "did:key" else WEB_BASE
    credential = issued(client, learner_id(client, "DEMO-L5"), "AV-NL-2F")
    for purpose in ("revocation", "suspension"):
        item = entry(client, credential, purpose)
        served = status_list(client, item["statusListCredential"])
        assert served["id"] == item["statusListCredential"]
        assert served["id"].startswith(f"{base}/status/")
        assert "BitstringStatusListCredential" in served["type"]
        assert "VerifiableCredential" in served["type"]
        issuer = served["issuer"] if isinstance(served["issuer"], str) else served["issuer"]["id"]
        assert issuer == credential["issuer"]["id"]
        subject = served["credentialSubject"]
        assert subject["type"] == "BitstringStatusList" and subject["statusPurpose"] == purpose
        bits = decode_list(subject["encodedList"])
        assert len(bits) * 8 >= MIN_ENTRIES
        assert bit(bits, int(item["statusListIndex"])) is False
        # Signed by the issuer: our verifier accepts the list's proof and issuer.
        [proof] = served["proof"] if isinstance(served["proof"], list) else [served["proof"]]
        assert proof["verificationMethod"].partition("#")[0] == issuer
        report = verify(client, served)
        checks = {c["check"]: c for c in report["checks"]}
        assert checks["proof"]["ok"] and checks["issuer"]["ok"], report
        assert checks["context"]["ok"], report
        assert report["verified"] is True, report  # the OB 3.0 schema is not applied to a list


def test_status_indexes_are_random_not_sequential(api: FlaskClient, new_credential: Issuer) -> None:
    credentials = [new_credential() for _ in range(4)]
    for purpose in ("revocation", "suspension"):
        indexes = [int(entry(api, c, purpose)["statusListIndex"]) for c in credentials]
        assert len(set(indexes)) == len(indexes)
        steps = {b - a for a, b in zip(indexes, indexes[1:], strict=False)}
        assert steps != {1}, indexes  # not handed out one after another
        assert max(indexes) > 1000, indexes  # spread over the list, not packed at its start


def test_an_unknown_status_list_is_a_404(api: FlaskClient) -> None:
    assert_problem(api.get("/status/no-such-list"), 404)


# --- transitions ------------------------------------------------------------------------------


def test_suspend_then_unsuspend_makes_the_credential_active_again(
    api: FlaskClient, new_credential: Issuer
) -> None:
    credential = new_credential()
    assert {k: v for k, v in state(api, credential).items() if k != "entries"} == {
        "id": credential_key(credential),
        "status": "active",
        "revoked": False,
        "suspended": False,
        "history": [],
    }
    suspension_url = entry(api, credential, "suspension")["statusListCredential"]
    before = status_list(api, suspension_url)

    body = changed_ok(api, credential, "suspend", "Onderzoek naar fraude")
    assert body["status"] == "suspended" and body["suspended"] is True and body["revoked"] is False
    assert flagged(api, credential, "suspension") and not flagged(api, credential, "revocation")
    during = status_list(api, suspension_url)
    assert during["credentialSubject"]["encodedList"] != before["credentialSubject"]["encodedList"]
    assert during["proof"] != before["proof"]  # re-signed
    report = verify(api, credential)
    assert report["verified"] is False and failed(report) == {"status"}
    assert "suspended" in status_message(report)
    # The re-signed list still passes our verifier's proof and issuer checks.
    list_report = {c["check"]: c["ok"] for c in verify(api, during)["checks"]}
    assert list_report["proof"] and list_report["issuer"]

    body = changed_ok(api, credential, "unsuspend", "Geen fraude gevonden")
    assert body["status"] == "active" and body["suspended"] is False and body["revoked"] is False
    assert not flagged(api, credential, "suspension")
    after = status_list(api, suspension_url)
    assert after["proof"] != during["proof"]
    assert after["credentialSubject"]["encodedList"] != during["credentialSubject"]["encodedList"]
    assert verify(api, credential)["verified"] is True
    assert [(h["action"], h["reason"]) for h in state(api, credential)["history"]] == [
        ("suspend", "Onderzoek naar fraude"),
        ("unsuspend", "Geen fraude gevonden"),
    ]


def test_suspending_twice_or_unsuspending_an_active_credential_is_a_409(
    api: FlaskClient, new_credential: Issuer
) -> None:
    credential = new_credential()
    assert_problem(change(api, credential, "unsuspend"), 409)
    assert state(api, credential)["status"] == "active" and not flagged(
        api, credential, "suspension"
    )
    changed_ok(api, credential, "suspend", "eerste keer")
    listed = status_list(api, entry(api, credential, "suspension")["statusListCredential"])
    assert_problem(change(api, credential, "suspend", "tweede keer"), 409)
    # A refused change leaves the list (and its proof) as it was.
    assert status_list(api, entry(api, credential, "suspension")["statusListCredential"]) == listed
    current = state(api, credential)
    assert current["status"] == "suspended"
    assert [h["reason"] for h in current["history"]] == ["eerste keer"]


def test_revoking_sets_the_revocation_bit_and_verify_says_revoked(
    api: FlaskClient, new_credential: Issuer
) -> None:
    credential, bystander = new_credential(), new_credential()
    revocation_url = entry(api, credential, "revocation")["statusListCredential"]
    assert (
        entry(api, bystander, "revocation")["statusListCredential"] == revocation_url
    )  # same list
    before = status_list(api, revocation_url)
    body = changed_ok(api, credential, "revoke", "Diploma ten onrechte uitgereikt")
    assert body["status"] == "revoked" and body["revoked"] is True
    assert flagged(api, credential, "revocation") and not flagged(api, credential, "suspension")
    after = status_list(api, revocation_url)
    assert after["proof"] != before["proof"]
    assert after["credentialSubject"]["encodedList"] != before["credentialSubject"]["encodedList"]
    old_bits = decode_list(before["credentialSubject"]["encodedList"])
    new_bits = decode_list(after["credentialSubject"]["encodedList"])
    changed_bytes = [n for n, (a, b) in enumerate(zip(old_bits, new_bits, strict=True)) if a != b]
    flipped = [
        i
        for n in changed_bytes
        for i in range(8 * n, 8 * n + 8)
        if bit(old_bits, i) != bit(new_bits, i)
    ]
    assert flipped == [int(entry(api, credential, "revocation")["statusListIndex"])]
    report = verify(api, credential)
    assert report["verified"] is False and failed(report) == {"status"}
    assert "revoked" in status_message(report)
    # The credential as stored and served is still the same signed document.
    assert api.get(f"/api/credentials/{credential_key(credential)}").get_json() == credential
    # Another credential on the same list is unaffected.
    assert verify(api, bystander)["verified"] is True


def test_a_revoked_credential_can_no_longer_change(
    api: FlaskClient, new_credential: Issuer
) -> None:
    credential = new_credential()
    changed_ok(api, credential, "revoke", "ingetrokken")
    lists = {
        p: status_list(api, entry(api, credential, p)["statusListCredential"])
        for p in ("revocation", "suspension")
    }
    for action in ("revoke", "suspend", "unsuspend"):
        assert_problem(change(api, credential, action, f"{action} na intrekking"), 409)
    for purpose, document in lists.items():
        assert status_list(api, entry(api, credential, purpose)["statusListCredential"]) == document
    current = state(api, credential)
    assert current["status"] == "revoked"
    assert [h["action"] for h in current["history"]] == ["revoke"]


def test_revoking_a_suspended_credential_revokes_it(
    api: FlaskClient, new_credential: Issuer
) -> None:
    credential = new_credential()
    changed_ok(api, credential, "suspend", "eerst geschorst")
    body = changed_ok(api, credential, "revoke", "daarna ingetrokken")
    assert body["status"] == "revoked" and body["revoked"] is True
    assert flagged(api, credential, "revocation")
    report = verify(api, credential)
    assert report["verified"] is False and "revoked" in status_message(report)
    assert_problem(change(api, credential, "unsuspend", "toch niet"), 409)
    assert_problem(change(api, credential, "suspend", "nog eens"), 409)
    assert state(api, credential)["status"] == "revoked"


def test_the_history_lists_every_change_with_its_reason_actor_and_time(
    api: FlaskClient, new_credential: Issuer
) -> None:
    credential = new_credential()
    steps = [
        ("suspend", "reden 1"),
        ("unsuspend", "reden 2"),
        ("suspend", "reden 3"),
        ("revoke", "reden 4"),
    ]
    for action, reason in steps:
        changed_ok(api, credential, action, reason)
    history = state(api, credential)["history"]
    assert [(h["action"], h["reason"]) for h in history] == steps
    assert all(h["by"] and h["at"] for h in history)
    assert [h["at"] for h in history] == sorted(h["at"] for h in history)
    # A refused change is not part of the history.
    assert_problem(change(api, credential, "revoke", "reden 5"), 409)
    assert len(state(api, credential)["history"]) == 4


@pytest.mark.parametrize(
    "body",
    [{}, {"reason": ""}, {"reason": None}, {"reason": 42}, {"reason": "ok", "extra": 1}, []],
)
@pytest.mark.parametrize("action", ["revoke", "suspend", "unsuspend"])
def test_a_status_change_needs_a_reason(
    api: FlaskClient, new_credential: Issuer, action: str, body: Any
) -> None:
    credential = new_credential()
    if action == "unsuspend":
        changed_ok(api, credential, "suspend", "voor de test")
    before = state(api, credential)
    assert_problem(
        api.post(f"/api/credentials/{credential_key(credential)}/{action}", json=body), 422
    )
    assert state(api, credential) == before


@pytest.mark.parametrize("action", ["revoke", "suspend", "unsuspend"])
def test_an_unknown_credential_is_a_404(api: FlaskClient, action: str) -> None:
    assert_problem(change(api, UNKNOWN, action, "onbekend"), 404)
    assert_problem(change(api, "nope", action, "onbekend"), 404)


def test_the_status_of_an_unknown_credential_is_a_404(api: FlaskClient) -> None:
    assert_problem(api.get(f"/api/credentials/{UNKNOWN}/status"), 404)


def test_did_web_revocation_and_suspension_fail_verification(web: FlaskClient) -> None:
    learner = learner_id(web, "DEMO-L5")
    revoked, suspended = issued(web, learner, "AV-REK-2F"), issued(web, learner, "AV-LB")
    changed_ok(web, revoked, "revoke", "ingetrokken")
    changed_ok(web, suspended, "suspend", "geschorst")
    for credential, word in ((revoked, "revoked"), (suspended, "suspended")):
        report = verify(web, credential)
        assert report["verified"] is False and failed(report) == {"status"}
        assert word in status_message(report)
        served = status_list(
            web,
            entry(web, credential, "revocation" if word == "revoked" else "suspension")[
                "statusListCredential"
            ],
        )
        checks = {c["check"]: c["ok"] for c in verify(web, served)["checks"]}
        assert checks["proof"] and checks["issuer"]
    changed_ok(web, suspended, "unsuspend", "opgeheven")
    assert verify(web, suspended)["verified"] is True
