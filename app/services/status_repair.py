"""Repair of published status lists: every bit recomputed from the status history.

The status history (`CredentialStatusEventRow`, never deleted) is the record of what staff
decided; the lists are what verifiers read. `rebuild_status_lists` makes the lists say what
the history says again — after a lost update, a restored backup or a hand-edited database —
and is what ``flask status rebuild`` runs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.adapters.credential_environment import CredentialEnvironment
from app.clock import now
from app.domain.access import Principal, Target
from app.domain.credentials.statuslist import decode_list, empty_bitstring, get_bit, set_bit
from app.persistence.locks import locked
from app.persistence.models.credentials import (
    CredentialStatusEntryRow,
    CredentialStatusEventRow,
    IssuedCredentialRow,
    StatusListRow,
)
from app.services.access import authorize
from app.services.status import signed_status_list


@dataclass(frozen=True, slots=True)
class HistoryState:
    """What a credential's status history says: revoked, and suspended (a revocation leaves
    the suspension bit as it was, as `apply_status_change` does)."""

    revoked: bool
    suspended: bool


def state_from_history(actions: Iterable[str]) -> HistoryState:
    """Fold a credential's status events, oldest first, into its state.

    >>> state_from_history(["suspend", "unsuspend", "suspend"])
    HistoryState(revoked=False, suspended=True)
    >>> state_from_history(["suspend", "revoke"])
    HistoryState(revoked=True, suspended=True)
    >>> state_from_history([])
    HistoryState(revoked=False, suspended=False)
    """
    revoked = suspended = False
    for action in actions:
        if action == "revoke":
            revoked = True
        elif action in ("suspend", "unsuspend"):
            suspended = action == "suspend"
    return HistoryState(revoked, suspended)


@dataclass(slots=True)
class ListRepair:
    """What the rebuild found for one list."""

    list_id: str
    bits_set: int
    bits_added: list[int] = field(default_factory=list)
    bits_cleared: list[int] = field(default_factory=list)
    allocated_before: int = 0
    allocated_after: int = 0
    re_signed: bool = False
    problem: str | None = None

    @property
    def changed(self) -> bool:
        return bool(
            self.bits_added or self.bits_cleared or self.allocated_before != self.allocated_after
        )


def rebuild_status_lists(
    session: Session, actor: Principal | None, env: CredentialEnvironment
) -> list[ListRepair]:
    """Recompute every status list (bits, ``allocated``, signed document) from the history.

    Each list is locked while it is rebuilt, so status changes made meanwhile wait and are
    kept. A credential row whose ``revoked_at``/``suspended`` disagrees with its history is
    set right too. A list whose key is retired cannot be re-signed: it is reported, not
    changed. One transaction; the changes are audited as the acting principal's.
    """
    actor = authorize(session, actor, "status.rebuild", Target("status-list", "*"))
    repairs = []
    for list_id in session.scalars(select(StatusListRow.id).order_by(StatusListRow.id)).all():
        status_list = locked(session, StatusListRow, list_id)
        assert status_list is not None  # lists are never deleted
        repairs.append(_rebuild_one(session, env, status_list))
    session.commit()
    return repairs


def _rebuild_one(
    session: Session, env: CredentialEnvironment, status_list: StatusListRow
) -> ListRepair:
    entries = session.scalars(
        select(CredentialStatusEntryRow).where(
            CredentialStatusEntryRow.status_list == status_list.id
        )
    ).all()
    states = _history_states(session, [e.credential for e in entries])
    bits = empty_bitstring(len(status_list.bits) * 8)
    for entry in entries:
        state = states[entry.credential]
        flagged = state.revoked if entry.purpose == "revocation" else state.suspended
        bits = set_bit(bits, entry.index, flagged)
    shown = _published_bits(status_list) or status_list.bits
    repair = ListRepair(
        status_list.id,
        bits_set=sum(get_bit(bits, e.index) for e in entries),
        bits_added=sorted(
            e.index for e in entries if get_bit(bits, e.index) and not get_bit(shown, e.index)
        ),
        bits_cleared=sorted(
            e.index for e in entries if not get_bit(bits, e.index) and get_bit(shown, e.index)
        ),
        allocated_before=status_list.allocated,
        allocated_after=len(entries),
    )
    _correct_credentials(session, [e.credential for e in entries], states)
    if shown == bits and status_list.bits == bits and not repair.changed:
        return repair
    key = env.issuers.keys.find(status_list.institution, status_list.key_id)
    if key is None or key.status == "retired":
        repair.problem = f"key {status_list.key_id} is retired or missing; the list is unchanged"
        return repair
    status_list.bits = bits
    status_list.allocated = len(entries)
    status_list.document = signed_status_list(
        env,
        key,
        status_list.id,
        status_list.purpose,  # type: ignore[arg-type]
        bits,
    )
    status_list.updated_at = now()
    repair.re_signed = True
    return repair


def _published_bits(status_list: StatusListRow) -> bytes | None:
    """The bits of the signed document as served (None when it cannot be read)."""
    try:
        return decode_list(status_list.document["credentialSubject"]["encodedList"])
    except (KeyError, TypeError, ValueError):
        return None


def _history_states(session: Session, credential_ids: list[str]) -> dict[str, HistoryState]:
    actions: dict[str, list[str]] = defaultdict(list)
    for chunk_start in range(0, len(credential_ids), 500):
        chunk = credential_ids[chunk_start : chunk_start + 500]
        events = session.execute(
            select(CredentialStatusEventRow.credential, CredentialStatusEventRow.action)
            .where(CredentialStatusEventRow.credential.in_(chunk))
            .order_by(CredentialStatusEventRow.id)
        )
        for credential, action in events:
            actions[credential].append(action)
    return {c: state_from_history(actions.get(c, [])) for c in credential_ids}


def _correct_credentials(
    session: Session, credential_ids: list[str], states: dict[str, HistoryState]
) -> None:
    """Set the credential rows' own flags to what the history says."""
    for chunk_start in range(0, len(credential_ids), 500):
        chunk = credential_ids[chunk_start : chunk_start + 500]
        for credential in session.scalars(
            select(IssuedCredentialRow).where(IssuedCredentialRow.id.in_(chunk))
        ):
            state = states[credential.id]
            if state.suspended != credential.suspended:
                credential.suspended = state.suspended
            if state.revoked and credential.revoked_at is None:
                credential.revoked_at = session.scalar(
                    select(CredentialStatusEventRow.at)
                    .where(
                        CredentialStatusEventRow.credential == credential.id,
                        CredentialStatusEventRow.action == "revoke",
                    )
                    .order_by(CredentialStatusEventRow.id)
                    .limit(1)
                )
            elif not state.revoked and credential.revoked_at is not None:
                credential.revoked_at = None
