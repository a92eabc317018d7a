"""W3C Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite (vc-di-eddsa).

Algorithm (https://www.w3.org/TR/vc-di-eddsa/#eddsa-rdfc-2022):

1. *Transformation*: drop ``proof``, canonicalize the document with RDFC-1.0 (pyld calls it
   ``URDNA2015``; the output is identical) to N-Quads.
2. *Proof configuration*: the proof options without ``proofValue``, with ``@context`` set to
   the document's ``@context``, canonicalized the same way.
3. *Hashing*: ``SHA-256(proof config) || SHA-256(document)`` (64 bytes, proof hash first).
4. *Serialization*: Ed25519 signature of those 64 bytes, multibase base58btc (``z…``).

The domain holds no keys and does no I/O: signing takes a ``sign(bytes) -> bytes`` callable,
verification a ``resolve_public_key(verification_method) -> bytes | None`` callable, and
JSON-LD contexts come only from the injected pyld document ``loader``. When the loader has a
``context_cache`` attribute (see :class:`app.adapters.jsonld.OfflineDocumentLoader`) processed
contexts are cached there; otherwise each call resolves its contexts afresh (never pyld's
process-wide cache, which is keyed by URL only and shared by every loader).
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pyld import jsonld
from pyld.canon import URDNA2015
from pyld.context_resolver import ContextResolver
from pyld.identifier_issuer import IdentifierIssuer
from pyld.resolved_context import ResolvedContext

from app.domain.credentials.multibase import multibase_decode, multibase_encode_base58btc

__all__ = [
    "CRYPTOSUITE",
    "PROOF_TYPE",
    "ISSUER_DEPENDENT_VOCAB",
    "DocumentLoader",
    "ProofResult",
    "jsonld_options",
    "canonicalize",
    "canonicalize_expanded",
    "expand_document",
    "proof_configuration",
    "hash_data",
    "add_proof",
    "verify_proof",
    "undefined_terms",
    "is_xsd_datetime",
    "jsonld_error_reason",
]

CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_TYPE = "DataIntegrityProof"
#: The ``@vocab`` of VC 2.0 drafts: undefined terms silently expanded under it.
ISSUER_DEPENDENT_VOCAB = "https://www.w3.org/ns/credentials/issuer-dependent#"
#: Expanded IRI of the ``proof`` property (a ``@graph`` container).
PROOF_IRI = "https://w3id.org/security#proof"

#: pyld document loader: ``loader(url, options) -> {"document": ..., "documentUrl": ...}``.
DocumentLoader = Callable[..., dict[str, Any]]


@dataclass(frozen=True, slots=True)
class ProofResult:
    """Outcome of :func:`verify_proof`; `message` says why when `ok` is False."""

    ok: bool
    message: str
    verification_method: str | None = None


def jsonld_options(loader: DocumentLoader, **extra: Any) -> dict[str, Any]:
    """Return pyld options that resolve contexts only through `loader`.

    A fresh ``ContextResolver`` is created per call, backed by ``loader.context_cache`` when
    the loader has one (fast repeat calls) and by an empty dict otherwise.

    Examples
    --------
    >>> opts = jsonld_options(lambda url, options=None: {}, algorithm="URDNA2015")
    >>> sorted(opts)
    ['algorithm', 'contextResolver', 'documentLoader']
    """
    cache = getattr(loader, "context_cache", None)
    resolver = _ReusingContextResolver({} if cache is None else cache, loader)
    return {"documentLoader": loader, "contextResolver": resolver, **extra}


#: Active-context keys that pyld's ``_clone_active_context`` keeps (plus its ``_uuid``).
_CLONE_KEYS = frozenset({"mappings", "@base", "@language", "@vocab", "previousContext", "_uuid"})


def _processed_key(active_ctx: Mapping[str, Any]) -> Any:
    """Cache key of `active_ctx` for processed contexts: its ``_uuid``, except for a clone.

    pyld clones the active context (a new dict with a fresh random ``_uuid``) before applying
    every non-propagating (type-scoped) context, so its uuid-keyed cache never hits for them
    and every type-scoped context of the OB 3.0 context is re-processed for every node, on
    every call. A clone holds nothing but its parent's mappings, base, language and vocab, and
    the parent as ``previousContext``; such a context is keyed by its parent's uuid instead
    (same inputs, same processed result).
    """
    previous = active_ctx.get("previousContext")
    if (
        previous is not None
        and previous is not active_ctx
        and "_uuid" in previous
        and _CLONE_KEYS.issuperset(active_ctx)
        and all(
            (key in active_ctx) == (key in previous) and active_ctx.get(key) == previous.get(key)
            for key in ("@base", "@language", "@vocab")
        )
        and active_ctx["mappings"] == previous["mappings"]
    ):
        return ("clone-of", previous["_uuid"])
    return active_ctx["_uuid"]


class _ReusingResolvedContext(ResolvedContext):  # type: ignore[misc]
    """A resolved context whose processed forms are also found for cloned active contexts."""

    def get_processed(self, active_ctx: Mapping[str, Any]) -> Any:
        return self.cache.get(_processed_key(active_ctx))

    def set_processed(self, active_ctx: Mapping[str, Any], processed_ctx: Any) -> None:
        self.cache[_processed_key(active_ctx)] = processed_ctx


def _scoped_contexts(node: Any) -> Iterator[dict[str, Any]]:
    """Yield every object-valued ``@context`` nested in a context document."""
    if isinstance(node, list):
        for item in node:
            yield from _scoped_contexts(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@context" and isinstance(value, dict):
                yield value
            yield from _scoped_contexts(value)


class _ReusingContextResolver(ContextResolver):  # type: ignore[misc]
    """pyld's ``ContextResolver``, reusing processed contexts across calls.

    * Resolved contexts are :class:`_ReusingResolvedContext` (see :func:`_processed_key`).
    * A scoped context that is part of a resolved *remote* context document (never a
      caller's document) is looked up by identity instead of by its canonical JSON, which
      pyld computes anew for every node it is applied to. Those documents are never
      changed once resolved, and the registry keeps them alive, so identity is stable.

    All state lives in the shared cache (the loader's ``context_cache``), none in the module.
    """

    def resolve(
        self, active_ctx: Any, context: Any, base: Any, cycles: Any = None
    ) -> list[ResolvedContext]:
        local = context.get("@context", context) if isinstance(context, dict) else context
        if isinstance(local, dict):
            hit = self.shared_cache.get(("scoped", id(local)))
            if hit is not None and hit[0] is local:
                return [hit[1]]
        resolved: list[ResolvedContext] = super().resolve(active_ctx, context, base, cycles)
        for item in resolved:
            if type(item) is ResolvedContext:
                item.__class__ = _ReusingResolvedContext
        if (
            isinstance(local, dict)
            and len(resolved) == 1
            and self.shared_cache.get(("registered", id(local))) is local
        ):
            self.shared_cache[("scoped", id(local))] = (local, resolved[0])
        return resolved

    def _resolve_remote_context(self, active_ctx: Any, url: Any, base: Any, cycles: Any) -> Any:
        resolved = super()._resolve_remote_context(active_ctx, url, base, cycles)
        for item in resolved if isinstance(resolved, list) else [resolved]:
            for scoped in _scoped_contexts(item.document):
                self.shared_cache[("registered", id(scoped))] = scoped
        return resolved


def canonicalize(document: Mapping[str, Any], loader: DocumentLoader) -> str:
    """Return the RDFC-1.0 (URDNA2015) canonical N-Quads of `document`.

    Raises
    ------
    pyld.jsonld.JsonLdError
        If a context cannot be loaded through `loader` or the document is invalid JSON-LD.

    Examples
    --------
    >>> doc = {"@context": {"name": "https://schema.org/name"}, "name": "Zorg"}
    >>> canonicalize(doc, lambda url, options=None: {})
    '_:c14n0 <https://schema.org/name> "Zorg" .\\n'
    """
    options = jsonld_options(loader, algorithm="URDNA2015", format="application/n-quads")
    result: str = jsonld.normalize(dict(document), options)
    return result


def canonicalize_expanded(expanded: Sequence[Any], loader: DocumentLoader) -> str:
    """Return the RDFC-1.0 canonical N-Quads of already expanded JSON-LD.

    Examples
    --------
    >>> expanded = [{"https://schema.org/name": [{"@value": "Zorg"}]}]
    >>> canonicalize_expanded(expanded, lambda u, o=None: {})
    '_:c14n0 <https://schema.org/name> "Zorg" .\\n'
    """
    # What ``jsonld.normalize`` does after expanding its input (``to_rdf`` has no option to
    # skip expansion; re-expanding expanded JSON-LD changes nothing and costs as much as the
    # rest): node map, RDF dataset, RDFC-1.0. The node map may rewrite blank-node types in
    # place, so it gets a copy.
    del loader  # expanded input refers to no context
    processor = jsonld.JsonLdProcessor()
    issuer = IdentifierIssuer("_:b")
    node_map: dict[str, Any] = {"@default": {}}
    processor._create_node_map(_copy_json(list(expanded)), node_map, "@default", issuer)
    options = {"produceGeneralizedRdf": False, "processingMode": "json-ld-1.1"}
    dataset = {
        name: processor._graph_to_rdf(graph, issuer, options)
        for name, graph in sorted(node_map.items())
        if name == "@default" or jsonld._is_absolute_iri(name)
    }
    result: str = URDNA2015().main(
        dataset, {"algorithm": "URDNA2015", "format": "application/n-quads"}
    )
    return result


def _copy_json(value: Any) -> Any:
    """Return a deep copy of JSON data (faster than :func:`copy.deepcopy`)."""
    if isinstance(value, dict):
        return {key: _copy_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy_json(item) for item in value]
    return value


def is_xsd_datetime(value: object) -> bool:
    """Return whether `value` is an XML Schema ``dateTime`` string (with or without zone).

    Examples
    --------
    >>> is_xsd_datetime("2023-02-24T23:36:38Z"), is_xsd_datetime("2023-02-24")
    (True, False)
    """
    if not isinstance(value, str) or "T" not in value:
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        return False
    return True


def proof_configuration(
    document: Mapping[str, Any], proof_options: Mapping[str, Any]
) -> dict[str, Any]:
    """Return the proof configuration: `proof_options` without ``proofValue``, document context.

    Raises
    ------
    ValueError
        If the type is not ``DataIntegrityProof``, the cryptosuite not ``eddsa-rdfc-2022``,
        or ``created`` is not an XML Schema dateTime.

    Examples
    --------
    >>> cfg = proof_configuration({"@context": ["c"]}, {"type": "DataIntegrityProof",
    ...     "cryptosuite": "eddsa-rdfc-2022", "created": "2024-01-01T00:00:00Z",
    ...     "proofValue": "z1"})
    >>> sorted(cfg)
    ['@context', 'created', 'cryptosuite', 'type']
    """
    if proof_options.get("type") != PROOF_TYPE:
        raise ValueError(f"proof type must be {PROOF_TYPE!r}, got {proof_options.get('type')!r}")
    if proof_options.get("cryptosuite") != CRYPTOSUITE:
        raise ValueError(
            f"cryptosuite must be {CRYPTOSUITE!r}, got {proof_options.get('cryptosuite')!r}"
        )
    if "created" in proof_options and not is_xsd_datetime(proof_options["created"]):
        raise ValueError(f"proof 'created' is not a dateTime: {proof_options['created']!r}")
    config = {k: v for k, v in proof_options.items() if k not in ("proofValue", "@context")}
    config["@context"] = copy.deepcopy(document.get("@context"))
    return config


def hash_data(
    document: Mapping[str, Any], proof_config: Mapping[str, Any], loader: DocumentLoader
) -> bytes:
    """Return ``SHA-256(canonical proof config) || SHA-256(canonical document)`` (64 bytes).

    `document` must not contain ``proof``.

    Examples
    --------
    >>> ctx = {"name": "https://schema.org/name"}
    >>> len(hash_data({"@context": ctx, "name": "x"}, {"@context": ctx}, lambda u, o=None: {}))
    64
    """
    proof_hash = hashlib.sha256(canonicalize(proof_config, loader).encode("utf-8")).digest()
    doc_hash = hashlib.sha256(canonicalize(document, loader).encode("utf-8")).digest()
    return proof_hash + doc_hash


def add_proof(
    document: Mapping[str, Any],
    *,
    sign: Callable[[bytes], bytes],
    verification_method: str,
    created: str,
    loader: DocumentLoader,
    proof_purpose: str = "assertionMethod",
    proof_set: bool = False,
) -> dict[str, Any]:
    """Return a copy of `document` with an ``eddsa-rdfc-2022`` DataIntegrityProof added.

    Parameters
    ----------
    document : Mapping
        Unsecured JSON-LD document; an existing ``proof`` is replaced. Not mutated.
    sign : callable
        Ed25519 signer: 64-byte signature of the given bytes.
    verification_method : str
        DID URL of the signing key, e.g. ``did:key:z6Mk…#z6Mk…``.
    created : str
        XML Schema dateTime of the proof, e.g. ``2024-09-01T12:00:00Z``.
    loader : callable
        Offline pyld document loader.
    proof_purpose : str
        Proof purpose (default ``assertionMethod``).
    proof_set : bool
        Emit ``proof`` as a one-element array (the OB 3.0 JSON Schema requires an array;
        VC 2.0 allows both). Default False: a single object, as in the W3C test vectors.

    Raises
    ------
    ValueError
        If `created` is not a dateTime or `sign` does not return 64 bytes.
    pyld.jsonld.JsonLdError
        If a context cannot be loaded or the document is invalid JSON-LD.

    Examples
    --------
    >>> from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    >>> key = Ed25519PrivateKey.from_private_bytes(bytes(32))
    >>> ctx = {"name": "https://schema.org/name", "proof": {"@id": "https://w3id.org/security#proof",
    ...        "@type": "@id", "@container": "@graph"}}
    >>> signed = add_proof({"@context": ctx, "name": "x"}, sign=key.sign,
    ...     verification_method="did:key:z6Mk#z6Mk", created="2024-01-01T00:00:00Z",
    ...     loader=lambda u, o=None: {})
    >>> signed["proof"]["proofValue"][:1], len(multibase_decode(signed["proof"]["proofValue"]))
    ('z', 64)
    """
    unsecured = {k: copy.deepcopy(v) for k, v in document.items() if k != "proof"}
    options = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    config = proof_configuration(unsecured, options)
    signature = sign(hash_data(unsecured, config, loader))
    if len(signature) != 64:
        raise ValueError(f"Ed25519 signature must be 64 bytes, got {len(signature)}")
    proof = {**options, "proofValue": multibase_encode_base58btc(signature)}
    return {**unsecured, "proof": [proof] if proof_set else proof}


def _single_proof(document: Mapping[str, Any]) -> Mapping[str, Any]:
    proof = document.get("proof")
    if isinstance(proof, list):
        if len(proof) != 1:
            raise ValueError(f"expected exactly one proof, found {len(proof)}")
        proof = proof[0]
    if not isinstance(proof, Mapping):
        raise ValueError("document has no proof object")
    return proof


def verify_proof(
    document: Mapping[str, Any],
    *,
    resolve_public_key: Callable[[str], bytes | None],
    loader: DocumentLoader,
    expected_proof_purpose: str = "assertionMethod",
    expanded: Sequence[Any] | None = None,
) -> ProofResult:
    """Verify the ``eddsa-rdfc-2022`` proof of `document`; never raises on bad input.

    Parameters
    ----------
    document : Mapping
        Secured document with one ``proof``.
    resolve_public_key : callable
        Raw 32-byte Ed25519 public key of a verification-method id, or None when the
        method is unknown (or not controlled by who it should be).
    loader : callable
        Offline pyld document loader.
    expected_proof_purpose : str
        Required ``proofPurpose`` (default ``assertionMethod``).
    expanded : sequence, optional
        The expansion of this very `document` (from :func:`expand_document`), to skip
        re-expanding it; ignored when the proof carries its own ``@context``.

    Returns
    -------
    ProofResult
        ``ok`` and a human-readable ``message``.

    Examples
    --------
    >>> verify_proof({"name": "x"}, resolve_public_key=lambda vm: None, loader=lambda u, o=None: {})
    ProofResult(ok=False, message='document has no proof object', verification_method=None)
    """
    try:
        if not isinstance(document, Mapping):
            return ProofResult(False, "document is not a JSON object")
        proof = _single_proof(document)
        vm = proof.get("verificationMethod")
        if not isinstance(vm, str):
            return ProofResult(False, "proof has no verificationMethod")
        if proof.get("proofPurpose") != expected_proof_purpose:
            return ProofResult(
                False, f"proofPurpose must be {expected_proof_purpose!r}", verification_method=vm
            )
        proof_value = proof.get("proofValue")
        if not isinstance(proof_value, str) or not proof_value.startswith("z"):
            return ProofResult(False, "proofValue must be multibase base58btc", vm)
        signature = multibase_decode(proof_value)
        if len(signature) != 64:
            return ProofResult(False, f"proofValue decodes to {len(signature)} bytes, not 64", vm)
        unsecured = {k: v for k, v in document.items() if k != "proof"}
        if "@context" in proof:
            doc_ctx = unsecured.get("@context")
            doc_ctx = doc_ctx if isinstance(doc_ctx, list) else [doc_ctx]
            proof_ctx = (
                proof["@context"] if isinstance(proof["@context"], list) else [proof["@context"]]
            )
            if doc_ctx[: len(proof_ctx)] != proof_ctx:
                return ProofResult(
                    False, "document @context does not start with proof @context", vm
                )
            unsecured["@context"] = proof["@context"]
        config = proof_configuration(unsecured, proof)
        public_key = resolve_public_key(vm)
        if public_key is None:
            return ProofResult(False, f"verification method {vm!r} cannot be resolved", vm)
        if expanded is not None and "@context" not in proof and len(expanded) == 1:
            # The expansion minus the proof graph is the expansion of the unsecured document.
            node = {k: v for k, v in expanded[0].items() if k != PROOF_IRI}
            proof_hash = hashlib.sha256(canonicalize(config, loader).encode("utf-8")).digest()
            doc_nquads = canonicalize_expanded([node], loader)
            data = proof_hash + hashlib.sha256(doc_nquads.encode("utf-8")).digest()
        else:
            data = hash_data(unsecured, config, loader)
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, data)
    except InvalidSignature:
        return ProofResult(False, "signature does not match the document and key", vm)
    except jsonld.JsonLdError as exc:
        return ProofResult(False, f"JSON-LD processing failed: {jsonld_error_reason(exc)}")
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        return ProofResult(False, str(exc) or type(exc).__name__)
    return ProofResult(True, f"{CRYPTOSUITE} proof verified", vm)


def jsonld_error_reason(exc: BaseException) -> str:
    """Return the innermost message of a chained pyld error (the useful one).

    pyld wraps the cause of a failure in several layers of ``JsonLdError`` whose first lines
    say only which step failed; the innermost one says why.

    Examples
    --------
    >>> outer = ValueError("loading remote context failed")
    >>> outer.__cause__ = ValueError("URL 'https://x.org/c' is not shipped\\nmore detail")
    >>> jsonld_error_reason(outer)
    "URL 'https://x.org/c' is not shipped"
    """
    messages = []
    current: BaseException | None = exc
    while current is not None:
        messages.append(str(current).split("\n")[0])
        current = current.__cause__ or getattr(current, "cause", None)
    return messages[-1]


def _walk_expanded(node: Any) -> Iterator[tuple[str, str]]:
    """Yield ``("property" | "type", iri)`` for every key and type in expanded JSON-LD."""
    if isinstance(node, list):
        for item in node:
            yield from _walk_expanded(item)
    elif isinstance(node, dict):
        if "@value" in node:
            return
        for key, value in node.items():
            if key == "@type":
                for type_iri in value if isinstance(value, list) else [value]:
                    yield "type", type_iri
            elif not key.startswith("@"):
                yield "property", key
            if key not in ("@id", "@type", "@value", "@language", "@direction"):
                yield from _walk_expanded(value)


def expand_document(
    document: Mapping[str, Any], loader: DocumentLoader
) -> tuple[list[Any], list[str]]:
    """Return the JSON-LD expansion of `document` and its undefined terms (see below).

    One expansion serves both the term check and, in :func:`verify_proof`, the document
    canonicalization, so a full verification expands the document only once.

    Raises
    ------
    pyld.jsonld.JsonLdError
        If a context cannot be loaded or the document is invalid JSON-LD.

    Examples
    --------
    >>> expanded, terms = expand_document({"@context": {"name": "https://schema.org/name"},
    ...     "name": "x", "age": 3}, lambda u, o=None: {})
    >>> expanded, terms
    ([{'https://schema.org/name': [{'@value': 'x'}]}], ['age'])
    """
    dropped: list[str | None] = []
    expanded: list[Any] = jsonld.expand(
        dict(document), jsonld_options(loader, base=None), on_property_dropped=dropped.append
    )
    found = {"(a term mapped to null)" if term is None else term for term in dropped}
    for kind, iri in _walk_expanded(expanded):
        if iri.startswith(ISSUER_DEPENDENT_VOCAB):
            found.add(iri[len(ISSUER_DEPENDENT_VOCAB) :])
        elif kind == "type" and ":" not in iri:
            found.add(iri)
    return expanded, sorted(found)


def undefined_terms(
    document: Mapping[str, Any],
    loader: DocumentLoader,
    *,
    allowed: Collection[str] = frozenset(),
) -> list[str]:
    """Return the terms of `document` that its contexts do not define (sorted, unique).

    JSON-LD expansion hides undefined terms in two ways: it silently drops keys that do not
    expand to an absolute IRI (and keeps relative type values, which RDF conversion then
    drops), and a context ``@vocab`` (VC 2.0 drafts had
    ``https://www.w3.org/ns/credentials/issuer-dependent#``) turns any unknown key or type
    into a vocabulary IRI.
    Both are reported, at any nesting depth (objects, arrays, scoped contexts). Relative
    (non-absolute) type values are reported too. The value of a dropped property is not
    expanded, so terms *inside* it are not reported separately (its own name is).
    Names in `allowed` are not reported.

    Raises
    ------
    pyld.jsonld.JsonLdError
        If a context cannot be loaded or the document is invalid JSON-LD.

    Examples
    --------
    >>> ctx = {"name": "https://schema.org/name", "Thing": "https://schema.org/Thing"}
    >>> doc = {"@context": ctx, "type": "x", "@type": ["Thing", "Mystery"], "name": "a",
    ...        "nickname": "b", "knows": [{"name": "c", "age": 3}]}
    >>> undefined_terms(doc, lambda u, o=None: {})
    ['Mystery', 'knows', 'nickname', 'type']
    """
    _expanded, found = expand_document(document, loader)
    return [term for term in found if term not in allowed]
