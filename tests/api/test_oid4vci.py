"""OID4VCI 1.0, pre-authorized code flow: every step and refusal, with the test as the wallet.

The wallet is played here: an Ed25519 key made with `cryptography`, its did:key, and key proof
JWTs signed with joserfc (``typ: openid4vci-proof+jwt``, ``kid`` the did:key verification
method, ``alg: EdDSA``). Time is moved with the app's clock (`app.clock.now`), never by
sleeping. One seeded app serves the module; each test takes offers of its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from flask import Flask
from flask.testing import FlaskClient
from joserfc import jwt
from joserfc.jwk import OKPKey

from app import clock
from app.adapters.proof_jwt import REGISTRY
from app.domain.credentials.did_key import did_key_from_public_key, did_key_verification_method
from app.domain.credentials.oid4vci import MAX_PIN_ATTEMPTS, PRE_AUTHORIZED_GRANT, PROOF_TYP
from tests.api.test_credentials import (
    LOCAL_BASE,
    assert_problem,
    credential_key,
    dispose,
    held,
    learner_id,
    make_seeded_app,
    new_holder,
    verify,
)
from tests.helpers import admin_client, signed_in_client

Document = dict[str, Any]
CONFIGURATION = "OpenBadgeCredential_ldp_vc"


# --- the wallet -------------------------------------------------------------------------------


class Wallet:
    """A holder: an Ed25519 key, its did:key, and key proof JWTs made with joserfc."""

    def __init__(self) -> None:
        self.key = Ed25519PrivateKey.generate()
        raw = self.key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.did = did_key_from_public_key(raw)
        self.kid = did_key_verification_method(self.did)

    def proof(
        self,
        nonce: str | None,
        *,
        aud: str = LOCAL_BASE,
        typ: str | None = PROOF_TYP,
        signed_by: Ed25519PrivateKey | None = None,
        iat: float | None = None,
    ) -> str:
        header = {"alg": "EdDSA", "kid": self.kid}
        if typ is not None:
            header["typ"] = typ
        claims: dict[str, Any] = {"aud": aud, "iat": int(iat if iat is not None else time.time())}
        if nonce is not None:
            claims["nonce"] = nonce
        key = OKPKey.import_key(signed_by or self.key)
        return jwt.encode(header, claims, key, algorithms=["EdDSA"], registry=REGISTRY)


def ask_token(client: FlaskClient, code: str, pin: str | None, **extra: str) -> Any:
    form = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": code, **extra}
    if pin is not None:
        form["tx_code"] = pin
    return client.post("/oid4vci/token", data=form)


def ask_credential(client: FlaskClient, token: str | None, proof: str, **body: Any) -> Any:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    document = {"credential_configuration_id": CONFIGURATION, "proofs": {"jwt": [proof]}, **body}
    return client.post("/oid4vci/credential", json=document, headers=headers)


def nonce(client: FlaskClient) -> str:
    response = client.post("/oid4vci/nonce")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_json()["c_nonce"]  # type: ignore[no-any-return]


def oauth_error(response: Any, status: int, error: str) -> Document:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["error"] == error, body
    assert isinstance(body.get("error_description"), str)
    return body  # type: ignore[no-any-return]


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    application = make_seeded_app(tmp_path_factory.mktemp("oid4vci") / "keys")
    application.config["LEERLIJN_RATE_LIMIT_WALLET_TOKEN"] = "10000 per minute"
    application.config["LEERLIJN_RATE_LIMIT_WALLET_NONCE"] = "10000 per minute"
    api = admin_client(application)
    answer = api.post("/api/institutions", json={"code": "MBO-B", "name": "ROC B", "kind": "mbo"})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    yield application
    dispose(application)


@pytest.fixture
def api(app: Flask) -> FlaskClient:
    return admin_client(app)


@pytest.fixture
def wallet_client(app: Flask) -> FlaskClient:
    """A client without any sign-in: what a wallet is."""
    return app.test_client()


@pytest.fixture
def l5(api: FlaskClient) -> str:
    return learner_id(api, "DEMO-L5")


@pytest.fixture
def issued(api: FlaskClient, l5: str) -> Document:
    return held(api, l5, "BC-VV-B1K1")


@pytest.fixture
def learner(app: Flask, l5: str) -> FlaskClient:
    return signed_in_client(app, "learner", learner=l5)


@pytest.fixture
def offer(learner: FlaskClient, issued: Document) -> Document:
    response = learner.post(f"/api/credentials/{credential_key(issued)}/offer")
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()  # type: ignore[no-any-return]


def code_of(client: FlaskClient, offer: Document) -> str:
    document = client.get(urlsplit(offer["credential_offer_uri"]).path).get_json()
    return document["grants"][PRE_AUTHORIZED_GRANT]["pre-authorized_code"]  # type: ignore[no-any-return]


def access_token(client: FlaskClient, offer: Document) -> str:
    response = ask_token(client, code_of(client, offer), offer["tx_code"])
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["access_token"]  # type: ignore[no-any-return]


@pytest.fixture
def shift_clock(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Move the app's clock: ``shift_clock(minutes=16)`` (relative to the real now)."""

    def shift(**delta: float) -> None:
        real = dt.datetime.now
        monkeypatch.setattr(clock, "now", lambda: real(dt.UTC) + dt.timedelta(**delta))

    return shift


# --- metadata ---------------------------------------------------------------------------------


def test_the_issuer_metadata_names_the_endpoints_and_the_one_configuration(
    wallet_client: FlaskClient,
) -> None:
    response = wallet_client.get("/.well-known/openid-credential-issuer")
    assert response.status_code == 200 and response.mimetype == "application/json"
    meta = response.get_json()
    assert meta["credential_issuer"] == LOCAL_BASE
    assert meta["credential_endpoint"] == f"{LOCAL_BASE}/oid4vci/credential"
    assert meta["nonce_endpoint"] == f"{LOCAL_BASE}/oid4vci/nonce"
    config = meta["credential_configurations_supported"][CONFIGURATION]
    assert config["format"] == "ldp_vc"
    assert config["credential_definition"] == {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            "https://leerlijn.nl/contexts/educredential-v1.jsonld",
        ],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
    }
    assert config["cryptographic_binding_methods_supported"] == ["did:key"]
    assert config["proof_types_supported"] == {
        "jwt": {"proof_signing_alg_values_supported": ["EdDSA"]}
    }
    assert {d["locale"] for d in meta["display"]} == {"nl", "en"}
    assert {d["locale"] for d in config["credential_metadata"]["display"]} == {"nl", "en"}


def test_the_authorization_server_metadata_names_the_token_endpoint(
    wallet_client: FlaskClient,
) -> None:
    meta = wallet_client.get("/.well-known/oauth-authorization-server").get_json()
    assert meta["issuer"] == LOCAL_BASE
    assert meta["token_endpoint"] == f"{LOCAL_BASE}/oid4vci/token"
    assert meta["pre-authorized_grant_anonymous_access_supported"] is True


# --- offers -----------------------------------------------------------------------------------


def test_an_offer_holds_the_qr_payload_and_a_six_digit_pin(
    offer: Document, wallet_client: FlaskClient
) -> None:
    uri = offer["credential_offer_uri"]
    assert uri.startswith(f"{LOCAL_BASE}/oid4vci/offers/")
    assert offer["offer_url"].startswith("openid-credential-offer://?")
    assert parse_qs(urlsplit(offer["offer_url"]).query)["credential_offer_uri"] == [uri]
    assert len(offer["tx_code"]) == 6 and offer["tx_code"].isdigit()
    assert offer["expires_at"].endswith("Z")
    expires = dt.datetime.fromisoformat(offer["expires_at"].replace("Z", "+00:00"))
    left = expires - dt.datetime.now(dt.UTC)
    assert dt.timedelta(minutes=14) < left <= dt.timedelta(minutes=15)

    response = wallet_client.get(urlsplit(uri).path)
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    assert document["credential_issuer"] == LOCAL_BASE
    assert document["credential_configuration_ids"] == [CONFIGURATION]
    grant = document["grants"][PRE_AUTHORIZED_GRANT]
    assert isinstance(grant["pre-authorized_code"], str) and len(grant["pre-authorized_code"]) > 20
    assert grant["tx_code"]["input_mode"] == "numeric" and grant["tx_code"]["length"] == 6
    assert offer["tx_code"] not in response.get_data(as_text=True)


def test_the_offer_with_its_pin_is_not_cached(learner: FlaskClient, issued: Document) -> None:
    response = learner.post(f"/api/credentials/{credential_key(issued)}/offer")
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


def test_the_learner_and_staff_of_the_issuing_school_may_offer_others_not(
    app: Flask, issued: Document, l5: str, api: FlaskClient
) -> None:
    path = f"/api/credentials/{credential_key(issued)}/offer"
    l9 = learner_id(api, "DEMO-L9")
    made = []
    for role, binding in (
        ("learner", {"learner": l5}),
        ("school-admin", {"institution": "MBO-ZW"}),
        ("assessor", {"institution": "MBO-ZW"}),
        ("admin", {}),
    ):
        response = signed_in_client(app, role, **binding).post(path)
        assert response.status_code == 201, (role, response.get_data(as_text=True))
        made.append(response.get_json())
    # several open offers of one credential, each with its own address and PIN
    assert len({m["credential_offer_uri"] for m in made}) == len(made)
    for role, binding in (
        ("learner", {"learner": l9}),
        ("school-admin", {"institution": "MBO-B"}),
        ("assessor", {"institution": "MBO-B"}),
        ("vmbo-teacher", {"programme": "VMBO-ZW-WLC"}),
    ):
        assert_problem(signed_in_client(app, role, **binding).post(path), 404)
    assert_problem(app.test_client().post(path), 401)
    assert_problem(api.post("/api/credentials/00000000-0000-4000-8000-000000000000/offer"), 404)


def test_a_revoked_credential_is_not_offered(api: FlaskClient) -> None:
    learner = new_holder(api, "BC-VV-B1K2")
    document = held(api, learner, "BC-VV-B1K2")
    key = credential_key(document)
    revoked = api.post(f"/api/credentials/{key}/revoke", json={"reason": "test"})
    assert revoked.status_code == 200, revoked.get_data(as_text=True)
    assert_problem(api.post(f"/api/credentials/{key}/offer"), 409)


# --- the whole flow ---------------------------------------------------------------------------


def test_a_wallet_receives_the_credential_bound_to_its_did(
    offer: Document, issued: Document, wallet_client: FlaskClient, api: FlaskClient
) -> None:
    wallet = Wallet()
    code = code_of(wallet_client, offer)
    response = ask_token(wallet_client, code, offer["tx_code"])
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    answer = response.get_json()
    assert answer["token_type"] == "Bearer" and 0 < answer["expires_in"] <= 300
    token = answer["access_token"]

    response = ask_credential(wallet_client, token, wallet.proof(nonce(wallet_client)))
    assert response.status_code == 200, response.get_data(as_text=True)
    [item] = response.get_json()["credentials"]
    bound = item["credential"]
    assert bound["credentialSubject"]["id"] == wallet.did
    assert bound["id"] == issued["id"]
    assert bound["credentialStatus"] == issued["credentialStatus"]
    assert bound["credentialSubject"]["achievement"] == issued["credentialSubject"]["achievement"]
    assert bound["proof"] != issued["proof"]
    report = verify(api, bound)
    assert report["verified"] is True, report

    # the token was good for one request, the code for one token, the offer is gone
    second = ask_credential(wallet_client, token, wallet.proof(nonce(wallet_client)))
    oauth_error(second, 401, "invalid_token")
    assert second.headers["WWW-Authenticate"].startswith("Bearer")
    assert 'error="invalid_token"' in second.headers["WWW-Authenticate"]
    oauth_error(ask_token(wallet_client, code, offer["tx_code"]), 400, "invalid_grant")
    oauth_error(
        wallet_client.get(urlsplit(offer["credential_offer_uri"]).path), 404, "invalid_request"
    )


def test_the_delivery_is_audited_as_the_wallet_and_the_offer_as_its_maker(
    offer: Document, issued: Document, wallet_client: FlaskClient, api: FlaskClient, l5: str
) -> None:
    code = code_of(wallet_client, offer)
    token = access_token(wallet_client, offer)
    assert (
        ask_credential(wallet_client, token, Wallet().proof(nonce(wallet_client))).status_code
        == 200
    )
    entries = api.get(f"/api/audit?entity=credential&id={credential_key(issued)}&limit=500")
    items = entries.get_json()["items"]
    url_id = offer["credential_offer_uri"].rsplit("/", 1)[1]
    row_id = hashlib.sha256(url_id.encode()).hexdigest()[:40]
    made = [e for e in items if e["part"] == "wallet-offer" and e["action"] == "create"]
    assert made and all(e["actor"].startswith("token:") for e in made)
    delivered = [e for e in items if e["part"] == "wallet-delivery"]
    assert any(e["actor"] == f"wallet:{row_id}" for e in delivered), delivered
    text = str(items)
    assert offer["tx_code"] not in text and token not in text
    # nothing in the trail opens the offer: neither its URL id nor its code
    assert url_id not in text and code not in text


def test_a_stolen_offer_row_gives_neither_the_code_nor_the_pin(
    app: Flask, offer: Document, wallet_client: FlaskClient
) -> None:
    from app.adapters.key_sealing import KeySealer
    from app.extensions import db
    from app.persistence.models.wallets import WalletOfferRow

    url_id = offer["credential_offer_uri"].rsplit("/", 1)[1]
    code, pin = code_of(wallet_client, offer), offer["tx_code"]
    with app.app_context():
        rows = db.session.query(WalletOfferRow).all()
        assert all(url_id not in (r.id, r.pre_authorized_code) for r in rows)
        assert all(code not in (r.id, r.pre_authorized_code, r.tx_code_hash) for r in rows)
        row = db.session.get(WalletOfferRow, hashlib.sha256(url_id.encode()).hexdigest()[:40])
        assert row is not None
        stored_code, stored_pin, row_id = row.pre_authorized_code, row.tx_code_hash, row.id
    assert stored_code == hashlib.sha256(code.encode()).hexdigest()
    # the PIN hash cannot be recomputed from the row alone (10^6 PINs would take milliseconds)
    candidates = (f"{row_id}:{pin}", f"{pin}:{row_id}", pin, f"{url_id}:{pin}")
    assert stored_pin not in {hashlib.sha256(c.encode()).hexdigest() for c in candidates}

    def keyed(sealer: KeySealer) -> str:
        key = sealer.derive("oid4vci-pin")
        return hmac.new(key, f"{row_id}:{pin}".encode(), hashlib.sha256).hexdigest()

    assert keyed(KeySealer("another server's key")) != stored_pin
    server = KeySealer(app.config["LEERLIJN_KEY_ENCRYPTION_KEY"])
    assert keyed(server) == stored_pin  # with the server's key it can be checked


# --- the token endpoint -----------------------------------------------------------------------


def test_a_wrong_or_missing_pin_is_invalid_grant_and_the_right_one_still_works(
    offer: Document, wallet_client: FlaskClient
) -> None:
    code = code_of(wallet_client, offer)
    wrong = "000000" if offer["tx_code"] != "000000" else "111111"
    oauth_error(ask_token(wallet_client, code, wrong), 400, "invalid_grant")
    oauth_error(ask_token(wallet_client, code, None), 400, "invalid_grant")
    oauth_error(ask_token(wallet_client, code, ""), 400, "invalid_grant")
    assert ask_token(wallet_client, code, offer["tx_code"]).status_code == 200


def test_an_offer_is_locked_after_too_many_wrong_pins(
    offer: Document, wallet_client: FlaskClient
) -> None:
    code = code_of(wallet_client, offer)
    wrong = "000000" if offer["tx_code"] != "000000" else "111111"
    for _ in range(MAX_PIN_ATTEMPTS):
        oauth_error(ask_token(wallet_client, code, wrong), 400, "invalid_grant")
    body = oauth_error(ask_token(wallet_client, code, offer["tx_code"]), 400, "invalid_grant")
    assert "locked" in body["error_description"]


def test_token_requests_are_rate_limited_per_client(
    app: Flask, offer: Document, wallet_client: FlaskClient
) -> None:
    code = code_of(wallet_client, offer)
    app.config["LEERLIJN_RATE_LIMIT_WALLET_TOKEN"] = "3 per minute"
    try:
        statuses = [ask_token(wallet_client, code, "999999x").status_code for _ in range(3)]
        assert statuses == [400, 400, 400]
        limited = ask_token(wallet_client, code, offer["tx_code"])
        oauth_error(limited, 429, "slow_down")
        assert int(limited.headers["Retry-After"]) > 0
    finally:
        app.config["LEERLIJN_RATE_LIMIT_WALLET_TOKEN"] = "10000 per minute"
    assert ask_token(wallet_client, code, offer["tx_code"]).status_code == 200


def test_nonce_requests_are_rate_limited_per_client(app: Flask, wallet_client: FlaskClient) -> None:
    app.config["LEERLIJN_RATE_LIMIT_WALLET_NONCE"] = "3 per minute"
    try:
        for _ in range(3):
            nonce(wallet_client)
        limited = wallet_client.post("/oid4vci/nonce")
        oauth_error(limited, 429, "slow_down")
        assert int(limited.headers["Retry-After"]) > 0
        assert limited.headers["Cache-Control"] == "no-store"
    finally:
        app.config["LEERLIJN_RATE_LIMIT_WALLET_NONCE"] = "10000 per minute"
    nonce(wallet_client)


def test_an_expired_code_is_invalid_grant(
    offer: Document, wallet_client: FlaskClient, shift_clock: Any
) -> None:
    code = code_of(wallet_client, offer)
    shift_clock(minutes=16)
    oauth_error(ask_token(wallet_client, code, offer["tx_code"]), 400, "invalid_grant")
    oauth_error(
        wallet_client.get(urlsplit(offer["credential_offer_uri"]).path), 404, "invalid_request"
    )


def test_malformed_token_requests_are_refused(offer: Document, wallet_client: FlaskClient) -> None:
    code = code_of(wallet_client, offer)
    other = wallet_client.post(
        "/oid4vci/token", data={"grant_type": "authorization_code", "code": code}
    )
    oauth_error(other, 400, "unsupported_grant_type")
    oauth_error(wallet_client.post("/oid4vci/token", data={}), 400, "invalid_request")
    as_json = wallet_client.post(
        "/oid4vci/token",
        json={"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": code, "tx_code": "1"},
    )
    oauth_error(as_json, 400, "invalid_request")
    oauth_error(ask_token(wallet_client, "no-such-code", offer["tx_code"]), 400, "invalid_grant")
    assert ask_token(wallet_client, code, offer["tx_code"]).status_code == 200


# --- the credential endpoint ------------------------------------------------------------------


def test_a_bad_proof_is_refused_and_the_token_still_works(
    offer: Document, wallet_client: FlaskClient
) -> None:
    wallet = Wallet()
    token = access_token(wallet_client, offer)
    fresh = nonce(wallet_client)
    bad_signature = wallet.proof(fresh, signed_by=Ed25519PrivateKey.generate())
    oauth_error(ask_credential(wallet_client, token, bad_signature), 400, "invalid_proof")
    wrong_aud = wallet.proof(fresh, aud="https://elsewhere.example")
    oauth_error(ask_credential(wallet_client, token, wrong_aud), 400, "invalid_proof")
    no_typ = wallet.proof(fresh, typ=None)
    oauth_error(ask_credential(wallet_client, token, no_typ), 400, "invalid_proof")
    old = wallet.proof(fresh, iat=time.time() - 3600)
    oauth_error(ask_credential(wallet_client, token, old), 400, "invalid_proof")
    oauth_error(ask_credential(wallet_client, token, "not.a.jwt"), 400, "invalid_proof")
    # the nonce was not spent by the refused proofs, nor the token
    response = ask_credential(wallet_client, token, wallet.proof(fresh))
    assert response.status_code == 200, response.get_data(as_text=True)


def test_a_nonce_is_single_use_and_short_lived(
    app: Flask, l5: str, issued: Document, wallet_client: FlaskClient, shift_clock: Any
) -> None:
    learner = signed_in_client(app, "learner", learner=l5)
    path = f"/api/credentials/{credential_key(issued)}/offer"
    first, second = (learner.post(path).get_json() for _ in range(2))
    wallet = Wallet()
    used = nonce(wallet_client)
    assert (
        ask_credential(
            wallet_client, access_token(wallet_client, first), wallet.proof(used)
        ).status_code
        == 200
    )
    token = access_token(wallet_client, second)
    oauth_error(ask_credential(wallet_client, token, wallet.proof(used)), 400, "invalid_nonce")
    oauth_error(ask_credential(wallet_client, token, wallet.proof("made-up")), 400, "invalid_nonce")
    # nonces that cannot be ours are refused before the database sees them
    for odd in ("n\x00x", "x" * 65, "caf\u00e9", "tab\there"):
        response = ask_credential(wallet_client, token, wallet.proof(odd))
        oauth_error(response, 400, "invalid_nonce")
    shift_clock(minutes=-6)  # a nonce handed out six minutes ago has expired
    stale = nonce(wallet_client)
    shift_clock(minutes=0)
    oauth_error(ask_credential(wallet_client, token, wallet.proof(stale)), 400, "invalid_nonce")
    assert (
        ask_credential(wallet_client, token, wallet.proof(nonce(wallet_client))).status_code == 200
    )


def test_the_credential_endpoint_needs_a_live_access_token(
    offer: Document, wallet_client: FlaskClient, api: FlaskClient, shift_clock: Any
) -> None:
    proof = Wallet().proof(nonce(wallet_client))
    for token in (None, "made-up-token"):
        response = ask_credential(wallet_client, token, proof)
        oauth_error(response, 401, "invalid_token")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    # an API token is no access token
    assert isinstance(api, FlaskClient)
    oauth_error(api.post("/oid4vci/credential", json={}), 401, "invalid_token")
    token = access_token(wallet_client, offer)
    shift_clock(minutes=6)
    oauth_error(ask_credential(wallet_client, token, proof), 401, "invalid_token")


def test_malformed_credential_requests_are_refused(
    offer: Document, wallet_client: FlaskClient
) -> None:
    wallet = Wallet()
    token = access_token(wallet_client, offer)
    headers = {"Authorization": f"Bearer {token}"}
    proof = wallet.proof(nonce(wallet_client))
    unknown = {"credential_configuration_id": "Other", "proofs": {"jwt": [proof]}}
    oauth_error(
        wallet_client.post("/oid4vci/credential", json=unknown, headers=headers),
        400,
        "unknown_credential_configuration",
    )
    oauth_error(
        wallet_client.post("/oid4vci/credential", data="x", headers=headers),
        400,
        "invalid_credential_request",
    )
    two = {"credential_configuration_id": CONFIGURATION, "proofs": {"jwt": [proof, proof]}}
    oauth_error(
        wallet_client.post("/oid4vci/credential", json=two, headers=headers), 400, "invalid_proof"
    )
    no_proof = {"credential_configuration_id": CONFIGURATION}
    oauth_error(
        wallet_client.post("/oid4vci/credential", json=no_proof, headers=headers),
        400,
        "invalid_proof",
    )
    nul = wallet_client.post(
        "/oid4vci/credential",
        data='{"credential_configuration_id": "\\u0000"}',
        content_type="application/json",
        headers=headers,
    )
    oauth_error(nul, 400, "invalid_request")
    assert ask_credential(wallet_client, token, proof).status_code == 200


def test_a_credential_revoked_after_the_offer_is_not_handed_out(
    api: FlaskClient, wallet_client: FlaskClient
) -> None:
    learner = new_holder(api, "BC-VV-B1K3")
    key = credential_key(held(api, learner, "BC-VV-B1K3"))
    offer = api.post(f"/api/credentials/{key}/offer").get_json()
    token = access_token(wallet_client, offer)
    assert api.post(f"/api/credentials/{key}/revoke", json={"reason": "t"}).status_code == 200
    response = ask_credential(wallet_client, token, Wallet().proof(nonce(wallet_client)))
    oauth_error(response, 400, "credential_request_denied")


def test_the_token_and_credential_answers_are_not_cached_nor_need_csrf(
    offer: Document, tmp_path: Path, wallet_client: FlaskClient
) -> None:
    # the wallet client sends no CSRF token and no cookie: the wallet endpoints need neither
    response = ask_token(wallet_client, code_of(wallet_client, offer), offer["tx_code"])
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
