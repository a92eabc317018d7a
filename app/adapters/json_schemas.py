"""Offline JSON Schema validation of credentials (file I/O; not part of the domain).

`load_credential_validator` reads the OB 3.0 AchievementCredential JSON Schema (draft 2019-09)
from ``schemas/json-schema`` and returns a callable ``validate(document) -> list[str]``. All
``$ref`` are local (``#/$defs/...``); a registry with no retrieval function guarantees nothing is
fetched.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jsonschema import Draft201909Validator, FormatChecker
from referencing import Registry, Resource
from referencing.exceptions import Unretrievable

__all__ = ["OB_SCHEMA_FILE", "load_credential_validator", "load_schema"]

OB_SCHEMA_FILE = "ob-v3p0-achievementcredential-schema.json"

SchemaValidator = Callable[[Any], list[str]]


def load_schema(schema_dir: Path, name: str = OB_SCHEMA_FILE) -> dict[str, Any]:
    """Return the parsed JSON Schema file `name` from `schema_dir`."""
    schema: dict[str, Any] = json.loads((schema_dir / name).read_text(encoding="utf-8"))
    return schema


def _no_retrieval(uri: str) -> Resource[Any]:
    raise Unretrievable(f"refusing to fetch {uri!r}: schemas are offline only")


def load_credential_validator(schema_dir: Path, name: str = OB_SCHEMA_FILE) -> SchemaValidator:
    """Return ``validate(document) -> list[str]`` for the schema `name` in `schema_dir`.

    Messages read ``"<json path>: <error>"``, sorted by path; an empty list means valid.
    ``format`` keywords (``date-time``, ``uri``…) are checked where jsonschema has a checker.
    """
    schema = load_schema(schema_dir, name)
    Draft201909Validator.check_schema(schema)
    registry: Registry[Any] = Registry(retrieve=_no_retrieval).with_resource(  # type: ignore[call-arg]
        schema.get("$id", ""), Resource.from_contents(schema)
    )
    validator = Draft201909Validator(schema, registry=registry, format_checker=FormatChecker())

    def validate_once(document: Any) -> list[str]:
        errors = sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.path)))
        return [f"{e.json_path}: {e.message}" for e in errors]

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

    >>> check = lambda d: [] if isinstance(d.get("credentialStatus", {}), dict) else ["not an object"]
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
