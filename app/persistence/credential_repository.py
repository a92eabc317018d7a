"""Issued-credential queries. Nothing here commits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.paging import ListFilter, Page
from app.persistence.models.credentials import IssuedCredentialRow
from app.persistence.paging import paginate


@dataclass(frozen=True, slots=True)
class IssuedCredential:
    id: str
    learner: str
    institution: str
    achievement_type: str
    achievement_code: str
    name: str
    key_id: str
    issued_at: dt.datetime
    document: dict[str, Any]


def from_row(row: IssuedCredentialRow) -> IssuedCredential:
    return IssuedCredential(
        row.id,
        row.learner,
        row.institution,
        row.achievement_type,
        row.achievement_code,
        row.name,
        row.key_id,
        row.issued_at,
        row.document,
    )


def add(session: Session, credential: IssuedCredential, actor_id: str) -> None:
    session.add(
        IssuedCredentialRow(
            id=credential.id,
            learner=credential.learner,
            institution=credential.institution,
            achievement_type=credential.achievement_type,
            achievement_code=credential.achievement_code,
            name=credential.name,
            key_id=credential.key_id,
            issued_at=credential.issued_at,
            issued_by=actor_id,
            document=credential.document,
        )
    )


def get(session: Session, credential_id: str) -> IssuedCredential | None:
    row = session.get(IssuedCredentialRow, credential_id)
    return from_row(row) if row else None


def list_for_learner(session: Session, learner_id: str, flt: ListFilter) -> Page:
    query = select(IssuedCredentialRow).where(IssuedCredentialRow.learner == learner_id)
    return paginate(
        session, query, [IssuedCredentialRow.issued_at, IssuedCredentialRow.id], flt, from_row
    )


def all_for_learner(session: Session, learner_id: str) -> list[IssuedCredential]:
    rows = session.scalars(
        select(IssuedCredentialRow)
        .where(IssuedCredentialRow.learner == learner_id)
        .order_by(IssuedCredentialRow.issued_at)
    )
    return [from_row(r) for r in rows]


def held_for(
    session: Session, learner_id: str, achievement_type: str, achievement_code: str
) -> list[IssuedCredential]:
    """The learner's credentials for the achievement that are not revoked, newest first."""
    rows = session.scalars(
        select(IssuedCredentialRow)
        .where(
            IssuedCredentialRow.learner == learner_id,
            IssuedCredentialRow.achievement_type == achievement_type,
            IssuedCredentialRow.achievement_code == achievement_code,
            IssuedCredentialRow.revoked_at.is_(None),
        )
        .order_by(IssuedCredentialRow.issued_at.desc(), IssuedCredentialRow.id)
    )
    return [from_row(r) for r in rows]


def active_rows(session: Session, learner_id: str) -> list[IssuedCredentialRow]:
    """The learner's credentials that are neither revoked nor suspended, as rows (whose status
    a use case may change), oldest first."""
    return list(
        session.scalars(
            select(IssuedCredentialRow)
            .where(
                IssuedCredentialRow.learner == learner_id,
                IssuedCredentialRow.revoked_at.is_(None),
                IssuedCredentialRow.suspended.is_(False),
            )
            .order_by(IssuedCredentialRow.issued_at, IssuedCredentialRow.id)
        )
    )
