"""Fixtures of the browser tests: a seeded app served on a free port, Debian's chromium."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from app import create_app
from app.config import TestConfig
from app.domain.access import SYSTEM
from app.extensions import db
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
        db.session.remove()
    forward.app = app
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


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
