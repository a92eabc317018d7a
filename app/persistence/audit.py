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

Bulk statements (``session.execute(delete(...))``) bypass flushes: `_record_bulk_write` records
each row an ORM bulk INSERT, UPDATE or DELETE of an audited table writes, so that no write path
escapes the trail. A bulk INSERT is recorded from its rows, so it must pass them as a list of
parameter dictionaries that name every primary key (``session.execute(insert(UnitRow), rows)``,
as the large registry import does); one with inline ``values()`` or generated keys is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import column as sql_column
from sqlalchemy import event, inspect, select
from sqlalchemy import table as sql_table
from sqlalchemy.orm import Mapper, ORMExecuteState, Session, SessionTransaction

from app.domain.access import Principal
from app.persistence.models.access import AuditRow
from app.persistence.personal_data import PERSONAL_COLUMNS

PRINCIPAL_KEY = "leerlijn.principal"
REASON_KEY = "leerlijn.audit_reason"

#: Columns whose values are never written into the trail.
SECRET_COLUMNS = frozenset(
    {
        "password_hash",
        "token_hash",
        "tx_code_hash",
        "pre_authorized_code",
        "challenge",
        "private_key_sealed",
    }
)
BULKY_COLUMNS = frozenset({"document", "bits", "record_version", "result"})

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
    #: For child rows: (institution, learner) read from the parent (see `_ScopeLookup`).
    scope: Callable[[Any, _ScopeLookup], tuple[object, object]] | None = None


def _col(name: str) -> Callable[[Any], object]:
    return lambda row: getattr(row, name, None)


def _via(table: str, key: str, value: str, learner: bool = False) -> Callable[..., Any]:
    """The scope of a child row: the institution (and learner) of its parent row."""

    def scope(row: Any, lookup: _ScopeLookup) -> tuple[object, object]:
        parent = getattr(row, value, None)
        return (
            lookup.read(table, key, "institution", parent),
            lookup.read(table, key, "learner", parent) if learner else None,
        )

    return scope


def _via_programme(row: Any, lookup: _ScopeLookup) -> tuple[object, object]:
    return lookup.read("vmbo_programmes", "code", "institution", row.programme), None


def _via_assignment(row: Any, lookup: _ScopeLookup) -> tuple[object, object]:
    programme = lookup.read("vmbo_assignments", "code", "programme", row.assignment)
    return lookup.read("vmbo_programmes", "code", "institution", programme), None


def _via_completion(row: Any, lookup: _ScopeLookup) -> tuple[object, object]:
    return None, lookup.read("vmbo_completions", "id", "learner", row.completion)


_QUALIFICATION = _via("qualifications", "code", "qualification")
_CREDENTIAL = _via("issued_credentials", "id", "credential", learner=True)

AUDITED: dict[str, Audited] = {
    "institutions": Audited("institution", _col("code"), institution=_col("code")),
    "units": Audited("unit", _col("code"), institution=_col("institution")),
    "outcomes": Audited("unit", _col("unit_code"), "outcome", unit=_col("unit_code")),
    "prerequisites": Audited("unit", _col("unit"), "prerequisite", unit=_col("unit")),
    "outcome_relations": Audited("outcome-relation", _col("id")),
    "qualifications": Audited("qualification", _col("code"), institution=_col("institution")),
    "qualification_units": Audited(
        "qualification", _col("qualification"), "unit", scope=_QUALIFICATION
    ),
    "qualification_epas": Audited(
        "qualification", _col("qualification"), "epa", scope=_QUALIFICATION
    ),
    "qualification_entry_requirements": Audited(
        "qualification", _col("qualification"), "entry-requirement", scope=_QUALIFICATION
    ),
    "epas": Audited("epa", _col("code"), institution=_col("institution")),
    "epa_outcomes": Audited("epa", _col("epa"), "outcome", scope=_via("epas", "code", "epa")),
    "supervision_levels": Audited("supervision-level", _col("level")),
    "learners": Audited("learner", _col("id"), institution=_col("institution"), learner=_col("id")),
    "evidence": Audited("evidence", _col("id"), learner=_col("learner")),
    "entrustments": Audited("entrustment", _col("id"), learner=_col("learner")),
    "held_diplomas": Audited("diploma", _col("id"), learner=_col("learner")),
    "enrolments": Audited("enrolment", _col("id"), learner=_col("learner")),
    "issued_credentials": Audited(
        "credential", _col("id"), institution=_col("institution"), learner=_col("learner")
    ),
    "credential_status_entries": Audited(
        "credential", _col("credential"), "status-entry", scope=_CREDENTIAL
    ),
    "credential_status_events": Audited(
        "credential", _col("credential"), "status-event", scope=_CREDENTIAL
    ),
    "status_lists": Audited("status-list", _col("id"), institution=_col("institution")),
    "vmbo_programmes": Audited("vmbo-programme", _col("code"), institution=_col("institution")),
    "vmbo_assignments": Audited("vmbo-assignment", _col("code"), scope=_via_programme),
    "vmbo_mappings": Audited(
        "vmbo-assignment", _col("assignment"), "mapping", scope=_via_assignment
    ),
    "vmbo_completions": Audited("vmbo-completion", _col("id"), learner=_col("learner")),
    "vmbo_completion_outcomes": Audited(
        "vmbo-completion", _col("completion"), "outcome", scope=_via_completion
    ),
    "vmbo_routes": Audited("route", _col("code"), scope=_via_programme),
    "accounts": Audited(
        "account", _col("id"), institution=_col("institution"), learner=_col("learner")
    ),
    "api_tokens": Audited(
        "token", _col("id"), institution=_col("institution"), learner=_col("learner")
    ),
    "jobs": Audited("job", _col("id"), institution=_col("institution")),
    "workplaces": Audited("workplace", _col("code")),
    "placement_rounds": Audited("placement-round", _col("code")),
    "placement_offers": Audited("placement-offer", _col("id")),
    "placement_requests": Audited("placement-request", _col("id"), learner=_col("learner")),
    "placement_proposals": Audited("placement-round", _col("round"), "proposal"),
    "placements": Audited("placement", _col("id"), learner=_col("learner")),
    "case_identifiers": Audited("case-identifier", _col("key")),
    "issuer_keys": Audited("issuer-key", _col("key_id"), institution=_col("institution")),
    "wallet_offers": Audited("credential", _col("credential"), "wallet-offer", scope=_CREDENTIAL),
    "wallet_exchanges": Audited(
        "credential", _col("credential"), "wallet-exchange", scope=_CREDENTIAL
    ),
    "credential_deliveries": Audited(
        "credential", _col("credential"), "wallet-delivery", scope=_CREDENTIAL
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
    """Scope facts of parent rows (a learner's or unit's institution, …), read once per flush on
    the flush's connection; rows of the flush itself are remembered first, so that a parent
    deleted in the same flush still gives its children their scope."""

    SCOPE_COLUMNS = ("institution", "learner", "programme")

    def __init__(self, session: Session) -> None:
        self.connection = session.connection()
        self.cache: dict[tuple[str, str, str], Any] = {}

    def remember(self, table: str, row: Any) -> None:
        mapper = inspect(row).mapper
        keys = mapper.primary_key
        value = getattr(row, keys[0].key, None) if len(keys) == 1 else None
        if value is None:
            return
        columns = {attribute.key for attribute in mapper.column_attrs}
        for column in columns.intersection(self.SCOPE_COLUMNS):
            self.cache[(table, column, str(value))] = getattr(row, column)

    def remember_values(self, table: str, key: object, values: Mapping[str, Any]) -> None:
        """Remember the scope facts of a row a bulk INSERT writes (`values` by column)."""
        for column in self.SCOPE_COLUMNS:
            if column in values:
                self.cache[(table, column, str(key))] = values[column]

    def prefetch(self, table: str, key: str, column: str, values: Iterable[object]) -> None:
        """Read `column` of many rows at once (a bulk statement's parents), 500 keys a query."""
        wanted = sorted({str(v) for v in values if v is not None} - self._known(table, column))
        source = sql_table(table, sql_column(key), sql_column(column))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            found = dict(
                self.connection.execute(
                    select(source.c[key], source.c[column]).where(source.c[key].in_(chunk))
                ).all()
            )
            for value in chunk:
                self.cache[(table, column, value)] = found.get(value)

    def _known(self, table: str, column: str) -> set[str]:
        return {k for t, c, k in self.cache if t == table and c == column}

    def read(self, table: str, key: str, column: str, value: object) -> Any:
        if value is None:
            return None
        cached = (table, column, str(value))
        if cached not in self.cache:
            source = sql_table(table, sql_column(key), sql_column(column))
            self.cache[cached] = self.connection.execute(
                select(source.c[column]).where(source.c[key] == value)
            ).scalar()
        return self.cache[cached]

    def of_learner(self, learner: str) -> str | None:
        return self.read("learners", "id", "institution", learner)  # type: ignore[no-any-return]

    def of_unit(self, unit: str) -> str | None:
        return self.read("units", "code", "institution", unit)  # type: ignore[no-any-return]


def _entry(
    table: str,
    row: Any,
    action: str,
    principal: Principal,
    at: dt.datetime,
    lookup: _ScopeLookup,
    reason: str | None,
    change: tuple[dict[str, Any], dict[str, Any]] | None = None,
) -> dict[str, Any] | None:
    """The entry of one row's change (`change`: its before/after when no flush knows them,
    as for the rows of bulk statements)."""
    spec = AUDITED[table]
    values: tuple[dict[str, Any] | None, dict[str, Any] | None]
    if action == "update":
        before, after = change or _changes(table, row)
        if not after:
            return None
        values = (before, after)
    elif action == "create":
        values = (None, change[1] if change else _snapshot(table, row))
    else:
        values = (_snapshot(table, row), None)
    learner = spec.learner(row) if spec.learner else None
    institution = spec.institution(row) if spec.institution else None
    if spec.scope is not None:
        parent_institution, parent_learner = spec.scope(row, lookup)
        institution = institution if institution is not None else parent_institution
        learner = learner if learner is not None else parent_learner
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
    for row, _ in changed:
        lookup.remember(str(_table_of(row)), row)
    reason = session.info.get(REASON_KEY)
    entries = [
        entry
        for row, action in changed
        if (entry := _entry(str(_table_of(row)), row, action, principal, at, lookup, reason))
    ]
    if entries:
        session.connection().execute(AuditRow.__table__.insert(), entries)


def _raw(row: Any) -> dict[str, Any]:
    return {name: getattr(row, name, None) for name in _columns(row)}


def _record_bulk_write(state: ORMExecuteState) -> Any:
    """Record each row an ORM bulk INSERT, UPDATE or DELETE of an audited table writes.

    The rows are read before the statement runs (and, for an update, again after it), so the
    entries say what changed exactly as a flush would; an insert is recorded from its rows
    (`_record_bulk_insert`). A statement without an ORM entity and one without a bound
    principal are refused.
    """
    if not (state.is_insert or state.is_update or state.is_delete):
        return None
    table = getattr(getattr(state.statement, "table", None), "name", None)
    if table not in AUDITED:
        return None
    session = state.session
    principal = bound_principal(session)
    if principal is None:
        raise UnattributedWrite(f"a write without an authorized principal: {table}")
    mapper = state.bind_mapper
    if mapper is None:
        raise UnattributedWrite(
            f"a bulk write to the audited table {table} would escape the audit trail; "
            "write its rows through the session (add, delete) or an ORM insert, update or delete"
        )
    if state.is_insert:
        return _record_bulk_insert(state, table, mapper, principal)
    where = state.statement.whereclause  # type: ignore[attr-defined]
    query = select(mapper.class_) if where is None else select(mapper.class_).where(where)
    rows = session.scalars(query).all()
    at, lookup, reason = (
        dt.datetime.now(dt.UTC),
        _ScopeLookup(session),
        session.info.get(REASON_KEY),
    )
    for row in rows:
        lookup.remember(table, row)
    if state.is_delete:
        entries = [_entry(table, row, "delete", principal, at, lookup, reason) for row in rows]
        result = state.invoke_statement()
    else:
        before = [(row, _raw(row)) for row in rows]
        result = state.invoke_statement()
        entries = []
        for row, old in before:
            session.refresh(row)
            new = _raw(row)
            changed = [name for name in old if old[name] != new[name]]
            change = (
                {name: _shown(table, name, old[name]) for name in changed},
                {name: _shown(table, name, new[name]) for name in changed},
            )
            entries.append(_entry(table, row, "update", principal, at, lookup, reason, change))
    written = [entry for entry in entries if entry]
    if written:
        session.connection().execute(AuditRow.__table__.insert(), written)
    return result


def _inserted_rows(state: ORMExecuteState, table: str, mapper: Mapper[Any]) -> list[dict[str, Any]]:
    """The rows of a bulk INSERT, each with every column (defaults filled in), or refuse it."""
    parameters = state.parameters
    rows = [parameters] if isinstance(parameters, Mapping) else list(parameters or ())
    statement = state.statement
    inline = getattr(statement, "_values", None) or getattr(statement, "_multi_values", None)
    keys = [attribute.key for attribute in mapper.column_attrs if attribute.columns[0].primary_key]
    if inline or not rows or any(any(row.get(key) is None for key in keys) for row in rows):
        raise UnattributedWrite(
            f"a bulk write to the audited table {table} would escape the audit trail: "
            "pass its rows, each with its primary key, as a list of parameter dictionaries"
        )
    defaults = {}
    for attribute in mapper.column_attrs:
        default = attribute.columns[0].default
        scalar = getattr(default, "arg", None) if getattr(default, "is_scalar", False) else None
        defaults[attribute.key] = scalar
    return [{**defaults, **row} for row in rows]


def _record_bulk_insert(
    state: ORMExecuteState, table: str, mapper: Mapper[Any], principal: Principal
) -> Any:
    """Record every row of an ORM bulk INSERT as a flush would record it, after inserting them.

    The parents' scope facts the entries need (a unit's institution for its outcomes, ...) are
    read in a few queries for the whole statement rather than one per row.
    """
    session = state.session
    rows = _inserted_rows(state, table, mapper)
    spec = AUDITED[table]
    result = state.invoke_statement()
    lookup = _ScopeLookup(session)
    keys = [attribute.key for attribute in mapper.column_attrs if attribute.columns[0].primary_key]
    if len(keys) == 1:
        for row in rows:
            lookup.remember_values(table, row[keys[0]], row)
    views = [SimpleNamespace(**row) for row in rows]
    if spec.unit is not None:
        lookup.prefetch("units", "code", "institution", (spec.unit(view) for view in views))
    if spec.learner is not None and spec.institution is None:
        lookup.prefetch("learners", "id", "institution", (spec.learner(view) for view in views))
    left_out = BULKY_COLUMNS | SECRET_COLUMNS
    shown = [a.key for a in mapper.column_attrs if a.key not in left_out]
    at, reason = dt.datetime.now(dt.UTC), session.info.get(REASON_KEY)
    entries = []
    for view, row in zip(views, rows, strict=True):
        after = {name: _shown(table, name, row[name]) for name in shown}
        entry = _entry(table, view, "create", principal, at, lookup, reason, ({}, after))
        if entry:
            entries.append(entry)
    if entries:
        session.connection().execute(AuditRow.__table__.insert(), entries)
    return result


def _forget_principal(session: Session, transaction: SessionTransaction) -> None:
    """A principal is bound for one transaction (one use case) only: forgotten when the
    outermost transaction ends (committed, rolled back or closed), not at a savepoint."""
    if transaction.parent is None:
        session.info.pop(PRINCIPAL_KEY, None)
        session.info.pop(REASON_KEY, None)


def install_audit_trail() -> None:
    """Attach the audit listeners to every ORM session (idempotent; called by `create_app`)."""
    if not event.contains(Session, "after_flush", _record_changes):
        event.listen(Session, "after_flush", _record_changes)
        event.listen(Session, "do_orm_execute", _record_bulk_write)
        event.listen(Session, "after_transaction_end", _forget_principal)
