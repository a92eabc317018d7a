"""Credential use cases: issue signed Open Badges 3.0 credentials, read them, verify any."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session

from app.credential_environment import CredentialEnvironment
from app.domain.badges import OutcomeFacts, UnitCertificateFacts, build_unit_credential
from app.domain.dataintegrity import add_proof
from app.domain.errors import AchievementNotEarned, InvalidData, NotFound
from app.domain.achievements import missing_unit_outcomes
from app.domain.verification import VerificationReport, verify_credential
from app.persistence import credentials as store
from app.persistence import learners as records
from app.persistence import repository as repo
from app.persistence.credentials import IssuedCredential
from app.persistence.repository import ListFilter, Page
from app.services import status
from app.services.actor import Actor, authorize
from app.services.learners import load_catalog, load_record, now, today

#: How each evidence source is named as a type of assessment (EU micro-credential element 9).
ASSESSMENT_NAMES = {
    "exam": "Examen (proeve van bekwaamheid)",
    "evc": "EVC (erkenning van eerder verworven competenties)",
    "prior_diploma": "Vrijstelling op grond van een eerder diploma",
    "vmbo_assignment": "vmbo-praktijkopdracht in een doorlopende leerroute",
    "transfer": "Overgenomen resultaat (transfer)",
}
PARTICIPATION = "Op locatie en in de beroepspraktijk (beroepsopleidende of beroepsbegeleidende leerweg)"


def credential_url(base_url: str, credential_id: str) -> str:
    return f"{base_url}/credentials/{credential_id}"


def learner_url(base_url: str, learner_id: str) -> str:
    return f"{base_url}/api/learners/{learner_id}"


def issue_credential(
    session: Session, actor: Actor, env: CredentialEnvironment, learner_id: str, achievement: dict[str, str]
) -> IssuedCredential:
    """Issue, sign and store a credential for `achievement` (``{"type", "code"}``).

    Raises
    ------
    InvalidData
        Unknown learner or achievement (named with a JSON pointer).
    AchievementNotEarned
        The learner has not achieved it; ``missing`` lists what is lacking.
    """
    authorize(actor, "issue", f"learner:{learner_id}")
    learner = records.get_learner(session, learner_id)
    if learner is None:
        raise InvalidData([{"pointer": "/learner", "message": f"unknown learner '{learner_id}'"}])
    kind, code = achievement["type"], achievement["code"]
    if kind != "unit":
        raise InvalidData([{"pointer": "/achievement/type", "message": f"cannot issue '{kind}' credentials yet"}])
    unit = repo.get_unit(session, code)
    if unit is None:
        raise InvalidData([{"pointer": "/achievement/code", "message": f"unknown unit '{code}'"}])
    on = today()
    missing = missing_unit_outcomes(load_catalog(session), load_record(session, learner_id), code, on)
    if missing:
        raise AchievementNotEarned(
            f"unit '{code}' is not achieved: {len(missing)} outcome(s) missing", {"outcomes": list(missing)}
        )
    institution = repo.get_institution(session, learner.institution)
    assert institution is not None  # a learner's institution is a foreign key
    key = env.issuers.keys.active(institution.code) or env.issuers.keys.create(institution.code)
    credential_id = str(uuid.uuid4())
    issued_at = now().replace(microsecond=0)
    evidence = [e for e in records.learner_record_items(session, learner_id)[0] if _counts(e, on)]
    unit_evidence = [e for e in evidence if e.outcome in unit.outcome_codes]
    facts = UnitCertificateFacts(
        credential_id=credential_url(env.base_url, credential_id),
        issued_at=issued_at,
        issuer_did=env.issuers.issuer_did(key),
        institution_name=institution.name,
        institution_brin=institution.brin,
        learner_id=learner_url(env.base_url, learner_id),
        achievement_id=f"{env.base_url}/api/units/{unit.code}",
        unit_code=unit.code,
        unit_kind=unit.kind,
        unit_title=unit.title,
        unit_description=unit.description or unit.title,
        study_load_hours=unit.study_load_hours,
        outcomes=tuple(
            OutcomeFacts(o.code, o.title, f"{env.base_url}/api/units/{unit.code}#{o.code}") for o in unit.outcomes
        ),
        assessment_type=assessment_type(unit_evidence),
        participation_form=PARTICIPATION,
        quality_assurance=(
            f"Examencommissie van {institution.name}; examinering volgens de Wet educatie en "
            "beroepsonderwijs (WEB) en het examenplan van de opleiding."
        ),
        awarded_on=max((e.date for e in unit_evidence), default=on),
        nlqf_level=unit.nlqf_level,
        eqf_level=unit.nlqf_level,
        activity_start=min((e.date for e in unit_evidence), default=None),
        activity_end=max((e.date for e in unit_evidence), default=None),
        language=unit.language,
    )
    return _sign_and_store(
        session, actor, env, key, build_unit_credential(facts),
        IssuedCredential(credential_id, learner_id, institution.code, "unit", unit.code, unit.title, key.key_id, issued_at, {}),
    )


def _sign_and_store(
    session: Session, actor: Actor, env: CredentialEnvironment, key: Any, document: dict[str, Any], issued: IssuedCredential
) -> IssuedCredential:
    """Give the credential its status entries, sign it, store it: one transaction."""
    reserved = status.reserve_status_entries(session, env, key)
    document["credentialStatus"] = status.status_entries_json(env, reserved)
    signed = replace(issued, document=sign(env, document, key))
    store.add(session, signed, actor.id)
    session.flush()
    status.record_status_entries(session, signed.id, reserved)
    session.commit()
    return signed


def sign(env: CredentialEnvironment, document: dict[str, Any], key: Any) -> dict[str, Any]:
    """Add an eddsa-rdfc-2022 proof (as a proof set, which the OB 3.0 schema wants)."""
    return add_proof(
        document,
        sign=env.issuers.keys.signer(key),
        verification_method=env.issuers.verification_method(key),
        created=now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        loader=env.loader,
        proof_set=True,
    )


def assessment_type(evidence: list[Any]) -> str:
    names = sorted({ASSESSMENT_NAMES.get(e.source, e.source) for e in evidence})
    return "; ".join(names) if names else ASSESSMENT_NAMES["exam"]


def _counts(evidence: Any, on: dt.date) -> bool:
    return (
        evidence.source != "formative"
        and not evidence.withdrawn
        and evidence.date <= on
        and (evidence.valid_until is None or on <= evidence.valid_until)
    )


def get_credential(session: Session, credential_id: str) -> IssuedCredential:
    credential = store.get(session, credential_id)
    if credential is None:
        raise NotFound("credential", credential_id)
    return credential


def learner_credentials(session: Session, learner_id: str, flt: ListFilter) -> Page:
    if records.get_learner(session, learner_id) is None:
        raise NotFound("learner", learner_id)
    return store.list_for_learner(session, learner_id, flt)


def verify(
    session: Session, env: CredentialEnvironment, document: Any, at: dt.datetime | None = None
) -> VerificationReport:
    """Verify any received credential offline: context, proof, issuer, validity, schema, status."""
    return verify_credential(
        document,
        loader=env.loader,
        resolve_public_key=env.issuers.resolve_public_key,
        validate_schema=env.validate_schema,
        now=at or now(),
        is_known_issuer=env.issuers.is_known_issuer,
        is_live_method=env.issuers.is_live_method,
        extra_checks=[("status", status.status_check(session, env))],
    )
