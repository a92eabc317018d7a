"""Single questions about a learner's record, answered with the path engine's rules."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.domain.errors import AchievementNotEarned, NotFound
from app.domain.path.catalog import Catalog
from app.domain.path.engine import compute_path
from app.domain.path.record import LearnerRecord
from app.domain.path.standing import current_levels, learner_standing

__all__ = ["missing_unit_outcomes", "current_epa_level", "unearned"]


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


def unearned(
    catalog: Catalog,
    record: LearnerRecord,
    kind: str,
    code: str,
    on: date,
    *,
    learner_id: str = "",
    level: int | None = None,
) -> AchievementNotEarned | None:
    """Why `record` does not earn the achievement `kind` `code` on `on`; None when it does.

    The rules issuing applies, shared with the re-check of issued credentials after a
    withdrawal: a ``unit`` needs every outcome (R1, R3); an ``epa`` needs a counting
    entrustment (R6), at `level` or higher when given (the level an issued credential states);
    a ``qualification`` needs a complete path.

    Raises
    ------
    NotFound
        If the unit or qualification is not in the catalog.

    Examples
    --------
    >>> from app.domain.model import Outcome, Unit
    >>> from app.domain.path.record import Entrustment, Evidence
    >>> unit = Unit("U", "BC", "U", 10, (Outcome("a", "a"), Outcome("b", "b")), "I")
    >>> catalog = Catalog.build([unit], [])
    >>> record = LearnerRecord(evidence=(Evidence("a", "exam", date(2025, 1, 1)),),
    ...                        entrustments=(Entrustment("E", 3, date(2025, 1, 1)),))
    >>> unearned(catalog, record, "unit", "U", date(2025, 9, 1)).missing
    {'outcomes': ['b']}
    >>> unearned(catalog, record, "epa", "E", date(2025, 9, 1)) is None
    True
    >>> unearned(catalog, record, "epa", "E", date(2025, 9, 1), level=4).missing
    {'epas': ['E']}
    """
    if kind == "unit":
        missing = missing_unit_outcomes(catalog, record, code, on)
        if not missing:
            return None
        return AchievementNotEarned(
            f"unit '{code}' is not achieved: {len(missing)} outcome(s) missing",
            {"outcomes": list(missing)},
        )
    if kind == "epa":
        current = current_epa_level(record, code, on)
        if current is None:
            return AchievementNotEarned(
                f"learner has no entrustment decision for EPA '{code}'", {"epas": [code]}
            )
        if level is not None and current < level:
            return AchievementNotEarned(
                f"the learner's supervision level for EPA '{code}' is {current}, below {level}",
                {"epas": [code]},
            )
        return None
    if kind == "qualification":
        path = compute_path(catalog, record, learner_id=learner_id, qualification_code=code, on=on)
        if path.complete:
            return None
        lacking: dict[str, list[Any]] = {
            "units": list(path.order),
            "outcomes": [o for u in path.remaining_units for o in u.missing_outcomes],
            "epas": [e.epa for e in path.remaining_epas],
            "entry_requirements": [
                {"any_of": list(codes)} for codes in path.missing_entry_requirements
            ],
        }
        if path.electives.shortfall_hours:
            lacking["elective_hours"] = [path.electives.shortfall_hours]
        return AchievementNotEarned(f"the path to '{code}' is not complete", lacking)
    raise ValueError(f"unknown achievement type {kind!r}")
