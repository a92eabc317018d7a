"""Signing in: API tokens, accounts, /api/me, rate limits, and secrets kept out of answers and logs.

One seeded app per module, with small rate limits ("3 per minute") so that the limits are reached
in a few requests; each rate-limit test sends from its own client address (Flask-Limiter counts
per address).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from app import create_app
from app.config import TestConfig
from app.domain.access import SYSTEM
from app.extensions import db
from app.persistence import access_repository
from app.persistence.audit import bind_principal
from app.persistence.models.access import AccountRow, ApiTokenRow
from app.services import access
from app.services.access import hash_token
from app.services.seeding import load_seed
from tests.helpers import SignedInClient, admin_client, learner_id, signed_in_client

PROBLEM = "application/problem+json"
PASSWORD = "correct horse battery staple"


class FormClient(SignedInClient):
    """An anonymous client that sends the CSRF field with page forms, as a browser does."""

    def sign_in(self) -> None:
        self.token = ""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    class Config(TestConfig):
        LEERLIJN_KEYS_DIR: Path = tmp_path_factory.mktemp("keys")
        LEERLIJN_RATE_LIMIT_LOGIN = "3 per minute"
        LEERLIJN_RATE_LIMIT_VERIFY = "3 per minute"

    application = create_app(Config)
    with application.app_context():
        db.create_all()
        load_seed(db.session, SYSTEM, application.config["SEED_DIR"], "MBO-ZW")
        db.session.remove()
    api = admin_client(application)
    created = api.post("/api/institutions", json={"code": "MBO-B", "name": "ROC B", "kind": "mbo"})
    assert created.status_code == 201
    learner = api.post("/api/learners", json={"name": "Bo", "institution": "MBO-B"})
    assert learner.status_code == 201
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def api(app: Flask) -> SignedInClient:
    return admin_client(app)


@pytest.fixture(scope="module")
def school(app: Flask) -> SignedInClient:
    return signed_in_client(app, "school-admin", institution="MBO-ZW")


@pytest.fixture(scope="module")
def other_school(app: Flask) -> SignedInClient:
    return signed_in_client(app, "school-admin", institution="MBO-B")


def form_client(app: Flask, address: str) -> FlaskClient:
    app.test_client_class = FormClient
    try:
        client = app.test_client()
    finally:
        app.test_client_class = None
    client.environ_base["REMOTE_ADDR"] = address
    return client


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    return response.get_json()  # type: ignore[no-any-return]


def created(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()  # type: ignore[no-any-return]


def learner_of_b(api: FlaskClient) -> str:
    items = api.get("/api/learners?institution=MBO-B").get_json()["items"]
    return str(items[0]["id"])


# --- tokens -----------------------------------------------------------------------------------


def test_an_admin_creates_a_token_of_every_role(api: SignedInClient) -> None:
    l5 = learner_id(api, "DEMO-L5")
    bindings: list[dict[str, Any]] = [
        {"role": "admin"},
        {"role": "school-admin", "institution": "MBO-B"},
        {"role": "assessor", "institution": "MBO-ZW"},
        {"role": "vmbo-teacher", "programme": "VMBO-ZW-WLC"},
        {"role": "learner", "learner": l5},
    ]
    for binding in bindings:
        response = api.post("/api/tokens", json={**binding, "label": "test", "expires_days": 30})
        token = created(response)
        assert token["token"].startswith(access.TOKEN_PREFIX) and len(token["token"]) > 40
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Location"] == f"/api/tokens/{token['id']}"
        assert token["role"] == binding["role"] and token["created_by"] == f"token:{api.token_id}"
        expires = dt.datetime.fromisoformat(token["expires_at"])
        assert dt.timedelta(days=29) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(days=30)
        me = api.get("/api/me", headers=bearer(token["token"])).get_json()
        assert me["id"] == f"token:{token['id']}" and me["role"] == binding["role"]
        for name in ("institution", "programme", "learner"):
            if name in binding:
                assert me[name] == binding[name]
    learner_me = api.get("/api/me", headers=bearer(token["token"])).get_json()
    assert learner_me["institution"] == "MBO-ZW"  # a learner's token takes their school


def test_a_school_admin_grants_tokens_in_their_own_institution_only(
    api: SignedInClient, school: SignedInClient
) -> None:
    l5, lb = learner_id(api, "DEMO-L5"), learner_of_b(api)
    ok = [
        {"role": "assessor", "institution": "MBO-ZW"},
        {"role": "school-admin", "institution": "MBO-ZW"},
        {"role": "learner", "learner": l5},
    ]
    for binding in ok:
        assert created(school.post("/api/tokens", json=binding))["institution"] == "MBO-ZW"
    refused = [
        {"role": "admin"},
        {"role": "assessor", "institution": "MBO-B"},
        {"role": "school-admin", "institution": "MBO-B"},
        {"role": "learner", "learner": lb},
        {"role": "vmbo-teacher", "programme": "VMBO-ZW-WLC"},  # a programme of VMBO-ZW
    ]
    for binding in refused:
        problem(school.post("/api/tokens", json=binding), 403)
    body = problem(school.post("/api/tokens", json={"role": "assessor"}), 422)
    assert [e["pointer"] for e in body["errors"]] == ["/institution"]
    body = problem(school.post("/api/tokens", json={"role": "learner", "learner": "ln-x"}), 422)
    assert [e["pointer"] for e in body["errors"]] == ["/learner"]
    problem(school.post("/api/tokens", json={"role": "root"}), 422)
    assessor = signed_in_client(school.application, "assessor", institution="MBO-ZW")
    problem(assessor.post("/api/tokens", json={"role": "assessor", "institution": "MBO-ZW"}), 403)
    problem(assessor.get("/api/tokens"), 403)


def test_a_token_is_shown_once_and_never_listed(
    api: SignedInClient, school: SignedInClient
) -> None:
    token = created(school.post("/api/tokens", json={"role": "assessor", "institution": "MBO-ZW"}))
    secret = token["token"]
    for client in (api, school):
        listing = client.get("/api/tokens")
        assert listing.status_code == 200
        one = client.get(f"/api/tokens/{token['id']}")
        assert one.status_code == 200 and "token" not in one.get_json()
        for response in (listing, one):
            text = response.get_data(as_text=True)
            assert secret not in text and hash_token(secret) not in text
            assert "token_hash" not in text
        items = listing.get_json()
        assert all("token" not in item for item in items)
        assert token["id"] in {item["id"] for item in items}


def test_tokens_are_listed_within_the_school_admins_institution(
    api: SignedInClient, school: SignedInClient, other_school: SignedInClient
) -> None:
    theirs = created(school.post("/api/tokens", json={"role": "assessor", "institution": "MBO-ZW"}))
    listed = other_school.get("/api/tokens").get_json()
    assert listed and {item["institution"] for item in listed} == {"MBO-B"}
    assert theirs["id"] not in {item["id"] for item in listed}
    problem(other_school.get(f"/api/tokens/{theirs['id']}"), 404)
    problem(other_school.post(f"/api/tokens/{theirs['id']}/revoke", json={}), 404)
    assert {item["institution"] for item in api.get("/api/tokens").get_json()} >= {
        None,
        "MBO-ZW",
        "MBO-B",
    }


def test_a_revoked_token_is_refused_at_its_next_request(app: Flask, school: SignedInClient) -> None:
    token = created(school.post("/api/tokens", json={"role": "assessor", "institution": "MBO-ZW"}))
    client = app.test_client()
    assert client.get("/api/me", headers=bearer(token["token"])).status_code == 200
    with client.session_transaction() as session:  # a page session started with the token
        session["principal"] = f"token:{token['id']}"
    assert client.get("/leerlingen").status_code == 302
    revoked = school.post(f"/api/tokens/{token['id']}/revoke", json={})
    assert revoked.status_code == 200 and revoked.get_json()["revoked_at"]
    response = client.get("/api/me", headers=bearer(token["token"]))
    problem(response, 401)
    assert "invalid_token" in response.headers["WWW-Authenticate"]
    page = client.get("/leerlingen")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")
    problem(school.post(f"/api/tokens/{token['id']}/revoke", json={}), 409)
    problem(school.post("/api/tokens/999999/revoke", json={}), 404)


def test_an_expired_token_is_refused(app: Flask, api: SignedInClient) -> None:
    token = created(api.post("/api/tokens", json={"role": "admin", "expires_days": 1}))
    assert api.get("/api/me", headers=bearer(token["token"])).status_code == 200
    with app.app_context():
        row = db.session.get(ApiTokenRow, token["id"])
        assert row is not None
        bind_principal(db.session, SYSTEM)
        row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        db.session.commit()
        db.session.remove()
    problem(api.get("/api/me", headers=bearer(token["token"])), 401)
    problem(api.get("/api/units", headers=bearer(token["token"])), 401)


def test_malformed_credentials_are_refused(app: Flask) -> None:
    client = app.test_client()
    for header in ("Bearer llt_unknown", "Bearer nonsense", "Bearer " + "x" * 500):
        problem(client.get("/api/me", headers={"Authorization": header}), 401)
    # another scheme counts as no credentials: public reads work, the rest asks for a token
    basic = {"Authorization": "Basic YWRtaW46YWRtaW4="}
    assert client.get("/api/units", headers=basic).status_code == 200
    response = client.get("/api/me", headers=basic)
    problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_me_says_who_the_token_belongs_to(app: Flask, api: SignedInClient) -> None:
    l5 = learner_id(api, "DEMO-L5")
    learner = signed_in_client(app, "learner", learner=l5)
    me = learner.get("/api/me")
    assert me.status_code == 200
    assert me.get_json() == {
        "id": f"token:{learner.token_id}",
        "role": "learner",
        "institution": "MBO-ZW",
        "learner": l5,
        "programme": None,
        "name": "test",
    }
    problem(app.test_client().get("/api/me"), 401)


# --- accounts ---------------------------------------------------------------------------------


def account(email: str, role: str = "assessor", **binding: Any) -> dict[str, Any]:
    return {"email": email, "name": "Mevrouw Docent", "password": PASSWORD, "role": role, **binding}


def test_accounts_are_created_listed_and_deactivated_within_scope(
    app: Flask, api: SignedInClient, school: SignedInClient, other_school: SignedInClient
) -> None:
    mine = created(
        school.post("/api/accounts", json=account("a@mbo-zw.example", institution="MBO-ZW"))
    )
    assert mine["institution"] == "MBO-ZW" and mine["active"] is True
    assert "password" not in mine and "password_hash" not in mine
    problem(school.post("/api/accounts", json=account("b@example.org", "admin")), 403)
    problem(school.post("/api/accounts", json=account("c@example.org", institution="MBO-B")), 403)
    theirs = created(
        other_school.post("/api/accounts", json=account("d@mbo-b.example", institution="MBO-B"))
    )
    created(api.post("/api/accounts", json=account("root@example.org", "admin")))
    # the same address again, in other letters: a conflict
    problem(api.post("/api/accounts", json=account("A@MBO-ZW.example", institution="MBO-ZW")), 409)
    assert {a["institution"] for a in other_school.get("/api/accounts").get_json()} == {"MBO-B"}
    listed = {a["email"] for a in school.get("/api/accounts").get_json()}
    assert "a@mbo-zw.example" in listed and "d@mbo-b.example" not in listed
    assert {"a@mbo-zw.example", "d@mbo-b.example", "root@example.org"} <= {
        a["email"] for a in api.get("/api/accounts").get_json()
    }
    assessor = signed_in_client(app, "assessor", institution="MBO-ZW")
    problem(assessor.get("/api/accounts"), 403)
    problem(
        assessor.post("/api/accounts", json=account("e@mbo-zw.example", institution="MBO-ZW")), 403
    )
    # deactivation: only within scope; then signing in fails
    problem(other_school.post(f"/api/accounts/{mine['id']}/deactivate", json={}), 404)
    problem(school.post(f"/api/accounts/{theirs['id']}/deactivate", json={}), 404)
    browser = form_client(app, "10.1.0.1")
    login = {"email": "a@mbo-zw.example", "password": PASSWORD}
    assert browser.post("/login", data=login).status_code == 303
    assert browser.get("/leerlingen").status_code == 302  # signed in: to the start page
    deactivated = school.post(f"/api/accounts/{mine['id']}/deactivate", json={})
    assert deactivated.status_code == 200 and deactivated.get_json()["active"] is False
    assert browser.get("/leerlingen").headers["Location"].startswith("/login")  # session ended
    assert browser.post("/login", data=login).status_code == 401


def test_a_password_needs_twelve_characters(school: SignedInClient) -> None:
    short = {**account("short@mbo-zw.example", institution="MBO-ZW"), "password": "elevenchars"}
    body = problem(school.post("/api/accounts", json=short), 422)
    assert [e["pointer"] for e in body["errors"]] == ["/password"]
    assert "elevenchars" not in str(body)
    with school.application.app_context():
        assert access_repository.account_row_by_email(db.session, "short@mbo-zw.example") is None
        db.session.remove()


def test_a_password_is_stored_as_an_argon2_hash(app: Flask, api: SignedInClient) -> None:
    created(api.post("/api/accounts", json=account("hash@mbo-zw.example", institution="MBO-ZW")))
    with app.app_context():
        row = db.session.query(AccountRow).filter_by(email="hash@mbo-zw.example").one()
        assert row.password_hash.startswith("$argon2id$") and PASSWORD not in row.password_hash
        db.session.remove()


# --- rate limits ------------------------------------------------------------------------------


def test_failed_logins_are_limited_per_address(app: Flask, api: SignedInClient) -> None:
    created(api.post("/api/accounts", json=account("limit@mbo-zw.example", institution="MBO-ZW")))
    wrong = {"email": "limit@mbo-zw.example", "password": "not the password at all"}
    right = {"email": "limit@mbo-zw.example", "password": PASSWORD}
    browser = form_client(app, "10.2.0.1")
    for _ in range(5):  # successful logins do not count
        assert browser.post("/login", data=right).status_code == 303
    for _ in range(3):
        assert browser.post("/login", data=wrong).status_code == 401
    refused = browser.post("/login", data=wrong)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert browser.post("/login", data=right).status_code == 429  # the address waits
    # another address is not affected
    assert form_client(app, "10.2.0.2").post("/login", data=wrong).status_code == 401


def test_failed_token_logins_count_too(app: Flask) -> None:
    browser = form_client(app, "10.3.0.1")
    for _ in range(3):
        assert browser.post("/login", data={"token": "llt_guess"}).status_code == 401
    assert browser.post("/login", data={"token": "llt_guess"}).status_code == 429


def test_verification_is_limited_per_address(app: Flask) -> None:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.4.0.1"
    document = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["x"]}
    for _ in range(3):
        assert client.post("/api/verify", json=document).status_code == 200
    body = problem(client.post("/api/verify", json=document), 429)
    assert body["status"] == 429
    response = client.post("/api/verify", json=document)
    assert int(response.headers["Retry-After"]) > 0
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.4.0.2"
    assert other.post("/api/verify", json=document).status_code == 200


# --- secrets ----------------------------------------------------------------------------------


def audit_pages(client: FlaskClient) -> list[Any]:
    """Every page of the audit trail."""
    pages, offset, total = [], 0, 1
    while offset < total:
        page = client.get(f"/api/audit?limit=500&offset={offset}")
        pages.append(page)
        total = page.get_json()["total"]
        offset += 500
    return pages


def test_secrets_appear_in_no_answer_and_no_log(
    app: Flask, api: SignedInClient, school: SignedInClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = created(school.post("/api/tokens", json={"role": "assessor", "institution": "MBO-ZW"}))
    secret = token["token"]
    password = "an unguessable passphrase"
    created(
        api.post(
            "/api/accounts",
            json={**account("secret@mbo-zw.example", institution="MBO-ZW"), "password": password},
        )
    )
    browser = form_client(app, "10.5.0.1")
    assert browser.post("/login", data={"token": secret}).status_code == 303
    browser = form_client(app, "10.5.0.2")
    login = {"email": "secret@mbo-zw.example", "password": password}
    assert browser.post("/login", data=login).status_code == 303
    failed = {"email": "secret@mbo-zw.example", "password": password + "!"}
    assert browser.post("/login", data=failed).status_code == 401
    with app.app_context():
        row = db.session.query(AccountRow).filter_by(email="secret@mbo-zw.example").one()
        password_hash = row.password_hash
        db.session.remove()
    secrets = [secret, hash_token(secret), password, password_hash, api.token or ""]
    answers = [
        api.get("/api/tokens"),
        api.get(f"/api/tokens/{token['id']}"),
        api.get("/api/accounts"),
        school.get("/api/accounts"),
        api.get(f"/api/audit?entity=token&id={token['id']}"),
        *audit_pages(api),
    ]
    for response in answers:
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        for value in secrets:
            assert value not in text
        assert "password" not in text and "token_hash" not in text
    for value in secrets:
        assert value not in caplog.text


def test_a_database_error_logs_no_secret(caplog: pytest.LogCaptureFixture) -> None:
    """A failing statement is logged without its parameters (token hashes, addresses)."""
    application = create_app(TestConfig)
    try:
        with application.app_context():
            db.create_all()
            db.session.remove()
        api = admin_client(application)
        api.sign_in()
        with application.app_context():
            db.session.execute(text("DROP TABLE accounts"))
            db.session.commit()
            db.session.remove()
        caplog.set_level(logging.DEBUG)
        body = account("logged@example.org", "admin")
        assert api.post("/api/accounts", json=body).status_code == 500
        with application.app_context():
            db.session.execute(text("DROP TABLE api_tokens"))
            db.session.commit()
            db.session.remove()
        assert api.get("/api/me").status_code == 500  # the token cannot be looked up
        assert "OperationalError" in caplog.text
        for value in ("logged@example.org", PASSWORD, api.token or "", hash_token(api.token or "")):
            assert value not in caplog.text
    finally:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()
