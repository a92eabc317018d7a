"""Time spent in named parts of a request (the path engine), for the metrics.

The services mark a part with ``with timed("path_engine"): ...``; `app.observability` reads the
request's totals when the request ends and observes them in Prometheus histograms. Outside a
request (the command line, tests calling services) nothing is collected.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_totals: ContextVar[dict[str, float] | None] = ContextVar("leerlijn_timings", default=None)


def start() -> dict[str, float]:
    """Begin collecting for the current request; returns the totals it fills."""
    totals: dict[str, float] = {}
    _totals.set(totals)
    return totals


def stop() -> dict[str, float]:
    """End collecting; returns what was collected (empty when nothing was started)."""
    totals = _totals.get() or {}
    _totals.set(None)
    return totals


@contextmanager
def timed(part: str) -> Iterator[None]:
    """Add the time spent in the block to `part` of the current request's totals."""
    totals = _totals.get()
    if totals is None:
        yield
        return
    began = time.perf_counter()
    try:
        yield
    finally:
        totals[part] = totals.get(part, 0.0) + time.perf_counter() - began
