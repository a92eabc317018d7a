"""Every error becomes an RFC 9457 problem document, here and nowhere else."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, current_app, json, request
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from app.database_errors import database_unavailable
from app.domain.access import AccessDenied, NotAuthenticated
from app.domain.errors import (
    AchievementNotEarned,
    Conflict,
    DuplicateCode,
    InvalidData,
    NotFound,
    NothingToCertify,
    PrerequisiteCycle,
    RegistryError,
    StillReferenced,
)
from app.schemas.pointers import pointer_errors

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger(__name__)

#: Domain exception → (HTTP status, problem type slug). Subclasses before their parents.
PROBLEMS: list[tuple[type[RegistryError], int, str]] = [
    (NotAuthenticated, 401, "not-authenticated"),
    (AccessDenied, 403, "forbidden"),
    (NotFound, 404, "not-found"),
    (DuplicateCode, 409, "duplicate-code"),
    (PrerequisiteCycle, 409, "prerequisite-cycle"),
    (StillReferenced, 409, "still-referenced"),
    (AchievementNotEarned, 409, "achievement-not-earned"),
    (NothingToCertify, 409, "nothing-to-certify"),
    (Conflict, 409, "conflict"),
    (InvalidData, 422, "invalid-data"),
    (RegistryError, 400, "registry-error"),
]


def problem(status: int, slug: str | None, title: str, detail: str, **extensions: Any) -> Response:
    """Return an ``application/problem+json`` response."""
    body: dict[str, Any] = {
        "type": current_app.config["PROBLEM_BASE_URI"] + slug if slug else "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    body.update({k: v for k, v in extensions.items() if v is not None})
    response = current_app.response_class(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    return response


def registry_problem(error: RegistryError) -> Response:
    status, slug = next((status, slug) for cls, status, slug in PROBLEMS if isinstance(error, cls))
    extensions: dict[str, Any] = {}
    if isinstance(error, PrerequisiteCycle):
        extensions["cycle"] = error.cycle
    if isinstance(error, StillReferenced):
        extensions["references"] = error.references
    if getattr(error, "errors", None):
        extensions["errors"] = error.errors  # type: ignore[attr-defined]
    for name, value in getattr(error, "extensions", {}).items():
        extensions[name] = value
    return problem(status, slug, slug.replace("-", " ").capitalize(), error.detail, **extensions)


def validation_problem(error: ValidationError) -> Response:
    errors = pointer_errors(error.messages)
    return problem(422, "invalid-data", "Invalid data", _summary(errors), errors=errors)


def http_problem(error: HTTPException) -> Response:
    """Turn a werkzeug/flask-smorest HTTP error into a problem (webargs errors keep fields)."""
    page = page_for_people(error)
    if page is not None:
        return _with_error_headers(page, error)
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") if isinstance(data, Mapping) else None
    if status == 422 and messages:
        errors = []
        for location, fields in messages.items():
            if location == "json":
                errors += pointer_errors(fields)
            else:
                errors += [
                    {
                        "parameter": name,
                        "message": " ".join(map(str, msgs))
                        if isinstance(msgs, list)
                        else str(msgs),
                    }
                    for name, msgs in (
                        fields.items() if isinstance(fields, Mapping) else [(location, fields)]
                    )
                ]
        return problem(422, "invalid-data", "Invalid data", _summary(errors), errors=errors)
    if status == 400 and messages:
        return problem(
            400, "malformed-json", "Malformed JSON", "the request body is not valid JSON"
        )
    detail = (
        data.get("message")
        if isinstance(data, Mapping) and data.get("message")
        else error.description
    )
    return _with_error_headers(problem(status, None, error.name, str(detail or error.name)), error)


def _with_error_headers(response: Response, error: HTTPException) -> Response:
    """Keep the headers the error carries (``Allow`` of a 405, ``Retry-After`` of a 429)."""
    for header, value in error.get_headers():
        if header.lower() not in ("content-type", "content-length"):
            response.headers[header] = value
    return response


def page_for_people(error: HTTPException) -> Response | None:
    """Outside /api, the HTML error page of `app.web` (unless the client asks for JSON)."""
    render = current_app.extensions.get("leerlijn_error_page")
    if render is None or request.path == "/api" or request.path.startswith("/api/"):
        return None
    if request.accept_mimetypes.best in ("application/json", PROBLEM_JSON):
        return None
    return render(error)  # type: ignore[no-any-return]


def integrity_problem(error: IntegrityError) -> Response:
    """A constraint the checks could not see coming (e.g. a concurrent insert of the same code)."""
    from app.extensions import db

    db.session.rollback()
    log.warning("integrity error: %s", error.orig)
    return problem(
        409,
        "conflict",
        "Conflict",
        "the change conflicts with data stored meanwhile (a duplicate or a missing reference); "
        "nothing was written",
    )


def internal_problem(error: Exception) -> Response:
    log.exception("unhandled error", exc_info=error)
    return problem(500, "internal-error", "Internal server error", "an unexpected error occurred")


def _summary(errors: list[dict[str, str]]) -> str:
    if not errors:
        return "the request is not valid"
    first = errors[0]
    where = first.get("pointer") or first.get("parameter")
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {first['message']}{more}"


class DatabaseUnavailable(ServiceUnavailable):
    """The database did not answer (down, restarting, unreachable); nothing was written."""

    description = (
        "the registry's database is not reachable at the moment; nothing was written. "
        "Try again shortly."
    )


def database_problem(error: OperationalError | InterfaceError) -> Response:
    """503 (problem document under /api, the error page elsewhere) when the database is gone.

    The pool drops the broken connection (``pool_pre_ping`` tests the next one before use), so
    the service answers normally again as soon as the database is back. Other database errors
    (a statement that is wrong) stay internal errors (500).
    """
    from app.extensions import db

    if not database_unavailable(error):
        return internal_problem(error)
    try:
        db.session.rollback()
    except SQLAlchemyError:
        pass
    log.warning("database unavailable: %s", type(error.orig).__name__ if error.orig else error)
    unavailable = DatabaseUnavailable(retry_after=5)
    return http_problem(unavailable)


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(RegistryError, registry_problem)
    app.register_error_handler(ValidationError, validation_problem)
    app.register_error_handler(HTTPException, http_problem)
    app.register_error_handler(IntegrityError, integrity_problem)
    app.register_error_handler(OperationalError, database_problem)
    app.register_error_handler(InterfaceError, database_problem)
    app.register_error_handler(Exception, internal_problem)
