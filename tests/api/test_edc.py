"""European Digital Credentials over HTTP, and the institutions' legal data behind them.

``GET /api/credentials/{id}/edc`` answers the credential as a signed EDC that conforms to the
EDC shapes (pyshacl), that ``POST /api/verify`` accepts, that fails when altered and that fails
once the credential is revoked (it is the same credential: same id, status IRI). The public
page offers it at ``/credentials/{id}.edc.json``. ``PUT /api/institutions/{code}/legal`` is an
admin's, refuses malformed fields one by one (422 naming the field) and is audited.
"""

# ruff: noqa: F811  (local_app is a fixture imported from tests/api/test_credentials.py)

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.adapters.jsonld import OfflineDocumentLoader, load_context_documents, make_document_loader
from tests.api.test_credentials import (  # noqa: F401  (module-scoped app fixture)
    held,
    learner_id,
    local_app,
    new_holder,
    verify,
)
from tests.domain.test_edc import shacl
from tests.helpers import admin_client, credential_id, signed_in_client

CONTEXTS = Path(__file__).resolve().parents[2] / "schemas" / "contexts"
EDC_CONTEXTS = [
    "https://www.w3.org/2018/credentials/v1",
    "http://data.europa.eu/snb/model/context/edc-ap",
]
SEED_LEGAL = {
    "legal_name": "Stichting ROC Zorg & Welzijn",
    "kvk_number": "90000012",
    "street_address": "Zorgplein 1",
    "postal_code": "3511 AB",
    "locality": "Utrecht",
    "country_code": "NL",
    "homepage": "https://roc-zorg-welzijn.example",
}

Document = dict[str, Any]


@pytest.fixture(scope="module")
def loader() -> OfflineDocumentLoader:
    return make_document_loader(load_context_documents(CONTEXTS))


@pytest.fixture
def api(local_app: Flask) -> Iterator[FlaskClient]:
    client = admin_client(local_app)
    yield client
    # Tests that change MBO-ZW's legal data put the seed's back.
    assert client.put("/api/institutions/MBO-ZW/legal", json=SEED_LEGAL).status_code == 200


def edc_of(client: FlaskClient, credential: Document) -> Document:
    response = client.get(f"/api/credentials/{credential_id(credential)}/edc")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()  # type: ignore[no-any-return]


def checks(report: Document) -> dict[str, Document]:
    return {c["check"]: c for c in report["checks"]}


KINDS = {
    "BC unit": ("DEMO-L5", "BC-VV-B1K1", "unit"),
    "VC unit": ("DEMO-L5", "VC-DEMO-02", "unit"),
    "AV unit": ("DEMO-L5", "AV-NL-2F", "unit"),
    "EPA": ("DEMO-L9", "BAZ-1", "epa"),
    "diploma": ("DEMO-L5", "Q-VIG", "qualification"),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_is_a_signed_edc_that_conforms_and_verifies(
    api: FlaskClient, loader: OfflineDocumentLoader, kind: str
) -> None:
    learner, code, achievement = KINDS[kind]
    credential = held(api, learner_id(api, learner), code, kind=achievement)
    edc = edc_of(api, credential)
    assert edc["@context"][:2] == EDC_CONTEXTS
    assert edc["type"] == ["VerifiableCredential", "EuropeanDigitalCredential"]
    assert edc["id"] == credential["id"]
    assert edc["issuer"]["id"] == credential["issuer"]["id"]
    assert edc["issuer"]["legalName"] == {"nl": SEED_LEGAL["legal_name"]}
    assert edc["issuer"]["eIDASIdentifier"]["notation"] == SEED_LEGAL["kvk_number"]
    assert edc["credentialStatus"]["@value"] == credential["credentialStatus"]["id"]
    spec = edc["credentialSubject"]["hasClaim"]["specifiedBy"]
    assert spec["type"] == (
        "Qualification" if achievement == "qualification" else "LearningAchievementSpecification"
    )
    assert edc["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    conforms, text = shacl(edc, loader)
    assert conforms, text
    report = verify(api, edc)
    assert report["verified"] is True, report
    assert checks(report)["status"]["code"] == "active"
    assert checks(report)["context"]["ok"] and checks(report)["schema"]["ok"]


def test_an_altered_edc_fails_verification(api: FlaskClient) -> None:
    edc = edc_of(api, held(api, learner_id(api, "DEMO-L5"), "BC-VV-B1K1"))
    altered = copy.deepcopy(edc)
    altered["credentialSubject"]["hasClaim"]["title"] = {"nl": "Iets anders behaald"}
    report = verify(api, altered)
    assert report["verified"] is False
    assert checks(report)["proof"]["code"] == "bad-signature"
    other_kvk = copy.deepcopy(edc)
    other_kvk["issuer"]["eIDASIdentifier"]["notation"] = "90000029"
    assert verify(api, other_kvk)["verified"] is False


def test_the_edc_of_a_revoked_credential_fails_verification(api: FlaskClient) -> None:
    credential = held(api, new_holder(api, "BC-VV-B1K1", name="EDC intrekken"), "BC-VV-B1K1")
    edc = edc_of(api, credential)
    assert verify(api, edc)["verified"] is True
    revoked = api.post(
        f"/api/credentials/{credential_id(credential)}/revoke", json={"reason": "Fraude"}
    )
    assert revoked.status_code == 200, revoked.get_data(as_text=True)
    report = verify(api, edc)
    assert report["verified"] is False
    status = checks(report)["status"]
    assert status["code"] == "revoked" and "Fraude" in status["message"]


def test_a_status_iri_that_is_not_ours_never_passes(api: FlaskClient) -> None:
    edc = edc_of(api, held(api, learner_id(api, "DEMO-L5"), "BC-VV-B1K1"))
    edc["credentialStatus"] = {"@value": "https://elders.example/status/x#1", "@type": "xsd:anyURI"}
    status = checks(verify(api, edc))["status"]
    assert status["ok"] is False and status["code"] == "unreachable"


def test_the_public_page_offers_the_edc(local_app: Flask, api: FlaskClient) -> None:
    credential = held(api, learner_id(api, "DEMO-L5"), "BC-VV-B1K1")
    ident = credential_id(credential)
    anonymous = local_app.test_client()
    page = anonymous.get(f"/credentials/{ident}").get_data(as_text=True)
    assert f"/credentials/{ident}.edc.json" in page
    response = anonymous.get(f"/credentials/{ident}.edc.json")
    assert response.status_code == 200
    assert f"credential-{ident}.edc.json" in response.headers["Content-Disposition"]
    edc = response.get_json(force=True)
    assert edc["type"] == ["VerifiableCredential", "EuropeanDigitalCredential"]
    assert verify(api, edc)["verified"] is True
    assert anonymous.get("/credentials/unknown-id.edc.json").status_code == 404


def test_who_may_read_the_edc(local_app: Flask, api: FlaskClient) -> None:
    l5 = learner_id(api, "DEMO-L5")
    ident = credential_id(held(api, l5, "BC-VV-B1K1"))
    path = f"/api/credentials/{ident}/edc"
    assert local_app.test_client().get(path).status_code == 401
    assert signed_in_client(local_app, "learner", learner=l5).get(path).status_code == 200
    other = learner_id(api, "DEMO-L1")
    assert signed_in_client(local_app, "learner", learner=other).get(path).status_code == 404
    assert api.get("/api/credentials/no-such-credential/edc").status_code == 404


def test_no_edc_without_the_institutions_legal_data(api: FlaskClient) -> None:
    credential = held(api, learner_id(api, "DEMO-L5"), "BC-VV-B1K1")
    cleared = api.put("/api/institutions/MBO-ZW/legal", json={})
    assert cleared.status_code == 200 and cleared.get_json()["legal"] is None
    response = api.get(f"/api/credentials/{credential_id(credential)}/edc")
    assert response.status_code == 409
    assert "kvk_number" in response.get_json()["detail"]


# --- legal data ---------------------------------------------------------------------------------


def test_the_seeded_institutions_have_well_formed_legal_data(api: FlaskClient) -> None:
    for code in ("MBO-ZW", "VMBO-ZW"):
        legal = api.get(f"/api/institutions/{code}").get_json()["legal"]
        assert legal is not None and set(legal) == set(SEED_LEGAL)
        assert len(legal["kvk_number"]) == 8 and legal["country_code"] == "NL"
        assert legal["homepage"].startswith("https://") and "note" not in legal


def test_an_admin_replaces_the_legal_data_and_it_is_audited(api: FlaskClient) -> None:
    changed = {**SEED_LEGAL, "kvk_number": "41216593", "homepage": "http://roc.example/zw"}
    response = api.put("/api/institutions/MBO-ZW/legal", json=changed)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["legal"] == changed
    assert api.get("/api/institutions/MBO-ZW").get_json()["legal"] == changed
    trail = api.get("/api/audit?entity=institution&id=MBO-ZW&limit=500").get_json()["items"]
    last = trail[-1]
    assert last["action"] == "update" and last["actor"].startswith(("token:", "account:"))
    assert last["before"]["kvk_number"] == "90000012" and last["after"]["kvk_number"] == "41216593"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kvk_number", "1234567"),
        ("kvk_number", "1234567a"),
        ("postal_code", "3511AB"),
        ("postal_code", "0511 AB"),
        ("country_code", "NLD"),
        ("country_code", "nl"),
        ("country_code", "XX"),
        ("homepage", "ftp://roc.example"),
        ("homepage", "roc.example"),
        ("legal_name", ""),
    ],
)
def test_a_malformed_field_is_refused_by_name(api: FlaskClient, field: str, value: str) -> None:
    response = api.put("/api/institutions/MBO-ZW/legal", json={**SEED_LEGAL, field: value})
    assert response.status_code == 422, response.get_data(as_text=True)
    assert [e["pointer"] for e in response.get_json()["errors"]] == [f"/{field}"]
    assert api.get("/api/institutions/MBO-ZW").get_json()["legal"] == SEED_LEGAL


def test_a_foreign_postal_code_follows_its_country(api: FlaskClient) -> None:
    foreign = {**SEED_LEGAL, "postal_code": "D08 X2Y3", "country_code": "IE", "locality": "Dublin"}
    assert api.put("/api/institutions/MBO-ZW/legal", json=foreign).status_code == 200


def test_only_an_admin_edits_legal_data(local_app: Flask, api: FlaskClient) -> None:
    school = signed_in_client(local_app, "school-admin", institution="MBO-ZW")
    assert school.put("/api/institutions/MBO-ZW/legal", json=SEED_LEGAL).status_code == 403
    assert (
        local_app.test_client().put("/api/institutions/MBO-ZW/legal", json=SEED_LEGAL).status_code
        == 401
    )
    assert api.put("/api/institutions/NOPE/legal", json=SEED_LEGAL).status_code == 404


def test_a_new_institution_may_state_its_legal_data(api: FlaskClient) -> None:
    body = {"code": "ROC-EDC", "name": "ROC EDC", "kind": "mbo", "legal": SEED_LEGAL}
    response = api.post("/api/institutions", json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["legal"] == SEED_LEGAL
    bad = {**body, "code": "ROC-EDC2", "legal": {**SEED_LEGAL, "kvk_number": "12"}}
    refused = api.post("/api/institutions", json=bad)
    assert refused.status_code == 422
    assert [e["pointer"] for e in refused.get_json()["errors"]] == ["/legal/kvk_number"]


def test_an_import_that_does_not_state_legal_data_keeps_it(api: FlaskClient) -> None:
    document = {"institutions": [{"code": "MBO-ZW", "name": "ROC Zorg & Welzijn", "kind": "mbo"}]}
    report = api.post("/api/import", json=document).get_json()
    assert report["unchanged"]["institutions"] == ["MBO-ZW"], report
    assert api.get("/api/institutions/MBO-ZW").get_json()["legal"] == SEED_LEGAL
    stated = {
        "institutions": [
            {
                **document["institutions"][0],
                "legal": {**SEED_LEGAL, "locality": "Zeist", "postal_code": "3701 AA"},
            }
        ]
    }
    report = api.post("/api/import", json=stated).get_json()
    assert report["updated"]["institutions"] == ["MBO-ZW"], report
    assert api.get("/api/institutions/MBO-ZW").get_json()["legal"]["locality"] == "Zeist"
