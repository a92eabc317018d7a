"""Operations: health and readiness for load balancers, Prometheus metrics, JSON request logs.

``GET /healthz``   the process answers (no database work): 200 ``{"status": "ok"}``.
``GET /readyz``    the database answers and its schema is at the migrations' head: 200, else
                   503 (a problem document naming what is wrong).
``GET /metrics``   Prometheus text: requests per endpoint, method and status and their latency
                   (prometheus-flask-exporter), the path engine's time per request
                   (``leerlijn_path_engine_seconds``), database errors
                   (``leerlijn_database_errors_total``). Under gunicorn every worker writes its
                   figures to ``PROMETHEUS_MULTIPROC_DIR`` (set by gunicorn.conf.py) and the
                   answer adds them up, whichever worker serves it.

Every request gets an id: the caller's ``X-Request-Id`` when it is a sane token (a load balancer
sets one), else a new one; it is answered in ``X-Request-Id`` and bound to every log line of the
request. One JSON line per request is written to the ``leerlijn.requests`` logger (stderr):
request id, method, the route's rule (never the concrete path or query, which may hold codes
of offers and exchanges), status, duration and the principal's id. Headers, cookies, bodies and
tokens are never logged.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import structlog
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from flask import Flask, Response, current_app, g, jsonify, request
from prometheus_client import CollectorRegistry, Counter, Histogram
from sqlalchemy import event
from sqlalchemy.engine import Engine, ExceptionContext

from app import timings
from app.authentication import current_principal, public
from app.extensions import db
from app.services.health import readiness

REQUEST_ID_HEADER = "X-Request-Id"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
METRICS_KEY = "leerlijn_metrics"
LOGGER_NAME = "leerlijn.requests"
#: Names and headers that must never reach a log line, whatever a caller binds.
_SECRET_KEYS = frozenset(
    {"authorization", "cookie", "password", "token", "access_token", "tx_code", "secret"}
)


def install_observability(app: Flask, migrations_dir: Path) -> None:
    """Request ids and logs, /healthz, /readyz and /metrics for `app`."""
    _configure_structlog()
    metrics = _install_metrics(app)
    head = _migrations_head(migrations_dir)
    log = structlog.get_logger(LOGGER_NAME)

    @app.before_request
    def begin_request() -> None:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = given if _SANE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        g.request_started = time.perf_counter()
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=g.request_id)
        timings.start()

    @app.after_request
    def end_request(response: Response) -> Response:
        request_id = getattr(g, "request_id", None)
        if request_id:
            response.headers[REQUEST_ID_HEADER] = request_id
        parts = timings.stop()
        if "path_engine" in parts:
            metrics["path_engine"].observe(parts["path_engine"])
        started = getattr(g, "request_started", None)
        if not current_app.config.get("LEERLIJN_LOG_REQUESTS", True):
            return response
        principal = current_principal()
        log.info(
            "request",
            method=request.method,
            route=request.url_rule.rule if request.url_rule is not None else None,
            endpoint=request.endpoint,
            status=response.status_code,
            duration_ms=round((time.perf_counter() - started) * 1000, 2) if started else None,
            principal=principal.id if principal is not None else None,
        )
        return response

    @app.teardown_request
    def forget_request(_: BaseException | None) -> None:
        structlog.contextvars.clear_contextvars()

    @app.get("/healthz")
    @public
    def healthz() -> Response:
        """The process is up (answers without touching the database)."""
        response = jsonify({"status": "ok"})
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/readyz")
    @public
    def readyz() -> Response:
        """The database is reachable and its schema at the migrations' head."""
        state = readiness(db.session, head)
        if state.ready:
            response = jsonify(state.as_dict())
        else:
            from app.api.errors import problem

            detail = (
                "the database is unreachable"
                if state.database == "unreachable"
                else f"the database schema is at {state.revision or 'no revision'}, "
                f"not at {head}: run `flask db upgrade`"
            )
            facts = {k: v for k, v in state.as_dict().items() if k != "status"}
            response = problem(503, "not-ready", "Not ready", detail, **facts)
        response.headers["Cache-Control"] = "no-store"
        return response

    _document_operations(app)


def _document_operations(app: Flask) -> None:
    """Describe /healthz, /readyz and /metrics in the OpenAPI document (tag "operations")."""
    api = app.extensions.get("leerlijn_api")
    if api is None:
        return
    rules = {rule.rule: rule for rule in app.url_map.iter_rules()}
    problem = {
        "description": "Not ready (the problem document says why)",
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }
    default = {"$ref": "#/components/responses/DEFAULT_ERROR"}
    status = {"type": "object", "properties": {"status": {"type": "string"}}}
    api.spec.path(
        rule=rules["/healthz"],
        operations={
            "get": {
                "tags": ["operations"],
                "summary": "The process answers (no database work): for load balancers.",
                "responses": {
                    "200": {
                        "description": "Up",
                        "content": {"application/json": {"schema": status}},
                    },
                    "default": default,
                },
            }
        },
    )
    api.spec.path(
        rule=rules["/readyz"],
        operations={
            "get": {
                "tags": ["operations"],
                "summary": "The database is reachable and its schema at the migrations' head.",
                "responses": {
                    "200": {
                        "description": "Ready",
                        "content": {"application/json": {"schema": status}},
                    },
                    "503": problem,
                    "default": default,
                },
            }
        },
    )
    api.spec.path(
        rule=rules["/metrics"],
        operations={
            "get": {
                "tags": ["operations"],
                "summary": "Prometheus metrics (text exposition format), all workers added up.",
                "responses": {
                    "200": {
                        "description": "Metrics",
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    },
                    "default": default,
                },
            }
        },
    )


def _configure_structlog() -> None:
    """JSON lines through the standard library's ``leerlijn`` logger (stderr by default)."""
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _drop_secrets,
            structlog.processors.JSONRenderer(sort_keys=True),
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        cache_logger_on_first_use=False,
    )
    logger = logging.getLogger("leerlijn")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False  # one line, whatever handlers the root logger has


def _drop_secrets(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """Remove any field named like a secret (a last guard; nothing binds them on purpose)."""
    for key in [k for k in event_dict if k.lower() in _SECRET_KEYS]:
        event_dict[key] = "(removed)"
    return event_dict


def _install_metrics(app: Flask) -> dict[str, Any]:
    """prometheus-flask-exporter on `app`, plus the path engine and database error figures.

    In one process (tests, ``flask run``) each app has its own registry; under gunicorn
    (``PROMETHEUS_MULTIPROC_DIR`` set) the workers' figures are added up at each scrape.
    """
    from prometheus_flask_exporter import PrometheusMetrics

    multiprocess = bool(app.config.get("PROMETHEUS_MULTIPROC_DIR"))
    registry = CollectorRegistry()
    exporter: Any
    if multiprocess:
        from prometheus_flask_exporter.multiprocess import GunicornInternalPrometheusMetrics

        exporter = GunicornInternalPrometheusMetrics(
            app, group_by="endpoint", defaults_prefix="leerlijn"
        )
    else:
        exporter = PrometheusMetrics(
            app, registry=registry, group_by="endpoint", defaults_prefix="leerlijn"
        )
    public(app.view_functions["prometheus_metrics"])
    metrics = {
        "exporter": exporter,
        "path_engine": Histogram(
            "leerlijn_path_engine_seconds",
            "Time spent computing learners' paths, per request that computed any",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
            registry=registry,
        ),
        "database_errors": Counter(
            "leerlijn_database_errors_total",
            "Database statements that failed (connection lost, timeout, constraint, ...)",
            ["kind"],
            registry=registry,
        ),
    }
    app.extensions[METRICS_KEY] = metrics
    if not event.contains(Engine, "handle_error", _count_database_error):
        event.listen(Engine, "handle_error", _count_database_error)
    return metrics


def _count_database_error(context: ExceptionContext) -> None:
    try:
        metrics = current_app.extensions.get(METRICS_KEY)
    except RuntimeError:  # outside an app context (the command line)
        return
    if metrics is not None:
        kind = type(context.original_exception).__name__
        metrics["database_errors"].labels(kind=kind).inc()


def _migrations_head(migrations_dir: Path) -> str | None:
    """The newest revision of the shipped migrations (read once, when the app is made)."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(migrations_dir))
    return ScriptDirectory.from_config(config).get_current_head()
