"""Verify any received credential offline: context, proof, issuer, validity, schema, status.

The registry's verifier, behind ``POST /api/verify``, ``/verifieren`` and the public credential
page: the domain's checks (`app.domain.credentials.verification`) fed with the registry's
knowledge — the shipped contexts and schemas, the issuers' keys and trust, the status lists.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import replace
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from app.adapters.credential_environment import CredentialEnvironment
from app.clock import now
from app.domain.credentials.clr import verify_clr
from app.domain.credentials.edc import is_edc
from app.domain.credentials.statuslist import status_entry
from app.domain.credentials.verification import (
    IssuerStanding,
    IssuerTrust,
    VerificationReport,
    issuer_id,
    verify_credential,
)
from app.persistence import registry_repository as repo
from app.services import status
from app.services.holder_identity import holder_check

OB_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential"})


#: Schema results kept per app (a plain dict: atomic under threads; cleared when full).
SCHEMA_RESULTS_MAX = 1024


def schema_errors(env: CredentialEnvironment, document: Any) -> list[str]:
    """OB 3.0 JSON Schema errors of an Open Badge; a status list has no JSON Schema of its own.

    Any other document is held to the OB 3.0 schema: that is what this registry verifies. The
    result is a function of the document's content alone, so it is remembered under the
    sha256 of its sorted JSON (the same credential is verified again and again: the public
    credential page, employers); the proof and the status are still checked every time.
    """
    types = document.get("type") if isinstance(document, dict) else None
    types = set(types) if isinstance(types, list) else {types}
    if "BitstringStatusListCredential" in types and not types & OB_TYPES:
        return []
    if is_edc(document) and not types & OB_TYPES:
        return []  # an EDC answers to SHACL shapes (schemas/shacl/), not to the OB 3.0 schema
    content = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    key = hashlib.sha256(content.encode("utf-8")).digest()
    known = env.schema_results.get(key)
    if known is None:
        known = env.validate_schema(document)
        if len(env.schema_results) >= SCHEMA_RESULTS_MAX:
            env.schema_results.clear()
        env.schema_results[key] = known
    return list(known)


def verify(
    session: Session,
    env: CredentialEnvironment,
    document: Any,
    at: dt.datetime | None = None,
    holder: Mapping[str, Any] | None = None,
) -> VerificationReport:
    """Verify any received credential offline: context, proof, issuer, validity, schema, status.

    A CLR record is verified with every credential embedded in it. With a `holder`
    (``{"name", "email"}``, either may be missing) a ``holder`` check is added (see
    :func:`holder_check`); without one (None) there is no such check.
    """
    types = document.get("type") if isinstance(document, dict) else None
    is_clr = types == "ClrCredential" or (isinstance(types, list) and "ClrCredential" in types)
    verifier = (
        partial(verify_clr, validate_clr_schema=env.validate_clr_schema)
        if is_clr
        else verify_credential
    )
    standings: dict[str, IssuerStanding] = {}

    def standing_of(issuer: str) -> IssuerStanding:
        if issuer not in standings:
            standings[issuer] = issuer_standing_in_registry(session, env, issuer)
        return standings[issuer]

    report = verifier(
        document,
        loader=env.loader,
        resolve_public_key=env.issuers.resolve_public_key,
        validate_schema=lambda d: schema_errors(env, d),
        now=at or now(),
        is_known_issuer=standing_of,
        is_live_method=env.issuers.is_live_method,
        extra_checks=[("status", _edc_status(status.status_check(session, env), document))],
    )
    if holder is not None:
        held_by = holder_check(document, holder)
        report = replace(
            report, verified=report.verified and held_by.ok, checks=(*report.checks, held_by)
        )
    try:
        issuer = issuer_id(document)
    except (TypeError, ValueError, AttributeError):
        return report
    return replace(report, issuer=standing_of(issuer))


def _edc_status(check: Any, document: Any) -> Any:
    """The status check, reading an EDC's status IRI (``<list URL>#<index>``) as the entry it
    names: the credential's published revocation entry (its suspension is found by its id)."""
    if not is_edc(document):
        return check

    def run(received: Mapping[str, Any]) -> Any:
        named = received.get("credentialStatus")
        iri = named.get("@value") if isinstance(named, Mapping) else named
        url, _, index = iri.partition("#") if isinstance(iri, str) else ("", "", "")
        if url and index.isdigit():
            received = {**received, "credentialStatus": status_entry(url, int(index), "revocation")}
        return check(received)

    return run


def issuer_standing_in_registry(
    session: Session, env: CredentialEnvironment, issuer: str
) -> IssuerStanding:
    """Trusted (an institution an admin trusts), untrusted (known, not trusted) or unknown."""
    code = env.issuers.institution_of_issuer(issuer)
    institution = None if code is None else repo.get_institution(session, code)
    if institution is None:
        return IssuerStanding(IssuerTrust.UNKNOWN)
    trust = IssuerTrust.TRUSTED if institution.trusted else IssuerTrust.UNTRUSTED
    return IssuerStanding(trust, institution.code, institution.name)
