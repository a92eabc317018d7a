"""Credential use cases: issue signed Open Badges 3.0 credentials, read them, verify any."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.orm import Session

from app.adapters.credential_environment import CredentialEnvironment
from app.adapters.keystore import IssuerKey
from app.clock import now, today
from app.domain.access import Principal, Target
from app.domain.credentials.clr import (
    ClrFacts,
    build_clr_credential,
    registry_associations,
)
from app.domain.credentials.diploma import (
    ComponentFacts,
    DiplomaCredentialFacts,
    build_diploma_credential,
)
from app.domain.credentials.envelope import OutcomeFacts
from app.domain.credentials.epa import EpaCredentialFacts, build_epa_credential
from app.domain.credentials.holder import HolderFacts
from app.domain.credentials.proof import add_proof
from app.domain.credentials.unit import UnitCertificateFacts, build_unit_credential
from app.domain.errors import AchievementNotEarned, InvalidData, NotFound
from app.domain.learner import Learner
from app.domain.model import Institution, Unit
from app.domain.paging import ListFilter, Page
from app.domain.path.achievements import missing_unit_outcomes, unearned
from app.domain.path.catalog import Catalog
from app.persistence import credential_repository as store
from app.persistence import learner_repository as records
from app.persistence import registry_repository as repo
from app.persistence.credential_repository import IssuedCredential
from app.persistence.locks import creation_lock
from app.persistence.models.credentials import IssuedCredentialRow
from app.services import status
from app.services.access import authorize
from app.services.holder_identity import holder_facts
from app.services.learners import load_catalog, load_record, read_learner

#: How each evidence source is named as a type of assessment (EU micro-credential element 9).
ASSESSMENT_NAMES = {
    "exam": "Examen (proeve van bekwaamheid)",
    "evc": "EVC (erkenning van eerder verworven competenties)",
    "prior_diploma": "Vrijstelling op grond van een eerder diploma",
    "vmbo_assignment": "vmbo-praktijkopdracht in een doorlopende leerroute",
    "transfer": "Overgenomen resultaat (transfer)",
}
PARTICIPATION = (
    "Op locatie en in de beroepspraktijk (beroepsopleidende of beroepsbegeleidende leerweg)"
)


def credential_url(base_url: str, credential_id: str) -> str:
    return f"{base_url}/credentials/{credential_id}"


def learner_url(base_url: str, learner_id: str) -> str:
    return f"{base_url}/api/learners/{learner_id}"


@dataclass(frozen=True, slots=True)
class Issuance:
    """What every credential kind needs: who, for whom, with which key, and when."""

    env: CredentialEnvironment
    learner_id: str
    institution: Institution
    key: IssuerKey
    credential_id: str
    issued_at: dt.datetime
    on: dt.date
    holder: HolderFacts | None = None

    @property
    def url(self) -> str:
        return credential_url(self.env.base_url, self.credential_id)

    @property
    def subject(self) -> str:
        return learner_url(self.env.base_url, self.learner_id)

    @property
    def issuer_did(self) -> str:
        return self.env.issuers.issuer_did(self.key)

    def common_facts(self) -> dict[str, Any]:
        """The facts every credential kind shares: its id, time, issuer and subject."""
        return {
            "credential_id": self.url,
            "issued_at": self.issued_at,
            "issuer_did": self.issuer_did,
            "institution_name": self.institution.name,
            "institution_brin": self.institution.brin,
            "learner_id": self.subject,
            "holder": self.holder,
        }


def issue_credential(
    session: Session,
    actor: Principal | None,
    env: CredentialEnvironment,
    learner_id: str,
    achievement: dict[str, str],
) -> tuple[IssuedCredential, bool]:
    """Issue, sign and store a credential for `achievement` (``{"type", "code"}``).

    ``type`` is ``unit`` (a unit certificate), ``epa`` (an entrustment at the learner's current
    supervision level) or ``qualification`` (a diploma, only for a complete path).

    Idempotent: when the learner already holds a credential for the achievement that is not
    revoked (suspended ones included) and whose key is not retired, that one is returned and
    nothing is minted. The institution's first key is made only when a credential is signed.

    Returns
    -------
    tuple of IssuedCredential and bool
        The credential, and whether it was minted now (False: the one already held).

    Raises
    ------
    InvalidData
        Unknown learner or achievement (named with a JSON pointer).
    AchievementNotEarned
        The learner has not achieved it; ``missing`` lists what is lacking.
    """
    checked = check_issue(session, actor, env, learner_id, achievement)
    if checked.held is not None:
        return checked.held, False
    return _mint_unless_held(session, env, checked, commit=True)


@dataclass(frozen=True, slots=True)
class IssueCheck:
    """An issue that passed `check_issue`: the credential already `held`, or one to mint."""

    actor: Principal
    learner: Learner
    kind: str
    code: str
    held: IssuedCredential | None


def check_issue(
    session: Session,
    actor: Principal | None,
    env: CredentialEnvironment,
    learner_id: str,
    achievement: dict[str, str],
    catalog: Catalog | None = None,
) -> IssueCheck:
    """What `issue_credential` checks (it raises as that does), writing nothing."""
    unknown = InvalidData([{"pointer": "/learner", "message": f"unknown learner '{learner_id}'"}])
    learner = records.get_learner(session, learner_id)
    if learner is None:
        raise unknown
    target = Target("learner", learner_id, institution=learner.institution, learner=learner_id)
    try:
        actor = authorize(session, actor, "credential.issue", target)
    except NotFound:
        raise unknown from None  # a learner outside your scope is as unknown as a missing one
    kind, code = achievement["type"], achievement["code"]
    if kind not in ("unit", "epa", "qualification"):
        raise InvalidData(
            [{"pointer": "/achievement/type", "message": f"unknown achievement type '{kind}'"}]
        )
    catalog = catalog or load_catalog(session)
    _require_known(session, catalog, kind, code)
    held = next(
        (c for c in store.held_for(session, learner_id, kind, code) if _key_is_live(env, c)), None
    )
    if held is None:
        record = load_record(session, learner_id)
        shortfall = unearned(catalog, record, kind, code, today(), learner_id=learner_id)
        if shortfall is not None:
            raise shortfall
    return IssueCheck(actor, learner, kind, code, held)


def mint_credential(
    session: Session, env: CredentialEnvironment, checked: IssueCheck, *, commit: bool = True
) -> IssuedCredential:
    """Sign and store the credential `checked` allows; ``commit=False``: the caller commits.

    When the same credential was issued meanwhile (another request, another instance), that
    one is returned and nothing is minted.
    """
    return _mint_unless_held(session, env, checked, commit=commit)[0]


def _mint_unless_held(
    session: Session, env: CredentialEnvironment, checked: IssueCheck, *, commit: bool
) -> tuple[IssuedCredential, bool]:
    """Mint under a lock named after learner and achievement, after looking again for one held:
    two requests that both found none cannot both mint (issuing stays idempotent)."""
    learner_id, kind, code = checked.learner.id, checked.kind, checked.code
    creation_lock(session, IssuedCredentialRow, f"credential:{learner_id}:{kind}:{code}")
    held = next(
        (c for c in store.held_for(session, learner_id, kind, code) if _key_is_live(env, c)), None
    )
    if held is not None:
        return held, False
    return _mint(session, env, checked, commit), True


def _mint(
    session: Session, env: CredentialEnvironment, checked: IssueCheck, commit: bool
) -> IssuedCredential:
    build = {"unit": _unit_credential, "epa": _epa_credential, "qualification": _diploma_credential}
    learner = checked.learner
    institution = repo.get_institution(session, learner.institution)
    assert institution is not None  # a learner's institution is a foreign key
    key = env.issuers.keys.active_or_create(institution.code)
    stamp = (str(uuid.uuid4()), now().replace(microsecond=0), today())  # id, issued at, on
    issuance = Issuance(env, learner.id, institution, key, *stamp, holder_facts(learner))
    document, name = build[checked.kind](session, issuance, checked.code)
    ids = (issuance.credential_id, learner.id, institution.code, checked.kind, checked.code)
    issued = IssuedCredential(*ids, name, key.key_id, issuance.issued_at, {})
    return _sign_and_store(session, checked.actor, env, key, document, issued, commit)


def _key_is_live(env: CredentialEnvironment, credential: IssuedCredential) -> bool:
    """Whether the key that signed `credential` is not retired (else it no longer verifies, and
    a new credential is minted in its place)."""
    key = env.issuers.keys.find(credential.institution, credential.key_id)
    return key is not None and key.status != "retired"


def _require_known(session: Session, catalog: Catalog, kind: str, code: str) -> None:
    """422 for an achievement the registry does not have."""
    if kind == "unit":
        known, noun = code in catalog.units, "unit"
    elif kind == "epa":
        known, noun = bool(repo.get_epas(session, [code])), "EPA"
    else:
        known, noun = code in catalog.qualifications, "qualification"
    if not known:
        raise InvalidData([{"pointer": "/achievement/code", "message": f"unknown {noun} '{code}'"}])


def _unit_credential(session: Session, issuance: Issuance, code: str) -> tuple[dict[str, Any], str]:
    unit = repo.get_unit(session, code)
    if unit is None:
        raise InvalidData([{"pointer": "/achievement/code", "message": f"unknown unit '{code}'"}])
    env, on = issuance.env, issuance.on
    evidence = [
        e for e in records.learner_record_items(session, issuance.learner_id)[0] if _counts(e, on)
    ]
    unit_evidence = [e for e in evidence if e.outcome in unit.outcome_codes]
    facts = UnitCertificateFacts(
        **issuance.common_facts(),
        achievement_id=unit_url(env.base_url, unit.code),
        unit_code=unit.code,
        unit_kind=unit.kind,
        unit_title=unit.title,
        unit_description=unit.description or unit.title,
        study_load_hours=unit.study_load_hours,
        outcomes=_outcome_facts(env.base_url, unit),
        assessment_type=assessment_type(unit_evidence),
        participation_form=PARTICIPATION,
        quality_assurance=quality_assurance(issuance.institution),
        awarded_on=max((e.date for e in unit_evidence), default=on),
        nlqf_level=unit.nlqf_level,
        eqf_level=unit.nlqf_level,
        activity_start=min((e.date for e in unit_evidence), default=None),
        activity_end=max((e.date for e in unit_evidence), default=None),
        language=unit.language,
    )
    return build_unit_credential(facts), unit.title


def _epa_credential(session: Session, issuance: Issuance, code: str) -> tuple[dict[str, Any], str]:
    epa = repo.get_epas(session, [code]).get(code)
    if epa is None:
        raise InvalidData([{"pointer": "/achievement/code", "message": f"unknown EPA '{code}'"}])
    on, env = issuance.on, issuance.env
    decisions = [
        e
        for e in records.learner_record_items(session, issuance.learner_id)[1]
        if e.epa == code and not e.withdrawn and e.date <= on
    ]
    latest = max(decisions, key=lambda e: (e.date, e.id))
    owner = repo.known_codes_among(session, outcomes=epa.draws_on).outcome_units
    units = repo.get_units(session, {owner[o] for o in epa.draws_on if o in owner})
    titles = {o.code: (o.title, u.code) for u in units.values() for o in u.outcomes}
    facts = EpaCredentialFacts(
        **issuance.common_facts(),
        achievement_id=f"{env.base_url}/api/epas/{epa.code}",
        epa_code=epa.code,
        epa_title=epa.title,
        epa_type=epa.type,
        epa_description=epa.description,
        outcomes=tuple(
            OutcomeFacts(o, titles[o][0], f"{unit_url(env.base_url, titles[o][1])}#{o}")
            for o in epa.draws_on
            if o in titles
        ),
        supervision_levels=tuple(repo.supervision_levels(session)),
        level=latest.level,
        entrusted_on=latest.date,
        decided_by=latest.decided_by,
        note=latest.note,
        required_level=_required_level(session, issuance.learner_id, code),
    )
    return build_epa_credential(facts), epa.title


def _required_level(session: Session, learner_id: str, epa: str) -> int | None:
    """The minimum level an enrolled qualification asks for `epa`, if any."""
    enrolled = [e.qualification for e in records.learner_record_items(session, learner_id)[3]]
    levels = [
        r.min_level
        for q in repo.get_qualifications(session, enrolled).values()
        for r in q.required_epas
        if r.epa == epa
    ]
    return max(levels) if levels else None


def _diploma_credential(
    session: Session, issuance: Issuance, code: str
) -> tuple[dict[str, Any], str]:
    qualification = repo.get_qualification(session, code)
    if qualification is None:
        raise InvalidData(
            [{"pointer": "/achievement/code", "message": f"unknown qualification '{code}'"}]
        )
    env = issuance.env
    catalog, record = load_catalog(session), load_record(session, issuance.learner_id)
    achieved_options = [
        u
        for u in qualification.electives.options
        if not missing_unit_outcomes(catalog, record, u, issuance.on)
    ]
    unit_codes = [*qualification.units, *achieved_options]
    units = repo.get_units(session, unit_codes)
    epas = repo.get_epas(session, [r.epa for r in qualification.required_epas])
    facts = DiplomaCredentialFacts(
        **issuance.common_facts(),
        achievement_id=f"{env.base_url}/api/qualifications/{qualification.code}",
        qualification_code=qualification.code,
        qualification_title=qualification.title,
        qualification_kind=qualification.kind,
        units=tuple(
            ComponentFacts(
                c,
                units[c].title,
                unit_url(env.base_url, c),
                study_load_hours=units[c].study_load_hours,
            )
            for c in unit_codes
        ),
        epas=tuple(
            ComponentFacts(
                r.epa, epas[r.epa].title, f"{env.base_url}/api/epas/{r.epa}", min_level=r.min_level
            )
            for r in qualification.required_epas
        ),
        awarded_on=issuance.on,
        crebo=qualification.crebo,
        nlqf_level=qualification.nlqf_level,
        eqf_level=qualification.eqf_level,
        quality_assurance=quality_assurance(issuance.institution),
    )
    return build_diploma_credential(facts), qualification.title


def _outcome_facts(base_url: str, unit: Unit) -> tuple[OutcomeFacts, ...]:
    return tuple(
        OutcomeFacts(o.code, o.title, f"{unit_url(base_url, unit.code)}#{o.code}")
        for o in unit.outcomes
    )


def unit_url(base_url: str, code: str) -> str:
    return f"{base_url}/api/units/{code}"


def quality_assurance(institution: Institution) -> str:
    return (
        f"Examencommissie van {institution.name}; examinering volgens de Wet educatie en "
        "beroepsonderwijs (WEB) en het examenplan van de opleiding."
    )


def learner_record_credential(
    session: Session, actor: Principal | None, env: CredentialEnvironment, learner_id: str
) -> dict[str, Any]:
    """Return a freshly signed CLR 2.0 record of every credential the learner holds.

    Revoked credentials are left out (the record is then ``partial``); associations come from
    the registry: ``precedes`` for prerequisites, ``isPartOf`` for unit → qualification.
    """
    learner = read_learner(session, actor, learner_id)
    issued = store.all_for_learner(session, learner_id)
    revoked = status.revoked_ids(session, [c.id for c in issued])
    held = [c for c in issued if c.id not in revoked]
    if not held:
        raise AchievementNotEarned(
            "the learner holds no credentials to put in a record", {"credentials": []}
        )
    institution = repo.get_institution(session, learner.institution)
    assert institution is not None
    key = env.issuers.keys.active_or_create(institution.code)
    session.commit()  # a key made just now must outlive this read: the record names it
    achievement_ids = {
        c.achievement_code: c.document["credentialSubject"]["achievement"]["id"] for c in held
    }
    associations = registry_associations(
        repo.all_prerequisites(session), repo.get_qualifications(session).values(), achievement_ids
    )
    facts = ClrFacts(
        credential_id=f"urn:uuid:{uuid.uuid4()}",
        issued_at=now().replace(microsecond=0),
        issuer_did=env.issuers.issuer_did(key),
        institution_name=institution.name,
        institution_brin=institution.brin,
        learner_id=learner_url(env.base_url, learner_id),
        credentials=tuple(c.document for c in held),
        associations=associations,
        partial=bool(revoked) or None,
    )
    return sign(env, build_clr_credential(facts), key)


def _sign_and_store(
    session: Session,
    actor: Principal | None,
    env: CredentialEnvironment,
    key: Any,
    document: dict[str, Any],
    issued: IssuedCredential,
    commit: bool = True,
) -> IssuedCredential:
    """Give the credential its status entries, sign it, store it: one transaction."""
    reserved = status.reserve_status_entries(session, env, key)
    document["credentialStatus"] = status.published_status_entry(env, reserved)
    signed = replace(issued, document=sign(env, document, key))
    store.add(session, signed, actor.id)
    session.flush()
    status.record_status_entries(session, signed.id, reserved)
    if commit:
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


def learner_credentials(
    session: Session, actor: Principal | None, learner_id: str, flt: ListFilter
) -> Page:
    read_learner(session, actor, learner_id)
    return store.list_for_learner(session, learner_id, flt)


def read_credential(
    session: Session, actor: Principal | None, credential_id: str
) -> IssuedCredential:
    """A credential with its document, for its holder and the issuing school's staff.

    Everyone may see the credential's public page; this is the API's record of it.
    """
    credential = get_credential(session, credential_id)
    target = Target(
        "credential",
        credential_id,
        institution=credential.institution,
        learner=credential.learner,
    )
    authorize(session, actor, "learner.read", target)
    return credential


def all_learner_credentials(session: Session, learner_id: str) -> list[IssuedCredential]:
    """Every credential issued to `learner_id`, oldest first (none for an unknown learner)."""
    return store.all_for_learner(session, learner_id)
