"""Rule M3: the cost of placing a learner on a place of an offer."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["NOT_PREFERRED", "RANK_WEIGHT", "rank_cost", "pair_cost"]

#: The rank cost of a workplace the learner did not name among their preferences.
NOT_PREFERRED = 10
#: One step down the learner's preferences weighs as much as this many kilometres.
RANK_WEIGHT = 1000


def rank_cost(preferences: Sequence[str], workplace: str) -> int:
    """Return the 0-based position of `workplace` in `preferences`, or `NOT_PREFERRED`.

    >>> rank_cost(["W1", "W2"], "W2"), rank_cost(["W1", "W2"], "W9"), rank_cost([], "W1")
    (1, 10, 10)
    """
    return preferences.index(workplace) if workplace in preferences else NOT_PREFERRED


def pair_cost(rank: int, distance_km: int) -> int:
    """Return ``1000 × rank + distance_km`` (rule M3).

    >>> pair_cost(0, 12), pair_cost(10, 3)
    (12, 10003)
    """
    return RANK_WEIGHT * rank + distance_km
