"""Offline JSON Schema validation of credentials (file I/O; not part of the domain).

Two schemas from ``schemas/json-schema``, both draft 2019-09, each turned into a callable
``validate(document) -> list[str]`` (empty when valid) that the domain receives by injection:

* :func:`load_credential_validator`: the OB 3.0 AchievementCredential JSON Schema, for every
  Open Badge (unit, EPA, diploma) and every credential embedded in a CLR;
* :func:`load_clr_validator`: the CLR 2.0 ``ClrCredential`` JSON Schema in the VC 2.0 shape
  (written for this registry, see the schema's ``description``), for the outer CLR record.

All ``$ref`` are local (``#/$defs/...``); a registry with no retrieval function guarantees nothing
is fetched.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from jsonschema import Draft201909Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.exceptions import Unretrievable

__all__ = [
    "OB_SCHEMA_FILE",
    "CLR_SCHEMA_FILE",
    "SchemaValidator",
    "load_credential_validator",
    "load_clr_validator",
    "load_schema",
    "validate_status_set",
]

OB_SCHEMA_FILE = "ob-v3p0-achievementcredential-schema.json"
CLR_SCHEMA_FILE = "clr-v2p0-clrcredential-vc2.schema.json"
#: Keywords whose own jsonschema message does not say what was wanted ("… does not contain items
#: matching the given schema"); the CLR schema describes each such rule in its ``description``.
DESCRIBED_KEYWORDS = frozenset({"contains", "anyOf", "oneOf", "const"})

SchemaValidator = Callable[[Any], list[str]]


def load_schema(schema_dir: Path, name: str = OB_SCHEMA_FILE) -> dict[str, Any]:
    """Return the parsed JSON Schema file `name` from `schema_dir`."""
    schema: dict[str, Any] = json.loads((schema_dir / name).read_text(encoding="utf-8"))
    return schema


def _no_retrieval(uri: str) -> Resource[Any]:
    raise Unretrievable(f"refusing to fetch {uri!r}: schemas are offline only")


def _offline_validator(schema: dict[str, Any]) -> Draft201909Validator:
    """Return a draft 2019-09 validator of `schema` that resolves only its own ``$ref``."""
    Draft201909Validator.check_schema(schema)
    registry: Registry[Any] = Registry(retrieve=_no_retrieval).with_resource(  # type: ignore[call-arg]
        schema.get("$id", ""), Resource.from_contents(schema)
    )
    return Draft201909Validator(schema, registry=registry, format_checker=FormatChecker())


def _by_path(errors: Iterable[ValidationError]) -> list[ValidationError]:
    return sorted(errors, key=lambda e: list(map(str, e.path)))


def load_credential_validator(schema_dir: Path, name: str = OB_SCHEMA_FILE) -> SchemaValidator:
    """Return ``validate(document) -> list[str]`` for the schema `name` in `schema_dir`.

    Messages read ``"<json path>: <error>"``, sorted by path; an empty list means valid.
    ``format`` keywords (``date-time``, ``uri``…) are checked where jsonschema has a checker.
    """
    schema = load_schema(schema_dir, name)
    validator = _offline_validator(schema)

    def validate_once(document: Any) -> list[str]:
        return [f"{e.json_path}: {e.message}" for e in _by_path(validator.iter_errors(document))]

    entry_schema = schema.get("properties", {}).get("credentialStatus")
    entry_validator = (
        Draft201909Validator(
            {"$defs": schema.get("$defs", {}), **entry_schema}, format_checker=FormatChecker()
        )
        if isinstance(entry_schema, dict)
        else None
    )

    def validate_entry(entry: Any) -> list[str]:
        if entry_validator is None:
            return validate_once({"credentialStatus": entry})
        return [
            f"$.credentialStatus{e.json_path[1:]}: {e.message}"
            for e in entry_validator.iter_errors(entry)
        ]

    def validate(document: Any) -> list[str]:
        return validate_status_set(document, validate_once, validate_entry)

    return validate


def validate_status_set(
    document: Any, validate_once: SchemaValidator, validate_entry: SchemaValidator | None = None
) -> list[str]:
    """Validate a document whose ``credentialStatus`` may be a list of entries.

    VC 2.0 allows a set of status entries (we issue one for revocation and one for
    suspension); the OB 3.0 JSON Schema of 2024 types ``credentialStatus`` as one object. The
    document is validated with its first entry in that position, and every further entry on
    its own against the schema's ``credentialStatus`` definition (`validate_entry`).

    >>> def check(d):
    ...     return [] if isinstance(d.get("credentialStatus", {}), dict) else ["not an object"]
    >>> validate_status_set({"credentialStatus": [{"a": 1}, {"b": 2}]}, check)
    []
    >>> validate_status_set({"credentialStatus": []}, check)
    ['$.credentialStatus: an empty list of status entries']
    """
    entries = document.get("credentialStatus") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        return validate_once(document)
    if not entries:
        return ["$.credentialStatus: an empty list of status entries"]
    errors = [
        m.replace("$.credentialStatus", "$.credentialStatus[0]", 1)
        for m in validate_once({**document, "credentialStatus": entries[0]})
    ]
    for index, entry in enumerate(entries[1:], start=1):
        found = (
            validate_entry(entry)
            if validate_entry
            else validate_once({**document, "credentialStatus": entry})
        )
        for message in found:
            located = message.replace("$.credentialStatus", f"$.credentialStatus[{index}]", 1)
            if located not in errors:
                errors.append(located)
    return errors


def described_message(error: ValidationError) -> str:
    """Return ``"<json path>: <message>"``, the message being the rule's own description.

    For a failing ``contains``, ``anyOf``, ``oneOf`` or ``const`` whose schema has a
    ``description``, that description says what was wanted better than jsonschema's generic
    text; any other error keeps jsonschema's message.

    >>> validator = Draft201909Validator({"properties": {"type": {
    ...     "contains": {"const": "ClrCredential"}, "description": "must contain ClrCredential"}}})
    >>> [described_message(e) for e in validator.iter_errors({"type": ["VerifiableCredential"]})]
    ['$.type: must contain ClrCredential']
    >>> [described_message(e) for e in validator.iter_errors({"type": 3})]
    []
    """
    description = error.schema.get("description") if isinstance(error.schema, dict) else None
    if error.validator in DESCRIBED_KEYWORDS and isinstance(description, str):
        return f"{error.json_path}: {description}"
    return f"{error.json_path}: {error.message}"


def load_clr_validator(schema_dir: Path, name: str = CLR_SCHEMA_FILE) -> SchemaValidator:
    """Return ``validate(document) -> list[str]`` for the CLR 2.0 ``ClrCredential`` schema.

    Validated exactly like the OB 3.0 schema (draft 2019-09, offline ``$ref``, ``format``
    checks), without the OB status-set adaptation: messages read ``"<json path>: <error>"``
    (see :func:`described_message`), sorted by path; an empty list means valid. Embedded
    credentials are only required to be objects: the domain verifies each one on its own.
    """
    validator = _offline_validator(load_schema(schema_dir, name))

    def validate(document: Any) -> list[str]:
        return [described_message(e) for e in _by_path(validator.iter_errors(document))]

    return validate
