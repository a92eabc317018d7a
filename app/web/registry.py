"""Registry pages: browse and search units and qualifications, edit units and prerequisites.

``/registry``                                   search units and qualifications (``?q=``)
``/registry/units/nieuw``                       form: a new unit with its outcomes
``/registry/units/<code>``                      a unit: outcomes, prerequisites, qualifications, graph
``/registry/units/<code>/bewerken``             form: change the unit; add and remove prerequisites
``/registry/qualifications/<code>``             a qualification: graph, elective rule, EPAs, entry

Forms post the same payload as the JSON API through the same schema (`UnitSchema`,
`PrerequisiteInSchema`) and the same services, passing the request's actor. Success redirects
(303); invalid data re-renders the form with the errors at their fields (422), a conflict
(cycle, duplicate code, a removal something still refers to) likewise with 409.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx
from flask import Response, current_app, redirect, render_template, request, url_for
from marshmallow import ValidationError

from app.api import current_actor
from app.domain.errors import (
    Conflict,
    DuplicateCode,
    InvalidData,
    PrerequisiteCycle,
    StillReferenced,
)
from app.domain.graph import unit_sort_key
from app.domain.layout import Layout, layered_layout
from app.domain.model import Prerequisite, Unit
from app.extensions import db
from app.persistence import registry_repository as repo
from app.schemas.registry import PrerequisiteInSchema, UnitSchema, to_unit
from app.services import registry
from app.services.actor import Actor
from app.web import web
from app.web.forms import FormErrors, dutch_message, errors_of, optional_int, put, rows

#: Unit kind → Dutch name (the code stays visible next to it).
KIND_LABELS: dict[str, str] = {"BC": "beroepsgericht", "AV": "generiek", "VC": "keuzedeel"}
KIND_LEGEND: dict[str, str] = {
    "BC": "beroepsgericht (basis- of profieldeel)",
    "AV": "generiek (taal, rekenen, loopbaan en burgerschap)",
    "VC": "keuzedeel",
}
#: Role of a unit in a qualification → Dutch.
ROLE_LABELS: dict[str, str] = {
    "mandatory": "verplicht",
    "option": "keuze",
    "outside": "vooraf vereist",
}
OUTCOME_PARTS = ("code", "title", "dossier_code", "nlqf_level", "description")
EMPTY_OUTCOME_ROWS = 3
NEW_UNIT_OUTCOME_ROWS = 4
UNIT_LABELS: dict[str, str] = {
    "code": "Code",
    "kind": "Soort",
    "title": "Titel",
    "description": "Beschrijving",
    "study_load_hours": "Studielast in uren",
    "nlqf_level": "NLQF-niveau",
    "institution": "Instelling",
    "language": "Taal",
    "title_en": "Engelse titel",
    "outcomes": "Leerresultaten",
    "outcomes-*": "Leerresultaat *",
    "outcomes-*-code": "Leerresultaat *, code",
    "outcomes-*-title": "Leerresultaat *, titel",
    "outcomes-*-dossier_code": "Leerresultaat *, code in het dossier",
    "outcomes-*-nlqf_level": "Leerresultaat *, NLQF-niveau",
    "outcomes-*-description": "Leerresultaat *, beschrijving",
}
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
SEARCH_LIMIT = 500


def web_actor() -> Actor:
    """The request's actor (``X-Leerlijn-Actor`` or the default), marked as acting via a page."""
    return dataclasses.replace(current_actor(), via="web")


# --- graphs -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KindNode:
    code: str
    title: str
    kind: str
    role: str | None
    current: bool
    x: float
    y: float
    width: float
    height: float

    @property
    def label(self) -> str:
        if self.current:
            return f"{self.kind} · deze eenheid"
        if self.role:
            return f"{self.kind} · {ROLE_LABELS.get(self.role, self.role)}"
        return f"{self.kind} · {KIND_LABELS.get(self.kind, self.kind)}"

    @property
    def description(self) -> str:
        parts = [KIND_LABELS.get(self.kind, self.kind)]
        if self.role:
            parts.append(ROLE_LABELS.get(self.role, self.role))
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class KindGraph:
    """A layered drawing whose boxes are coloured by unit kind (no learner statuses)."""

    title: str
    nodes: tuple[KindNode, ...]
    layout: Layout
    roles: tuple[str, ...]


def kind_graph(
    title: str,
    G: nx.DiGraph,
    info: Mapping[str, tuple[str, str]],
    roles: Mapping[str, str] | None = None,
    current: str | None = None,
) -> KindGraph:
    """Lay out `G` (edges requires → unit); `info` maps a code to (kind, title)."""
    kinds = {code: kind for code, (kind, _) in info.items()}
    layout = layered_layout(G, key=unit_sort_key(kinds))
    roles = roles or {}
    nodes = tuple(
        KindNode(
            box.node,
            info[box.node][1],
            info[box.node][0],
            roles.get(box.node),
            box.node == current,
            box.x,
            box.y,
            box.width,
            box.height,
        )
        for box in layout.boxes
    )
    used_roles = tuple(role for role in ROLE_LABELS if role in set(roles.values()))
    return KindGraph(title, nodes, layout, used_roles)


def neighbourhood(
    unit: Unit, requires: Iterable[str], required_by: Iterable[str], units: Mapping[str, Unit]
) -> KindGraph:
    """The unit with the units it requires (left) and the units that require it (right)."""
    G = nx.DiGraph()
    G.add_node(unit.code)
    G.add_edges_from((before, unit.code) for before in requires)
    G.add_edges_from((unit.code, after) for after in required_by)
    info = {code: (units[code].kind, units[code].title) for code in G if code in units}
    return kind_graph(f"{unit.code} en de leereenheden eromheen", G, info, current=unit.code)


def qualification_graph(code: str, title: str) -> KindGraph:
    data: dict[str, Any] = registry.qualification_graph(db.session, code)
    G = nx.DiGraph()
    G.add_nodes_from(n["code"] for n in data["nodes"])
    G.add_edges_from((e["requires"], e["from"]) for e in data["edges"])
    info = {n["code"]: (n["kind"], n["title"]) for n in data["nodes"]}
    roles = {n["code"]: n["role"] for n in data["nodes"]}
    return kind_graph(f"Leereenheden van {title} en hun volgorde", G, info, roles)


# --- browsing -----------------------------------------------------------------------------------


@web.get("/registry")
def registry_index() -> str:
    """Search and browse units and qualifications."""
    q = (request.args.get("q") or "").strip()[:200]
    flt = repo.ListFilter(limit=SEARCH_LIMIT, q=q or None)
    units = repo.list_units(db.session, flt)
    qualifications = repo.list_qualifications(db.session, flt)
    return render_template(
        "registry/index.html", q=q, units=units, qualifications=qualifications, kinds=KIND_LABELS
    )


@web.get("/registry/units/<code>")
def unit_page(code: str) -> str:
    """One unit: outcomes, prerequisites both ways, qualifications using it, its neighbourhood."""
    unit = registry.get_unit(db.session, code)  # NotFound → Dutch 404 page
    links: dict[str, Any] = registry.unit_prerequisites(db.session, code)
    requires, required_by = links["requires"], links["required_by"]
    units = repo.get_units(db.session, {code, *requires, *required_by})
    used_by = [
        (q, "verplicht" if code in q.units else "keuzedeel")
        for q in repo.get_qualifications(db.session).values()
        if code in q.units or code in q.electives.options
    ]
    used_by.sort(key=lambda item: item[0].code)
    return render_template(
        "registry/unit.html",
        unit=unit,
        requires=[units[c] for c in requires],
        required_by=[units[c] for c in required_by],
        used_by=used_by,
        graph=neighbourhood(unit, requires, required_by, units),
        kinds=KIND_LABELS,
        legend=KIND_LEGEND,
        saved=request.args.get("opgeslagen") == "1",
    )


@web.get("/registry/qualifications/<code>")
def qualification_page(code: str) -> str:
    """One qualification: its graph by unit kind, elective rule, required EPAs, entry rule."""
    q = registry.get_qualification(db.session, code)
    graph = qualification_graph(q.code, q.title)
    units = repo.get_units(db.session, [*q.units, *q.electives.options])
    epas = repo.get_epas(db.session, [r.epa for r in q.required_epas])
    levels = {level.level: level for level in registry.supervision_levels(db.session)}
    entry = repo.get_qualifications(db.session, q.entry_any_qualification)
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
        legend=KIND_LEGEND,
        roles=ROLE_LABELS,
    )


# --- the unit form ------------------------------------------------------------------------------


@dataclass
class UnitForm:
    """What the form shows: the typed values, the outcome rows and the errors."""

    values: dict[str, str]
    outcomes: list[dict[str, str]]
    errors: FormErrors = dataclasses.field(default_factory=FormErrors)
    refused: list[dict[str, str]] = dataclasses.field(default_factory=list)

    @classmethod
    def empty(cls) -> UnitForm:
        return cls(
            {"kind": "BC", "language": "nl"}, [_empty_row() for _ in range(NEW_UNIT_OUTCOME_ROWS)]
        )

    @classmethod
    def of(cls, unit: Unit) -> UnitForm:
        values = {
            "code": unit.code,
            "kind": unit.kind,
            "title": unit.title,
            "description": unit.description or "",
            "study_load_hours": str(unit.study_load_hours),
            "nlqf_level": "" if unit.nlqf_level is None else str(unit.nlqf_level),
            "institution": unit.institution,
            "language": unit.language,
            "title_en": unit.title_en or "",
        }
        outcomes = [
            {
                "code": o.code,
                "title": o.title,
                "dossier_code": o.dossier_code or "",
                "nlqf_level": "" if o.nlqf_level is None else str(o.nlqf_level),
                "description": o.description or "",
            }
            for o in unit.outcomes
        ]
        return cls(values, outcomes + [_empty_row() for _ in range(EMPTY_OUTCOME_ROWS)])


def _empty_row() -> dict[str, str]:
    return dict.fromkeys(OUTCOME_PARTS, "")


def read_unit_form(
    form: Mapping[str, str], code: str | None
) -> tuple[UnitForm, dict[str, Any], list[int]]:
    """The form as typed, the API payload it amounts to, and payload outcome index → form row."""
    names = (
        "code",
        "kind",
        "title",
        "description",
        "study_load_hours",
        "nlqf_level",
        "institution",
        "language",
        "title_en",
    )
    values = {name: (form.get(name) or "").strip() for name in names}
    if code is not None:
        values["code"] = code
    payload: dict[str, Any] = {}
    put(payload, "code", values["code"])
    put(payload, "kind", values["kind"])
    put(payload, "title", values["title"])
    put(payload, "description", values["description"], omit_empty=False)
    put(payload, "study_load_hours", optional_int(values["study_load_hours"]))
    put(payload, "nlqf_level", optional_int(values["nlqf_level"]), omit_empty=False)
    put(payload, "institution", values["institution"], omit_empty=False)
    put(payload, "language", values["language"])
    put(payload, "title_en", values["title_en"], omit_empty=False)
    outcome_rows = rows(form, "outcomes", OUTCOME_PARTS)
    outcomes, row_of = [], []
    for index, row in enumerate(outcome_rows):
        if not row["code"] and not row["title"]:
            continue  # an empty row: nothing to add, or an outcome removed
        outcome: dict[str, Any] = {}
        put(outcome, "code", row["code"])
        put(outcome, "title", row["title"])
        put(outcome, "dossier_code", row["dossier_code"], omit_empty=False)
        put(outcome, "nlqf_level", optional_int(row["nlqf_level"]), omit_empty=False)
        put(outcome, "description", row["description"], omit_empty=False)
        outcomes.append(outcome)
        row_of.append(index)
    payload["outcomes"] = outcomes
    if not any(not r["code"] and not r["title"] for r in outcome_rows):
        outcome_rows += [_empty_row() for _ in range(EMPTY_OUTCOME_ROWS)]
    return UnitForm(values, outcome_rows), payload, row_of


def _rename_outcomes(row_of: list[int]) -> Any:
    """Map ``outcomes-<payload index>…`` to ``outcomes-<form row>…``."""

    def rename(name: str) -> str:
        parts = name.split("-")
        if (
            len(parts) >= 2
            and parts[0] == "outcomes"
            and parts[1].isdigit()
            and int(parts[1]) < len(row_of)
        ):
            parts[1] = str(row_of[int(parts[1])])
        return "-".join(parts)

    return rename


def save_unit_form(code: str | None) -> Response | tuple[str, int]:
    """Create (`code` None) or replace unit `code` from the posted form."""
    current = registry.get_unit(db.session, code) if code is not None else None
    form, payload, row_of = read_unit_form(request.form, code)
    rename = _rename_outcomes(row_of)
    status = 422
    try:
        data = UnitSchema().load(payload)
        unit = to_unit(data, current_app.config["LEERLIJN_DEFAULT_INSTITUTION"])
        if current is None:
            saved = registry.create_unit(db.session, web_actor(), unit)
        else:
            saved = registry.replace_unit(db.session, web_actor(), current.code, unit)
        return redirect(url_for("web.unit_page", code=saved.code, opgeslagen=1), 303)
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
        requires = list(repo.get_units(db.session, codes).values())  # type: ignore[arg-type]
        requires.sort(key=lambda u: u.code)
    html = render_template(
        "registry/unit_form.html",
        unit=unit,
        form=form,
        labels=UNIT_LABELS,
        kinds=KIND_LABELS,
        requires=requires,
        all_codes=sorted(repo.known_codes(db.session).unit_kinds) if unit is not None else [],
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
        return redirect(url_for("web.edit_unit_form", code=code) + "#vereisten", 303)
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
    return redirect(url_for("web.edit_unit_form", code=code) + "#vereisten", 303)
