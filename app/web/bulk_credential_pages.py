"""Issuing and revoking credentials in bulk, for assessors and admins: preview, then confirm.

``/beheer/credentials/uitgeven``              GET: upload or paste CSV; POST: the preview
``/beheer/credentials/uitgeven/bevestigen``   POST: issue (all or nothing, or the rows that can)
``/beheer/credentials/intrekken``             GET: paste credential ids and a reason; POST: preview
``/beheer/credentials/intrekken/bevestigen``  POST: revoke
``/beheer/credentials/taken/<job_id>``        GET: the progress of a large run, then its result

The preview is the API's dry run (`bulk_credentials.issue_in_bulk` with ``dry_run``): every row
checked as a single issue checks it, nothing written. The confirmation sends the same rows
again and they are checked again (the record may have changed since). A batch of more than
`JOB_THRESHOLD` rows runs as a job (`app.services.jobs`, as large imports do) whose page shows
its progress and reloads itself while it runs; smaller batches are written at once.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import current_app, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from app.adapters.credential_environment import CredentialEnvironment
from app.domain.access import Principal
from app.domain.errors import InvalidData
from app.extensions import db
from app.request_context import credential_environment, current_actor
from app.schemas.bulk_credentials import rows_from_csv
from app.services import bulk_credentials, jobs
from app.services.bulk_credentials import MAX_ROWS, BulkRefused, BulkReport, BulkRow
from app.web.blueprint import web
from app.web.form_flow import FieldError, field_error, refused
from app.web.forms import dutch_message

#: Batches with more rows than this run as a job with progress.
JOB_THRESHOLD = 200
JOB_KINDS = {"bulk-issue": "uitgeven", "bulk-revoke": "intrekken"}
FILE_FIELD, TEXT_FIELD = "bestand", "tekst"
STATUS_WORDS = {
    "would_issue": "Wordt uitgegeven",
    "issued": "Uitgegeven",
    "already_held": "Had het al",
    "not_earned": "Nog niet behaald",
    "error": "Fout",
    "would_revoke": "Wordt ingetrokken",
    "revoked": "Ingetrokken",
    "already_revoked": "Was al ingetrokken",
}
MISSING_WORDS = {
    "outcomes": "leerresultaten",
    "units": "leereenheden",
    "epas": "EPA's",
    "credentials": "credentials",
}
STAGE_WORDS = {"checking": "Controleren", "writing": "Schrijven"}


def _issuer() -> Principal:
    return bulk_credentials.may_issue_in_bulk(db.session, current_actor())


def _revoker() -> Principal:
    return bulk_credentials.may_revoke_in_bulk(db.session, current_actor())


# --- issuing ------------------------------------------------------------------------------------


@web.get("/beheer/credentials/uitgeven")
def bulk_issue_form() -> tuple[str, int]:
    """Upload or paste the rows to issue."""
    _issuer()
    return render_template("assessor/bulk_issue.html", errors=[], text=""), 200


@web.post("/beheer/credentials/uitgeven")
def bulk_issue_preview() -> tuple[str, int]:
    """Check every row and show what issuing would do; nothing is written."""
    actor = _issuer()
    text, field = _uploaded()
    try:
        rows = _rows(text)
        report = bulk_credentials.issue_in_bulk(
            db.session, actor, credential_environment(), rows, dry_run=True
        )
    except InvalidData as error:
        db.session.rollback()
        return refused("assessor/bulk_issue.html", _csv_errors(error, field), 422, text=text)
    return _report_page("issue", report, "preview", text=text)


@web.post("/beheer/credentials/uitgeven/bevestigen")
def bulk_issue_confirm() -> Response | tuple[str, int]:
    """Issue the previewed rows: all or nothing, or (checked) only the rows that can be."""
    actor = _issuer()
    text = request.form.get(TEXT_FIELD) or ""
    only_good = request.form.get("gedeeltelijk") == "ja"
    try:
        rows = _rows(text)
    except InvalidData as error:
        db.session.rollback()
        return refused("assessor/bulk_issue.html", _csv_errors(error, TEXT_FIELD), 422, text=text)
    env = credential_environment()
    if len(rows) > JOB_THRESHOLD:
        work = partial(_issue_work, actor, env, rows, only_good)
        return _start_job(actor, "bulk-issue", work)
    try:
        report = bulk_credentials.issue_in_bulk(db.session, actor, env, rows, partial=only_good)
    except BulkRefused as error:
        return _report_page("issue", error.report, "refused", 409, text=text)
    return _report_page("issue", report, "result", 201 if report.written else 200)


def _issue_work(
    actor: Principal,
    env: CredentialEnvironment,
    rows: list[BulkRow],
    only_good: bool,
    session: Session,
    progress: bulk_credentials.Progress,
) -> dict[str, Any]:
    report = bulk_credentials.issue_in_bulk(
        session, actor, env, rows, partial=only_good, progress=progress
    )
    return report.as_dict()


# --- revoking -----------------------------------------------------------------------------------


@web.get("/beheer/credentials/intrekken")
def bulk_revoke_form() -> tuple[str, int]:
    """Paste the ids of the credentials to revoke, and the reason."""
    _revoker()
    return render_template("assessor/bulk_revoke.html", errors=[], ids="", reason=""), 200


@web.post("/beheer/credentials/intrekken")
def bulk_revoke_preview() -> tuple[str, int]:
    """Check every id and show what revoking would do; nothing is written."""
    actor = _revoker()
    ids_text, reason = request.form.get("ids") or "", (request.form.get("reason") or "").strip()
    errors, ids = _revoke_input(ids_text, reason)
    if errors:
        return refused("assessor/bulk_revoke.html", errors, 422, ids=ids_text, reason=reason)
    report = bulk_credentials.revoke_in_bulk(
        db.session, actor, credential_environment(), ids, reason, dry_run=True
    )
    return _report_page("revoke", report, "preview", ids=ids_text, reason=reason)


@web.post("/beheer/credentials/intrekken/bevestigen")
def bulk_revoke_confirm() -> Response | tuple[str, int]:
    """Revoke the previewed credentials (all or nothing, or only those that can be)."""
    actor = _revoker()
    ids_text, reason = request.form.get("ids") or "", (request.form.get("reason") or "").strip()
    only_good = request.form.get("gedeeltelijk") == "ja"
    errors, ids = _revoke_input(ids_text, reason)
    if errors:
        return refused("assessor/bulk_revoke.html", errors, 422, ids=ids_text, reason=reason)
    env = credential_environment()
    if len(ids) > JOB_THRESHOLD:
        work = partial(_revoke_work, actor, env, ids, reason, only_good)
        return _start_job(actor, "bulk-revoke", work)
    try:
        report = bulk_credentials.revoke_in_bulk(
            db.session, actor, env, ids, reason, partial=only_good
        )
    except BulkRefused as error:
        return _report_page("revoke", error.report, "refused", 409, ids=ids_text, reason=reason)
    return _report_page("revoke", report, "result", 201 if report.written else 200)


def _revoke_work(
    actor: Principal,
    env: CredentialEnvironment,
    ids: list[str],
    reason: str,
    only_good: bool,
    session: Session,
    progress: bulk_credentials.Progress,
) -> dict[str, Any]:
    report = bulk_credentials.revoke_in_bulk(
        session, actor, env, ids, reason, partial=only_good, progress=progress
    )
    return report.as_dict()


def _revoke_input(ids_text: str, reason: str) -> tuple[list[FieldError], list[str]]:
    """The ids (one per line, or separated by commas or spaces) and the form's errors."""
    ids = [part for part in ids_text.replace(",", " ").split() if part]
    errors = []
    if not ids:
        errors.append(field_error("ids", "Vul minstens één credential-id in."))
    elif len(ids) > MAX_ROWS:
        errors.append(field_error("ids", f"Hoogstens {MAX_ROWS} credentials tegelijk."))
    elif any(len(i) > 40 for i in ids):
        errors.append(field_error("ids", "Een credential-id is hoogstens 40 tekens lang."))
    if not reason:
        errors.append(field_error("reason", "Vul de reden in."))
    elif len(reason) > 2000:
        errors.append(field_error("reason", "De reden is hoogstens 2000 tekens lang."))
    return errors, ids


# --- jobs ---------------------------------------------------------------------------------------


def _start_job(actor: Principal, kind: str, work: jobs.Work) -> Response:
    job = jobs.create_job(db.session, actor, kind, stage="checking")
    jobs.start_in_background(partial(Session, db.engine), job.id, actor, work)
    return Response(status=303, headers={"Location": url_for("web.bulk_job", job_id=job.id)})


@web.get("/beheer/credentials/taken/<job_id>")
def bulk_job(job_id: str) -> tuple[str, int]:
    """A large run's progress (the page reloads itself while it runs), then its result."""
    stale_after = current_app.config["LEERLIJN_JOB_STALE_SECONDS"]
    job = jobs.read_job(db.session, current_actor(), job_id, stale_after)
    if job.kind not in JOB_KINDS:
        raise NotFound()
    kind = "issue" if job.kind == "bulk-issue" else "revoke"
    result = job.result or {}
    rows = [_shown_row(row) for row in result.get("rows", [])]
    context = {
        "job": job,
        "kind": kind,
        "rows": rows,
        "summary": _shown_summary(result.get("summary") or {}),
        "stage": STAGE_WORDS.get(job.stage, job.stage),
        "detail": dutch_message(str(result.get("detail", ""))),
    }
    return render_template("assessor/bulk_job.html", **context), 200


# --- helpers ------------------------------------------------------------------------------------


def _uploaded() -> tuple[str, str]:
    """The uploaded file's text, else the pasted text; and the field it came from."""
    upload = request.files.get(FILE_FIELD)
    if upload is not None and upload.filename:
        return upload.read().decode("utf-8-sig", "replace"), FILE_FIELD
    return request.form.get(TEXT_FIELD) or "", TEXT_FIELD


def _rows(text: str) -> list[BulkRow]:
    if not text.strip():
        raise InvalidData([{"pointer": "/rows", "message": "the CSV is empty"}])
    return rows_from_csv(text)


CSV_WORDS = {
    "the CSV is empty": "Kies een CSV-bestand of plak de regels.",
    "the CSV has no data rows": "Het bestand heeft alleen een kopregel, geen regels.",
}


def _csv_errors(error: InvalidData, field: str) -> list[FieldError]:
    """The CSV's errors in Dutch, at the field it came from."""
    shown = []
    for item in error.errors[:20]:
        message = str(item.get("message", ""))
        if message in CSV_WORDS:
            shown.append(field_error(field, CSV_WORDS[message]))
        elif message.startswith("the CSV header lacks"):
            columns = message.rsplit(" ", 1)[-1]
            text = f"De kopregel moet learner,type,code zijn; er ontbreekt: {columns}."
            shown.append(field_error(field, text))
        elif message.startswith("row "):
            number, _, rest = message.removeprefix("row ").partition(": ")
            column = rest.split(" ", 1)[0]
            text = f"Regel {number}: {column} is leeg of langer dan 60 tekens."
            shown.append(field_error(field, text))
        elif message.startswith("at most"):
            shown.append(field_error(field, f"Hoogstens {MAX_ROWS} regels tegelijk."))
        else:
            shown.append(field_error(field, f"Het bestand is geen geldige CSV ({message})."))
    return shown


def _shown_row(row: dict[str, Any]) -> dict[str, Any]:
    """One report row for the table: its status, what is missing and why, in Dutch."""
    missing = row.get("missing") or {}
    lacking = "; ".join(
        f"{MISSING_WORDS.get(kind, kind)} {', '.join(map(str, codes))}"
        for kind, codes in missing.items()
        if codes
    )
    reason = dutch_message(str(row["reason"])) if row.get("reason") else ""
    if row.get("duplicate_of"):
        reason = (reason + " " if reason else "") + f"(herhaalt regel {row['duplicate_of']})"
    return {
        **row,
        "status_word": STATUS_WORDS.get(row["status"], row["status"]),
        "lacking": lacking,
        "why": reason,
    }


def _shown_summary(summary: dict[str, int]) -> list[tuple[str, int]]:
    return [(STATUS_WORDS[s], n) for s, n in summary.items() if s in STATUS_WORDS and n]


def _report_page(
    kind: str, report: BulkReport, mode: str, code: int = 200, **context: Any
) -> tuple[str, int]:
    data = report.as_dict()
    blocking = sum(1 for row in report.rows if row.status in bulk_credentials.BLOCKING)
    page = render_template(
        "assessor/bulk_report.html",
        kind=kind,
        mode=mode,
        rows=[_shown_row(row) for row in data["rows"]],
        summary=_shown_summary(data["summary"]),
        blocking=blocking,
        writable=sum(1 for row in report.rows if row.status in ("would_issue", "would_revoke")),
        threshold=JOB_THRESHOLD,
        errors=[],
        **context,
    )
    return page, code
