"""Frozen value types of the registry, shared by every layer.

Field names follow the public API. Collections are tuples so that values stay hashable and
immutable once built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

UnitKind = Literal["BC", "VC", "AV"]
QualificationKind = Literal["mbo", "czo"]
InstitutionKind = Literal["mbo", "vmbo", "czo", "employer"]
RelationType = Literal["subsumes", "partial"]
EpaType = Literal["kern", "specifiek"]

#: Ordering rank of unit kinds in every path and graph order: BC before AV before VC.
KIND_RANK: dict[str, int] = {"BC": 0, "AV": 1, "VC": 2}


@dataclass(frozen=True, slots=True)
class LegalData:
    """What an issuer of European Digital Credentials states about itself (admins edit it).

    Rules in :mod:`app.domain.legal_data`: the KvK number is 8 digits, a Dutch postal code reads
    ``1234 AB``, the country is ISO 3166-1 alpha-2, the homepage an http(s) URL.
    """

    legal_name: str | None = None
    kvk_number: str | None = None
    street_address: str | None = None
    postal_code: str | None = None
    locality: str | None = None
    country_code: str | None = None
    homepage: str | None = None


@dataclass(frozen=True, slots=True)
class Institution:
    code: str
    name: str
    kind: InstitutionKind
    brin: str | None = None
    #: Set by an admin: this registry vouches for credentials the institution issues.
    trusted: bool = False
    #: Legal name, KvK number, address and homepage (None: not stated).
    legal: LegalData | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """A learning outcome (leerresultaat); `code` is unique across the registry."""

    code: str
    title: str
    dossier_code: str | None = None
    description: str | None = None
    nlqf_level: int | None = None


@dataclass(frozen=True, slots=True)
class Unit:
    """A learning unit (leereenheid) with its outcomes in their stated order."""

    code: str
    kind: UnitKind
    title: str
    study_load_hours: int
    outcomes: tuple[Outcome, ...]
    institution: str
    description: str | None = None
    nlqf_level: int | None = None
    language: str = "nl"
    title_en: str | None = None

    @property
    def outcome_codes(self) -> tuple[str, ...]:
        return tuple(outcome.code for outcome in self.outcomes)


@dataclass(frozen=True, slots=True)
class OutcomeRelation:
    """`from_outcome` subsumes (counts as) or partially overlaps `to_outcome`."""

    from_outcome: str
    to_outcome: str
    type: RelationType
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Prerequisite:
    """`unit` requires `requires` to be achieved first."""

    unit: str
    requires: str


@dataclass(frozen=True, slots=True)
class ElectiveRule:
    required_hours: int = 0
    options: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RequiredEpa:
    epa: str
    min_level: int


@dataclass(frozen=True, slots=True)
class Qualification:
    """A diploma (mbo) or CZO leerroute: mandatory units, elective rule, EPAs, entry rule."""

    code: str
    title: str
    kind: QualificationKind
    units: tuple[str, ...] = ()
    electives: ElectiveRule = field(default_factory=ElectiveRule)
    required_epas: tuple[RequiredEpa, ...] = ()
    entry_any_qualification: tuple[str, ...] = ()
    nlqf_level: int | None = None
    eqf_level: int | None = None
    crebo: str | None = None
    #: The school that maintains the qualification here (its staff may change it).
    institution: str | None = None

    @property
    def entry_requirements(self) -> dict[str, list[str]]:
        return {"any_qualification": list(self.entry_any_qualification)}


@dataclass(frozen=True, slots=True)
class Epa:
    """An entrustable professional activity and the outcomes it draws on."""

    code: str
    title: str
    type: EpaType
    draws_on: tuple[str, ...] = ()
    description: str | None = None
    #: The school (or CZO) that maintains the EPA here (its staff may change it).
    institution: str | None = None


@dataclass(frozen=True, slots=True)
class SupervisionLevel:
    level: int
    label_nl: str
    label_en: str
    group: str
