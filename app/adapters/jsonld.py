"""Offline JSON-LD document loading: the only place that reads context files.

`load_context_documents` reads ``schemas/contexts/index.json`` (canonical URL → file name and
sha256) and the files it names. `make_document_loader` turns those documents into a pyld
document loader that serves exactly those URLs, resolves ``did:key`` DID URLs locally (DID
documents are built by :mod:`app.domain.credentials.did_key`) and refuses everything else with a
:class:`pyld.jsonld.JsonLdError`. It never touches the network.

Nothing here is module-level state: build the loader once (in the app factory) and pass it to
every pyld call. The loader carries its own resolved-context cache (``context_cache``); the
domain hands that cache to pyld through a per-call ``ContextResolver`` so that processed
contexts are reused across calls (pyld's default is a process-wide cache keyed only by URL,
which would leak contexts between loaders).
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cachetools import LRUCache
from pyld.jsonld import JsonLdError

from app.domain.credentials.did_key import did_key_document

__all__ = ["OfflineDocumentLoader", "load_context_documents", "make_document_loader"]

#: Resolved contexts kept per loader; a credential touches 2–4 contexts, scoped ones add more.
CONTEXT_CACHE_SIZE = 1024


def load_context_documents(contexts_dir: Path) -> dict[str, dict[str, Any]]:
    """Return ``{canonical URL: parsed JSON}`` for every entry of ``contexts_dir/index.json``.

    ``index.json`` maps each URL to ``{"file": name, "sha256": hex}``; the checksum of every
    file is verified so that a silently edited context (which would change every signature)
    is caught at start-up.

    Raises
    ------
    ValueError
        If a file's sha256 differs from the index or the index is malformed.
    FileNotFoundError
        If the index or a file it names is missing.
    """
    index = json.loads((contexts_dir / "index.json").read_text(encoding="utf-8"))
    if not isinstance(index, dict):
        raise ValueError("index.json must map URL -> {file, sha256}")
    documents: dict[str, dict[str, Any]] = {}
    for url, entry in index.items():
        raw = (contexts_dir / entry["file"]).read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        if digest != entry["sha256"]:
            raise ValueError(f"checksum mismatch for {entry['file']} ({url}): {digest}")
        documents[url] = json.loads(raw)
    return documents


def _refuse(url: str, reason: str) -> JsonLdError:
    return JsonLdError(
        f"Document {url!r} is not available offline: {reason}",
        "jsonld.LoadDocumentError",
        {"url": url},
        code="loading document failed",
    )


@dataclass(frozen=True, eq=False)
class OfflineDocumentLoader:
    """A pyld document loader serving only known documents.

    Call it as ``loader(url, options)``; it returns pyld's remote-document dict.

    Attributes
    ----------
    documents : Mapping[str, dict]
        Canonical URL → JSON document (contexts, and optionally DID documents or status lists).
    resolve_did_key : bool
        Serve ``did:key:`` URLs with a locally built DID document.
    context_cache : LRUCache
        Resolved-context cache handed to pyld by the domain (see module docstring).
    """

    documents: Mapping[str, dict[str, Any]]
    resolve_did_key: bool = True
    context_cache: LRUCache[str, Any] = field(
        default_factory=lambda: LRUCache(maxsize=CONTEXT_CACHE_SIZE), repr=False
    )

    @property
    def urls(self) -> frozenset[str]:
        """The URLs served (without did:key)."""
        return frozenset(self.documents)

    def serves(self, url: str) -> bool:
        """Whether :meth:`load` would return a document for `url` (without copying one)."""
        if not isinstance(url, str):
            return False
        if url in self.documents:
            return True
        try:
            self.load(url)
        except JsonLdError:
            return False
        return True

    def load(self, url: str) -> dict[str, Any]:
        """Return a copy of the JSON document at `url`, or raise JsonLdError."""
        if not isinstance(url, str):
            raise _refuse(repr(url), "URL must be a string")
        if url in self.documents:
            return copy.deepcopy(dict(self.documents[url]))
        if url.startswith("did:key:") and self.resolve_did_key:
            try:
                return did_key_document(url)
            except ValueError as exc:
                raise _refuse(url, str(exc)) from None
        did, _, _fragment = url.partition("#")
        if did != url and did in self.documents:
            return copy.deepcopy(dict(self.documents[did]))
        raise _refuse(url, "not in the offline document set (network access is disabled)")

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": self.load(url),
            # pyld only keeps a resolved context in the loader's shared cache when the
            # remote document is tagged "static" (offline documents never change).
            "tag": "static",
        }


def make_document_loader(
    documents: Mapping[str, dict[str, Any]],
    *,
    extra: Mapping[str, dict[str, Any]] | None = None,
    resolve_did_key: bool = True,
) -> OfflineDocumentLoader:
    """Return an offline pyld document loader for `documents` (plus `extra` documents).

    Parameters
    ----------
    documents : Mapping[str, dict]
        Usually ``load_context_documents(SCHEMAS_DIR / "contexts")``.
    extra : Mapping[str, dict], optional
        More documents by URL, e.g. a did:web DID document or a status list credential.
    resolve_did_key : bool
        Serve ``did:key`` DID URLs with a locally derived DID document (default True).
    """
    merged = dict(documents)
    if extra:
        merged.update(extra)
    return OfflineDocumentLoader(documents=merged, resolve_did_key=resolve_did_key)
