"""DID authentication: check a wallet's signed ``VerifiablePresentation`` (VC-API exchanges).

A wallet answering a DID-authentication request (``{"type": "DIDAuthentication"}`` in a
Verifiable Presentation Request, https://w3c-ccg.github.io/vp-request-spec/#did-authentication)
signs a presentation whose ``holder`` is its DID, with a proof for the purpose
``authentication`` that carries the verifier's ``challenge`` and ``domain``. Accepted here:

* the holder is an Ed25519 ``did:key`` (the binding method the registry supports) and the
  proof's ``verificationMethod`` is that DID's one key (``did:key:<mb>#<mb>``);
* the proof is ``Ed25519Signature2020`` (what the Learner Credential Wallet signs with) or a
  ``DataIntegrityProof`` with the ``eddsa-rdfc-2022`` cryptosuite
  (:mod:`app.domain.credentials.proof`).

``Ed25519Signature2020`` (https://w3c-ccg.github.io/di-eddsa-2020/) hashes like
``eddsa-rdfc-2022``: the proof options (the proof without ``proofValue``, with the document's
``@context``) and the document without its proof are each canonicalized with URDNA2015 and
hashed with SHA-256; the Ed25519 signature covers ``proofHash || documentHash`` and is written
multibase base58btc (``z…``). Its terms come from the context
``https://w3id.org/security/suites/ed25519-2020/v1``, which the presentation must name.

Pure: contexts come from the injected pyld document loader, no keys, no I/O.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pyld import jsonld

from app.domain.credentials.did_key import did_key_verification_method, public_key_from_did_key
from app.domain.credentials.multibase import multibase_decode
from app.domain.credentials.proof import (
    CRYPTOSUITE,
    PROOF_TYPE,
    DocumentLoader,
    canonicalize,
    is_xsd_datetime,
    jsonld_error_reason,
    undefined_terms,
    verify_proof,
)

__all__ = [
    "AUTHENTICATION",
    "ED25519_2020",
    "ED25519_2020_CONTEXT",
    "PresentationVerdict",
    "ed25519_2020_verify_data",
    "verify_did_authentication",
]

#: The proof purpose of a DID-auth presentation.
AUTHENTICATION = "authentication"
#: The proof type of the Ed25519 Signature 2020 suite.
ED25519_2020 = "Ed25519Signature2020"
#: The context defining that suite's terms (shipped in ``schemas/contexts``).
ED25519_2020_CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"


@dataclass(frozen=True, slots=True)
class PresentationVerdict:
    """Outcome of :func:`verify_did_authentication`.

    Attributes
    ----------
    ok : bool
        Whether every check passed.
    check : str
        The check that failed (``presentation``, ``holder``, ``proof``, ``proof-purpose``,
        ``challenge``, ``domain``, ``verification-method``, ``terms``, ``signature``), or
        ``signature`` when all passed.
    message : str
        Why, in words.
    pointer : str
        JSON pointer (within the presentation) of what failed.
    holder : str or None
        The authenticated DID when `ok`.
    """

    ok: bool
    check: str
    message: str
    pointer: str = ""
    holder: str | None = None


def _refused(check: str, message: str, pointer: str) -> PresentationVerdict:
    return PresentationVerdict(False, check, message, pointer)


def _types(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _holder_of(presentation: Mapping[str, Any]) -> str | None:
    holder = presentation.get("holder")
    if isinstance(holder, Mapping):
        holder = holder.get("id")
    return holder if isinstance(holder, str) else None


def _domain_matches(value: Any, domain: str) -> bool:
    """A proof's ``domain`` is one string or (Data Integrity) a list of them."""
    values = value if isinstance(value, list) else [value]
    return any(isinstance(item, str) and hmac.compare_digest(item, domain) for item in values)


def ed25519_2020_verify_data(
    document: Mapping[str, Any], proof: Mapping[str, Any], loader: DocumentLoader
) -> bytes:
    """Return what an ``Ed25519Signature2020`` proof of `document` signs (64 bytes).

    ``SHA-256(URDNA2015(proof options)) || SHA-256(URDNA2015(document without proof))``, the
    proof options being `proof` without ``proofValue`` under the document's ``@context``.

    Examples
    --------
    >>> ctx = {"name": "https://schema.org/name"}
    >>> data = ed25519_2020_verify_data({"@context": ctx, "name": "x", "proof": {}},
    ...     {"proofValue": "z1"}, lambda u, o=None: {})
    >>> nquads = b'_:c14n0 <https://schema.org/name> "x" .\\n'
    >>> len(data), data[32:] == hashlib.sha256(nquads).digest()
    (64, True)
    """
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    options = {k: v for k, v in proof.items() if k not in ("proofValue", "jws", "signatureValue")}
    options = {"@context": unsecured.get("@context"), **options}
    proof_hash = hashlib.sha256(canonicalize(options, loader).encode("utf-8")).digest()
    doc_hash = hashlib.sha256(canonicalize(unsecured, loader).encode("utf-8")).digest()
    return proof_hash + doc_hash


def _verify_ed25519_2020(
    presentation: Mapping[str, Any],
    proof: Mapping[str, Any],
    public_key: bytes,
    loader: DocumentLoader,
) -> PresentationVerdict | None:
    """None when the signature holds; else why not."""
    contexts = _types(presentation.get("@context"))
    if ED25519_2020_CONTEXT not in contexts and ED25519_2020_CONTEXT not in _types(
        proof.get("@context")
    ):
        return _refused(
            "proof",
            f"an {ED25519_2020} proof needs the context {ED25519_2020_CONTEXT} in the "
            "presentation's @context",
            "/@context",
        )
    if "created" in proof and not is_xsd_datetime(proof["created"]):
        return _refused("proof", "proof 'created' is not a dateTime", "/proof/created")
    proof_value = proof.get("proofValue")
    if not isinstance(proof_value, str) or not proof_value.startswith("z"):
        return _refused("signature", "proofValue must be multibase base58btc", "/proof/proofValue")
    try:
        signature = multibase_decode(proof_value)
    except ValueError as exc:
        return _refused("signature", f"proofValue: {exc}", "/proof/proofValue")
    if len(signature) != 64:
        return _refused(
            "signature",
            f"proofValue decodes to {len(signature)} bytes, not 64",
            "/proof/proofValue",
        )
    data = ed25519_2020_verify_data(presentation, proof, loader)
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, data)
    except InvalidSignature:
        return _refused(
            "signature",
            "the signature does not match the presentation and the holder's key",
            "/proof/proofValue",
        )
    return None


def verify_did_authentication(
    presentation: Any, *, challenge: str, domain: str, loader: DocumentLoader
) -> PresentationVerdict:
    """Check a DID-auth presentation against the `challenge` and `domain` that were sent.

    Never raises on bad input: the verdict names the first check that failed.

    Parameters
    ----------
    presentation : Any
        The ``verifiablePresentation`` the wallet sent (parsed JSON).
    challenge, domain : str
        What the Verifiable Presentation Request asked the wallet to sign.
    loader : callable
        Offline pyld document loader.

    Returns
    -------
    PresentationVerdict
        ``ok`` with the ``holder`` DID, or the failed ``check`` and why.

    Examples
    --------
    >>> loader = lambda url, options=None: {}
    >>> verify_did_authentication([], challenge="c", domain="d", loader=loader).message
    'the presentation must be a JSON object'
    >>> vp = {"type": ["VerifiablePresentation"], "holder": "https://example.org/me"}
    >>> verdict = verify_did_authentication(vp, challenge="c", domain="d", loader=loader)
    >>> verdict.check, verdict.message
    ('holder', "holder must be an Ed25519 did:key, not 'https://example.org/me'")
    >>> vp["holder"] = "did:key:z6MkeTG3bFFSLYVU7VqhgZxqr6YzpaGrQtFMh1uvqGy1vDnP"
    >>> vp["proof"] = {"type": "Ed25519Signature2020", "proofPurpose": "authentication",
    ...                "challenge": "other", "domain": "d"}
    >>> verdict = verify_did_authentication(vp, challenge="c", domain="d", loader=loader)
    >>> verdict.check, verdict.pointer
    ('challenge', '/proof/challenge')
    """
    if not isinstance(presentation, Mapping):
        return _refused("presentation", "the presentation must be a JSON object", "")
    if "VerifiablePresentation" not in _types(presentation.get("type")):
        return _refused(
            "presentation", "the presentation's type must include VerifiablePresentation", "/type"
        )
    holder = _holder_of(presentation)
    try:
        if holder is None or "#" in holder:
            raise ValueError
        public_key = public_key_from_did_key(holder)
    except ValueError:
        shown = holder if holder is not None else presentation.get("holder")
        return _refused("holder", f"holder must be an Ed25519 did:key, not {shown!r}", "/holder")
    proofs = presentation.get("proof")
    if isinstance(proofs, list) and len(proofs) == 1:
        proofs = proofs[0]
    if not isinstance(proofs, Mapping):
        return _refused("proof", "the presentation must carry exactly one proof", "/proof")
    proof: Mapping[str, Any] = proofs
    if proof.get("proofPurpose") != AUTHENTICATION:
        return _refused(
            "proof-purpose",
            f"proofPurpose must be {AUTHENTICATION!r}, not {proof.get('proofPurpose')!r}",
            "/proof/proofPurpose",
        )
    sent_challenge = proof.get("challenge")
    if not isinstance(sent_challenge, str) or not hmac.compare_digest(sent_challenge, challenge):
        return _refused(
            "challenge",
            "the proof's challenge is not the one this exchange sent",
            "/proof/challenge",
        )
    if not _domain_matches(proof.get("domain"), domain):
        return _refused(
            "domain",
            f"the proof's domain must be {domain!r}, not {proof.get('domain')!r}",
            "/proof/domain",
        )
    method = did_key_verification_method(holder)
    if proof.get("verificationMethod") != method:
        return _refused(
            "verification-method",
            f"the proof must be made with the holder's key {method!r}, not "
            f"{proof.get('verificationMethod')!r}",
            "/proof/verificationMethod",
        )
    proof_type = proof.get("type")
    if proof_type not in (ED25519_2020, PROOF_TYPE):
        return _refused(
            "proof",
            f"proof type must be {ED25519_2020} or {PROOF_TYPE} ({CRYPTOSUITE}), not "
            f"{proof_type!r}",
            "/proof/type",
        )
    try:
        unknown = undefined_terms(presentation, loader)
        if unknown:
            return _refused(
                "terms",
                "the presentation uses terms its contexts do not define: " + ", ".join(unknown),
                "/@context",
            )
        if proof_type == ED25519_2020:
            failed = _verify_ed25519_2020(presentation, proof, public_key, loader)
            if failed is not None:
                return failed
        else:
            result = verify_proof(
                presentation,
                resolve_public_key=lambda vm: public_key if vm == method else None,
                loader=loader,
                expected_proof_purpose=AUTHENTICATION,
            )
            if not result.ok:
                check = "signature" if "signature" in result.message else "proof"
                return _refused(check, result.message, "/proof")
    except jsonld.JsonLdError as exc:
        return _refused("terms", f"JSON-LD processing failed: {jsonld_error_reason(exc)}", "")
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        return _refused("proof", str(exc) or type(exc).__name__, "/proof")
    return PresentationVerdict(True, "signature", f"{proof_type} proof verified", "", holder)
