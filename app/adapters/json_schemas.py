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

from jsonschema import Draft7Validator, Draft201909Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.exceptions import Unretrievable

__all__ = [
    "OB_SCHEMA_FILE",
    "CLR_SCHEMA_FILE",
    "SchemaValidator",
    "load_credential_validator",
    "load_clr_validator",
    "load_case_validator",
    "load_schema",
]

OB_SCHEMA_FILE = "ob-v3p0-achievementcredential-schema.json"
CLR_SCHEMA_FILE = "clr-v2p0-clrcredential-vc2.schema.json"
#: OpenSALT's CASE 1.0 CFPackage schema (no ``$schema``; ``definitions`` refs, valid as draft 7).
CASE_SCHEMA_FILE = "case-v1p0-cfpackage-schema.json"
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

    return validate_once


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
    checks): messages read ``"<json path>: <error>"``
    (see :func:`described_message`), sorted by path; an empty list means valid. Embedded
    credentials are only required to be objects: the domain verifies each one on its own.
    """
    validator = _offline_validator(load_schema(schema_dir, name))

    def validate(document: Any) -> list[str]:
        return [described_message(e) for e in _by_path(validator.iter_errors(document))]

    return validate


def _pointer(error: ValidationError) -> str:
    """The JSON pointer of `error`'s instance; for a missing member, of that member."""
    parts = [str(part).replace("~", "~0").replace("/", "~1") for part in error.absolute_path]
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [name for name in error.validator_value if name not in error.instance]
        parts += [name for name in missing if error.message == f"{name!r} is a required property"]
    return "/" + "/".join(parts) if parts else "/"


def load_case_validator(
    schema_dir: Path, name: str = CASE_SCHEMA_FILE
) -> Callable[[Any], list[dict[str, str]]]:
    """Return ``validate(package) -> [{"pointer", "message"}]`` for the CASE 1.0 CFPackage schema.

    Draft 7, offline, with ``format`` checks: ``uri`` (rfc3986-validator) and ``date-time``
    (rfc3339-validator) are checked because those packages are installed. A missing member is
    pointed at itself (``/CFItems/3/fullStatement``); an empty list means valid.

    >>> validate = load_case_validator(Path(__file__).parents[2] / "schemas" / "json-schema")
    >>> validate({"CFDocument": {"identifier": "0b5c3c56-2a3b-5f3e-9d1e-7f1f2f8f4a10",
    ...     "uri": "no uri", "creator": "ROC", "title": "Q", "lastChangeDateTime": "gisteren"}})
    ... # doctest: +NORMALIZE_WHITESPACE
    [{'pointer': '/CFDocument/lastChangeDateTime', 'message': "'gisteren' is not a 'date-time'"},
     {'pointer': '/CFDocument/uri', 'message': "'no uri' is not a 'uri'"}]
    """
    schema = load_schema(schema_dir, name)
    Draft7Validator.check_schema(schema)
    registry: Registry[Any] = Registry(retrieve=_no_retrieval)  # type: ignore[call-arg]
    validator = Draft7Validator(schema, registry=registry, format_checker=FormatChecker())

    def validate(package: Any) -> list[dict[str, str]]:
        errors = sorted(validator.iter_errors(package), key=lambda e: (_pointer(e), e.message))
        return [{"pointer": _pointer(e), "message": e.message} for e in errors]

    return validate
