"""Row classes of access control: accounts, API tokens and the append-only audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.persistence.models.types import UtcDateTime

ROLE_CHECK = (
    "role IN ('admin', 'school-admin', 'assessor', 'vmbo-teacher', 'learner', 'coordinator', "
    "'workplace')"
)


class AccountRow(db.Model):
    """A person who signs in to the pages with an e-mail address and a password."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: argon2id hash (argon2-cffi); the password itself is never stored.
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    institution: Mapped[str | None] = mapped_column(ForeignKey("institutions.code"))
    learner: Mapped[str | None] = mapped_column(ForeignKey("learners.id"))
    programme: Mapped[str | None] = mapped_column(String(40))
    workplace: Mapped[str | None] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(100))
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (CheckConstraint(ROLE_CHECK, name="account_role"),)


class ApiTokenRow(db.Model):
    """A bearer token for programs; only the SHA-256 of the random token is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    institution: Mapped[str | None] = mapped_column(ForeignKey("institutions.code"))
    learner: Mapped[str | None] = mapped_column(ForeignKey("learners.id"))
    programme: Mapped[str | None] = mapped_column(String(40))
    workplace: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (CheckConstraint(ROLE_CHECK, name="token_role"),)


class AuditRow(db.Model):
    """One change to one stored row: written in the same transaction as the change itself."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(100), index=True)
    actor_role: Mapped[str | None] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(10))
    entity: Mapped[str] = mapped_column(String(40), index=True)
    entity_id: Mapped[str] = mapped_column(String(200), index=True)
    part: Mapped[str | None] = mapped_column(String(60))
    institution: Mapped[str | None] = mapped_column(String(40), index=True)
    learner: Mapped[str | None] = mapped_column(String(40), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("action IN ('create', 'update', 'delete')", name="audit_action"),
    )
