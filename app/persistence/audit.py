"""The audit trail: every ORM write is recorded, in the same transaction, by a session event.

Services bind the acting principal to their session (`bind_principal`) when they authorize a
use case. At each flush, `_record_changes` writes one ``audit_entries`` row per inserted,
updated or deleted row of an audited table: who, when, what (the entity as the API names it,
its id, and the part for child rows such as a unit's outcomes), and the change (before/after
of the changed columns). Because the entries are inserted on the flush's own connection, a
write whose audit entry cannot be written fails and is rolled back with it.

What is never copied into the trail: secrets (password and token hashes), personal data
(learners' and accounts' names, e-mail addresses, external ids, free-text notes and reasons
about a learner — recorded as changed without their value, so an erasure leaves nothing
personal behind) and bulky documents
(signed credentials, status-list bits).

Bulk statements (``session.execute(delete(...))``) bypass flushes; the repository uses them
only for child rows of an aggregate whose own row is written in the same use case, which is
audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import column as sql_column
from sqlalchemy import event, inspect, select
from sqlalchemy import table as sql_table
from sqlalchemy.orm import Session

from app.domain.access import Principal
from app.persistence.models.access import AuditRow

PRINCIPAL_KEY = "leerlijn.principal"
REASON_KEY = "leerlijn.audit_reason"

#: Columns whose values are never written into the trail.
SECRET_COLUMNS = frozenset({"password_hash", "token_hash"})
#: Personal data per table: free text about a learner, names and addresses of people.
PERSONAL_COLUMNS: dict[str, frozenset[str]] = {
    "learners": frozenset({"name", "external_id"}),
    "accounts": frozenset({"name", "email"}),
    "evidence": frozenset({"note", "withdrawn_reason"}),
    "entrustments": frozenset({"note", "withdrawn_reason"}),
    "held_diplomas": frozenset({"note"}),
    "vmbo_completions": frozenset({"withdrawn_reason"}),
    "credential_status_events": frozenset({"reason"}),
}
BULKY_COLUMNS = frozenset({"document", "bits", "record_version"})

PERSONAL = "(personal data, not recorded)"


@dataclass(frozen=True, slots=True)
class Audited:
    """How rows of one table appear in the trail."""

    entity: str
    entity_id: Callable[[Any], object]
    part: str | None = None
    institution: Callable[[Any], object] | None = None
    learner: Callable[[Any], object] | None = None
    unit: Callable[[Any], object] | None = None


def _col(name: str) -> Callable[[Any], object]:
    return lambda row: getattr(row, name, None)


AUDITED: dict[str, Audited] = {
    "institutions": Audited("institution", _col("code"), institution=_col("code")),
    "units": Audited("unit", _col("code"), institution=_col("institution")),
    "outcomes": Audited("unit", _col("unit_code"), "outcome", unit=_col("unit_code")),
    "prerequisites": Audited("unit", _col("unit"), "prerequisite", unit=_col("unit")),
    "outcome_relations": Audited("outcome-relation", _col("id")),
    "qualifications": Audited("qualification", _col("code"), institution=_col("institution")),
    "qualification_units": Audited("qualification", _col("qualification"), "unit"),
    "qualification_epas": Audited("qualification", _col("qualification"), "epa"),
    "qualification_entry_requirements": Audited(
        "qualification", _col("qualification"), "entry-requirement"
    ),
    "epas": Audited("epa", _col("code")),
    "epa_outcomes": Audited("epa", _col("epa"), "outcome"),
    "supervision_levels": Audited("supervision-level", _col("level")),
    "learners": Audited("learner", _col("id"), institution=_col("institution"), learner=_col("id")),
    "evidence": Audited("evidence", _col("id"), learner=_col("learner")),
    "entrustments": Audited("entrustment", _col("id"), learner=_col("learner")),
    "held_diplomas": Audited("diploma", _col("id"), learner=_col("learner")),
    "enrolments": Audited("enrolment", _col("id"), learner=_col("learner")),
    "issued_credentials": Audited(
        "credential", _col("id"), institution=_col("institution"), learner=_col("learner")
    ),
    "credential_status_entries": Audited("credential", _col("credential"), "status-entry"),
    "credential_status_events": Audited("credential", _col("credential"), "status-event"),
    "status_lists": Audited("status-list", _col("id"), institution=_col("institution")),
    "vmbo_programmes": Audited("vmbo-programme", _col("code"), institution=_col("institution")),
    "vmbo_assignments": Audited("vmbo-assignment", _col("code")),
    "vmbo_mappings": Audited("vmbo-assignment", _col("assignment"), "mapping"),
    "vmbo_completions": Audited("vmbo-completion", _col("id"), learner=_col("learner")),
    "vmbo_completion_outcomes": Audited("vmbo-completion", _col("completion"), "outcome"),
    "vmbo_routes": Audited("route", _col("code")),
    "accounts": Audited(
        "account", _col("id"), institution=_col("institution"), learner=_col("learner")
    ),
    "api_tokens": Audited(
        "token", _col("id"), institution=_col("institution"), learner=_col("learner")
    ),
}


class UnattributedWrite(RuntimeError):
    """A flush changed audited rows but no principal was bound to the session."""


def bind_principal(session: Session, principal: Principal, reason: str | None = None) -> None:
    """Record `principal` (and an optional reason) as the author of the session's next writes."""
    session.info[PRINCIPAL_KEY] = principal
    if reason is not None:
        session.info[REASON_KEY] = reason


def bound_principal(session: Session) -> Principal | None:
    principal = session.info.get(PRINCIPAL_KEY)
    return principal if isinstance(principal, Principal) else None


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    return value


def _shown(table: str, column: str, value: Any) -> Any:
    if column in PERSONAL_COLUMNS.get(table, ()):
        return PERSONAL if value is not None else None
    return _plain(value)


def _columns(row: Any) -> Iterable[str]:
    """The columns the trail shows: never a secret (not even its name), nothing bulky."""
    left_out = BULKY_COLUMNS | SECRET_COLUMNS
    return (c.key for c in inspect(row).mapper.column_attrs if c.key not in left_out)


def _snapshot(table: str, row: Any) -> dict[str, Any]:
    return {name: _shown(table, name, getattr(row, name, None)) for name in _columns(row)}


def _changes(table: str, row: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    state = inspect(row)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name in _columns(row):
        history = state.attrs[name].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if old == new:
            continue
        before[name] = _shown(table, name, old)
        after[name] = _shown(table, name, new)
    return before, after


class _ScopeLookup:
    """Institution of a learner or unit, read once per flush on the flush's connection."""

    def __init__(self, session: Session) -> None:
        self.connection = session.connection()
        self.cache: dict[tuple[str, str], str | None] = {}

    def _read(self, table: str, key: str, column: str, value: str) -> str | None:
        if (table, value) not in self.cache:
            source = sql_table(table, sql_column(key), sql_column(column))
            found = self.connection.execute(
                select(source.c[column]).where(source.c[key] == value)
            ).scalar()
            self.cache[(table, value)] = found
        return self.cache[(table, value)]

    def of_learner(self, learner: str) -> str | None:
        return self._read("learners", "id", "institution", learner)

    def of_unit(self, unit: str) -> str | None:
        return self._read("units", "code", "institution", unit)


def _entry(
    table: str,
    row: Any,
    action: str,
    principal: Principal,
    at: dt.datetime,
    lookup: _ScopeLookup,
    reason: str | None,
) -> dict[str, Any] | None:
    spec = AUDITED[table]
    if action == "update":
        before, after = _changes(table, row)
        if not after:
            return None
        values: tuple[dict[str, Any] | None, dict[str, Any] | None] = (before, after)
    elif action == "create":
        values = (None, _snapshot(table, row))
    else:
        values = (_snapshot(table, row), None)
    learner = spec.learner(row) if spec.learner else None
    institution = spec.institution(row) if spec.institution else None
    if institution is None and learner is not None:
        institution = lookup.of_learner(str(learner))
    if institution is None and spec.unit is not None:
        institution = lookup.of_unit(str(spec.unit(row)))
    return {
        "at": at,
        "actor": principal.id,
        "actor_role": principal.role.value,
        "action": action,
        "entity": spec.entity,
        "entity_id": str(spec.entity_id(row)),
        "part": spec.part,
        "institution": institution,
        "learner": None if learner is None else str(learner),
        "before": values[0],
        "after": values[1],
        "reason": reason,
    }


def _table_of(row: Any) -> str | None:
    return getattr(getattr(row, "__table__", None), "name", None)


def _record_changes(session: Session, flush_context: Any) -> None:
    changed = [
        (row, action)
        for rows, action in (
            (session.new, "create"),
            (session.dirty, "update"),
            (session.deleted, "delete"),
        )
        for row in rows
        if _table_of(row) in AUDITED
    ]
    if not changed:
        return
    principal = bound_principal(session)
    if principal is None:
        raise UnattributedWrite(
            "a write without an authorized principal: "
            + ", ".join(sorted({str(_table_of(row)) for row, _ in changed}))
        )
    at = dt.datetime.now(dt.UTC)
    lookup = _ScopeLookup(session)
    reason = session.info.get(REASON_KEY)
    entries = [
        entry
        for row, action in changed
        if (entry := _entry(str(_table_of(row)), row, action, principal, at, lookup, reason))
    ]
    if entries:
        session.connection().execute(AuditRow.__table__.insert(), entries)


def _forget_principal(session: Session) -> None:
    """A principal is bound for one transaction (one use case) only."""
    session.info.pop(PRINCIPAL_KEY, None)
    session.info.pop(REASON_KEY, None)


def install_audit_trail() -> None:
    """Attach the audit listeners to every ORM session (idempotent; called by `create_app`)."""
    if not event.contains(Session, "after_flush", _record_changes):
        event.listen(Session, "after_flush", _record_changes)
        event.listen(Session, "after_commit", _forget_principal)
        event.listen(Session, "after_rollback", _forget_principal)
