"""CLR 2.0 learner records (``ClrCredential``): the builder and the verifier.

``build_clr_credential``
    The learner's signed OB credentials embedded as-is in
    ``credentialSubject.verifiableCredential``, their achievements in ``achievement`` and
    registry relations in ``association`` (``precedes``: prerequisite → unit that requires it;
    ``isPartOf``: unit or EPA → qualification), see :func:`registry_associations`.
``verify_clr``
    The usual checks of :func:`app.domain.credentials.verification.verify_credential` on the
    outer credential, whose ``schema`` check is :func:`clr_schema_check` (the CLR 2.0
    ``ClrCredential`` JSON Schema in the VC 2.0 shape, through an injected validator), plus an
    ``embedded`` check that verifies every embedded credential on its own.

The domain reads no schema file: the CLR validator is a callable
``validate_clr_schema(document) -> list[str]`` (built by :mod:`app.adapters.json_schemas`),
just as the OB 3.0 one is.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

from app.domain.credentials.envelope import (
    EDUCREDENTIAL_CONTEXT,
    OB_CONTEXT,
    VC_V2_CONTEXT,
    format_datetime,
    issuer_of,
)
from app.domain.credentials.proof import DocumentLoader
from app.domain.credentials.verification import (
    ALLOWED_UNDEFINED_TERMS,
    Check,
    IssuerLookup,
    Verdict,
    VerificationReport,
    run_check,
    verify_credential,
)
from app.domain.model import Prerequisite, Qualification

__all__ = [
    "CLR_CONTEXT",
    "ASSOCIATION_TYPES",
    "AssociationType",
    "CLR_SCHEMA_NOTE",
    "AssociationFacts",
    "ClrFacts",
    "registry_associations",
    "build_clr_credential",
    "clr_schema_check",
    "verify_clr",
]

#: The CLR 2.0.1 context (second ``@context`` of a CLR, before the OB 3.0.3 one).
CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
#: CLR 2.0 ``AssociationType``, a closed enumeration (the CLR JSON Schema lists the same).
AssociationType = Literal[
    "exactMatchOf",
    "isChildOf",
    "isParentOf",
    "isPartOf",
    "isPeerOf",
    "isRelatedTo",
    "precedes",
    "replacedBy",
]
ASSOCIATION_TYPES: tuple[str, ...] = get_args(AssociationType)
#: Start of the message of a passing CLR ``schema`` check.
CLR_SCHEMA_NOTE = "valid against the CLR 2.0 ClrCredential JSON Schema (VC 2.0 shape)"


@dataclass(frozen=True, slots=True, order=True)
class AssociationFacts:
    """A CLR ``Association``: `source_id` <association_type> `target_id` (achievement ids)."""

    association_type: AssociationType
    source_id: str
    target_id: str


@dataclass(frozen=True, slots=True)
class ClrFacts:
    """Everything needed to build one CLR 2.0 learner record; filled by the issuing service.

    Attributes
    ----------
    credential_id, issued_at, issuer_did, institution_name, learner_id
        As in :class:`app.domain.credentials.epa.EpaCredentialFacts`.
    credentials : tuple of Mapping
        The learner's *signed* OB credentials, embedded unchanged (at least one). Each
        ``credentialSubject.id`` must be `learner_id`.
    associations : tuple of AssociationFacts
        Relations between achievements of those credentials (see :func:`registry_associations`);
        both ends must be achievement ids of `credentials`.
    name : str
        Display name of the record.
    description : str, optional
        Display description.
    partial : bool, optional
        CLR ``partial``: True when the record leaves out some of the learner's credentials.
    valid_until, institution_url, institution_brin : optional
        As in the other facts.
    """

    credential_id: str
    issued_at: datetime
    issuer_did: str
    institution_name: str
    learner_id: str
    credentials: tuple[Mapping[str, Any], ...]
    associations: tuple[AssociationFacts, ...] = ()
    name: str = "Leerlingdossier (Comprehensive Learner Record)"
    description: str | None = None
    partial: bool | None = None
    valid_until: datetime | None = None
    institution_url: str | None = None
    institution_brin: str | None = None


def registry_associations(
    prerequisites: Iterable[Prerequisite],
    qualifications: Iterable[Qualification],
    achievement_ids: Mapping[str, str],
) -> tuple[AssociationFacts, ...]:
    """Return the CLR associations between the achievements of one record, sorted.

    * ``precedes``: for a prerequisite "`unit` requires `requires`", source = `requires`,
      target = `unit` (the prerequisite comes first).
    * ``isPartOf``: a unit (mandatory or elective option) or required EPA of a qualification
      is part of that qualification.

    Only relations whose both ends are in `achievement_ids` are returned, so the record is
    self-contained.

    Parameters
    ----------
    prerequisites : iterable of Prerequisite
        The registry's prerequisite edges.
    qualifications : iterable of Qualification
        The registry's qualifications (units, elective options, required EPAs).
    achievement_ids : Mapping[str, str]
        Registry code (unit, EPA or qualification) → achievement id, for the achievements
        in the record.

    Examples
    --------
    >>> ids = {"A": "https://r.nl/units/A", "B": "https://r.nl/units/B", "Q": "https://r.nl/q/Q"}
    >>> for a in registry_associations([Prerequisite("B", "A"), Prerequisite("C", "B")],
    ...                                [Qualification("Q", "Q", "mbo", units=("A", "B"))], ids):
    ...     print(a.association_type, a.source_id.rsplit("/", 1)[1], a.target_id.rsplit("/", 1)[1])
    isPartOf A Q
    isPartOf B Q
    precedes A B
    """
    found: set[AssociationFacts] = set()
    for prerequisite in prerequisites:
        if prerequisite.requires in achievement_ids and prerequisite.unit in achievement_ids:
            found.add(
                AssociationFacts(
                    "precedes",
                    achievement_ids[prerequisite.requires],
                    achievement_ids[prerequisite.unit],
                )
            )
    for qualification in qualifications:
        if qualification.code not in achievement_ids:
            continue
        parts = (
            *qualification.units,
            *qualification.electives.options,
            *(required.epa for required in qualification.required_epas),
        )
        for part in parts:
            if part in achievement_ids:
                found.add(
                    AssociationFacts(
                        "isPartOf", achievement_ids[part], achievement_ids[qualification.code]
                    )
                )
    return tuple(sorted(found))


def _subject_achievement(credential: Mapping[str, Any]) -> Mapping[str, Any] | None:
    subject = credential.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
    return achievement if isinstance(achievement, Mapping) else None


def _achievements(credentials: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for credential in credentials:
        achievement = _subject_achievement(credential)
        if achievement is not None and str(achievement.get("id")) not in seen:
            seen[str(achievement.get("id"))] = copy.deepcopy(dict(achievement))
    return list(seen.values())


def build_clr_credential(facts: ClrFacts) -> dict[str, Any]:
    """Return the unsigned CLR 2.0 ``ClrCredential`` embedding the learner's credentials.

    ``@context`` is ``[VC 2.0, CLR 2.0.1, OB 3.0.3, European metadata]`` (the first three in the
    ``achievement`` lists each distinct achievement of the embedded credentials, in order.

    Raises
    ------
    ValueError
        If a datetime is naive, there are no credentials, a credential is unsigned or about
        another learner, or an association has an unknown type or an end that is not an
        achievement of the record.

    Examples
    --------
    >>> from datetime import UTC
    >>> unit = {"credentialSubject": {"id": "https://r.nl/learners/l1",
    ...         "achievement": {"id": "https://r.nl/units/A", "type": ["Achievement"]}},
    ...         "proof": [{"type": "DataIntegrityProof"}]}
    >>> clr = build_clr_credential(ClrFacts(credential_id="urn:uuid:1",
    ...     issued_at=datetime(2025, 9, 1, tzinfo=UTC), issuer_did="did:key:z6MkX",
    ...     institution_name="ROC", learner_id="https://r.nl/learners/l1", credentials=(unit,)))
    >>> clr["type"], [a["id"] for a in clr["credentialSubject"]["achievement"]]
    (['VerifiableCredential', 'ClrCredential'], ['https://r.nl/units/A'])
    """
    if not facts.credentials:
        raise ValueError("a CLR needs at least one credential")
    for index, embedded in enumerate(facts.credentials):
        if "proof" not in embedded:
            raise ValueError(f"credential {index} is not signed (no proof)")
        about = embedded.get("credentialSubject")
        if not isinstance(about, Mapping) or about.get("id") != facts.learner_id:
            raise ValueError(f"credential {index} is not about learner {facts.learner_id!r}")
    achievements = _achievements(facts.credentials)
    ids = {a.get("id") for a in achievements}
    for association in facts.associations:
        if association.association_type not in ASSOCIATION_TYPES:
            raise ValueError(f"unknown associationType {association.association_type!r}")
        for end in (association.source_id, association.target_id):
            if end not in ids:
                raise ValueError(f"association end {end!r} is not an achievement of this record")
    subject: dict[str, Any] = {
        "id": facts.learner_id,
        "type": ["ClrSubject"],
        "verifiableCredential": [copy.deepcopy(dict(c)) for c in facts.credentials],
        "achievement": achievements,
    }
    if facts.associations:
        subject["association"] = [
            {
                "type": ["Association"],
                "associationType": association.association_type,
                "sourceId": association.source_id,
                "targetId": association.target_id,
            }
            for association in facts.associations
        ]
    credential: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT, CLR_CONTEXT, OB_CONTEXT, EDUCREDENTIAL_CONTEXT],
        "id": facts.credential_id,
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": facts.name,
        "issuer": issuer_of(facts),
        "validFrom": format_datetime(facts.issued_at),
        "credentialSubject": subject,
    }
    if facts.description:
        credential["description"] = facts.description
    if facts.partial is not None:
        credential["partial"] = facts.partial
    if facts.valid_until is not None:
        credential["validUntil"] = format_datetime(facts.valid_until)
    return credential


def clr_schema_check(
    document: Mapping[str, Any], validate_clr_schema: Callable[[Any], list[str]]
) -> tuple[bool, str]:
    """The ``schema`` check of a CLR: the ``ClrCredential`` JSON Schema, through a validator.

    `validate_clr_schema` returns the schema's error messages (``"<json path>: <error>"``).
    The schema requires the types, the VC 2.0 and CLR contexts, ``id``/``name``/``issuer``/
    ``validFrom``, a ``ClrSubject`` with ``id`` (or ``identifier``) and at least one embedded
    credential object, Achievement essentials and Associations (closed ``associationType``
    enumeration). Embedded credentials are checked separately (``embedded`` check of
    :func:`verify_clr`).

    Examples
    --------
    >>> clr_schema_check({}, lambda d: ["$.type: must contain ClrCredential"])
    (False, '$.type: must contain ClrCredential')
    >>> ok, message = clr_schema_check({"credentialSubject": {"verifiableCredential": [{}]}},
    ...                                lambda d: [])
    >>> ok, message.removeprefix(CLR_SCHEMA_NOTE)
    (True, ': 1 credentials, 0 achievements, 0 associations')
    """
    errors = validate_clr_schema(document)
    if errors:
        return False, "; ".join(errors)
    subject = document.get("credentialSubject")
    subject = subject if isinstance(subject, Mapping) else {}
    counts = (
        f"{len(subject.get(key) or [])} {noun}"
        for key, noun in (
            ("verifiableCredential", "credentials"),
            ("achievement", "achievements"),
            ("association", "associations"),
        )
    )
    return True, f"{CLR_SCHEMA_NOTE}: " + ", ".join(counts)


def _embedded_check(
    verify: Callable[[Any], VerificationReport],
) -> Check:
    def check(document: Mapping[str, Any]) -> Verdict:
        subject = document.get("credentialSubject")
        credentials = subject.get("verifiableCredential") if isinstance(subject, Mapping) else None
        if not isinstance(credentials, list) or not credentials:
            return Verdict(
                False,
                "no-embedded-credentials",
                "no embedded credentials (credentialSubject.verifiableCredential)",
                "Het record bevat geen credentials (credentialSubject.verifiableCredential).",
            )
        learner = subject.get("id") if isinstance(subject, Mapping) else None
        failures: list[str] = []
        failures_nl: list[str] = []
        for index, credential in enumerate(credentials):
            label = f"verifiableCredential[{index}]"
            if isinstance(credential, Mapping) and isinstance(credential.get("id"), str):
                label += f" ({credential['id']})"
            report = verify(credential)
            failures += [f"{label}: {c.check}: {c.message}" for c in report.checks if not c.ok]
            failures_nl += [
                f"{label}: {c.check}: {c.message_nl}" for c in report.checks if not c.ok
            ]
            if isinstance(credential, Mapping):
                inner = credential.get("credentialSubject")
                inner_id = inner.get("id") if isinstance(inner, Mapping) else None
                if inner_id != learner:
                    failures.append(
                        f"{label}: credentialSubject.id {inner_id!r} is not the "
                        f"CLR subject {learner!r}"
                    )
                    failures_nl.append(f"{label}: gaat over iemand anders dan het record")
        if failures:
            return Verdict(
                False,
                "embedded-invalid",
                "; ".join(failures),
                "Niet elk credential in het record is in orde: " + "; ".join(failures_nl),
            )
        return Verdict(
            True,
            "valid",
            f"all {len(credentials)} embedded credentials verified",
            f"Alle {len(credentials)} credentials in het record zijn in orde.",
        )

    return check


def verify_clr(
    document: Any,
    *,
    loader: DocumentLoader,
    resolve_public_key: Callable[[str], bytes | None],
    validate_schema: Callable[[Any], list[str]],
    validate_clr_schema: Callable[[Any], list[str]],
    now: datetime,
    is_known_issuer: IssuerLookup,
    is_live_method: Callable[[str], bool] | None = None,
    extra_checks: Sequence[tuple[str, Check]] = (),
    allowed_undefined: Collection[str] = ALLOWED_UNDEFINED_TERMS,
) -> VerificationReport:
    """Verify a CLR and every credential embedded in it; never raises on bad input.

    Keyword arguments are those of
    :func:`app.domain.credentials.verification.verify_credential`, plus
    `validate_clr_schema`, the validator of the CLR 2.0 ``ClrCredential`` JSON Schema. The outer
    ``ClrCredential`` gets the usual checks, except that its ``schema`` check is
    :func:`clr_schema_check` with `validate_clr_schema` (`validate_schema`, the OB 3.0
    validator, is used for the embedded credentials). `extra_checks` (e.g. ``status``) run on
    the outer credential and on each embedded one. A final ``embedded`` check runs
    ``verify_credential`` on each embedded credential and reports every failing check as
    ``verifiableCredential[<index>] (<id>): <check>: <message>``; it also requires each
    embedded credential to be about the CLR's subject. A tampered embedded credential thus
    fails the CLR even when the outer proof (signed over the tampered copy) is valid.

    Returns
    -------
    VerificationReport
        Checks ``context, proof, issuer, validity, schema, *extra_checks, embedded``.

    Examples
    --------
    >>> from datetime import UTC
    >>> report = verify_clr("not a record", loader=lambda u, o=None: {},
    ...     resolve_public_key=lambda vm: None, validate_schema=lambda d: [],
    ...     validate_clr_schema=lambda d: [], now=datetime(2025, 1, 1, tzinfo=UTC),
    ...     is_known_issuer=lambda i: True)
    >>> report.verified, [c.check for c in report.checks]
    (False, ['context', 'proof', 'issuer', 'validity', 'schema', 'embedded'])
    """
    common: dict[str, Any] = {
        "loader": loader,
        "resolve_public_key": resolve_public_key,
        "now": now,
        "is_known_issuer": is_known_issuer,
        "is_live_method": is_live_method,
        "extra_checks": extra_checks,
        "allowed_undefined": allowed_undefined,
    }

    def verify_embedded(credential: Any) -> VerificationReport:
        return verify_credential(credential, validate_schema=validate_schema, **common)

    # The outer credential's schema check is left empty here and replaced below by the CLR one,
    # so the CLR schema is validated once and reported with its own message.
    report = verify_credential(
        document,
        validate_schema=lambda _document: [],
        **{
            **common,
            "extra_checks": [*extra_checks, ("embedded", _embedded_check(verify_embedded))],
        },
    )
    if not isinstance(document, Mapping):
        return report

    def schema_check(clr: Mapping[str, Any]) -> Verdict:
        ok, message = clr_schema_check(clr, validate_clr_schema)
        if ok:
            return Verdict(True, "valid", message, "Het record voldoet aan het CLR 2.0-schema.")
        return Verdict(
            False,
            "schema-invalid",
            message,
            "Het record voldoet niet aan het CLR 2.0-schema: " + message,
        )

    checks = tuple(
        run_check("schema", schema_check, document) if c.check == "schema" else c
        for c in report.checks
    )
    return VerificationReport(all(c.ok for c in checks), checks)
