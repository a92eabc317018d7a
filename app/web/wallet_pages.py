"""A credential where people use it: in a wallet, and on paper.

``POST /credentials/<id>/wallet``  for its holder or the issuing school's staff: a new OID4VCI
                                   offer as a QR code with its PIN, and a Learner Credential
                                   Wallet link (a VC-API exchange)
``/credentials/<id>.pdf``          the credential on A4 (public, like its page), with a QR code
                                   to its page

The public page `/credentials/<id>` shows the form and the LinkedIn link to those who may
(`credential_sharing.may_share`); the services decide again when the form is posted.
"""

from __future__ import annotations

from pathlib import Path

from flask import Response, current_app, make_response, render_template, request, url_for

from app.adapters.pdf import PdfUnavailable, html_to_pdf
from app.authentication import public
from app.clock import today
from app.extensions import db
from app.request_context import credential_environment, current_actor
from app.services import credentials, exchanges, oid4vci, verification
from app.services.wallet_delivery import NotDeliverable
from app.web.blueprint import web
from app.web.credential_meaning import read_credential, with_registry
from app.web.credential_sharing import dutch_moment, qr_svg, spaced_pin, status_word
from app.web.errors import render_error

PAGE_QR_TITLE = "QR-code met de link naar de pagina van dit certificaat"
OFFER_QR_TITLE = "QR-code om dit certificaat in je wallet te zetten"
NOT_DELIVERABLE = (
    "Dit credential kan nu niet in een wallet: het is ingetrokken of geschorst, of de sleutel "
    "waarmee het is ondertekend wordt niet meer gebruikt. Vraag je school om raad."
)


@web.post("/credentials/<credential_id>/wallet")
def credential_wallet(credential_id: str) -> Response:
    """A new wallet offer (QR code and PIN) and a Learner Credential Wallet link.

    The services decide who may (the holder, the issuing school's staff): another learner gets
    the 404 page, a role that may not the 403 page. The page holds the PIN, so it is not kept.
    """
    actor, env = current_actor(), credential_environment()
    try:
        offer = oid4vci.create_offer(db.session, actor, env, credential_id)
        exchange = exchanges.create_exchange(db.session, actor, env, credential_id)
    except NotDeliverable:
        return render_error(409, NOT_DELIVERABLE)
    issued = credentials.get_credential(db.session, credential_id)
    page = render_template(
        "web/credential_wallet.html",
        issued=issued,
        offer={"offer_url": offer.offer_url, "expires": dutch_moment(offer.expires_at)},
        offer_qr=qr_svg(offer.offer_url, OFFER_QR_TITLE),
        pin=spaced_pin(offer.tx_code),
        exchange={
            "lcw_url": exchange["lcw_url"],
            "expires": dutch_moment(exchange["expires_at"]),
        },
        credential_page=url_for("web.credential_page", credential_id=credential_id),
    )
    response = make_response(page)
    response.headers["Cache-Control"] = "no-store"
    return response


@web.get("/credentials/<credential_id>.pdf")
@public
def credential_pdf(credential_id: str) -> Response:
    """The credential on A4; 503 with a Dutch page when PDF cannot be made here."""
    html = credential_print_html(credential_id)  # NotFound → the Dutch 404 page
    try:
        pdf = html_to_pdf(
            html,
            request.url_root,
            Path(current_app.static_folder or "static"),
            current_app.static_url_path or "/static",
        )
    except PdfUnavailable:
        return render_error(
            503,
            "Een PDF maken kan op deze server nu niet. Afdrukken kan wel: open de pagina van "
            "het certificaat en kies Afdrukken in je browser (Ctrl+P); kies daar ‘Opslaan als "
            "PDF’ voor een bestand.",
        )
    response = make_response(pdf)
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="certificaat-{credential_id}.pdf"'
    return response


def credential_print_html(credential_id: str) -> str:
    """The HTML the PDF of `credential_id` is made from (Dutch, A4)."""
    issued = credentials.get_credential(db.session, credential_id)
    env = credential_environment()
    report = verification.verify(db.session, env, issued.document)
    url = credentials.credential_url(env.base_url, credential_id)
    return render_template(
        "web/credential_print.html",
        issued=issued,
        meaning=with_registry(db.session, read_credential(issued.document), env.base_url),
        status=status_word(report),
        checked_on=today(),
        url=url,
        qr=qr_svg(url, PAGE_QR_TITLE),
        issuer_name=report.issuer.name if report.issuer else None,
    )
