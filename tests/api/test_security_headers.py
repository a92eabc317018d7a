"""Hardening without a server: security headers, private instance files, the body deadline and
the verify rate limit on the page (the real service: tests/test_served_service.py)."""

from __future__ import annotations

import io
import os
import socket
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.config import TestConfig
from app.extensions import db
from app.request_limits import BODY_TIMED_OUT, BodyDeadline


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("path", ["/", "/api/units?limit=1", "/api/nope", "/static/leerlijn.css"])
def test_every_response_carries_the_security_headers(client: FlaskClient, path: str) -> None:
    with client.get(path) as response:
        headers = response.headers
    policy = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";")[0]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in headers


def test_hsts_only_over_https(client: FlaskClient) -> None:
    response = client.get("/api/units?limit=1", base_url="https://leerlijn.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_the_api_docs_page_may_run_its_inline_script(client: FlaskClient) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert "script-src 'self' 'unsafe-inline'" in response.headers["Content-Security-Policy"]


# --- private files ----------------------------------------------------------------------------


def app_with_files(instance: Path, database: Path) -> Flask:
    class Config(TestConfig):
        LEERLIJN_INSTANCE_PATH = instance
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{database}"

    return create_app(Config)


@pytest.fixture
def open_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_a_new_instance_folder_and_database_are_private(tmp_path: Path, open_umask: None) -> None:
    instance, database = tmp_path / "instance", tmp_path / "data" / "leerlijn.sqlite3"
    application = app_with_files(instance, database)
    with application.app_context():
        db.create_all()
        db.engine.dispose()
    assert mode(instance) == 0o700
    assert mode(database) == 0o600
    assert database.stat().st_size > 0  # the file the app created is a working database


def test_existing_files_are_tightened_at_start(tmp_path: Path, open_umask: None) -> None:
    instance, database = tmp_path / "instance", tmp_path / "leerlijn.sqlite3"
    instance.mkdir(mode=0o755)
    database.touch(mode=0o644)
    wal = tmp_path / "leerlijn.sqlite3-wal"
    wal.touch(mode=0o644)
    os.chmod(instance, 0o755)
    os.chmod(database, 0o644)
    app_with_files(instance, database)
    assert (mode(instance), mode(database), mode(wal)) == (0o700, 0o600, 0o600)


# --- the body deadline --------------------------------------------------------------------------


def call(middleware: BodyDeadline, environ: dict[str, Any]) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.update(environ, body=environ["wsgi.input"].read())
        return []

    middleware.wsgi_app = app
    list(middleware(environ, lambda *args: None))
    return seen


def test_a_body_that_arrives_is_handed_on_whole() -> None:
    server, client = socket.socketpair()
    with server, client:
        client.sendall(b'{"a": 1}')
        environ = {
            "gunicorn.socket": server,
            "wsgi.input": server.makefile("rb"),
            "CONTENT_LENGTH": "8",
        }
        seen = call(BodyDeadline(lambda e, s: [], 2.0, 1024), environ)
    assert seen["body"] == b'{"a": 1}' and BODY_TIMED_OUT not in seen


def test_a_trickled_body_is_cut_off_at_the_deadline() -> None:
    server, client = socket.socketpair()
    stop = threading.Event()

    def trickle() -> None:
        while not stop.wait(0.1):
            try:
                client.send(b" ")
            except OSError:
                return

    sender = threading.Thread(target=trickle, daemon=True)
    with server, client:
        sender.start()
        environ = {
            "gunicorn.socket": server,
            "wsgi.input": _UnbufferedBody(server),
            "CONTENT_LENGTH": str(1024 * 1024),
        }
        began = time.monotonic()
        seen = call(BodyDeadline(lambda e, s: [], 0.5, 16 * 1024 * 1024), environ)
        elapsed = time.monotonic() - began
        stop.set()
    assert seen[BODY_TIMED_OUT] is True and seen["body"] == b""
    assert elapsed < 5


class _UnbufferedBody(io.RawIOBase):
    """Reads as gunicorn's body does: blocks until `size` bytes or the end of the stream."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def read(self, size: int = -1) -> bytes:
        data = b""
        while len(data) < size:
            part = self.sock.recv(size - len(data))
            if not part:
                break
            data += part
        return data


# --- the verify rate limit on the page ----------------------------------------------------------


def test_the_verify_page_is_rate_limited_per_address(tmp_path: Path) -> None:
    class Config(TestConfig):
        LEERLIJN_KEYS_DIR = tmp_path / "keys"
        LEERLIJN_RATE_LIMIT_VERIFY = "2 per minute"
        WTF_CSRF_ENABLED = False

    application = create_app(Config)
    with application.app_context():
        db.create_all()
    browser = application.test_client()
    browser.environ_base["REMOTE_ADDR"] = "10.5.0.1"
    statuses = [
        browser.post("/verifieren", data={"credential": "{}"}).status_code for _ in range(3)
    ]
    assert statuses[:2] != [429, 429] and statuses[2] == 429
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
