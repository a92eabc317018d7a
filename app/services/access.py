"""Access use cases: sign-in by token or password, accounts, tokens, authorization, the audit trail.

`authorize` is the one door every use case passes: it decides with `app.domain.access.decide`,
raises `NotAuthenticated` (401), `AccessDenied` (403) or `NotFound` (404, for personal data
outside the principal's scope), and binds the principal to the session so that the audit trail
(`app.persistence.audit`) records who made each write of the use case.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from app.domain.access import (
    AccessDenied,
    Decision,
    NotAuthenticated,
    Principal,
    Role,
    Target,
    decide,
    may_grant,
)
from app.domain.errors import Conflict, InvalidData, NotFound
from app.persistence import access_repository as store
from app.persistence import learner_repository, placement_repository, vmbo_repository
from app.persistence import registry_repository as repo
from app.persistence.access_repository import AccountInfo, AuditEntry, TokenInfo
from app.persistence.audit import bind_principal
from app.persistence.models.access import AccountRow, ApiTokenRow

TOKEN_PREFIX = "llt_"
MIN_PASSWORD_LENGTH = 12
_HASHER = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when an e-mail address is unknown, so both cases take equally long.

    Made on the first sign-in, not at import (an argon2 hash costs tens of milliseconds).
    """
    return _HASHER.hash(secrets.token_urlsafe(16))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def hash_token(raw: str) -> str:
    """SHA-256 of a token: tokens are 256 random bits, so a fast hash suffices.

    >>> hash_token("llt_x") == hash_token("llt_x") != hash_token("llt_y")
    True
    >>> len(hash_token("llt_x"))
    64
    """
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


# --- authorization -----------------------------------------------------------------------------


def authorize(
    session: Session,
    principal: Principal | None,
    action: str,
    target: Target,
    reason: str | None = None,
) -> Principal:
    """Allow `principal` to perform `action` on `target`, or raise; bind it for the audit."""
    if principal is None:
        raise NotAuthenticated("sign in first: this needs a bearer token or a session")
    decision = decide(principal, action, target)
    if decision is Decision.HIDE:
        raise NotFound(target.kind, target.id)
    if decision is Decision.DENY:
        raise AccessDenied(action)
    if not action.endswith((".read", ".list")):
        bind_principal(session, principal, reason)
    return principal


def require_principal(principal: Principal | None) -> Principal:
    if principal is None:
        raise NotAuthenticated("sign in first: this needs a bearer token or a session")
    return principal


# --- tokens ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new token: `secret` is shown this once and stored only as a hash."""

    info: TokenInfo
    secret: str


def _check_binding(
    session: Session,
    role: Role,
    institution: str | None,
    learner: str | None,
    programme: str | None,
    workplace: str | None = None,
) -> tuple[str | None, str | None, str | None]:
    """Validate what a role is bound to; return (institution, learner, programme)."""
    errors = []
    if role is Role.WORKPLACE:
        if not workplace:
            errors.append({"pointer": "/workplace", "message": "a workplace names its workplace"})
        elif placement_repository.get_workplace(session, workplace) is None:
            errors.append({"pointer": "/workplace", "message": f"unknown workplace '{workplace}'"})
    if role in (Role.COORDINATOR, Role.WORKPLACE):
        institution = None  # the stagebureau's roles belong to the region, not to a school
    if role is Role.LEARNER:
        if not learner:
            errors.append({"pointer": "/learner", "message": "a learner token names its learner"})
        else:
            found = learner_repository.get_learner(session, learner)
            if found is None:
                errors.append({"pointer": "/learner", "message": f"unknown learner '{learner}'"})
            else:
                institution = found.institution
    elif role is Role.VMBO_TEACHER:
        if not programme:
            errors.append({"pointer": "/programme", "message": "a vmbo-teacher names a programme"})
        else:
            found_programme = vmbo_repository.get_programme(session, programme)
            if found_programme is None:
                errors.append(
                    {"pointer": "/programme", "message": f"unknown programme '{programme}'"}
                )
            else:
                institution = found_programme.institution
    elif role in (Role.SCHOOL_ADMIN, Role.ASSESSOR):
        if not institution:
            errors.append({"pointer": "/institution", "message": f"a {role} names an institution"})
    if institution and repo.get_institution(session, institution) is None:
        errors.append(
            {"pointer": "/institution", "message": f"unknown institution '{institution}'"}
        )
    if errors:
        raise InvalidData(errors)
    if role is Role.ADMIN:
        return None, None, None
    return (
        institution,
        learner if role is Role.LEARNER else None,
        programme if role is Role.VMBO_TEACHER else None,
    )


def create_token(
    session: Session,
    principal: Principal | None,
    role: Role,
    *,
    institution: str | None = None,
    learner: str | None = None,
    programme: str | None = None,
    expires_days: int | None = None,
    label: str | None = None,
    workplace: str | None = None,
) -> IssuedToken:
    """Create a bearer token for `role`; an admin grants any, a school-admin their own school's."""
    principal = require_principal(principal)
    institution, learner, programme = _check_binding(
        session, role, institution, learner, programme, workplace
    )
    if not may_grant(principal, role, institution):
        raise AccessDenied("accounts.manage")
    bind_principal(session, principal)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = _now()
    row = ApiTokenRow(
        token_hash=hash_token(secret),
        label=label,
        role=role.value,
        institution=institution,
        learner=learner,
        programme=programme,
        workplace=workplace if role is Role.WORKPLACE else None,
        created_at=now,
        created_by=principal.id,
        expires_at=None if expires_days is None else now + dt.timedelta(days=expires_days),
        revoked_at=None,
    )
    info = store.add_token(session, row)
    session.commit()
    return IssuedToken(info, secret)


def principal_for_token(session: Session, secret: str) -> Principal | None:
    """The principal of a bearer token, or None when unknown, expired or revoked."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    row = store.token_row_by_hash(session, hash_token(secret))
    if row is None:
        return None
    return principal_for_session(session, f"token:{row.id}")


def _scope_of_staff(principal: Principal) -> str | None:
    """The institution whose accounts and tokens `principal` manages (None: all)."""
    if principal.role is Role.ADMIN:
        return None
    if principal.role is Role.SCHOOL_ADMIN:
        return principal.institution
    raise AccessDenied("accounts.manage")


def _in_staff_scope(
    principal: Principal, row: ApiTokenRow | AccountRow | None, kind: str, row_id: int
) -> None:
    """Refuse (NotFound) a missing row or one of a school `principal` does not manage."""
    scope = _scope_of_staff(principal)
    if row is None or (scope is not None and row.institution != scope):
        raise NotFound(kind, str(row_id))


def list_tokens(session: Session, principal: Principal | None) -> list[TokenInfo]:
    return store.list_tokens(session, _scope_of_staff(require_principal(principal)))


def get_token(session: Session, principal: Principal | None, token_id: int) -> TokenInfo:
    row = store.token_row(session, token_id)
    _in_staff_scope(require_principal(principal), row, "token", token_id)
    assert row is not None
    return store.token_info(row)


def revoke_token(session: Session, principal: Principal | None, token_id: int) -> TokenInfo:
    principal = require_principal(principal)
    row = store.token_row(session, token_id)
    _in_staff_scope(principal, row, "token", token_id)
    assert row is not None
    if row.revoked_at is not None:
        raise Conflict(f"token {token_id} was already revoked")
    bind_principal(session, principal)
    row.revoked_at = _now()
    session.commit()
    return store.token_info(row)


def has_admin(session: Session) -> bool:
    """Whether an active admin account or a live admin token exists."""
    return store.has_admin(session, _now())


# --- accounts ----------------------------------------------------------------------------------


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidData(
            [
                {
                    "pointer": "/password",
                    "message": f"use at least {MIN_PASSWORD_LENGTH} characters",
                }
            ]
        )


def create_account(
    session: Session,
    principal: Principal | None,
    *,
    email: str,
    name: str,
    password: str,
    role: Role,
    institution: str | None = None,
    learner: str | None = None,
    programme: str | None = None,
    workplace: str | None = None,
) -> AccountInfo:
    """Create a sign-in account; the password is stored as an argon2id hash only."""
    principal = require_principal(principal)
    institution, learner, programme = _check_binding(
        session, role, institution, learner, programme, workplace
    )
    if not may_grant(principal, role, institution):
        raise AccessDenied("accounts.manage")
    _check_password(password)
    email = email.strip().lower()
    if store.account_row_by_email(session, email) is not None:
        raise Conflict(f"an account with e-mail '{email}' already exists")
    bind_principal(session, principal)
    row = AccountRow(
        email=email,
        name=name,
        password_hash=_HASHER.hash(password),
        role=role.value,
        institution=institution,
        learner=learner,
        programme=programme,
        workplace=workplace if role is Role.WORKPLACE else None,
        active=True,
        created_at=_now(),
        created_by=principal.id,
    )
    info = store.add_account(session, row)
    session.commit()
    return info


def list_accounts(session: Session, principal: Principal | None) -> list[AccountInfo]:
    return store.list_accounts(session, _scope_of_staff(require_principal(principal)))


def deactivate_account(
    session: Session, principal: Principal | None, account_id: int
) -> AccountInfo:
    principal = require_principal(principal)
    row = store.account_row(session, account_id)
    _in_staff_scope(principal, row, "account", account_id)
    assert row is not None
    bind_principal(session, principal)
    row.active = False
    session.commit()
    return store.account_info(row)


def sign_in(session: Session, email: str, password: str) -> Principal | None:
    """The principal of an active account whose password matches, else None."""
    row = store.account_row_by_email(session, email)
    try:
        if row is None or not row.active:
            _HASHER.verify(_dummy_hash(), password + "-")
            return None
        _HASHER.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    principal = store.principal_of_account(row)
    bind_principal(session, principal)
    row.last_login_at = _now()
    if _HASHER.check_needs_rehash(row.password_hash):
        row.password_hash = _HASHER.hash(password)
    session.commit()
    return principal


def principal_for_session(session: Session, principal_id: str) -> Principal | None:
    """The principal behind a signed-in page session (``account:N`` or ``token:N``), or None
    when the account was deactivated or the token revoked or expired since."""
    kind, _, number = principal_id.partition(":")
    if not number.isdigit():
        return None
    if kind == "account":
        account = store.account_row(session, int(number))
        if account is None or not account.active:
            return None
        return store.principal_of_account(account)
    if kind == "token":
        token = store.token_row(session, int(number))
        if token is None or token.revoked_at is not None:
            return None
        if token.expires_at is not None and token.expires_at <= _now():
            return None
        return store.principal_of_token(token)
    return None


# --- audit -------------------------------------------------------------------------------------


def list_audit(
    session: Session,
    principal: Principal | None,
    *,
    entity: str | None = None,
    entity_id: str | None = None,
    since: dt.datetime | None = None,
    actor: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[AuditEntry], int]:
    """The audit trail: all of it for an admin, their institution's for a school-admin."""
    principal = require_principal(principal)
    if principal.role is Role.ADMIN:
        institution = None
    elif principal.role is Role.SCHOOL_ADMIN:
        institution = principal.institution
    else:
        raise AccessDenied("audit.read")
    return store.list_audit(
        session,
        entity=entity,
        entity_id=entity_id,
        since=since,
        actor=actor,
        institution=institution,
        limit=limit,
        offset=offset,
    )


def get_audit_entry(session: Session, principal: Principal | None, entry_id: int) -> AuditEntry:
    principal = require_principal(principal)
    if principal.role not in (Role.ADMIN, Role.SCHOOL_ADMIN):
        raise AccessDenied("audit.read")
    entry = store.audit_entry(session, entry_id)
    if entry is None or (
        principal.role is Role.SCHOOL_ADMIN and entry.institution != principal.institution
    ):
        raise NotFound("audit entry", str(entry_id))
    return entry


def audit_of_learner(session: Session, learner_id: str) -> list[AuditEntry]:
    """Every audit entry about a learner (for their data export); the caller authorized."""
    entries, _ = store.list_audit(session, learner=learner_id, limit=1_000_000)
    return entries
