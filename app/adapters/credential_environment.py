"""What issuing and verifying need, built once per app: offline loader, schema, issuers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from app.adapters.issuers import IssuerDirectory
from app.adapters.json_schemas import load_credential_validator
from app.adapters.jsonld import OfflineDocumentLoader, load_context_documents, make_document_loader
from app.adapters.keystore import KeyStore


@dataclass(frozen=True, slots=True)
class CredentialEnvironment:
    base_url: str
    loader: OfflineDocumentLoader
    validate_schema: Callable[[Any], list[str]]
    issuers: IssuerDirectory
    contexts: dict[str, dict[str, Any]]


def build_credential_environment(app: Flask) -> CredentialEnvironment:
    schemas: Path = app.config["SCHEMAS_DIR"]
    contexts = load_context_documents(schemas / "contexts")
    keys_dir = Path(app.config.get("LEERLIJN_KEYS_DIR") or Path(app.instance_path) / "keys")
    return CredentialEnvironment(
        base_url=app.config["LEERLIJN_BASE_URL"],
        loader=make_document_loader(contexts),
        validate_schema=load_credential_validator(schemas / "json-schema"),
        issuers=IssuerDirectory(app.config["LEERLIJN_BASE_URL"], KeyStore(keys_dir)),
        contexts=contexts,
    )


def credential_environment() -> CredentialEnvironment:
    """The current app's environment, built on first use and kept on the app."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    environment = app.extensions.get("leerlijn_credentials")
    if environment is None:
        environment = build_credential_environment(app)
        app.extensions["leerlijn_credentials"] = environment
    return environment
