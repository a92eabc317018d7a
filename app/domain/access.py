"""Who may do what: roles, the acting principal, the scope of a target, and one decision rule.

Every use case names an *action* and the *target* it touches; `decide` answers whether the
principal may, and — for personal data outside the principal's scope — whether the refusal must
look like "not found", so that ids of other schools' learners cannot be probed.

The rules, in short (the README's role table says the same for people):

- ``admin`` — the platform operator: everything.
- ``school-admin`` — their institution's registry (units, qualifications, EPAs), keys, staff
  accounts and tokens, learners (read, create, export) and the audit trail of their institution.
- ``assessor`` — for learners of their own institution: reads them, records evidence,
  entrustments, diplomas and vmbo completions, issues, suspends and revokes credentials.
- ``vmbo-teacher`` — their programme's assignments and mappings.
- ``learner`` — their own record, path, plan and credentials; their own enrolment's electives;
  the export of their own data.
- ``coordinator`` — the regional stagebureau: workplaces, placement rounds, the matching and its
  publication; sees everything in the rounds (not learners' records).
- ``workplace`` — the praktijkopleider of one workplace: registers and increases its offers.

Reading the registry is public and needs no decision at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum

from app.domain.errors import RegistryError

__all__ = [
    "Role",
    "Principal",
    "Target",
    "Decision",
    "SYSTEM",
    "ACTIONS",
    "decide",
    "may_grant",
    "NotAuthenticated",
    "AccessDenied",
]


class Role(StrEnum):
    """The seven roles of the registry."""

    ADMIN = "admin"
    SCHOOL_ADMIN = "school-admin"
    ASSESSOR = "assessor"
    VMBO_TEACHER = "vmbo-teacher"
    LEARNER = "learner"
    COORDINATOR = "coordinator"
    WORKPLACE = "workplace"


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated party of a request or command.

    `id` is ``"account:{n}"``, ``"token:{n}"`` or ``"system"`` (command line and seed); it is
    what histories and the audit trail record. `institution`, `learner`, `programme` and
    `workplace` bind a role to its scope.
    """

    id: str
    role: Role
    institution: str | None = None
    learner: str | None = None
    programme: str | None = None
    name: str = ""
    workplace: str | None = None

    @property
    def label(self) -> str:
        """How histories name the principal, e.g. ``'token:3 (assessor)'``."""
        return self.id if self.id == "system" else f"{self.id} ({self.role.value})"


#: The command line and the seed loader: acts as the platform operator.
SYSTEM = Principal(id="system", role=Role.ADMIN, name="system")


@dataclass(frozen=True, slots=True)
class Target:
    """What an action touches, with the scope facts the rules need.

    `personal` marks personal data (a learner or what belongs to one): a refusal is then
    answered as if the target did not exist.
    """

    kind: str
    id: str = ""
    institution: str | None = None
    learner: str | None = None
    programme: str | None = None
    workplace: str | None = None

    @property
    def personal(self) -> bool:
        return self.learner is not None


class Decision(Enum):
    ALLOW = "allow"
    DENY = "deny"  # 403: the role may not do this
    HIDE = "hide"  # 404: personal data outside the principal's scope


_A, _S, _AS, _T, _L, _C, _W = (
    Role.ADMIN,
    Role.SCHOOL_ADMIN,
    Role.ASSESSOR,
    Role.VMBO_TEACHER,
    Role.LEARNER,
    Role.COORDINATOR,
    Role.WORKPLACE,
)

#: action → roles that may perform it within their scope (admin: everywhere).
ACTIONS: dict[str, frozenset[Role]] = {
    "institution.write": frozenset({_A}),
    "institution.trust": frozenset({_A}),
    "registry.write": frozenset({_A, _S}),
    "keys.manage": frozenset({_A, _S}),
    "accounts.manage": frozenset({_A, _S}),
    "audit.read": frozenset({_A, _S}),
    "learner.list": frozenset({_A, _S, _AS}),
    "learner.create": frozenset({_A, _S, _AS}),
    "learner.read": frozenset({_A, _S, _AS, _L}),
    "learner.update": frozenset({_A, _S}),
    "learner.export": frozenset({_A, _S, _L}),
    "learner.erase": frozenset({_A}),
    "record.write": frozenset({_A, _AS}),
    "enrolment.write": frozenset({_A, _S, _AS}),
    "enrolment.electives": frozenset({_A, _S, _AS, _L}),
    "credential.issue": frozenset({_A, _AS}),
    "credential.status": frozenset({_A, _AS}),
    "status.rebuild": frozenset({_A}),
    "credential.offer": frozenset({_A, _S, _AS, _L}),
    "vmbo.programme.write": frozenset({_A, _S}),
    "vmbo.write": frozenset({_A, _S, _T}),
    "route.write": frozenset({_A, _S}),
    "import.registry": frozenset({_A, _S}),
    "import.vmbo": frozenset({_A, _S}),
    "workplace.write": frozenset({_A, _C}),
    "placement.round.write": frozenset({_A, _C}),
    "placement.round.read": frozenset({_A, _C}),
    "placement.offer.write": frozenset({_A, _C, _W}),
    "placement.request.write": frozenset({_A, _AS}),
    "placement.request.list": frozenset({_A, _C, _S, _AS}),
}


def _in_scope(principal: Principal, target: Target) -> bool:
    """Whether the target lies inside the principal's institution, programme or own record."""
    if principal.role is Role.ADMIN:
        return True
    if principal.role is Role.LEARNER:
        return target.learner is not None and target.learner == principal.learner
    if principal.role is Role.VMBO_TEACHER:
        if target.programme is not None:
            return target.programme == principal.programme
        return False
    if principal.role is Role.COORDINATOR:
        return not target.personal  # the region's rounds, not learners' records
    if principal.role is Role.WORKPLACE:
        return target.workplace is not None and target.workplace == principal.workplace
    return target.institution is not None and target.institution == principal.institution


def decide(principal: Principal, action: str, target: Target) -> Decision:
    """Decide whether `principal` may perform `action` on `target`.

    Raises
    ------
    KeyError
        For an action that is not in `ACTIONS` (a programming error, never a user's).

    Examples
    --------
    >>> assessor = Principal("token:1", Role.ASSESSOR, institution="MBO-A")
    >>> mine = Target("learner", "ln-1", institution="MBO-A", learner="ln-1")
    >>> theirs = Target("learner", "ln-2", institution="MBO-B", learner="ln-2")
    >>> decide(assessor, "record.write", mine).value
    'allow'
    >>> decide(assessor, "record.write", theirs).value
    'hide'
    >>> decide(assessor, "registry.write", Target("unit", "U1", institution="MBO-A")).value
    'deny'
    >>> me = Principal("account:7", Role.LEARNER, learner="ln-1")
    >>> decide(me, "learner.read", mine).value, decide(me, "learner.read", theirs).value
    ('allow', 'hide')
    >>> decide(SYSTEM, "learner.erase", theirs).value
    'allow'
    """
    allowed_roles = ACTIONS[action]
    in_scope = _in_scope(principal, target)
    if target.personal and not in_scope:
        return Decision.HIDE
    if principal.role not in allowed_roles or not in_scope:
        return Decision.DENY
    return Decision.ALLOW


def may_grant(principal: Principal, role: Role, institution: str | None) -> bool:
    """Whether `principal` may create an account or token with `role` for `institution`.

    An admin grants any role; a school-admin grants every role of a school (not admin, nor the
    stagebureau's coordinator and workplace roles), in their own institution only.

    >>> school = Principal("token:2", Role.SCHOOL_ADMIN, institution="MBO-A")
    >>> may_grant(school, Role.ASSESSOR, "MBO-A"), may_grant(school, Role.ASSESSOR, "MBO-B")
    (True, False)
    >>> may_grant(school, Role.ADMIN, None), may_grant(school, Role.COORDINATOR, "MBO-A")
    (False, False)
    """
    if principal.role is Role.ADMIN:
        return True
    if principal.role is Role.SCHOOL_ADMIN:
        regional = (Role.ADMIN, Role.COORDINATOR, Role.WORKPLACE)
        return role not in regional and institution == principal.institution
    return False


class NotAuthenticated(RegistryError):
    """No valid credentials (401): no token, an unknown, expired or revoked one."""


class AccessDenied(RegistryError):
    """The principal's role does not allow the action (403)."""

    def __init__(self, action: str) -> None:
        super().__init__(f"your role may not perform '{action}' here")
        self.action = action
