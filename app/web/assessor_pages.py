"""The assessor's pages: find a learner, record evidence, entrustments and vmbo completions.

``/beheer/leerlingen?q=``                              the learners of your institution, searchable
``/leerlingen/<id>/beheer``                            one learner for staff: record, credentials
``/leerlingen/<id>/bewijs``                            form: evidence for one or more outcomes
``/leerlingen/<id>/bekwaamheid``                       form: an entrustment decision (EPA, level)
``/leerlingen/<id>/vmbo-opdracht``                     form: a completed vmbo assignment
``/leerlingen/<id>/bewijs/<n>/intrekken``              confirm, then withdraw with a reason
``/leerlingen/<id>/bekwaamheid/<n>/intrekken``         idem for an entrustment
``/leerlingen/<id>/vmbo-opdracht/<n>/intrekken``       idem for a completion

Issuing and the status of credentials are in `assessor_credentials`. The forms post to the
same services as the JSON API (``POST /api/learners/{id}/evidence`` …), through the same
marshmallow schemas, as the signed-in principal: authorization (an assessor of the learner's
institution, or an admin; 404 outside your institution) and the audit trail come with them.
They follow the conventions of `app.web.form_flow`: 303 with a message on success, the form
again with 422 and an error summary on a refusal, a confirmation page before a withdrawal.
"""

from __future__ import annotations

from typing import Any

from flask import render_template, request, url_for
from marshmallow import ValidationError
from werkzeug.wrappers import Response

from app.clock import today
from app.domain.access import AccessDenied, Decision, Target, decide
from app.domain.errors import Conflict, InvalidData, NotFound
from app.domain.learner import Learner
from app.domain.paging import ListFilter
from app.extensions import db
from app.request_context import credential_environment, current_actor, path_caches
from app.schemas.learners import EntrustmentInSchema, EvidenceInSchema, WithdrawSchema
from app.schemas.vmbo import CompletionInSchema
from app.services import learners, vmbo
from app.web import assessor_view as view
from app.web.blueprint import web
from app.web.form_flow import FieldError, confirm_page, done, errors_from, field_error, refused
from app.web.forms import dutch_message, put

LIST_LIMIT = 50
EVIDENCE_LABELS = {
    "outcomes": "Leerresultaten",
    "source": "Soort bewijs",
    "date": "Datum",
    "assessor": "Beoordelaar",
    "note": "Toelichting",
    "decided_by": "Besloten door",
    "basis": "Grondslag",
}
ENTRUSTMENT_LABELS = {
    "epa": "EPA",
    "level": "Niveau van supervisie",
    "date": "Datum",
    "decided_by": "Besloten door",
    "note": "Toelichting",
}
COMPLETION_LABELS = {"assignment": "vmbo-opdracht", "date": "Datum", "assessor": "Beoordelaar"}
REASON_LABELS = {"reason": "Reden"}

# --- guards -------------------------------------------------------------------------------------


def staff_learner(learner_id: str, action: str = "record.write") -> Learner:
    """The learner, when the signed-in principal may do `action` on their record.

    Outside the principal's scope the learner is unknown (404, `NotFound`); a role that may
    read but not write (a school-admin, the learner) gets 403 (`AccessDenied`); nobody signed
    in is sent to the login page (`NotAuthenticated`).
    """
    actor = current_actor()
    learner = learners.read_learner(db.session, actor, learner_id)
    target = Target("learner", learner_id, institution=learner.institution, learner=learner_id)
    if actor is None or decide(actor, action, target) is not Decision.ALLOW:
        raise AccessDenied(action)
    return learner


def _text(name: str) -> str:
    return (request.form.get(name) or "").strip()


# --- the learner list and the staff page ------------------------------------------------------


@web.get("/beheer/leerlingen")
def learner_list() -> str:
    """The learners of your institution (all for an admin), searchable by name or number."""
    q = (request.args.get("q") or "").strip()[:100]
    offset = request.args.get("van", "0")
    start = int(offset) if offset.isdigit() and len(offset) < 7 else 0
    flt = ListFilter(limit=LIST_LIMIT, offset=start, q=q or None)
    page = learners.list_learners(db.session, current_actor(), flt, None)
    items = list(page.items)
    if q and start == 0:  # a student number finds its learner too
        by_number = learners.list_learners(
            db.session, current_actor(), ListFilter(limit=LIST_LIMIT), q
        ).items
        items = [*[i for i in by_number if i.id not in {x.id for x in items}], *items]
    actor = current_actor()
    may_record = (
        actor is not None
        and decide(actor, "record.write", Target("learner", institution=actor.institution))
        is not Decision.DENY
    )
    return render_template(
        "assessor/learners.html",
        q=q,
        items=items,
        total=max(page.total, len(items)),
        start=start,
        limit=LIST_LIMIT,
        may_record=may_record,
    )


@web.get("/leerlingen/<learner_id>/beheer")
def learner_staff_page(learner_id: str) -> str:
    """One learner for staff: record evidence and decisions, withdraw them, credentials."""
    learner = staff_learner(learner_id)
    actor = current_actor()
    on = today()
    catalog, record, standing = view.standing_of(db.session, learner_id, on, path_caches())
    lines = view.credential_lines(db.session, actor, credential_environment(), learner_id)
    offered = view.offers(
        db.session, catalog, record, standing, learner_id, on, view.held_credentials(lines)
    )
    return render_template(
        "assessor/learner.html",
        learner=learner,
        record=view.record_lists(db.session, actor, learner_id),
        credentials=lines,
        offers=offered,
        levels=dict(view.level_choices(db.session)),
        sources=view.SOURCE_LABELS,
        enrolled=sorted({e.qualification for e in record.enrolments}),
        qualifications=catalog.qualifications,
    )


# --- evidence -----------------------------------------------------------------------------------


def _evidence_form(
    learner: Learner,
    values: dict[str, Any],
    chosen: set[str],
    errors: list[FieldError] | None = None,
) -> tuple[str, int]:
    on = today()
    catalog, record, standing = view.standing_of(db.session, learner.id, on, path_caches())
    wanted = (request.args.get("kwalificatie") or "").strip() or None
    codes = view.tree_qualifications(record, wanted)
    trees = [view.outcome_tree(catalog, standing, code) for code in codes if code]
    context: dict[str, Any] = {
        "learner": learner,
        "values": values,
        "chosen": chosen,
        "trees": trees,
        "sources": view.SOURCE_LABELS,
        "qualifications": sorted(catalog.qualifications.values(), key=lambda q: q.code),
        "wanted": wanted,
    }
    if errors:
        return refused("assessor/evidence.html", errors, **context)
    return render_template("assessor/evidence.html", errors=[], **context), 200


@web.get("/leerlingen/<learner_id>/bewijs")
def evidence_form(learner_id: str) -> tuple[str, int]:
    """The evidence form: outcomes by unit of the qualification, source, date, assessor, note."""
    learner = staff_learner(learner_id)
    values = {"source": "exam", "date": today().isoformat()}
    return _evidence_form(learner, values, set())


@web.post("/leerlingen/<learner_id>/bewijs")
def record_evidence(learner_id: str) -> Response | tuple[str, int]:
    """Record evidence for every chosen outcome (all or nothing); then the learner's page."""
    learner = staff_learner(learner_id)
    names = ("source", "date", "assessor", "note", "decided_by", "basis")
    values = {name: _text(name) for name in names}
    chosen = [code.strip() for code in request.form.getlist("outcomes") if code.strip()]
    chosen = list(dict.fromkeys(chosen))
    common: dict[str, Any] = {}
    for name in names:
        put(common, name, values[name])
    errors: list[FieldError] = []
    try:
        EvidenceInSchema(partial=("outcome",)).load(common)
    except ValidationError as error:
        errors += errors_from(error, EVIDENCE_LABELS)
    if not chosen:
        errors.append(field_error("outcomes", "Leerresultaten: kies minstens één leerresultaat."))
    if not errors:
        try:
            items = EvidenceInSchema(many=True).load([{**common, "outcome": c} for c in chosen])
            learners.record_evidence(db.session, current_actor(), learner_id, items, as_list=True)
        except (ValidationError, InvalidData) as error:
            db.session.rollback()
            errors = errors_from(error, EVIDENCE_LABELS, _item_field)
    if errors:
        return _evidence_form(learner, values, set(chosen), errors)
    count = len(chosen)
    what = "1 leerresultaat" if count == 1 else f"{count} leerresultaten"
    return done(
        url_for("web.learner_path", learner_id=learner_id),
        f"Bewijs vastgelegd voor {what}: {', '.join(chosen)}.",
    )


def _item_field(name: str) -> str:
    """``3-outcome`` (item 3 of the list) → ``outcomes``; ``0-date`` → ``date``.

    >>> _item_field("3-outcome"), _item_field("0-date"), _item_field("date")
    ('outcomes', 'date', 'date')
    """
    field = name.split("-", 1)[1] if "-" in name and name.split("-", 1)[0].isdigit() else name
    return "outcomes" if field == "outcome" else field


# --- entrustments -------------------------------------------------------------------------------


def _entrustment_form(
    learner: Learner, values: dict[str, Any], errors: list[FieldError] | None = None
) -> tuple[str, int]:
    catalog, record = learners.cached_inputs(db.session, learner.id, path_caches())
    context: dict[str, Any] = {
        "learner": learner,
        "values": values,
        "epas": view.epa_choices(db.session, record, catalog),
        "levels": view.level_choices(db.session),
    }
    if errors:
        return refused("assessor/entrustment.html", errors, **context)
    return render_template("assessor/entrustment.html", errors=[], **context), 200


@web.get("/leerlingen/<learner_id>/bekwaamheid")
def entrustment_form(learner_id: str) -> tuple[str, int]:
    """The entrustment form: EPA, supervision level 1–5 (with its description), date."""
    learner = staff_learner(learner_id)
    return _entrustment_form(learner, {"date": today().isoformat(), "epa": request.args.get("epa")})


@web.post("/leerlingen/<learner_id>/bekwaamheid")
def record_entrustment(learner_id: str) -> Response | tuple[str, int]:
    """Record an entrustment decision; then the staff page."""
    learner = staff_learner(learner_id)
    values = {name: _text(name) for name in ENTRUSTMENT_LABELS}
    payload: dict[str, Any] = {}
    for name in ("epa", "date", "decided_by", "note"):
        put(payload, name, values[name])
    level = values["level"]
    put(payload, "level", int(level) if level.isdigit() and len(level) < 3 else level)
    try:
        data = EntrustmentInSchema().load(payload)
        learners.record_entrustment(db.session, current_actor(), learner_id, data)
    except (ValidationError, InvalidData) as error:
        db.session.rollback()
        return _entrustment_form(learner, values, errors_from(error, ENTRUSTMENT_LABELS))
    return done(
        url_for("web.learner_staff_page", learner_id=learner_id) + "#bekwaamheid",
        f"Bekwaamverklaring vastgelegd: EPA {data['epa']} op niveau {data['level']}.",
    )


# --- vmbo completions ---------------------------------------------------------------------------


def _completion_form(
    learner: Learner, values: dict[str, Any], errors: list[FieldError] | None = None
) -> tuple[str, int]:
    context: dict[str, Any] = {
        "learner": learner,
        "values": values,
        "groups": view.assignment_choices(db.session),
    }
    if errors:
        return refused("assessor/completion.html", errors, **context)
    return render_template("assessor/completion.html", errors=[], **context), 200


@web.get("/leerlingen/<learner_id>/vmbo-opdracht")
def completion_form(learner_id: str) -> tuple[str, int]:
    """The form of a completed vmbo assignment (its mappings credit mbo outcomes)."""
    learner = staff_learner(learner_id)
    return _completion_form(learner, {"date": today().isoformat()})


@web.post("/leerlingen/<learner_id>/vmbo-opdracht")
def record_completion(learner_id: str) -> Response | tuple[str, int]:
    """Record a completed vmbo assignment; then the staff page."""
    learner = staff_learner(learner_id)
    values = {name: _text(name) for name in COMPLETION_LABELS}
    payload: dict[str, Any] = {}
    for name, value in values.items():
        put(payload, name, value)
    try:
        data = CompletionInSchema().load(payload)
        created = vmbo.record_completion(db.session, current_actor(), learner_id, data)
    except (ValidationError, InvalidData) as error:
        db.session.rollback()
        return _completion_form(learner, values, errors_from(error, COMPLETION_LABELS))
    full = sum(1 for outcome in created.outcomes if outcome.coverage == "full")
    return done(
        url_for("web.learner_staff_page", learner_id=learner_id) + "#vmbo",
        f"vmbo-opdracht {data['assignment']} vastgelegd; {full} leerresultaten als bewijs "
        "meegeteld.",
    )


# --- withdrawals --------------------------------------------------------------------------------

#: kind in the address → (what it is in Dutch, its list in `assessor_view.record_lists`).
WITHDRAWALS: dict[str, tuple[str, str]] = {
    "bewijs": ("bewijs", "evidence"),
    "bekwaamheid": ("bekwaamverklaring", "entrustments"),
    "vmbo-opdracht": ("vmbo-opdracht", "completions"),
}


def _record_item(learner_id: str, kind: str, item_id: int) -> Any:
    items = view.record_lists(db.session, current_actor(), learner_id)[WITHDRAWALS[kind][1]]
    found = next((item for item in items if item.id == item_id), None)
    if found is None:
        raise NotFound(kind, str(item_id))
    return found


def _describe(kind: str, item: Any) -> str:
    if kind == "bewijs":
        source = view.SOURCE_LABELS.get(item.source, item.source)
        return f"bewijs voor {item.outcome} ({source}, {item.date.isoformat()})"
    if kind == "bekwaamheid":
        return f"bekwaamverklaring EPA {item.epa} niveau {item.level} ({item.date.isoformat()})"
    return f"vmbo-opdracht {item.assignment} ({item.date.isoformat()})"


def _withdraw_page(
    learner: Learner, kind: str, item: Any, errors: list[FieldError], reason: str, status: int
) -> tuple[str, int]:
    noun = WITHDRAWALS[kind][0]
    consequences = [
        f"Het {_describe(kind, item)} telt niet meer mee voor {learner.name}.",
        "Het blijft bewaard, gemarkeerd als ingetrokken, met de reden en uw naam.",
        "Credentials die zonder dit niet meer verdiend zijn, worden geschorst "
        "(‘onderbouwing ingetrokken’).",
    ]
    if kind == "vmbo-opdracht":
        consequences[0] = (
            f"De {_describe(kind, item)} en het bewijs dat zij gaf tellen niet meer mee "
            f"voor {learner.name}."
        )
    return confirm_page(
        title=f"{noun[0].upper()}{noun[1:]} intrekken",
        eyebrow=f"{learner.name} · beheer",
        action=request.path,
        cancel_url=url_for("web.learner_staff_page", learner_id=learner.id),
        consequences=consequences,
        button="Bevestigen: intrekken",
        errors=errors,
        status=status,
        template="assessor/reason_confirm.html",
        reason=reason,
        reason_hint="Bijvoorbeeld: ingevoerd bij de verkeerde leerling.",
    )


def _withdraw(learner_id: str, kind: str, item_id: int) -> Response | tuple[str, int]:
    learner = staff_learner(learner_id)
    item = _record_item(learner_id, kind, item_id)
    if request.method == "GET":
        return _withdraw_page(learner, kind, item, [], "", 200)
    reason = _text("reason")
    calls = {
        "bewijs": learners.withdraw_evidence,
        "bekwaamheid": learners.withdraw_entrustment,
        "vmbo-opdracht": vmbo.withdraw_completion,
    }
    try:
        data = WithdrawSchema().load({"reason": reason} if reason else {})
        calls[kind](
            db.session,
            current_actor(),
            credential_environment(),
            learner_id,
            item_id,
            data["reason"],
        )
    except ValidationError as error:
        return _withdraw_page(learner, kind, item, errors_from(error, REASON_LABELS), reason, 422)
    except Conflict as error:
        db.session.rollback()
        message = dutch_message(error.detail)
        if "already withdrawn" in error.detail:
            message = "Dit is al ingetrokken."
        return _withdraw_page(learner, kind, item, [field_error(None, message)], reason, 409)
    anchor = {"bewijs": "#bewijs", "bekwaamheid": "#bekwaamheid", "vmbo-opdracht": "#vmbo"}
    return done(
        url_for("web.learner_staff_page", learner_id=learner_id) + anchor[kind],
        f"Ingetrokken: {_describe(kind, item)}.",
    )


@web.route(
    "/leerlingen/<learner_id>/bewijs/<int(max=2147483647):item_id>/intrekken",
    methods=["GET", "POST"],
)
def withdraw_evidence(learner_id: str, item_id: int) -> Response | tuple[str, int]:
    """Confirm (GET), then withdraw evidence with a reason (POST)."""
    return _withdraw(learner_id, "bewijs", item_id)


@web.route(
    "/leerlingen/<learner_id>/bekwaamheid/<int(max=2147483647):item_id>/intrekken",
    methods=["GET", "POST"],
)
def withdraw_entrustment(learner_id: str, item_id: int) -> Response | tuple[str, int]:
    """Confirm (GET), then withdraw an entrustment decision with a reason (POST)."""
    return _withdraw(learner_id, "bekwaamheid", item_id)


@web.route(
    "/leerlingen/<learner_id>/vmbo-opdracht/<int(max=2147483647):item_id>/intrekken",
    methods=["GET", "POST"],
)
def withdraw_completion(learner_id: str, item_id: int) -> Response | tuple[str, int]:
    """Confirm (GET), then withdraw a vmbo completion and its evidence with a reason (POST)."""
    return _withdraw(learner_id, "vmbo-opdracht", item_id)
