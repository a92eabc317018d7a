"""Registry pages: browse and search units and qualifications, edit units and prerequisites.

``/registry``                                   search units and qualifications (``?q=``)
``/registry/units/nieuw``                       form: a new unit with its outcomes
``/registry/units/<code>``                      a unit: outcomes, prerequisites, qualifications,
                                                its neighbourhood in the graph
``/registry/units/<code>/bewerken``             form: change the unit; add and remove prerequisites
``/registry/units/<code>/verwijderen``          ask, then delete (refused: what refers to it)
``/registry/qualifications/<code>``             a qualification: graph, elective rule, EPAs, entry

Forms post the same payload as the JSON API through the same schema (`UnitSchema`,
`PrerequisiteInSchema`) and the same services, passing the request's actor (`web_actor`).
They follow `app.web.form_flow`: success redirects (303) with a flash message; invalid data
re-renders the form with the error summary at the top and the errors at their fields (422), a
conflict (cycle, duplicate code, a removal something still refers to) likewise with 409.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from flask import Response, render_template, request, url_for
from marshmallow import ValidationError

from app.authentication import public
from app.domain.errors import (
    Conflict,
    DuplicateCode,
    InvalidData,
    PrerequisiteCycle,
    StillReferenced,
)
from app.domain.model import Prerequisite, Unit
from app.domain.paging import ListFilter
from app.extensions import db
from app.request_context import default_institution
from app.schemas.registry import PrerequisiteInSchema, UnitSchema, to_unit
from app.services import registry
from app.web.blueprint import web
from app.web.form_flow import FieldError, confirm_page, done, field_error
from app.web.forms import FormErrors, dutch_message, errors_of, web_actor
from app.web.graph_view import neighbourhood, qualification_graph
from app.web.labels import KIND_LABELS, ROLE_LABELS
from app.web.unit_form import UNIT_LABELS, UnitForm, read_unit_form, rename_outcomes

PREREQUISITE_LABELS = {"requires": "Vereiste leereenheid"}
#: Kind of a reference (StillReferenced) → Dutch.
REFERENCE_LABELS: dict[str, str] = {
    "outcome_relation": "relatie tussen leerresultaten",
    "epa": "EPA",
    "evidence": "bewijs van leerling",
    "vmbo_mapping": "vmbo-koppeling van opdracht",
    "vmbo_completion": "afgeronde vmbo-opdracht",
    "qualification": "kwalificatie",
    "prerequisite": "vereiste",
    "credential": "credential",
}
#: References that name a learner or a credential: shown as a count, never by id.
PERSONAL_REFERENCES = frozenset({"evidence", "vmbo_completion", "credential"})
ROLE_WORDS = {"mandatory": "verplicht", "option": "keuzedeel"}
SEARCH_LIMIT = 500


def unit_link(code: str) -> str:
    """The page of unit `code` (where a graph's box links to)."""
    return url_for("web.unit_page", code=code)


# --- browsing -----------------------------------------------------------------------------------


@web.get("/registry")
@public
def registry_index() -> str:
    """Search and browse units and qualifications."""
    q = (request.args.get("q") or "").strip()[:200]
    flt = ListFilter(limit=SEARCH_LIMIT, q=q or None)
    units = registry.list_units(db.session, flt)
    qualifications = registry.list_qualifications(db.session, flt)
    return render_template(
        "registry/index.html", q=q, units=units, qualifications=qualifications, kinds=KIND_LABELS
    )


@web.get("/registry/units/<code>")
@public
def unit_page(code: str) -> str:
    """One unit: outcomes, prerequisites both ways, qualifications using it, its neighbourhood."""
    unit = registry.get_unit(db.session, code)  # NotFound → Dutch 404 page
    links: dict[str, Any] = registry.unit_prerequisites(db.session, code)
    requires, required_by = links["requires"], links["required_by"]
    units = registry.get_units(db.session, {code, *requires, *required_by})
    used_by = [
        (q, "verplicht" if code in q.units else "keuzedeel")
        for q in registry.get_qualifications(db.session).values()
        if code in q.units or code in q.electives.options
    ]
    used_by.sort(key=lambda item: item[0].code)
    return render_template(
        "registry/unit.html",
        unit=unit,
        requires=[units[c] for c in requires],
        required_by=[units[c] for c in required_by],
        used_by=used_by,
        graph=neighbourhood(unit, requires, required_by, units, unit_link),
        kinds=KIND_LABELS,
    )


@web.get("/registry/qualifications/<code>")
@public
def qualification_page(code: str) -> str:
    """One qualification: its graph by unit kind, elective rule, required EPAs, entry rule."""
    q = registry.get_qualification(db.session, code)
    graph = qualification_graph(
        registry.qualification_graph(db.session, q.code),
        f"Leereenheden van {q.title} en hun volgorde",
        unit_link,
    )
    units = registry.get_units(db.session, [*q.units, *q.electives.options])
    epas = registry.get_epas(db.session, [r.epa for r in q.required_epas])
    levels = {level.level: level for level in registry.supervision_levels(db.session)}
    entry = registry.get_qualifications(db.session, q.entry_any_qualification)
    mandatory_hours = sum(units[c].study_load_hours for c in q.units if c in units)
    return render_template(
        "registry/qualification.html",
        q=q,
        graph=graph,
        units=units,
        epas=epas,
        levels=levels,
        entry=entry,
        mandatory_hours=mandatory_hours,
        kinds=KIND_LABELS,
        roles=ROLE_LABELS,
    )


# --- the unit form ------------------------------------------------------------------------------


def save_unit_form(code: str | None) -> Response | tuple[str, int]:
    """Create (`code` None) or replace unit `code` from the posted form."""
    current = registry.get_unit(db.session, code) if code is not None else None
    form, payload, row_of = read_unit_form(request.form, code)
    rename = rename_outcomes(row_of)
    status = 422
    try:
        data = UnitSchema().load(payload)
        unit = to_unit(data, default_institution())
        if current is None:
            saved = registry.create_unit(db.session, web_actor(), unit)
        else:
            saved = registry.replace_unit(db.session, web_actor(), current.code, unit)
        what = "aangemaakt" if current is None else "opgeslagen"
        return done(
            url_for("web.unit_page", code=saved.code), f"Leereenheid {saved.code} is {what}."
        )
    except (ValidationError, InvalidData) as error:
        form.errors = errors_of(error, rename)
    except DuplicateCode as error:
        status = 409
        form.errors.add(
            "code", f"Er bestaat al een leereenheid met code ‘{error.code}’. Kies een andere code."
        )
    except StillReferenced as error:
        status = 409
        form.refused = error.references
        removed = (
            sorted(set(current.outcome_codes) - {o.get("code") for o in payload["outcomes"]})
            if current
            else []
        )
        what = ", ".join(removed) or "dit"
        form.errors.add(
            "outcomes",
            f"Leerresultaat {what} kan niet worden verwijderd: er wordt nog naar verwezen.",
        )
    except Conflict as error:
        status = 409
        form.errors = errors_of(error, rename)
    db.session.rollback()
    return _render_unit_form(current, form, status=status)


def _render_unit_form(
    unit: Unit | None,
    form: UnitForm,
    prerequisite_value: str = "",
    prerequisite_errors: FormErrors | None = None,
    cycle: list[str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    requires: list[Unit] = []
    if unit is not None:
        codes = registry.unit_prerequisites(db.session, unit.code)["requires"]
        requires = list(registry.get_units(db.session, codes).values())  # type: ignore[arg-type]
        requires.sort(key=lambda u: u.code)
    summary = [
        *_field_errors(form.errors.summary(UNIT_LABELS)),
        *_field_errors((prerequisite_errors or FormErrors()).summary(PREREQUISITE_LABELS)),
    ]
    html = render_template(
        "registry/unit_form.html",
        unit=unit,
        form=form,
        errors=summary,
        labels=UNIT_LABELS,
        kinds=KIND_LABELS,
        requires=requires,
        all_codes=sorted(registry.known_codes(db.session).unit_kinds) if unit is not None else [],
        prerequisite_value=prerequisite_value,
        prerequisite_errors=prerequisite_errors or FormErrors(),
        prerequisite_labels=PREREQUISITE_LABELS,
        cycle=cycle,
        references=REFERENCE_LABELS,
    )
    return html, status


@web.get("/registry/units/nieuw")
def new_unit_form() -> tuple[str, int]:
    """The empty form for a new unit."""
    return _render_unit_form(None, UnitForm.empty())


@web.post("/registry/units/nieuw")
def create_unit() -> Response | tuple[str, int]:
    """Create the unit; on success go to its page."""
    return save_unit_form(None)


@web.get("/registry/units/<code>/bewerken")
def edit_unit_form(code: str) -> tuple[str, int]:
    """The unit's form, filled in, and its prerequisites."""
    unit = registry.get_unit(db.session, code)
    return _render_unit_form(unit, UnitForm.of(unit))


@web.post("/registry/units/<code>/bewerken")
def edit_unit(code: str) -> Response | tuple[str, int]:
    """Replace the unit as a whole; on success go to its page."""
    return save_unit_form(code)


@web.post("/registry/units/<code>/vereisten")
def add_prerequisite(code: str) -> Response | tuple[str, int]:
    """Add "this unit requires <requires>"; a cycle is refused and shown with its path."""
    unit = registry.get_unit(db.session, code)
    value = (request.form.get("requires") or "").strip()
    payload = {"requires": value} if value else {}
    errors, cycle, status = FormErrors(), None, 422
    try:
        data = PrerequisiteInSchema().load(payload)
        registry.add_prerequisite(db.session, web_actor(), Prerequisite(code, data["requires"]))
        return done(
            url_for("web.edit_unit_form", code=code) + "#vereisten",
            f"{code} vereist nu {data['requires']}.",
        )
    except (ValidationError, InvalidData) as error:
        errors = errors_of(error)
    except PrerequisiteCycle as error:
        status, cycle = 409, error.cycle
        errors.add("requires", "Dit zou een kringloop maken: " + " → ".join(error.cycle))
    except Conflict as error:
        status = 409
        errors.add("requires", dutch_message(error.detail))
    db.session.rollback()
    return _render_unit_form(unit, UnitForm.of(unit), value, errors, cycle, status)


@web.post("/registry/units/<code>/vereisten/<requires>/verwijderen")
def remove_prerequisite(code: str, requires: str) -> Response:
    """Remove "this unit requires <requires>" (a POST form with one button)."""
    registry.remove_prerequisite(db.session, web_actor(), Prerequisite(code, requires))
    return done(
        url_for("web.edit_unit_form", code=code) + "#vereisten",
        f"{code} vereist {requires} niet meer.",
    )


def _field_errors(items: Iterable[tuple[str | None, str]]) -> list[FieldError]:
    """`FormErrors.summary` items as the shared error summary takes them."""
    return [field_error(target, message) for target, message in items]


# --- deleting a unit ----------------------------------------------------------------------------


@web.get("/registry/units/<code>/verwijderen")
def delete_unit_form(code: str) -> tuple[str, int]:
    """Ask first: what deleting the unit does, and that it is refused while used."""
    unit = registry.get_unit(db.session, code)
    return _delete_page(unit)


@web.post("/registry/units/<code>/verwijderen")
def delete_unit(code: str) -> Response | tuple[str, int]:
    """Delete the unit; refused (409) with the list of what still refers to it."""
    unit = registry.get_unit(db.session, code)
    try:
        registry.delete_unit(db.session, web_actor(), code)
    except StillReferenced as error:
        db.session.rollback()
        return _delete_page(unit, error.references)
    return done(url_for("web.registry_index"), f"Leereenheid {code} ({unit.title}) is verwijderd.")


def _delete_page(
    unit: Unit, references: Sequence[Mapping[str, str]] | None = None
) -> tuple[str, int]:
    consequences = [
        f"Leereenheid {unit.code} ‘{unit.title}’ wordt verwijderd, met haar "
        f"{len(unit.outcomes)} leerresultaten.",
        "Dit kan niet ongedaan worden gemaakt; het audit-logboek bewaart wel dat het gebeurde.",
        "Het verwijderen wordt geweigerd zolang iets er nog naar verwijst: een kwalificatie, "
        "een vereiste, een EPA, bewijs van een leerling, een vmbo-koppeling of een credential.",
    ]
    errors: list[FieldError] = []
    if references is not None:
        errors.append(
            field_error(
                None,
                f"Leereenheid {unit.code} is niet verwijderd: er wordt nog naar verwezen "
                f"({len(references)} verwijzing{'en' if len(references) != 1 else ''}).",
            )
        )
    return confirm_page(
        template="registry/unit_delete.html",
        title=f"{unit.code} verwijderen",
        action=url_for("web.delete_unit", code=unit.code),
        cancel_url=url_for("web.unit_page", code=unit.code),
        consequences=consequences,
        button="Leereenheid verwijderen",
        errors=errors,
        status=409 if references is not None else 200,
        unit=unit,
        groups=reference_groups(references or []),
    )


def reference_groups(references: Sequence[Mapping[str, str]]) -> list[tuple[str, list[str]]]:
    """What still refers to a unit, grouped by kind, in Dutch; personal data only counted.

    >>> reference_groups([{"kind": "qualification", "code": "Q-VP", "role": "mandatory"},
    ...                   {"kind": "evidence", "code": "ln-1", "outcome": "X:1"},
    ...                   {"kind": "evidence", "code": "ln-2", "outcome": "X:1"}])
    [('kwalificatie', ['Q-VP (verplicht)']), ('bewijs van leerling', ['2 keer vastgelegd'])]
    """
    grouped: dict[str, list[str]] = {}
    counted: dict[str, int] = {}
    for ref in references:
        kind = ref.get("kind", "")
        if kind in PERSONAL_REFERENCES:
            counted[kind] = counted.get(kind, 0) + 1
            continue
        text = ref.get("code", "")
        if ref.get("outcome"):
            text += f" → {ref['outcome']}"
        if ref.get("role"):
            text += f" ({ROLE_WORDS.get(ref['role'], ref['role'])})"
        grouped.setdefault(kind, []).append(text.replace(" requires ", " vereist "))
    for kind, count in counted.items():
        grouped.setdefault(kind, []).append(f"{count} keer vastgelegd")
    return [(REFERENCE_LABELS.get(kind, kind), items) for kind, items in grouped.items()]
