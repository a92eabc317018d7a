"""School-admin pages: the start page of the school's management, and the qualification form.

``/beheer``                                     what a school-admin (or admin) manages here
``/registry/qualifications/nieuw``              form: a new qualification
``/registry/qualifications/<code>/bewerken``    form: mandatory units, electives, entry
                                                requirements and required EPAs of a qualification

The form posts the JSON API's qualification payload through `QualificationSchema` and the
services `registry.create_qualification` / `replace_qualification` (the same checks: unknown
codes, options that are no VC units, a qualification as its own entry requirement). It follows
`app.web.form_flow`: 303 and a flash message on success, the form again (422, 409 for a
duplicate code) with the error summary at the top on a refusal. Staff accounts and tokens are in
`staff_pages`, the import in `import_pages`.
"""

from __future__ import annotations

import dataclasses

from flask import Response, render_template, request, url_for
from marshmallow import ValidationError

from app.domain.errors import Conflict, DuplicateCode, InvalidData
from app.domain.model import Qualification
from app.domain.paging import ListFilter
from app.extensions import db
from app.request_context import default_institution
from app.schemas.registry import QualificationSchema
from app.services import access, registry
from app.web.blueprint import web
from app.web.form_flow import FieldError, done, field_error, refused
from app.web.forms import web_actor
from app.web.qualification_form import (
    QUALIFICATION_LABELS,
    QualificationForm,
    qualification_errors,
    read_qualification_form,
)

LIST_LIMIT = 500


@web.get("/beheer")
def school_admin_index() -> str:
    """The school's management: qualifications to edit, staff, tokens, the import."""
    actor = web_actor()
    accounts = access.list_accounts(db.session, actor)  # AccessDenied (403) for other roles
    tokens = access.list_tokens(db.session, actor)
    flt = ListFilter(limit=LIST_LIMIT)
    qualifications = [
        q
        for q in registry.list_qualifications(db.session, flt).items
        if actor is None or actor.institution is None or q.institution == actor.institution
    ]
    return render_template(
        "admin/index.html",
        qualifications=qualifications,
        active_accounts=sum(1 for a in accounts if a.active),
        live_tokens=sum(1 for t in tokens if t.revoked_at is None),
    )


@web.get("/registry/qualifications/nieuw")
def new_qualification_form() -> tuple[str, int]:
    """The empty form for a new qualification."""
    return _render(None, QualificationForm.empty())


@web.post("/registry/qualifications/nieuw")
def create_qualification() -> Response | tuple[str, int]:
    """Create the qualification; on success go to its page."""
    return _save(None)


@web.get("/registry/qualifications/<code>/bewerken")
def edit_qualification_form(code: str) -> tuple[str, int]:
    """The qualification's form, filled in."""
    qualification = registry.get_qualification(db.session, code)
    return _render(qualification, QualificationForm.of(qualification))


@web.post("/registry/qualifications/<code>/bewerken")
def edit_qualification(code: str) -> Response | tuple[str, int]:
    """Replace the qualification as a whole; on success go to its page."""
    return _save(code)


def _save(code: str | None) -> Response | tuple[str, int]:
    current = registry.get_qualification(db.session, code) if code is not None else None
    form, payload, row_of = read_qualification_form(request.form, code)
    try:
        qualification = QualificationSchema().load(payload)
        if qualification.institution is None:
            qualification = _owned(qualification)
        if current is None:
            saved = registry.create_qualification(db.session, web_actor(), qualification)
        else:
            saved = registry.replace_qualification(
                db.session, web_actor(), current.code, qualification
            )
    except (ValidationError, InvalidData) as error:
        db.session.rollback()
        return _render(current, form, qualification_errors(error, row_of), 422)
    except DuplicateCode as error:
        db.session.rollback()
        message = f"Er bestaat al een kwalificatie met code ‘{error.code}’. Kies een andere code."
        return _render(current, form, [field_error("code", f"Code: {message}")], 409)
    except Conflict as error:
        db.session.rollback()
        return _render(current, form, qualification_errors(error, row_of), 409)
    what = "aangemaakt" if current is None else "opgeslagen"
    return done(
        url_for("web.qualification_page", code=saved.code),
        f"Kwalificatie {saved.code} is {what}.",
    )


def _owned(qualification: Qualification) -> Qualification:
    """A qualification that names no school belongs to the registry's default one."""
    return dataclasses.replace(qualification, institution=default_institution())


def _render(
    qualification: Qualification | None,
    form: QualificationForm,
    errors: list[FieldError] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    known = registry.known_codes(db.session)
    context = {
        "q": qualification,
        "form": form,
        "labels": QUALIFICATION_LABELS,
        "level_options": [
            (str(level.level), f"{level.level} – {level.label_nl}")
            for level in registry.supervision_levels(db.session)
        ],
        "unit_codes": sorted(known.unit_kinds),
        "epa_codes": sorted(known.epas),
    }
    return refused("registry/qualification_form.html", errors or [], status, **context)
