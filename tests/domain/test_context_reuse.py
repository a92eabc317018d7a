"""Processed JSON-LD contexts are reused across calls, and that changes no canonical form."""

from __future__ import annotations

from typing import Any

import pytest
from pyld import jsonld

from app.domain.credentials.proof import canonicalize, canonicalize_expanded, expand_document


def unsecured(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k != "proof"}


def test_warm_cache_gives_the_same_nquads_as_a_cold_one(jsonld_loader, signed_unit) -> None:
    def cold(url: str, options: Any = None) -> dict[str, Any]:  # no context_cache: fresh
        return jsonld_loader(url, options)

    document = unsecured(signed_unit)
    expected = canonicalize(document, cold)
    for _ in range(3):
        assert canonicalize(document, jsonld_loader) == expected
        expanded, _terms = expand_document(document, jsonld_loader)
        assert canonicalize_expanded(expanded, jsonld_loader) == expected


def test_type_scoped_contexts_are_processed_once(
    jsonld_loader, signed_unit, monkeypatch: pytest.MonkeyPatch
) -> None:
    expand_document(signed_unit, jsonld_loader)  # warm
    calls = []
    original = jsonld.JsonLdProcessor._create_term_definition

    def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(args[1] if len(args) > 1 else None)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(jsonld.JsonLdProcessor, "_create_term_definition", counting)
    expand_document(signed_unit, jsonld_loader)
    assert calls == []
