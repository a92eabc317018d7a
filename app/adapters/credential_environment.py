"""What issuing and verifying need, built once per app: offline loader, schema, issuers.

`app.create_app` builds one `CredentialEnvironment` from the configuration and keeps it in
``app.extensions``; the views fetch it there (`app.request_context.credential_environment`) and
hand it to the services, which never look it up themselves. The JSON-LD context documents and
the JSON Schema validator are read on first use, so an app that never touches a credential
(most tests, ``flask seed``) does not pay for reading and checking them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import Any

from app.adapters.issuers import IssuerDirectory
from app.adapters.json_schemas import load_clr_validator, load_credential_validator
from app.adapters.jsonld import OfflineDocumentLoader, load_context_documents, make_document_loader
from app.adapters.keystore import IssuerKeys
from app.domain.credentials.proof import ProofResult


class CredentialEnvironment:
    """The base URL, the issuers and their keys, the offline document loader and the schema.

    Parameters
    ----------
    base_url : str
        The public base URL (``LEERLIJN_BASE_URL``): credential ids, did:web and status lists.
    schemas_dir : Path
        The folder with ``contexts/`` (JSON-LD contexts) and ``json-schema/``.
    keys : IssuerKeys
        The issuers' Ed25519 keys (the database key store).
    """

    def __init__(self, *, base_url: str, schemas_dir: Path, keys: IssuerKeys) -> None:
        self.base_url = base_url
        self.schemas_dir = schemas_dir
        self.issuers = IssuerDirectory(base_url, keys)
        #: Status-list proofs that verified, by content and key (see `services.status`).
        self.verified_status_lists: dict[tuple[bytes, str, bytes], ProofResult] = {}
        #: OB 3.0 JSON Schema errors per exact document content (sha256 of its sorted JSON).
        self.schema_results: dict[bytes, list[str]] = {}

    @cached_property
    def contexts(self) -> dict[str, dict[str, Any]]:
        """``{canonical URL: context document}``, checked against their sha256 sums."""
        return load_context_documents(self.schemas_dir / "contexts")

    @cached_property
    def loader(self) -> OfflineDocumentLoader:
        """The pyld document loader serving only the shipped contexts (and did:key)."""
        return make_document_loader(self.contexts)

    @cached_property
    def validate_schema(self) -> Callable[[Any], list[str]]:
        """The Open Badges 3.0 JSON Schema check: a document in, its errors out."""
        return load_credential_validator(self.schemas_dir / "json-schema")

    @cached_property
    def validate_clr_schema(self) -> Callable[[Any], list[str]]:
        """The CLR 2.0 ClrCredential JSON Schema check (VC 2.0 shape), for learner records."""
        return load_clr_validator(self.schemas_dir / "json-schema")
