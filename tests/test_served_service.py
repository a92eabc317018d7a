"""The real service (gunicorn with gunicorn.conf.py, as the checks start it) under pressure.

Slow clients do not freeze it; a body that does not arrive, database work that runs too long
and errors gunicorn answers itself are problem documents under /api; every response carries the
security headers; the instance folder and the SQLite file are private; the verify rate limit
holds. Bounded in counts and time; the figures are measured by bench/bench_slow_clients.py.
"""

from __future__ import annotations

import socket
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.served import Served, SlowUploads, serve

pytestmark = pytest.mark.slow

SLOW_PATH = "/api/test-slow"
ENV = {
    "LEERLIJN_REQUEST_BODY_TIMEOUT": "8",
    "LEERLIJN_REQUEST_TIMEOUT": "2",
    "LEERLIJN_TEST_SLOW_PATH": SLOW_PATH,
    "LEERLIJN_RATE_LIMIT_VERIFY": "5 per minute",
}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serve(tmp_path_factory.mktemp("served"), workers=2, env=ENV) as running:
        yield running


def assert_problem(answer: bytes, status: int) -> None:
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").lower()
    assert head.startswith(f"http/1.1 {status} "), head
    assert "content-type: application/problem+json" in head, head


def test_normal_requests_are_answered_while_slow_clients_trickle_their_bodies(
    served: Served,
) -> None:
    with SlowUploads(served, 20) as slow:
        time.sleep(1.0)  # every slow connection has been accepted and is being read
        assert slow.open_now == 20
        for _ in range(10):
            began = time.monotonic()
            response = served.request("GET", "/api/units?limit=5", timeout=10)
            assert response.status == 200, response.text
            assert time.monotonic() - began < 5
        # The body deadline (8 s here) ends every slow upload with a 408 problem, closed.
        deadline = time.monotonic() + 20
        while len(slow.answers) < 20 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(slow.answers) == 20
    for answer in slow.answers:
        assert_problem(answer, 408)
    assert served.request("GET", "/api/units?limit=1").status == 200


def test_database_work_past_the_request_deadline_is_a_503_problem(served: Served) -> None:
    began = time.monotonic()
    response = served.request("GET", SLOW_PATH, timeout=30)
    assert time.monotonic() - began < 15
    assert response.status == 503, response.text
    assert response.content_type == "application/problem+json"
    assert response.json()["status"] == 503
    assert served.request("GET", "/api/units?limit=1").status == 200


def test_errors_gunicorn_answers_itself_are_problems_under_api(served: Served) -> None:
    with socket.create_connection((served.host, served.port), timeout=10) as client:
        client.sendall(b"GET /api/units?" + b"q" * 8000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = client.recv(65536)
    status = int(answer.split(b" ", 2)[1])
    assert 400 <= status < 500
    assert_problem(answer, status)


def test_every_response_carries_the_security_headers(served: Served) -> None:
    for path, token in (
        ("/", None),
        ("/api/units?limit=1", served.admin_token),
        ("/api/no-such-thing", None),
        ("/static/leerlijn.css", None),
    ):
        response = served.request("GET", path, token=token)
        headers = response.headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], path
        assert headers["X-Frame-Options"] == "DENY", path
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Referrer-Policy"], path
        assert "Strict-Transport-Security" not in headers, path  # plain http


def test_the_instance_folder_and_the_database_are_private(served: Served) -> None:
    folder = Path(served.env["LEERLIJN_INSTANCE_PATH"])
    database = Path(served.env["DATABASE_URL"].removeprefix("sqlite:///"))
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in (database, *database.parent.glob(database.name + "-*")):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_verification_is_rate_limited_on_the_real_service(served: Served) -> None:
    document = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["x"]}
    statuses = [
        served.request("POST", "/api/verify", json=document, token=None).status for _ in range(15)
    ]
    # 5 per minute per address, counted in the database by every worker alike
    assert statuses == [200] * 5 + [429] * 10, statuses
    limited = served.request("POST", "/api/verify", json=document, token=None)
    assert limited.status == 429 and limited.content_type == "application/problem+json"
