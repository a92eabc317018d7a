"""The pages: start, Mijn leerpad, Credential verifiëren, the public credential page."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import segno
from flask import Response, current_app, redirect, render_template, request, url_for
from markupsafe import Markup

from app.adapters.credential_environment import credential_environment
from app.domain.errors import InvalidData
from app.extensions import db
from app.persistence import learner_repository as records
from app.persistence import registry_repository as repo
from app.schemas.registry import EARLIEST_DATE, LATEST_DATE
from app.services import credentials, learners
from app.web import web
from app.web.errors import render_error
from app.web.meaning import Meaning, check_lines, read_credential, with_registry
from app.web.pages import STATUS_LABELS, path_page

VC_MEDIA_TYPE = "application/vc+ld+json"
MAX_HOURS_PER_WEEK = 80
MAX_PASTE = 1024 * 1024


@web.get("/")
def index() -> str:
    """Start page: where to go."""
    return render_template("web/index.html")


@web.get("/leerlingen")
def find_learner() -> Response:
    """Go from the start page's form (an id or a student number) to the learner's page."""
    wanted = (request.args.get("id") or "").strip()
    if not wanted:
        return redirect(url_for("web.index"))
    if records.get_learner(db.session, wanted) is None:
        page = learners.list_learners(db.session, repo.ListFilter(limit=2), wanted)
        if len(page.items) == 1:
            wanted = page.items[0].id  # type: ignore[attr-defined]
        else:
            return render_error(404, f"Er is geen leerling met nummer ‘{wanted}’.")
    return redirect(url_for("web.learner_path", learner_id=wanted))


@web.get("/leerlingen/<learner_id>")
def learner_path(learner_id: str) -> Response | str:
    """Mijn leerpad: progress, graph, remaining units, plan, other diplomas, credentials."""
    learner = learners.get_learner(db.session, learner_id)  # NotFound → Dutch 404 page
    qualification = request.args.get("kwalificatie") or None
    errors: list[str] = []
    on = _date_arg("op", errors)
    hours = _hours_arg(errors)
    if errors:
        return render_error(400, " ".join(errors))
    try:
        page = path_page(
            db.session, learner_id, qualification, on, hours, current_app.extensions["path_caches"]
        )
    except InvalidData:
        # No enrolment, or several: let the learner choose a qualification.
        summaries = learners.learner_paths(db.session, learner_id, on)
        return render_template("web/choose.html", learner=learner, summaries=summaries, on=on)
    return render_template(
        "web/path.html", page=page, statuses=STATUS_LABELS, on_arg=request.args.get("op", "")
    )


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
            f"Het aantal uren per week moet een heel getal van 1 tot en met {MAX_HOURS_PER_WEEK} zijn."
        )
        return None
    return int(raw)


# --- verification --------------------------------------------------------------------------------


@web.get("/verifieren")
def verify_form() -> str:
    """The empty form: paste a credential or upload its file."""
    return render_template("web/verify.html", pasted="", error=None)


@web.post("/verifieren")
def verify_submit() -> Response | str:
    """Verify the pasted or uploaded credential and explain the verdict and the content."""
    pasted = request.form.get("credential", "")
    upload = request.files.get("bestand")
    raw: bytes | str = pasted
    if upload is not None and upload.filename:
        raw = upload.read(MAX_PASTE + 1)
    if not (raw.strip() if isinstance(raw, str) else raw.strip()):
        return _verify_error(
            pasted, "Plak de inhoud van een credential (JSON) of kies een bestand."
        )
    if len(raw) > MAX_PASTE:
        return _verify_error(pasted, "Dit is te groot voor een credential (meer dan 1 MB).")
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        where = (
            f" (regel {exc.lineno}, kolom {exc.colno})"
            if isinstance(exc, json.JSONDecodeError)
            else ""
        )
        return _verify_error(
            pasted, f"Dit is geen geldige JSON{where}. Kopieer het hele credential, van {{ tot }}."
        )
    if not isinstance(document, dict):
        return _verify_error(pasted, "Een credential is een JSON-object (begint met {).")
    return render_template("web/verify_result.html", **_verdict(document))


def _verify_error(pasted: str, message: str) -> tuple[str, int]:  # type: ignore[return]
    return render_template("web/verify.html", pasted=pasted, error=message), 400  # type: ignore[return-value]


def _verdict(document: dict[str, Any]) -> dict[str, Any]:
    env = credential_environment()
    report = credentials.verify(db.session, env, document)
    meaning: Meaning = with_registry(db.session, read_credential(document), env.base_url)
    return {"verified": report.verified, "checks": check_lines(report), "meaning": meaning}


# --- the public credential page ----------------------------------------------------------------


@web.get("/credentials/<credential_id>.json")
def credential_json(credential_id: str) -> Response:
    """Download the signed credential as a file."""
    issued = credentials.get_credential(db.session, credential_id)
    return _download(issued.document, credential_id)


@web.get("/credentials/<credential_id>")
def credential_page(credential_id: str) -> Response | str:
    """One issued credential for people: verdict, meaning, QR code; JSON for programs."""
    issued = credentials.get_credential(db.session, credential_id)
    if request.args.get("formaat") == "json":
        return _download(issued.document, credential_id)
    wanted = request.accept_mimetypes.best_match(
        ["text/html", VC_MEDIA_TYPE, "application/json"], "text/html"
    )
    if (
        wanted != "text/html"
        and request.accept_mimetypes[wanted] > request.accept_mimetypes["text/html"]
    ):
        response = current_app.response_class(
            json.dumps(issued.document, ensure_ascii=False), mimetype=wanted
        )
        return response
    url = credentials.credential_url(current_app.config["LEERLIJN_BASE_URL"], credential_id)
    return render_template(
        "web/credential.html", issued=issued, url=url, qr=_qr_svg(url), **_verdict(issued.document)
    )


def _download(document: dict[str, Any], credential_id: str) -> Response:
    body = json.dumps(document, ensure_ascii=False, indent=2)
    response = current_app.response_class(body, mimetype=VC_MEDIA_TYPE)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="credential-{credential_id}.json"'
    )
    return response


def _qr_svg(url: str) -> Markup:
    """An inline SVG QR code of `url` (made on the server; no JavaScript, no external service)."""
    title = "QR-code met de link naar deze pagina"
    svg = segno.make(url, error="m").svg_inline(
        scale=4,
        dark="#111",
        light="#fff",
        title=title,
        svgclass="qr",
        omitsize=True,
    )
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{title}" ', 1))  # noqa: S704 (segno's own SVG)
