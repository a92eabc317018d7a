"""OID4VCI offers, access tokens and nonces. Nothing here commits.

The rows a wallet consumes (an offer's code, an access token, a nonce) are read under a row
lock (`app.persistence.locks.locked`), so two requests presenting the same secret at once are
served one after the other and only the first finds it unused.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.persistence.locks import locked
from app.persistence.models.credentials import IssuedCredentialRow
from app.persistence.models.wallets import WalletAccessTokenRow, WalletNonceRow, WalletOfferRow


def credential_row(session: Session, credential_id: str) -> IssuedCredentialRow | None:
    return session.get(IssuedCredentialRow, credential_id)


def add_offer(session: Session, row: WalletOfferRow) -> None:
    session.add(row)
    session.flush()


def get_offer(session: Session, offer_id: str) -> WalletOfferRow | None:
    return session.get(WalletOfferRow, offer_id)


def offer_by_code_locked(session: Session, pre_authorized_code: str) -> WalletOfferRow | None:
    """The offer of a pre-authorized code, locked for this transaction (None: no such code)."""
    offer_id = session.scalar(
        select(WalletOfferRow.id).where(WalletOfferRow.pre_authorized_code == pre_authorized_code)
    )
    return None if offer_id is None else locked(session, WalletOfferRow, offer_id)


def add_access_token(
    session: Session, token_hash: str, offer_id: str, expires_at: dt.datetime
) -> None:
    session.add(WalletAccessTokenRow(token_hash=token_hash, offer=offer_id, expires_at=expires_at))
    session.flush()


def access_token_locked(session: Session, token_hash: str) -> WalletAccessTokenRow | None:
    return locked(session, WalletAccessTokenRow, token_hash)


def add_nonce(session: Session, nonce: str, expires_at: dt.datetime) -> None:
    session.add(WalletNonceRow(nonce=nonce, expires_at=expires_at))
    session.flush()


def forget_nonces_expired_before(session: Session, moment: dt.datetime) -> None:
    """Delete nonces that expired before `moment` (used or not: they are refused anyway)."""
    session.execute(delete(WalletNonceRow).where(WalletNonceRow.expires_at < moment))


def nonce_locked(session: Session, nonce: str) -> WalletNonceRow | None:
    return locked(session, WalletNonceRow, nonce)
