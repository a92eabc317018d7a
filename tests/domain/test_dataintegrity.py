"""eddsa-rdfc-2022 Data Integrity: W3C test vector, tampering, wrong keys, offline contexts."""

from __future__ import annotations

import copy
import hashlib
import json
import socket
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyld import jsonld

from app.adapters.jsonld import make_document_loader
from app.domain.credentials.did_key import public_key_from_did_key
from app.domain.credentials.multibase import decode_ed25519_private_multikey
from app.domain.credentials.proof import (
    add_proof,
    canonicalize,
    hash_data,
    proof_configuration,
    undefined_terms,
    verify_proof,
)

VECTORS = Path(__file__).resolve().parent / "vectors" / "eddsa-rdfc-2022"


def _json(name: str) -> Any:
    return json.loads((VECTORS / name).read_text())


def _text(name: str) -> str:
    return (VECTORS / name).read_text()


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail loudly if anything tries to open a socket or use pyld's default (network) loader."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(jsonld, "_default_document_loader", refuse)


@pytest.fixture(scope="module")
def vector_key() -> Ed25519PrivateKey:
    seed = decode_ed25519_private_multikey(_json("keyPair.json")["privateKeyMultibase"])
    return Ed25519PrivateKey.from_private_bytes(seed)


@pytest.fixture
def vector_signed(jsonld_loader, vector_key) -> dict[str, Any]:
    proof = _json("proofConfigDataInt.json")
    return add_proof(
        _json("unsigned.json"),
        sign=vector_key.sign,
        verification_method=proof["verificationMethod"],
        created=proof["created"],
        loader=jsonld_loader,
    )


def test_canonical_document_matches_vector(jsonld_loader) -> None:
    canonical = canonicalize(_json("unsigned.json"), jsonld_loader)
    assert canonical == _text("canonDocDataInt.txt")
    assert hashlib.sha256(canonical.encode()).hexdigest() == _text("docHashDataInt.txt").strip()


def test_proof_configuration_and_hash_match_vector(jsonld_loader) -> None:
    unsigned = _json("unsigned.json")
    expected_config = _json("proofConfigDataInt.json")
    options = {k: v for k, v in expected_config.items() if k != "@context"}
    config = proof_configuration(unsigned, options)
    assert config == expected_config
    canonical = canonicalize(config, jsonld_loader)
    assert canonical == _text("proofCanonDataInt.txt")
    assert hashlib.sha256(canonical.encode()).hexdigest() == _text("proofHashDataInt.txt").strip()
    combined = hash_data(unsigned, config, jsonld_loader)
    assert (
        combined.hex()
        == _text("proofHashDataInt.txt").strip() + _text("docHashDataInt.txt").strip()
    )


def test_add_proof_reproduces_vector_exactly(vector_signed) -> None:
    assert vector_signed["proof"]["proofValue"] == _text("sigBTC58DataInt.txt").strip()
    assert vector_signed == _json("signedDataInt.json")


def test_add_proof_does_not_mutate_input(jsonld_loader, vector_key) -> None:
    unsigned = _json("unsigned.json")
    before = copy.deepcopy(unsigned)
    add_proof(
        unsigned,
        sign=vector_key.sign,
        verification_method="did:key:z6Mk#z6Mk",
        created="2024-01-01T00:00:00Z",
        loader=jsonld_loader,
    )
    assert unsigned == before


def test_vector_signed_document_verifies(jsonld_loader) -> None:
    result = verify_proof(
        _json("signedDataInt.json"),
        resolve_public_key=public_key_from_did_key,
        loader=jsonld_loader,
    )
    assert result.ok, result.message


def test_proof_set_form_verifies(jsonld_loader, vector_key) -> None:
    signed = add_proof(
        _json("unsigned.json"),
        sign=vector_key.sign,
        verification_method=_json("proofConfigDataInt.json")["verificationMethod"],
        created="2023-02-24T23:36:38Z",
        loader=jsonld_loader,
        proof_set=True,
    )
    assert isinstance(signed["proof"], list)
    assert signed["proof"][0] == _json("signedDataInt.json")["proof"]
    assert verify_proof(signed, resolve_public_key=public_key_from_did_key, loader=jsonld_loader).ok


@pytest.mark.parametrize(
    "path, value",
    [
        (("name",), "Alumni Credential!"),
        (("credentialSubject", "alumniOf"), "Another School"),
        (("validFrom",), "2023-01-01T00:00:01Z"),
        (("issuer",), "https://vc.example/issuers/9999"),
        (("proof", "created"), "2023-02-24T23:36:39Z"),
        (("@context",), ["https://www.w3.org/ns/credentials/v2"]),
    ],
)
def test_tampering_breaks_the_proof(jsonld_loader, path: tuple[str, ...], value: Any) -> None:
    doc = _json("signedDataInt.json")
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    result = verify_proof(doc, resolve_public_key=public_key_from_did_key, loader=jsonld_loader)
    assert not result.ok


def test_tampered_signature_fails_with_signature_message(jsonld_loader) -> None:
    doc = _json("signedDataInt.json")
    value = doc["proof"]["proofValue"]
    doc["proof"]["proofValue"] = value[:-2] + ("22" if value[-2:] != "22" else "33")
    result = verify_proof(doc, resolve_public_key=public_key_from_did_key, loader=jsonld_loader)
    assert not result.ok
    assert "signature" in result.message or "bytes" in result.message


def test_wrong_key_fails(jsonld_loader) -> None:
    other = Ed25519PrivateKey.from_private_bytes(bytes(32)).public_key().public_bytes_raw()
    result = verify_proof(
        _json("signedDataInt.json"), resolve_public_key=lambda vm: other, loader=jsonld_loader
    )
    assert not result.ok and "signature does not match" in result.message


def test_unresolvable_verification_method_fails(jsonld_loader) -> None:
    result = verify_proof(
        _json("signedDataInt.json"), resolve_public_key=lambda vm: None, loader=jsonld_loader
    )
    assert not result.ok and "cannot be resolved" in result.message


@pytest.mark.parametrize(
    "change, message",
    [
        ({"cryptosuite": "ecdsa-rdfc-2019"}, "cryptosuite"),
        ({"type": "Ed25519Signature2020"}, "proof type"),
        ({"proofPurpose": "authentication"}, "proofPurpose"),
        ({"proofValue": "uAAAA"}, "base58btc"),
        ({"proofValue": "z1111"}, "64"),
        ({"created": "yesterday"}, "dateTime"),
    ],
)
def test_malformed_proofs_fail_without_raising(jsonld_loader, change, message) -> None:
    doc = _json("signedDataInt.json")
    doc["proof"].update(change)
    result = verify_proof(doc, resolve_public_key=public_key_from_did_key, loader=jsonld_loader)
    assert not result.ok and message in result.message


def test_unknown_context_is_refused_and_never_fetched(context_documents, vector_key) -> None:
    requested: list[str] = []
    inner = make_document_loader(context_documents)

    def spy(url: str, options: Any = None) -> dict[str, Any]:
        requested.append(url)
        return inner(url, options)

    doc = _json("unsigned.json")
    doc["@context"].append("https://example.org/unknown-context.jsonld")
    with pytest.raises(jsonld.JsonLdError):
        canonicalize(doc, spy)
    assert "https://example.org/unknown-context.jsonld" in requested
    with pytest.raises(jsonld.JsonLdError):
        inner.load("https://example.org/unknown-context.jsonld")
    signed = _json("signedDataInt.json")
    signed["@context"].append("https://example.org/unknown-context.jsonld")
    result = verify_proof(signed, resolve_public_key=public_key_from_did_key, loader=spy)
    assert not result.ok and "not available offline" in result.message


def test_loader_serves_did_key_documents_and_extra_documents(context_documents) -> None:
    mb = _json("keyPair.json")["publicKeyMultibase"]
    did_web = {"@context": ["https://www.w3.org/ns/did/v1"], "id": "did:web:roc.example.nl"}
    loader = make_document_loader(context_documents, extra={"did:web:roc.example.nl": did_web})
    doc = loader(f"did:key:{mb}#{mb}")["document"]
    assert doc["verificationMethod"][0]["publicKeyMultibase"] == mb
    assert loader("did:web:roc.example.nl#key-1")["document"]["id"] == "did:web:roc.example.nl"
    with pytest.raises(jsonld.JsonLdError):
        make_document_loader(context_documents, resolve_did_key=False)(f"did:key:{mb}")


def test_contexts_are_loaded_once_per_loader(context_documents) -> None:
    calls: list[str] = []
    loader = make_document_loader(context_documents)
    original = loader.load

    object.__setattr__(loader, "load", lambda url: calls.append(url) or original(url))
    for _ in range(5):
        canonicalize(_json("unsigned.json"), loader)
    assert sorted(calls) == sorted(set(_json("unsigned.json")["@context"]))


def test_undefined_terms_found_at_any_depth(jsonld_loader) -> None:
    doc = _json("unsigned.json")
    doc["@context"] = ["https://www.w3.org/ns/credentials/v2"]  # drop the examples context
    doc["credentialSubject"] = [
        {"id": "did:example:1", "alumniOf": "X"},
        {"id": "did:example:2", "name": "ok", "description": {"type": "Mystery", "foo": 1}},
    ]
    doc["evidence"] = [{"type": ["Evidence"], "grade": "A"}]
    assert undefined_terms(doc, jsonld_loader) == [
        "AlumniCredential",
        "Evidence",
        "Mystery",
        "alumniOf",
        "foo",
        "grade",
    ]
    assert undefined_terms(doc, jsonld_loader, allowed={"Evidence", "grade"}) == [
        "AlumniCredential",
        "Mystery",
        "alumniOf",
        "foo",
    ]
    assert undefined_terms(_json("unsigned.json"), jsonld_loader) == []


def test_vocab_mapped_terms_are_reported(jsonld_loader) -> None:
    vocab = "https://www.w3.org/ns/credentials/issuer-dependent#"
    doc = {
        "@context": {"@vocab": vocab, "name": "https://schema.org/name"},
        "@type": "Thing",
        "name": "x",
        "extra": {"inner": 1},
    }
    assert undefined_terms(doc, jsonld_loader) == ["Thing", "extra", "inner"]


def test_dropped_terms_are_reported_without_vocab(jsonld_loader) -> None:
    doc = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiableCredential", "Unknown"],
        "issuer": "https://i.example",
        "credentialSubject": {"id": "did:example:1", "degree": {"level": 3}},
    }
    assert undefined_terms(doc, jsonld_loader) == ["Unknown", "degree"]


def test_expanded_shortcut_equals_full_canonicalization(jsonld_loader) -> None:
    from app.domain.credentials.proof import PROOF_IRI, canonicalize_expanded, expand_document

    signed = _json("signedDataInt.json")
    expanded, terms = expand_document(signed, jsonld_loader)
    assert terms == [] and PROOF_IRI in expanded[0]
    without_proof = [{k: v for k, v in expanded[0].items() if k != PROOF_IRI}]
    assert canonicalize_expanded(without_proof, jsonld_loader) == _text("canonDocDataInt.txt")
    assert verify_proof(
        signed, resolve_public_key=public_key_from_did_key, loader=jsonld_loader, expanded=expanded
    ).ok
    tampered = copy.deepcopy(signed)
    tampered["name"] = "Other"
    tampered_expansion, _ = expand_document(tampered, jsonld_loader)
    assert not verify_proof(
        signed,
        resolve_public_key=public_key_from_did_key,
        loader=jsonld_loader,
        expanded=tampered_expansion,
    ).ok
