"""Who is asking: the principal of a request, from a bearer token (API) or a session (pages).

The API reads only ``Authorization: Bearer …``; the pages read only their session cookie, so a
cookie never authorizes an API call and CSRF protection is needed on the pages alone.

Every endpoint is protected unless its view is marked `public`. A protected endpoint without
a principal is refused before its body is validated: 401 (problem document) under ``/api``, a
redirect to ``/login?next=…`` for pages. What a principal may do once known is decided by the
services (`app.services.access.authorize`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, current_app, g, redirect, request, session, url_for
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import RequestEntityTooLarge, Unauthorized

from app.domain.access import Principal
from app.extensions import db
from app.services import access

F = TypeVar("F", bound=Callable[..., Any])

SESSION_PRINCIPAL = "principal"
API_PREFIXES = ("/api/",)
#: Endpoints of extensions, open to everyone: static files, the OpenAPI document and its UI.
PUBLIC_ENDPOINTS = frozenset({"static", "api_docs_asset"})


def public(view: F) -> F:
    """Mark a view (function or MethodView method) as open to everyone, without signing in."""
    view._leerlijn_public = True  # type: ignore[attr-defined]
    return view


def is_public_endpoint(app: Flask, endpoint: str | None, method: str) -> bool:
    """Whether `method` on `endpoint` is marked `public` (unknown endpoints count as public)."""
    if endpoint is None or endpoint in PUBLIC_ENDPOINTS or endpoint.startswith("api-docs."):
        return True
    view = app.view_functions.get(endpoint)
    if view is None:
        return True
    if getattr(view, "_leerlijn_public", False):
        return True
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        handler = getattr(view_class, method.lower(), None)
        if handler is None and method == "HEAD":
            handler = getattr(view_class, "get", None)
        return bool(getattr(handler, "_leerlijn_public", False)) or handler is None
    return False


def current_principal() -> Principal | None:
    """The principal of the current request (None: nobody signed in)."""
    return g.get("principal")


def _is_api(path: str) -> bool:
    return path.startswith(API_PREFIXES)


def _bearer_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def authenticate_request() -> Any:
    """Find the request's principal; refuse protected endpoints without one."""
    g.principal = None
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit is not None and (request.content_length or 0) > limit:
        raise RequestEntityTooLarge()
    if _is_api(request.path):
        secret = _bearer_secret()
        if secret is not None:
            g.principal = access.principal_for_token(db.session, secret)
            if g.principal is None:
                raise _unauthorized("the bearer token is unknown, expired or revoked", True)
    else:
        principal_id = session.get(SESSION_PRINCIPAL)
        if isinstance(principal_id, str):
            g.principal = access.principal_for_session(db.session, principal_id)
            if g.principal is None:
                # signed out, but the session (and the CSRF token of its open forms) lives on
                session.pop(SESSION_PRINCIPAL, None)
    if g.principal is not None or request.method == "OPTIONS":
        return None
    if is_public_endpoint(current_app, request.endpoint, request.method):
        return None
    if _is_api(request.path):
        raise _unauthorized("sign in first: send 'Authorization: Bearer <token>'")
    return redirect(url_for("web.login", next=safe_next(request.full_path)))


def _unauthorized(detail: str, invalid_token: bool = False) -> Unauthorized:
    """A 401 that names the scheme to use (RFC 6750), and says when the token was refused."""
    values: dict[str, str | None] = {"realm": "leerlijn"}
    if invalid_token:
        values["error"] = "invalid_token"
    return Unauthorized(detail, www_authenticate=WWWAuthenticate("Bearer", values))


def safe_next(target: str | None) -> str:
    """A local path to return to after signing in (never another site).

    >>> safe_next("/leerlingen/ln-1?op=2025-09-01")
    '/leerlingen/ln-1?op=2025-09-01'
    >>> safe_next("https://evil.example/"), safe_next("//evil.example/x"), safe_next(None)
    ('/', '/', '/')
    """
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target.rstrip("?") or "/"


def sign_in_session(principal: Principal) -> None:
    """Start a page session for an account or token principal (a fresh session: no fixation)."""
    session.clear()
    session[SESSION_PRINCIPAL] = principal.id


def sign_out_session() -> None:
    session.clear()


def register_authentication(app: Flask) -> None:
    app.before_request(authenticate_request)
