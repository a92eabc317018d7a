"""European Digital Credentials: an issued credential, signed afresh as an EDC (ELM v3).

The EDC is built on demand from the stored Open Badges credential (its achievement, evidence,
dates and status entry) and the institution's legal data, and signed with the key that signed
the OB credential (``eddsa-rdfc-2022``), so it has the same issuer DID and the same id: it is
the same credential in Europe's format, and revoking or suspending the one does so for the
other (``POST /api/verify`` finds its status through that id and the status IRI).
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy.orm import Session

from app.adapters.credential_environment import CredentialEnvironment
from app.clock import now
from app.domain.access import Principal
from app.domain.credentials.edc import (
    EdcIssuer,
    Kind,
    MissingLegalData,
    build_edc,
    signing_context,
)
from app.domain.credentials.proof import add_proof
from app.domain.errors import Conflict
from app.persistence import registry_repository as repo
from app.persistence.credential_repository import IssuedCredential
from app.services.credentials import get_credential, read_credential


def credential_edc(
    session: Session, actor: Principal | None, env: CredentialEnvironment, credential_id: str
) -> dict[str, Any]:
    """The signed EDC of a credential, for those who may read the credential through the API.

    Raises
    ------
    NotFound
        Unknown credential, or one outside the actor's scope.
    Conflict
        The institution lacks legal data an EDC issuer must state, or the credential's key
        is gone.
    """
    return signed_edc(env, read_credential(session, actor, credential_id), session)


def public_edc(session: Session, env: CredentialEnvironment, credential_id: str) -> dict[str, Any]:
    """The signed EDC behind the public credential page (as public as the OB download)."""
    return signed_edc(env, get_credential(session, credential_id), session)


def signed_edc(
    env: CredentialEnvironment, credential: IssuedCredential, session: Session
) -> dict[str, Any]:
    """Build the EDC of `credential` and sign it with the key that signed the credential."""
    institution = repo.get_institution(session, credential.institution)
    key = env.issuers.keys.find(credential.institution, credential.key_id)
    if institution is None or key is None:
        raise Conflict(f"the key that signed credential {credential.id} is no longer available")
    issuer = EdcIssuer(
        env.issuers.issuer_did(key), institution.code, institution.name, institution.legal
    )
    try:
        document = build_edc(credential.document, cast(Kind, credential.achievement_type), issuer)
    except MissingLegalData as exc:
        raise Conflict(str(exc)) from None
    document["@context"] = signing_context(document["@context"])
    return add_proof(
        document,
        sign=env.issuers.keys.signer(key),
        verification_method=env.issuers.verification_method(key),
        created=now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        loader=env.loader,
    )
