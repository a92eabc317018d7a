"""Multibase and Multikey encodings of Ed25519 keys and signatures, plus gzip helpers.

Everything here is pure byte/string manipulation: no key storage, no network.

* base58btc (Bitcoin alphabet) with the multibase prefix ``z``,
* base64url without padding with the multibase prefix ``u`` (Bitstring Status List),
* Multikey: multicodec ``0xed 0x01`` + 32-byte Ed25519 public key, ``0x80 0x26`` + 32-byte seed,
* deterministic GZIP (status lists).

``did:key`` identifiers and DID documents built on these are in
:mod:`app.domain.credentials.did_key`.
"""

from __future__ import annotations

import base64
import gzip

__all__ = [
    "b58encode",
    "b58decode",
    "multibase_encode_base58btc",
    "multibase_decode",
    "multibase_encode_base64url",
    "encode_ed25519_public_multikey",
    "decode_ed25519_public_multikey",
    "encode_ed25519_private_multikey",
    "decode_ed25519_private_multikey",
    "gzip_bytes",
    "gunzip_bytes",
    "ED25519_PUB_PREFIX",
    "ED25519_PRIV_PREFIX",
]

_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {char: index for index, char in enumerate(_B58_ALPHABET)}

#: Multicodec varint prefix of an Ed25519 public key (``ed25519-pub``, 0xed).
ED25519_PUB_PREFIX = b"\xed\x01"
#: Multicodec varint prefix of an Ed25519 private key (``ed25519-priv``, 0x1300).
ED25519_PRIV_PREFIX = b"\x80\x26"


def b58encode(data: bytes) -> str:
    """Return `data` in base58btc (Bitcoin alphabet), without a multibase prefix.

    Leading zero bytes become leading ``1`` characters.

    Examples
    --------
    >>> b58encode(b"hello world")
    'StV1DL6CwTryKyV'
    >>> b58encode(b"\\x00\\x00\\x01")
    '112'
    >>> b58encode(b"")
    ''
    """
    zeros = len(data) - len(data.lstrip(b"\x00"))
    number = int.from_bytes(data, "big")
    digits: list[str] = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(_B58_ALPHABET[remainder])
    return "1" * zeros + "".join(reversed(digits))


def b58decode(text: str) -> bytes:
    """Return the bytes of base58btc `text` (no multibase prefix).

    Raises
    ------
    ValueError
        If `text` contains a character outside the Bitcoin alphabet.

    Examples
    --------
    >>> b58decode('StV1DL6CwTryKyV')
    b'hello world'
    >>> b58decode('112')
    b'\\x00\\x00\\x01'
    >>> b58decode('0OIl')
    Traceback (most recent call last):
    ...
    ValueError: invalid base58btc character '0'
    """
    number = 0
    for char in text:
        try:
            number = number * 58 + _B58_INDEX[char]
        except KeyError:
            raise ValueError(f"invalid base58btc character {char!r}") from None
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\x00" * zeros + body


def multibase_encode_base58btc(data: bytes) -> str:
    """Return multibase base58btc of `data` (prefix ``z``).

    Examples
    --------
    >>> multibase_encode_base58btc(b"hello world")
    'zStV1DL6CwTryKyV'
    """
    return "z" + b58encode(data)


def multibase_encode_base64url(data: bytes) -> str:
    """Return multibase base64url without padding of `data` (prefix ``u``).

    Examples
    --------
    >>> multibase_encode_base64url(b"\\xff\\xfe")
    'u__4'
    """
    return "u" + base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def multibase_decode(text: str) -> bytes:
    """Decode a multibase string with prefix ``z`` (base58btc) or ``u`` (base64url, no padding).

    Raises
    ------
    ValueError
        If the prefix is unsupported or the payload is not valid for its base.

    Examples
    --------
    >>> multibase_decode('zStV1DL6CwTryKyV')
    b'hello world'
    >>> multibase_decode('u__4')
    b'\\xff\\xfe'
    >>> multibase_decode('mAAA')
    Traceback (most recent call last):
    ...
    ValueError: unsupported multibase prefix 'm'
    """
    if not text:
        raise ValueError("empty multibase string")
    prefix, payload = text[0], text[1:]
    if prefix == "z":
        return b58decode(payload)
    if prefix == "u":
        if "=" in payload or any(c in payload for c in "+/"):
            raise ValueError("base64url multibase must be unpadded and URL-safe")
        try:
            return base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        except (ValueError, TypeError) as exc:
            raise ValueError(f"invalid base64url: {exc}") from None
    raise ValueError(f"unsupported multibase prefix {prefix!r}")


def encode_ed25519_public_multikey(public_key: bytes) -> str:
    """Return the Multikey ``publicKeyMultibase`` (``z6Mk…``) of a raw 32-byte Ed25519 key.

    Raises
    ------
    ValueError
        If `public_key` is not 32 bytes long.

    Examples
    --------
    >>> encode_ed25519_public_multikey(bytes(32))
    'z6MkeTG3bFFSLYVU7VqhgZxqr6YzpaGrQtFMh1uvqGy1vDnP'
    """
    if len(public_key) != 32:
        raise ValueError(f"Ed25519 public key must be 32 bytes, got {len(public_key)}")
    return multibase_encode_base58btc(ED25519_PUB_PREFIX + public_key)


def decode_ed25519_public_multikey(multikey: str) -> bytes:
    """Return the raw 32-byte Ed25519 public key of a ``z6Mk…`` Multikey.

    Raises
    ------
    ValueError
        If `multikey` is not a base58btc Ed25519 public Multikey.

    Examples
    --------
    >>> multikey = 'z6MkeTG3bFFSLYVU7VqhgZxqr6YzpaGrQtFMh1uvqGy1vDnP'
    >>> decode_ed25519_public_multikey(multikey) == bytes(32)
    True
    """
    if not multikey.startswith("z"):
        raise ValueError("Multikey must be multibase base58btc ('z')")
    raw = multibase_decode(multikey)
    if not raw.startswith(ED25519_PUB_PREFIX) or len(raw) != 34:
        raise ValueError("not an Ed25519 public Multikey (multicodec 0xed01, 32 bytes)")
    return raw[2:]


def encode_ed25519_private_multikey(seed: bytes) -> str:
    """Return the Multikey ``secretKeyMultibase`` (``z3u2…``) of a 32-byte Ed25519 seed.

    Raises
    ------
    ValueError
        If `seed` is not 32 bytes long.

    Examples
    --------
    >>> encode_ed25519_private_multikey(bytes(32))[:4]
    'z3u2'
    """
    if len(seed) != 32:
        raise ValueError(f"Ed25519 private key seed must be 32 bytes, got {len(seed)}")
    return multibase_encode_base58btc(ED25519_PRIV_PREFIX + seed)


def decode_ed25519_private_multikey(multikey: str) -> bytes:
    """Return the 32-byte Ed25519 seed of a ``z3u2…`` secret Multikey.

    Raises
    ------
    ValueError
        If `multikey` is not a base58btc Ed25519 private Multikey.

    Examples
    --------
    >>> seed = b"\\x07" * 32
    >>> decode_ed25519_private_multikey(encode_ed25519_private_multikey(seed)) == seed
    True
    """
    if not multikey.startswith("z"):
        raise ValueError("Multikey must be multibase base58btc ('z')")
    raw = multibase_decode(multikey)
    if not raw.startswith(ED25519_PRIV_PREFIX) or len(raw) != 34:
        raise ValueError("not an Ed25519 private Multikey (multicodec 0x1300, 32 bytes)")
    return raw[2:]


def gzip_bytes(data: bytes) -> bytes:
    """Return GZIP-compressed `data` with a zero mtime, so output is deterministic.

    Examples
    --------
    >>> gunzip_bytes(gzip_bytes(b"abc"))
    b'abc'
    >>> gzip_bytes(b"") == gzip_bytes(b"")
    True
    """
    return gzip.compress(data, mtime=0)


def gunzip_bytes(data: bytes) -> bytes:
    """Return the decompressed content of GZIP `data`.

    Raises
    ------
    ValueError
        If `data` is not valid GZIP.

    Examples
    --------
    >>> gunzip_bytes(b"not gzip")
    Traceback (most recent call last):
    ...
    ValueError: invalid gzip data: Not a gzipped file (b'no')
    """
    try:
        return gzip.decompress(data)
    except (OSError, EOFError) as exc:
        raise ValueError(f"invalid gzip data: {exc}") from None
