"""Issuer keys in the database: shared by instances, sealed at rest, moved from the old folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select

from app import create_app
from app.adapters.key_sealing import KeySealer, WrongKeyEncryptionKey
from app.adapters.keystore import FolderKeyStore
from app.config import TestConfig
from app.domain.access import SYSTEM
from app.extensions import db
from app.persistence.models.access import AuditRow
from app.persistence.models.keys import IssuerKeyRow
from app.request_context import credential_environment
from app.services.seeding import load_seed
from tests.helpers import admin_client, learner_id

pytestmark = pytest.mark.filterwarnings("ignore:'get_engine' is deprecated:DeprecationWarning")

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def instance(database: Path, kek: str | None = None, keys_dir: Path | None = None) -> Flask:
    """An app on the SQLite file `database` — a second one is a second instance."""

    class Instance(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{database}"
        LEERLIJN_KEY_ENCRYPTION_KEY = kek
        LEERLIJN_KEYS_DIR = keys_dir

    return create_app(Instance)


@pytest.fixture
def two_instances(tmp_path: Path) -> Iterator[tuple[Flask, Flask]]:
    database = tmp_path / "shared.sqlite3"
    first, second = instance(database, "k"), instance(database, "k")
    with first.app_context():
        upgrade(directory=str(MIGRATIONS))
        load_seed(db.session, SYSTEM, first.config["SEED_DIR"], "MBO-ZW")
    yield first, second
    for app in (first, second):
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def issue(app: Flask, unit: str) -> dict[str, object]:
    client = admin_client(app)
    body = {"learner": learner_id(client, "DEMO-L5"), "achievement": {"type": "unit", "code": unit}}
    response = client.post("/api/credentials", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def verified(app: Flask, document: dict[str, object]) -> bool:
    return bool(admin_client(app).post("/api/verify", json=document).get_json()["verified"])


def test_a_key_made_by_one_instance_signs_and_verifies_on_another(
    two_instances: tuple[Flask, Flask],
) -> None:
    first, second = two_instances
    credential = issue(first, "AV-NL-2F")  # makes MBO-ZW's first key on the first instance
    assert verified(second, credential)
    again = issue(second, "AV-REK-2F")  # the second instance signs with the same key
    assert again["issuer"] == credential["issuer"]
    with first.app_context():
        [key] = credential_environment().issuers.keys.keys("MBO-ZW")
    runner = second.test_cli_runner()
    assert runner.invoke(args=["keys", "retire", "MBO-ZW", key.key_id]).exit_code == 0
    assert not verified(first, credential)  # retired on one instance: at once on the other


def test_the_private_half_is_sealed_and_another_kek_cannot_open_it(
    two_instances: tuple[Flask, Flask], tmp_path: Path
) -> None:
    first, _ = two_instances
    issue(first, "AV-NL-2F")
    with first.app_context():
        row = db.session.scalars(select(IssuerKeyRow)).one()
        assert row.sealed_with == KeySealer("k").fingerprint
        name = f"{row.institution}/{row.key_id}"
        opened = KeySealer("k").open(row.private_key_sealed, name)
        assert opened.startswith(b"z") and opened not in row.private_key_sealed
        with pytest.raises(WrongKeyEncryptionKey):
            KeySealer("another key").open(row.private_key_sealed, name)
        with pytest.raises(WrongKeyEncryptionKey):  # a sealed key bound to its own row
            KeySealer("k").open(row.private_key_sealed, f"{row.institution}/key-other")


def test_making_a_key_is_audited_without_its_private_half(
    two_instances: tuple[Flask, Flask],
) -> None:
    first, _ = two_instances
    issue(first, "AV-NL-2F")
    with first.app_context():
        [entry] = db.session.scalars(select(AuditRow).where(AuditRow.entity == "issuer-key")).all()
        assert entry.action == "create" and entry.institution == "MBO-ZW"
        assert entry.actor.startswith("token:")
        assert "private_key_sealed" not in str(entry.after or "")


def test_keys_of_the_old_folder_move_into_the_database_once(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    old_key = FolderKeyStore(folder).create("MBO-ZW")
    app = instance(tmp_path / "db.sqlite3", "k", keys_dir=folder)
    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
    runner = app.test_cli_runner()
    seeded = runner.invoke(args=["seed"])  # `make run` seeds at start: the folder moves along
    assert seeded.exit_code == 0, seeded.output
    assert "moved 1 issuer key(s)" in seeded.output
    again = runner.invoke(args=["keys", "import-folder", "--folder", str(folder)])
    assert again.exit_code == 0, again.output
    assert "0 imported, 1 already stored" in again.output
    with app.app_context():
        [key] = credential_environment().issuers.keys.keys("MBO-ZW")
    assert (key.key_id, key.public_key_multibase) == (old_key.key_id, old_key.public_key_multibase)
    credential = issue(app, "AV-NL-2F")  # the moved key is the active one and signs
    assert credential["issuer"]["id"] == old_key.did_key  # type: ignore[index]
    assert verified(app, credential)
