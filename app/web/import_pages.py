"""Importing a qualification file in the pages: upload, see what will change, then confirm.

``/beheer/import``             GET: the upload form; POST: check the file and show the preview
``/beheer/import/bevestigen``  POST: write the previewed document; 303 back with a summary

The file is the document of ``POST /api/import`` (institutions, units, outcome relations,
prerequisites, qualifications, EPAs). The preview is a dry run (`importer.preview_import`): the
whole document is loaded, validated and authorized exactly as the import does, and the page
lists per kind what would be created, changed or left as it is — nothing is written.

Between the two steps the document travels in a hidden field of the confirmation form, with a
signed digest (`itsdangerous`, the app's secret key, this purpose's salt) of its text and of
the principal who previewed it, valid for `PREVIEW_MAX_AGE` seconds: the confirmation writes
exactly what was shown, to the same person, and is refused otherwise. The confirmation still
validates and authorizes the whole document again inside the import (the registry may have
changed meanwhile), so the signature protects the preview's meaning, not the registry.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import Response, current_app, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.domain.access import Principal, Target
from app.domain.errors import InvalidData, RegistryError
from app.extensions import db
from app.request_context import default_institution
from app.schemas.registry import import_document, load_import_document, to_import_document
from app.services import access, importer
from app.web.blueprint import web
from app.web.form_flow import FieldError, done, field_error, refused
from app.web.forms import dutch_message, web_actor

#: Seconds a preview may be confirmed in.
PREVIEW_MAX_AGE = 3600
SALT = "leerlijn-import-preview"
#: Errors listed at most (the rest is counted).
MAX_ERRORS = 50
#: Codes listed at most per kind and bucket.
MAX_CODES = 60
#: Kind in the document → Dutch.
KIND_WORDS: dict[str, str] = {
    "institutions": "Instellingen",
    "units": "Leereenheden",
    "outcome_relations": "Relaties tussen leerresultaten",
    "prerequisites": "Vereisten",
    "qualifications": "Kwalificaties",
    "epas": "EPA's",
}
FILE_FIELD, TEXT_FIELD = "bestand", "tekst"


def _authorized_actor() -> Principal:
    """The principal, if they may import at all (403 otherwise, before anything is read)."""
    actor = access.require_principal(web_actor())
    target = Target("import", institution=actor.institution)
    access.authorize(db.session, actor, "import.registry", target)
    return actor


@web.get("/beheer/import")
def import_form() -> tuple[str, int]:
    """The upload form."""
    _authorized_actor()
    return refused("admin/import.html", [], 200, text="")


@web.post("/beheer/import")
def import_preview() -> tuple[str, int]:
    """Check the uploaded document and show what importing it would change."""
    actor = _authorized_actor()
    raw, field = _uploaded()
    errors: list[FieldError] = []
    body: Any = None
    if raw is None:
        errors.append(field_error(FILE_FIELD, "Bestand: kies een JSON-bestand of plak de tekst."))
    else:
        body, message = _parse(raw)
        if message:
            errors.append(field_error(field, message))
    if not errors:
        size = importer.package_size(body)
        limit = int(current_app.config["LEERLIJN_IMPORT_JOB_THRESHOLD"])
        if size > limit:
            errors.append(
                field_error(
                    field,
                    f"Dit bestand heeft {size} onderdelen; hier kunnen er hoogstens {limit} "
                    "tegelijk. Gebruik voor grotere bestanden POST /api/import of flask import.",
                )
            )
    if errors:
        return refused("admin/import.html", errors, 422, text=_shown_text(raw, field))
    try:
        data, field_errors, unparsed = load_import_document(body)
        document = to_import_document(data, default_institution())
        report = importer.preview_import(
            db.session, actor, document, field_errors=field_errors, unparsed=unparsed
        )
    except InvalidData as error:
        db.session.rollback()
        return refused(
            "admin/import.html",
            document_errors(error.errors, field),
            422,
            text=_shown_text(raw, field),
        )
    text = json.dumps(body, separators=(",", ":"), sort_keys=True)
    return refused(
        "admin/import_preview.html",
        [],
        200,
        rows=preview_rows(report.as_dict()),
        document=text,
        digest=_serializer().dumps({"sha256": _sha256(text), "actor": actor.id}),
        minutes=PREVIEW_MAX_AGE // 60,
    )


@web.post("/beheer/import/bevestigen")
def import_confirm() -> Response | tuple[str, int]:
    """Write the previewed document (signed digest checked); back to the form with a summary."""
    actor = _authorized_actor()
    text = request.form.get("document") or ""
    try:
        signed = _serializer().loads(request.form.get("digest") or "", max_age=PREVIEW_MAX_AGE)
    except BadSignature:
        signed = None
    if (
        not isinstance(signed, dict)
        or signed.get("sha256") != _sha256(text)
        or signed.get("actor") != actor.id
    ):
        message = (
            "Deze bevestiging hoort niet bij een voorbeeld dat u net hebt gezien (of het "
            f"voorbeeld is ouder dan {PREVIEW_MAX_AGE // 60} minuten). Er is niets geschreven; "
            "kies het bestand opnieuw."
        )
        return refused("admin/import.html", [field_error(FILE_FIELD, message)], 422, text="")
    try:
        report = import_document(db.session, actor, json.loads(text), default_institution())
    except InvalidData as error:
        db.session.rollback()
        return refused(
            "admin/import.html", document_errors(error.errors, TEXT_FIELD), 422, text=text
        )
    except RegistryError as error:
        db.session.rollback()
        message = f"Er is niets geschreven: {dutch_message(error.detail)}"
        return refused("admin/import.html", [field_error(None, message)], 409, text=text)
    return done(url_for("web.import_form"), "Geïmporteerd: " + summary(report) + ".")


# --- helpers ------------------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _uploaded() -> tuple[bytes | None, str]:
    """The uploaded file's bytes, else the pasted text's; and the field they came from."""
    upload = request.files.get(FILE_FIELD)
    if upload is not None and upload.filename:
        return upload.read(), FILE_FIELD
    text = request.form.get(TEXT_FIELD) or ""
    if text.strip():
        return text.encode("utf-8", "surrogatepass"), TEXT_FIELD
    return None, FILE_FIELD


def _parse(raw: bytes) -> tuple[Any, str | None]:
    """The JSON document of `raw`, or a Dutch message why it is none.

    >>> _parse(b'{"units": []}')
    ({'units': []}, None)
    >>> _parse(b'{"units": [}')[1]
    'Dit is geen geldige JSON (regel 1, kolom 12).'
    >>> _parse(b'[]')[1]
    'Het document moet een JSON-object zijn, met lijsten als "units" en "qualifications".'
    """
    try:
        body = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return None, "Het bestand is geen UTF-8-tekst."
    except json.JSONDecodeError as error:
        return None, f"Dit is geen geldige JSON (regel {error.lineno}, kolom {error.colno})."
    if not isinstance(body, dict):
        return None, (
            'Het document moet een JSON-object zijn, met lijsten als "units" en "qualifications".'
        )
    return body, None


def _shown_text(raw: bytes | None, field: str) -> str:
    """The pasted text, to show again (an uploaded file is chosen again instead)."""
    if raw is None or field != TEXT_FIELD:
        return ""
    return raw.decode("utf-8", "replace")


def document_errors(errors: list[dict[str, Any]], field: str) -> list[FieldError]:
    """The import's errors as form errors at the upload field: where, in Dutch.

    >>> document_errors([{"pointer": "/units/0/code", "message": "unknown unit 'X'"}], "tekst")
    [{'field': 'tekst', 'message': 'units/0/code: Er is geen leereenheid met code ‘X’.'}]
    """
    shown = [
        field_error(
            field,
            f"{(e.get('pointer') or '/').strip('/') or 'document'}: "
            f"{dutch_message(str(e.get('message', '')))}",
        )
        for e in errors[:MAX_ERRORS]
    ]
    if len(errors) > MAX_ERRORS:
        shown.append(field_error(field, f"En nog {len(errors) - MAX_ERRORS} fouten."))
    return shown


def preview_rows(report: dict[str, dict[str, list[str]]]) -> list[dict[str, Any]]:
    """Per kind in the document: its Dutch name and the codes created, updated and unchanged.

    >>> rows = preview_rows({"created": {"units": ["A"], "epas": []},
    ...                      "updated": {"units": []}, "unchanged": {"units": ["B", "C"]}})
    >>> [(r["kind"], len(r["created"]), r["unchanged_count"]) for r in rows]
    [('Leereenheden', 1, 2)]
    """
    shown = []
    for kind, word in KIND_WORDS.items():
        created = report["created"].get(kind, [])
        updated = report["updated"].get(kind, [])
        unchanged = report["unchanged"].get(kind, [])
        if created or updated or unchanged:
            shown.append(
                {
                    "kind": word,
                    "created": created[:MAX_CODES],
                    "created_count": len(created),
                    "updated": updated[:MAX_CODES],
                    "updated_count": len(updated),
                    "unchanged_count": len(unchanged),
                }
            )
    return shown


def summary(report: dict[str, dict[str, list[str]]]) -> str:
    """One Dutch sentence part: how many items were created, changed, left unchanged.

    >>> summary({"created": {"units": ["A"]}, "updated": {}, "unchanged": {"units": ["B"]}})
    '1 nieuw, 0 gewijzigd, 1 ongewijzigd'
    """
    created, updated, unchanged = (
        sum(len(codes) for codes in report[bucket].values())
        for bucket in ("created", "updated", "unchanged")
    )
    return f"{created} nieuw, {updated} gewijzigd, {unchanged} ongewijzigd"
