"""The JSON API under /api: flask-smorest blueprints, request guards and error handling."""

from __future__ import annotations

import http
from typing import Any

from flask import Flask, request
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from werkzeug.exceptions import BadRequest, HTTPException, NotFound, UnsupportedMediaType

from app.api.errors import PROBLEM_JSON, http_problem
from app.domain.errors import InvalidData
from app.domain.text import UNREADABLE, unreadable_characters
from app.schemas.credentials import DOCUMENTED_SCHEMAS
from app.schemas.problems import ProblemSchema

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
#: The one path whose body may also be CSV (``text/csv``): bulk issuing.
CSV_PATHS = frozenset({"/api/credentials/bulk"})


class LeerlijnApi(Api):
    """flask-smorest's Api whose HTTP errors are RFC 9457 problem documents, so documented."""

    ERROR_SCHEMA = ProblemSchema

    def handle_http_exception(self, error: HTTPException):  # type: ignore[override]
        return http_problem(error)

    def _register_responses(self) -> None:
        """Document the error responses (one per status, and ``default``) as problem documents.

        flask-smorest registers them with its own error schema as ``application/json``; the
        bodies `app.api.errors` really writes are ``application/problem+json``.
        """
        for status in http.HTTPStatus:
            self._register_response(status.name, status.phrase, with_problem=status >= 400)
        self._register_response(self.DEFAULT_ERROR_RESPONSE_NAME, "Default error response")

    def _register_response(self, name: str, description: str, with_problem: bool = True) -> None:
        response: dict[str, object] = {"description": description}
        if with_problem:
            response["schema"] = self.ERROR_SCHEMA
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response(name, response, lazy=True)


def is_json_mimetype(mimetype: str) -> bool:
    return mimetype == "application/json" or (
        mimetype.startswith("application/") and mimetype.endswith("+json")
    )


def guard_json_body() -> None:
    """Refuse a body that is not JSON (415) or not well-formed (400) before any view runs."""
    if request.method not in BODY_METHODS or not request.path.startswith("/api/"):
        return
    has_body = bool(request.content_length) or request.headers.get("Transfer-Encoding") == "chunked"
    if not has_body and not request.mimetype:
        return
    if request.mimetype == "text/csv" and request.path in CSV_PATHS:
        return
    if not is_json_mimetype(request.mimetype):
        raise UnsupportedMediaType(
            "the body must be application/json (or another +json type), "
            f"not '{request.mimetype or 'none'}'"
        )
    if has_body and _parsed_json() is None and request.get_data(cache=True).strip() != b"null":
        error = BadRequest("the request body is not valid JSON")
        error.data = {"messages": {"json": ["Invalid JSON body."]}}  # type: ignore[attr-defined]
        raise error


#: Ids beyond a signed 64-bit integer name nothing stored (and no database can compare them).
LARGEST_ID = 2**63 - 1


def guard_path_ids() -> None:
    """Answer 404 for an integer id in the path that no database column can hold."""
    for name, value in (request.view_args or {}).items():
        if isinstance(value, int) and not -LARGEST_ID <= value <= LARGEST_ID:
            raise NotFound(f"no {name.replace('_', ' ')} {value}")


def guard_unreadable_text() -> None:
    """Refuse NUL characters and lone surrogates before any view or database sees them.

    Anywhere: a path parameter, the query string, a form field or a JSON body (PostgreSQL
    refuses NUL in text; a lone surrogate has no UTF-8 encoding). Under /api the answer is a
    422 problem naming each field (JSON pointer or parameter); a page answers 400.
    """
    errors = [
        {"parameter": name, "message": UNREADABLE}
        for name, value in (request.view_args or {}).items()
        if any(True for _ in unreadable_characters(value))
    ]
    sources = [request.args, request.form] if request.method in BODY_METHODS else [request.args]
    for source in sources:
        for name, values in source.lists():
            if any(True for _ in unreadable_characters([name, *values])):
                errors.append({"parameter": name, "message": UNREADABLE})
    # JSON can only carry NUL or a lone surrogate as a \u escape (raw control characters are
    # invalid JSON, and UTF-8 has no surrogates): a body without one needs no walk.
    if request.method in BODY_METHODS and request.is_json and b"\\u" in request.get_data():
        body = request.get_json(silent=True)
        errors += [
            {"pointer": pointer, "message": UNREADABLE} for pointer in unreadable_characters(body)
        ]
    if not errors:
        return
    if request.path == "/api" or request.path.startswith("/api/"):
        raise InvalidData(errors)
    raise BadRequest("the request holds a NUL character or an unpaired surrogate")


def _parsed_json() -> object:
    """The parsed body, or None when it is not JSON (absurdly deep nesting included)."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        request._cached_json = (None, None)  # type: ignore[attr-defined]
        return None


def null_only_alternative(self: Any, field: Any, ret: dict[str, Any], **_: Any) -> dict[str, Any]:
    """A nullable nested object is documented (OpenAPI 3.0) as ``anyOf: [$ref, {type: object,
    nullable: true}]``, whose second branch admits ANY object; narrow it to null only."""
    for branch in ret.get("anyOf", []):
        if branch == {"type": "object", "nullable": True}:
            branch["enum"] = [None]
    return {}


def register_api(app: Flask) -> None:
    from app.api import (
        access,
        bulk_credentials,
        case,
        catalog,
        credentials,
        edc,
        exchanges,
        imports,
        issuers,
        learners,
        oid4vci,
        placements,
        qualifications,
        units,
        vmbo,
    )

    api = LeerlijnApi(app, spec_kwargs={"info": {"description": "Leerlijn registry API"}})
    api.ma_plugin.converter.add_attribute_function(null_only_alternative)
    for name, schema in DOCUMENTED_SCHEMAS.items():
        api.spec.components.schema(name, schema=schema)
    app.before_request(guard_json_body)
    app.before_request(guard_unreadable_text)
    app.before_request(guard_path_ids)
    blueprints = (
        units.blp,
        qualifications.blp,
        catalog.blp,
        imports.blp,
        learners.blp,
        vmbo.blp,
        vmbo.routes_blp,
        credentials.blp,
        edc.blp,
        bulk_credentials.blp,
        exchanges.blp,
        access.blp,
        placements.blp,
        oid4vci.offers_blp,
        case.blp,
    )
    for blueprint in blueprints:
        api.register_blueprint(blueprint, url_prefix="/api")
    api.register_blueprint(issuers.blp)
    api.register_blueprint(oid4vci.blp)
    app.extensions["leerlijn_api"] = api
