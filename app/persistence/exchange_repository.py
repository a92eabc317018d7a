"""VC-API exchange queries (`WalletExchangeRow`). Nothing here commits."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from app.persistence.locks import locked
from app.persistence.models.credentials import IssuedCredentialRow
from app.persistence.models.wallets import WalletExchangeRow


def add(
    session: Session,
    exchange_id: str,
    credential_id: str,
    created_by: str,
    created_at: dt.datetime,
    expires_at: dt.datetime,
) -> WalletExchangeRow:
    """Add a new exchange (no challenge yet: the wallet asks for it in its first step)."""
    row = WalletExchangeRow(
        id=exchange_id,
        credential=credential_id,
        challenge=None,
        created_by=created_by,
        created_at=created_at,
        expires_at=expires_at,
        completed_at=None,
    )
    session.add(row)
    session.flush()
    return row


def get(session: Session, exchange_id: str) -> WalletExchangeRow | None:
    return session.get(WalletExchangeRow, exchange_id)


def locked_exchange(session: Session, exchange_id: str) -> WalletExchangeRow | None:
    """The exchange, locked until the transaction ends (one wallet step at a time), read afresh."""
    return locked(session, WalletExchangeRow, exchange_id)


def credential_row(session: Session, credential_id: str) -> IssuedCredentialRow | None:
    """The issued credential an exchange hands out."""
    return session.get(IssuedCredentialRow, credential_id)
