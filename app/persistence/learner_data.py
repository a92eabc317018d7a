"""Everything stored about one learner, for their data export and for erasure (AVG art. 15, 17).

`LEARNER_TABLES` lists each table that holds rows about a learner and the column naming the
learner; a new table with learner data is added here, and the export and the erasure follow.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from app.persistence.models.access import AccountRow, ApiTokenRow
from app.persistence.models.credentials import IssuedCredentialRow
from app.persistence.models.learners import (
    EnrolmentRow,
    EntrustmentRow,
    EvidenceRow,
    HeldDiplomaRow,
    LearnerRow,
)
from app.persistence.models.placements import PlacementRequestRow, PlacementRow
from app.persistence.models.vmbo import VmboCompletionOutcomeRow, VmboCompletionRow
from app.persistence.models.wallets import (
    CredentialDeliveryRow,
    WalletExchangeRow,
    WalletOfferRow,
)
from app.persistence.personal_data import PERSONAL_COLUMNS

#: export section → (row class, column that names the learner)
LEARNER_TABLES: dict[str, tuple[type[Any], str]] = {
    "evidence": (EvidenceRow, "learner"),
    "entrustments": (EntrustmentRow, "learner"),
    "diplomas": (HeldDiplomaRow, "learner"),
    "enrolments": (EnrolmentRow, "learner"),
    "vmbo_completions": (VmboCompletionRow, "learner"),
    "credentials": (IssuedCredentialRow, "learner"),
    "accounts": (AccountRow, "learner"),
    "tokens": (ApiTokenRow, "learner"),
    "placement_requests": (PlacementRequestRow, "learner"),
    "placements": (PlacementRow, "learner"),
}

#: Columns never exported (secrets, and a cache counter that means nothing to a person).
NOT_EXPORTED = frozenset({"password_hash", "token_hash", "record_version"})

#: Free-text and identifying columns cleared by an erasure, per row class.
ERASED_COLUMNS: dict[type[Any], tuple[str, ...]] = {
    row_class: tuple(sorted(PERSONAL_COLUMNS[row_class.__tablename__]))
    for row_class in (EvidenceRow, EntrustmentRow, HeldDiplomaRow, VmboCompletionRow)
}

ERASED_NAME = "(gewist)"


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _as_dict(row: Any) -> dict[str, Any]:
    return {
        attr.key: _plain(getattr(row, attr.key))
        for attr in inspect(row).mapper.column_attrs
        if attr.key not in NOT_EXPORTED
    }


def learner_row(session: Session, learner_id: str) -> LearnerRow | None:
    return session.get(LearnerRow, learner_id)


def learner_data(session: Session, learner_id: str) -> dict[str, Any]:
    """Every stored row about the learner, as plain JSON values, section by section."""
    learner = session.get(LearnerRow, learner_id)
    data: dict[str, Any] = {"profile": None if learner is None else _as_dict(learner)}
    for section, (row_class, column) in LEARNER_TABLES.items():
        rows = session.scalars(
            select(row_class).where(getattr(row_class, column) == learner_id)
        ).all()
        data[section] = [_as_dict(row) for row in rows]
    completions = [c["id"] for c in data["vmbo_completions"]]
    outcome_rows = session.scalars(
        select(VmboCompletionOutcomeRow).where(VmboCompletionOutcomeRow.completion.in_(completions))
    ).all()
    by_completion: dict[int, list[dict[str, Any]]] = {}
    for row in outcome_rows:
        by_completion.setdefault(row.completion, []).append(_as_dict(row))
    for completion in data["vmbo_completions"]:
        completion["outcomes"] = by_completion.get(completion["id"], [])
    return data


def credential_ids_of(session: Session, learner_id: str) -> list[str]:
    return list(
        session.scalars(
            select(IssuedCredentialRow.id)
            .where(IssuedCredentialRow.learner == learner_id)
            .order_by(IssuedCredentialRow.issued_at)
        )
    )


def _redacted_document(document: dict[str, Any]) -> dict[str, Any]:
    """A credential document without the holder's personal data (and so without its proof)."""
    kept = {k: v for k, v in document.items() if k not in ("proof", "credentialSubject")}
    subject = document.get("credentialSubject")
    if isinstance(subject, dict):
        kept["credentialSubject"] = {
            k: v for k, v in subject.items() if k not in ("name", "identifier", "id", "email")
        }
    return kept


def erase_personal_data(session: Session, learner_id: str, now: dt.datetime) -> None:
    """Clear the learner's name, external id, e-mail, free texts and placement requests (their
    home); close their accounts and tokens.

    What stays is what the registry must keep to remain truthful: that results were recorded
    (dates, outcomes, levels) and which credentials were issued and are now revoked. Those
    rows no longer say whom they are about.
    """
    learner = session.get(LearnerRow, learner_id)
    if learner is None:
        return
    learner.name = ERASED_NAME
    learner.external_id = None
    learner.email = None
    for row_class, columns in ERASED_COLUMNS.items():
        for row in session.scalars(select(row_class).where(row_class.learner == learner_id)):
            for column in columns:
                setattr(row, column, None)
    for credential in session.scalars(
        select(IssuedCredentialRow).where(IssuedCredentialRow.learner == learner_id)
    ):
        credential.document = _redacted_document(credential.document)
    # Wallets: which DID received a copy is personal; open offers and exchanges end now.
    credential_ids = select(IssuedCredentialRow.id).where(IssuedCredentialRow.learner == learner_id)
    for delivery in session.scalars(
        select(CredentialDeliveryRow).where(CredentialDeliveryRow.credential.in_(credential_ids))
    ):
        delivery.holder = None
    for grant_class in (WalletOfferRow, WalletExchangeRow):
        for grant in session.scalars(
            select(grant_class).where(
                grant_class.credential.in_(credential_ids), grant_class.expires_at > now
            )
        ):
            grant.expires_at = now
    for account in session.scalars(select(AccountRow).where(AccountRow.learner == learner_id)):
        account.active = False
        account.name = ERASED_NAME
        account.email = f"erased-{account.id}@invalid"
    # A placement request is the learner's home address and wishes: it goes. A published
    # placement stays (like an issued credential, it records what was decided).
    for request in session.scalars(
        select(PlacementRequestRow).where(PlacementRequestRow.learner == learner_id)
    ):
        session.delete(request)
    for token in session.scalars(select(ApiTokenRow).where(ApiTokenRow.learner == learner_id)):
        if token.revoked_at is None:
            token.revoked_at = now
