"""Dutch HTML error pages for the pages for people (never problem documents)."""

from __future__ import annotations

import logging

from flask import Response, make_response, redirect, render_template, request, url_for
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from app.authentication import safe_next
from app.database_errors import database_unavailable
from app.domain.access import AccessDenied, NotAuthenticated
from app.domain.errors import NotFound, RegistryError
from app.web.blueprint import web

log = logging.getLogger(__name__)

#: Status → (title, explanation) in Dutch.
MESSAGES: dict[int, tuple[str, str]] = {
    400: ("Ongeldige aanvraag", "De gegevens in de aanvraag kloppen niet."),
    401: ("Inloggen nodig", "Log in om deze pagina te gebruiken."),
    403: ("Geen toegang", "U hebt geen toegang tot deze pagina of handeling."),
    429: ("Te veel pogingen", "U hebt het te vaak geprobeerd. Wacht even en probeer het opnieuw."),
    404: ("Pagina niet gevonden", "Deze pagina bestaat niet (meer). Controleer het adres."),
    405: ("Methode niet toegestaan", "Deze pagina kan niet op deze manier worden opgevraagd."),
    413: ("Bestand te groot", "Het bestand is te groot om te verwerken."),
    415: ("Verkeerd soort gegevens", "Deze pagina kan dit soort gegevens niet verwerken."),
    500: ("Er ging iets mis", "Er ging iets mis aan onze kant. Probeer het later opnieuw."),
    503: ("Nu niet beschikbaar", "Dit kan op deze server nu niet."),
}


def render_error(status: int, detail: str | None = None) -> Response:
    """Return the Dutch error page for `status`, with an optional extra sentence."""
    title, explanation = MESSAGES.get(
        status, (f"Fout {status}", "De aanvraag kon niet worden verwerkt.")
    )
    html = render_template(
        "web/error.html", status=status, title=title, explanation=explanation, detail=detail
    )
    return make_response(html, status)


def error_page(error: HTTPException) -> Response:
    """The HTML page for an HTTP error on a non-/api path (also used by `app.api.errors`)."""
    return render_error(error.code or 500)


@web.errorhandler(HTTPException)
def http_error(error: HTTPException) -> Response:
    return error_page(error)


@web.errorhandler(RegistryError)
def registry_error(error: RegistryError) -> Response:
    if isinstance(error, NotAuthenticated):
        return redirect(url_for("web.login", next=safe_next(request.full_path)))  # type: ignore[return-value]
    if isinstance(error, AccessDenied):
        return render_error(403, "Uw rol geeft geen toegang tot deze handeling.")
    return render_error(404 if isinstance(error, NotFound) else 400)


@web.errorhandler(Exception)
def unexpected_error(error: Exception) -> Response:
    if isinstance(error, RuntimeError) and "secret key is required" in str(error):
        # No session secret yet (app/session_secret.py: the database is unreachable, or its
        # sealed secret cannot be opened): a form cannot be protected now, so not now.
        log.warning("a page with a form was asked for while no session secret is available")
        response = render_error(
            503, "Inloggen en formulieren werken even niet. Probeer het zo opnieuw."
        )
        response.headers["Retry-After"] = "5"
        return response
    log.exception("unhandled error on a page", exc_info=error)
    return render_error(500)


@web.errorhandler(OperationalError)
@web.errorhandler(InterfaceError)
def database_unavailable_page(error: Exception) -> Response:
    """The database did not answer: 503 (try again shortly), never a 500 page."""
    if not database_unavailable(error):
        return unexpected_error(error)
    log.warning("database unavailable on a page: %s", type(error).__name__)
    response = render_error(
        503, "De database van het register is even niet bereikbaar. Probeer het zo opnieuw."
    )
    response.headers["Retry-After"] = "5"
    return response
