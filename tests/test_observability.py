"""Health, readiness, metrics and request logs (issue #19: production grade)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy.exc import OperationalError

from app import create_app
from app.config import TestConfig
from app.extensions import db
from app.observability import REQUEST_ID_HEADER, _migrations_head
from tests.helpers import admin_client, learner_id

pytestmark = pytest.mark.filterwarnings("ignore:'get_engine' is deprecated:DeprecationWarning")

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


@pytest.fixture
def migrated_app(tmp_path: Path) -> Iterator[Flask]:
    class FileConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'leerlijn.sqlite3'}"

    app = create_app(FileConfig)
    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def request_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """The JSON lines of the ``leerlijn`` logger (which does not propagate to the root)."""
    logger = logging.getLogger("leerlijn")
    logger.addHandler(caplog.handler)
    yield caplog
    logger.removeHandler(caplog.handler)


def request_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    return [
        json.loads(r.getMessage())
        for r in caplog.records
        if r.name == "leerlijn.requests" and r.getMessage().startswith("{")
    ]


def test_healthz_answers_without_the_database(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_ready_on_a_migrated_database(migrated_app: Flask) -> None:
    response = migrated_app.test_client().get("/readyz")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["status"] == "ready"
    assert body["revision"] == body["expected_revision"] == _migrations_head(MIGRATIONS)


def test_readyz_is_503_when_the_schema_is_not_at_head(migrated_app: Flask) -> None:
    with migrated_app.app_context():
        db.session.execute(db.text("UPDATE alembic_version SET version_num = 'e6f8a0b2c4d6'"))
        db.session.commit()
    response = migrated_app.test_client().get("/readyz", headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["revision"] == "e6f8a0b2c4d6" and body["database"] == "reachable"
    assert "flask db upgrade" in body["detail"]


def test_readyz_is_503_without_migrations(client: FlaskClient) -> None:
    """The test app's schema comes from create_all: no revision, so not ready."""
    response = client.get("/readyz", headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert response.get_json()["database"] == "reachable"


def test_a_lost_database_is_a_503_problem_not_a_500(
    seeded: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.services import registry

    def gone(*args: object, **kwargs: object) -> None:
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    monkeypatch.setattr(registry, "list_units", gone)
    response = seeded.get("/api/units")
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert "database" in response.get_json()["detail"]
    assert response.headers["Retry-After"] == "5"
    page = seeded.get("/registry", headers={"Accept": "text/html"})
    assert page.status_code == 503 and page.mimetype == "text/html"
    assert "niet bereikbaar" in page.get_data(as_text=True)
    assert seeded.get("/healthz").status_code == 200  # the process itself is fine


def test_request_ids_are_kept_or_made_and_answered(client: FlaskClient) -> None:
    given = client.get("/healthz", headers={REQUEST_ID_HEADER: "lb-1234.abc"})
    assert given.headers[REQUEST_ID_HEADER] == "lb-1234.abc"
    made = client.get("/healthz", headers={REQUEST_ID_HEADER: "bad id with spaces"})
    assert made.headers[REQUEST_ID_HEADER] != "bad id with spaces"
    assert len(made.headers[REQUEST_ID_HEADER]) == 32


def test_one_json_line_per_request_without_secrets(
    seeded_app: Flask, request_log: pytest.LogCaptureFixture
) -> None:
    caplog = request_log
    seeded_app.config["LEERLIJN_LOG_REQUESTS"] = True
    client = admin_client(seeded_app)
    learner = learner_id(client, "DEMO-L1")
    caplog.set_level(logging.INFO, logger="leerlijn")
    response = client.get(
        f"/api/learners/{learner}/path?secret_marker=xyz",
        headers={REQUEST_ID_HEADER: "trace-77"},
    )
    assert response.status_code == 200
    lines = [line for line in request_lines(caplog) if line.get("request_id") == "trace-77"]
    assert len(lines) == 1
    line = lines[0]
    assert line["event"] == "request" and line["level"] == "info"
    assert line["method"] == "GET" and line["status"] == 200
    assert line["route"] == "/api/learners/<learner_id>/path"
    assert str(line["principal"]).startswith(("token:", "account:"))
    assert isinstance(line["duration_ms"], float)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "secret_marker" not in text and learner not in text
    assert client.token not in text  # type: ignore[attr-defined]


def test_metrics_count_requests_path_engine_time_and_database_errors(
    seeded_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = admin_client(seeded_app)
    learner = learner_id(client, "DEMO-L1")
    for _ in range(3):
        assert client.get(f"/api/learners/{learner}/path").status_code == 200
    metrics = seeded_app.test_client().get("/metrics")
    assert metrics.status_code == 200
    text = metrics.get_data(as_text=True)
    assert "leerlijn_path_engine_seconds_count 3.0" in text
    assert 'endpoint="learners.LearnerPath"' in text or "learners." in text
    assert "leerlijn_http_request_duration_seconds" in text
    with seeded_app.app_context():
        with pytest.raises(OperationalError):
            db.session.execute(db.text("SELECT * FROM no_such_table"))
    text = seeded_app.test_client().get("/metrics").get_data(as_text=True)
    assert 'leerlijn_database_errors_total{kind="OperationalError"} 1.0' in text


def test_two_apps_in_one_process_keep_their_own_figures(tmp_path: Path) -> None:
    first, second = create_app(TestConfig), create_app(TestConfig)
    for _ in range(2):
        first.test_client().get("/healthz")
    first_text = first.test_client().get("/metrics").get_data(as_text=True)
    second_text = second.test_client().get("/metrics").get_data(as_text=True)
    assert 'endpoint="healthz"' in first_text
    assert 'endpoint="healthz"' not in second_text


def test_connecting_to_postgresql_gives_up_after_five_seconds() -> None:
    class Postgres(TestConfig):
        SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://nobody@192.0.2.1/leerlijn"

    class Explicit(TestConfig):
        SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://nobody@192.0.2.1/leerlijn?connect_timeout=2"

    options = create_app(Postgres).config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["connect_args"] == {"connect_timeout": 5}
    assert "connect_args" not in create_app(Explicit).config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert "connect_args" not in create_app(TestConfig).config["SQLALCHEMY_ENGINE_OPTIONS"]
