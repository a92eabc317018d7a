"""Row classes of the service's own bookkeeping, shared by every instance: rate-limit counters
and the secret that signs page sessions. Neither is audited (like OID4VCI nonces, they record
no act of anybody)."""

from __future__ import annotations

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class RateLimitCounterRow(db.Model):
    """One fixed-window counter of Flask-Limiter (`app.persistence.rate_limits`)."""

    __tablename__ = "rate_limit_counters"

    #: Flask-Limiter's key (limit, client address, endpoint); a longer one is hashed.
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    #: When the window ends, in seconds since the epoch (the instances' clocks, kept by NTP).
    window_end: Mapped[float] = mapped_column(Float, index=True)


class ServiceSecretRow(db.Model):
    """A random secret made once by whichever instance needed it first (`app.session_secret`)."""

    __tablename__ = "service_secrets"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
