"""Health, readiness, metrics and JSON logs on the real service (gunicorn, two workers)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from tests.served import Served, serve

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serve(tmp_path_factory.mktemp("operations"), workers=2) as running:
        yield running


def counted(metrics: str, endpoint: str) -> float:
    """The requests `/metrics` counted for `endpoint`, over every status and method."""
    pattern = re.compile(
        r"^leerlijn_http_request_duration_seconds_count\{(?P<labels>[^}]*)\} (?P<value>\S+)$", re.M
    )
    return sum(
        float(m["value"])
        for m in pattern.finditer(metrics)
        if f'endpoint="{endpoint}"' in m["labels"]
    )


def test_health_and_readiness(served: Served) -> None:
    assert served.request("GET", "/healthz", token=None).status == 200
    ready = served.request("GET", "/readyz", token=None)
    assert ready.status == 200, ready.text
    body = json.loads(ready.body)
    assert body["status"] == "ready" and body["revision"] == body["expected_revision"]


def test_metrics_add_up_every_worker(served: Served) -> None:
    before = counted(served.request("GET", "/metrics", token=None).text, "healthz")
    for _ in range(24):  # each on a fresh connection: both workers serve some
        assert served.request("GET", "/healthz", token=None).status == 200
    for _ in range(4):  # whichever worker answers, it reports the sum of all of them
        text = served.request("GET", "/metrics", token=None).text
        assert counted(text, "healthz") == before + 24
    assert "leerlijn_http_request_duration_seconds_bucket" in text


def test_each_request_is_one_json_log_line_with_its_id(served: Served) -> None:
    answer = served.request("GET", "/api/units?limit=1", headers={"X-Request-Id": "probe-4711"})
    assert answer.status == 200
    assert answer.headers["X-Request-Id"] == "probe-4711"
    lines = [
        json.loads(line)
        for line in served.log_path.read_text(encoding="utf-8").splitlines()
        if line.startswith("{") and "probe-4711" in line
    ]
    assert len(lines) == 1
    assert lines[0]["route"] == "/api/units" and lines[0]["status"] == 200
    assert served.admin_token not in served.log_path.read_text(encoding="utf-8")
