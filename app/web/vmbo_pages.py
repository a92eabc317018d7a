"""vmbo mapping pages: which practical assignments cover which mbo outcomes, and the overlap.

``/vmbo``                                      the vmbo programmes
``/vmbo/<programme>``                          the matrix assignments × outcomes (``?kwalificatie=``
                                               adds every outcome of that qualification's units and
                                               shows the overlap report), the mapping form
``/vmbo/<programme>/koppelingen``              POST: add or change a mapping (a new version)
``/vmbo/<programme>/koppelingen/beeindigen``   POST: end a mapping (its versions stay as history)

The form goes through the API's `MappingInSchema` and the service `vmbo.save_mapping`, with the
request's actor (`web_actor`), so the checks and the versioning are the API's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import Response, redirect, render_template, request, url_for
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
from app.web.forms import FormErrors, errors_of, put, web_actor
from app.web.labels import ROLE_LABELS

#: Coverage → Dutch word shown in the cell (colour is never the only signal).
COVERAGE_LABELS: dict[str, str] = {"full": "volledig", "partial": "deels", "none": "geen"}
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
    errors: FormErrors = field(default_factory=FormErrors)


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


def _render(programme_code: str, form: MappingForm, status: int = 200) -> tuple[str, int]:
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
        "vmbo/matrix.html",
        programme=programme,
        matrix=matrix,
        qualification=qualification,
        qualifications=registry.list_qualifications(db.session, ListFilter(limit=LIST_LIMIT)).items,
        report=report,
        rows=overlap_rows(report) if report else (),
        outcomes=outcome_units,
        form=form,
        labels=MAPPING_LABELS,
        coverage=COVERAGE_LABELS,
        roles=ROLE_LABELS,
        saved=request.args.get("opgeslagen", ""),
        ended=request.args.get("beeindigd", ""),
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
        form.errors.add("assignment", "Kies een opdracht.")
    elif values["assignment"] not in codes:
        form.errors.add(
            "assignment", f"Opdracht ‘{values['assignment']}’ hoort niet bij dit programma."
        )
    payload: dict[str, Any] = {}
    for name in ("outcome", "coverage", "validated_by"):
        put(payload, name, values[name])
    put(payload, "note", values["note"], omit_empty=False)
    put(payload, "validated_on", values["validated_on"], omit_empty=False)
    try:
        data = MappingInSchema().load(payload)
    except ValidationError as error:
        _merge(form.errors, errors_of(error))
        data = None
    if data is not None and not form.errors:
        try:
            saved = vmbo.save_mapping(db.session, web_actor(), values["assignment"], data)
        except (InvalidData, NotFound) as error:
            _merge(form.errors, errors_of(error))
        else:
            target = url_for(
                "web.vmbo_matrix",
                programme=found.code,
                kwalificatie=request.form.get("kwalificatie") or None,
                opgeslagen=f"{saved.assignment} → {saved.outcome} (versie {saved.version})",
            )
            return redirect(target + "#matrix", 303)
    db.session.rollback()
    return _render(found.code, form, 422)


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
        beeindigd=f"{assignment} → {outcome}",
    )
    return redirect(target + "#matrix", 303)


def _merge(into: FormErrors, other: FormErrors) -> None:
    for name, messages in other.fields.items():
        for message in messages:
            into.add(name, message)
    into.general += other.general
