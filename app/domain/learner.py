"""Learner records as stored and shown: the full items behind the path engine's inputs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.domain.path.hours import DEFAULT_HOURS_PER_WEEK
from app.domain.path.record import (
    Enrolment,
    Entrustment,
    Evidence,
    EvidenceSource,
    HeldDiploma,
)

__all__ = ["Learner", "EvidenceItem", "EntrustmentItem", "DiplomaItem", "EnrolmentItem"]


@dataclass(frozen=True, slots=True)
class Learner:
    """A learner: an id assigned by the registry, a name, an institution, optionally an e-mail."""

    id: str
    name: str
    institution: str
    external_id: str | None = None
    #: Personal data: hashed into credentials as an ``emailAddress`` identifier when known.
    email: str | None = None


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    """One piece of evidence that an outcome was achieved (never deleted, only withdrawn)."""

    id: int
    outcome: str
    source: EvidenceSource
    date: dt.date
    valid_until: dt.date | None = None
    decided_by: str | None = None
    basis: str | None = None
    assessor: str | None = None
    note: str | None = None
    ref: str | None = None
    recorded_by: str = ""
    recorded_at: dt.datetime | None = None
    withdrawn_at: dt.datetime | None = None
    withdrawn_reason: str | None = None

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def for_engine(self) -> Evidence:
        return Evidence(self.outcome, self.source, self.date, self.valid_until, self.withdrawn)


@dataclass(frozen=True, slots=True)
class EntrustmentItem:
    """An entrustment decision: the supervision level at which a learner may perform an EPA."""

    id: int
    epa: str
    level: int
    date: dt.date
    decided_by: str
    note: str | None = None
    recorded_by: str = ""
    recorded_at: dt.datetime | None = None
    withdrawn_at: dt.datetime | None = None
    withdrawn_reason: str | None = None

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def for_engine(self) -> Entrustment:
        return Entrustment(self.epa, self.level, self.date, self.withdrawn, sequence=self.id)


@dataclass(frozen=True, slots=True)
class DiplomaItem:
    """A diploma a learner holds, as stored."""

    id: int
    qualification: str
    date: dt.date
    note: str | None = None

    def for_engine(self) -> HeldDiploma:
        return HeldDiploma(self.qualification, self.date)


@dataclass(frozen=True, slots=True)
class EnrolmentItem:
    """An enrolment as stored: chosen electives in order of preference, start, study pace."""

    qualification: str
    chosen_electives: tuple[str, ...]
    start: dt.date
    hours_per_week: int = DEFAULT_HOURS_PER_WEEK

    def for_engine(self) -> Enrolment:
        return Enrolment(self.qualification, self.chosen_electives, self.start, self.hours_per_week)
