"""Verification of a received credential: a list of named checks, never an exception.

Checks, in order:

``context``
    ``@context`` is a list of URLs, the first is VC 2.0, every URL is served by the offline
    loader, and every term of the document is defined by those contexts.
``proof``
    The ``eddsa-rdfc-2022`` DataIntegrityProof is valid for the key that
    ``resolve_public_key`` returns for the proof's ``verificationMethod``.
``issuer``
    ``issuer.id`` is known (``is_known_issuer``) and controls the verification method: the
    method's DID (the part before ``#``) is the issuer DID. For ``did:key`` that is the whole
    rule; for ``did:web`` the resolver additionally decides (``resolve_public_key`` must
    know the method, which the proof check already requires).
``validity``
    ``validFrom`` ≤ now, and now ≤ ``validUntil`` when present.
``schema``
    The JSON Schema validator returns no errors.

More checks (e.g. ``status``) are appended through `extra_checks`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pyld import jsonld

from app.domain.credentials.envelope import VC_V2_CONTEXT
from app.domain.credentials.proof import (
    DocumentLoader,
    expand_document,
    jsonld_error_reason,
    verify_proof,
)

__all__ = [
    "VC_V2_CONTEXT",
    "ALLOWED_UNDEFINED_TERMS",
    "CheckResult",
    "VerificationReport",
    "Check",
    "parse_datetime",
    "issuer_id",
    "check_context",
    "check_proof",
    "check_issuer",
    "check_validity",
    "check_schema",
    "run_check",
    "verify_credential",
]

#: Terms tolerated although no context defines them (none by default: an undefined term is
#: dropped from the signed RDF, so it is not protected by the proof).
ALLOWED_UNDEFINED_TERMS: frozenset[str] = frozenset()

#: A check: takes the document, returns ``(ok, message)``; may raise (reported as failure).
Check = Callable[[Mapping[str, Any]], tuple[bool, str]]


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One named check and why it passed or failed."""

    check: str
    ok: bool
    message: str

    def as_dict(self) -> dict[str, Any]:
        """Return ``{"check", "ok", "message"}`` for JSON output."""
        return {"check": self.check, "ok": self.ok, "message": self.message}


class IssuerTrust(StrEnum):
    """What this registry knows of an issuer."""

    TRUSTED = "trusted"  # one of the registry's institutions, trusted by an admin
    UNTRUSTED = "untrusted"  # known to the registry, but not (or no longer) trusted
    UNKNOWN = "unknown"  # not an issuer of this registry


@dataclass(frozen=True, slots=True)
class IssuerStanding:
    """An issuer's trust, and the institution behind it when the registry knows it."""

    trust: IssuerTrust
    institution: str | None = None
    name: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"trust": self.trust.value, "institution": self.institution, "name": self.name}


#: How a verifier learns an issuer's standing: a plain bool means trusted (True) or unknown.
IssuerLookup = Callable[[str], "bool | IssuerStanding"]


def issuer_standing(lookup: IssuerLookup, issuer: str) -> IssuerStanding:
    """Normalise what `lookup` says of `issuer`.

    >>> issuer_standing(lambda i: True, "did:key:z").trust.value
    'trusted'
    >>> issuer_standing(lambda i: False, "did:key:z").trust.value
    'unknown'
    """
    found = lookup(issuer)
    if isinstance(found, IssuerStanding):
        return found
    return IssuerStanding(IssuerTrust.TRUSTED if found else IssuerTrust.UNKNOWN)


@dataclass(frozen=True, slots=True)
class VerificationReport:
    """Result of :func:`verify_credential`: `verified` is True iff every check passed.

    `issuer` says what the registry knows of the issuer (trusted, untrusted, unknown).
    """

    verified: bool
    checks: tuple[CheckResult, ...]
    issuer: IssuerStanding | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return ``{"verified", "checks": [{check, ok, message}, ...], "issuer"}``."""
        report: dict[str, Any] = {
            "verified": self.verified,
            "checks": [c.as_dict() for c in self.checks],
        }
        if self.issuer is not None:
            report["issuer"] = self.issuer.as_dict()
        return report

    def check(self, name: str) -> CheckResult | None:
        """Return the result of the check called `name`, or None."""
        return next((c for c in self.checks if c.check == name), None)


def parse_datetime(value: object) -> datetime:
    """Return an aware datetime for an XML Schema dateTime; a missing zone means UTC.

    Raises
    ------
    ValueError
        If `value` is not a dateTime string.

    Examples
    --------
    >>> parse_datetime("2024-09-01T12:00:00Z")
    datetime.datetime(2024, 9, 1, 12, 0, tzinfo=datetime.timezone.utc)
    >>> parse_datetime("2024-09-01")
    Traceback (most recent call last):
    ...
    ValueError: not an XML Schema dateTime: '2024-09-01'
    """
    if not isinstance(value, str) or "T" not in value:
        raise ValueError(f"not an XML Schema dateTime: {value!r}")
    text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not an XML Schema dateTime: {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def issuer_id(document: Mapping[str, Any]) -> str:
    """Return the issuer id (``issuer`` as a string or ``issuer.id``).

    Raises
    ------
    ValueError
        If there is no string issuer id.

    Examples
    --------
    >>> issuer_id({"issuer": {"id": "did:web:roc.example.nl"}}), issuer_id({"issuer": "did:x:1"})
    ('did:web:roc.example.nl', 'did:x:1')
    """
    issuer = document.get("issuer")
    value = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if not isinstance(value, str) or not value:
        raise ValueError("credential has no issuer id")
    return value


def _proofs(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    proof = document.get("proof")
    proofs = proof if isinstance(proof, list) else [proof]
    return [p for p in proofs if isinstance(p, Mapping)]


def check_context(
    document: Mapping[str, Any],
    loader: DocumentLoader,
    allowed_undefined: Collection[str] = ALLOWED_UNDEFINED_TERMS,
    expand: Callable[[Mapping[str, Any]], tuple[list[Any], list[str]]] | None = None,
) -> tuple[bool, str]:
    """Check that every ``@context`` URL is shipped and every term is defined.

    Examples
    --------
    >>> check_context({"@context": [{"x": "https://x.org/"}]}, lambda u, o=None: {})
    (False, '@context must be a list of URLs starting with https://www.w3.org/ns/credentials/v2')
    """
    contexts = document.get("@context")
    if (
        not isinstance(contexts, list)
        or not contexts
        or contexts[0] != VC_V2_CONTEXT
        or not all(isinstance(c, str) for c in contexts)
    ):
        return False, f"@context must be a list of URLs starting with {VC_V2_CONTEXT}"
    for url in contexts:
        try:
            loader(url, {})
        except jsonld.JsonLdError:
            return False, f"context {url!r} is not known (not shipped with this verifier)"
    for proof in _proofs(document):
        extra = proof.get("@context")
        for url in extra if isinstance(extra, list) else [extra] if extra else []:
            if url not in contexts:
                return False, f"proof context {url!r} is not among the document's contexts"
    _expanded, found = (expand or (lambda d: expand_document(d, loader)))(document)
    terms = [term for term in found if term not in allowed_undefined]
    if terms:
        return False, "undefined terms: " + ", ".join(terms)
    return True, f"{len(contexts)} known contexts; every term is defined"


def check_proof(
    document: Mapping[str, Any],
    loader: DocumentLoader,
    resolve_public_key: Callable[[str], bytes | None],
    expanded: list[Any] | None = None,
) -> tuple[bool, str]:
    """Check the eddsa-rdfc-2022 proof (see :func:`app.domain.credentials.proof.verify_proof`)."""
    result = verify_proof(
        document, resolve_public_key=resolve_public_key, loader=loader, expanded=expanded
    )
    return result.ok, result.message


def check_issuer(
    document: Mapping[str, Any],
    is_known_issuer: IssuerLookup,
    is_live_method: Callable[[str], bool] | None = None,
) -> tuple[bool, str]:
    """Check the issuer is trusted and its DID controls the proof's verification method.

    A known but untrusted issuer fails, and so does an unknown one; only a trusted
    institution passes, and the message names it.

    Examples
    --------
    >>> doc = {"issuer": {"id": "did:key:z6MkA"},
    ...        "proof": {"verificationMethod": "did:key:z6MkB#z6MkB"}}
    >>> check_issuer(doc, lambda i: True)
    (False, "verification method 'did:key:z6MkB#z6MkB' is not controlled by issuer 'did:key:z6MkA'")
    >>> check_issuer(doc, lambda i: False)
    (False, "unknown issuer 'did:key:z6MkA': not an issuer of this registry")
    >>> untrusted = IssuerStanding(IssuerTrust.UNTRUSTED, "EVIL", "Nep ROC")
    >>> check_issuer(doc, lambda i: untrusted)
    (False, "issuer 'did:key:z6MkA' (Nep ROC) is known to this registry but not trusted")
    """
    issuer = issuer_id(document)
    standing = issuer_standing(is_known_issuer, issuer)
    if standing.trust is IssuerTrust.UNKNOWN:
        return False, f"unknown issuer {issuer!r}: not an issuer of this registry"
    if standing.trust is IssuerTrust.UNTRUSTED:
        return False, (
            f"issuer {issuer!r} ({standing.name or standing.institution}) is known to this "
            "registry but not trusted"
        )
    proofs = _proofs(document)
    if not proofs:
        return False, "no proof, so no verification method to match the issuer"
    for proof in proofs:
        vm = proof.get("verificationMethod")
        if not isinstance(vm, str) or vm.partition("#")[0] != issuer or "#" not in vm:
            return False, f"verification method {vm!r} is not controlled by issuer {issuer!r}"
        if is_live_method is not None and not is_live_method(vm):
            return False, f"key {vm!r} is no longer listed by issuer {issuer!r} (retired)"
    if standing.name:
        return True, (
            f"a trusted institution of this registry: {standing.name}; its key signed the proof"
        )
    return True, f"issuer {issuer!r} is trusted and controls the verification method"


def check_validity(document: Mapping[str, Any], now: datetime) -> tuple[bool, str]:
    """Check ``validFrom`` ≤ `now` ≤ ``validUntil`` (when present).

    Examples
    --------
    >>> now = datetime(2025, 1, 1, tzinfo=UTC)
    >>> window = {"validFrom": "2024-01-01T00:00:00Z", "validUntil": "2024-06-01T00:00:00Z"}
    >>> check_validity(window, now)
    (False, 'expired: validUntil 2024-06-01T00:00:00Z is before 2025-01-01T00:00:00+00:00')
    >>> check_validity({"validFrom": "2026-01-01T00:00:00Z"}, now)[1]
    'not yet valid: validFrom 2026-01-01T00:00:00Z is after 2025-01-01T00:00:00+00:00'
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if "validFrom" not in document:
        return False, "validFrom is missing"
    valid_from = parse_datetime(document["validFrom"])
    if valid_from > now:
        return False, f"not yet valid: validFrom {document['validFrom']} is after {now.isoformat()}"
    if "validUntil" in document:
        valid_until = parse_datetime(document["validUntil"])
        if valid_until < now:
            return (
                False,
                f"expired: validUntil {document['validUntil']} is before {now.isoformat()}",
            )
        if valid_until < valid_from:
            return False, "validUntil is before validFrom"
        return True, f"valid from {document['validFrom']} until {document['validUntil']}"
    return True, f"valid from {document['validFrom']}"


def check_schema(
    document: Mapping[str, Any], validate_schema: Callable[[Any], list[str]]
) -> tuple[bool, str]:
    """Check the document against the JSON Schema through `validate_schema`.

    Examples
    --------
    >>> check_schema({}, lambda d: ["$: 'id' is a required property"])
    (False, "$: 'id' is a required property")
    """
    errors = validate_schema(document)
    if errors:
        return False, "; ".join(errors)
    return True, "valid against the JSON Schema"


def run_check(name: str, check: Check, document: Mapping[str, Any]) -> CheckResult:
    """Run one named check on `document`; an exception becomes a failed result, never escapes.

    This is how :func:`verify_credential` runs each of its checks; a verifier that adds or
    replaces a check (e.g. :func:`app.domain.credentials.clr.verify_clr`) runs it the same way.

    Parameters
    ----------
    name : str
        Name of the check in the report, e.g. ``"schema"``.
    check : Check
        ``check(document) -> (ok, message)``.
    document : Mapping
        The credential being verified.

    Returns
    -------
    CheckResult
        The check's verdict and message; for an exception, a failure whose message is the
        innermost pyld reason (JSON-LD errors) or the exception's text.

    Examples
    --------
    >>> run_check("validity", lambda d: (True, "valid"), {})
    CheckResult(check='validity', ok=True, message='valid')
    >>> run_check("issuer", lambda d: d["issuer"], {})
    CheckResult(check='issuer', ok=False, message="'issuer'")
    """
    try:
        ok, message = check(document)
    except jsonld.JsonLdError as exc:
        return CheckResult(name, False, f"JSON-LD processing failed: {jsonld_error_reason(exc)}")
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        return CheckResult(name, False, str(exc) or type(exc).__name__)
    except Exception as exc:  # noqa: BLE001 - verification must report, never raise
        return CheckResult(name, False, f"check failed unexpectedly: {type(exc).__name__}: {exc}")
    return CheckResult(name, bool(ok), message)


def verify_credential(
    document: Any,
    *,
    loader: DocumentLoader,
    resolve_public_key: Callable[[str], bytes | None],
    validate_schema: Callable[[Any], list[str]],
    now: datetime,
    is_known_issuer: IssuerLookup,
    is_live_method: Callable[[str], bool] | None = None,
    extra_checks: Sequence[tuple[str, Check]] = (),
    allowed_undefined: Collection[str] = ALLOWED_UNDEFINED_TERMS,
) -> VerificationReport:
    """Run every check on `document`; never raises on bad input.

    Parameters
    ----------
    document : object
        The received credential (anything: non-objects fail every check).
    loader : callable
        Offline pyld document loader.
    resolve_public_key : callable
        Raw Ed25519 public key for a verification-method id, or None.
    validate_schema : callable
        JSON Schema validator returning error messages.
    now : datetime
        Timezone-aware "now" for the validity window.
    is_known_issuer : callable
        Whether an issuer id (DID) is trusted by this registry.
    is_live_method : callable, optional
        Whether a verification method's key is still listed by its issuer (not retired).
    extra_checks : sequence of (name, check)
        Checks appended after the built-in ones, e.g. ``("status", check_status)``.
    allowed_undefined : collection of str
        Terms tolerated by the context check (default :data:`ALLOWED_UNDEFINED_TERMS`).

    Returns
    -------
    VerificationReport
        ``verified`` and the check results in order.

    Examples
    --------
    >>> report = verify_credential("not a credential", loader=lambda u, o=None: {},
    ...     resolve_public_key=lambda vm: None, validate_schema=lambda d: [],
    ...     now=datetime(2025, 1, 1, tzinfo=UTC), is_known_issuer=lambda i: True)
    >>> report.verified, [c.check for c in report.checks]
    (False, ['context', 'proof', 'issuer', 'validity', 'schema'])
    >>> report.checks[0].message
    'credential must be a JSON object'
    """
    # One expansion per call, shared by the context and proof checks (a local memo, not state).
    memo: dict[int, tuple[list[Any], list[str]]] = {}

    def expand(d: Mapping[str, Any]) -> tuple[list[Any], list[str]]:
        if id(d) not in memo:
            memo[id(d)] = expand_document(d, loader)
        return memo[id(d)]

    def expanded_or_none(d: Mapping[str, Any]) -> list[Any] | None:
        return memo.get(id(d), (None, []))[0]

    checks: list[tuple[str, Check]] = [
        ("context", lambda d: check_context(d, loader, allowed_undefined, expand)),
        ("proof", lambda d: check_proof(d, loader, resolve_public_key, expanded_or_none(d))),
        ("issuer", lambda d: check_issuer(d, is_known_issuer, is_live_method)),
        ("validity", lambda d: check_validity(d, now)),
        ("schema", lambda d: check_schema(d, validate_schema)),
        *extra_checks,
    ]
    if not isinstance(document, Mapping):
        results = tuple(
            CheckResult(name, False, "credential must be a JSON object") for name, _ in checks
        )
        return VerificationReport(False, results)
    results = tuple(run_check(name, check, document) for name, check in checks)
    return VerificationReport(all(r.ok for r in results), results)
