"""Issuer keys in the database, shared by every instance; private halves sealed at rest.

`DatabaseKeyStore` is the registry's key store (`app.adapters.keystore.IssuerKeys`): it works
in the session of the current use case, so a key made while issuing is committed (and audited)
with the credential it signed, and never exists without it. Making an institution's first key
holds a named lock (`creation_lock`), so two instances issuing at once make one key. Private
keys leave this module only as signing callables; opened keys are kept per key id (they never
change), public facts are read afresh each time (a key retired by one instance is retired for
all at once).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.adapters.key_sealing import KeySealer
from app.adapters.keystore import IssuerKey
from app.domain.credentials.multibase import (
    decode_ed25519_private_multikey,
    encode_ed25519_private_multikey,
    encode_ed25519_public_multikey,
)
from app.persistence.locks import creation_lock, locked
from app.persistence.models.keys import IssuerKeyRow


def _public(row: IssuerKeyRow) -> IssuerKey:
    return IssuerKey(
        key_id=row.key_id,
        institution=row.institution,
        public_key_multibase=row.public_key_multibase,
        created=row.created,
        status=row.status,  # type: ignore[arg-type]
        retired=row.retired,
    )


class DatabaseKeyStore:
    """Creates, lists, rotates and retires the institutions' Ed25519 keys (table issuer_keys).

    Parameters
    ----------
    session : callable
        Returns the session of the current use case (``lambda: db.session``).
    sealer : KeySealer
        Seals and opens private keys (``LEERLIJN_KEY_ENCRYPTION_KEY``).
    """

    def __init__(self, session: Callable[[], Session], sealer: KeySealer) -> None:
        self._session = session
        self.sealer = sealer
        self._signers: dict[tuple[str, str], Callable[[bytes], bytes]] = {}

    def keys(self, institution: str) -> list[IssuerKey]:
        """Every key of `institution`, oldest first."""
        rows = self._session().scalars(
            select(IssuerKeyRow)
            .where(IssuerKeyRow.institution == institution)
            .order_by(IssuerKeyRow.created, IssuerKeyRow.key_id)
        )
        return [_public(row) for row in rows]

    def active(self, institution: str) -> IssuerKey | None:
        active = [k for k in self.keys(institution) if k.status == "active"]
        return active[-1] if active else None

    def find(self, institution: str, key_id: str) -> IssuerKey | None:
        row = self._session().get(IssuerKeyRow, (institution, key_id))
        return _public(row) if row is not None else None

    def all_keys(self) -> list[IssuerKey]:
        rows = self._session().scalars(
            select(IssuerKeyRow).order_by(
                IssuerKeyRow.institution, IssuerKeyRow.created, IssuerKeyRow.key_id
            )
        )
        return [_public(row) for row in rows]

    def active_or_create(self, institution: str) -> IssuerKey:
        """The institution's active key, made now when it has none — once, however many
        instances ask at the same time (they wait for each other on a named lock)."""
        found = self.active(institution)
        if found is not None:
            return found
        creation_lock(self._session(), IssuerKeyRow, f"issuer-key:{institution}")
        return self.active(institution) or self._create_locked(institution)

    def create(self, institution: str) -> IssuerKey:
        """Make a new active key; an earlier active key becomes 'rotated' (still valid)."""
        creation_lock(self._session(), IssuerKeyRow, f"issuer-key:{institution}")
        return self._create_locked(institution)

    def retire(self, institution: str, key_id: str) -> IssuerKey:
        row = locked(self._session(), IssuerKeyRow, (institution, key_id))
        if row is None:
            raise KeyError(f"{institution} has no key {key_id}")
        row.status = "retired"
        row.retired = datetime.now(UTC).isoformat()
        self._session().flush()
        return _public(row)

    def add_existing(self, key: IssuerKey, private_multikey: str) -> bool:
        """Store a key made elsewhere (the folder store, see `flask keys import-folder`).

        Returns False (and changes nothing) when the key is stored already.
        """
        session = self._session()
        if session.get(IssuerKeyRow, (key.institution, key.key_id)) is not None:
            return False
        seed = decode_ed25519_private_multikey(private_multikey)
        public = (
            Ed25519PrivateKey.from_private_bytes(seed)
            .public_key()
            .public_bytes(Encoding.Raw, PublicFormat.Raw)
        )
        if encode_ed25519_public_multikey(public) != key.public_key_multibase:
            raise ValueError(f"the private key of {key.key_id} does not match its public key")
        session.add(self._row(key, seed))
        session.flush()
        return True

    def signer(self, key: IssuerKey) -> Callable[[bytes], bytes]:
        """Return a function that signs bytes with `key`'s private half."""
        if key.status == "retired":
            raise ValueError(f"key {key.key_id} is retired")
        name = (key.institution, key.key_id)
        if name not in self._signers:
            row = self._session().get(IssuerKeyRow, name)
            if row is None:
                raise KeyError(f"{key.institution} has no key {key.key_id}")
            text = self.sealer.open(row.private_key_sealed, _sealed_name(key)).decode("ascii")
            private = Ed25519PrivateKey.from_private_bytes(decode_ed25519_private_multikey(text))
            self._signers[name] = private.sign
        return self._signers[name]

    def _create_locked(self, institution: str) -> IssuerKey:
        session = self._session()
        for row in session.scalars(
            select(IssuerKeyRow).where(
                IssuerKeyRow.institution == institution, IssuerKeyRow.status == "active"
            )
        ):
            row.status = "rotated"
        private = Ed25519PrivateKey.generate()
        public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        key = IssuerKey(
            key_id=f"key-{created[:10].replace('-', '')}-{secrets.token_hex(3)}",
            institution=institution,
            public_key_multibase=encode_ed25519_public_multikey(public),
            created=created,
        )
        session.add(self._row(key, private.private_bytes_raw()))
        session.flush()
        return key

    def _row(self, key: IssuerKey, seed: bytes) -> IssuerKeyRow:
        sealed = self.sealer.seal(
            encode_ed25519_private_multikey(seed).encode("ascii"), _sealed_name(key)
        )
        return IssuerKeyRow(
            institution=key.institution,
            key_id=key.key_id,
            public_key_multibase=key.public_key_multibase,
            created=key.created,
            status=key.status,
            retired=key.retired,
            private_key_sealed=sealed,
            sealed_with=self.sealer.fingerprint,
        )


def _sealed_name(key: IssuerKey) -> str:
    return f"{key.institution}/{key.key_id}"
