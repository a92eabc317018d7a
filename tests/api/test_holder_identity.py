"""Holder identity (#13): hashed IdentityObjects in every credential, and the `holder` check.

Every unit, EPA and diploma credential carries in ``credentialSubject.identifier`` one OB 3.0
``IdentityObject`` for the learner's name and, when the registry knows it, one for their e-mail:
``identityHash = "sha256$" + hex(sha256(normalised value + salt))``, each with its own salt.
``POST /api/verify`` with ``{"credential", "holder": {"name", "email"}}`` says whether the
person in front of the employer is the holder; ``/verifieren`` has the same fields.
"""

from __future__ import annotations

import copy
import hashlib
import json
import unicodedata
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.request_context import credential_environment
from app.services import verification
from tests.api.test_credentials import (
    assert_problem,
    dispose,
    held,
    learner_id,
    make_seeded_app,
    new_holder,
    verify,
)
from tests.helpers import admin_client

Document = dict[str, Any]
NAME = "Sanne  van der Berg"  # two spaces: stored as given, hashed normalised
EMAIL = "Sanne.vdBerg@Example.org"


def sha256_identity(value: str, salt: str) -> str:
    return "sha256$" + hashlib.sha256((value + salt).encode("utf-8")).hexdigest()


def identifiers(document: Document) -> dict[str, Document]:
    found = document["credentialSubject"]["identifier"]
    by_type = {i["identityType"]: i for i in found}
    assert len(by_type) == len(found), "one IdentityObject per identifier"
    return by_type


def holder_check(report: Document) -> Document:
    checks = [c for c in report["checks"] if c["check"] == "holder"]
    assert len(checks) == 1, report
    return checks[0]


def verify_as(client: FlaskClient, document: Document, **holder: str) -> Document:
    return verify(client, {"credential": document, "holder": holder})


@pytest.fixture(scope="module")
def holder_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    application = make_seeded_app(tmp_path_factory.mktemp("holder") / "keys")
    yield application
    dispose(application)


@pytest.fixture
def api(holder_app: Flask) -> FlaskClient:
    return admin_client(holder_app)


@pytest.fixture(scope="module")
def sanne(holder_app: Flask) -> str:
    """A learner with an e-mail address and the evidence for BC-VV-B1K1."""
    client = admin_client(holder_app)
    learner = new_holder(client, "BC-VV-B1K1", name=NAME)
    response = client.patch(f"/api/learners/{learner}", json={"email": EMAIL})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["email"] == EMAIL
    return learner


@pytest.fixture(scope="module")
def unit_vc(holder_app: Flask, sanne: str) -> Document:
    return held(admin_client(holder_app), sanne, "BC-VV-B1K1")


# --- what is issued -----------------------------------------------------------------------------


def test_unit_credential_carries_hashed_name_and_email(unit_vc: Document) -> None:
    found = identifiers(unit_vc)
    assert set(found) == {"name", "emailAddress"}
    for identity in found.values():
        assert identity["type"] == "IdentityObject" and identity["hashed"] is True
        assert set(identity) == {"type", "identityHash", "identityType", "hashed", "salt"}
        assert len(identity["salt"]) >= 32
    name, email = found["name"], found["emailAddress"]
    # the documented normalisation: NFC, trimmed, whitespace collapsed, case-folded / lower-cased
    assert name["identityHash"] == sha256_identity("sanne van der berg", name["salt"])
    assert email["identityHash"] == sha256_identity("sanne.vdberg@example.org", email["salt"])
    assert name["salt"] != email["salt"], "each IdentityObject has its own salt"
    assert NAME not in json.dumps(unit_vc) and "vdBerg" not in json.dumps(unit_vc).lower()


def test_salts_differ_between_credentials(sanne: str, api: FlaskClient) -> None:
    first = identifiers(held(api, sanne, "BC-VV-B1K1"))["name"]
    other = new_holder(api, "BC-VV-B1K1", name=NAME)
    second = identifiers(held(api, other, "BC-VV-B1K1"))["name"]
    assert first["salt"] != second["salt"] and first["identityHash"] != second["identityHash"]


def test_no_email_object_without_an_email(api: FlaskClient) -> None:
    learner = new_holder(api, "BC-VV-B1K1", name="Zonder Mail")
    assert api.get(f"/api/learners/{learner}").get_json()["email"] is None
    found = identifiers(held(api, learner, "BC-VV-B1K1"))
    assert set(found) == {"name"}
    assert found["name"]["identityHash"] == sha256_identity("zonder mail", found["name"]["salt"])


def test_epa_and_diploma_credentials_carry_the_name(api: FlaskClient) -> None:
    l9, l5 = learner_id(api, "DEMO-L9"), learner_id(api, "DEMO-L5")
    for learner, code, kind in ((l9, "BAZ-1", "epa"), (l5, "Q-VIG", "qualification")):
        vc = held(api, learner, code, kind)
        stored_name = api.get(f"/api/learners/{learner}").get_json()["name"]
        name = identifiers(vc)["name"]
        normalised = " ".join(unicodedata.normalize("NFC", stored_name).split()).casefold()
        assert name["identityHash"] == sha256_identity(normalised, name["salt"]), kind
        report = verify_as(api, vc, name=stored_name.upper())
        assert report["verified"] is True, report
        assert holder_check(report)["message"].startswith("match")


def test_issued_credentials_pass_the_ob3_json_schema(holder_app: Flask, unit_vc: Document) -> None:
    with holder_app.app_context():
        assert verification.schema_errors(credential_environment(), unit_vc) == []


def test_learner_email_is_validated_and_can_be_given_at_creation(api: FlaskClient) -> None:
    bad = api.post("/api/learners", json={"name": "X", "email": "geen-adres"})
    assert_problem(bad, 422)
    made = api.post("/api/learners", json={"name": "Met Mail", "email": "m@example.org"})
    assert made.status_code == 201 and made.get_json()["email"] == "m@example.org"
    learner = made.get_json()["id"]
    assert_problem(api.patch(f"/api/learners/{learner}", json={"email": "nee"}), 422)
    cleared = api.patch(f"/api/learners/{learner}", json={"email": None})
    assert cleared.status_code == 200 and cleared.get_json()["email"] is None


# --- the holder check ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", [NAME, "Sanne van der Berg", "  sanne VAN DER berg ", "SANNE\tvan der\nBerg"]
)
def test_matching_name_variants(api: FlaskClient, unit_vc: Document, name: str) -> None:
    report = verify_as(api, unit_vc, name=name)
    check = holder_check(report)
    assert check["ok"] is True and check["message"].startswith("match"), check
    assert report["verified"] is True


def test_nfc_and_nfd_spellings_match(api: FlaskClient) -> None:
    learner = new_holder(api, "BC-VV-B1K1", name="Zoë Müller")  # NFC as typed here
    vc = held(api, learner, "BC-VV-B1K1")
    decomposed = unicodedata.normalize("NFD", "Zoë Müller")
    assert decomposed != "Zoë Müller"
    assert holder_check(verify_as(api, vc, name=decomposed))["ok"] is True
    assert holder_check(verify_as(api, vc, name="Zoe Muller"))["ok"] is False  # accents count


def test_other_name_is_no_match_and_not_verified(api: FlaskClient, unit_vc: Document) -> None:
    report = verify_as(api, unit_vc, name="Sanne van den Berg")
    check = holder_check(report)
    assert check["ok"] is False and check["message"].startswith("no-match"), check
    assert report["verified"] is False
    assert [c["check"] for c in report["checks"] if not c["ok"]] == ["holder"]


def test_email_match_and_mismatch(api: FlaskClient, unit_vc: Document) -> None:
    match = verify_as(api, unit_vc, email="  SANNE.VDBERG@example.ORG ")
    assert holder_check(match)["ok"] is True and match["verified"] is True
    assert "e-mail" in holder_check(match)["message"]
    other = verify_as(api, unit_vc, email="sanne@example.org")
    assert holder_check(other)["message"].startswith("no-match") and other["verified"] is False
    either = verify_as(api, unit_vc, name="Iemand Anders", email=EMAIL)
    assert holder_check(either)["ok"] is True  # one identifier that matches is enough


def test_without_holder_it_is_not_checked_and_the_verdict_unchanged(
    api: FlaskClient, unit_vc: Document
) -> None:
    plain = verify(api, unit_vc)
    wrapped = verify(api, {"credential": unit_vc})
    blank = verify_as(api, unit_vc, name="  ", email="")
    for report in (plain, wrapped, blank):
        check = holder_check(report)
        assert check["ok"] is True and check["message"].startswith("not-checked"), check
        assert "no holder" in check["message"]
        assert report["verified"] is True


def test_a_tampered_identifier_fails_the_proof_not_silently(
    api: FlaskClient, unit_vc: Document
) -> None:
    tampered = copy.deepcopy(unit_vc)
    tampered["credentialSubject"]["identifier"][0]["identityHash"] = sha256_identity(
        "iemand anders", tampered["credentialSubject"]["identifier"][0]["salt"]
    )
    report = verify_as(api, tampered, name="Iemand Anders")
    assert holder_check(report)["ok"] is True  # the hash matches the forged name ...
    assert report["verified"] is False  # ... but the signature does not
    assert {c["check"] for c in report["checks"] if not c["ok"]} == {"proof"}


def test_bad_holder_is_a_422(api: FlaskClient, unit_vc: Document) -> None:
    assert_problem(api.post("/api/verify", json={"credential": unit_vc, "holder": "x"}), 422)
    bad = {"credential": unit_vc, "holder": {"name": 5}}
    assert_problem(api.post("/api/verify", json=bad), 422)


def test_a_record_without_identifiers_is_not_checked(api: FlaskClient, sanne: str) -> None:
    record = api.get(f"/api/learners/{sanne}/record")
    assert record.status_code == 200, record.get_data(as_text=True)
    report = verify_as(api, record.get_json(), name=NAME)
    check = holder_check(report)
    assert check["ok"] is True and check["message"].startswith("not-checked"), check
    assert report["verified"] is True, report


# --- the page -----------------------------------------------------------------------------------


def _page(client: FlaskClient, document: Document, **form: str) -> str:
    response = client.post("/verifieren", data={"credential": json.dumps(document), **form})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def test_form_has_labelled_holder_fields(api: FlaskClient) -> None:
    body = api.get("/verifieren").get_data(as_text=True)
    assert '<label for="houder_naam">Naam van de sollicitant</label>' in body
    assert '<label for="houder_email">E-mailadres van de sollicitant</label>' in body
    assert 'id="houder_naam" name="houder_naam"' in body
    assert 'name="csrf_token"' in body


def test_page_with_matching_and_other_name(api: FlaskClient, unit_vc: Document) -> None:
    body = _page(api, unit_vc, houder_naam=" sanne van der BERG")
    assert "De naam komt overeen met de houder van dit credential." in body
    assert "<strong>geldig</strong>" in body and "niet geldig" not in body
    assert '<strong>Houder</strong>: <span class="check-result">in orde</span>' in body
    body = _page(api, unit_vc, houder_naam="Piet Jansen")
    assert "De naam komt niet overeen met de houder van dit credential." in body
    assert "<strong>niet geldig</strong>" in body
    assert '<strong>Houder</strong>: <span class="check-result">niet in orde</span>' in body
    assert "no-match" not in body  # Dutch only


def test_page_without_holder_says_not_checked(api: FlaskClient, unit_vc: Document) -> None:
    body = _page(api, unit_vc)
    assert "Niet gecontroleerd" in body and "<strong>geldig</strong>" in body
    body = _page(api, unit_vc, houder_email="sanne.vdberg@example.org")
    assert "Het e-mailadres komt overeen met de houder van dit credential." in body


def test_erasure_clears_the_email(api: FlaskClient) -> None:
    learner = new_holder(api, "BC-VV-B1K1", name="Te Wissen Mail")
    api.patch(f"/api/learners/{learner}", json={"email": "wis@example.org"})
    trail = api.get("/api/audit", query_string={"entity": "learner", "id": learner}).get_json()
    assert trail["items"] and "wis@example.org" not in json.dumps(trail)  # personal data
    response = api.post(f"/api/learners/{learner}/erase", json={"reason": "verzoek"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert api.get(f"/api/learners/{learner}").get_json()["email"] is None
