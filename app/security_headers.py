"""Security headers on every response, pages and API alike.

A small module instead of Flask-Talisman: Talisman redirects to https by default (wrong for the
http development server and for TLS ending at a proxy) and does far more than these five
headers need.

* ``Content-Security-Policy`` (``LEERLIJN_CONTENT_SECURITY_POLICY``): scripts, styles, images
  and forms only from the app itself, no plug-ins, no framing (``frame-ancestors 'none'``).
  The pages have no inline scripts; their ``style="width: …"`` attributes (progress bars) need
  inline styles. The API docs page (Swagger UI, served by flask-smorest) starts with an
  inline script, so that one page also allows inline scripts.
* ``X-Frame-Options: DENY`` for browsers without ``frame-ancestors``.
* ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: strict-origin-when-cross-origin``.
* ``Strict-Transport-Security`` only when the request came over https (as gunicorn or a
  trusted proxy reports it), never over plain http, where browsers ignore it anyway.
"""

from __future__ import annotations

from flask import Flask, Response, request

HSTS = "max-age=31536000; includeSubDomains"


def docs_policy(policy: str) -> str:
    """The policy of the API docs page: `policy` with inline scripts allowed.

    >>> docs_policy("default-src 'self'; script-src 'self'; object-src 'none'")
    "default-src 'self'; script-src 'self' 'unsafe-inline'; object-src 'none'"
    """
    directives = [part.strip() for part in policy.split(";") if part.strip()]
    relaxed = [
        f"{part} 'unsafe-inline'" if part.split()[0] == "script-src" else part
        for part in directives
    ]
    return "; ".join(relaxed)


def install_security_headers(app: Flask) -> None:
    """Add the headers to every response of `app` (errors included)."""
    policy = app.config["LEERLIJN_CONTENT_SECURITY_POLICY"]
    docs = app.config.get("OPENAPI_URL_PREFIX", "/api").rstrip("/") + app.config.get(
        "OPENAPI_SWAGGER_UI_PATH", "/docs"
    )
    relaxed = docs_policy(policy)

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", relaxed if request.path == docs else policy)
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", HSTS)
        return response
