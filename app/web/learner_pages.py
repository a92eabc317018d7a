"""The learner's pages: the start page, finding a learner, and "Mijn leerpad".

``/``                     start: find a learner, verify a credential
``/leerlingen?id=``       go to the learner with that id or student number
``/leerlingen/<id>``      Mijn leerpad (``?kwalificatie=&op=&uren=``)
``/leerlingen/<id>/pad.pdf``  the same page as a PDF (WeasyPrint), for those who may see it
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import Response, current_app, make_response, redirect, render_template, request, url_for

from app.adapters.pdf import PdfUnavailable, html_to_pdf
from app.authentication import public
from app.domain.errors import InvalidData, NotFound
from app.domain.paging import ListFilter
from app.extensions import db
from app.request_context import current_actor, path_caches
from app.schemas.registry import EARLIEST_DATE, LATEST_DATE
from app.services import learners
from app.web.blueprint import web
from app.web.errors import render_error
from app.web.labels import STATUS_LABELS
from app.web.path_view_model import PathPage, path_page

MAX_HOURS_PER_WEEK = 80


@web.get("/")
@public
def index() -> str:
    """Start page: where to go."""
    return render_template("web/index.html")


@web.get("/leerlingen")
def find_learner() -> Response:
    """Go from the start page's form (an id or a student number) to the learner's page."""
    wanted = (request.args.get("id") or "").strip()
    if not wanted:
        return redirect(url_for("web.index"))
    if not _is_learner(wanted):
        page = learners.list_learners(db.session, current_actor(), ListFilter(limit=2), wanted)
        if len(page.items) == 1:
            wanted = page.items[0].id
        else:
            return render_error(404, f"Er is geen leerling met nummer ‘{wanted}’.")
    return redirect(url_for("web.learner_path", learner_id=wanted))


@web.get("/leerlingen/<learner_id>")
def learner_path(learner_id: str) -> Response | str:
    """Mijn leerpad: progress, EPAs, graph, remaining units, plan, other diplomas, credentials."""
    page = _path_page(learner_id)
    return page if not isinstance(page, PathPage) else _render_path(page, printing=False)


@web.get("/leerlingen/<learner_id>/pad.pdf")
def learner_path_pdf(learner_id: str) -> Response | str:
    """Mijn leerpad as a PDF to keep or print; 503 with a Dutch page when PDF is unavailable."""
    page = _path_page(learner_id)
    if not isinstance(page, PathPage):
        return page  # the choice of a qualification, or an error page
    try:
        pdf = html_to_pdf(
            _render_path(page, printing=True),
            request.url_root,
            Path(current_app.static_folder or "static"),
            current_app.static_url_path or "/static",
        )
    except PdfUnavailable:
        return render_error(
            503,
            "Een PDF maken kan op deze server nu niet. Afdrukken kan wel: open je leerpad en "
            "kies Afdrukken in je browser (Ctrl+P); kies daar ‘Opslaan als PDF’ voor een bestand.",
        )
    response = make_response(pdf)
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="leerpad-{learner_id}.pdf"'
    return response


def _path_page(learner_id: str) -> PathPage | Response | str:
    """The page's view model, or the page to show instead (a choice, a Dutch error)."""
    learner = learners.read_learner(
        db.session, current_actor(), learner_id
    )  # NotFound → Dutch 404 page
    qualification = request.args.get("kwalificatie") or None
    errors: list[str] = []
    on = _date_arg("op", errors)
    hours = _hours_arg(errors)
    if errors:
        return render_error(400, " ".join(errors))
    try:
        return path_page(
            db.session, current_actor(), learner_id, qualification, on, hours, path_caches()
        )
    except InvalidData:
        # No enrolment, or several: let the learner choose a qualification.
        summaries = learners.learner_paths(db.session, current_actor(), learner_id, on)
        return render_template("web/choose.html", learner=learner, summaries=summaries, on=on)


def _render_path(page: PathPage, *, printing: bool) -> str:
    return render_template(
        "web/path.html",
        page=page,
        statuses=STATUS_LABELS,
        on_arg=request.args.get("op", ""),
        uren_arg=request.args.get("uren", ""),
        printing=printing,
    )


def _is_learner(learner_id: str) -> bool:
    try:
        learners.read_learner(db.session, current_actor(), learner_id)
    except NotFound:
        return False
    return True


def _date_arg(name: str, errors: list[str]) -> dt.date | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        errors.append(
            f"‘{raw}’ is geen geldige datum; gebruik jjjj-mm-dd, bijvoorbeeld 2025-09-01."
        )
        return None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        errors.append(f"Kies een datum tussen {EARLIEST_DATE.year} en {LATEST_DATE.year}.")
        return None
    return day


def _hours_arg(errors: list[str]) -> int | None:
    raw = (request.args.get("uren") or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_HOURS_PER_WEEK:
        errors.append(
            "Het aantal uren per week moet een heel getal van 1 tot en met "
            f"{MAX_HOURS_PER_WEEK} zijn."
        )
        return None
    return int(raw)
