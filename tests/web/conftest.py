"""Fixtures of the page tests: demo learners, an issued credential, and a live server."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from app import create_app
from app.config import TestConfig
from app.extensions import db
from app.services.actor import SYSTEM
from app.services.seeding import load_seed

ON = "2025-09-01"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def learner_id(client: FlaskClient, external_id: str) -> str:
    """The id of a seeded demo learner (DEMO-L1, DEMO-L5, DEMO-L9)."""
    items = client.get(f"/api/learners?external_id={external_id}").get_json()["items"]
    assert len(items) == 1, items
    return str(items[0]["id"])


def issue(client: FlaskClient, learner: str, unit: str = "BC-VV-B1K1") -> dict[str, Any]:
    """Issue a unit credential through the API and return the signed document."""
    response = client.post(
        "/api/credentials", json={"learner": learner, "achievement": {"type": "unit", "code": unit}}
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def credential_id(document: dict[str, Any]) -> str:
    return str(document["id"]).rsplit("/", 1)[1]


@pytest.fixture
def l5(seeded: FlaskClient) -> str:
    return learner_id(seeded, "DEMO-L5")


@pytest.fixture
def issued(seeded: FlaskClient, l5: str) -> dict[str, Any]:
    return issue(seeded, l5)


# --- a real server for the browser ---------------------------------------------------------------


@pytest.fixture(scope="module")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """A seeded app on a SQLite file, with its own key folder."""
    folder = tmp_path_factory.mktemp("live")

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder / 'leerlijn.sqlite3'}"
        LEERLIJN_KEYS_DIR = folder / "keys"

    app = create_app(Config)
    with app.app_context():
        db.create_all()
        load_seed(
            db.session, SYSTEM, app.config["SEED_DIR"], app.config["LEERLIJN_DEFAULT_INSTITUTION"]
        )
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def live_url(live_app: Flask) -> Iterator[str]:
    """Serve `live_app` with werkzeug on 127.0.0.1 and a free port, in a thread."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    base = f"http://127.0.0.1:{server.port}"
    live_app.config["LEERLIJN_BASE_URL"] = base  # before the first request builds the issuers
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium driven by Playwright: skipped without it, but a failure under CI."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (install it with scripts/install-test-deps.sh)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="nl-NL", viewport={"width": 1200, "height": 900})
    tab = context.new_page()
    yield tab
    context.close()


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/ and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
