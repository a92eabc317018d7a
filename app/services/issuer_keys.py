"""Issuer key management: make, rotate, retire, list, and move keys from the old folder store.

Keys live in the database (`app.persistence.key_repository.DatabaseKeyStore`); each change is
one transaction, audited as the acting principal (the command line acts as ``system``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from app.adapters.credential_environment import CredentialEnvironment
from app.adapters.keystore import FolderKeyStore, IssuerKey
from app.domain.access import Principal, Target
from app.domain.errors import NotFound
from app.persistence import registry_repository as repo
from app.persistence.key_repository import DatabaseKeyStore
from app.services.access import authorize


def _authorized(session: Session, actor: Principal | None, institution: str) -> Principal:
    if repo.get_institution(session, institution) is None:
        raise NotFound("institution", institution)
    return authorize(
        session, actor, "keys.manage", Target("institution", institution, institution=institution)
    )


def create_key(
    session: Session, actor: Principal | None, env: CredentialEnvironment, institution: str
) -> IssuerKey:
    """A new active key for `institution`; an earlier active key becomes 'rotated'."""
    _authorized(session, actor, institution)
    key = env.issuers.keys.create(institution)
    session.commit()
    return key


def retire_key(
    session: Session,
    actor: Principal | None,
    env: CredentialEnvironment,
    institution: str,
    key_id: str,
) -> IssuerKey:
    """Retire a key: it leaves the DID document, and what it signed fails the issuer check."""
    _authorized(session, actor, institution)
    key = env.issuers.keys.retire(institution, key_id)
    session.commit()
    return key


def list_keys(env: CredentialEnvironment, institution: str) -> list[IssuerKey]:
    """The institution's keys, oldest first (public facts only)."""
    return env.issuers.keys.keys(institution)


@dataclass
class FolderImport:
    """What `import_folder` did, key by key."""

    imported: list[str] = field(default_factory=list)
    already_stored: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)


def import_folder(
    session: Session, actor: Principal | None, env: CredentialEnvironment, folder: Path
) -> FolderImport:
    """Move the keys of an earlier version's key folder into the database (one transaction).

    Keys already stored are left as they are; an institution the registry does not know is
    skipped (with the reason). The folder itself is not changed: delete it once every instance
    runs this version.
    """
    store = env.issuers.keys
    if not isinstance(store, DatabaseKeyStore):
        raise TypeError("keys are imported into the database key store")
    report = FolderImport()
    old = FolderKeyStore(folder)
    for key in old.all_keys():
        name = f"{key.institution}/{key.key_id}"
        if repo.get_institution(session, key.institution) is None:
            report.skipped[name] = "unknown institution"
            continue
        _authorized(session, actor, key.institution)
        private = (folder / key.institution / f"{key.key_id}.key").read_text("utf-8").strip()
        if store.add_existing(key, private):
            report.imported.append(name)
        else:
            report.already_stored.append(name)
    session.commit()
    return report
