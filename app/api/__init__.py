"""The JSON API under /api: flask-smorest blueprints, request guards and error handling."""

from __future__ import annotations

from flask import Flask, g, request
from flask_smorest import Api
from werkzeug.exceptions import BadRequest, HTTPException, UnsupportedMediaType

from app.api.errors import http_problem
from app.services.actor import Actor

ACTOR_HEADER = "X-Leerlijn-Actor"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class LeerlijnApi(Api):
    """flask-smorest's Api whose HTTP errors are RFC 9457 problem documents."""

    def handle_http_exception(self, error: HTTPException):  # type: ignore[override]
        return http_problem(error)


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
            f"the body must be application/json (or another +json type), not '{request.mimetype or 'none'}'"
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


def set_actor() -> None:
    """Make the acting party of this request known (authentication arrives in a later issue)."""
    g.actor = Actor(id=request.headers.get(ACTOR_HEADER, "anonymous").strip()[:100] or "anonymous")


def current_actor() -> Actor:
    return g.actor  # type: ignore[no-any-return]


def register_api(app: Flask) -> None:
    from app.api import catalog, credentials, imports, learners, qualifications, units, vmbo

    api = LeerlijnApi(app, spec_kwargs={"info": {"description": "Leerlijn registry API"}})
    app.before_request(set_actor)
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
    )
    for blueprint in blueprints:
        api.register_blueprint(blueprint, url_prefix="/api")
    app.register_blueprint(credentials.did_documents)
    app.extensions["leerlijn_api"] = api
