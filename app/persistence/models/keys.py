"""Row class of issuer key pairs: public facts in the clear, the private half sealed."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class IssuerKeyRow(db.Model):
    """One Ed25519 key of an issuing institution (shared by every instance of the service)."""

    __tablename__ = "issuer_keys"

    institution: Mapped[str] = mapped_column(ForeignKey("institutions.code"), primary_key=True)
    key_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    public_key_multibase: Mapped[str] = mapped_column(String(80), unique=True)
    created: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10))
    retired: Mapped[str | None] = mapped_column(String(40))
    #: nonce || AES-256-GCM(private Multikey), see app/adapters/key_sealing.py.
    private_key_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    #: Which key encryption key sealed it (a fingerprint, never the key).
    sealed_with: Mapped[str] = mapped_column(String(16))

    __table_args__ = (
        CheckConstraint("status IN ('active', 'rotated', 'retired')", name="issuer_key_status"),
    )
