"""Credential status: Bitstring Status Lists, revocation, suspension, and the status check."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.adapters.credential_environment import CredentialEnvironment
from app.adapters.keystore import IssuerKey
from app.clock import now
from app.domain.access import Principal, Target
from app.domain.credentials.proof import ProofResult, add_proof, verify_proof
from app.domain.credentials.statuslist import (
    LIST_SIZE,
    StatusPurpose,
    build_status_list_credential,
    check_status,
    empty_bitstring,
    set_bit,
    status_entry,
)
from app.domain.credentials.verification import Verdict
from app.domain.errors import Conflict, NotFound
from app.persistence.locks import creation_lock, locked
from app.persistence.models.credentials import (
    CredentialStatusEntryRow,
    CredentialStatusEventRow,
    IssuedCredentialRow,
    StatusListRow,
)
from app.services.access import authorize

PURPOSES: tuple[StatusPurpose, ...] = ("revocation", "suspension")
#: A list takes new credentials until this many of its entries are used (herd privacy).
LIST_FILL_LIMIT = LIST_SIZE // 2


def status_list_url(env: CredentialEnvironment, list_id: str) -> str:
    return f"{env.base_url}/status/{list_id}"


def reserve_status_entries(
    session: Session, env: CredentialEnvironment, key: IssuerKey
) -> list[tuple[StatusListRow, int]]:
    """Reserve a random free index in the open revocation and suspension lists of `key`.

    Each list is locked (`locked`) before its entries are read and its ``allocated`` counter
    is raised, so concurrent issues neither share an index nor lose a count, and a list stops
    taking credentials at `LIST_FILL_LIMIT`. The lock is held until the issue commits.
    """
    reserved = []
    for purpose in PURPOSES:
        status_list = _locked_open_list(session, env, key, purpose)
        while True:
            index = secrets.randbelow(LIST_SIZE)
            taken = session.scalar(
                select(CredentialStatusEntryRow.index).where(
                    CredentialStatusEntryRow.status_list == status_list.id,
                    CredentialStatusEntryRow.index == index,
                )
            )
            if taken is None:
                break
        status_list.allocated += 1
        reserved.append((status_list, index))
    return reserved


def published_status_entry(
    env: CredentialEnvironment, reserved: list[tuple[StatusListRow, int]]
) -> dict[str, str]:
    """The one ``credentialStatus`` object a credential carries: its revocation entry.

    OB 3.0 (2024 schema) allows a single status object, and Digital Bazaar's verifier reads
    one bit per entry, so the credential names only its revocation bit. Its suspension bit is
    reserved and published all the same (a signed suspension list per key) but tracked by
    the registry: this registry's verifier finds it from the credential id (see
    `status_check`). The README's "Status design" section gives the reasons.
    """
    for row, index in reserved:
        if row.purpose == "revocation":
            return status_entry(status_list_url(env, row.id), index, "revocation")
    raise ValueError("no revocation entry was reserved")


def record_status_entries(
    session: Session, credential_id: str, reserved: list[tuple[StatusListRow, int]]
) -> None:
    session.add_all(
        CredentialStatusEntryRow(
            credential=credential_id, purpose=row.purpose, status_list=row.id, index=index
        )
        for row, index in reserved
    )


def _locked_open_list(
    session: Session, env: CredentialEnvironment, key: IssuerKey, purpose: StatusPurpose
) -> StatusListRow:
    """The key's list for `purpose` that still takes credentials, locked; made when none is.

    Issues that find no open list at the same time make the next one under a named lock
    (`creation_lock`: an advisory lock on PostgreSQL, the write lock on SQLite), each looking
    again once it holds it, so only the first makes a list and the others take that one; the
    insert runs in a savepoint, so a duplicate list id would undo nothing else.
    """
    while True:
        open_id = session.scalar(_open_list_id(key, purpose))
        if open_id is not None:
            row = locked(session, StatusListRow, open_id)
            if row is not None and row.allocated < LIST_FILL_LIMIT:
                return row
            continue  # filled by another issue meanwhile
        made = _new_list(session, env, key, purpose)
        if made is not None:
            return made


def _open_list_id(key: IssuerKey, purpose: StatusPurpose) -> Select[tuple[str]]:
    return (
        select(StatusListRow.id)
        .where(
            StatusListRow.institution == key.institution,
            StatusListRow.key_id == key.key_id,
            StatusListRow.purpose == purpose,
            StatusListRow.allocated < LIST_FILL_LIMIT,
        )
        .order_by(StatusListRow.id)
    )


def _new_list(
    session: Session, env: CredentialEnvironment, key: IssuerKey, purpose: StatusPurpose
) -> StatusListRow | None:
    """Make the key's next list for `purpose`, or ``None`` when another issue just made it."""
    creation_lock(session, StatusListRow, f"status-list:{key.key_id}:{purpose}")
    if session.scalar(_open_list_id(key, purpose)) is not None:
        return None  # made by another issue while this one waited for the lock
    count = (
        session.scalar(
            select(func.count()).where(
                StatusListRow.key_id == key.key_id, StatusListRow.purpose == purpose
            )
        )
        or 0
    )
    list_id = f"{key.institution}-{key.key_id}-{purpose}-{count + 1}"
    bits = empty_bitstring()
    row = StatusListRow(
        id=list_id,
        institution=key.institution,
        key_id=key.key_id,
        purpose=purpose,
        bits=bits,
        allocated=0,
        document=signed_status_list(env, key, list_id, purpose, bits),
        updated_at=now(),
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return None
    return locked(session, StatusListRow, list_id)


def signed_status_list(
    env: CredentialEnvironment, key: IssuerKey, list_id: str, purpose: StatusPurpose, bits: bytes
) -> dict[str, Any]:
    issued = now().replace(microsecond=0)
    document = build_status_list_credential(
        status_list_url(env, list_id), {"id": env.issuers.issuer_did(key)}, purpose, bits, issued
    )
    document["issuer"] = env.issuers.issuer_did(key)
    return add_proof(
        document,
        sign=env.issuers.keys.signer(key),
        verification_method=env.issuers.verification_method(key),
        created=issued.strftime("%Y-%m-%dT%H:%M:%SZ"),
        loader=env.loader,
    )


# --- status changes ---------------------------------------------------------------------------

TRANSITIONS = {"revoke": "revocation", "suspend": "suspension", "unsuspend": "suspension"}


def change_status(
    session: Session,
    actor: Principal | None,
    env: CredentialEnvironment,
    credential_id: str,
    action: str,
    reason: str,
) -> dict[str, Any]:
    """Revoke, suspend or unsuspend a credential, re-signing its status list.

    Raises
    ------
    NotFound
        Unknown credential.
    Conflict
        Revoking twice, suspending a suspended or revoked credential, unsuspending one that is
        not suspended or is revoked.
    """
    credential = session.get(IssuedCredentialRow, credential_id)
    if credential is None:
        raise NotFound("credential", credential_id)
    target = Target(
        "credential", credential_id, institution=credential.institution, learner=credential.learner
    )
    actor = authorize(session, actor, "credential.status", target)
    apply_status_change(session, env, credential, action, reason, actor.id)
    session.flush()
    result = _status_of(session, env, credential)
    session.commit()
    return result


def apply_status_change(
    session: Session,
    env: CredentialEnvironment,
    credential: IssuedCredentialRow,
    action: str,
    reason: str,
    actor_id: str,
) -> None:
    """Flip the credential's bit, re-sign its list and record the event; the caller authorized
    the change and commits (so several changes can form one use case, as an erasure does)."""
    credential_id = credential.id
    _refuse_impossible(credential, action)
    entry = session.get(CredentialStatusEntryRow, (credential_id, TRANSITIONS[action]))
    if entry is None:
        raise Conflict(f"credential {credential_id} has no {TRANSITIONS[action]} status entry")
    # Lock the list, then read the credential again: a change that committed meanwhile (the
    # same credential revoked twice at once, another bit of the same list) is seen, not undone.
    session.flush()
    status_list = locked(session, StatusListRow, entry.status_list)
    assert status_list is not None  # foreign key
    session.refresh(credential)
    _refuse_impossible(credential, action)
    at = now()
    status_list.bits = set_bit(status_list.bits, entry.index, action != "unsuspend")
    key = env.issuers.keys.find(status_list.institution, status_list.key_id)
    if key is None or key.status == "retired":
        raise Conflict(
            f"the key of status list {status_list.id} is retired; the list cannot be re-signed"
        )
    status_list.document = signed_status_list(
        env, key, status_list.id, status_list.purpose, status_list.bits
    )  # type: ignore[arg-type]
    status_list.updated_at = at
    if action == "revoke":
        credential.revoked_at = at
    else:
        credential.suspended = action == "suspend"
    session.add(
        CredentialStatusEventRow(
            credential=credential_id, action=action, reason=reason, actor=actor_id, at=at
        )
    )
    session.flush()


def _refuse_impossible(credential: IssuedCredentialRow, action: str) -> None:
    if credential.revoked_at is not None:
        raise Conflict(f"credential {credential.id} is revoked; its status can no longer change")
    if action == "suspend" and credential.suspended:
        raise Conflict(f"credential {credential.id} is already suspended")
    if action == "unsuspend" and not credential.suspended:
        raise Conflict(f"credential {credential.id} is not suspended")


def credential_status(
    session: Session, actor: Principal | None, env: CredentialEnvironment, credential_id: str
) -> dict[str, Any]:
    """The credential's current status and its history (for its holder and school staff)."""
    credential = session.get(IssuedCredentialRow, credential_id)
    if credential is None:
        raise NotFound("credential", credential_id)
    target = Target(
        "credential", credential_id, institution=credential.institution, learner=credential.learner
    )
    authorize(session, actor, "learner.read", target)
    return _status_of(session, env, credential)


def _status_of(
    session: Session, env: CredentialEnvironment, credential: IssuedCredentialRow
) -> dict[str, Any]:
    credential_id = credential.id
    named = credential.document.get("credentialStatus")
    named_entries = named if isinstance(named, list) else [named]
    named_purposes = {e.get("statusPurpose") for e in named_entries if isinstance(e, dict)}
    entries = session.scalars(
        select(CredentialStatusEntryRow)
        .where(CredentialStatusEntryRow.credential == credential_id)
        .order_by(CredentialStatusEntryRow.purpose)
    )
    events = session.scalars(
        select(CredentialStatusEventRow)
        .where(CredentialStatusEventRow.credential == credential_id)
        .order_by(CredentialStatusEventRow.id)
    )
    state = (
        "revoked" if credential.revoked_at else "suspended" if credential.suspended else "active"
    )
    return {
        "id": credential_id,
        "status": state,
        "revoked": credential.revoked_at is not None,
        "suspended": credential.suspended,
        "history": [
            {"action": e.action, "reason": e.reason, "by": e.actor, "at": e.at.isoformat()}
            for e in events
        ],
        "entries": [
            {
                "purpose": e.purpose,
                "statusListCredential": status_list_url(env, e.status_list),
                "statusListIndex": str(e.index),
                "named_in_credential": e.purpose in named_purposes,
            }
            for e in entries
        ],
    }


def revoked_ids(session: Session, credential_ids: list[str]) -> set[str]:
    """The ids among `credential_ids` that are revoked."""
    rows = session.scalars(
        select(IssuedCredentialRow.id).where(
            IssuedCredentialRow.id.in_(credential_ids), IssuedCredentialRow.revoked_at.is_not(None)
        )
    )
    return set(rows)


def status_list_document(session: Session, list_id: str) -> dict[str, Any]:
    row = session.get(StatusListRow, list_id)
    if row is None:
        raise NotFound("status list", list_id)
    return row.document


# --- verification -----------------------------------------------------------------------------


MONTHS_NL = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip


def dutch_date(at: dt.datetime) -> str:
    """``1 december 2026``.

    >>> dutch_date(dt.datetime(2026, 12, 1, 16, 0))
    '1 december 2026'
    """
    return f"{at.day} {MONTHS_NL[at.month - 1]} {at.year}"


def status_check(session: Session, env: CredentialEnvironment):  # type: ignore[no-untyped-def]
    """Return the ``status`` check for `verify_credential`: our lists are read from the database.

    A list this registry does not have (another host, an unknown list) cannot be read: the
    verdict is ``unreachable``, never a pass. For a revoked or suspended credential of this
    registry the messages name the date and the reason from its status history.
    """
    prefix = f"{env.base_url}/status/"

    def resolve_list(url: str) -> Mapping[str, Any] | None:
        if not url.startswith(prefix):
            return None
        row = session.get(StatusListRow, url.removeprefix(prefix))
        return row.document if row else None

    def list_is_authentic(
        status_list: Mapping[str, Any], credential: Mapping[str, Any]
    ) -> tuple[bool, str]:
        proof = verified_list_proof(env, status_list)
        if not proof.ok:
            return False, proof.message
        credential_issuer = credential.get("issuer")
        if isinstance(credential_issuer, Mapping):
            credential_issuer = credential_issuer.get("id")
        if status_list.get("issuer") != credential_issuer:
            return False, "the status list has another issuer than the credential"
        return True, "status list verified"

    def check_entries(document: Mapping[str, Any]) -> Verdict:
        return check_status(document, resolve_list, list_is_authentic)

    def check(document: Mapping[str, Any]) -> Verdict:
        verdict = check_status(document, resolve_list, list_is_authentic)
        if verdict.ok:
            verdict = _registry_suspension(session, env, document, verdict, check_entries)
        if verdict.code not in ("revoked", "suspended"):
            return verdict
        return _with_history(session, env, document, verdict)

    return check


#: Verified status lists kept per app (a plain dict: atomic under threads; cleared when full).
VERIFIED_LISTS_MAX = 256


def verified_list_proof(env: CredentialEnvironment, status_list: Mapping[str, Any]) -> ProofResult:
    """`verify_proof` of a status list credential, remembered per app while it verifies.

    Every verification checks the status lists' own proofs; a list changes only when a status
    bit does, so a successful result is kept under the list's exact content (sha256 of its
    sorted JSON), the verification method and that method's current public key. A changed
    list, or a key that no longer resolves (or resolves to another key), is verified afresh;
    failures are never kept.
    """
    proof = status_list.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    method = proof.get("verificationMethod") if isinstance(proof, Mapping) else None
    public_key = env.issuers.resolve_public_key(method) if isinstance(method, str) else None
    if not isinstance(method, str) or public_key is None:
        return verify_proof(
            status_list, resolve_public_key=env.issuers.resolve_public_key, loader=env.loader
        )
    content = json.dumps(status_list, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    key = (hashlib.sha256(content.encode("utf-8")).digest(), method, public_key)
    known = env.verified_status_lists.get(key)
    if known is not None:
        return known
    result = verify_proof(
        status_list, resolve_public_key=env.issuers.resolve_public_key, loader=env.loader
    )
    if result.ok:
        if len(env.verified_status_lists) >= VERIFIED_LISTS_MAX:
            env.verified_status_lists.clear()
        env.verified_status_lists[key] = result
    return result


def _own_credential_id(env: CredentialEnvironment, document: Mapping[str, Any]) -> str | None:
    """The registry's id of a credential it issued (its ``id`` under this base URL), or None."""
    credential_id = document.get("id")
    prefix = f"{env.base_url}/credentials/"
    if not isinstance(credential_id, str) or not credential_id.startswith(prefix):
        return None
    return credential_id.removeprefix(prefix)


def _registry_suspension(
    session: Session,
    env: CredentialEnvironment,
    document: Mapping[str, Any],
    verdict: Verdict,
    check_entries: Any,
) -> Verdict:
    """Check the suspension bit the registry keeps for one of its own credentials.

    The credential names only its revocation entry; its suspension entry is found by the
    credential id and read from the published, signed suspension list like any other entry.
    A credential that names its suspension entry itself (issued before the single-entry
    design) was already checked by `check_status`.
    """
    own_id = _own_credential_id(env, document)
    if own_id is None:
        return verdict
    named = document.get("credentialStatus")
    named_entries = [named] if isinstance(named, Mapping) else named or []
    if any(
        isinstance(e, Mapping) and e.get("statusPurpose") == "suspension" for e in named_entries
    ):
        return verdict
    entry = session.get(CredentialStatusEntryRow, (own_id, "suspension"))
    if entry is None:
        return verdict
    suspension = check_entries(
        {
            "id": document.get("id"),
            "issuer": document.get("issuer"),
            "credentialStatus": status_entry(
                status_list_url(env, entry.status_list), entry.index, "suspension"
            ),
        }
    )
    if not suspension.ok or verdict.code != "active":
        return suspension
    return Verdict(
        True,
        "active",
        f"{verdict.message} and not suspended (suspension kept by the issuing registry)",
        "Niet ingetrokken en niet geschorst.",
    )


def _with_history(
    session: Session, env: CredentialEnvironment, document: Mapping[str, Any], verdict: Verdict
) -> Verdict:
    """Add when and why from the status history, for a credential this registry issued."""
    own_id = _own_credential_id(env, document)
    if own_id is None:
        return verdict
    action = "revoke" if verdict.code == "revoked" else "suspend"
    event = session.scalar(
        select(CredentialStatusEventRow)
        .where(
            CredentialStatusEventRow.credential == own_id,
            CredentialStatusEventRow.action == action,
        )
        .order_by(CredentialStatusEventRow.id.desc())
        .limit(1)
    )
    if event is None:
        return verdict
    word = "ingetrokken" if action == "revoke" else "geschorst"
    reason = event.reason.strip()
    reason_nl = f" Reden: {reason}" + ("" if reason.endswith((".", "!", "?")) else ".")
    return Verdict(
        False,
        verdict.code,
        f"{verdict.message} since {event.at.date().isoformat()}"
        + (f"; reason: {reason}" if reason else ""),
        f"Het credential is op {dutch_date(event.at)} {word} door de uitgever."
        + (reason_nl if reason else ""),
    )
