"""VC-API exchanges for the Learner Credential Wallet, played by the test as the wallet.

The test holds an Ed25519 key, its did:key, and signs DID-auth presentations the way a wallet
does: ``DataIntegrityProof`` / ``eddsa-rdfc-2022`` (the building blocks of
`app.domain.credentials.proof.add_proof`, with the request's challenge and domain) and
``Ed25519Signature2020`` (LCW's suite). Node's signatures are in
``tests/interop/test_node_exchange.py``.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from flask import Flask
from flask.testing import FlaskClient

from app.adapters.jsonld import load_context_documents, make_document_loader
from app.domain.access import SYSTEM
from app.domain.credentials.did_key import did_key_from_public_key, did_key_verification_method
from app.domain.credentials.holder_binding import grant_key
from app.domain.credentials.multibase import multibase_encode_base58btc
from app.domain.credentials.presentation import ED25519_2020_CONTEXT, ed25519_2020_verify_data
from app.domain.credentials.proof import hash_data, proof_configuration
from app.extensions import db
from app.persistence.audit import bind_principal
from app.persistence.models.wallets import CredentialDeliveryRow, WalletExchangeRow
from tests.api.test_credentials import (
    LOCAL_BASE,
    assert_problem,
    credential_key,
    dispose,
    failed,
    held,
    learner_id,
    make_seeded_app,
    new_holder,
    verify,
)
from tests.helpers import admin_client, signed_in_client

REPO = Path(__file__).resolve().parents[2]
LOADER = make_document_loader(load_context_documents(REPO / "schemas" / "contexts"))
V1 = "https://www.w3.org/2018/credentials/v1"
V2 = "https://www.w3.org/ns/credentials/v2"
UNIT = "BC-VV-B1K1"


class Wallet:
    """A wallet: an Ed25519 key and its did:key, signing DID-auth presentations."""

    def __init__(self, seed: int) -> None:
        self.key = Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32)
        raw = self.key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.did = did_key_from_public_key(raw)
        self.method = did_key_verification_method(self.did)

    def presentation(
        self,
        challenge: str,
        domain: str,
        *,
        suite: str = "eddsa-rdfc-2022",
        holder: str | None = None,
        method: str | None = None,
        purpose: str = "authentication",
    ) -> dict[str, Any]:
        """A signed DID-auth presentation (holder and method default to this wallet's)."""
        options = {
            "created": "2025-09-01T12:00:00Z",
            "verificationMethod": method or self.method,
            "proofPurpose": purpose,
            "challenge": challenge,
            "domain": domain,
        }
        if suite == "eddsa-rdfc-2022":
            vp = {
                "@context": [V2],
                "type": ["VerifiablePresentation"],
                "holder": holder or self.did,
            }
            options = {"type": "DataIntegrityProof", "cryptosuite": suite, **options}
            data = hash_data(vp, proof_configuration(vp, options), LOADER)
        else:
            vp = {
                "@context": [V1, ED25519_2020_CONTEXT],
                "type": ["VerifiablePresentation"],
                "holder": holder or self.did,
            }
            options = {"type": "Ed25519Signature2020", **options}
            data = ed25519_2020_verify_data(vp, options, LOADER)
        proof_value = multibase_encode_base58btc(self.key.sign(data))
        return {**vp, "proof": {**options, "proofValue": proof_value}}


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    application = make_seeded_app(tmp_path_factory.mktemp("keys"))
    yield application
    dispose(application)


@pytest.fixture(scope="module")
def api(app: Flask) -> FlaskClient:
    return admin_client(app)


@pytest.fixture(scope="module")
def learner(api: FlaskClient) -> str:
    return learner_id(api, "DEMO-L5")


@pytest.fixture(scope="module")
def credential(api: FlaskClient, learner: str) -> dict[str, Any]:
    return held(api, learner, UNIT)


@pytest.fixture(scope="module")
def mine(app: Flask, learner: str) -> FlaskClient:
    """The learner the credential belongs to."""
    return signed_in_client(app, "learner", learner=learner)


def open_exchange(client: FlaskClient, credential: dict[str, Any]) -> dict[str, Any]:
    response = client.post(f"/api/credentials/{credential_key(credential)}/exchange")
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()  # type: ignore[no-any-return]


def path_of(url: str) -> str:
    assert url.startswith(LOCAL_BASE)
    return url[len(LOCAL_BASE) :]


def wallet_post(app: Flask, url: str, body: Any) -> Any:
    """What a wallet sends: no account, no token."""
    return app.test_client().post(path_of(url), json=body)


def request_step(app: Flask, exchange: dict[str, Any]) -> dict[str, Any]:
    response = wallet_post(app, exchange["exchange_url"], {})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["verifiablePresentationRequest"]  # type: ignore[no-any-return]


def refused(app: Flask, exchange: dict[str, Any], vp: Any, status: int = 422) -> dict[str, Any]:
    return assert_problem(
        wallet_post(app, exchange["exchange_url"], {"verifiablePresentation": vp}), status
    )


# --- creating an exchange ---------------------------------------------------------------------


def test_the_learner_opens_an_exchange_and_the_lcw_link_names_it(
    app: Flask, mine: FlaskClient, credential: dict[str, Any]
) -> None:
    before = dt.datetime.now(dt.UTC)
    exchange = open_exchange(mine, credential)
    assert exchange["exchange_url"].startswith(f"{LOCAL_BASE}/api/exchanges/")
    expires = dt.datetime.fromisoformat(exchange["expires_at"])
    assert dt.timedelta(minutes=14) < expires - before <= dt.timedelta(minutes=15, seconds=5)
    link = urlsplit(exchange["lcw_url"])
    assert (link.scheme, link.netloc, link.path) == ("https", "lcw.app", "/request")
    [raw] = parse_qs(link.query)["request"]
    assert json.loads(raw) == {
        "credentialRequestOrigin": LOCAL_BASE,
        "protocols": {"vcapi": exchange["exchange_url"]},
    }
    # the URL is the grant: only a hash of it is stored
    token = exchange["exchange_url"].rsplit("/", 1)[1]
    with app.app_context():
        assert db.session.get(WalletExchangeRow, token) is None
        row = db.session.get(WalletExchangeRow, grant_key(token))
        assert row is not None and row.credential == credential_key(credential)
        db.session.remove()


def test_each_exchange_is_new(mine: FlaskClient, credential: dict[str, Any]) -> None:
    assert open_exchange(mine, credential) != open_exchange(mine, credential)


def test_school_staff_may_open_an_exchange_others_may_not(
    app: Flask, api: FlaskClient, credential: dict[str, Any]
) -> None:
    path = f"/api/credentials/{credential_key(credential)}/exchange"
    for role in ("assessor", "school-admin"):
        staff = signed_in_client(app, role, institution="MBO-ZW")
        assert staff.post(path).status_code == 201, role
    assert api.post(path).status_code == 201  # admin
    api.post("/api/institutions", json={"code": "MBO-X", "name": "ROC X", "kind": "mbo"})
    elsewhere = signed_in_client(app, "assessor", institution="MBO-X")
    assert_problem(elsewhere.post(path), 404)
    other_learner = signed_in_client(app, "learner", learner=learner_id(api, "DEMO-L1"))
    assert_problem(other_learner.post(path), 404)
    assert_problem(app.test_client().post(path), 401)
    assert_problem(api.post("/api/credentials/nope/exchange"), 404)


def test_a_revoked_credential_gets_no_exchange(app: Flask, api: FlaskClient) -> None:
    holder = new_holder(api, "BC-VV-B1K2")
    document = held(api, holder, "BC-VV-B1K2")
    exchange = open_exchange(api, document)
    response = api.post(
        f"/api/credentials/{credential_key(document)}/revoke", json={"reason": "fout"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    body = assert_problem(api.post(f"/api/credentials/{credential_key(document)}/exchange"), 409)
    assert "revoked" in body["detail"]
    # an exchange opened before the revocation delivers nothing either
    assert (
        "revoked" in assert_problem(wallet_post(app, exchange["exchange_url"], {}), 409)["detail"]
    )


# --- the wallet's steps -----------------------------------------------------------------------


def test_the_presentation_request_asks_for_did_authentication(
    app: Flask, mine: FlaskClient, credential: dict[str, Any]
) -> None:
    exchange = open_exchange(mine, credential)
    request = request_step(app, exchange)
    assert request["query"] == [
        {"type": "DIDAuthentication", "acceptedMethods": [{"method": "key"}]}
    ]
    assert request["domain"] == LOCAL_BASE
    assert len(request["challenge"]) >= 32
    assert request["interact"]["service"][0]["serviceEndpoint"] == exchange["exchange_url"]
    again = request_step(app, exchange)
    assert again["challenge"] != request["challenge"]  # fresh each time; the first is void


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "Ed25519Signature2020"])
def test_a_did_authenticated_wallet_receives_the_credential_bound_to_its_did(
    app: Flask, api: FlaskClient, mine: FlaskClient, credential: dict[str, Any], suite: str
) -> None:
    wallet = Wallet(7 if suite == "Ed25519Signature2020" else 8)
    exchange = open_exchange(mine, credential)
    request = request_step(app, exchange)
    vp = wallet.presentation(request["challenge"], request["domain"], suite=suite)
    response = wallet_post(app, exchange["exchange_url"], {"verifiablePresentation": vp})
    assert response.status_code == 200, response.get_data(as_text=True)
    presentation = response.get_json()["verifiablePresentation"]
    assert presentation["type"] == ["VerifiablePresentation"]
    assert presentation["@context"] == [V2]
    [bound] = presentation["verifiableCredential"]
    assert bound["credentialSubject"]["id"] == wallet.did
    assert bound["id"] == credential["id"]
    assert bound["credentialStatus"] == credential["credentialStatus"]
    assert (
        bound["credentialSubject"]["achievement"] == credential["credentialSubject"]["achievement"]
    )
    assert bound["proof"] != credential["proof"]
    report = verify(api, bound)
    assert report["verified"] is True, failed(report)
    with app.app_context():
        deliveries = db.session.query(CredentialDeliveryRow).filter_by(holder=wallet.did).all()
        assert [(d.channel, d.credential) for d in deliveries] == [
            ("vcapi", credential_key(credential))
        ]
        db.session.remove()
    # single use: the same presentation, or any step, is refused now
    replay = refused(app, exchange, vp, 409)
    assert "completed" in replay["detail"]
    assert (
        "completed" in assert_problem(wallet_post(app, exchange["exchange_url"], {}), 409)["detail"]
    )


def _refusal(app: Flask, mine: FlaskClient, credential: dict[str, Any], make: Any) -> str:
    exchange = open_exchange(mine, credential)
    request = request_step(app, exchange)
    body = refused(app, exchange, make(request))
    assert body["type"].endswith("/invalid-data")
    [error] = body["errors"]
    assert error["pointer"].startswith("/verifiablePresentation")
    # a refused presentation does not end the exchange: a right one still works
    good = Wallet(9).presentation(request["challenge"], request["domain"])
    assert (
        wallet_post(app, exchange["exchange_url"], {"verifiablePresentation": good}).status_code
        == 200
    )
    return str(body["detail"])


def tampered(vp: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(vp)
    changed["id"] = "urn:uuid:0b4c5d6e-0000-4000-8000-000000000000"
    return changed


@pytest.mark.parametrize(
    ("name", "make", "said"),
    [
        (
            "wrong challenge",
            lambda r: Wallet(10).presentation("not-the-challenge", r["domain"]),
            "(challenge)",
        ),
        (
            "wrong domain",
            lambda r: Wallet(10).presentation(r["challenge"], "https://evil.example"),
            "(domain)",
        ),
        (
            "tampered presentation",
            lambda r: tampered(Wallet(10).presentation(r["challenge"], r["domain"])),
            "(signature)",
        ),
        (
            "tampered Ed25519Signature2020 presentation",
            lambda r: tampered(
                Wallet(10).presentation(r["challenge"], r["domain"], suite="Ed25519Signature2020")
            ),
            "(signature)",
        ),
        (
            "proof by another key than the holder's",
            lambda r: Wallet(10).presentation(r["challenge"], r["domain"], holder=Wallet(11).did),
            "(verification-method)",
        ),
        (
            "holder not a did:key",
            lambda r: Wallet(10).presentation(
                r["challenge"], r["domain"], holder="did:web:wallet.example"
            ),
            "(holder)",
        ),
        (
            "wrong proof purpose",
            lambda r: Wallet(10).presentation(
                r["challenge"], r["domain"], purpose="assertionMethod"
            ),
            "(proof-purpose)",
        ),
        (
            "no proof",
            lambda r: {"type": ["VerifiablePresentation"], "holder": Wallet(10).did},
            "(proof)",
        ),
        ("not an object", lambda r: ["VerifiablePresentation"], "Not a valid mapping"),
    ],
)
def test_a_bad_presentation_is_refused_with_the_check_that_failed(
    app: Flask, mine: FlaskClient, credential: dict[str, Any], name: str, make: Any, said: str
) -> None:
    detail = _refusal(app, mine, credential, make)
    assert said in detail, (name, detail)


def test_a_signature_by_a_key_other_than_the_holders_is_refused(
    app: Flask, mine: FlaskClient, credential: dict[str, Any]
) -> None:
    """The holder's own method named, but signed by another key: the signature fails."""

    def forged(request: dict[str, Any]) -> dict[str, Any]:
        victim = Wallet(12)
        vp = Wallet(13).presentation(
            request["challenge"], request["domain"], holder=victim.did, method=victim.method
        )
        return vp

    assert "(signature)" in _refusal(app, mine, credential, forged)


def test_a_presentation_before_the_request_or_a_bad_body_is_refused(
    app: Flask, mine: FlaskClient, credential: dict[str, Any]
) -> None:
    exchange = open_exchange(mine, credential)
    vp = Wallet(14).presentation("guess", LOCAL_BASE)
    body = refused(app, exchange, vp, 409)
    assert "POST {}" in body["detail"]
    assert_problem(wallet_post(app, exchange["exchange_url"], {"credential": 1}), 422)
    assert_problem(wallet_post(app, exchange["exchange_url"], [1]), 422)


def test_an_unknown_exchange_is_404(app: Flask) -> None:
    assert_problem(wallet_post(app, f"{LOCAL_BASE}/api/exchanges/nope", {}), 404)


def test_an_expired_exchange_is_refused(
    app: Flask, mine: FlaskClient, credential: dict[str, Any]
) -> None:
    exchange = open_exchange(mine, credential)
    request = request_step(app, exchange)
    token = exchange["exchange_url"].rsplit("/", 1)[1]
    with app.app_context():
        row = db.session.get(WalletExchangeRow, grant_key(token))
        assert row is not None
        bind_principal(db.session, SYSTEM)
        row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        db.session.commit()
        db.session.remove()
    vp = Wallet(15).presentation(request["challenge"], request["domain"])
    assert "expired" in refused(app, exchange, vp, 409)["detail"]
    assert (
        "expired" in assert_problem(wallet_post(app, exchange["exchange_url"], {}), 409)["detail"]
    )
