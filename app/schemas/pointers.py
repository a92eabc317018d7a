"""marshmallow error messages as RFC 6901 JSON pointers: the `errors` of a problem document."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def pointer_errors(messages: Any, pointer: str = "") -> list[dict[str, str]]:
    """Flatten marshmallow's nested messages into ``{"pointer", "message"}`` items.

    >>> pointer_errors({"units": {0: {"code": ["Missing data for required field."]}}})
    [{'pointer': '/units/0/code', 'message': 'Missing data for required field.'}]
    """
    if isinstance(messages, Mapping):
        errors = []
        for key, value in messages.items():
            name = "" if key == "_schema" else "/" + str(key).replace("~", "~0").replace("/", "~1")
            errors += pointer_errors(value, pointer + name)
        return errors
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [{"pointer": pointer or "/", "message": " ".join(messages)}]
    if isinstance(messages, list):
        return [e for m in messages for e in pointer_errors(m, pointer)]
    return [{"pointer": pointer or "/", "message": str(messages)}]
