"""Staff pages: the sign-in accounts and API tokens of a school (school-admin; admin: all).

``/beheer/medewerkers``                                  accounts and tokens, with their state
``/beheer/medewerkers/accounts/nieuw``                   form: a new sign-in account
``/beheer/medewerkers/accounts/<id>/deactiveren``        ask, then deactivate the account
``/beheer/medewerkers/tokens/nieuw``                     form: a new API token (shown once)
``/beheer/medewerkers/tokens/<id>/intrekken``            ask, then revoke the token

Everything goes through `app.services.access` (the same rules as ``/api/accounts`` and
``/api/tokens``): a school-admin sees and manages only their own institution's staff, and an
account or token of another institution answers 404, as the API does.

A new token is the one answer that is not a redirect: its secret is shown once, on the page that
answers the POST (201, ``Cache-Control: no-store``), because it must not travel through a
cookie (the flash messages live in the signed, not encrypted, session cookie) or an address.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response, make_response, render_template, request, url_for
from marshmallow import ValidationError

from app.domain.access import AccessDenied, Principal, Role
from app.domain.errors import Conflict, InvalidData, NotFound
from app.extensions import db
from app.schemas.access import AccountInSchema, TokenInSchema
from app.services import access
from app.services.access import AccountInfo
from app.web.blueprint import web
from app.web.form_flow import FieldError, confirm_page, done, errors_from, field_error, refused
from app.web.forms import web_actor

#: Role → Dutch, as the staff list and the role choice show it.
ROLE_WORDS: dict[str, str] = {
    Role.ADMIN.value: "beheerder (alle scholen)",
    Role.SCHOOL_ADMIN.value: "schoolbeheerder",
    Role.ASSESSOR.value: "examinator",
    Role.VMBO_TEACHER.value: "vmbo-docent",
    Role.LEARNER.value: "leerling",
    Role.COORDINATOR.value: "stagecoördinator",
    Role.WORKPLACE.value: "praktijkopleider",
}
#: The roles a school-admin may grant (an admin grants every role).
SCHOOL_ROLES = (Role.SCHOOL_ADMIN, Role.ASSESSOR, Role.VMBO_TEACHER, Role.LEARNER)
STAFF_LABELS: dict[str, str] = {
    "email": "E-mailadres",
    "name": "Naam",
    "password": "Wachtwoord",
    "role": "Rol",
    "institution": "Instelling",
    "learner": "Leerling (id)",
    "programme": "vmbo-programma",
    "workplace": "Praktijkplek",
    "expires_days": "Geldig (dagen)",
    "label": "Omschrijving",
}
ACCOUNT_FIELDS = ("email", "name", "password", "role", "institution", "learner", "programme")
TOKEN_FIELDS = ("role", "institution", "learner", "programme", "expires_days", "label")


def _actor() -> Principal:
    return access.require_principal(web_actor())


def role_options(actor: Principal) -> list[tuple[str, str]]:
    """(value, Dutch name) of the roles `actor` may grant."""
    roles = list(Role) if actor.role is Role.ADMIN else list(SCHOOL_ROLES)
    return [(role.value, ROLE_WORDS.get(role.value, role.value)) for role in roles]


@web.get("/beheer/medewerkers")
def staff_index() -> str:
    """The institution's accounts and tokens (never a secret)."""
    actor = _actor()
    accounts = access.list_accounts(db.session, actor)
    tokens = access.list_tokens(db.session, actor)
    return render_template(
        "admin/staff.html",
        accounts=sorted(accounts, key=lambda a: (not a.active, a.name.lower())),
        tokens=sorted(tokens, key=lambda t: (t.revoked_at is not None, -t.id)),
        roles=ROLE_WORDS,
        scope=actor.institution,
    )


# --- accounts -----------------------------------------------------------------------------------


@web.get("/beheer/medewerkers/accounts/nieuw")
def new_account_form() -> tuple[str, int]:
    """The form for a new sign-in account."""
    actor = _actor()
    access.list_accounts(db.session, actor)  # AccessDenied (403) for roles without staff
    return _account_form(actor, {"role": Role.ASSESSOR.value})


@web.post("/beheer/medewerkers/accounts/nieuw")
def create_account() -> Response | tuple[str, int]:
    """Create the account; on success back to the staff list."""
    actor = _actor()
    access.list_accounts(db.session, actor)  # AccessDenied (403) for roles without staff
    values = _values(request.form, ACCOUNT_FIELDS, actor)
    payload = _payload(values, ACCOUNT_FIELDS)
    try:
        data = AccountInSchema().load(payload)
        role = Role(data.pop("role"))
        info = access.create_account(db.session, actor, role=role, **data)
    except (ValidationError, InvalidData) as error:
        return _account_form(actor, values, errors_from(error, STAFF_LABELS), 422)
    except AccessDenied:
        return _account_form(actor, values, [_not_yours()], 403)
    except Conflict:
        message = "E-mailadres: er bestaat al een account met dit e-mailadres."
        return _account_form(actor, values, [field_error("email", message)], 409)
    return done(
        url_for("web.staff_index") + "#accounts",
        f"Account voor {info.name} ({info.email}, {ROLE_WORDS.get(info.role, info.role)}) "
        "is aangemaakt.",
    )


def _account_form(
    actor: Principal,
    values: Mapping[str, str],
    errors: list[FieldError] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    values = {**values, "password": ""}  # never sent back to the browser
    return _staff_form("admin/account_form.html", actor, values, errors, status)


def _staff_form(
    template: str,
    actor: Principal,
    values: Mapping[str, str],
    errors: list[FieldError] | None,
    status: int,
) -> tuple[str, int]:
    """The account or token form, blank or refused (nothing of a refused try is kept)."""
    db.session.rollback()
    return refused(
        template,
        errors or [],
        status,
        values=values,
        labels=STAFF_LABELS,
        roles=role_options(actor),
        fixed_institution=actor.institution if actor.role is Role.SCHOOL_ADMIN else None,
    )


@web.get("/beheer/medewerkers/accounts/<int(max=2147483647):account_id>/deactiveren")
def deactivate_account_form(account_id: int) -> tuple[str, int]:
    """Ask first: deactivating ends the account's sessions."""
    return _deactivate_page(_account(account_id))


@web.post("/beheer/medewerkers/accounts/<int(max=2147483647):account_id>/deactiveren")
def deactivate_account(account_id: int) -> Response | tuple[str, int]:
    """Deactivate the account; back to the staff list."""
    info = access.deactivate_account(db.session, _actor(), account_id)
    return done(
        url_for("web.staff_index") + "#accounts",
        f"Account van {info.name} ({info.email}) is gedeactiveerd.",
    )


def _account(account_id: int) -> AccountInfo:
    """The account in the actor's scope (404 otherwise, as the API)."""
    found = [a for a in access.list_accounts(db.session, _actor()) if a.id == account_id]
    if not found:
        raise NotFound("account", str(account_id))
    return found[0]


def _deactivate_page(info: AccountInfo) -> tuple[str, int]:
    return confirm_page(
        title=f"Account van {info.name} deactiveren",
        eyebrow="Medewerkers",
        action=url_for("web.deactivate_account", account_id=info.id),
        cancel_url=url_for("web.staff_index") + "#accounts",
        consequences=[
            f"{info.name} ({info.email}, {ROLE_WORDS.get(info.role, info.role)}) kan niet meer "
            "inloggen; een open sessie eindigt bij de volgende klik.",
            "Wat deze persoon heeft vastgelegd, blijft bewaard en blijft op naam van het account.",
            "Een gedeactiveerd account kan hier niet weer worden geactiveerd; maak zo nodig een "
            "nieuw account aan.",
        ],
        button="Account deactiveren",
    )


# --- tokens -------------------------------------------------------------------------------------


@web.get("/beheer/medewerkers/tokens/nieuw")
def new_token_form() -> tuple[str, int]:
    """The form for a new API token."""
    actor = _actor()
    access.list_tokens(db.session, actor)  # AccessDenied (403) for roles without staff
    return _token_form(actor, {"role": Role.ASSESSOR.value, "expires_days": "90"})


@web.post("/beheer/medewerkers/tokens/nieuw")
def create_token() -> Response | tuple[str, int]:
    """Create the token and show it this once (201, not stored anywhere in clear)."""
    actor = _actor()
    access.list_tokens(db.session, actor)  # AccessDenied (403) for roles without staff
    values = _values(request.form, TOKEN_FIELDS, actor)
    payload = _payload(values, TOKEN_FIELDS)
    try:
        data = TokenInSchema().load(payload)
        issued = access.create_token(db.session, actor, Role(data.pop("role")), **data)
    except (ValidationError, InvalidData) as error:
        return _token_form(actor, values, errors_from(error, STAFF_LABELS), 422)
    except AccessDenied:
        return _token_form(actor, values, [_not_yours()], 403)
    html = render_template(
        "admin/token_created.html", token=issued.info, secret=issued.secret, roles=ROLE_WORDS
    )
    response = make_response(html, 201)
    response.headers["Cache-Control"] = "no-store"
    return response


def _token_form(
    actor: Principal,
    values: Mapping[str, str],
    errors: list[FieldError] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    return _staff_form("admin/token_form.html", actor, values, errors, status)


@web.get("/beheer/medewerkers/tokens/<int(max=2147483647):token_id>/intrekken")
def revoke_token_form(token_id: int) -> tuple[str, int]:
    """Ask first: a revoked token stops working at once."""
    info = access.get_token(db.session, _actor(), token_id)
    label = info.label or f"token {info.id}"
    return confirm_page(
        title=f"Token ‘{label}’ intrekken",
        eyebrow="Medewerkers",
        action=url_for("web.revoke_token", token_id=info.id),
        cancel_url=url_for("web.staff_index") + "#tokens",
        consequences=[
            f"Token {info.id} ({ROLE_WORDS.get(info.role, info.role)}) werkt vanaf nu niet meer: "
            "programma's die het gebruiken, krijgen 401.",
            "Intrekken kan niet ongedaan worden gemaakt; maak zo nodig een nieuw token aan.",
        ],
        button="Token intrekken",
    )


@web.post("/beheer/medewerkers/tokens/<int(max=2147483647):token_id>/intrekken")
def revoke_token(token_id: int) -> Response | tuple[str, int]:
    """Revoke the token; back to the staff list."""
    try:
        info = access.revoke_token(db.session, _actor(), token_id)
    except Conflict:
        db.session.rollback()
        return done(url_for("web.staff_index") + "#tokens", f"Token {token_id} was al ingetrokken.")
    return done(url_for("web.staff_index") + "#tokens", f"Token {info.id} is ingetrokken.")


# --- form values --------------------------------------------------------------------------------


def _values(form: Mapping[str, str], names: tuple[str, ...], actor: Principal) -> dict[str, str]:
    """The typed values; a school-admin's institution is their own, whatever was posted."""
    values = {name: (form.get(name) or "").strip() for name in names}
    if "password" in names:
        values["password"] = form.get("password") or ""
    if actor.role is Role.SCHOOL_ADMIN:
        values["institution"] = actor.institution or ""
    return values


def _payload(values: Mapping[str, str], names: tuple[str, ...]) -> dict[str, Any]:
    """The API payload: empty fields left out, the number of days a number."""
    payload: dict[str, Any] = {}
    for name in names:
        value = values.get(name, "")
        if not value:
            continue
        if name == "expires_days":
            payload[name] = int(value) if value.isdigit() and len(value) < 6 else value
        else:
            payload[name] = value
    return payload


def _not_yours() -> FieldError:
    return field_error(
        "role",
        "Rol: u mag deze rol niet toekennen voor deze instelling of dit programma "
        "(een schoolbeheerder alleen binnen de eigen school).",
    )
