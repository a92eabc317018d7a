"""vmbo mapping pages: which practical assignments cover which mbo outcomes, and the overlap.

``/vmbo``                                      the vmbo programmes
``/vmbo/<programme>``                          the matrix assignments × outcomes (``?kwalificatie=``
                                               adds every outcome of that qualification's units and
                                               shows the overlap report), the mapping form
``/vmbo/<programme>/koppelingen``              GET: the mapping form on its own (``?opdracht=&
                                               leerresultaat=`` fills it in); POST: add or change a
                                               mapping (a new version)
``/vmbo/<programme>/koppelingen/beeindigen``   GET: what ending a mapping does; POST: end it (its
                                               versions stay as history)

The form goes through the API's `MappingInSchema` and the service `vmbo.save_mapping`, with the
request's actor (`web_actor`), so the checks and the versioning are the API's. The forms follow
`app.web.form_flow`: 303 to the matrix with a flash message on success; a refused mapping shows
the form page again (422) with the error summary at its top. Programmes and assignments are
added and edited in `vmbo_edit_pages`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import Response, render_template, request, url_for
from marshmallow import ValidationError

from app.authentication import public
from app.domain.errors import InvalidData, NotFound
from app.domain.graph import unit_sort_key
from app.domain.model import Qualification, Unit
from app.domain.overlap import AssignmentMapping, OverlapReport, PracticalAssignment, UnitOverlap
from app.domain.paging import ListFilter
from app.extensions import db
from app.schemas.vmbo import MappingInSchema
from app.services import registry, vmbo
from app.services.vmbo import AssignmentView
from app.web.blueprint import web
from app.web.form_flow import FieldError, confirm_page, done, errors_from, field_error
from app.web.forms import put, web_actor
from app.web.labels import ROLE_LABELS

#: Coverage → Dutch word shown in the cell (colour is never the only signal).
COVERAGE_LABELS: dict[str, str] = {"full": "volledig", "partial": "deels", "none": "geen"}
#: Coverage → the mark in a matrix cell (the word is in the cell too, for screen readers, and in
#: the legend; marks keep the columns narrow enough for a laptop screen).
COVERAGE_MARKS: dict[str, str] = {"full": "●", "partial": "◐", "none": "·"}
MAPPING_LABELS: dict[str, str] = {
    "assignment": "Opdracht",
    "outcome": "Leerresultaat (mbo)",
    "coverage": "Dekking",
    "note": "Toelichting",
    "validated_by": "Gevalideerd door",
    "validated_on": "Gevalideerd op",
}
LIST_LIMIT = 500


@dataclass(frozen=True, slots=True)
class Column:
    outcome: str
    title: str
    unit: str


@dataclass(frozen=True, slots=True)
class ColumnGroup:
    unit: str
    title: str
    columns: tuple[Column, ...]


@dataclass(frozen=True, slots=True)
class Matrix:
    assignments: tuple[PracticalAssignment, ...]
    groups: tuple[ColumnGroup, ...]
    cells: Mapping[tuple[str, str], AssignmentMapping]
    mappings: Mapping[str, tuple[AssignmentMapping, ...]]

    @property
    def columns(self) -> tuple[Column, ...]:
        return tuple(c for g in self.groups for c in g.columns)


@dataclass(frozen=True, slots=True)
class OverlapRow:
    overlap: UnitOverlap
    title: str

    @property
    def percent(self) -> int:
        load = self.overlap.study_load_hours
        return round(100 * self.overlap.covered_hours / load) if load else 0


@dataclass
class MappingForm:
    values: dict[str, str] = field(default_factory=dict)
    errors: list[FieldError] = field(default_factory=list)


def build_matrix(
    assignments: Sequence[AssignmentView],
    qualification: Qualification | None,
    outcome_units: Mapping[str, str],
) -> Matrix:
    """Rows: the programme's assignments; columns: mapped outcomes plus the qualification's."""
    cells = {(m.assignment, m.outcome): m for view in assignments for m in view.mappings}
    wanted_units: list[str] = []
    if qualification is not None:
        wanted_units = list(dict.fromkeys([*qualification.units, *qualification.electives.options]))
    mapped_units = {outcome_units[o] for _, o in cells if o in outcome_units}
    units: dict[str, Unit] = registry.get_units(db.session, set(wanted_units) | mapped_units)
    kinds = {code: unit.kind for code, unit in units.items()}
    others = sorted(mapped_units - set(wanted_units), key=unit_sort_key(kinds))
    mapped = {o for _, o in cells}
    groups = []
    for code in [*wanted_units, *others]:
        unit = units.get(code)
        if unit is None:
            continue
        every = code in wanted_units
        columns = tuple(
            Column(o.code, o.title, code) for o in unit.outcomes if every or o.code in mapped
        )
        if columns:
            groups.append(ColumnGroup(code, unit.title, columns))
    return Matrix(
        tuple(view.assignment for view in assignments),
        tuple(groups),
        cells,
        {view.assignment.code: tuple(view.mappings) for view in assignments},
    )


def overlap_rows(report: OverlapReport) -> tuple[OverlapRow, ...]:
    units = registry.get_units(db.session, [u.unit for u in report.units])
    return tuple(
        OverlapRow(u, units[u.unit].title if u.unit in units else "") for u in report.units
    )


@web.get("/vmbo")
@public
def vmbo_index() -> str:
    """The vmbo programmes, each with a link to its matrix."""
    programmes = vmbo.list_programmes(db.session, ListFilter(limit=LIST_LIMIT))
    routes = vmbo.list_routes(db.session, ListFilter(limit=LIST_LIMIT))
    return render_template("vmbo/index.html", programmes=programmes.items, routes=routes.items)


@web.get("/vmbo/<programme>")
@public
def vmbo_matrix(programme: str) -> tuple[str, int]:
    """The matrix, the mapping form (prefilled by ``?opdracht=&leerresultaat=``), the overlap."""
    values = {
        "assignment": request.args.get("opdracht", ""),
        "outcome": request.args.get("leerresultaat", ""),
    }
    return _render(programme, MappingForm(values))


@web.get("/vmbo/<programme>/koppelingen")
@public
def vmbo_mapping_form(programme: str) -> tuple[str, int]:
    """The mapping form on its own page (prefilled by ``?opdracht=&leerresultaat=``)."""
    values = {
        "assignment": request.args.get("opdracht", ""),
        "outcome": request.args.get("leerresultaat", ""),
    }
    return _render(programme, MappingForm(values), template="vmbo/mapping_form.html")


def _render(
    programme_code: str,
    form: MappingForm,
    status: int = 200,
    template: str = "vmbo/matrix.html",
) -> tuple[str, int]:
    programme = vmbo.get_programme(db.session, programme_code)  # NotFound → Dutch 404 page
    wanted = (request.values.get("kwalificatie") or "").strip()
    qualification = registry.get_qualification(db.session, wanted) if wanted else None
    assignments = vmbo.list_assignments(
        db.session, programme.code, ListFilter(limit=LIST_LIMIT)
    ).items
    outcome_units = registry.known_codes(db.session).outcome_units
    matrix = build_matrix(assignments, qualification, outcome_units)
    report = vmbo.overlap(db.session, programme.code, qualification.code) if qualification else None
    _prefill(form, matrix)
    html = render_template(
        template,
        programme=programme,
        matrix=matrix,
        qualification=qualification,
        qualifications=registry.list_qualifications(db.session, ListFilter(limit=LIST_LIMIT)).items,
        report=report,
        rows=overlap_rows(report) if report else (),
        outcomes=outcome_units,
        form=form,
        errors=form.errors,
        labels=MAPPING_LABELS,
        coverage=COVERAGE_LABELS,
        marks=COVERAGE_MARKS,
        roles=ROLE_LABELS,
    )
    return html, status


def _prefill(form: MappingForm, matrix: Matrix) -> None:
    """For "wijzigen" links: fill the form with the current mapping of the chosen pair."""
    if request.method != "GET":
        return
    current = matrix.cells.get((form.values.get("assignment", ""), form.values.get("outcome", "")))
    if current is not None:
        form.values.update(
            coverage=current.coverage,
            note=current.note or "",
            validated_by=current.validated_by or "",
        )


@web.post("/vmbo/<programme>/koppelingen")
def vmbo_save_mapping(programme: str) -> Response | tuple[str, int]:
    """Add a mapping or change one (the service ends the current version and adds the next)."""
    found = vmbo.get_programme(db.session, programme)
    names = ("assignment", "outcome", "coverage", "note", "validated_by", "validated_on")
    values = {name: (request.form.get(name) or "").strip() for name in names}
    form = MappingForm(values)
    views = vmbo.list_assignments(db.session, found.code, ListFilter(limit=LIST_LIMIT)).items
    codes = {view.assignment.code for view in views}
    if not values["assignment"]:
        form.errors.append(field_error("assignment", "Opdracht: kies een opdracht."))
    elif values["assignment"] not in codes:
        form.errors.append(
            field_error(
                "assignment",
                f"Opdracht: ‘{values['assignment']}’ hoort niet bij dit programma.",
            )
        )
    payload: dict[str, Any] = {}
    for name in ("outcome", "coverage", "validated_by"):
        put(payload, name, values[name])
    put(payload, "note", values["note"], omit_empty=False)
    put(payload, "validated_on", values["validated_on"], omit_empty=False)
    try:
        data = MappingInSchema().load(payload)
    except ValidationError as error:
        form.errors += errors_from(error, MAPPING_LABELS)
        data = None
    if data is not None and not form.errors:
        try:
            saved = vmbo.save_mapping(db.session, web_actor(), values["assignment"], data)
        except (InvalidData, NotFound) as error:
            form.errors += errors_from(error, MAPPING_LABELS)
        else:
            target = url_for(
                "web.vmbo_matrix",
                programme=found.code,
                kwalificatie=request.form.get("kwalificatie") or None,
            )
            return done(
                target + "#matrix",
                f"Koppeling opgeslagen: {saved.assignment} → {saved.outcome} "
                f"(versie {saved.version}).",
            )
    db.session.rollback()
    return _render(found.code, form, 422, template="vmbo/mapping_form.html")


@web.get("/vmbo/<programme>/koppelingen/beeindigen")
def vmbo_end_mapping_form(programme: str) -> tuple[str, int]:
    """Ask first: what ending the mapping ``?opdracht=&leerresultaat=`` does."""
    found = vmbo.get_programme(db.session, programme)
    assignment = (request.args.get("opdracht") or "").strip()
    outcome = (request.args.get("leerresultaat") or "").strip()
    current = _current_mapping(found.code, assignment, outcome)
    qualification = (request.args.get("kwalificatie") or "").strip()
    who = f", gevalideerd door {current.validated_by}" if current.validated_by else ""
    hidden = {"assignment": assignment, "outcome": outcome}
    if qualification:
        hidden["kwalificatie"] = qualification
    back = url_for("web.vmbo_matrix", programme=found.code, kwalificatie=qualification or None)
    return confirm_page(
        title=f"Koppeling {assignment} → {outcome} beëindigen",
        eyebrow=f"vmbo → mbo · {found.code}",
        action=url_for("web.vmbo_end_mapping", programme=found.code),
        cancel_url=back + f"#koppeling-{assignment}-{outcome}",
        consequences=[
            f"Opdracht {assignment} telt niet meer voor leerresultaat {outcome}: de koppeling "
            f"(versie {current.version}, {COVERAGE_LABELS[current.coverage]}{who}) eindigt "
            "vandaag.",
            "De matrix en de overlap tellen deze koppeling daarna niet meer mee; wat al is "
            "vastgelegd bij leerlingen (afgeronde opdrachten) blijft staan.",
            "De versies blijven bewaard als geschiedenis. Terugzetten kan alleen door de "
            "koppeling opnieuw vast te leggen en te laten valideren.",
        ],
        button="Koppeling beëindigen",
        hidden=hidden,
    )


@web.post("/vmbo/<programme>/koppelingen/beeindigen")
def vmbo_end_mapping(programme: str) -> Response:
    """End the current mapping of an assignment onto an outcome."""
    found = vmbo.get_programme(db.session, programme)
    assignment = (request.form.get("assignment") or "").strip()
    outcome = (request.form.get("outcome") or "").strip()
    if vmbo.get_assignment(db.session, assignment).assignment.programme != found.code:
        raise NotFound("vmbo assignment", assignment)
    vmbo.end_mapping(db.session, web_actor(), assignment, outcome)
    target = url_for(
        "web.vmbo_matrix",
        programme=found.code,
        kwalificatie=request.form.get("kwalificatie") or None,
    )
    return done(target + "#matrix", f"Koppeling beëindigd: {assignment} → {outcome}.")


def _current_mapping(programme: str, assignment: str, outcome: str) -> AssignmentMapping:
    """The current mapping of the pair, of an assignment of `programme` (404 otherwise)."""
    view = vmbo.get_assignment(db.session, assignment)
    if view.assignment.programme != programme:
        raise NotFound("vmbo assignment", assignment)
    for mapping in view.mappings:
        if mapping.outcome == outcome:
            return mapping
    raise NotFound("vmbo mapping", f"{assignment} → {outcome}")
