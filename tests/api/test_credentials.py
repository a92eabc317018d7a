"""Issuing Open Badges 3.0 unit certificates through HTTP, issuers' keys and DID documents.

Two seeded apps per module (built once, issuing only adds rows): did:key mode (the loopback
base URL of `TestConfig`) and did:web mode (``https://leerlijn.example``). Tests that look at
the key folder's life cycle use the per-test `seeded_app` from ``tests/conftest.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app import create_app
from app.config import TestConfig
from app.domain.access import SYSTEM
from app.domain.credentials.did_key import public_key_from_did_key
from app.domain.credentials.multibase import decode_ed25519_public_multikey
from app.extensions import db
from app.request_context import credential_environment
from app.services.seeding import load_seed
from tests.helpers import admin_client

PROBLEM = "application/problem+json"
VC = "application/vc+ld+json"
WEB_BASE = "https://leerlijn.example"
LOCAL_BASE = TestConfig.LEERLIJN_BASE_URL
CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://leerlijn.nl/contexts/educredential-v1.jsonld",
]
CHECKS = ["context", "proof", "issuer", "validity", "schema"]


# --- helpers (also used by tests/api/test_verify.py and tests/interop) ------------------------


def make_seeded_app(keys_dir: Path, base_url: str | None = None) -> Flask:
    """A seeded app on a fresh in-memory database with its own key folder (and base URL)."""

    class Config(TestConfig):
        LEERLIJN_KEYS_DIR = keys_dir
        LEERLIJN_BASE_URL = base_url or TestConfig.LEERLIJN_BASE_URL

    application = create_app(Config)
    with application.app_context():
        db.create_all()
        load_seed(
            db.session,
            SYSTEM,
            application.config["SEED_DIR"],
            application.config["LEERLIJN_DEFAULT_INSTITUTION"],
        )
        db.session.remove()
    return application


def dispose(application: Flask) -> None:
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def learner_id(client: FlaskClient, external_id: str) -> str:
    items = client.get(f"/api/learners?external_id={external_id}").get_json()["items"]
    assert len(items) == 1, items
    return items[0]["id"]  # type: ignore[no-any-return]


def issue(client: FlaskClient, learner: str, code: str, **kwargs: Any) -> Any:
    return client.post(
        "/api/credentials",
        json={"learner": learner, "achievement": {"type": "unit", "code": code}},
        **kwargs,
    )


def issued(client: FlaskClient, learner: str, code: str) -> dict[str, Any]:
    response = issue(client, learner, code)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()  # type: ignore[no-any-return]


def held(client: FlaskClient, learner: str, code: str, kind: str = "unit") -> dict[str, Any]:
    """The learner's credential for an achievement: issued now (201), or the one the learner
    already holds (200; issuing is idempotent), for fixtures several tests share."""
    response = client.post(
        "/api/credentials", json={"learner": learner, "achievement": {"type": kind, "code": code}}
    )
    assert response.status_code in (200, 201), response.get_data(as_text=True)
    return response.get_json()  # type: ignore[no-any-return]


def new_holder(client: FlaskClient, *units: str, name: str = "Eigen leerling") -> str:
    """A new learner (of the default institution) with exam evidence for every outcome of
    `units`: a test that needs credentials of its own issues them to one, since issuing the
    same achievement to the same learner again answers the credential already held."""
    learner = client.post("/api/learners", json={"name": name}).get_json()["id"]
    outcomes = [
        o["code"] for u in units for o in client.get(f"/api/units/{u}").get_json()["outcomes"]
    ]
    items = [{"outcome": o, "source": "exam", "date": "2024-03-01"} for o in outcomes]
    response = client.post(f"/api/learners/{learner}/evidence", json=items)
    assert response.status_code == 201, response.get_data(as_text=True)
    return learner  # type: ignore[no-any-return]


def credential_key(document: dict[str, Any]) -> str:
    """The `{id}` that /api/credentials/{id} takes, from the credential's own `id`."""
    return document["id"].rsplit("/", 1)[1]


def verify(client: FlaskClient, document: Any) -> dict[str, Any]:
    response = client.post("/api/verify", json=document)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()  # type: ignore[no-any-return]


def failed(report: dict[str, Any]) -> set[str]:
    return {c["check"] for c in report["checks"] if not c["ok"]}


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert body["status"] == status and {"type", "title", "detail"} <= set(body)
    return body  # type: ignore[no-any-return]


def private_keys(application: Flask) -> list[str]:
    """Every private Multikey the registry holds, opened (to show none ever leaves it)."""
    from app.persistence.models.keys import IssuerKeyRow

    with application.app_context():
        sealer = credential_environment().issuers.keys.sealer  # type: ignore[attr-defined]
        found = [
            sealer.open(row.private_key_sealed, f"{row.institution}/{row.key_id}").decode()
            for row in db.session.scalars(select(IssuerKeyRow))
        ]
    assert found and all(found)
    return found


def key_records(application: Flask, institution: str = "MBO-ZW") -> list[tuple[str, str]]:
    """The institution's stored keys as (key id, status), oldest first."""
    with application.app_context():
        return [
            (key.key_id, key.status)
            for key in credential_environment().issuers.keys.keys(institution)
        ]


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def local_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    application = make_seeded_app(tmp_path_factory.mktemp("local") / "keys")
    yield application
    dispose(application)


@pytest.fixture(scope="module")
def web_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    application = make_seeded_app(tmp_path_factory.mktemp("web") / "keys", WEB_BASE)
    yield application
    dispose(application)


@pytest.fixture
def api(local_app: Flask) -> FlaskClient:
    return admin_client(local_app)


@pytest.fixture
def web(web_app: Flask) -> FlaskClient:
    return admin_client(web_app)


@pytest.fixture
def l5(api: FlaskClient) -> str:
    return learner_id(api, "DEMO-L5")


@pytest.fixture
def unit_bc(api: FlaskClient) -> dict[str, Any]:
    response = api.get("/api/units/BC-VV-B1K1")
    assert response.status_code == 200
    return response.get_json()  # type: ignore[no-any-return]


@pytest.fixture
def certificate(api: FlaskClient, l5: str) -> dict[str, Any]:
    """DEMO-L5's BC-VV-B1K1 certificate (issued once in the module, then the one held)."""
    return held(api, l5, "BC-VV-B1K1")


def institution_name(client: FlaskClient, code: str = "MBO-ZW") -> str:
    items = client.get("/api/institutions").get_json()["items"]
    return next(i["name"] for i in items if i["code"] == code)


# --- issuing: the response --------------------------------------------------------------------


def test_issuing_an_achieved_unit_answers_201_with_the_signed_credential(
    api: FlaskClient, l5: str
) -> None:
    response = issue(api, l5, "BC-VV-B1K1")
    assert response.status_code == 201 and response.mimetype == "application/json"
    vc = response.get_json()
    key = credential_key(vc)
    assert vc["id"] == f"{LOCAL_BASE}/credentials/{key}"
    assert response.headers["Location"].endswith(f"/api/credentials/{key}")
    assert vc["@context"] == CONTEXTS
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert "BC-VV-B1K1" in vc["name"]
    assert vc["validFrom"].endswith("Z")
    [proof] = vc["proof"]
    assert proof["type"] == "DataIntegrityProof" and proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod" and proof["proofValue"].startswith("z")
    assert proof["verificationMethod"].partition("#")[0] == vc["issuer"]["id"]
    # What Location points at is the same signed document.
    again = api.get(response.headers["Location"])
    assert again.status_code == 200 and again.get_json() == vc


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (VC, VC),
        ("application/vc+ld+json, application/json;q=0.5", VC),
        ("application/json", "application/json"),
        ("*/*", "application/json"),
        (None, "application/json"),
    ],
)
def test_the_credential_is_vc_ld_json_only_when_accept_asks_for_it(
    api: FlaskClient, l5: str, accept: str | None, media_type: str
) -> None:
    headers = {"Accept": accept} if accept else {}
    response = issue(api, new_holder(api, "BC-VV-B1K2"), "BC-VV-B1K2", headers=headers)
    assert response.status_code == 201 and response.mimetype == media_type
    fetched = api.get(response.headers["Location"], headers=headers)
    assert fetched.status_code == 200 and fetched.mimetype == media_type
    assert fetched.get_json(force=True) == response.get_json(force=True)


def test_issued_credentials_verify_through_the_api(
    api: FlaskClient, certificate: dict[str, Any]
) -> None:
    report = verify(api, certificate)
    assert report["verified"] is True
    assert [c["check"] for c in report["checks"]][
        : len(CHECKS)
    ] == CHECKS  # later issues append more
    assert all(c["ok"] for c in report["checks"])


# --- issuing: the content ---------------------------------------------------------------------


def test_the_unit_certificate_describes_the_unit(
    api: FlaskClient, l5: str, unit_bc: dict[str, Any], certificate: dict[str, Any]
) -> None:
    subject = certificate["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["id"] == f"{LOCAL_BASE}/api/learners/{l5}"
    achievement = subject["achievement"]
    assert achievement["humanCode"] == "BC-VV-B1K1"
    assert achievement["name"] == unit_bc["title"]
    assert achievement["description"] == (unit_bc.get("description") or unit_bc["title"])
    assert achievement["achievementType"] == "Certificate"
    assert achievement["creditsAvailable"] == unit_bc["study_load_hours"]
    assert achievement["inLanguage"] == "nl"
    narrative = achievement["criteria"]["narrative"]
    codes = [o["code"] for o in unit_bc["outcomes"]]
    assert all(code in narrative for code in codes)
    assert all(o["title"] in narrative for o in unit_bc["outcomes"])
    # One alignment per outcome, in order, plus one each for NLQF and EQF.
    alignment = achievement["alignment"]
    outcome_alignments = [a for a in alignment if a["targetFramework"] not in ("NLQF", "EQF")]
    assert [a["targetCode"] for a in outcome_alignments] == codes
    assert [a["targetName"] for a in outcome_alignments] == [
        o["title"] for o in unit_bc["outcomes"]
    ]
    levels = {
        a["targetFramework"]: a["targetCode"]
        for a in alignment
        if a["targetFramework"] in ("NLQF", "EQF")
    }
    assert levels == {"NLQF": str(unit_bc["nlqf_level"]), "EQF": str(unit_bc["nlqf_level"])}


def test_the_awarding_body_is_the_learners_institution_in_nl(
    api: FlaskClient, certificate: dict[str, Any]
) -> None:
    issuer = certificate["issuer"]
    assert issuer["name"] == institution_name(api)
    assert issuer["address"]["addressCountryCode"] == "NL"
    assert issuer["id"].startswith("did:key:z6Mk")  # loopback base URL → did:key


def test_the_evidence_names_an_exam_as_the_type_of_assessment(certificate: dict[str, Any]) -> None:
    genres = [e["genre"] for e in certificate["evidence"]]
    assert any("Examen" in g for g in genres)
    assert not any("EVC" in g for g in genres)


def test_a_unit_recognised_by_evc_names_evc_as_the_type_of_assessment(api: FlaskClient) -> None:
    response = api.post("/api/learners", json={"name": "Eva"})
    assert response.status_code == 201
    learner = response.get_json()["id"]
    decision = {
        "source": "evc",
        "date": "2024-03-01",
        "decided_by": "Examencommissie",
        "basis": "portfolio",
    }
    items = [{"outcome": o, **decision} for o in ("VV:B1-K2-W1", "VV:B1-K2-W2")]
    assert api.post(f"/api/learners/{learner}/evidence", json=items).status_code == 201
    genres = [e["genre"] for e in issued(api, learner, "BC-VV-B1K2")["evidence"]]
    assert any("EVC" in g for g in genres)
    assert not any("Examen" in g for g in genres)


def test_a_general_subject_is_an_ext_general_subject_achievement(api: FlaskClient, l5: str) -> None:
    unit = api.get("/api/units/AV-NL-2F").get_json()
    vc = issued(api, l5, "AV-NL-2F")
    achievement = vc["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == "ext:GeneralSubject"
    assert achievement["humanCode"] == "AV-NL-2F"
    assert achievement["creditsAvailable"] == unit["study_load_hours"]
    assert "AV:NL-2F" in achievement["criteria"]["narrative"]
    assert "AV:NL-2F" in [a["targetCode"] for a in achievement["alignment"]]
    assert verify(api, vc)["verified"] is True


# --- issuing: refusals ------------------------------------------------------------------------


def count(client: FlaskClient, learner: str) -> int:
    response = client.get(f"/api/learners/{learner}/credentials")
    assert response.status_code == 200
    return len(response.get_json()["items"])


def test_a_unit_not_achieved_is_a_409_naming_the_missing_outcomes(
    api: FlaskClient, l5: str
) -> None:
    before = count(api, l5)
    body = assert_problem(issue(api, l5, "BC-VP-P2K1"), 409)
    assert sorted(body["missing"]["outcomes"]) == ["VP:P2-K1-W1", "VP:P2-K1-W3"]
    assert count(api, l5) == before


def test_a_new_learner_without_evidence_is_refused_every_outcome(api: FlaskClient) -> None:
    learner = api.post("/api/learners", json={"name": "Nog niets"}).get_json()["id"]
    body = assert_problem(issue(api, learner, "BC-VV-B1K2"), 409)
    assert sorted(body["missing"]["outcomes"]) == ["VV:B1-K2-W1", "VV:B1-K2-W2"]
    assert count(api, learner) == 0


@pytest.mark.parametrize(
    ("body", "pointer", "named"),
    [
        (
            {"learner": "ln-nobody", "achievement": {"type": "unit", "code": "BC-VV-B1K1"}},
            "/learner",
            "ln-nobody",
        ),
        (
            {"learner": None, "achievement": {"type": "unit", "code": "XX-NOPE-1"}},
            "/achievement/code",
            "XX-NOPE-1",
        ),
    ],
)
def test_an_unknown_learner_or_unit_is_a_422_naming_it(
    api: FlaskClient, l5: str, body: dict[str, Any], pointer: str, named: str
) -> None:
    body = {**body, "learner": body["learner"] or l5}
    before = count(api, l5)
    problem = assert_problem(api.post("/api/credentials", json=body), 422)
    assert any(e["pointer"] == pointer and named in e["message"] for e in problem["errors"]), (
        problem
    )
    assert count(api, l5) == before


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"learner": "x"},
        {"learner": "x", "achievement": {"type": "unit"}},
        {"learner": "x", "achievement": {"type": "badge", "code": "BC-VV-B1K1"}},
        {"learner": "x", "achievement": {"type": "unit", "code": "BC-VV-B1K1"}, "extra": 1},
        [],
    ],
)
def test_a_malformed_issue_request_is_a_422(api: FlaskClient, body: Any) -> None:
    assert_problem(api.post("/api/credentials", json=body), 422)


def test_issuing_needs_a_json_body(api: FlaskClient) -> None:
    assert_problem(
        api.post(
            "/api/credentials", data="learner=x", content_type="application/x-www-form-urlencoded"
        ),
        415,
    )
    assert_problem(api.post("/api/credentials", data="{", content_type="application/json"), 400)


# --- reading ----------------------------------------------------------------------------------


def test_an_unknown_credential_id_is_a_404(api: FlaskClient) -> None:
    assert_problem(api.get("/api/credentials/00000000-0000-4000-8000-000000000000"), 404)
    assert_problem(api.get("/api/credentials/nope"), 404)


def test_a_learners_credentials_list_each_signed_document(api: FlaskClient) -> None:
    learner = api.post("/api/learners", json={"name": "Twee"}).get_json()["id"]
    items = [
        {"outcome": o, "source": "exam", "date": "2024-03-01"}
        for o in ("VV:B1-K2-W1", "VV:B1-K2-W2", "AV:NL-2F")
    ]
    assert api.post(f"/api/learners/{learner}/evidence", json=items).status_code == 201
    first, second = issued(api, learner, "BC-VV-B1K2"), issued(api, learner, "AV-NL-2F")
    response = api.get(f"/api/learners/{learner}/credentials")
    assert response.status_code == 200 and response.mimetype == "application/json"
    listed = response.get_json()["items"]
    assert sorted(i["id"] for i in listed) == sorted(
        [credential_key(first), credential_key(second)]
    )
    by_id = {i["id"]: i for i in listed}
    for vc in (first, second):
        item = by_id[credential_key(vc)]
        assert item["credential"] == vc
        assert item["url"] == vc["id"]
        assert item["code"] == vc["credentialSubject"]["achievement"]["humanCode"]
        assert item["type"] == "unit" and item["institution"] == "MBO-ZW"
    # Another learner's list does not show them.
    other = learner_id(api, "DEMO-L9")
    assert not {
        i["id"] for i in api.get(f"/api/learners/{other}/credentials").get_json()["items"]
    } & set(by_id)


def test_an_unknown_learners_credentials_are_a_404(api: FlaskClient) -> None:
    assert_problem(api.get("/api/learners/ln-nobody/credentials"), 404)


# --- issuers: did:key, did:web and the DID document -------------------------------------------


def test_did_key_issuer_is_the_did_of_the_institutions_active_key(
    local_app: Flask, certificate: dict[str, Any]
) -> None:
    did = certificate["issuer"]["id"]
    runner = local_app.test_cli_runner()
    listed = runner.invoke(args=["keys", "list", "MBO-ZW"])
    assert listed.exit_code == 0
    active = [line.split("\t") for line in listed.output.splitlines() if "\tactive\t" in line]
    assert len(active) == 1
    assert public_key_from_did_key(did) == decode_ed25519_public_multikey(active[0][3])


def test_did_web_issuer_and_its_did_document(web: FlaskClient) -> None:
    learner = learner_id(web, "DEMO-L5")
    vc = issued(web, learner, "BC-VV-B1K1")
    did = "did:web:leerlijn.example:issuers:MBO-ZW"
    assert vc["id"].startswith(f"{WEB_BASE}/credentials/")
    assert vc["credentialSubject"]["id"] == f"{WEB_BASE}/api/learners/{learner}"
    assert vc["issuer"]["id"] == did and vc["issuer"]["name"] == institution_name(web)
    method = vc["proof"][0]["verificationMethod"]
    assert method.startswith(did + "#")
    response = web.get("/issuers/MBO-ZW/did.json")
    assert response.status_code == 200 and response.mimetype == "application/did+json"
    document = response.get_json()
    assert document["id"] == did
    assert method in document["assertionMethod"]
    [entry] = [m for m in document["verificationMethod"] if m["id"] == method]
    assert entry["type"] == "Multikey" and entry["controller"] == did
    assert entry["publicKeyMultibase"].startswith("z6Mk")
    assert verify(web, vc)["verified"] is True
    # GET returns the same document as the issuing answer.
    assert web.get(f"/api/credentials/{credential_key(vc)}").get_json() == vc


def test_the_did_document_is_served_in_did_key_mode_too(
    api: FlaskClient, certificate: dict[str, Any]
) -> None:
    response = api.get("/issuers/MBO-ZW/did.json")
    assert response.status_code == 200 and response.mimetype == "application/did+json"
    document = response.get_json()
    assert document["id"].startswith("did:web:") and document["id"].endswith(":issuers:MBO-ZW")
    keys = {
        decode_ed25519_public_multikey(m["publicKeyMultibase"])
        for m in document["verificationMethod"]
    }
    assert public_key_from_did_key(certificate["issuer"]["id"]) in keys
    assert set(document["assertionMethod"]) == {m["id"] for m in document["verificationMethod"]}


def test_an_unknown_institutions_did_document_is_a_404(api: FlaskClient) -> None:
    assert_problem(api.get("/issuers/NO-SUCH-SCHOOL/did.json"), 404)


# --- private keys -----------------------------------------------------------------------------


@pytest.mark.parametrize("mode_app", ["local_app", "web_app"])
def test_private_keys_appear_in_no_response_and_no_log_line(
    request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture, mode_app: str
) -> None:
    application: Flask = request.getfixturevalue(mode_app)
    client = admin_client(application)
    caplog.set_level(logging.DEBUG)
    learner = learner_id(client, "DEMO-L5")
    responses = [
        issue(client, learner, "BC-VV-B1K3"),
        issue(client, learner, "BC-VP-P2K1"),
        issue(client, "ln-x", "AV-LB"),
    ]
    vc = responses[0].get_json()
    responses += [
        client.get(f"/api/credentials/{credential_key(vc)}"),
        client.get(f"/api/credentials/{credential_key(vc)}", headers={"Accept": VC}),
        client.get(f"/api/learners/{learner}/credentials"),
        client.post("/api/verify", json=vc),
        client.post("/api/verify", json={**vc, "name": "x"}),
        client.get("/issuers/MBO-ZW/did.json"),
    ]
    assert [r.status_code for r in responses] == [201, 409, 422, 200, 200, 200, 200, 200, 200]
    bodies = [r.get_data(as_text=True) for r in responses]
    for secret in private_keys(application):
        assert not any(secret in body for body in bodies)
        assert secret not in caplog.text
        assert not any(secret in str(r.headers) for r in responses)


def test_keys_are_shared_in_the_database_with_the_private_half_sealed(seeded_app: Flask) -> None:
    assert not key_records(seeded_app)
    client = admin_client(seeded_app)
    issued(client, learner_id(client, "DEMO-L5"), "AV-NL-2F")
    [(key_id, status)] = key_records(seeded_app)  # issuing made the institution's first key
    assert status == "active"
    [secret] = private_keys(seeded_app)
    with seeded_app.app_context():
        dump = "\n".join(db.session.connection().connection.driver_connection.iterdump())  # type: ignore[union-attr]
    assert "credentialSubject" in dump and key_id in dump  # credential and key are there …
    assert secret not in dump  # … the private key only sealed
    # A second credential uses the same key.
    issued(client, learner_id(client, "DEMO-L5"), "AV-REK-2F")
    assert key_records(seeded_app) == [(key_id, "active")]


# --- CLI: keys create / list ------------------------------------------------------------------


def test_keys_create_makes_a_key_and_a_second_create_rotates_the_first(seeded_app: Flask) -> None:
    runner, client = seeded_app.test_cli_runner(), admin_client(seeded_app)
    first = runner.invoke(args=["keys", "create", "MBO-ZW"])
    assert first.exit_code == 0, first.output
    [(_, status)] = key_records(seeded_app)
    assert status == "active"
    before = issued(client, learner_id(client, "DEMO-L5"), "AV-NL-2F")
    second = runner.invoke(args=["keys", "create", "MBO-ZW"])
    assert second.exit_code == 0, second.output
    assert [status for _, status in key_records(seeded_app)] == ["rotated", "active"]
    listed = runner.invoke(args=["keys", "list", "MBO-ZW"])
    assert listed.exit_code == 0, listed.output
    statuses = {line.split("\t")[1]: line.split("\t")[3] for line in listed.output.splitlines()}
    assert sorted(statuses) == ["active", "rotated"]
    assert not any(
        s in first.output + second.output + listed.output for s in private_keys(seeded_app)
    )
    # The rotated key stays in the DID document; new credentials are signed with the new key.
    document = client.get("/issuers/MBO-ZW/did.json").get_json()
    assert {m["publicKeyMultibase"] for m in document["verificationMethod"]} == set(
        statuses.values()
    )
    assert len(document["assertionMethod"]) == 2
    after = issued(client, learner_id(client, "DEMO-L5"), "AV-REK-2F")
    assert public_key_from_did_key(before["issuer"]["id"]) == decode_ed25519_public_multikey(
        statuses["rotated"]
    )
    assert public_key_from_did_key(after["issuer"]["id"]) == decode_ed25519_public_multikey(
        statuses["active"]
    )
    # A credential signed before the rotation still verifies.
    assert verify(client, before)["verified"] is True and verify(client, after)["verified"] is True


def test_keys_create_for_an_unknown_institution_fails_and_writes_nothing(local_app: Flask) -> None:
    result = local_app.test_cli_runner().invoke(args=["keys", "create", "NO-SUCH-SCHOOL"])
    assert result.exit_code != 0
    assert "NO-SUCH-SCHOOL" in result.output
    assert key_records(local_app, "NO-SUCH-SCHOOL") == []
