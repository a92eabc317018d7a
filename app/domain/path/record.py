"""A learner's record as the path engine reads it: evidence, entrustments, diplomas, enrolments.

Everything here is a frozen value holding only what a path depends on; the stored items with
their bookkeeping (who recorded what, when, why it was withdrawn) are in `app.domain.learner`
and turn into these values with their ``for_engine`` methods.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "EvidenceSource",
    "Evidence",
    "Entrustment",
    "HeldDiploma",
    "PartialCredit",
    "Enrolment",
    "LearnerRecord",
]

EvidenceSource = Literal["exam", "evc", "prior_diploma", "vmbo_assignment", "transfer", "formative"]


@dataclass(frozen=True, slots=True)
class Evidence:
    """Evidence that a learner achieved `outcome`; ``formative`` evidence never counts."""

    outcome: str
    source: EvidenceSource
    date: dt.date
    valid_until: dt.date | None = None
    withdrawn: bool = False


@dataclass(frozen=True, slots=True)
class Entrustment:
    """An entrustment decision for `epa` at supervision `level` (1–5).

    `sequence` is the recording order; it breaks ties between decisions of the same date.
    """

    epa: str
    level: int
    date: dt.date
    withdrawn: bool = False
    sequence: int = 0


@dataclass(frozen=True, slots=True)
class HeldDiploma:
    """A diploma of `qualification`, awarded on `date`."""

    qualification: str
    date: dt.date


@dataclass(frozen=True, slots=True)
class PartialCredit:
    """An outcome that a completed vmbo assignment covers only partially."""

    outcome: str
    date: dt.date
    withdrawn: bool = False


@dataclass(frozen=True, slots=True)
class Enrolment:
    """Enrolment in a qualification: chosen electives in order of preference, start, pace."""

    qualification: str
    chosen_electives: tuple[str, ...]
    start: dt.date
    hours_per_week: int


@dataclass(frozen=True, slots=True)
class LearnerRecord:
    """Everything recorded about one learner that a path depends on."""

    evidence: tuple[Evidence, ...] = ()
    entrustments: tuple[Entrustment, ...] = ()
    diplomas: tuple[HeldDiploma, ...] = ()
    partial_credits: tuple[PartialCredit, ...] = ()
    enrolments: tuple[Enrolment, ...] = ()

    def enrolment_for(self, qualification: str) -> Enrolment | None:
        """Return the enrolment for `qualification` with the latest start, or None.

        Among enrolments with the same start the last one given wins.

        Examples
        --------
        >>> day = dt.date(2025, 9, 1)
        >>> both = (Enrolment("Q", ("A",), day, 20), Enrolment("Q", ("B",), day, 20))
        >>> record = LearnerRecord(enrolments=both)
        >>> record.enrolment_for("Q").chosen_electives
        ('B',)
        >>> record.enrolment_for("X") is None
        True
        """
        found = [e for e in self.enrolments if e.qualification == qualification]
        if not found:
            return None
        return max(reversed(found), key=lambda e: e.start)
