"""The arithmetic of study hours: what part of a unit remains, how long hours take at a pace.

The one default study pace of Leerlijn lives here too: the enrolment's default, the API's and
the pages' default, and the engine's when neither the call nor an enrolment names a pace.
"""

from __future__ import annotations

__all__ = ["DEFAULT_HOURS_PER_WEEK", "remaining_unit_hours", "duration_days"]

#: Study pace, in hours per week, wherever none is given (an enrolment, a path, a ranking).
DEFAULT_HOURS_PER_WEEK = 20


def remaining_unit_hours(study_load_hours: int, missing: int, total: int) -> int:
    """Return ``study_load_hours × missing / total`` rounded half up (R10), in integers.

    Parameters
    ----------
    study_load_hours : int
        The unit's study load.
    missing : int
        How many of its outcomes are not achieved (or, for an overlap, covered).
    total : int
        How many outcomes it has; a unit without outcomes has no hours left.

    Returns
    -------
    int

    Examples
    --------
    >>> remaining_unit_hours(800, 2, 3)
    533
    >>> remaining_unit_hours(5, 1, 2)
    3
    >>> remaining_unit_hours(400, 0, 5)
    0
    """
    if total <= 0:
        return 0
    return (2 * study_load_hours * missing + total) // (2 * total)


def duration_days(hours: int, hours_per_week: int) -> int:
    """Return ``ceil(hours / hours_per_week × 7)``: the calendar days a plan step lasts.

    Parameters
    ----------
    hours : int
        Study hours of the step.
    hours_per_week : int
        Study pace; positive.

    Returns
    -------
    int

    Examples
    --------
    >>> duration_days(240, 40), duration_days(1, 40), duration_days(0, 40)
    (42, 1, 0)
    """
    return -(-hours * 7 // hours_per_week)
