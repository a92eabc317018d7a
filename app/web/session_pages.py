"""Signing in and out of the pages: ``/login``, ``POST /logout``, ``/mijn-leerpad``.

A person signs in with the e-mail address and password of their account, or pastes an API
token. Failed attempts are rate-limited per client address (``LEERLIJN_RATE_LIMIT_LOGIN``,
counted by Flask-Limiter on the 401 answers only).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import has_request_context, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from app.authentication import (
    current_principal,
    public,
    safe_next,
    sign_in_session,
    sign_out_session,
)
from app.domain.access import Role
from app.extensions import db
from app.services import access
from app.web.blueprint import web

ROLE_NAMES = {
    Role.ADMIN: "beheerder",
    Role.SCHOOL_ADMIN: "schoolbeheerder",
    Role.ASSESSOR: "examinator",
    Role.VMBO_TEACHER: "vmbo-docent",
    Role.LEARNER: "leerling",
}

#: The pages a "back to this page" after signing in never points at.
SESSION_PAGES = frozenset({"web.login", "web.login_submit", "web.logout"})


@dataclass(frozen=True, slots=True)
class SignedIn:
    """Who is signed in, as the page header shows it."""

    name: str
    role: str
    institution: str | None
    is_learner: bool


@web.app_context_processor
def signed_in_context() -> dict[str, Any]:
    """`signed_in` (None: nobody) and `login_url` (back to this page) for the header."""
    principal = current_principal() if has_request_context() else None
    if principal is not None:
        shown = SignedIn(
            name=principal.name or principal.id,
            role=ROLE_NAMES.get(principal.role, principal.role.value),
            institution=principal.institution,
            is_learner=principal.learner is not None,
        )
        return {"signed_in": shown, "login_url": None}
    back = None
    if has_request_context() and request.method == "GET" and request.endpoint not in SESSION_PAGES:
        back = safe_next(request.full_path)
    return {
        "signed_in": None,
        "login_url": url_for("web.login", next=None if back == "/" else back),
    }


def _home_of(role: Role) -> str:
    if role is Role.LEARNER:
        return url_for("web.my_path")
    if role is Role.VMBO_TEACHER:
        return url_for("web.vmbo_index")
    if role in (Role.SCHOOL_ADMIN, Role.ADMIN):
        return url_for("web.registry_index")
    return url_for("web.index")


@web.get("/login")
@public
def login() -> str:
    """The sign-in form."""
    return render_template("web/login.html", next=safe_next(request.args.get("next")), error=None)


@web.post("/login")
@public
def login_submit() -> Response | tuple[str, int]:
    """Check the e-mail address and password (or a token) and start a session."""
    email = (request.form.get("email") or "").strip()
    password = request.form.get("password") or ""
    token = (request.form.get("token") or "").strip()
    target = safe_next(request.form.get("next"))
    principal = None
    if token:
        principal = access.principal_for_token(db.session, token)
    elif email and password:
        principal = access.sign_in(db.session, email, password)
    if principal is None:
        message = (
            "Dit token is onbekend, verlopen of ingetrokken."
            if token
            else "Het e-mailadres of het wachtwoord klopt niet."
        )
        page = render_template("web/login.html", next=target, error=message, email=email)
        return page, 401
    sign_in_session(principal)
    return redirect(target if target != "/" else _home_of(principal.role), code=303)


@web.post("/logout")
@public
def logout() -> Response:
    """End the session."""
    sign_out_session()
    return redirect(url_for("web.index"), code=303)


@web.get("/mijn-leerpad")
def my_path() -> Response:
    """The signed-in learner's own path, at a stable address."""
    principal = current_principal()
    if principal is None or principal.learner is None:
        return redirect(url_for("web.index"), code=303)
    return redirect(url_for("web.learner_path", learner_id=principal.learner), code=303)
