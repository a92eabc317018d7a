"""Row class of issued credentials (the signed documents themselves)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class IssuedCredentialRow(db.Model):
    __tablename__ = "issued_credentials"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    learner: Mapped[str] = mapped_column(ForeignKey("learners.id"), index=True)
    institution: Mapped[str] = mapped_column(ForeignKey("institutions.code"))
    achievement_type: Mapped[str] = mapped_column(String(16))
    achievement_code: Mapped[str] = mapped_column(String(60), index=True)
    name: Mapped[str] = mapped_column(String(300))
    key_id: Mapped[str] = mapped_column(String(60))
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    issued_by: Mapped[str] = mapped_column(String(100))
    document: Mapped[dict] = mapped_column(JSON)

    __table_args__ = (
        CheckConstraint("achievement_type IN ('unit', 'epa', 'qualification')", name="credential_type"),
    )
