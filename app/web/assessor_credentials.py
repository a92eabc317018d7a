"""The assessor's credential pages: issue what the learner earns; suspend, unsuspend, revoke.

``/leerlingen/<id>/credential-uitgeven``     choose an achieved unit, EPA or diploma; issue it
``/credentials/<id>/intrekken``              confirm, then revoke for good with a reason
``/credentials/<id>/schorsen``               confirm, then suspend with a reason
``/credentials/<id>/herstellen``             confirm, then lift a suspension with a reason

Only what the path engine says the learner earns today is offered (`assessor_view.offers`);
issuing goes through `credentials.issue_credential` like ``POST /api/credentials`` and checks
again. Status changes go through `status.change_status` like
``POST /api/credentials/{id}/revoke``: the status list is re-signed, so afterwards the
credential verifies as revoked (or suspended). Conventions: `app.web.form_flow`.
"""

from __future__ import annotations

from typing import Any

from flask import render_template, request, url_for
from marshmallow import ValidationError
from werkzeug.wrappers import Response

from app.clock import today
from app.domain.access import AccessDenied, Decision, Target, decide
from app.domain.errors import AchievementNotEarned, Conflict, InvalidData, NothingToCertify
from app.extensions import db
from app.request_context import credential_environment, current_actor, path_caches
from app.schemas.credentials import AchievementRefSchema, StatusChangeSchema
from app.services import credentials, status
from app.services.credentials import IssuedCredential
from app.web import assessor_view as view
from app.web.assessor_pages import REASON_LABELS, staff_learner
from app.web.blueprint import web
from app.web.form_flow import FieldError, confirm_page, done, errors_from, field_error, refused
from app.web.forms import dutch_message

#: The action in the address → (the API's action, Dutch verb, what happens).
STATUS_PAGES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "intrekken": (
        "revoke",
        "intrekken",
        (
            "Het credential wordt voorgoed ingetrokken; dat kan niet ongedaan worden gemaakt.",
            "Wie het controleert, ziet vanaf nu dat het is ingetrokken (de statuslijst wordt "
            "opnieuw ondertekend).",
            "De reden en uw naam worden bewaard in de geschiedenis van het credential.",
        ),
    ),
    "schorsen": (
        "suspend",
        "schorsen",
        (
            "Het credential wordt geschorst: wie het controleert, ziet dat het (voorlopig) niet "
            "geldig is.",
            "U kunt de schorsing later opheffen.",
            "De reden en uw naam worden bewaard in de geschiedenis van het credential.",
        ),
    ),
    "herstellen": (
        "unsuspend",
        "herstellen",
        (
            "De schorsing wordt opgeheven: het credential is weer geldig.",
            "De reden en uw naam worden bewaard in de geschiedenis van het credential.",
        ),
    ),
}
CONFLICTS = {
    "revoke": "Dit credential is al ingetrokken.",
    "suspend": "Dit credential is al geschorst of ingetrokken.",
    "unsuspend": "Dit credential is niet geschorst, of het is ingetrokken.",
}


# --- issuing ------------------------------------------------------------------------------------


def _issue_page(learner_id: str, chosen: str, errors: list[FieldError]) -> tuple[str, int]:
    learner = staff_learner(learner_id, "credential.issue")
    on = today()
    catalog, record, standing = view.standing_of(db.session, learner_id, on, path_caches())
    lines = view.credential_lines(db.session, current_actor(), credential_environment(), learner_id)
    offered = view.offers(
        db.session, catalog, record, standing, learner_id, on, view.held_credentials(lines)
    )
    context: dict[str, Any] = {
        "learner": learner,
        "offers": offered,
        "chosen": chosen,
        "kinds": view.ACHIEVEMENT_LABELS,
    }
    if errors:
        return refused("assessor/issue.html", errors, 409 if chosen else 422, **context)
    return render_template("assessor/issue.html", errors=[], **context), 200


@web.get("/leerlingen/<learner_id>/credential-uitgeven")
def issue_form(learner_id: str) -> tuple[str, int]:
    """The achievements the learner earns today, to issue a credential for."""
    return _issue_page(learner_id, request.args.get("prestatie", ""), [])


@web.post("/leerlingen/<learner_id>/credential-uitgeven")
def issue(learner_id: str) -> Response | tuple[str, int]:
    """Issue (sign and store) the chosen credential; then the staff page, at that credential."""
    staff_learner(learner_id, "credential.issue")
    chosen = (request.form.get("achievement") or "").strip()
    kind, _, code = chosen.partition(":")
    try:
        achievement = AchievementRefSchema().load({"type": kind, "code": code})
        issued, created = credentials.issue_credential(
            db.session, current_actor(), credential_environment(), learner_id, achievement
        )
    except (ValidationError, InvalidData):
        db.session.rollback()
        message = "Kies wat u wilt uitgeven."
        return _issue_page(learner_id, "", [field_error("achievement", message)])
    except (AchievementNotEarned, NothingToCertify) as error:
        db.session.rollback()
        message = f"Nog niet verdiend: {dutch_message(error.detail)}"
        if isinstance(error, AchievementNotEarned):
            missing = "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in error.missing.items())
            message = f"{code} is nog niet behaald (ontbreekt: {missing})."
        return _issue_page(learner_id, chosen, [field_error("achievement", message)])
    what = view.ACHIEVEMENT_LABELS.get(kind, kind)
    message = (
        f"Credential uitgegeven voor {what} {code}."
        if created
        else f"De leerling had al een credential voor {what} {code}; dat is hier."
    )
    staff_page = url_for("web.learner_staff_page", learner_id=learner_id)
    return done(f"{staff_page}#credential-{issued.id}", message)


# --- status changes -----------------------------------------------------------------------------


def _staff_credential(credential_id: str) -> IssuedCredential:
    """The credential, when the signed-in principal may change its status (404 outside)."""
    actor = current_actor()
    credential = credentials.read_credential(db.session, actor, credential_id)
    target = Target(
        "credential", credential_id, institution=credential.institution, learner=credential.learner
    )
    if actor is None or decide(actor, "credential.status", target) is not Decision.ALLOW:
        raise AccessDenied("credential.status")
    return credential


def _status_page(
    credential: IssuedCredential, page: str, reason: str, errors: list[FieldError], code: int
) -> tuple[str, int]:
    _, verb, consequences = STATUS_PAGES[page]
    kind = view.ACHIEVEMENT_LABELS.get(credential.achievement_type, credential.achievement_type)
    return confirm_page(
        title=f"Credential {verb}",
        eyebrow=f"{kind} {credential.achievement_code} · {credential.name}",
        action=request.path,
        cancel_url=url_for("web.learner_staff_page", learner_id=credential.learner)
        + "#credentials",
        consequences=consequences,
        button=f"Bevestigen: {verb}",
        errors=errors,
        status=code,
        template="assessor/reason_confirm.html",
        reason=reason,
        reason_hint="De reden komt in de geschiedenis van het credential.",
        credential=credential,
    )


def _change_status(credential_id: str, page: str) -> Response | tuple[str, int]:
    credential = _staff_credential(credential_id)
    if request.method == "GET":
        return _status_page(credential, page, "", [], 200)
    action, verb, _ = STATUS_PAGES[page]
    reason = (request.form.get("reason") or "").strip()
    try:
        data = StatusChangeSchema().load({"reason": reason} if reason else {})
        status.change_status(
            db.session,
            current_actor(),
            credential_environment(),
            credential_id,
            action,
            data["reason"],
        )
    except ValidationError as error:
        return _status_page(credential, page, reason, errors_from(error, REASON_LABELS), 422)
    except Conflict:
        db.session.rollback()
        return _status_page(credential, page, reason, [field_error(None, CONFLICTS[action])], 409)
    past = {"revoke": "ingetrokken", "suspend": "geschorst", "unsuspend": "hersteld"}[action]
    return done(
        url_for("web.learner_staff_page", learner_id=credential.learner) + "#credentials",
        f"Credential {credential.achievement_code} is {past}.",
    )


@web.route("/credentials/<credential_id>/intrekken", methods=["GET", "POST"])
def revoke_credential(credential_id: str) -> Response | tuple[str, int]:
    """Confirm (GET), then revoke the credential for good with a reason (POST)."""
    return _change_status(credential_id, "intrekken")


@web.route("/credentials/<credential_id>/schorsen", methods=["GET", "POST"])
def suspend_credential(credential_id: str) -> Response | tuple[str, int]:
    """Confirm (GET), then suspend the credential with a reason (POST)."""
    return _change_status(credential_id, "schorsen")


@web.route("/credentials/<credential_id>/herstellen", methods=["GET", "POST"])
def unsuspend_credential(credential_id: str) -> Response | tuple[str, int]:
    """Confirm (GET), then lift the credential's suspension with a reason (POST)."""
    return _change_status(credential_id, "herstellen")
