"""Private issuer keys sealed at rest: AES-256-GCM under a key from the environment.

The key encryption key (KEK) comes from ``LEERLIJN_KEY_ENCRYPTION_KEY``: 32 random bytes in
base64 (``python -c "import secrets, base64; print(base64.b64encode(secrets.token_bytes(32))
.decode())"``), or any passphrase (stretched with HKDF-SHA256). Without it a development
default is used and a warning logged: fine for ``make run`` and the tests, never for production
(anyone with the source could open the keys).

Each sealed key is ``nonce (12 bytes) || ciphertext+tag``, with the institution and key id as
associated data, so a sealed key cannot be moved to another key's row. `fingerprint` names the
KEK (the first 8 bytes of its SHA-256, hex): a row sealed under another KEK is refused with a
clear message instead of a decryption error.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["DEVELOPMENT_KEK", "KeySealer", "WrongKeyEncryptionKey"]

log = logging.getLogger(__name__)

#: Used when LEERLIJN_KEY_ENCRYPTION_KEY is unset (development and tests only).
DEVELOPMENT_KEK = "leerlijn-development-key-encryption-key (not for production)"
_NONCE_BYTES = 12


class WrongKeyEncryptionKey(RuntimeError):
    """A sealed key cannot be opened with the configured key encryption key."""


class KeySealer:
    """Seal and open private keys with one key encryption key.

    Parameters
    ----------
    secret : str or None
        ``LEERLIJN_KEY_ENCRYPTION_KEY``: base64 of 32 bytes, or a passphrase; None or empty for
        the development default (a warning is logged).

    Examples
    --------
    >>> sealer = KeySealer("correct horse battery staple")
    >>> sealed = sealer.seal(b"seed" * 8, "MBO-ZW/key-1")
    >>> sealer.open(sealed, "MBO-ZW/key-1") == b"seed" * 8
    True
    >>> KeySealer("another").open(sealed, "MBO-ZW/key-1")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    app.adapters.key_sealing.WrongKeyEncryptionKey: the key MBO-ZW/key-1 cannot be opened ...
    """

    def __init__(self, secret: str | None) -> None:
        self.is_development_default = not secret
        if self.is_development_default:
            log.warning(
                "LEERLIJN_KEY_ENCRYPTION_KEY is not set: issuer keys are sealed with the "
                "development default. Set it in production (see README, Deployment)."
            )
        self._key = _key_from(secret or DEVELOPMENT_KEK)
        self.fingerprint = hashlib.sha256(self._key).hexdigest()[:16]

    def seal(self, plaintext: bytes, name: str) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + AESGCM(self._key).encrypt(nonce, plaintext, name.encode("utf-8"))

    def derive(self, label: str) -> bytes:
        """32 bytes for one purpose (`label`), derived from the KEK by HKDF-SHA256: a server
        secret that is not in the database (e.g. to key the HMACs of OID4VCI offers).

        >>> sealer = KeySealer("k")
        >>> len(sealer.derive("a")), sealer.derive("a") == sealer.derive("b")
        (32, False)
        """
        return HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=label.encode("utf-8")
        ).derive(self._key)

    def open(self, sealed: bytes, name: str) -> bytes:
        nonce, ciphertext = sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:]
        try:
            return AESGCM(self._key).decrypt(nonce, ciphertext, name.encode("utf-8"))
        except InvalidTag:
            raise WrongKeyEncryptionKey(
                f"the key {name} cannot be opened with this LEERLIJN_KEY_ENCRYPTION_KEY"
            ) from None


def _key_from(secret: str) -> bytes:
    """32 key bytes: the secret itself when it is base64 of 32 bytes, else HKDF of it."""
    try:
        raw = base64.b64decode(secret, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) == 32:
        return raw
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"leerlijn-issuer-keys", info=b"kek-v1"
    ).derive(secret.encode("utf-8"))
