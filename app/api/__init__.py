"""The JSON API under /api: flask-smorest blueprints, request guards and error handling."""

from __future__ import annotations

import http

from flask import Flask, request
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from werkzeug.exceptions import BadRequest, HTTPException, UnsupportedMediaType

from app.api.errors import PROBLEM_JSON, http_problem
from app.schemas.credentials import DOCUMENTED_SCHEMAS
from app.schemas.problems import ProblemSchema

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


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
    if not is_json_mimetype(request.mimetype):
        raise UnsupportedMediaType(
            "the body must be application/json (or another +json type), "
            f"not '{request.mimetype or 'none'}'"
        )
    if has_body and _parsed_json() is None and request.get_data(cache=True).strip() != b"null":
        error = BadRequest("the request body is not valid JSON")
        error.data = {"messages": {"json": ["Invalid JSON body."]}}  # type: ignore[attr-defined]
        raise error


def _parsed_json() -> object:
    """The parsed body, or None when it is not JSON (absurdly deep nesting included)."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        request._cached_json = (None, None)  # type: ignore[attr-defined]
        return None


def register_api(app: Flask) -> None:
    from app.api import (
        access,
        catalog,
        credentials,
        imports,
        issuers,
        learners,
        qualifications,
        units,
        vmbo,
    )

    api = LeerlijnApi(app, spec_kwargs={"info": {"description": "Leerlijn registry API"}})
    for name, schema in DOCUMENTED_SCHEMAS.items():
        api.spec.components.schema(name, schema=schema)
    app.before_request(guard_json_body)
    blueprints = (
        units.blp,
        qualifications.blp,
        catalog.blp,
        imports.blp,
        learners.blp,
        vmbo.blp,
        vmbo.routes_blp,
        credentials.blp,
        access.blp,
    )
    for blueprint in blueprints:
        api.register_blueprint(blueprint, url_prefix="/api")
    api.register_blueprint(issuers.blp)
    app.extensions["leerlijn_api"] = api
