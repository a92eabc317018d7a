"""Holder identity in the services: salts for issuing, and the ``holder`` check of a verification.

The rules (IdentityObjects, normalisation, matching) are in :mod:`app.domain.credentials.holder`.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from app.domain.credentials.holder import HolderFacts, check_holder
from app.domain.credentials.verification import CheckResult
from app.domain.learner import Learner


def new_salt() -> str:
    """A fresh random salt for one IdentityObject (128 bits, hex)."""
    return secrets.token_hex(16)


def holder_facts(learner: Learner) -> HolderFacts:
    """The learner's name and (when known) e-mail, each with its own fresh salt."""
    return HolderFacts(
        name=learner.name,
        name_salt=new_salt(),
        email=learner.email or None,
        email_salt=new_salt() if learner.email else None,
    )


def holder_check(document: Any, holder: Mapping[str, Any]) -> CheckResult:
    """The ``holder`` check: does the given name or e-mail hash to the subject's identifiers?

    ``match`` / ``no-match`` (not ok) / ``not-checked`` (ok: nothing given, or the subject names
    no holder); the English message starts with that code.
    """
    name, email = holder.get("name"), holder.get("email")
    verdict = check_holder(
        document,
        name if isinstance(name, str) else None,
        email if isinstance(email, str) else None,
    )
    return CheckResult(
        check="holder",
        ok=verdict.ok,
        message=verdict.message_en,
        code=verdict.code,
        message_nl=verdict.message_nl,
    )
