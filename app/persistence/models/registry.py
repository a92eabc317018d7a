"""Row classes of the registry core (institutions, units, outcomes, qualifications, EPAs)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db


class InstitutionRow(db.Model):
    __tablename__ = "institutions"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    brin: Mapped[str | None] = mapped_column(String(16))
    #: Set by an admin: credentials of this issuer verify as "a trusted institution".
    trusted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: Legal data an issuer of European Digital Credentials needs (admins edit it).
    legal_name: Mapped[str | None] = mapped_column(String(300))
    kvk_number: Mapped[str | None] = mapped_column(String(8))
    street_address: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(10))
    locality: Mapped[str | None] = mapped_column(String(100))
    country_code: Mapped[str | None] = mapped_column(String(2))
    homepage: Mapped[str | None] = mapped_column(String(300))

    __table_args__ = (
        CheckConstraint("kind IN ('mbo', 'vmbo', 'czo', 'employer')", name="institution_kind"),
    )


class UnitRow(db.Model):
    __tablename__ = "units"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(2))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    study_load_hours: Mapped[int] = mapped_column(Integer)
    nlqf_level: Mapped[int | None] = mapped_column(Integer)
    institution: Mapped[str] = mapped_column(ForeignKey("institutions.code"))
    language: Mapped[str] = mapped_column(String(8), default="nl")
    title_en: Mapped[str | None] = mapped_column(String(300))

    outcomes: Mapped[list[OutcomeRow]] = relationship(
        back_populates="unit",
        order_by="OutcomeRow.position",
        cascade="all, delete-orphan",
    )

    __table_args__ = (
        CheckConstraint("kind IN ('BC', 'VC', 'AV')", name="unit_kind"),
        CheckConstraint("study_load_hours > 0", name="unit_study_load_positive"),
    )


class OutcomeRow(db.Model):
    __tablename__ = "outcomes"

    code: Mapped[str] = mapped_column(String(60), primary_key=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    dossier_code: Mapped[str | None] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    nlqf_level: Mapped[int | None] = mapped_column(Integer)

    unit: Mapped[UnitRow] = relationship(back_populates="outcomes")


class OutcomeRelationRow(db.Model):
    __tablename__ = "outcome_relations"

    id: Mapped[int] = mapped_column(primary_key=True)
    from_outcome: Mapped[str] = mapped_column(ForeignKey("outcomes.code"), index=True)
    to_outcome: Mapped[str] = mapped_column(ForeignKey("outcomes.code"), index=True)
    type: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("from_outcome", "to_outcome", "type", name="outcome_relation_unique"),
        CheckConstraint("type IN ('subsumes', 'partial')", name="outcome_relation_type"),
    )


class PrerequisiteRow(db.Model):
    __tablename__ = "prerequisites"

    unit: Mapped[str] = mapped_column(ForeignKey("units.code"), primary_key=True)
    requires: Mapped[str] = mapped_column(ForeignKey("units.code"), primary_key=True, index=True)


class QualificationRow(db.Model):
    __tablename__ = "qualifications"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(8))
    nlqf_level: Mapped[int | None] = mapped_column(Integer)
    eqf_level: Mapped[int | None] = mapped_column(Integer)
    crebo: Mapped[str | None] = mapped_column(String(16))
    elective_required_hours: Mapped[int] = mapped_column(Integer, default=0)
    #: The school that maintains this qualification in the registry (whose staff may edit it).
    institution: Mapped[str | None] = mapped_column(ForeignKey("institutions.code"))

    __table_args__ = (CheckConstraint("kind IN ('mbo', 'czo')", name="qualification_kind"),)


class QualificationUnitRow(db.Model):
    """A unit of a qualification: `role` is 'mandatory' or 'option' (an elective option)."""

    __tablename__ = "qualification_units"

    qualification: Mapped[str] = mapped_column(
        ForeignKey("qualifications.code", ondelete="CASCADE"), primary_key=True
    )
    unit: Mapped[str] = mapped_column(ForeignKey("units.code"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(10))
    position: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        CheckConstraint("role IN ('mandatory', 'option')", name="qualification_unit_role"),
    )


class QualificationEpaRow(db.Model):
    __tablename__ = "qualification_epas"

    qualification: Mapped[str] = mapped_column(
        ForeignKey("qualifications.code", ondelete="CASCADE"), primary_key=True
    )
    epa: Mapped[str] = mapped_column(ForeignKey("epas.code"), primary_key=True, index=True)
    min_level: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)

    __table_args__ = (CheckConstraint("min_level BETWEEN 1 AND 5", name="qualification_epa_level"),)


class QualificationEntryRow(db.Model):
    """Entry requirement: holding any one of the listed qualifications."""

    __tablename__ = "qualification_entry_requirements"

    qualification: Mapped[str] = mapped_column(
        ForeignKey("qualifications.code", ondelete="CASCADE"), primary_key=True
    )
    any_qualification: Mapped[str] = mapped_column(
        ForeignKey("qualifications.code"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer)


class EpaRow(db.Model):
    __tablename__ = "epas"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(10))
    #: The school that maintains this EPA in the registry (whose staff may edit it).
    institution: Mapped[str | None] = mapped_column(ForeignKey("institutions.code"))

    __table_args__ = (CheckConstraint("type IN ('kern', 'specifiek')", name="epa_type"),)


class EpaOutcomeRow(db.Model):
    __tablename__ = "epa_outcomes"

    epa: Mapped[str] = mapped_column(ForeignKey("epas.code", ondelete="CASCADE"), primary_key=True)
    outcome: Mapped[str] = mapped_column(ForeignKey("outcomes.code"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer)


class SupervisionLevelRow(db.Model):
    __tablename__ = "supervision_levels"

    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    label_nl: Mapped[str] = mapped_column(String(300))
    label_en: Mapped[str] = mapped_column(String(300))
    group: Mapped[str] = mapped_column(String(40))

    __table_args__ = (CheckConstraint("level BETWEEN 1 AND 5", name="supervision_level_range"),)
