"""Issuer keys over time: `flask keys rotate` and `flask keys retire`, in did:key and did:web mode.

* rotate: a new active key; credentials signed with older keys keep verifying, because the DID
  document lists every key that is not retired.
* retire: the key leaves the DID document; credentials it signed then fail the ``issuer`` check.

Each test gets its own seeded app and key folder (keys are changed), built with
``make_seeded_app`` of ``tests/api/test_credentials.py``; did:web mode uses
``LEERLIJN_BASE_URL = "https://leerlijn.example"``.
"""

# ruff: noqa: F811  (local_app is a fixture imported from tests/api/test_credentials.py)

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.request_context import credential_environment
from tests.api.test_credentials import (  # noqa: F401  (module-scoped app fixture)
    WEB_BASE,
    assert_problem,
    credential_key,
    dispose,
    failed,
    issued,
    learner_id,
    local_app,
    make_seeded_app,
    private_keys,
    verify,
)
from tests.helpers import admin_client

Document = dict[str, Any]
INSTITUTION = "MBO-ZW"
WEB_DID = "did:web:leerlijn.example:issuers:MBO-ZW"


# --- helpers ----------------------------------------------------------------------------------


def cli(application: Flask, *args: str) -> Any:
    return application.test_cli_runner().invoke(args=list(args))


def keys_listed(application: Flask) -> dict[str, tuple[str, str]]:
    """`flask keys list MBO-ZW` as {key_id: (status, public Multikey)}."""
    result = cli(application, "keys", "list", INSTITUTION)
    assert result.exit_code == 0, result.output
    rows = [line.split("\t") for line in result.output.splitlines() if line.strip()]
    return {row[0]: (row[1], row[3]) for row in rows}


def signing_key(application: Flask, credential: Document) -> str:
    """The key id that signed `credential` (did:web: the method's fragment; did:key: by key)."""
    proof = credential["proof"]
    method = (proof[0] if isinstance(proof, list) else proof)["verificationMethod"]
    did, _, fragment = method.partition("#")
    if did.startswith("did:web:"):
        return fragment
    [key_id] = [
        k for k, (_, public) in keys_listed(application).items() if did == f"did:key:{public}"
    ]
    return key_id


def did_methods(client: FlaskClient) -> dict[str, str]:
    """The served DID document's verification methods as {id: publicKeyMultibase}."""
    response = client.get(f"/issuers/{INSTITUTION}/did.json")
    assert response.status_code == 200
    document = response.get_json()
    assert set(document["assertionMethod"]) == {m["id"] for m in document["verificationMethod"]}
    return {m["id"]: m["publicKeyMultibase"] for m in document["verificationMethod"]}


def status_message(report: Document) -> str:
    return next(c["message"] for c in report["checks"] if c["check"] == "status")


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(params=["did:key", "did:web"])
def mode(request: pytest.FixtureRequest) -> str:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def keyed_app(mode: str, tmp_path: Path) -> Iterator[Flask]:
    """A fresh seeded app with its own key folder, in the given DID mode."""
    application = make_seeded_app(tmp_path / "keys", WEB_BASE if mode == "did:web" else None)
    yield application
    dispose(application)


@pytest.fixture
def client(keyed_app: Flask) -> FlaskClient:
    return admin_client(keyed_app)


@pytest.fixture
def l5(client: FlaskClient) -> str:
    return learner_id(client, "DEMO-L5")


# --- rotate -----------------------------------------------------------------------------------


def test_rotate_makes_a_new_active_key_and_older_credentials_keep_verifying(
    keyed_app: Flask, client: FlaskClient, l5: str, mode: str
) -> None:
    first = issued(client, l5, "BC-VV-B1K1")
    first_key = signing_key(keyed_app, first)
    assert keys_listed(keyed_app) == {first_key: ("active", keys_listed(keyed_app)[first_key][1])}

    result = cli(keyed_app, "keys", "rotate", INSTITUTION)
    assert result.exit_code == 0, result.output
    listed = keys_listed(keyed_app)
    [second_key] = [k for k in listed if k != first_key]
    assert second_key in result.output
    assert listed[first_key][0] == "rotated" and listed[second_key][0] == "active"
    assert not any(secret in result.output for secret in private_keys(keyed_app))

    second = issued(client, l5, "BC-VV-B1K2")
    assert signing_key(keyed_app, second) == second_key
    if mode == "did:web":
        assert first["issuer"]["id"] == second["issuer"]["id"] == WEB_DID
        assert first["proof"][0]["verificationMethod"] == f"{WEB_DID}#{first_key}"
        assert second["proof"][0]["verificationMethod"] == f"{WEB_DID}#{second_key}"
    else:
        assert first["issuer"]["id"] != second["issuer"]["id"]
        assert {first["issuer"]["id"], second["issuer"]["id"]} == {
            f"did:key:{listed[k][1]}" for k in (first_key, second_key)
        }
    # The DID document lists both keys; both credentials verify.
    assert set(did_methods(client).values()) == {listed[first_key][1], listed[second_key][1]}
    if mode == "did:web":
        assert set(did_methods(client)) == {f"{WEB_DID}#{first_key}", f"{WEB_DID}#{second_key}"}
    assert verify(client, first)["verified"] is True
    assert verify(client, second)["verified"] is True
    # Each key publishes its own status lists.
    first_lists, second_lists = (
        {
            e["statusListCredential"]
            for e in client.get(f"/api/credentials/{credential_key(c)}/status").get_json()[
                "entries"
            ]
        }
        for c in (first, second)
    )
    assert len(first_lists) == len(second_lists) == 2  # revocation and suspension
    assert not first_lists & second_lists

    # A second rotation: three keys, two rotated, every credential still verifies.
    assert cli(keyed_app, "keys", "rotate", INSTITUTION).exit_code == 0
    statuses = sorted(status for status, _ in keys_listed(keyed_app).values())
    assert statuses == ["active", "rotated", "rotated"]
    assert len(did_methods(client)) == 3
    assert verify(client, first)["verified"] is True and verify(client, second)["verified"] is True
    third = issued(client, l5, "AV-NL-2F")
    assert signing_key(keyed_app, third) not in (first_key, second_key)


def test_a_rotated_keys_credential_can_still_be_revoked_and_its_list_is_re_signed_by_that_key(
    keyed_app: Flask, client: FlaskClient, l5: str
) -> None:
    old = issued(client, l5, "AV-REK-2F")
    old_key = signing_key(keyed_app, old)
    assert cli(keyed_app, "keys", "rotate", INSTITUTION).exit_code == 0
    key = credential_key(old)
    response = client.post(f"/api/credentials/{key}/revoke", json={"reason": "fout uitgereikt"})
    assert response.status_code == 200, response.get_data(as_text=True)
    report = verify(client, old)
    assert report["verified"] is False and failed(report) == {"status"}
    assert "revoked" in status_message(report)
    url = old["credentialStatus"]["statusListCredential"]
    served = client.get(urlsplit(url).path).get_json(force=True)
    assert (
        signing_key(keyed_app, served) == old_key
    )  # the list is signed with the key of its credentials
    checks = {c["check"]: c["ok"] for c in verify(client, served)["checks"]}
    assert checks["proof"] and checks["issuer"]


# --- retire -----------------------------------------------------------------------------------


def test_retire_removes_the_key_from_the_did_document_and_its_credentials_fail_issuer(
    keyed_app: Flask, client: FlaskClient, l5: str, mode: str
) -> None:
    old = issued(client, l5, "BC-VV-B1K1")
    old_key = signing_key(keyed_app, old)
    assert cli(keyed_app, "keys", "rotate", INSTITUTION).exit_code == 0
    new = issued(client, l5, "BC-VV-B1K2")
    new_key = signing_key(keyed_app, new)
    old_public = keys_listed(keyed_app)[old_key][1]

    result = cli(keyed_app, "keys", "retire", INSTITUTION, old_key)
    assert result.exit_code == 0, result.output
    assert old_key in result.output
    listed = keys_listed(keyed_app)
    assert listed[old_key][0] == "retired" and listed[new_key][0] == "active"
    methods = did_methods(client)
    assert old_public not in methods.values() and list(methods.values()) == [listed[new_key][1]]
    if mode == "did:web":
        assert list(methods) == [f"{WEB_DID}#{new_key}"]

    report = verify(client, old)
    assert report["verified"] is False
    assert failed(report) == {"issuer"}, report
    assert verify(client, new)["verified"] is True
    # Issuing goes on with the active key.
    after = issued(client, l5, "AV-NL-2F")
    assert signing_key(keyed_app, after) == new_key
    assert verify(client, after)["verified"] is True


def test_retiring_the_only_key_makes_the_next_issuance_create_a_new_one(
    keyed_app: Flask, client: FlaskClient, l5: str
) -> None:
    old = issued(client, l5, "AV-LB")
    old_key = signing_key(keyed_app, old)
    assert cli(keyed_app, "keys", "retire", INSTITUTION, old_key).exit_code == 0
    assert did_methods(client) == {}
    assert failed(verify(client, old)) == {"issuer"}
    new = issued(client, l5, "AV-LB")
    assert signing_key(keyed_app, new) != old_key
    assert verify(client, new)["verified"] is True
    # The status of a credential whose key is retired can no longer change (its list cannot
    # be re-signed); nothing is changed.
    key = credential_key(old)
    assert_problem(client.post(f"/api/credentials/{key}/revoke", json={"reason": "te laat"}), 409)
    status = client.get(f"/api/credentials/{key}/status").get_json()
    assert status["status"] == "active" and status["history"] == []


# --- CLI refusals -----------------------------------------------------------------------------


def test_retiring_an_unknown_key_fails_and_changes_nothing(local_app: Flask) -> None:
    client = admin_client(local_app)
    issued(client, learner_id(client, "DEMO-L5"), "AV-NL-2F")  # makes sure a key exists
    before, methods = keys_listed(local_app), did_methods(client)
    result = cli(local_app, "keys", "retire", INSTITUTION, "key-does-not-exist")
    assert result.exit_code != 0
    assert "key-does-not-exist" in result.output
    assert keys_listed(local_app) == before and did_methods(client) == methods


def test_rotating_for_an_unknown_institution_fails_and_writes_nothing(local_app: Flask) -> None:
    result = cli(local_app, "keys", "rotate", "NO-SUCH-SCHOOL")
    assert result.exit_code != 0
    with local_app.app_context():
        assert credential_environment().issuers.keys.keys("NO-SUCH-SCHOOL") == []
