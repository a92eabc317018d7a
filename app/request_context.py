"""What a handler (API view, page, CLI command) takes from Flask and hands to the services.

The services never import Flask: the views call `current_actor`, `credential_environment` and
`path_caches` here and pass the values down as parameters. The acting party is read once per
request from the ``X-Leerlijn-Actor`` header (`set_actor`, registered in `app.create_app`);
the credential environment and the path caches are built once per app in `app.create_app`.
"""

from __future__ import annotations

from flask import current_app, g, request

from app.adapters.credential_environment import CredentialEnvironment
from app.persistence.versions import PathCaches
from app.services.actor import Actor

ACTOR_HEADER = "X-Leerlijn-Actor"
#: Keys of the app-wide dependencies in ``app.extensions``.
CREDENTIALS_KEY = "leerlijn_credentials"
PATH_CACHES_KEY = "path_caches"


def set_actor() -> None:
    """Make the acting party of this request known (authentication arrives in a later issue)."""
    g.actor = Actor(id=request.headers.get(ACTOR_HEADER, "anonymous").strip()[:100] or "anonymous")


def current_actor() -> Actor:
    """The acting party of the current request."""
    return g.actor  # type: ignore[no-any-return]


def credential_environment() -> CredentialEnvironment:
    """The current app's credential environment (built in `app.create_app`)."""
    environment: CredentialEnvironment = current_app.extensions[CREDENTIALS_KEY]
    return environment


def path_caches() -> PathCaches:
    """The current app's path-engine caches (built in `app.create_app`)."""
    caches: PathCaches = current_app.extensions[PATH_CACHES_KEY]
    return caches
