"""Single questions about a learner's record, answered with the path engine's rules."""

from __future__ import annotations

from datetime import date

from app.domain.errors import NotFound
from app.domain.path.catalog import Catalog
from app.domain.path.record import LearnerRecord
from app.domain.path.standing import current_levels, learner_standing

__all__ = ["missing_unit_outcomes", "current_epa_level"]


def missing_unit_outcomes(
    catalog: Catalog, record: LearnerRecord, unit: str, on: date
) -> tuple[str, ...]:
    """Return the outcomes of `unit` that `record` has not achieved on `on` (rules R1, R3).

    An empty tuple means the unit is achieved.

    Raises
    ------
    NotFound
        If `unit` is not in the catalog.

    Examples
    --------
    >>> from app.domain.model import Outcome, Unit
    >>> from app.domain.path.record import Evidence
    >>> unit = Unit("U", "BC", "U", 10, (Outcome("a", "a"), Outcome("b", "b")), "I")
    >>> catalog = Catalog.build([unit], [])
    >>> record = LearnerRecord(evidence=(Evidence("a", "exam", date(2025, 1, 1)),))
    >>> missing_unit_outcomes(catalog, record, "U", date(2025, 9, 1))
    ('b',)
    """
    if unit not in catalog.units:
        raise NotFound("unit", unit)
    return learner_standing(catalog, record, on).missing[unit]


def current_epa_level(record: LearnerRecord, epa: str, on: date) -> int | None:
    """Return the learner's counting supervision level for `epa` on `on` (rule R6), or None.

    Examples
    --------
    >>> from app.domain.path.record import Entrustment
    >>> record = LearnerRecord(entrustments=(Entrustment("E", 4, date(2025, 1, 1)),
    ...                                      Entrustment("E", 2, date(2025, 2, 1))))
    >>> current_epa_level(record, "E", date(2025, 9, 1))
    2
    """
    return current_levels(record, on).get(epa)
