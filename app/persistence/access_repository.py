"""Accounts, API tokens and audit entries: rows in, plain values out; never commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.access import Principal, Role
from app.persistence.models.access import AccountRow, ApiTokenRow, AuditRow


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What may be shown of a token: never the token itself nor its hash."""

    id: int
    role: str
    institution: str | None
    learner: str | None
    programme: str | None
    label: str | None
    created_at: dt.datetime
    created_by: str
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    workplace: str | None = None


@dataclass(frozen=True, slots=True)
class AccountInfo:
    """What may be shown of an account: never the password hash."""

    id: int
    email: str
    name: str
    role: str
    institution: str | None
    learner: str | None
    programme: str | None
    active: bool
    created_at: dt.datetime
    last_login_at: dt.datetime | None
    workplace: str | None = None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: dt.datetime
    actor: str
    actor_role: str | None
    action: str
    entity: str
    entity_id: str
    part: str | None
    institution: str | None
    learner: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str | None


def _token_info(row: ApiTokenRow) -> TokenInfo:
    return TokenInfo(
        row.id,
        row.role,
        row.institution,
        row.learner,
        row.programme,
        row.label,
        row.created_at,
        row.created_by,
        row.expires_at,
        row.revoked_at,
        row.workplace,
    )


def _account_info(row: AccountRow) -> AccountInfo:
    return AccountInfo(
        row.id,
        row.email,
        row.name,
        row.role,
        row.institution,
        row.learner,
        row.programme,
        row.active,
        row.created_at,
        row.last_login_at,
        row.workplace,
    )


def principal_of_token(row: ApiTokenRow) -> Principal:
    return Principal(
        id=f"token:{row.id}",
        role=Role(row.role),
        institution=row.institution,
        learner=row.learner,
        programme=row.programme,
        name=row.label or f"token {row.id}",
        workplace=row.workplace,
    )


def principal_of_account(row: AccountRow) -> Principal:
    return Principal(
        id=f"account:{row.id}",
        role=Role(row.role),
        institution=row.institution,
        learner=row.learner,
        programme=row.programme,
        name=row.name,
        workplace=row.workplace,
    )


# --- tokens ------------------------------------------------------------------------------------


def add_token(session: Session, row: ApiTokenRow) -> TokenInfo:
    session.add(row)
    session.flush()
    return _token_info(row)


def token_row_by_hash(session: Session, token_hash: str) -> ApiTokenRow | None:
    return session.scalar(select(ApiTokenRow).where(ApiTokenRow.token_hash == token_hash))


def token_row(session: Session, token_id: int) -> ApiTokenRow | None:
    return session.get(ApiTokenRow, token_id)


def token_info(row: ApiTokenRow) -> TokenInfo:
    return _token_info(row)


def list_tokens(session: Session, institution: str | None) -> list[TokenInfo]:
    query = select(ApiTokenRow).order_by(ApiTokenRow.id)
    if institution is not None:
        query = query.where(ApiTokenRow.institution == institution)
    return [_token_info(row) for row in session.scalars(query)]


def has_admin(session: Session, now: dt.datetime) -> bool:
    """Whether an active admin account or an unrevoked, unexpired admin token exists."""
    account = session.scalar(
        select(AccountRow.id).where(AccountRow.role == "admin", AccountRow.active.is_(True))
    )
    token = session.scalar(
        select(ApiTokenRow.id).where(
            ApiTokenRow.role == "admin",
            ApiTokenRow.revoked_at.is_(None),
            (ApiTokenRow.expires_at.is_(None)) | (ApiTokenRow.expires_at > now),
        )
    )
    return account is not None or token is not None


# --- accounts ----------------------------------------------------------------------------------


def add_account(session: Session, row: AccountRow) -> AccountInfo:
    session.add(row)
    session.flush()
    return _account_info(row)


def account_row_by_email(session: Session, email: str) -> AccountRow | None:
    return session.scalar(select(AccountRow).where(AccountRow.email == email.strip().lower()))


def account_row(session: Session, account_id: int) -> AccountRow | None:
    return session.get(AccountRow, account_id)


def account_info(row: AccountRow) -> AccountInfo:
    return _account_info(row)


def list_accounts(session: Session, institution: str | None) -> list[AccountInfo]:
    query = select(AccountRow).order_by(AccountRow.id)
    if institution is not None:
        query = query.where(AccountRow.institution == institution)
    return [_account_info(row) for row in session.scalars(query)]


def accounts_of_learner(session: Session, learner_id: str) -> list[AccountRow]:
    return list(session.scalars(select(AccountRow).where(AccountRow.learner == learner_id)))


def tokens_of_learner(session: Session, learner_id: str) -> list[ApiTokenRow]:
    return list(session.scalars(select(ApiTokenRow).where(ApiTokenRow.learner == learner_id)))


# --- audit -------------------------------------------------------------------------------------


def _audit_entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        row.id,
        row.at,
        row.actor,
        row.actor_role,
        row.action,
        row.entity,
        row.entity_id,
        row.part,
        row.institution,
        row.learner,
        row.before,
        row.after,
        row.reason,
    )


def list_audit(
    session: Session,
    *,
    entity: str | None = None,
    entity_id: str | None = None,
    since: dt.datetime | None = None,
    actor: str | None = None,
    institution: str | None = None,
    learner: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[AuditEntry], int]:
    """Audit entries, oldest first, filtered; with the total count before paging."""
    conditions: list[Any] = []
    if entity is not None:
        conditions.append(AuditRow.entity == entity)
    if entity_id is not None:
        conditions.append(AuditRow.entity_id == entity_id)
    if since is not None:
        conditions.append(AuditRow.at >= since)
    if actor is not None:
        conditions.append(AuditRow.actor == actor)
    if institution is not None:
        conditions.append(AuditRow.institution == institution)
    if learner is not None:
        conditions.append(AuditRow.learner == learner)
    total = session.scalar(select(func.count()).select_from(AuditRow).where(*conditions)) or 0
    rows: Sequence[AuditRow] = session.scalars(
        select(AuditRow).where(*conditions).order_by(AuditRow.id).limit(limit).offset(offset)
    ).all()
    return [_audit_entry(row) for row in rows], total


def audit_entry(session: Session, entry_id: int) -> AuditEntry | None:
    row = session.get(AuditRow, entry_id)
    return None if row is None else _audit_entry(row)
