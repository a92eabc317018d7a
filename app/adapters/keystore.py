"""Issuer key pairs (Ed25519): what a key store offers, and the folder store of earlier versions.

The registry keeps its keys in the database (`app.persistence.key_repository.DatabaseKeyStore`,
shared by every instance, private halves sealed). `FolderKeyStore` is how keys were kept
before, one folder per installation; ``flask keys import-folder`` moves such keys into the
database. Folder layout: ``{directory}/{institution}/{key_id}.json`` holds the public facts
(status, public Multikey, dates) and ``{key_id}.key`` the private Multikey, created with mode
0600 in a 0700 folder. Private keys never leave this module: callers get a signing callable.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app.domain.credentials.did_key import did_key_from_public_key
from app.domain.credentials.multibase import (
    decode_ed25519_private_multikey,
    decode_ed25519_public_multikey,
    encode_ed25519_private_multikey,
    encode_ed25519_public_multikey,
)

KeyStatus = Literal["active", "rotated", "retired"]
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True, slots=True)
class IssuerKey:
    """The public facts of one issuer key."""

    key_id: str
    institution: str
    public_key_multibase: str
    created: str
    status: KeyStatus = "active"
    retired: str | None = None

    @property
    def did_key(self) -> str:
        return did_key_from_public_key(decode_ed25519_public_multikey(self.public_key_multibase))


class IssuerKeys(Protocol):
    """What issuing and verifying need of a key store."""

    def keys(self, institution: str) -> list[IssuerKey]: ...
    def active(self, institution: str) -> IssuerKey | None: ...
    def find(self, institution: str, key_id: str) -> IssuerKey | None: ...
    def all_keys(self) -> list[IssuerKey]: ...
    def active_or_create(self, institution: str) -> IssuerKey: ...
    def create(self, institution: str) -> IssuerKey: ...
    def retire(self, institution: str, key_id: str) -> IssuerKey: ...
    def signer(self, key: IssuerKey) -> Callable[[bytes], bytes]: ...


class FolderKeyStore:
    """Creates, lists, rotates and retires Ed25519 keys kept in a folder (earlier versions)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def keys(self, institution: str) -> list[IssuerKey]:
        """Every key of `institution`, oldest first."""
        folder = self._folder(institution)
        if not folder.is_dir():
            return []
        found = [
            IssuerKey(**json.loads(path.read_text(encoding="utf-8")))
            for path in folder.glob("*.json")
        ]
        return sorted(found, key=lambda k: (k.created, k.key_id))

    def active(self, institution: str) -> IssuerKey | None:
        active = [k for k in self.keys(institution) if k.status == "active"]
        return active[-1] if active else None

    def find(self, institution: str, key_id: str) -> IssuerKey | None:
        return next((k for k in self.keys(institution) if k.key_id == key_id), None)

    def all_keys(self) -> list[IssuerKey]:
        if not self.directory.is_dir():
            return []
        return [
            key
            for folder in sorted(self.directory.iterdir())
            if folder.is_dir()
            for key in self.keys(folder.name)
        ]

    def active_or_create(self, institution: str) -> IssuerKey:
        """The institution's active key, made now when it has none — once, however many
        processes ask at the same time (they wait for each other on the folder's lock)."""
        found = self.active(institution)
        if found is not None:
            return found
        with self._locked(institution):
            return self.active(institution) or self._create_unlocked(institution)

    def create(self, institution: str) -> IssuerKey:
        """Make a new active key; an earlier active key becomes 'rotated' (still valid)."""
        with self._locked(institution):
            return self._create_unlocked(institution)

    @contextmanager
    def _locked(self, institution: str) -> Iterator[None]:
        """Hold the institution's key lock (an exclusive ``flock`` on ``.lock`` in its folder)
        so that key changes from several processes happen one after the other."""
        folder = self._folder(institution)
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(folder, 0o700)
        descriptor = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)  # closing releases the lock

    def _create_unlocked(self, institution: str) -> IssuerKey:
        folder = self._folder(institution)
        for key in self.keys(institution):
            if key.status == "active":
                self._write_public(replace(key, status="rotated"))
        private = Ed25519PrivateKey.generate()
        seed = private.private_bytes_raw()
        public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        key = IssuerKey(
            key_id=f"key-{created[:10].replace('-', '')}-{secrets.token_hex(3)}",
            institution=institution,
            public_key_multibase=encode_ed25519_public_multikey(public),
            created=created,
        )
        private_path = folder / f"{key.key_id}.key"
        descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(encode_ed25519_private_multikey(seed))
        self._write_public(key)
        return key

    def retire(self, institution: str, key_id: str) -> IssuerKey:
        with self._locked(institution):
            key = self.find(institution, key_id)
            if key is None:
                raise KeyError(f"{institution} has no key {key_id}")
            retired = replace(key, status="retired", retired=datetime.now(UTC).isoformat())
            self._write_public(retired)
            return retired

    def signer(self, key: IssuerKey) -> Callable[[bytes], bytes]:
        """Return a function that signs bytes with `key`'s private half."""
        if key.status == "retired":
            raise ValueError(f"key {key.key_id} is retired")
        text = (
            (self._folder(key.institution) / f"{key.key_id}.key")
            .read_text(encoding="utf-8")
            .strip()
        )
        private = Ed25519PrivateKey.from_private_bytes(decode_ed25519_private_multikey(text))
        return private.sign

    def _folder(self, institution: str) -> Path:
        if not SAFE_NAME.fullmatch(institution):
            raise ValueError(f"unusable institution code for a key folder: {institution!r}")
        return self.directory / institution

    def _write_public(self, key: IssuerKey) -> None:
        path = self._folder(key.institution) / f"{key.key_id}.json"
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(asdict(key), indent=2), encoding="utf-8")
        os.replace(temporary, path)
