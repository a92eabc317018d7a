"""Row class of CASE 1.0 identifiers kept from imported packages.

CASE identifiers are global: a framework moved between registries keeps them. Exports derive
stable UUIDs (v5) from our codes; an imported package's own identifiers are kept here, keyed by
what they name (e.g. ``document:Q-VP``, ``item:unit:BC-1``, ``association:precedes:A>B``), and
win over the derived ones.
"""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class CaseIdentifierRow(db.Model):
    __tablename__ = "case_identifiers"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    identifier: Mapped[str] = mapped_column(String(36), unique=True)
    uri: Mapped[str] = mapped_column(String(600))
