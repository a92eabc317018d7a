"""vmbo forms: add and edit programmes and their practical assignments.

``/vmbo/programmas/nieuw``                         a new programme (school-admin of a vmbo
                                                   school, admin)
``/vmbo/<programme>/bewerken``                     title, profile and profielmodules of a
                                                   programme (also its vmbo-teacher)
``/vmbo/<programme>/opdrachten/nieuw``             a new practical assignment
``/vmbo/<programme>/opdrachten/<code>/bewerken``   title, description, module, keuzevakken

The forms post the API's payloads through its schemas (`ProgrammeSchema`, `AssignmentInSchema`)
and the services of `app.services.vmbo`, which decide who may: a vmbo-teacher only their own
programme. They follow `app.web.form_flow`: 303 to the matrix with a flash message on success,
the form again (422; 409 for a code that exists; 403 for a programme that is not yours) with
the error summary at the top on a refusal.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask import Response, request, url_for
from marshmallow import ValidationError

from app.domain.access import AccessDenied
from app.domain.errors import DuplicateCode, InvalidData, NotFound
from app.domain.overlap import PracticalAssignment, VmboProgramme
from app.extensions import db
from app.schemas.vmbo import AssignmentInSchema, ProgrammeSchema, to_assignment
from app.services import vmbo
from app.web.blueprint import web
from app.web.form_flow import FieldError, done, errors_from, field_error, refused
from app.web.forms import put, rows, web_actor

EMPTY_MODULE_ROWS = 2
PROGRAMME_LABELS: dict[str, str] = {
    "code": "Code",
    "title": "Titel",
    "institution": "School (code)",
    "profile": "Profiel",
    "modules": "Profielmodules",
    "modules-*": "Profielmodule *",
    "modules-*-code": "Profielmodule *, code",
    "modules-*-name": "Profielmodule *, naam",
}
ASSIGNMENT_LABELS: dict[str, str] = {
    "code": "Code",
    "title": "Titel",
    "description": "Beschrijving",
    "module": "Profielmodule",
    "keuzevakken": "Keuzevakken",
    "keuzevakken-*": "Keuzevak *",
}
NOT_YOURS = (
    "U mag dit programma niet wijzigen: alleen de docent van dit programma, de "
    "schoolbeheerder van de school en een beheerder."
)


# --- programmes ---------------------------------------------------------------------------------


@web.get("/vmbo/programmas/nieuw")
def new_programme_form() -> tuple[str, int]:
    """The empty form for a new programme."""
    actor = web_actor()
    values = {"institution": (actor.institution if actor else None) or ""}
    return _programme_form(None, values, [_empty_module() for _ in range(3)])


@web.post("/vmbo/programmas/nieuw")
def create_programme() -> Response | tuple[str, int]:
    """Create the programme; on success go to its matrix."""
    return _save_programme(None)


@web.get("/vmbo/<programme>/bewerken")
def edit_programme_form(programme: str) -> tuple[str, int]:
    """The programme's form, filled in."""
    found = vmbo.get_programme(db.session, programme)
    values = {
        "code": found.code,
        "title": found.title,
        "institution": found.institution,
        "profile": found.profile,
    }
    modules = [{"code": m.code, "name": m.name} for m in found.modules]
    return _programme_form(found, values, modules + [_empty_module()] * EMPTY_MODULE_ROWS)


@web.post("/vmbo/<programme>/bewerken")
def edit_programme(programme: str) -> Response | tuple[str, int]:
    """Change the programme; on success go to its matrix."""
    return _save_programme(programme)


def _save_programme(code: str | None) -> Response | tuple[str, int]:
    current = vmbo.get_programme(db.session, code) if code is not None else None
    values = {
        name: (request.form.get(name) or "").strip()
        for name in ("code", "title", "institution", "profile")
    }
    if current is not None:
        values.update(code=current.code, institution=current.institution)
    module_rows = rows(request.form, "modules", ("code", "name"))
    modules, row_of = [], []
    for index, row in enumerate(module_rows):
        if row["code"] or row["name"]:
            item: dict[str, Any] = {}
            put(item, "code", row["code"])
            put(item, "name", row["name"])
            modules.append(item)
            row_of.append(index)
    payload: dict[str, Any] = {}
    for name in ("code", "title", "institution", "profile"):
        put(payload, name, values[name])
    payload["modules"] = modules
    if all(row["code"] or row["name"] for row in module_rows):
        module_rows += [_empty_module() for _ in range(EMPTY_MODULE_ROWS)]
    status, errors = 422, []
    try:
        programme: VmboProgramme = ProgrammeSchema().load(payload)
        if current is None:
            saved = vmbo.create_programme(db.session, web_actor(), programme)
        else:
            saved = vmbo.replace_programme(db.session, web_actor(), current.code, programme)
    except (ValidationError, InvalidData) as error:
        errors = errors_from(error, PROGRAMME_LABELS, _rows_renamed("modules", row_of))
    except DuplicateCode as error:
        status = 409
        errors = [
            field_error("code", f"Code: er bestaat al een programma met code ‘{error.code}’.")
        ]
    except AccessDenied:
        status = 403
        errors = [field_error(None, NOT_YOURS)]
    else:
        what = "aangemaakt" if current is None else "opgeslagen"
        return done(
            url_for("web.vmbo_matrix", programme=saved.code),
            f"Programma {saved.code} is {what}.",
        )
    return _programme_form(current, values, module_rows, errors, status)


def _programme_form(
    programme: VmboProgramme | None,
    values: Mapping[str, str],
    modules: list[dict[str, str]],
    errors: list[FieldError] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    db.session.rollback()
    return refused(
        "vmbo/programme_form.html",
        errors or [],
        status,
        programme=programme,
        values=values,
        modules=modules,
        labels=PROGRAMME_LABELS,
    )


def _empty_module() -> dict[str, str]:
    return {"code": "", "name": ""}


# --- assignments --------------------------------------------------------------------------------


@web.get("/vmbo/<programme>/opdrachten/nieuw")
def new_assignment_form(programme: str) -> tuple[str, int]:
    """The empty form for a new assignment of the programme."""
    found = vmbo.get_programme(db.session, programme)
    return _assignment_form(found, None, {})


@web.post("/vmbo/<programme>/opdrachten/nieuw")
def create_assignment(programme: str) -> Response | tuple[str, int]:
    """Add the assignment; on success go to the matrix."""
    return _save_assignment(programme, None)


@web.get("/vmbo/<programme>/opdrachten/<code>/bewerken")
def edit_assignment_form(programme: str, code: str) -> tuple[str, int]:
    """The assignment's form, filled in."""
    found, assignment = _assignment_of(programme, code)
    values = {
        "code": assignment.code,
        "title": assignment.title,
        "description": assignment.description or "",
        "module": assignment.module,
        "keuzevakken": "\n".join(assignment.keuzevakken),
    }
    return _assignment_form(found, assignment, values)


@web.post("/vmbo/<programme>/opdrachten/<code>/bewerken")
def edit_assignment(programme: str, code: str) -> Response | tuple[str, int]:
    """Change the assignment; on success go to the matrix."""
    return _save_assignment(programme, code)


def _assignment_of(programme: str, code: str) -> tuple[VmboProgramme, PracticalAssignment]:
    """The programme and its assignment `code` (404 when it belongs to another programme)."""
    found = vmbo.get_programme(db.session, programme)
    assignment = vmbo.get_assignment(db.session, code).assignment
    if assignment.programme != found.code:
        raise NotFound("vmbo assignment", code)
    return found, assignment


def keuzevakken(text: str) -> list[str]:
    """The keuzevakken typed one a line (empty lines left out).

    >>> keuzevakken(" Zorg en welzijn \\n\\nEHBO")
    ['Zorg en welzijn', 'EHBO']
    """
    return [line.strip() for line in re.split(r"[\r\n]+", text) if line.strip()]


def _save_assignment(programme: str, code: str | None) -> Response | tuple[str, int]:
    if code is None:
        found, current = vmbo.get_programme(db.session, programme), None
    else:
        found, current = _assignment_of(programme, code)
    names = ("code", "title", "description", "module", "keuzevakken")
    values = {name: (request.form.get(name) or "").strip() for name in names}
    if current is not None:
        values["code"] = current.code
    payload: dict[str, Any] = {}
    for name in ("code", "title", "module"):
        put(payload, name, values[name])
    put(payload, "description", values["description"], omit_empty=False)
    payload["keuzevakken"] = keuzevakken(values["keuzevakken"])
    status, errors = 422, []
    try:
        data = AssignmentInSchema().load(payload)
        assignment = to_assignment(data, found.code)
        if current is None:
            vmbo.create_assignment(db.session, web_actor(), found.code, assignment)
        else:
            vmbo.replace_assignment(db.session, web_actor(), current.code, assignment)
    except (ValidationError, InvalidData) as error:
        errors = errors_from(error, ASSIGNMENT_LABELS, _list_renamed("keuzevakken"))
    except DuplicateCode as error:
        status = 409
        errors = [field_error("code", f"Code: er bestaat al een opdracht met code ‘{error.code}’.")]
    except AccessDenied:
        status = 403
        errors = [field_error(None, NOT_YOURS)]
    else:
        what = "toegevoegd" if current is None else "opgeslagen"
        return done(
            url_for("web.vmbo_matrix", programme=found.code) + "#validaties",
            f"Opdracht {assignment.code} is {what}.",
        )
    return _assignment_form(found, current, values, errors, status)


def _assignment_form(
    programme: VmboProgramme,
    assignment: PracticalAssignment | None,
    values: Mapping[str, str],
    errors: list[FieldError] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    db.session.rollback()
    module_options = [(m.code, f"{m.code} – {m.name}") for m in programme.modules]
    if values.get("module") and values["module"] not in {m.code for m in programme.modules}:
        module_options.append((values["module"], values["module"]))
    return refused(
        "vmbo/assignment_form.html",
        errors or [],
        status,
        programme=programme,
        assignment=assignment,
        values=values,
        modules=module_options,
        labels=ASSIGNMENT_LABELS,
    )


def _rows_renamed(group: str, row_of: list[int]) -> Any:
    """Map ``<group>-<payload index>…`` to ``<group>-<form row>…``."""

    def rename(name: str) -> str:
        parts = name.split("-")
        if len(parts) >= 2 and parts[0] == group and parts[1].isdigit():
            index = int(parts[1])
            if index < len(row_of):
                parts[1] = str(row_of[index])
        return "-".join(parts)

    return rename


def _list_renamed(name: str) -> Any:
    """Errors of a list's items (``keuzevakken-2``) belong to the list's one field."""
    return lambda field: name if field.split("-")[0] == name else field
