"""What a handler (API view, page, CLI command) takes from Flask and hands to the services.

The services never import Flask: the views call `current_actor`, `credential_environment` and
`path_caches` here and pass the values down as parameters. The acting party is the request's
authenticated principal (`app.authentication`); the credential environment and the path caches
are built once per app in `app.create_app`.
"""

from __future__ import annotations

from flask import current_app

from app.adapters.credential_environment import CredentialEnvironment
from app.authentication import current_principal
from app.domain.access import Principal
from app.persistence.versions import PathCaches

#: Keys of the app-wide dependencies in ``app.extensions``.
CREDENTIALS_KEY = "leerlijn_credentials"
PATH_CACHES_KEY = "path_caches"


def current_actor() -> Principal | None:
    """The signed-in principal of the current request (None: nobody signed in).

    It comes from the request's credentials only (`app.authentication`): a bearer token under
    ``/api``, the session cookie on the pages.
    """
    return current_principal()


def default_institution() -> str:
    """The institution of units, learners, qualifications and EPAs that name none.

    The signed-in principal's own institution when they have one (a school-admin creating a
    unit means their school's), else ``LEERLIJN_DEFAULT_INSTITUTION``.
    """
    principal = current_principal()
    if principal is not None and principal.institution:
        return principal.institution
    return str(current_app.config["LEERLIJN_DEFAULT_INSTITUTION"])


def credential_environment() -> CredentialEnvironment:
    """The current app's credential environment (built in `app.create_app`)."""
    environment: CredentialEnvironment = current_app.extensions[CREDENTIALS_KEY]
    return environment


def path_caches() -> PathCaches:
    """The current app's path-engine caches (built in `app.create_app`)."""
    caches: PathCaches = current_app.extensions[PATH_CACHES_KEY]
    return caches
