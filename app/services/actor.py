"""Who is acting. Every write service receives an `Actor` and asks `authorize` first.

Roles and an audit trail arrive in a later issue; then `authorize` gains its rules and every
write is already routed through it, so no endpoint needs rewriting.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    """The party on whose behalf a request or command runs."""

    id: str
    via: str = "api"


SYSTEM = Actor(id="system", via="cli")


def authorize(actor: Actor, action: str, target: str) -> None:
    """Allow `actor` to perform `action` on `target`, or raise.

    Today every identified actor may write; the hook exists so that access rules can be added
    in one place.
    """
    del actor, action, target
