"""Jinja filters for Dutch dates and numbers."""

from __future__ import annotations

import datetime as dt

from app.web.blueprint import web

MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


def dutch_date(value: dt.date | dt.datetime | str | None) -> str:
    """Return ``1 september 2025`` for a date, datetime or ISO string; '' for None.

    >>> dutch_date(dt.date(2025, 9, 1)), dutch_date("2026-12-26T00:00:00Z"), dutch_date("gisteren")
    ('1 september 2025', '26 december 2026', 'gisteren')
    """
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def dutch_number(value: int | float | str) -> str:
    """Return a whole number with a dot as thousands separator (other text unchanged).

    >>> dutch_number(1373), dutch_number("1200"), dutch_number("veel")
    ('1.373', '1.200', 'veel')
    """
    if isinstance(value, str):
        if not value.isdigit():
            return value
        value = int(value)
    return f"{int(value):,}".replace(",", ".")


web.add_app_template_filter(dutch_date, "datum")
web.add_app_template_filter(dutch_number, "getal")
