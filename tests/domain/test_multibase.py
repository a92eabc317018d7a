"""Multibase, Multikey and did:key encodings (W3C test-vector keys as known answers)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import given
from hypothesis import strategies as st

from app.domain.credentials.did_key import (
    did_key_document,
    did_key_from_public_key,
    did_key_verification_method,
    public_key_from_did_key,
)
from app.domain.credentials.multibase import (
    b58decode,
    b58encode,
    decode_ed25519_private_multikey,
    decode_ed25519_public_multikey,
    encode_ed25519_private_multikey,
    encode_ed25519_public_multikey,
    gunzip_bytes,
    gzip_bytes,
    multibase_decode,
    multibase_encode_base58btc,
    multibase_encode_base64url,
)

VECTOR_DIR = Path(__file__).resolve().parent / "vectors" / "eddsa-rdfc-2022"
KEYPAIR = json.loads((VECTOR_DIR / "keyPair.json").read_text())


@given(st.binary(max_size=80))
def test_base58btc_round_trip(data: bytes) -> None:
    assert b58decode(b58encode(data)) == data
    assert multibase_decode(multibase_encode_base58btc(data)) == data


@given(st.binary(max_size=80))
def test_base64url_round_trip_is_unpadded(data: bytes) -> None:
    encoded = multibase_encode_base64url(data)
    assert encoded.startswith("u") and "=" not in encoded
    assert multibase_decode(encoded) == data


def test_known_base58_values() -> None:
    assert b58encode(b"\x00\x00\x00\x01") == "1112"
    assert b58encode(bytes.fromhex("0001")) == "12"
    assert b58decode("1") == b"\x00"


def test_w3c_vector_private_key_derives_its_public_multikey() -> None:
    seed = decode_ed25519_private_multikey(KEYPAIR["privateKeyMultibase"])
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key()
    raw = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    assert encode_ed25519_public_multikey(raw) == KEYPAIR["publicKeyMultibase"]
    assert decode_ed25519_public_multikey(KEYPAIR["publicKeyMultibase"]) == raw
    assert encode_ed25519_private_multikey(seed) == KEYPAIR["privateKeyMultibase"]


def test_did_key_and_verification_method_match_the_vector() -> None:
    raw = decode_ed25519_public_multikey(KEYPAIR["publicKeyMultibase"])
    did = did_key_from_public_key(raw)
    mb = KEYPAIR["publicKeyMultibase"]
    assert did == f"did:key:{mb}"
    assert did_key_verification_method(did) == f"did:key:{mb}#{mb}"
    assert public_key_from_did_key(f"did:key:{mb}#{mb}") == raw


def test_did_key_document_lists_the_multikey_for_assertion() -> None:
    mb = KEYPAIR["publicKeyMultibase"]
    doc = did_key_document(f"did:key:{mb}")
    vm = doc["verificationMethod"][0]
    assert vm == {
        "id": f"did:key:{mb}#{mb}",
        "type": "Multikey",
        "controller": f"did:key:{mb}",
        "publicKeyMultibase": mb,
    }
    assert doc["assertionMethod"] == [vm["id"]] and doc["authentication"] == [vm["id"]]


@pytest.mark.parametrize(
    "bad",
    [
        "did:web:example.nl",
        "did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme",  # secp256k1, not Ed25519
        "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#other",
        "did:key:x6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
        "did:key:z0OIl",
    ],
)
def test_bad_did_keys_are_rejected(bad: str) -> None:
    with pytest.raises(ValueError):
        public_key_from_did_key(bad)


def test_private_and_public_prefixes_are_not_interchangeable() -> None:
    with pytest.raises(ValueError):
        decode_ed25519_public_multikey(KEYPAIR["privateKeyMultibase"])
    with pytest.raises(ValueError):
        decode_ed25519_private_multikey(KEYPAIR["publicKeyMultibase"])


def test_gzip_is_deterministic_and_round_trips() -> None:
    bits = bytes(16384)
    assert gzip_bytes(bits) == gzip_bytes(bits)
    assert gunzip_bytes(gzip_bytes(bits)) == bits
    # A 131,072-entry empty status list starts like the one Digital Bazaar produces.
    assert multibase_encode_base64url(gzip_bytes(bits)).startswith("uH4sIAAAAAAA")
