"""Verification of a received credential: a list of named checks, never an exception.

Checks, in order:

``context``
    ``@context`` is a list of URLs, the first is VC 2.0 (or the first two are VC 1.1 and the
    EDC context: a European Digital Credential), every URL is served by the offline loader,
    and every term of the document is defined by those contexts.
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

Every check returns a :class:`Verdict`: ``ok``, a stable kebab-case ``code`` (``valid``,
``trusted-issuer``, ``bad-signature``, ``expired``, ...) and the message in English and in
Dutch. The Dutch texts live here, next to the check that decides; a check that still returns
``(ok, message)`` gets a generic code and Dutch text from :func:`run_check`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pyld import jsonld

from app.domain.credentials.edc import EDC_CONTEXTS
from app.domain.credentials.envelope import VC_V2_CONTEXT
from app.domain.credentials.proof import (
    DocumentLoader,
    expand_document,
    verify_proof,
)
from app.domain.credentials.verdict import Check, CheckResult, Verdict, run_check

__all__ = [
    "VC_V2_CONTEXT",
    "ALLOWED_UNDEFINED_TERMS",
    "CheckResult",
    "Verdict",
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


def _pass(code: str, message: str, message_nl: str) -> Verdict:
    return Verdict(True, code, message, message_nl)


def _fail(code: str, message: str, message_nl: str) -> Verdict:
    return Verdict(False, code, message, message_nl)


def check_context(
    document: Mapping[str, Any],
    loader: DocumentLoader,
    allowed_undefined: Collection[str] = ALLOWED_UNDEFINED_TERMS,
    expand: Callable[[Mapping[str, Any]], tuple[list[Any], list[str]]] | None = None,
) -> Verdict:
    """Check that every ``@context`` URL is shipped and every term is defined.

    Examples
    --------
    >>> verdict = check_context({"@context": [{"x": "https://x.org/"}]}, lambda u, o=None: {})
    >>> verdict.ok, verdict.code, verdict.message
    (False, 'unknown-context', '@context must be a list of URLs starting with https://www.w3.org/ns/credentials/v2')
    >>> verdict.message_nl
    'Het document begint niet met de context van Verifiable Credentials 2.0 (een lijst van URLs).'
    """  # noqa: E501
    contexts = document.get("@context")
    if (
        not isinstance(contexts, list)
        or not contexts
        or (contexts[0] != VC_V2_CONTEXT and contexts[:2] != list(EDC_CONTEXTS))
        or not all(isinstance(c, str) for c in contexts)
    ):
        return _fail(
            "unknown-context",
            f"@context must be a list of URLs starting with {VC_V2_CONTEXT}",
            "Het document begint niet met de context van Verifiable Credentials 2.0"
            " (een lijst van URLs).",
        )
    serves = getattr(loader, "serves", None)  # a cheap membership test, when the loader has one
    for url in contexts:
        try:
            if serves is None:
                loader(url, {})
            elif not serves(url):
                raise jsonld.JsonLdError("not served", "jsonld.LoadDocumentError")
        except jsonld.JsonLdError:
            return _fail(
                "unknown-context",
                f"context {url!r} is not known (not shipped with this verifier)",
                f"De context {url} is onbekend: deze verificateur kent hem niet.",
            )
    for proof in _proofs(document):
        extra = proof.get("@context")
        for url in extra if isinstance(extra, list) else [extra] if extra else []:
            if url not in contexts:
                return _fail(
                    "unknown-context",
                    f"proof context {url!r} is not among the document's contexts",
                    f"De context {url} van de handtekening hoort niet bij het document.",
                )
    _expanded, found = (expand or (lambda d: expand_document(d, loader)))(document)
    terms = [term for term in found if term not in allowed_undefined]
    if terms:
        return _fail(
            "undefined-terms",
            "undefined terms: " + ", ".join(terms),
            "Niet gedefinieerde begrippen (niet beschermd door de handtekening): "
            + ", ".join(terms),
        )
    return _pass(
        "valid",
        f"{len(contexts)} known contexts; every term is defined",
        f"{len(contexts)} bekende contexten; elk begrip is gedefinieerd.",
    )


#: Proof failure message (start) → code and Dutch text.
_PROOF_FAILURES: tuple[tuple[str, str, str], ...] = (
    ("document has no proof", "no-proof", "Het document heeft geen digitale handtekening."),
    (
        "signature does not match",
        "bad-signature",
        "De handtekening past niet bij de inhoud: het document is na ondertekening veranderd.",
    ),
    (
        "verification method",
        "unknown-key",
        "De sleutel waarmee is ondertekend, is niet te vinden.",
    ),
)


def check_proof(
    document: Mapping[str, Any],
    loader: DocumentLoader,
    resolve_public_key: Callable[[str], bytes | None],
    expanded: list[Any] | None = None,
) -> Verdict:
    """Check the eddsa-rdfc-2022 proof (see :func:`app.domain.credentials.proof.verify_proof`).

    >>> check_proof({"name": "x"}, lambda u, o=None: {}, lambda vm: None).code
    'no-proof'
    """
    result = verify_proof(
        document, resolve_public_key=resolve_public_key, loader=loader, expanded=expanded
    )
    if result.ok:
        return _pass(
            "valid",
            result.message,
            "De digitale handtekening (eddsa-rdfc-2022) is geldig.",
        )
    for start, code, dutch in _PROOF_FAILURES:
        if result.message.startswith(start):
            return _fail(code, result.message, dutch)
    return _fail(
        "invalid-proof", result.message, "De digitale handtekening is onleesbaar of onvolledig."
    )


def check_issuer(
    document: Mapping[str, Any],
    is_known_issuer: IssuerLookup,
    is_live_method: Callable[[str], bool] | None = None,
) -> Verdict:
    """Check the issuer is trusted and its DID controls the proof's verification method.

    A known but untrusted issuer fails, and so does an unknown one; only a trusted
    institution passes, and the message names it.

    Examples
    --------
    >>> doc = {"issuer": {"id": "did:key:z6MkA"},
    ...        "proof": {"verificationMethod": "did:key:z6MkB#z6MkB"}}
    >>> check_issuer(doc, lambda i: True)[:3]
    (False, 'method-not-controlled', "verification method 'did:key:z6MkB#z6MkB' is not controlled by issuer 'did:key:z6MkA'")
    >>> check_issuer(doc, lambda i: False)[:3]
    (False, 'unknown-issuer', "unknown issuer 'did:key:z6MkA': not an issuer of this registry")
    >>> untrusted = IssuerStanding(IssuerTrust.UNTRUSTED, "EVIL", "Nep ROC")
    >>> check_issuer(doc, lambda i: untrusted).message_nl
    'De uitgever (Nep ROC) is bij dit register bekend, maar wordt niet vertrouwd.'
    """  # noqa: E501
    issuer = issuer_id(document)
    standing = issuer_standing(is_known_issuer, issuer)
    if standing.trust is IssuerTrust.UNKNOWN:
        return _fail(
            "unknown-issuer",
            f"unknown issuer {issuer!r}: not an issuer of this registry",
            f"De uitgever {issuer} is geen instelling van dit register.",
        )
    if standing.trust is IssuerTrust.UNTRUSTED:
        who = standing.name or standing.institution
        return _fail(
            "untrusted-issuer",
            f"issuer {issuer!r} ({who}) is known to this registry but not trusted",
            f"De uitgever ({who}) is bij dit register bekend, maar wordt niet vertrouwd.",
        )
    proofs = _proofs(document)
    if not proofs:
        return _fail(
            "no-proof",
            "no proof, so no verification method to match the issuer",
            "Er is geen handtekening, dus geen sleutel om aan de uitgever te koppelen.",
        )
    for proof in proofs:
        vm = proof.get("verificationMethod")
        if not isinstance(vm, str) or vm.partition("#")[0] != issuer or "#" not in vm:
            return _fail(
                "method-not-controlled",
                f"verification method {vm!r} is not controlled by issuer {issuer!r}",
                f"De sleutel {vm} is niet van de uitgever {issuer}.",
            )
        if is_live_method is not None and not is_live_method(vm):
            return _fail(
                "retired-key",
                f"key {vm!r} is no longer listed by issuer {issuer!r} (retired)",
                f"De uitgever gebruikt de sleutel {vm} niet meer (buiten gebruik gesteld).",
            )
    if standing.name:
        return _pass(
            "trusted-issuer",
            f"a trusted institution of this registry: {standing.name}; its key signed the proof",
            f"Een instelling die dit register vertrouwt: {standing.name}; haar sleutel heeft"
            " ondertekend.",
        )
    return _pass(
        "trusted-issuer",
        f"issuer {issuer!r} is trusted and controls the verification method",
        f"De uitgever {issuer} wordt vertrouwd en de sleutel is van haar.",
    )


def check_validity(document: Mapping[str, Any], now: datetime) -> Verdict:
    """Check ``validFrom`` ≤ `now` ≤ ``validUntil`` (when present).

    Examples
    --------
    >>> now = datetime(2025, 1, 1, tzinfo=UTC)
    >>> window = {"validFrom": "2024-01-01T00:00:00Z", "validUntil": "2024-06-01T00:00:00Z"}
    >>> check_validity(window, now)[:3]
    (False, 'expired', 'expired: validUntil 2024-06-01T00:00:00Z is before 2025-01-01T00:00:00+00:00')
    >>> check_validity(window, now).message_nl
    'Verlopen: geldig tot 2024-06-01T00:00:00Z.'
    >>> check_validity({"validFrom": "2026-01-01T00:00:00Z"}, now)[1]
    'not-yet-valid'
    """  # noqa: E501
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if "validFrom" not in document:
        return _fail(
            "no-valid-from", "validFrom is missing", "De begindatum (validFrom) ontbreekt."
        )
    start = document["validFrom"]
    valid_from = parse_datetime(start)
    if valid_from > now:
        return _fail(
            "not-yet-valid",
            f"not yet valid: validFrom {start} is after {now.isoformat()}",
            f"Nog niet geldig: geldig vanaf {start}.",
        )
    if "validUntil" in document:
        end = document["validUntil"]
        valid_until = parse_datetime(end)
        if valid_until < now:
            return _fail(
                "expired",
                f"expired: validUntil {end} is before {now.isoformat()}",
                f"Verlopen: geldig tot {end}.",
            )
        if valid_until < valid_from:
            return _fail(
                "invalid-dates",
                "validUntil is before validFrom",
                "De einddatum ligt voor de begindatum.",
            )
        return _pass("valid", f"valid from {start} until {end}", f"Geldig van {start} tot {end}.")
    return _pass("valid", f"valid from {start}", f"Geldig vanaf {start}.")


def check_schema(
    document: Mapping[str, Any], validate_schema: Callable[[Any], list[str]]
) -> Verdict:
    """Check the document against the JSON Schema through `validate_schema`.

    Examples
    --------
    >>> check_schema({}, lambda d: ["$: 'id' is a required property"])
    Verdict(ok=False, code='schema-invalid', message="$: 'id' is a required property", message_nl="Het document voldoet niet aan het JSON Schema: $: 'id' is a required property")
    """  # noqa: E501
    errors = validate_schema(document)
    if errors:
        return _fail(
            "schema-invalid",
            "; ".join(errors),
            "Het document voldoet niet aan het JSON Schema: " + "; ".join(errors),
        )
    return _pass(
        "valid", "valid against the JSON Schema", "Het document voldoet aan het JSON Schema."
    )


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
            CheckResult(
                name,
                False,
                "credential must be a JSON object",
                "not-an-object",
                "Een credential is een JSON-object; dit is iets anders.",
            )
            for name, _ in checks
        )
        return VerificationReport(False, results)
    results = tuple(run_check(name, check, document) for name, check in checks)
    return VerificationReport(all(r.ok for r in results), results)
