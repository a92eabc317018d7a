"""How every page form behaves: post/redirect/get, a refusal at the top, confirmation first.

The conventions every form of the pages follows (the macros are in
``app/templates/web/_forms.html``, the confirmation page is ``web/confirm.html``):

1. **Success: post/redirect/get.** A POST that did its work answers ``303 See Other`` to the page
   that shows the result, with one Dutch sentence saying what happened (`done`). The sentence is
   a flash message, shown once at the top of the next page (``web/_flash.html`` in the base
   template, ``role="status"``). Reloading that page never posts again, and the address bar shows
   the result page, not the POST target.
2. **Refusal: the form again, errors first.** Invalid input is answered with the form again
   (`refused`): status ``422`` (``409`` for a conflict with stored data), the values as they were
   typed, and an error summary as the first thing in the main content: a box with ``role="alert"``
   and ``id="foutmeldingen"``, a heading, and each message a link to its field (``#field-id``).
   Each field with an error shows its message above the input, and the input carries
   ``aria-invalid="true"`` and ``aria-describedby`` pointing at the message.
3. **Focus moves to the summary.** A POST answer cannot be given an address with a
   ``#foutmeldingen`` fragment, so the summary has ``tabindex="-1"`` and ``autofocus``, and the
   static script ``app/static/form-errors.js`` (the Content-Security-Policy allows only scripts
   from the app itself, never inline ones) focuses and scrolls to it on load. Without JavaScript
   the summary is still the first thing after the page heading.
4. **Errors are plain values.** An error is ``{"field": id or None, "message": Dutch text}``
   (`FieldError`); ``field`` is the ``id`` (and ``name``) of the input it belongs to, None for an
   error of the form as a whole. `errors_from` turns a marshmallow `ValidationError` or a
   service's `InvalidData`/`Conflict` into that list, through the same Dutch texts as the other
   forms (`app.web.forms`).
5. **Destructive actions ask first.** A GET shows ``web/confirm.html`` (`confirm_page`): what
   will happen, in a sentence or a few, a red "Bevestigen" button that POSTs (with the CSRF
   token and any hidden fields) and an "Annuleren" link back. Only the POST does anything.
6. **CSRF.** Every POST form carries ``csrf_token`` (the ``csrf_field()`` macro); a POST without
   a valid one is refused with 400 before the view runs, and nothing is written.

Examples
--------
A view in this style::

    @web.post("/leerlingen/<learner_id>/iets")
    def save_something(learner_id: str) -> Response | tuple[str, int]:
        try:
            data = SomethingSchema().load(payload_of(request.form))
            something.save(db.session, web_actor(), learner_id, data)
        except (ValidationError, InvalidData) as error:
            db.session.rollback()
            return refused("x/form.html", errors_from(error, LABELS), values=request.form)
        return done(url_for("web.learner_path", learner_id=learner_id), "Opgeslagen.")
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypedDict

from flask import flash, redirect, render_template
from marshmallow import ValidationError
from werkzeug.wrappers import Response

from app.domain.errors import RegistryError
from app.web.forms import dutch_message, errors_of

#: The id of the error summary box (the target of the focus script and of skip links).
SUMMARY_ID = "foutmeldingen"
#: Flash category of a success message (``notice success``).
SUCCESS = "success"
#: Dutch texts of messages `app.web.forms.MESSAGES` does not know (pattern, Dutch), applied to
#: the message after the part ``app.web.forms`` leaves untranslated.
MORE_MESSAGES: tuple[tuple[str, str], ...] = (
    (
        r"Must be greater than or equal to (\d{4})-\d\d-\d\d and less than or equal to "
        r"(\d{4})-\d\d-\d\d\.",
        r"Kies een datum tussen \1 en \2.",
    ),
    (r"unknown EPA '(.+)'", r"Er is geen EPA met code ‘\1’."),
    (r"unknown vmbo assignment '(.+)'", r"Er is geen vmbo-opdracht met code ‘\1’."),
    (r"unknown qualification '(.+)'", r"Er is geen kwalificatie met code ‘\1’."),
    (r"decided_by is required for EVC evidence", "Vul bij EVC in wie heeft besloten."),
    (r"basis is required for EVC evidence", "Vul bij EVC de grondslag in."),
    (r"valid_until is before date", "De einddatum ligt vóór de datum."),
    (r"Not a valid string\.", "Vul tekst in."),
    (r"Not a valid boolean\.", "Kies ja of nee."),
)
_MORE = tuple((re.compile(pattern), dutch) for pattern, dutch in MORE_MESSAGES)


class FieldError(TypedDict):
    """One message of a refused form: the field's id (None: the form as a whole) and the text."""

    field: str | None
    message: str


def field_error(field: str | None, message: str) -> FieldError:
    """One error as the templates take it.

    >>> field_error("date", "Vul een datum in.")
    {'field': 'date', 'message': 'Vul een datum in.'}
    """
    return {"field": field, "message": message}


def errors_from(
    error: ValidationError | RegistryError,
    labels: Mapping[str, str] | None = None,
    rename: Callable[[str], str] | None = None,
) -> list[FieldError]:
    """The errors of a schema's `ValidationError` or a service's `InvalidData`/`Conflict`.

    Each message is in Dutch and starts with its field's label when `labels` names one;
    `rename` maps a payload field (``outcome``) to the form field that shows it (``outcomes``).

    >>> from marshmallow import ValidationError
    >>> errors_from(ValidationError({"date": ["Not a valid date."]}), {"date": "Datum"})
    [{'field': 'date', 'message': 'Datum: Vul een geldige datum in (jjjj-mm-dd).'}]
    """
    found = errors_of(error, rename)
    errors = []
    for target, message in found.summary(labels or {}):
        error_ = field_error(target, in_dutch(message))
        if error_ not in errors:
            errors.append(error_)
    return errors


def in_dutch(message: str) -> str:
    """`message` with the English phrases the shared table lacks put into Dutch.

    >>> in_dutch("Datum: Must be greater than or equal to 1900-01-01 and less than or equal to"
    ...          " 2199-12-31.")
    'Datum: Kies een datum tussen 1900 en 2199.'
    >>> in_dutch("EPA: unknown EPA 'X'")
    'EPA: Er is geen EPA met code ‘X’.'
    """
    message = dutch_message(message)
    for pattern, dutch in _MORE:
        message = pattern.sub(dutch, message)
    return message


def messages_by_field(errors: Iterable[FieldError]) -> dict[str, list[str]]:
    """The messages of each field (errors of the whole form under ``""``).

    >>> messages_by_field([field_error("a", "x"), field_error(None, "y"), field_error("a", "z")])
    {'a': ['x', 'z'], '': ['y']}
    """
    found: dict[str, list[str]] = {}
    for error in errors:
        found.setdefault(error["field"] or "", []).append(error["message"])
    return found


def refused(
    template: str, errors: Iterable[FieldError], status: int = 422, **context: Any
) -> tuple[str, int]:
    """Render `template` again with `errors` (its summary first) and answer `status` (422).

    The template gets ``errors`` (the list, for ``error_summary`` and the field macros) and
    everything in `context` (the values as they were typed, choices, …).
    """
    return render_template(template, errors=list(errors), **context), status


def done(url: str, message: str) -> Response:
    """Redirect (303) to `url`, showing `message` once at the top of that page."""
    flash(message, SUCCESS)
    return redirect(url, code=303)


def confirm_page(
    *,
    title: str,
    action: str,
    cancel_url: str,
    consequences: Iterable[str],
    button: str = "Bevestigen",
    hidden: Mapping[str, str] | None = None,
    errors: Iterable[FieldError] = (),
    status: int = 200,
    template: str = "web/confirm.html",
    **context: Any,
) -> tuple[str, int]:
    """The page that asks before a destructive action (``web/confirm.html`` or one extending it).

    Parameters
    ----------
    title : str
        The question or action, as the page's heading ("Credential intrekken").
    action : str
        Where the red button posts to.
    cancel_url : str
        Where "Annuleren" leads back to.
    consequences : iterable of str
        What will happen, one sentence each.
    hidden : mapping of str to str, optional
        Hidden fields posted with the button.
    errors : iterable of FieldError
        Shown in the summary when a confirmation was refused (e.g. an empty reason).
    """
    page = render_template(
        template,
        title=title,
        action=action,
        cancel_url=cancel_url,
        consequences=list(consequences),
        button=button,
        hidden=dict(hidden or {}),
        errors=list(errors),
        **context,
    )
    return page, status
