"""Fixtures of the browser tests: a seeded app served on a free port, Debian's chromium.

The live app has one account per role that signs in on the pages (`ACCOUNTS`, all with
`PASSWORD`); `log_in` signs a browser tab in through the real ``/login`` form. Calls to the
API from the tests themselves carry the bearer token of `api_token` (an admin token).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from app import create_app
from app.config import TestConfig
from app.domain.access import SYSTEM, Role
from app.extensions import db
from app.persistence import learner_repository
from app.services import access
from app.services.seeding import load_seed

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


# --- who signs in ------------------------------------------------------------------------------

#: The password of every account of the live app (at least 12 characters).
PASSWORD = "paard-batterij-nietje-2025"


@dataclass(frozen=True, slots=True)
class Account:
    """A sign-in account of the live app; a learner account names a demo learner's number."""

    email: str
    name: str
    role: Role
    institution: str | None = None
    learner_number: str | None = None
    programme: str | None = None


ACCOUNTS = {
    "learner": Account(
        "lotte@leerlijn.test", "Lotte Leerling", Role.LEARNER, learner_number="DEMO-L5"
    ),
    "school-admin": Account(
        "beheer@mbo-zw.test", "Sam Schoolbeheer", Role.SCHOOL_ADMIN, institution="MBO-ZW"
    ),
    "assessor": Account(
        "examinator@mbo-zw.test", "Eva Examinator", Role.ASSESSOR, institution="MBO-ZW"
    ),
    "vmbo-teacher": Account(
        "docent@vmbo-zw.test", "Vera Vmbodocent", Role.VMBO_TEACHER, programme="VMBO-ZW-WLC"
    ),
}


def demo_learner_id(number: str, institution: str = "MBO-ZW") -> str:
    """The id of a seeded demo learner (DEMO-L1, DEMO-L5, …); needs an app context."""
    learner = learner_repository.find_learner_by_external_id(db.session, institution, number)
    assert learner is not None, number
    return learner.id


def create_accounts() -> None:
    """Create `ACCOUNTS` as the platform operator (needs an app context)."""
    for account in ACCOUNTS.values():
        access.create_account(
            db.session,
            SYSTEM,
            email=account.email,
            name=account.name,
            password=PASSWORD,
            role=account.role,
            institution=account.institution,
            learner=demo_learner_id(account.learner_number) if account.learner_number else None,
            programme=account.programme,
        )


def log_in(page: Any, live_url: str, who: str, then: str | None = None) -> Any:
    """Sign `page` in as `ACCOUNTS[who]` through the /login form; the response to the form.

    `then` is the local path to return to (the ``next`` of the login page).
    """
    page.goto(f"{live_url}/login" + (f"?next={quote(then, safe='')}" if then else ""))
    page.get_by_label("E-mailadres").fill(ACCOUNTS[who].email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Inloggen", exact=True).click()
    assert "/login" not in page.url, f"{who} was not signed in"
    return navigation.value


# --- a real server for the browser ---------------------------------------------------------------


class ForwardingApp:
    """A WSGI app passing every request on to `app`, which is set once it is built.

    The server must exist first: its port is part of ``LEERLIJN_BASE_URL``, which the app
    reads when it is created.
    """

    def __init__(self) -> None:
        self.app: Flask | None = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        assert self.app is not None, "the live app is not built yet"
        return self.app(environ, start_response)


@pytest.fixture(scope="module")
def live_server() -> Iterator[tuple[BaseWSGIServer, ForwardingApp]]:
    """A werkzeug server on 127.0.0.1 and a free port, not yet serving."""
    forward = ForwardingApp()
    server = make_server("127.0.0.1", 0, forward, threaded=True)
    yield server, forward
    server.server_close()


@pytest.fixture(scope="module")
def live_app(
    tmp_path_factory: pytest.TempPathFactory, live_server: tuple[BaseWSGIServer, ForwardingApp]
) -> Iterator[Flask]:
    """A seeded app on a SQLite file, with its own key folder, known by the live server's URL."""
    folder = tmp_path_factory.mktemp("live")
    server, forward = live_server

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder / 'leerlijn.sqlite3'}"
        LEERLIJN_KEYS_DIR = folder / "keys"
        LEERLIJN_BASE_URL = f"http://127.0.0.1:{server.port}"

    app = create_app(Config)
    with app.app_context():
        db.create_all()
        load_seed(
            db.session, SYSTEM, app.config["SEED_DIR"], app.config["LEERLIJN_DEFAULT_INSTITUTION"]
        )
        create_accounts()
        db.session.remove()
    forward.app = app
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def api_token(live_app: Flask) -> str:
    """An admin bearer token, for the tests' own calls to the live API."""
    with live_app.app_context():
        issued = access.create_token(db.session, SYSTEM, Role.ADMIN, label="browser tests")
        db.session.remove()
    return issued.secret


@pytest.fixture(scope="module")
def demo_learners(live_app: Flask) -> dict[str, str]:
    """{student number: learner id} of the seeded demo learners the tests use."""
    with live_app.app_context():
        ids = {number: demo_learner_id(number) for number in ("DEMO-L1", "DEMO-L5", "DEMO-L9")}
        db.session.remove()
    return ids


@pytest.fixture(scope="module")
def live_url(live_app: Flask, live_server: tuple[BaseWSGIServer, ForwardingApp]) -> Iterator[str]:
    """Serve `live_app` in a thread; its base URL."""
    server, _ = live_server
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield str(live_app.config["LEERLIJN_BASE_URL"])
    server.shutdown()
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
