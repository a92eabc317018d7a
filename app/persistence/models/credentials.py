"""Row class of issued credentials (the signed documents themselves)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.persistence.models.types import UtcDateTime


class IssuedCredentialRow(db.Model):
    __tablename__ = "issued_credentials"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    learner: Mapped[str] = mapped_column(ForeignKey("learners.id"), index=True)
    institution: Mapped[str] = mapped_column(ForeignKey("institutions.code"))
    achievement_type: Mapped[str] = mapped_column(String(16))
    achievement_code: Mapped[str] = mapped_column(String(60), index=True)
    name: Mapped[str] = mapped_column(String(300))
    key_id: Mapped[str] = mapped_column(String(60))
    issued_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    issued_by: Mapped[str] = mapped_column(String(100))
    document: Mapped[dict] = mapped_column(JSON)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    suspended: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (
        CheckConstraint(
            "achievement_type IN ('unit', 'epa', 'qualification')", name="credential_type"
        ),
    )


class StatusListRow(db.Model):
    """One published Bitstring Status List, signed by the key whose credentials it covers."""

    __tablename__ = "status_lists"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    institution: Mapped[str] = mapped_column(ForeignKey("institutions.code"))
    key_id: Mapped[str] = mapped_column(String(60))
    purpose: Mapped[str] = mapped_column(String(16))
    bits: Mapped[bytes] = mapped_column(LargeBinary)
    allocated: Mapped[int] = mapped_column(Integer, default=0)
    document: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        CheckConstraint("purpose IN ('revocation', 'suspension')", name="status_list_purpose"),
    )


class CredentialStatusEntryRow(db.Model):
    """The bit of a status list that belongs to one credential, per purpose."""

    __tablename__ = "credential_status_entries"

    credential: Mapped[str] = mapped_column(ForeignKey("issued_credentials.id"), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16), primary_key=True)
    status_list: Mapped[str] = mapped_column(ForeignKey("status_lists.id"))
    index: Mapped[int] = mapped_column(Integer)

    __table_args__ = (UniqueConstraint("status_list", "index", name="status_entry_unique_index"),)


class CredentialStatusEventRow(db.Model):
    """History of revocations, suspensions and unsuspensions (never deleted)."""

    __tablename__ = "credential_status_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    credential: Mapped[str] = mapped_column(ForeignKey("issued_credentials.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        CheckConstraint("action IN ('revoke', 'suspend', 'unsuspend')", name="status_event_action"),
    )
