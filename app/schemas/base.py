"""The fields every input schema shares: codes, bounded text, dates, and the strict base schema.

The rules themselves live in `app.domain.text` (one definition for the API, the pages, the CLI
and the importer); here they become marshmallow validators, and through flask-smorest the
``pattern`` and ``maxLength`` of the OpenAPI document.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate

from app.domain.text import (
    CODE_LENGTH,
    CODE_PATTERN,
    INSTITUTION_CODE_PATTERN,
    MODULE_CODE_PATTERN,
    NAME_LENGTH,
    TEXT_LENGTH,
    UNREADABLE,
    unreadable_characters,
)

#: The calendar the registry accepts: dates outside it are typing errors, not history or plans.
EARLIEST_DATE, LATEST_DATE = dt.date(1900, 1, 1), dt.date(2199, 12, 31)
#: The same calendar as the OpenAPI document shows it (JSON Schema has no date range).
DATE_PATTERN = r"^(19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}$"
#: Upper bound of any study load or hour count: far beyond any real unit or elective rule.
MAX_HOURS = 20_000


class FullMatch(validate.Regexp):
    """A `validate.Regexp` that the whole value must match (`re.fullmatch`).

    `validate.Regexp` uses ``re.match``, and with it ``$`` accepts a trailing newline
    (``"EVIL\\n"``). The pattern itself is documented unchanged in the OpenAPI document.

    >>> FullMatch(CODE_PATTERN)("BC-1")
    'BC-1'
    >>> FullMatch(CODE_PATTERN)("BC-1\\n")
    Traceback (most recent call last):
    marshmallow.exceptions.ValidationError: String does not match expected pattern.
    """

    def __call__(self, value: str) -> str:  # type: ignore[override]
        if self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


CODE = FullMatch(CODE_PATTERN, error="use letters, digits and . _ : - only (no spaces or /)")
INSTITUTION_CODE = FullMatch(
    INSTITUTION_CODE_PATTERN,
    error="use letters, digits and . _ - only (the code names a key folder and a DID)",
)
MODULE_CODE = FullMatch(MODULE_CODE_PATTERN, error="use letters, digits and . _ : / - only")


def code_field(max_length: int = CODE_LENGTH, **kwargs: Any) -> fields.String:
    """A unit, outcome, qualification, EPA, programme, assignment or route code."""
    return fields.String(validate=[validate.Length(min=1, max=max_length), CODE], **kwargs)


def institution_code_field(**kwargs: Any) -> fields.String:
    """An institution code: a code without ``:`` (a key folder and a did:web segment)."""
    return fields.String(
        validate=[validate.Length(min=1, max=CODE_LENGTH), INSTITUTION_CODE], **kwargs
    )


def module_code_field(**kwargs: Any) -> fields.String:
    """A vmbo profielmodule code in its official notation (``P/ZW/4``)."""
    return fields.String(validate=[validate.Length(min=1, max=CODE_LENGTH), MODULE_CODE], **kwargs)


def text(max_length: int = NAME_LENGTH, **kwargs: Any) -> fields.String:
    """A required-to-be-non-empty title or name of at most `max_length` characters."""
    return fields.String(validate=validate.Length(min=1, max=max_length), **kwargs)


def long_text(max_length: int = TEXT_LENGTH, **kwargs: Any) -> fields.String:
    """Free text (a description, a note) of at most `max_length` characters; may be empty."""
    return fields.String(validate=validate.Length(max=max_length), **kwargs)


def date_field(**kwargs: Any) -> fields.Date:
    """A date within the registry's calendar (1900–2199)."""
    metadata = {"pattern": DATE_PATTERN, **kwargs.pop("metadata", {})}
    return fields.Date(
        validate=validate.Range(EARLIEST_DATE, LATEST_DATE), metadata=metadata, **kwargs
    )


def unreadable_errors(data: Any) -> dict[Any, Any]:
    """marshmallow's nested error messages for every string holding NUL or a lone surrogate.

    >>> unreadable_errors({"units": [{"title": "a\\x00"}]}) == {"units": {0: {"title": [
    ...     UNREADABLE]}}}
    True
    """
    messages: dict[Any, Any] = {}
    for pointer in unreadable_characters(data):
        parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
        node = messages
        for part in parts[:-1]:
            node = node.setdefault(int(part) if part.isdigit() else part, {})
        last = parts[-1] if parts and parts[-1] else "_schema"
        node[int(last) if last.isdigit() else last] = [UNREADABLE]
    return messages


class StrictSchema(Schema):
    """An input schema: unknown fields, NUL characters and lone surrogates are refused.

    The check runs before any field is loaded, so it also covers the CLI, the seed and the
    pages, which load through these schemas without passing the API's request guard.
    """

    class Meta:
        unknown = RAISE

    @pre_load(pass_many=True)
    def refuse_unreadable_text(self, data: Any, **_: Any) -> Any:
        errors = unreadable_errors(data)
        if errors:
            raise ValidationError(errors)
        return data
