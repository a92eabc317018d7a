"""Clear verdicts: every check of POST /api/verify has a machine code and Dutch and English text.

The status check says ``revoked`` or ``suspended`` (for our own credentials with the date and
the reason from the status history) or ``unreachable`` when a status list cannot be read;
the pages show the Dutch messages only.
"""

from __future__ import annotations

import copy
import datetime as dt
import html
import json
import re
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from flask import Flask
from flask.testing import FlaskClient

from app.domain.credentials.did_key import did_key_from_public_key, did_key_verification_method
from app.domain.credentials.proof import add_proof
from app.extensions import db
from app.request_context import credential_environment
from app.services import credentials
from app.services.status import dutch_date
from tests.helpers import credential_id, issue, learner_id

Document = dict[str, Any]
KEBAB = re.compile(r"^[a-z]+(-[a-z]+)*$")
REASON = "Fraude bij het examen"


# --- helpers ----------------------------------------------------------------------------------


def verify(client: FlaskClient, document: Any) -> Document:
    response = client.post("/api/verify", json=document)
    assert response.status_code == 200, response.get_data(as_text=True)
    report: Document = response.get_json()
    for check in report["checks"]:
        assert KEBAB.match(check["code"]), check
        assert check["message"] == check["message_en"] and check["message_en"], check
        assert isinstance(check["message_nl"], str) and check["message_nl"], check
        assert check["message_nl"] != check["message_en"], check
    return report


def checks(report: Document) -> dict[str, Document]:
    return {c["check"]: c for c in report["checks"]}


def codes(report: Document) -> dict[str, str]:
    return {c["check"]: c["code"] for c in report["checks"]}


def unsigned(document: Document) -> Document:
    doc = copy.deepcopy(document)
    doc.pop("proof", None)
    return doc


def resign(application: Flask, document: Document) -> Document:
    """Sign a changed document with the institution's own key, so only the change can fail."""
    with application.app_context():
        env = credential_environment()
        key = env.issuers.keys.active("MBO-ZW")
        assert key is not None
        signed = credentials.sign(env, unsigned(document), key)
        db.session.remove()
    return signed


def status_entries(document: Document) -> list[Document]:
    entries = document["credentialStatus"]
    return entries if isinstance(entries, list) else [entries]  # type: ignore[no-any-return]


def change_status(client: FlaskClient, document: Document, action: str) -> Document:
    response = client.post(
        f"/api/credentials/{credential_id(document)}/{action}", json={"reason": REASON}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    event = response.get_json()["history"][-1]
    assert event["reason"] == REASON
    return event  # type: ignore[no-any-return]


def page_text(body: str) -> str:
    text = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", html.unescape(text))


@pytest.fixture
def credential(seeded: FlaskClient) -> Document:
    return issue(seeded, learner_id(seeded, "DEMO-L5"))


# --- codes and both languages -----------------------------------------------------------------


def test_a_valid_credential_has_a_code_and_both_languages_per_check(
    seeded: FlaskClient, credential: Document
) -> None:
    report = verify(seeded, credential)
    assert report["verified"] is True
    assert codes(report) == {
        "context": "valid",
        "proof": "valid",
        "issuer": "trusted-issuer",
        "validity": "valid",
        "schema": "valid",
        "status": "active",
    } | ({"holder": codes(report)["holder"]} if "holder" in codes(report) else {})
    found = checks(report)
    assert report["issuer"]["name"] in found["issuer"]["message_nl"]
    assert "vertrouwt" in found["issuer"]["message_nl"]
    assert found["status"]["message_nl"].startswith("Niet ingetrokken")


def test_a_tampered_credential_has_a_bad_signature(
    seeded: FlaskClient, credential: Document
) -> None:
    tampered = copy.deepcopy(credential)
    tampered["name"] = "Iets anders"
    report = verify(seeded, tampered)
    assert report["verified"] is False
    proof = checks(report)["proof"]
    assert (proof["ok"], proof["code"]) == (False, "bad-signature")
    assert "signature does not match" in proof["message_en"]
    assert "veranderd" in proof["message_nl"]


def test_a_credential_without_proof_says_no_proof(
    seeded: FlaskClient, credential: Document
) -> None:
    report = verify(seeded, unsigned(credential))
    assert codes(report)["proof"] == "no-proof"
    assert codes(report)["issuer"] == "no-proof"


def test_an_unknown_issuer(seeded: FlaskClient, credential: Document) -> None:
    private = Ed25519PrivateKey.generate()
    did = did_key_from_public_key(private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))
    document = unsigned(credential)
    document["issuer"] = {**document["issuer"], "id": did}
    with seeded.application.app_context():
        forged = add_proof(
            document,
            sign=private.sign,
            verification_method=did_key_verification_method(did),
            loader=credential_environment().loader,
            created="2025-01-01T00:00:00Z",
        )
        db.session.remove()
    report = verify(seeded, forged)
    assert report["verified"] is False
    issuer = checks(report)["issuer"]
    assert (issuer["ok"], issuer["code"]) == (False, "unknown-issuer")
    assert "geen instelling van dit register" in issuer["message_nl"]
    assert "unknown issuer" in issuer["message_en"]


def test_an_expired_credential(seeded: FlaskClient, credential: Document) -> None:
    document = unsigned(credential)
    document["validFrom"] = "2020-01-01T00:00:00Z"
    document["validUntil"] = "2021-01-01T00:00:00Z"
    report = verify(seeded, resign(seeded.application, document))
    found = checks(report)
    assert found["proof"]["ok"] and found["issuer"]["ok"], report
    assert report["verified"] is False
    validity = found["validity"]
    assert (validity["ok"], validity["code"]) == (False, "expired")
    assert validity["message_nl"] == "Verlopen: geldig tot 2021-01-01T00:00:00Z."
    assert validity["message_en"].startswith("expired: validUntil 2021-01-01T00:00:00Z")


# --- status: revoked, suspended, unreachable --------------------------------------------------


@pytest.mark.parametrize(
    ("action", "code", "english", "dutch"),
    [
        ("revoke", "revoked", "the credential is revoked", "ingetrokken"),
        ("suspend", "suspended", "the credential is suspended", "geschorst"),
    ],
)
def test_the_status_check_names_revoked_or_suspended_with_date_and_reason(
    seeded: FlaskClient, credential: Document, action: str, code: str, english: str, dutch: str
) -> None:
    event = change_status(seeded, credential, action)
    at = dt.datetime.fromisoformat(event["at"])
    report = verify(seeded, credential)
    assert report["verified"] is False
    status = checks(report)["status"]
    assert (status["ok"], status["code"]) == (False, code)
    assert status["message_en"] == f"{english} since {at.date().isoformat()}; reason: {REASON}"
    assert status["message_nl"] == (
        f"Het credential is op {dutch_date(at)} {dutch} door de uitgever. Reden: {REASON}."
    )
    # Every other check still passes: only the status is wrong.
    assert [c["check"] for c in report["checks"] if not c["ok"]] == ["status"]


@pytest.mark.parametrize(
    "list_url",
    ["https://elders.example/status/lijst-1", "{base}/status/no-such-list"],
    ids=["another host", "unknown list here"],
)
def test_a_status_list_that_cannot_be_read_is_unreachable_never_valid(
    seeded: FlaskClient, credential: Document, list_url: str
) -> None:
    base = seeded.application.config["LEERLIJN_BASE_URL"]
    url = list_url.format(base=base)
    document = unsigned(credential)
    for entry in status_entries(document):
        entry["statusListCredential"] = url
        entry["id"] = f"{url}#{entry['statusListIndex']}"
    report = verify(seeded, resign(seeded.application, document))
    found = checks(report)
    assert found["proof"]["ok"] and found["issuer"]["ok"], report
    assert report["verified"] is False
    status = found["status"]
    assert (status["ok"], status["code"]) == (False, "unreachable")
    assert url in status["message_en"] and "not available" in status["message_en"]
    assert status["message_nl"].startswith("De status kon niet worden gecontroleerd")


# --- pages: Dutch only ------------------------------------------------------------------------


def test_the_verify_page_shows_the_dutch_reason_of_a_revocation_and_no_english(
    seeded: FlaskClient, credential: Document
) -> None:
    event = change_status(seeded, credential, "revoke")
    at = dt.datetime.fromisoformat(event["at"])
    response = seeded.post("/verifieren", data={"credential": json.dumps(credential)})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'lang="en"' not in body
    text = page_text(body)
    assert "niet geldig" in text
    assert (
        f"Reden: Het credential is op {dutch_date(at)} ingetrokken door de uitgever."
        f" Reden: {REASON}."
    ) in text
    assert "ingetrokken door de uitgever: het geldt niet meer" in text
    assert "the credential is revoked" not in text
    assert "signature" not in text and "verified" not in text


def test_the_credential_page_shows_dutch_reasons_only(
    seeded: FlaskClient, credential: Document
) -> None:
    change_status(seeded, credential, "suspend")
    response = seeded.get(f"/credentials/{credential_id(credential)}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'lang="en"' not in body
    text = page_text(body)
    assert f"geschorst door de uitgever. Reden: {REASON}." in text
    assert "the credential is suspended" not in text
    assert "eddsa-rdfc-2022 proof verified" not in text
