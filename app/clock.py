"""The one clock: "today" in the registry's time zone and "now" as an aware UTC instant.

Dates a school writes down (evidence, diplomas, the reference day of a path) are calendar days
in the Netherlands, so "today" is today in ``Europe/Amsterdam`` whatever the server's zone;
moments stored in the database (``recorded_at``, ``issued_at``) are UTC. Every layer asks this
module, so a test or a later issue can see in one place what time the application thinks it is.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

__all__ = ["TIME_ZONE", "TIME_ZONE_NAME", "now", "today"]

#: The registry's calendar (``LEERLIJN_TIMEZONE`` in `app.config` names the same zone).
TIME_ZONE_NAME = "Europe/Amsterdam"
TIME_ZONE = ZoneInfo(TIME_ZONE_NAME)


def today() -> dt.date:
    """Today's date in the registry's time zone: the default reference day of every path.

    >>> isinstance(today(), dt.date) and not isinstance(today(), dt.datetime)
    True
    """
    return dt.datetime.now(TIME_ZONE).date()


def now() -> dt.datetime:
    """The current moment, timezone-aware in UTC (what ``recorded_at`` columns hold).

    >>> now().tzinfo is dt.UTC
    True
    """
    return dt.datetime.now(dt.UTC)
