"""Issuing and revoking credentials in bulk: a per-row preview, then all or nothing (or partial).

Every row is checked as its single use case checks it: `credentials.check_issue` (authorized
as ``credential.issue`` on that learner; a learner outside the actor's scope is as unknown as
a missing one) or ``credential.status`` on the credential (an unknown or hidden credential is
reported as unknown). The report has one entry per row (1-based data row) and counts per status.

Issuing: ``would_issue``, ``already_held`` (with the credential held), ``not_earned`` (with
what is ``missing``) or ``error`` (with the ``reason``); when written, ``would_issue`` rows
become ``issued``. A row repeating an earlier row (same learner, type and code) reports what
the earlier one reports, except that a row the earlier one issues (or would issue) is
``already_held`` (``duplicate_of`` names the earlier row): issuing is idempotent.

Revoking: ``would_revoke``, ``already_revoked`` or ``error``; when written, ``revoked``. A
repeated id is ``already_revoked`` (``duplicate_of``).

Writing, by default all or nothing: when any row is ``not_earned`` or ``error``, `BulkRefused`
(409) carries the report and nothing is written; otherwise every credential is signed and
stored in one transaction. With ``partial`` the rows that can be written are, the others are
reported; issuing then commits every `PARTIAL_CHUNK` rows, so that a long run does not hold
the write lock throughout and its progress can be seen. Revocations set every status bit in
one transaction, each status list re-signed once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from sqlalchemy.orm import Session

from app.adapters.credential_environment import CredentialEnvironment
from app.clock import now
from app.domain.access import AccessDenied, Principal, Role, Target
from app.domain.credentials.statuslist import set_bit
from app.domain.errors import AchievementNotEarned, Conflict, InvalidData, NotFound, RegistryError
from app.persistence.audit import bind_principal
from app.persistence.locks import locked
from app.persistence.models.credentials import (
    CredentialStatusEntryRow,
    CredentialStatusEventRow,
    IssuedCredentialRow,
    StatusListRow,
)
from app.services import credentials, status
from app.services.access import authorize, require_principal
from app.services.credentials import IssueCheck
from app.services.learners import load_catalog

#: Rows one bulk request may hold (CSV data rows, JSON rows or ids).
MAX_ROWS = 5_000
#: Rows written per transaction by a partial issue.
PARTIAL_CHUNK = 50
#: Rows checked between two progress reports.
PROGRESS_EVERY = 25
ISSUE_STATUSES = ("would_issue", "issued", "already_held", "not_earned", "error")
REVOKE_STATUSES = ("would_revoke", "revoked", "already_revoked", "error")
BLOCKING = frozenset({"not_earned", "error"})

#: Records progress in the session (stage, done, total); the service commits around it.
Progress = Callable[[Session, str, int, int], None]


def _no_progress(session: Session, stage: str, done: int, total: int) -> None:
    """The default `Progress`: report nothing."""


@dataclass(frozen=True, slots=True)
class BulkRow:
    """One requested issue: a learner and an achievement (``unit``, ``epa``, ``qualification``)."""

    learner: str
    type: str
    code: str


@dataclass(frozen=True, slots=True)
class RowReport:
    """What became, or would become, of one row."""

    row: int
    status: str
    learner: str | None = None
    type: str | None = None
    code: str | None = None
    credential: str | None = None
    missing: dict[str, list[Any]] | None = None
    reason: str | None = None
    duplicate_of: int | None = None


@dataclass(frozen=True, slots=True)
class BulkReport:
    """The per-row report of a bulk request, and whether anything was written."""

    kind: str  # "issue" or "revoke"
    dry_run: bool
    partial: bool
    rows: list[RowReport] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, int]:
        statuses = ISSUE_STATUSES if self.kind == "issue" else REVOKE_STATUSES
        counts = dict.fromkeys(statuses, 0)
        for row in self.rows:
            counts[row.status] += 1
        return {**counts, "total": len(self.rows)}

    @property
    def written(self) -> int:
        return self.summary.get("issued", 0) + self.summary.get("revoked", 0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "partial": self.partial,
            "rows": [asdict(row) for row in self.rows],
            "summary": self.summary,
        }


class BulkRefused(Conflict):
    """All or nothing: some rows cannot be written, so none was; `extensions` has the report."""

    def __init__(self, report: BulkReport) -> None:
        blocking = sum(1 for row in report.rows if row.status in BLOCKING)
        verb = "issued" if report.kind == "issue" else "revoked"
        super().__init__(
            f"{blocking} of {len(report.rows)} rows cannot be {verb}; nothing was written "
            "(send partial=true to write the rows that can be)"
        )
        self.report = report
        self.extensions = report.as_dict()


def may_issue_in_bulk(session: Session, actor: Principal | None) -> Principal:
    """The actor, when their role may issue credentials at all (403 otherwise)."""
    return _gate(session, actor, "credential.issue")


def may_revoke_in_bulk(session: Session, actor: Principal | None) -> Principal:
    """The actor, when their role may revoke credentials at all (403 otherwise)."""
    return _gate(session, actor, "credential.status")


def _gate(session: Session, actor: Principal | None, action: str) -> Principal:
    principal = require_principal(actor)
    own = None if principal.role is Role.ADMIN else principal.institution
    return authorize(session, principal, action, Target("credentials", institution=own))


# --- issuing ------------------------------------------------------------------------------------


def issue_in_bulk(
    session: Session,
    actor: Principal | None,
    env: CredentialEnvironment,
    rows: Sequence[BulkRow],
    *,
    dry_run: bool = False,
    partial: bool = False,
    progress: Progress = _no_progress,
) -> BulkReport:
    """Check every row, then (unless `dry_run`) issue the credentials the rows ask for.

    Raises
    ------
    NotAuthenticated, AccessDenied
        When the actor may not issue credentials at all.
    BulkRefused
        Without `partial`, when a row is ``not_earned`` or ``error``; nothing is written.
    """
    actor = may_issue_in_bulk(session, actor)
    reports, checks = _check_issues(session, actor, env, rows, progress)
    report = BulkReport("issue", dry_run, partial, reports)
    if dry_run:
        session.rollback()
        return report
    if not partial and any(r.status in BLOCKING for r in reports):
        session.rollback()
        raise BulkRefused(report)
    minted = _mint_all(session, actor, env, reports, checks, partial, progress)
    return replace(report, rows=_with_minted(reports, minted))


def _check_issues(
    session: Session,
    actor: Principal,
    env: CredentialEnvironment,
    rows: Sequence[BulkRow],
    progress: Progress,
) -> tuple[list[RowReport], dict[int, IssueCheck]]:
    """Each row's preview, and the checks of the rows to mint (by row number)."""
    catalog = load_catalog(session)
    reports: list[RowReport] = []
    checks: dict[int, IssueCheck] = {}
    first: dict[BulkRow, RowReport] = {}
    for number, row in enumerate(rows, start=1):
        if number % PROGRESS_EVERY == 0 and progress is not _no_progress:
            progress(session, "checking", number, len(rows))
            session.commit()  # the job's progress; nothing else is pending
        base = RowReport(number, "error", row.learner, row.type, row.code)
        earlier = first.get(row)
        if earlier is not None:
            reports.append(_repeated(base, earlier))
            continue
        achievement = {"type": row.type, "code": row.code}
        try:
            checked = credentials.check_issue(
                session, actor, env, row.learner, achievement, catalog
            )
        except AchievementNotEarned as error:
            report = replace(base, status="not_earned", missing=error.missing)
        except InvalidData as error:
            report = replace(base, reason="; ".join(e["message"] for e in error.errors))
        except RegistryError as error:
            report = replace(base, reason=error.detail)
        else:
            if checked.held is not None:
                report = replace(base, status="already_held", credential=checked.held.id)
            else:
                report = replace(base, status="would_issue")
                checks[number] = checked
        first[row] = report
        reports.append(report)
    return reports, checks


def _repeated(base: RowReport, earlier: RowReport) -> RowReport:
    """A row that repeats `earlier`: as that one, but already held when that one issues."""
    if earlier.status in ("would_issue", "already_held"):
        return replace(
            base, status="already_held", credential=earlier.credential, duplicate_of=earlier.row
        )
    return replace(
        base,
        status=earlier.status,
        missing=earlier.missing,
        reason=earlier.reason,
        duplicate_of=earlier.row,
    )


def _mint_all(
    session: Session,
    actor: Principal,
    env: CredentialEnvironment,
    reports: list[RowReport],
    checks: dict[int, IssueCheck],
    partial: bool,
    progress: Progress,
) -> dict[int, str | RegistryError]:
    """Sign and store every checked row: one transaction, or (partial) one per chunk.

    Returns the credential id per row number, or (partial) the error that row met.
    """
    numbers = sorted(checks)
    minted: dict[int, str | RegistryError] = {}
    chunk = PARTIAL_CHUNK if partial else max(len(numbers), 1)
    progress(session, "writing", 0, len(numbers))
    session.commit()  # the job's progress; the checks only read
    for start in range(0, len(numbers), chunk):
        bind_principal(session, actor)  # authorized for every row; bound per transaction
        for number in numbers[start : start + chunk]:
            try:
                if partial:
                    with session.begin_nested():
                        issued = credentials.mint_credential(
                            session, env, checks[number], commit=False
                        )
                else:
                    issued = credentials.mint_credential(session, env, checks[number], commit=False)
            except RegistryError as error:
                if not partial:
                    session.rollback()
                    failed = _with_minted(reports, {number: error})
                    raise BulkRefused(BulkReport("issue", False, False, failed)) from error
                minted[number] = error
                continue
            minted[number] = issued.id
        done = min(start + chunk, len(numbers))
        progress(session, "writing", done, len(numbers))
        session.commit()
    if not numbers:
        session.commit()
    return minted


def _with_minted(
    reports: list[RowReport], minted: dict[int, str | RegistryError]
) -> list[RowReport]:
    """The reports after writing: issued rows with their credential, repeats pointing at it."""
    rows: list[RowReport] = []
    for report in reports:
        outcome = minted.get(report.row if report.duplicate_of is None else report.duplicate_of)
        if isinstance(outcome, RegistryError):
            rows.append(replace(report, status="error", reason=outcome.detail))
        elif outcome is not None and report.duplicate_of is None:
            rows.append(replace(report, status="issued", credential=outcome))
        elif outcome is not None:
            rows.append(replace(report, credential=outcome))
        else:
            rows.append(report)
    return rows


# --- revoking -----------------------------------------------------------------------------------


def revoke_in_bulk(
    session: Session,
    actor: Principal | None,
    env: CredentialEnvironment,
    ids: Sequence[str],
    reason: str,
    *,
    dry_run: bool = False,
    partial: bool = False,
    progress: Progress = _no_progress,
) -> BulkReport:
    """Check every credential id, then (unless `dry_run`) revoke them in one transaction.

    Raises
    ------
    NotAuthenticated, AccessDenied
        When the actor may not change credential status at all.
    BulkRefused
        Without `partial`, when a row is ``error``; nothing is written.
    """
    actor = may_revoke_in_bulk(session, actor)
    reports: list[RowReport] = []
    to_revoke: dict[int, IssuedCredentialRow] = {}
    first: dict[str, RowReport] = {}
    for number, credential_id in enumerate(ids, start=1):
        if number % PROGRESS_EVERY == 0 and progress is not _no_progress:
            progress(session, "checking", number, len(ids))
        earlier = first.get(credential_id)
        if earlier is not None:
            repeat = "already_revoked" if earlier.status != "error" else "error"
            reports.append(replace(earlier, row=number, status=repeat, duplicate_of=earlier.row))
            continue
        report, row = _check_revoke(session, actor, number, credential_id)
        if row is not None and report.status == "would_revoke":
            to_revoke[number] = row
        first[credential_id] = report
        reports.append(report)
    report = BulkReport("revoke", dry_run, partial, reports)
    if dry_run:
        session.rollback()
        return report
    if not partial and any(r.status in BLOCKING for r in reports):
        session.rollback()
        raise BulkRefused(report)
    progress(session, "writing", 0, len(to_revoke))
    bind_principal(session, actor)
    outcome = _revoke_all(session, env, to_revoke, reason, actor.id)
    if not partial and any(isinstance(v, RegistryError) for v in outcome.values()):
        session.rollback()
        raise BulkRefused(replace(report, rows=_with_revoked(reports, outcome)))
    progress(session, "writing", len(to_revoke), len(to_revoke))
    session.commit()
    return replace(report, rows=_with_revoked(reports, outcome))


def _check_revoke(
    session: Session, actor: Principal, number: int, credential_id: str
) -> tuple[RowReport, IssuedCredentialRow | None]:
    row = session.get(IssuedCredentialRow, credential_id)
    unknown = RowReport(number, "error", credential=credential_id)
    unknown = replace(unknown, reason=f"unknown credential '{credential_id}'")
    if row is None:
        return unknown, None
    target = Target("credential", row.id, institution=row.institution, learner=row.learner)
    try:
        authorize(session, actor, "credential.status", target)
    except (NotFound, AccessDenied):
        return unknown, None  # outside your scope it is as unknown as a missing one
    state = "already_revoked" if row.revoked_at is not None else "would_revoke"
    report = RowReport(
        number, state, row.learner, row.achievement_type, row.achievement_code, row.id
    )
    return report, row


def _revoke_all(
    session: Session,
    env: CredentialEnvironment,
    to_revoke: dict[int, IssuedCredentialRow],
    reason: str,
    actor_id: str,
) -> dict[int, str | RegistryError]:
    """Set the revocation bits list by list (each list locked, changed and re-signed once).

    Returns per row ``revoked``, ``already_revoked`` (revoked meanwhile) or the error of its
    list (a list whose key is retired cannot be re-signed).
    """
    by_list: dict[str, list[tuple[int, IssuedCredentialRow, int]]] = {}
    outcome: dict[int, str | RegistryError] = {}
    for number, credential in to_revoke.items():
        entry = session.get(CredentialStatusEntryRow, (credential.id, "revocation"))
        if entry is None:
            outcome[number] = Conflict(f"credential {credential.id} has no revocation entry")
            continue
        by_list.setdefault(entry.status_list, []).append((number, credential, entry.index))
    session.flush()
    at = now()
    for list_id in sorted(by_list):
        try:
            with session.begin_nested():
                outcome.update(
                    _revoke_in_list(session, env, list_id, by_list[list_id], reason, actor_id, at)
                )
        except RegistryError as error:
            outcome.update(dict.fromkeys((n for n, _, _ in by_list[list_id]), error))
    session.flush()
    return outcome


def _revoke_in_list(
    session: Session,
    env: CredentialEnvironment,
    list_id: str,
    items: list[tuple[int, IssuedCredentialRow, int]],
    reason: str,
    actor_id: str,
    at: dt.datetime,
) -> dict[int, str | RegistryError]:
    # Lock the list, then read the credentials again: a revocation that committed meanwhile
    # is seen, not repeated (as `status.apply_status_change` does for one).
    status_list = locked(session, StatusListRow, list_id)
    assert status_list is not None  # foreign key
    key = env.issuers.keys.find(status_list.institution, status_list.key_id)
    if key is None or key.status == "retired":
        raise Conflict(f"the key of status list {list_id} is retired; it cannot be re-signed")
    bits = status_list.bits
    outcome: dict[int, str | RegistryError] = {}
    for number, credential, index in items:
        session.refresh(credential)
        if credential.revoked_at is not None:
            outcome[number] = "already_revoked"
            continue
        bits = set_bit(bits, index, True)
        credential.revoked_at = at
        session.add(
            CredentialStatusEventRow(
                credential=credential.id, action="revoke", reason=reason, actor=actor_id, at=at
            )
        )
        outcome[number] = "revoked"
    status_list.bits = bits
    status_list.document = status.signed_status_list(
        env, key, status_list.id, status_list.purpose, bits
    )  # type: ignore[arg-type]
    status_list.updated_at = at
    session.flush()
    return outcome


def _with_revoked(
    reports: list[RowReport], outcome: dict[int, str | RegistryError]
) -> list[RowReport]:
    rows: list[RowReport] = []
    for report in reports:
        result = outcome.get(report.row)
        if isinstance(result, RegistryError):
            rows.append(replace(report, status="error", reason=result.detail))
        elif result is not None:
            rows.append(replace(report, status=result))
        else:
            rows.append(report)
    return rows
