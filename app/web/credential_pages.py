"""The credential pages: verify any credential, and the public page of one we issued.

``/verifieren``                    paste or upload a credential: geldig or niet geldig, and why
``/credentials/<id>``              one issued credential for people (QR code); JSON for programs
``/credentials/<id>.json``         the signed credential as a file
``/credentials/<id>.edc.json``     the same credential as a signed European Digital Credential
"""

from __future__ import annotations

import json
from typing import Any

import segno
from flask import Response, current_app, render_template, request, url_for
from markupsafe import Markup

from app.authentication import public
from app.extensions import db
from app.request_context import credential_environment, current_actor
from app.services import credentials, edc, verification
from app.web.blueprint import web
from app.web.credential_meaning import Meaning, check_lines, read_credential, with_registry
from app.web.credential_sharing import sharing_for

VC_MEDIA_TYPE = "application/vc+ld+json"
MAX_PASTE = 1024 * 1024


@web.get("/verifieren")
@public
def verify_form() -> str:
    """The empty form: paste a credential or upload its file."""
    return render_template("web/verify.html", pasted="", error=None)


@web.post("/verifieren")
@public
def verify_submit() -> Response | str:
    """Verify the pasted or uploaded credential and explain the verdict and the content."""
    pasted = request.form.get("credential", "")
    holder = {
        "name": request.form.get("houder_naam", "")[:1000],
        "email": request.form.get("houder_email", "")[:1000],
    }
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
    return render_template("web/verify_result.html", **_verdict(document, holder))


def _verify_error(pasted: str, message: str) -> tuple[str, int]:  # type: ignore[return]
    holder = {  # given again, so the employer need not type it twice
        "holder_name": request.form.get("houder_naam", "")[:1000],
        "holder_email": request.form.get("houder_email", "")[:1000],
    }
    page = render_template("web/verify.html", pasted=pasted, error=message, **holder)
    return page, 400  # type: ignore[return-value]


def _verdict(document: dict[str, Any], holder: dict[str, str] | None = None) -> dict[str, Any]:
    """The verdict on `document`; with a `holder` (the /verifieren form) a holder check too."""
    env = credential_environment()
    report = verification.verify(db.session, env, document, holder=holder)
    meaning: Meaning = with_registry(db.session, read_credential(document), env.base_url)
    issuer_name = report.issuer.name if report.issuer else None
    return {
        "verified": report.verified,
        "checks": check_lines(report),
        "meaning": meaning,
        "issuer_name": issuer_name,
    }


# --- the public credential page ----------------------------------------------------------------


@web.get("/credentials/<credential_id>.json")
@public
def credential_json(credential_id: str) -> Response:
    """Download the signed credential as a file."""
    issued = credentials.get_credential(db.session, credential_id)
    return _download(issued.document, credential_id)


@web.get("/credentials/<credential_id>.edc.json")
@public
def credential_edc_json(credential_id: str) -> Response:
    """Download the credential as a signed European Digital Credential (ELM v3) file."""
    document = edc.public_edc(db.session, credential_environment(), credential_id)
    return _download(document, f"{credential_id}.edc")


@web.get("/credentials/<credential_id>")
@public
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
    base_url = current_app.config["LEERLIJN_BASE_URL"]
    url = credentials.credential_url(base_url, credential_id)
    verdict = _verdict(issued.document)
    return render_template(
        "web/credential.html",
        issued=issued,
        url=url,
        qr=_qr_svg(url),
        download_url=base_url + _app_path("web.credential_json", credential_id=credential_id),
        edc_url=base_url + _app_path("web.credential_edc_json", credential_id=credential_id),
        verify_url=base_url + _app_path("web.verify_form"),
        sharing=sharing_for(current_actor(), issued, url, verdict["meaning"]),
        **verdict,
    )


def _app_path(endpoint: str, **values: Any) -> str:
    """The path of `endpoint` inside the app, to be put under ``LEERLIJN_BASE_URL`` (which
    already names any prefix the app is served under)."""
    return url_for(endpoint, **values).removeprefix(request.script_root)


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
