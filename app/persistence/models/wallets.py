"""Row classes of delivery into wallets: OID4VCI offers, access tokens and nonces, VC-API
exchanges, and the record of each holder-bound copy handed out.

Secrets that a wallet presents back (pre-authorized code aside, which the offer document itself
must carry) are stored only as SHA-256 hashes: the PIN, the access token.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.persistence.models.types import UtcDateTime


class WalletOfferRow(db.Model):
    """An OID4VCI credential offer (pre-authorized code flow) for one issued credential."""

    __tablename__ = "wallet_offers"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    credential: Mapped[str] = mapped_column(ForeignKey("issued_credentials.id"), index=True)
    pre_authorized_code: Mapped[str] = mapped_column(String(64), unique=True)
    tx_code_hash: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    redeemed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)


class WalletAccessTokenRow(db.Model):
    """An OID4VCI access token (its hash), good for one credential request."""

    __tablename__ = "wallet_access_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    offer: Mapped[str] = mapped_column(ForeignKey("wallet_offers.id"), index=True)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class WalletNonceRow(db.Model):
    """An OID4VCI ``c_nonce``: single use, short-lived."""

    __tablename__ = "wallet_nonces"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class WalletExchangeRow(db.Model):
    """A VC-API exchange (Learner Credential Wallet): DID authentication, then the credential."""

    __tablename__ = "wallet_exchanges"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    credential: Mapped[str] = mapped_column(ForeignKey("issued_credentials.id"), index=True)
    challenge: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class CredentialDeliveryRow(db.Model):
    """One holder-bound copy of a credential handed to a wallet (never the document itself)."""

    __tablename__ = "credential_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    credential: Mapped[str] = mapped_column(ForeignKey("issued_credentials.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    holder: Mapped[str | None] = mapped_column(String(600))
    delivered_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    __table_args__ = (CheckConstraint("channel IN ('oid4vci', 'vcapi')", name="delivery_channel"),)
