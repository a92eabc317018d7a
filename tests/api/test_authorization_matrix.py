"""Who may do what, for every route of the app: the authorization matrix of issue #12.

`ROUTES` states the policy of every (method, rule) of the app's URL map — API and pages — and
`test_every_route_has_a_policy` fails for a route without an entry, so a new route must be
classified before the suite passes again. `test_route` sends one request per principal (no
credentials, an expired token, a revoked token, admin, school-admin and assessor of MBO-ZW and
of another institution MBO-B, the vmbo-teacher of VMBO-ZW-WLC, the learner DEMO-L5 on their own
data and another learner) with concrete values from the seed and checks the status class:

- ``public``: never refused (401/403) — but an invalid bearer token under /api is a 401;
- protected, without valid credentials: 401 problem document (API), redirect to /login (pages);
- a role that may not: 403; personal data (a learner, their records, their credentials)
  outside the principal's scope: 404, so that ids cannot be probed;
- allowed: neither 401, 403 nor 404 (a 409 or 422 caused by the data is fine).

One seeded app serves the whole module; write requests use valid bodies (so that refusals come
from authorization, not validation) and a `prepare` hook restores what a request consumes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.config import TestConfig
from app.domain.access import SYSTEM, Role
from app.domain.case import Identifiers
from app.domain.errors import Conflict
from app.domain.model import Prerequisite
from app.extensions import db
from app.persistence.audit import bind_principal
from app.persistence.models.access import ApiTokenRow
from app.services import access, learner_details, registry, vmbo
from app.services.seeding import load_seed
from tests.helpers import SignedInClient, admin_client, credential_id, signed_in_client

PROBLEM = "application/problem+json"

#: The principals, in the order they send each request (the admin last: some requests consume
#: what they act on, e.g. a revocation, and the later ones then answer 409).
PRINCIPALS = (
    "anonymous",
    "expired",
    "revoked",
    "other-learner",
    "learner",
    "vmbo-teacher",
    "assessor-b",
    "school-admin-b",
    "assessor",
    "school-admin",
    "admin",
)
UNAUTHENTICATED = frozenset({"anonymous", "expired", "revoked"})

OK, HIDDEN, DENIED = "ok", "404", "403"
#: The CASE identifiers the seed's qualifications and units get at the test base URL.
CASE_IDS = Identifiers(TestConfig.LEERLIJN_BASE_URL)
#: A learner named in a body outside the principal's scope is as unknown as a missing one.
UNKNOWN_IN_BODY = "422"

#: policy → what each signed-in principal gets (a principal not named: 403).
#: "school-admin"/"assessor" are staff of MBO-ZW, which owns the seed's mbo registry and the
#: demo learners; "-b" are staff of MBO-B; "learner" is DEMO-L5, "other-learner" DEMO-L9.
POLICIES: dict[str, dict[str, str]] = {
    "public": dict.fromkeys(PRINCIPALS, OK),
    "signed-in": dict.fromkeys(PRINCIPALS, OK),
    "admin": {"admin": OK},
    # registry writes: an admin, or a school-admin of the owning institution (MBO-ZW)
    "registry-write": {"admin": OK, "school-admin": OK},
    # owned by VMBO-ZW, of whose staff none is among the principals
    "vmbo-school-write": {"admin": OK},
    # a vmbo programme's assignments and mappings: its teacher (or its school-admin, an admin)
    "vmbo-write": {"admin": OK, "vmbo-teacher": OK},
    "learner-list": {
        "admin": OK,
        "school-admin": OK,
        "school-admin-b": OK,
        "assessor": OK,
        "assessor-b": OK,
    },
    "learner-create": {"admin": OK, "school-admin": OK, "assessor": OK},
    "learner-read": {
        "admin": OK,
        "school-admin": OK,
        "assessor": OK,
        "learner": OK,
        "school-admin-b": HIDDEN,
        "assessor-b": HIDDEN,
        "vmbo-teacher": HIDDEN,
        "other-learner": HIDDEN,
    },
    "learner-export": {
        "admin": OK,
        "school-admin": OK,
        "learner": OK,
        "assessor": DENIED,
        "school-admin-b": HIDDEN,
        "assessor-b": HIDDEN,
        "vmbo-teacher": HIDDEN,
        "other-learner": HIDDEN,
    },
    # the erased learner is a fresh one of MBO-ZW: DEMO-L5 is not they
    "learner-erase": {
        "admin": OK,
        "school-admin": DENIED,
        "assessor": DENIED,
        "learner": HIDDEN,
        "school-admin-b": HIDDEN,
        "assessor-b": HIDDEN,
        "vmbo-teacher": HIDDEN,
        "other-learner": HIDDEN,
    },
    # a learner's own details (e-mail): staff who manage the school, not assessors or learners
    "learner-update": {
        "admin": OK,
        "school-admin": OK,
        "assessor": DENIED,
        "learner": DENIED,
        "school-admin-b": HIDDEN,
        "assessor-b": HIDDEN,
        "vmbo-teacher": HIDDEN,
        "other-learner": HIDDEN,
    },
    # evidence, entrustments, diplomas, vmbo completions, credentials: an assessor of the school
    "record-write": {
        "admin": OK,
        "assessor": OK,
        "school-admin": DENIED,
        "learner": DENIED,
        "school-admin-b": HIDDEN,
        "assessor-b": HIDDEN,
        "vmbo-teacher": HIDDEN,
        "other-learner": HIDDEN,
    },
    # issuing names the learner in the body: outside your scope it is an unknown learner (422)
    "credential-issue": {
        "admin": OK,
        "assessor": OK,
        "school-admin": DENIED,
        "learner": DENIED,
        "school-admin-b": UNKNOWN_IN_BODY,
        "assessor-b": UNKNOWN_IN_BODY,
        "vmbo-teacher": UNKNOWN_IN_BODY,
        "other-learner": UNKNOWN_IN_BODY,
    },
    "enrolment-write": {
        "admin": OK,
        "school-admin": OK,
        "assessor": OK,
        "learner": DENIED,
        "school-admin-b": HIDDEN,
        "assessor-b": HIDDEN,
        "vmbo-teacher": HIDDEN,
        "other-learner": HIDDEN,
    },
    # replacing an enrolment: staff, and the learner themself for their electives
    "enrolment-electives": {
        "admin": OK,
        "school-admin": OK,
        "assessor": OK,
        "learner": OK,
        "school-admin-b": HIDDEN,
        "assessor-b": HIDDEN,
        "vmbo-teacher": HIDDEN,
        "other-learner": HIDDEN,
    },
    # accounts, tokens and the audit trail: admin (all), school-admins (their institution's)
    "staff-list": {"admin": OK, "school-admin": OK, "school-admin-b": OK},
    "staff-grant": {"admin": OK, "school-admin": OK},
    "staff-item": {"admin": OK, "school-admin": OK, "school-admin-b": HIDDEN},
    # stagematching: the stagebureau's coordinator (not among these principals; see
    # tests/api/test_placements.py for the coordinator and workplace roles) and admins
    "stagebureau": {"admin": OK},
    # a learner's placement request: an assessor of their school; another school's is unknown
    "placement-request": {"admin": OK, "assessor": OK, "assessor-b": UNKNOWN_IN_BODY},
    "placement-request-list": {
        "admin": OK,
        "school-admin": OK,
        "school-admin-b": OK,
        "assessor": OK,
        "assessor-b": OK,
    },
    # published placements: each sees their own part (a vmbo teacher has none)
    "placement-read": {**dict.fromkeys(PRINCIPALS, OK), "vmbo-teacher": DENIED},
    # a job (a large import): whoever started it — here the command line — and admins
    "job-read": {
        "admin": OK,
        **dict.fromkeys(
            (
                "school-admin",
                "school-admin-b",
                "assessor",
                "assessor-b",
                "vmbo-teacher",
                "learner",
                "other-learner",
            ),
            HIDDEN,
        ),
    },
}
POLICIES["bulk-credentials"] = {  # rows outside the scope are row errors, not refusals
    "admin": OK,
    "assessor": OK,
    "assessor-b": OK,
}
#: Sign-in form: a wrong password is a 401 page for everyone (never a redirect or a 403).
FAILED_LOGIN = "failed-login"


@dataclass
class World:
    """The module's app, one client per principal, and the concrete values of URLs and bodies."""

    app: Flask
    clients: dict[str, FlaskClient]
    values: dict[str, Any] = field(default_factory=dict)

    def service(self, use: Callable[[], Any]) -> Any:
        """Run a service call as the command line would (the caller passes SYSTEM)."""
        with self.app.app_context():
            try:
                return use()
            finally:
                db.session.remove()


Value = Any | Callable[[World], Any]


@dataclass(frozen=True)
class Case:
    """The policy of one (method, rule) and how to call it."""

    policy: str
    url: str  # str.format template over World.values
    json: Value = None
    form: Value = None
    prepare: Callable[[World], None] | None = None
    headers: Value = None


# --- what requests consume, restored before each ------------------------------------------------


def _ensure_prerequisite(world: World) -> None:
    def add() -> None:
        try:
            registry.add_prerequisite(db.session, SYSTEM, Prerequisite("VC-K1006", "BC-VV-B1K1"))
        except Conflict:
            pass

    world.service(add)


def _ensure_mapping(world: World) -> None:
    mapping = {"outcome": "DV:B1-K1-W4", "coverage": "partial", "validated_by": "docent"}
    world.service(lambda: vmbo.save_mapping(db.session, SYSTEM, "VA-6", mapping))


def _stamp_migrations_head(world: World) -> None:
    """The module's app has its schema from create_all; mark it migrated, as `make run` is."""
    from flask_migrate import stamp

    world.service(lambda: stamp(directory=str(Path(__file__).parents[2] / "migrations")))


def _system_job(world: World) -> None:
    from app.services import jobs

    if "job" not in world.values:
        job = world.service(lambda: jobs.create_job(db.session, SYSTEM, "registry-import", "done"))
        world.values["job"] = job.id


def _system_bulk_job(world: World) -> None:
    from app.services import jobs

    if "bulk_job" not in world.values:
        job = world.service(lambda: jobs.create_job(db.session, SYSTEM, "bulk-issue", "done"))
        world.values["bulk_job"] = job.id


def _new_erasable_learner(world: World) -> None:
    created = world.service(
        lambda: learner_details.create_learner(db.session, SYSTEM, "Te Wissen", "MBO-ZW", None)
    )
    world.values["erasable"] = created.id


def _unit_form(world: World) -> dict[str, str]:
    """The edit form of BC-VV-B1K1 as a browser posts it, unchanged."""
    unit = world.values["unit"]
    form = {
        "kind": unit["kind"],
        "title": unit["title"],
        "study_load_hours": str(unit["study_load_hours"]),
        "institution": unit.get("institution") or "",
        "language": unit.get("language") or "",
    }
    for index, outcome in enumerate(unit["outcomes"]):
        form[f"outcomes-{index}-code"] = outcome["code"]
        form[f"outcomes-{index}-title"] = outcome["title"]
        form[f"outcomes-{index}-dossier_code"] = outcome.get("dossier_code") or ""
        level = outcome.get("nlqf_level")
        form[f"outcomes-{index}-nlqf_level"] = "" if level is None else str(level)
    return form


NEW_UNIT = {
    "code": "BC-MATRIX",
    "kind": "BC",
    "title": "Matrixeenheid",
    "study_load_hours": 40,
    "institution": "MBO-ZW",
    "outcomes": [{"code": "MATRIX:1", "title": "Eerste resultaat"}],
}
NEW_UNIT_FORM = {
    "code": "BC-MATRIX-WEB",
    "institution": "MBO-ZW",  # else the signed-in school-admin's own school
    "kind": "BC",
    "title": "Matrixeenheid",
    "study_load_hours": "40",
    "outcomes-0-code": "MATRIX-WEB:1",
    "outcomes-0-title": "Eerste resultaat",
}
REASON = {"reason": "matrix"}
PROGRAMME_FORM = {
    "code": "VMBO-MATRIX",
    "title": "Matrixprogramma",
    "institution": "VMBO-ZW",
    "profile": "Zorg en welzijn",
}
ASSIGNMENT_FORM = {"code": "VA-MATRIX", "title": "Matrixopdracht", "module": "P/ZW/1"}


def _programme_form(world: World) -> dict[str, str]:
    """The edit form of VMBO-ZW-WLC as a browser posts it, unchanged."""
    programme = world.values["programme"]
    form = {"title": programme["title"], "profile": programme["profile"]}
    for index, module in enumerate(programme["modules"]):
        form[f"modules-{index}-code"] = module["code"]
        form[f"modules-{index}-name"] = module["name"]
    return form


def _qualification_form(world: World) -> dict[str, str]:
    """The edit form of Q-HZW as a browser posts it, unchanged."""
    q = world.values["qualification"]
    form = {
        "title": q["title"],
        "kind": q["kind"],
        "institution": "MBO-ZW",
        "nlqf_level": str(q.get("nlqf_level") or ""),
        "eqf_level": str(q.get("eqf_level") or ""),
        "crebo": q.get("crebo") or "",
        "units": "\n".join(q["units"]),
        "electives_required_hours": str(q["electives"]["required_hours"]),
        "electives_options": "\n".join(q["electives"]["options"]),
        "entry": "\n".join(q["entry_requirements"]["any_qualification"]),
    }
    for index, required in enumerate(q["required_epas"]):
        form[f"epas-{index}-epa"] = required["epa"]
        form[f"epas-{index}-min_level"] = str(required["min_level"])
    return form


OPEN_ROUND = "/api/placement-rounds/BPV-2026-VOORJAAR"
NEW_WORKPLACE = {
    "code": "WP-MATRIX",
    "name": "Matrixzorg",
    "branch": "vvt",
    "place": "Zwolle",
    "location": {"lat": 52.5, "lon": 6.1},
    "recognitions": [],
}
NEW_ROUND = {
    "code": "R-MATRIX",
    "name": "Matrixronde",
    "period": {"start": "2026-02-01", "end": "2026-06-30"},
    "match_date": "2026-01-15",
}
NEW_OFFER = {"workplace": "WP-ZWO-ZKH", "qualifications": ["Q-VP"], "places": 1}


def _publishable_round(world: World) -> None:
    """A fresh round with a proposal (publishing consumes it)."""
    from app.schemas.placements import RoundInSchema
    from app.services import placement_matching, placements

    count = world.values["publishable_count"] = world.values.get("publishable_count", 0) + 1
    code = f"R-PUBLISH-{count}"

    def make() -> None:
        placements.create_round(
            db.session, SYSTEM, RoundInSchema().load({**NEW_ROUND, "code": code})
        )
        placement_matching.run_match(db.session, SYSTEM, code, dt.date(2025, 12, 1))

    world.service(make)
    world.values["publishable"] = code


def _open_exchange(world: World) -> None:
    """A fresh VC-API exchange of the seed credential (a wallet's first step is public)."""
    from app.request_context import CREDENTIALS_KEY
    from app.services import exchanges

    def make() -> str:
        env = world.app.extensions[CREDENTIALS_KEY]
        made = exchanges.create_exchange(db.session, SYSTEM, env, world.values["credential"])
        return str(made["exchange_url"]).rsplit("/", 1)[1]

    world.values["exchange"] = world.service(make)


def _open_offer(world: World) -> None:
    """A fresh OID4VCI offer of the seed credential: its id, pre-authorized code and PIN."""
    from app.request_context import CREDENTIALS_KEY
    from app.services import oid4vci

    def make() -> None:
        env = world.app.extensions[CREDENTIALS_KEY]
        made = oid4vci.create_offer(db.session, SYSTEM, env, world.values["credential"])
        offer_id = made.credential_offer_uri.rsplit("/", 1)[1]
        document = oid4vci.offer_document(db.session, env, offer_id)
        grant = document["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]
        world.values["offer_id"] = offer_id
        world.values["offer_code"] = grant["pre-authorized_code"]
        world.values["offer_pin"] = made.tx_code

    world.service(make)


def _wallet_ready(world: World) -> None:
    """An access token of a fresh offer and a credential request with a live key proof."""
    from app.request_context import CREDENTIALS_KEY
    from app.services import oid4vci
    from tests.api.test_oid4vci import CONFIGURATION, Wallet

    _open_offer(world)
    token = world.service(
        lambda: oid4vci.redeem_code(
            db.session,
            world.app.extensions[CREDENTIALS_KEY],
            "urn:ietf:params:oauth:grant-type:pre-authorized_code",
            world.values["offer_code"],
            world.values["offer_pin"],
        )
    )
    proof = Wallet().proof(world.service(lambda: oid4vci.issue_nonce(db.session)))
    world.values["wallet_token"] = token.access_token
    world.values["wallet_request"] = {
        "credential_configuration_id": CONFIGURATION,
        "proofs": {"jwt": [proof]},
    }


L5 = "/api/learners/{l5}"

# fmt: off
#: (method, rule) → policy and a concrete request. Rules as `app.url_map` spells them.
ROUTES: dict[tuple[str, str], Case] = {
    # --- pages ---------------------------------------------------------------------------------
    ("GET", "/"): Case("public", "/"),
    ("GET", "/login"): Case("public", "/login"),
    ("POST", "/login"): Case(
        FAILED_LOGIN, "/login", form={"email": "nobody@example.org", "password": "not it at all"}
    ),
    ("POST", "/logout"): Case("public", "/logout", form={}),
    ("GET", "/mijn-leerpad"): Case("signed-in", "/mijn-leerpad"),
    ("GET", "/leerlingen"): Case("signed-in", "/leerlingen"),
    ("GET", "/leerlingen/<learner_id>"): Case("learner-read", "/leerlingen/{l5}"),
    ("GET", "/leerlingen/<learner_id>/pad.pdf"): Case("learner-read", "/leerlingen/{l5}/pad.pdf"),
    ("GET", "/registry"): Case("public", "/registry"),
    ("GET", "/registry/units/<code>"): Case("public", "/registry/units/BC-VV-B1K1"),
    ("GET", "/registry/qualifications/<code>"): Case("public", "/registry/qualifications/Q-HZW"),
    # the forms show public registry data; saving them is what is authorized
    ("GET", "/registry/units/nieuw"): Case("signed-in", "/registry/units/nieuw"),
    ("GET", "/registry/units/<code>/bewerken"): Case(
        "signed-in", "/registry/units/BC-VV-B1K1/bewerken"
    ),
    ("POST", "/registry/units/nieuw"): Case(
        "registry-write", "/registry/units/nieuw", form=NEW_UNIT_FORM
    ),
    ("POST", "/registry/units/<code>/bewerken"): Case(
        "registry-write", "/registry/units/BC-VV-B1K1/bewerken", form=_unit_form
    ),
    ("POST", "/registry/units/<code>/vereisten"): Case(
        "registry-write", "/registry/units/BC-VP-P2K1/vereisten", form={"requires": "BC-VV-B1K1"}
    ),
    ("POST", "/registry/units/<code>/vereisten/<requires>/verwijderen"): Case(
        "registry-write",
        "/registry/units/VC-K1006/vereisten/BC-VV-B1K1/verwijderen",
        form={},
        prepare=_ensure_prerequisite,
    ),
    ("GET", "/vmbo"): Case("public", "/vmbo"),
    ("GET", "/vmbo/<programme>"): Case("public", "/vmbo/VMBO-ZW-WLC"),
    ("POST", "/vmbo/<programme>/koppelingen"): Case(
        "vmbo-write",
        "/vmbo/VMBO-ZW-WLC/koppelingen",
        form={
            "assignment": "VA-6", "outcome": "DV:B1-K1-W4", "coverage": "full",
            "validated_by": "docent vmbo", "validated_on": "2025-06-15",
        },
    ),
    ("POST", "/vmbo/<programme>/koppelingen/beeindigen"): Case(
        "vmbo-write",
        "/vmbo/VMBO-ZW-WLC/koppelingen/beeindigen",
        form={"assignment": "VA-6", "outcome": "DV:B1-K1-W4"},
        prepare=_ensure_mapping,
    ),
    # school-admin and vmbo-teacher pages (issue #15): forms are shown to whoever is signed in,
    # saving them is authorized as the API's writes; staff pages as /api/accounts and /api/tokens
    ("GET", "/vmbo/<programme>/koppelingen"): Case("public", "/vmbo/VMBO-ZW-WLC/koppelingen"),
    ("GET", "/vmbo/<programme>/koppelingen/beeindigen"): Case(
        "signed-in",
        "/vmbo/VMBO-ZW-WLC/koppelingen/beeindigen?opdracht=VA-6&leerresultaat=DV:B1-K1-W4",
        prepare=_ensure_mapping,
    ),
    ("GET", "/vmbo/programmas/nieuw"): Case("signed-in", "/vmbo/programmas/nieuw"),
    ("POST", "/vmbo/programmas/nieuw"): Case(
        "vmbo-school-write", "/vmbo/programmas/nieuw", form=PROGRAMME_FORM
    ),
    ("GET", "/vmbo/<programme>/bewerken"): Case("signed-in", "/vmbo/VMBO-ZW-WLC/bewerken"),
    ("POST", "/vmbo/<programme>/bewerken"): Case(
        "vmbo-write", "/vmbo/VMBO-ZW-WLC/bewerken", form=_programme_form
    ),
    ("GET", "/vmbo/<programme>/opdrachten/nieuw"): Case(
        "signed-in", "/vmbo/VMBO-ZW-WLC/opdrachten/nieuw"
    ),
    ("POST", "/vmbo/<programme>/opdrachten/nieuw"): Case(
        "vmbo-write", "/vmbo/VMBO-ZW-WLC/opdrachten/nieuw", form=ASSIGNMENT_FORM
    ),
    ("GET", "/vmbo/<programme>/opdrachten/<code>/bewerken"): Case(
        "signed-in", "/vmbo/VMBO-ZW-WLC/opdrachten/VA-6/bewerken"
    ),
    ("POST", "/vmbo/<programme>/opdrachten/<code>/bewerken"): Case(
        "vmbo-write",
        "/vmbo/VMBO-ZW-WLC/opdrachten/VA-6/bewerken",
        form=lambda w: {**ASSIGNMENT_FORM, **w.values["assignment_form"]},
    ),
    ("GET", "/registry/units/<code>/verwijderen"): Case(
        "signed-in", "/registry/units/BC-VV-B1K1/verwijderen"
    ),
    # refused (409: still referred to) for those who may: nothing is consumed
    ("POST", "/registry/units/<code>/verwijderen"): Case(
        "registry-write", "/registry/units/BC-VV-B1K1/verwijderen", form={}
    ),
    ("GET", "/registry/qualifications/nieuw"): Case("signed-in", "/registry/qualifications/nieuw"),
    ("POST", "/registry/qualifications/nieuw"): Case(
        "registry-write",
        "/registry/qualifications/nieuw",
        form=lambda w: {**_qualification_form(w), "code": "Q-MATRIX-WEB"},
    ),
    ("GET", "/registry/qualifications/<code>/bewerken"): Case(
        "signed-in", "/registry/qualifications/Q-HZW/bewerken"
    ),
    ("POST", "/registry/qualifications/<code>/bewerken"): Case(
        "registry-write", "/registry/qualifications/Q-HZW/bewerken", form=_qualification_form
    ),
    ("GET", "/beheer"): Case("staff-list", "/beheer"),
    ("GET", "/beheer/medewerkers"): Case("staff-list", "/beheer/medewerkers"),
    ("GET", "/beheer/medewerkers/accounts/nieuw"): Case(
        "staff-list", "/beheer/medewerkers/accounts/nieuw"
    ),
    # a school-admin's new account is always of their own school (MBO-B's too)
    ("POST", "/beheer/medewerkers/accounts/nieuw"): Case(
        "staff-list",
        "/beheer/medewerkers/accounts/nieuw",
        form={"email": "matrix-web@mbo-zw.example", "name": "Matrix", "role": "assessor",
              "password": "long enough pass", "institution": "MBO-ZW"},
    ),
    ("GET", "/beheer/medewerkers/accounts/<int(max=2147483647):account_id>/deactiveren"): Case(
        "staff-item", "/beheer/medewerkers/accounts/{account}/deactiveren"
    ),
    ("POST", "/beheer/medewerkers/accounts/<int(max=2147483647):account_id>/deactiveren"): Case(
        "staff-item", "/beheer/medewerkers/accounts/{account}/deactiveren", form={}
    ),
    ("GET", "/beheer/medewerkers/tokens/nieuw"): Case(
        "staff-list", "/beheer/medewerkers/tokens/nieuw"
    ),
    ("POST", "/beheer/medewerkers/tokens/nieuw"): Case(
        "staff-list",
        "/beheer/medewerkers/tokens/nieuw",
        form={"role": "assessor", "institution": "MBO-ZW", "label": "matrix"},
    ),
    ("GET", "/beheer/medewerkers/tokens/<int(max=2147483647):token_id>/intrekken"): Case(
        "staff-item", "/beheer/medewerkers/tokens/{token}/intrekken"
    ),
    ("POST", "/beheer/medewerkers/tokens/<int(max=2147483647):token_id>/intrekken"): Case(
        "staff-item", "/beheer/medewerkers/tokens/{token}/intrekken", form={}
    ),
    ("GET", "/beheer/import"): Case("staff-list", "/beheer/import"),
    # the preview checks the document's rights: MBO-ZW's unit is not MBO-B's to import
    ("POST", "/beheer/import"): Case(
        "registry-write", "/beheer/import", form=lambda w: {"tekst": json.dumps(
            {"units": [w.values["unit"]]}
        )},
    ),
    # a confirmation without a preview's signed digest is refused (422) for whoever may import
    ("POST", "/beheer/import/bevestigen"): Case(
        "staff-list", "/beheer/import/bevestigen", form={"document": "{}", "digest": "x"}
    ),
    ("GET", "/verifieren"): Case("public", "/verifieren"),
    ("POST", "/verifieren"): Case(
        "public", "/verifieren", form=lambda w: {"credential": json.dumps(w.values["document"])}
    ),
    ("GET", "/credentials/<credential_id>"): Case("public", "/credentials/{credential}"),
    ("GET", "/credentials/<credential_id>.json"): Case("public", "/credentials/{credential}.json"),
    ("GET", "/credentials/<credential_id>.edc.json"): Case(
        "public", "/credentials/{credential}.edc.json"
    ),
    ("GET", "/credentials/<credential_id>.pdf"): Case("public", "/credentials/{credential}.pdf"),
    # "In je wallet zetten" (credential.offer): its learner and the school's staff
    ("POST", "/credentials/<credential_id>/wallet"): Case(
        "learner-read", "/credentials/{credential}/wallet", form={}
    ),
    ("GET", "/status/<list_id>"): Case("public", "/status/{status_list}"),
    ("GET", "/issuers/<code>/did.json"): Case("public", "/issuers/MBO-ZW/did.json"),
    ("GET", "/static/<path:filename>"): Case("public", "/static/leerlijn.css"),
    # --- assessor pages (app/web/assessor_pages.py, assessor_credentials.py) ---------------------
    ("GET", "/beheer/leerlingen"): Case("learner-list", "/beheer/leerlingen?q=a"),
    ("GET", "/leerlingen/<learner_id>/beheer"): Case("record-write", "/leerlingen/{l5}/beheer"),
    ("GET", "/leerlingen/<learner_id>/bewijs"): Case("record-write", "/leerlingen/{l5}/bewijs"),
    ("POST", "/leerlingen/<learner_id>/bewijs"): Case(
        "record-write",
        "/leerlingen/{l5}/bewijs",
        form={"outcomes": "VV:B1-K1-W1", "source": "exam", "date": "2025-01-10"},
    ),
    ("GET", "/leerlingen/<learner_id>/bekwaamheid"): Case(
        "record-write", "/leerlingen/{l5}/bekwaamheid"
    ),
    ("POST", "/leerlingen/<learner_id>/bekwaamheid"): Case(
        "record-write",
        "/leerlingen/{l5}/bekwaamheid",
        form={"epa": "BAZ-1", "level": "2", "date": "2025-01-10", "decided_by": "praktijk"},
    ),
    ("GET", "/leerlingen/<learner_id>/vmbo-opdracht"): Case(
        "record-write", "/leerlingen/{l5}/vmbo-opdracht"
    ),
    ("POST", "/leerlingen/<learner_id>/vmbo-opdracht"): Case(
        "record-write",
        "/leerlingen/{l5}/vmbo-opdracht",
        form={"assignment": "VA-1", "date": "2025-06-20", "assessor": "docent vmbo"},
    ),
    **{
        (method, f"/leerlingen/<learner_id>/{kind}/<int(max=2147483647):item_id>/intrekken"): Case(
            "record-write",
            f"/leerlingen/{{l5}}/{kind}/{{{item}}}/intrekken",
            form=REASON if method == "POST" else None,
        )
        for kind, item in (
            ("bewijs", "evidence"), ("bekwaamheid", "entrustment"), ("vmbo-opdracht", "completion")
        )
        for method in ("GET", "POST")
    },
    ("GET", "/leerlingen/<learner_id>/credential-uitgeven"): Case(
        "record-write", "/leerlingen/{l5}/credential-uitgeven"
    ),
    ("POST", "/leerlingen/<learner_id>/credential-uitgeven"): Case(
        "record-write", "/leerlingen/{l5}/credential-uitgeven", form={"achievement": "unit:AV-LB"}
    ),
    **{
        (method, f"/credentials/<credential_id>/{page}"): Case(
            "record-write",
            f"/credentials/{{{credential}}}/{page}",
            form=REASON if method == "POST" else None,
        )
        for page, credential in (
            ("intrekken", "to_revoke"), ("schorsen", "to_suspend"), ("herstellen", "to_unsuspend")
        )
        for method in ("GET", "POST")
    },
    # --- API documentation -----------------------------------------------------------------------
    ("GET", "/api/openapi.json"): Case("public", "/api/openapi.json"),
    ("GET", "/healthz"): Case("public", "/healthz"),
    ("GET", "/readyz"): Case("public", "/readyz", prepare=_stamp_migrations_head),
    ("GET", "/metrics"): Case("public", "/metrics"),
    ("GET", "/api/docs"): Case("public", "/api/docs"),
    ("GET", "/api/docs/static/<path:filename>"): Case("public", "/api/docs/static/index.css"),
    # --- registry --------------------------------------------------------------------------------
    ("GET", "/api/units"): Case("public", "/api/units"),
    ("POST", "/api/units"): Case("registry-write", "/api/units", json=NEW_UNIT),
    ("GET", "/api/units/<code>"): Case("public", "/api/units/BC-VV-B1K1"),
    ("PUT", "/api/units/<code>"): Case(
        "registry-write", "/api/units/BC-VV-B1K1", json=lambda w: w.values["unit"]
    ),
    # still referred to: a 409 once authorized, so the unit stays
    ("DELETE", "/api/units/<code>"): Case("registry-write", "/api/units/BC-VV-B1K1"),
    ("GET", "/api/units/<code>/prerequisites"): Case(
        "public", "/api/units/BC-VP-P2K1/prerequisites"
    ),
    ("POST", "/api/units/<code>/prerequisites"): Case(
        "registry-write", "/api/units/BC-VP-P2K1/prerequisites", json={"requires": "BC-VV-B1K1"}
    ),
    ("GET", "/api/units/<code>/prerequisites/<requires>"): Case(
        "public", "/api/units/BC-VP-P2K1/prerequisites/BC-VV-B1K1"
    ),
    ("DELETE", "/api/units/<code>/prerequisites/<requires>"): Case(
        "registry-write",
        "/api/units/VC-K1006/prerequisites/BC-VV-B1K1",
        prepare=_ensure_prerequisite,
    ),
    ("GET", "/api/qualifications"): Case("public", "/api/qualifications"),
    ("POST", "/api/qualifications"): Case(
        "registry-write",
        "/api/qualifications",
        json=lambda w: {**w.values["qualification"], "code": "Q-MATRIX"},
    ),
    ("GET", "/api/qualifications/<code>"): Case("public", "/api/qualifications/Q-HZW"),
    ("PUT", "/api/qualifications/<code>"): Case(
        "registry-write", "/api/qualifications/Q-HZW", json=lambda w: w.values["qualification"]
    ),
    ("GET", "/api/qualifications/<code>/graph"): Case("public", "/api/qualifications/Q-HZW/graph"),
    # --- CASE 1.0 (read; imports go through POST /api/import) ------------------------------------
    ("GET", "/api/case/v1p0/CFPackages/<qualification>"): Case(
        "public", "/api/case/v1p0/CFPackages/Q-HZW?include=vmbo"
    ),
    ("GET", "/api/case/v1p0/CFDocuments"): Case("public", "/api/case/v1p0/CFDocuments"),
    ("GET", "/api/case/v1p0/CFDocuments/<identifier>"): Case(
        "public", "/api/case/v1p0/CFDocuments/" + CASE_IDS.derived("document:Q-HZW")
    ),
    ("GET", "/api/case/v1p0/CFItems/<identifier>"): Case(
        "public", "/api/case/v1p0/CFItems/" + CASE_IDS.derived("item:unit:BC-VV-B1K1")
    ),
    ("GET", "/api/epas"): Case("public", "/api/epas"),
    ("POST", "/api/epas"): Case(
        "registry-write", "/api/epas", json=lambda w: {**w.values["epa"], "code": "MATRIX-EPA"}
    ),
    ("GET", "/api/epas/<code>"): Case("public", "/api/epas/BAZ-1"),
    ("GET", "/api/outcome-relations"): Case("public", "/api/outcome-relations"),
    ("POST", "/api/outcome-relations"): Case(
        "registry-write",
        "/api/outcome-relations",
        json={"from": "AV:NL-3F", "to": "AV:NL-2F", "type": "subsumes"},
    ),
    ("GET", "/api/supervision-levels"): Case("public", "/api/supervision-levels"),
    ("GET", "/api/institutions"): Case("public", "/api/institutions"),
    ("POST", "/api/institutions"): Case(
        "admin", "/api/institutions", json={"code": "MATRIX-I", "name": "Matrix", "kind": "mbo"}
    ),
    ("GET", "/api/institutions/<code>"): Case("public", "/api/institutions/MBO-ZW"),
    ("POST", "/api/institutions/<code>/trust"): Case(
        "admin", "/api/institutions/MBO-ZW/trust", json={"trusted": True}
    ),
    ("PUT", "/api/institutions/<code>/legal"): Case(
        "admin",
        "/api/institutions/MBO-ZW/legal",
        json={"legal_name": "Stichting ROC Zorg & Welzijn", "kvk_number": "90000012",
              "country_code": "NL"},
    ),
    ("POST", "/api/import"): Case(
        "registry-write",
        "/api/import",
        json={"units": [{**NEW_UNIT, "code": "BC-MATRIX-IMPORT",
                         "outcomes": [{"code": "MATRIX-IMPORT:1", "title": "Resultaat"}]}]},
    ),
    # --- vmbo -------------------------------------------------------------------------------------
    ("GET", "/api/vmbo/programmes"): Case("public", "/api/vmbo/programmes"),
    ("POST", "/api/vmbo/programmes"): Case(
        "vmbo-school-write",
        "/api/vmbo/programmes",
        json={"code": "VMBO-ZW-MATRIX", "title": "Matrix", "institution": "VMBO-ZW",
              "profile": "Zorg & Welzijn"},
    ),
    ("GET", "/api/vmbo/programmes/<code>"): Case("public", "/api/vmbo/programmes/VMBO-ZW-WLC"),
    ("GET", "/api/vmbo/programmes/<code>/assignments"): Case(
        "public", "/api/vmbo/programmes/VMBO-ZW-WLC/assignments"
    ),
    ("POST", "/api/vmbo/programmes/<code>/assignments"): Case(
        "vmbo-write",
        "/api/vmbo/programmes/VMBO-ZW-WLC/assignments",
        json={"code": "VA-MATRIX", "title": "Matrixopdracht", "module": "P/ZW/1"},
    ),
    ("GET", "/api/vmbo/programmes/<code>/overlap"): Case(
        "public", "/api/vmbo/programmes/VMBO-ZW-WLC/overlap?qualification=Q-HZW"
    ),
    ("GET", "/api/vmbo/assignments/<code>"): Case("public", "/api/vmbo/assignments/VA-6"),
    ("GET", "/api/vmbo/assignments/<code>/mappings"): Case(
        "public", "/api/vmbo/assignments/VA-6/mappings"
    ),
    ("POST", "/api/vmbo/assignments/<code>/mappings"): Case(
        "vmbo-write",
        "/api/vmbo/assignments/VA-6/mappings",
        json={"outcome": "DV:B1-K1-W4", "coverage": "partial", "validated_by": "docent"},
    ),
    ("DELETE", "/api/vmbo/assignments/<code>/mappings/<outcome>"): Case(
        "vmbo-write", "/api/vmbo/assignments/VA-6/mappings/DV:B1-K1-W4", prepare=_ensure_mapping
    ),
    ("GET", "/api/routes"): Case("public", "/api/routes"),
    ("POST", "/api/routes"): Case(
        "vmbo-school-write",
        "/api/routes",
        json={"code": "VMR-MATRIX", "title": "Matrixroute", "programme": "VMBO-ZW-WLC",
              "qualification": "Q-HZW"},
    ),
    ("GET", "/api/routes/<code>"): Case("public", "/api/routes/VMR-HZW"),
    # --- learners ------------------------------------------------------------------------------
    ("GET", "/api/learners"): Case("learner-list", "/api/learners"),
    ("POST", "/api/learners"): Case(
        "learner-create", "/api/learners", json={"name": "Matrix", "institution": "MBO-ZW"}
    ),
    ("GET", "/api/learners/<learner_id>"): Case("learner-read", L5),
    ("PATCH", "/api/learners/<learner_id>"): Case(
        "learner-update", L5, json={"email": "l5@example.org"}
    ),
    ("GET", "/api/learners/<learner_id>/export"): Case("learner-export", L5 + "/export"),
    ("POST", "/api/learners/<learner_id>/erase"): Case(
        "learner-erase",
        "/api/learners/{erasable}/erase",
        json=REASON,
        prepare=_new_erasable_learner,
    ),
    ("GET", "/api/learners/<learner_id>/evidence"): Case("learner-read", L5 + "/evidence"),
    ("POST", "/api/learners/<learner_id>/evidence"): Case(
        "record-write",
        L5 + "/evidence",
        json={"outcome": "VV:B1-K1-W1", "source": "exam", "date": "2025-01-10"},
    ),
    ("POST", "/api/learners/<learner_id>/evidence/<int(max=2147483647):evidence_id>/withdraw"):
        Case("record-write", L5 + "/evidence/{evidence}/withdraw", json=REASON),
    ("GET", "/api/learners/<learner_id>/entrustments"): Case(
        "learner-read", L5 + "/entrustments"
    ),
    ("POST", "/api/learners/<learner_id>/entrustments"): Case(
        "record-write",
        L5 + "/entrustments",
        json={"epa": "BAZ-1", "level": 2, "date": "2025-01-10", "decided_by": "praktijk"},
    ),
    ("POST", "/api/learners/<learner_id>/entrustments/<int(max=2147483647):entrustment_id>"
             "/withdraw"):
        Case("record-write", L5 + "/entrustments/{entrustment}/withdraw", json=REASON),
    ("GET", "/api/learners/<learner_id>/diplomas"): Case("learner-read", L5 + "/diplomas"),
    ("POST", "/api/learners/<learner_id>/diplomas"): Case(
        "record-write", L5 + "/diplomas", json={"qualification": "Q-HZW", "date": "2024-06-01"}
    ),
    ("GET", "/api/learners/<learner_id>/enrolments"): Case("learner-read", L5 + "/enrolments"),
    ("POST", "/api/learners/<learner_id>/enrolments"): Case(
        "enrolment-write",
        L5 + "/enrolments",
        json={"qualification": "Q-HZW", "start": "2025-09-01"},
    ),
    ("GET", "/api/learners/<learner_id>/enrolments/<qualification>"): Case(
        "learner-read", L5 + "/enrolments/Q-VP"
    ),
    ("PUT", "/api/learners/<learner_id>/enrolments/<qualification>"): Case(
        "enrolment-electives", L5 + "/enrolments/Q-VP", json=lambda w: w.values["enrolment"]
    ),
    ("GET", "/api/learners/<learner_id>/path"): Case(
        "learner-read", L5 + "/path?qualification=Q-VP"
    ),
    ("GET", "/api/learners/<learner_id>/paths"): Case("learner-read", L5 + "/paths"),
    ("GET", "/api/learners/<learner_id>/record"): Case("learner-read", L5 + "/record"),
    ("GET", "/api/learners/<learner_id>/credentials"): Case("learner-read", L5 + "/credentials"),
    ("GET", "/api/learners/<learner_id>/vmbo-completions"): Case(
        "learner-read", L5 + "/vmbo-completions"
    ),
    ("POST", "/api/learners/<learner_id>/vmbo-completions"): Case(
        "record-write",
        L5 + "/vmbo-completions",
        json={"assignment": "VA-1", "date": "2025-06-20", "assessor": "docent vmbo"},
    ),
    ("POST", "/api/learners/<learner_id>/vmbo-completions/<int(max=2147483647):completion_id>"
             "/withdraw"):
        Case("record-write", L5 + "/vmbo-completions/{completion}/withdraw", json=REASON),
    # --- credentials ---------------------------------------------------------------------------
    ("POST", "/api/credentials"): Case(
        "credential-issue",
        "/api/credentials",
        json=lambda w: {"learner": w.values["l5"],
                        "achievement": {"type": "unit", "code": "BC-VV-B1K1"}},
    ),
    ("GET", "/api/credentials/<credential_id>"): Case(
        "learner-read", "/api/credentials/{credential}"
    ),
    ("GET", "/api/credentials/<credential_id>/status"): Case(
        "learner-read", "/api/credentials/{credential}/status"
    ),
    ("GET", "/api/credentials/<credential_id>/edc"): Case(
        "learner-read", "/api/credentials/{credential}/edc"
    ),
    ("POST", "/api/credentials/<credential_id>/revoke"): Case(
        "record-write", "/api/credentials/{to_revoke}/revoke", json=REASON
    ),
    ("POST", "/api/credentials/<credential_id>/suspend"): Case(
        "record-write", "/api/credentials/{to_suspend}/suspend", json=REASON
    ),
    ("POST", "/api/credentials/<credential_id>/unsuspend"): Case(
        "record-write", "/api/credentials/{to_unsuspend}/unsuspend", json=REASON
    ),
    ("POST", "/api/verify"): Case("public", "/api/verify", json=lambda w: w.values["document"]),
    # --- bulk issuing and revoking (previews: nothing is written) ------------------------------
    ("POST", "/api/credentials/bulk"): Case(
        "bulk-credentials",
        "/api/credentials/bulk?dry_run=true",
        json=lambda w: [{"learner": w.values["l5"], "type": "unit", "code": "AV-LB"}],
    ),
    ("POST", "/api/credentials/bulk-revoke"): Case(
        "bulk-credentials",
        "/api/credentials/bulk-revoke?dry_run=true",
        json=lambda w: {"ids": [w.values["credential"]], "reason": "matrix"},
    ),
    ("GET", "/beheer/credentials/uitgeven"): Case(
        "bulk-credentials", "/beheer/credentials/uitgeven"
    ),
    ("POST", "/beheer/credentials/uitgeven"): Case(
        "bulk-credentials",
        "/beheer/credentials/uitgeven",
        form=lambda w: {"tekst": f"learner,type,code\n{w.values['l5']},unit,AV-LB\n"},
    ),
    # a row that is not earned: refused (409), nothing written
    ("POST", "/beheer/credentials/uitgeven/bevestigen"): Case(
        "bulk-credentials",
        "/beheer/credentials/uitgeven/bevestigen",
        form=lambda w: {"tekst": f"learner,type,code\n{w.values['l5']},unit,BC-VP-P2K1\n"},
    ),
    ("GET", "/beheer/credentials/intrekken"): Case(
        "bulk-credentials", "/beheer/credentials/intrekken"
    ),
    ("POST", "/beheer/credentials/intrekken"): Case(
        "bulk-credentials",
        "/beheer/credentials/intrekken",
        form=lambda w: {"ids": w.values["credential"], "reason": "matrix"},
    ),
    # an unknown id: refused (409), nothing written
    ("POST", "/beheer/credentials/intrekken/bevestigen"): Case(
        "bulk-credentials",
        "/beheer/credentials/intrekken/bevestigen",
        form={"ids": "no-such-credential", "reason": "matrix"},
    ),
    ("GET", "/beheer/credentials/taken/<job_id>"): Case(
        "job-read", "/beheer/credentials/taken/{bulk_job}", prepare=_system_bulk_job
    ),
    # handing a credential to a wallet (credential.offer): its learner and the school's staff
    ("POST", "/api/credentials/<credential_id>/exchange"): Case(
        "learner-read", "/api/credentials/{credential}/exchange"
    ),
    # the wallet's steps: no account, the exchange URL is the grant
    ("POST", "/api/exchanges/<exchange_id>"): Case(
        "public", "/api/exchanges/{exchange}", json={}, prepare=_open_exchange
    ),
    # OID4VCI (credential.offer: the learner and the school's staff); a wallet's steps are open
    # to anyone with the offer's code and PIN, then the access token it bought
    ("POST", "/api/credentials/<credential_id>/offer"): Case(
        "learner-read", "/api/credentials/{credential}/offer"
    ),
    ("GET", "/.well-known/openid-credential-issuer"): Case(
        "public", "/.well-known/openid-credential-issuer"
    ),
    ("GET", "/.well-known/oauth-authorization-server"): Case(
        "public", "/.well-known/oauth-authorization-server"
    ),
    ("GET", "/oid4vci/offers/<offer_id>"): Case(
        "public", "/oid4vci/offers/{offer_id}", prepare=_open_offer
    ),
    ("POST", "/oid4vci/token"): Case(
        "public",
        "/oid4vci/token",
        form=lambda w: {"grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code",
                        "pre-authorized_code": w.values["offer_code"],
                        "tx_code": w.values["offer_pin"]},
        prepare=_open_offer,
    ),
    ("POST", "/oid4vci/nonce"): Case("public", "/oid4vci/nonce", form={}),
    ("POST", "/oid4vci/credential"): Case(
        "public",
        "/oid4vci/credential",
        json=lambda w: w.values["wallet_request"],
        headers=lambda w: {"Authorization": f"Bearer {w.values['wallet_token']}"},
        prepare=_wallet_ready,
    ),
    # --- access ----------------------------------------------------------------------------------
    ("GET", "/api/me"): Case("signed-in", "/api/me"),
    ("GET", "/api/tokens"): Case("staff-list", "/api/tokens"),
    ("POST", "/api/tokens"): Case(
        "staff-grant", "/api/tokens", json={"role": "assessor", "institution": "MBO-ZW"}
    ),
    ("GET", "/api/tokens/<int:token_id>"): Case("staff-item", "/api/tokens/{token}"),
    ("POST", "/api/tokens/<int:token_id>/revoke"): Case(
        "staff-item", "/api/tokens/{token}/revoke", json={}
    ),
    ("GET", "/api/accounts"): Case("staff-list", "/api/accounts"),
    ("POST", "/api/accounts"): Case(
        "staff-grant",
        "/api/accounts",
        json={"email": "matrix@mbo-zw.example", "name": "Matrix", "password": "long enough pass",
              "role": "assessor", "institution": "MBO-ZW"},
    ),
    ("POST", "/api/accounts/<int:account_id>/deactivate"): Case(
        "staff-item", "/api/accounts/{account}/deactivate", json={}
    ),
    ("GET", "/api/audit"): Case("staff-list", "/api/audit"),
    ("GET", "/api/audit/<int:entry_id>"): Case("staff-item", "/api/audit/{audit_entry}"),
    ("GET", "/api/jobs/<job_id>"): Case("job-read", "/api/jobs/{job}", prepare=_system_job),
    # --- stagematching --------------------------------------------------------------------------
    ("GET", "/api/workplaces"): Case("public", "/api/workplaces"),
    ("POST", "/api/workplaces"): Case("stagebureau", "/api/workplaces", json=NEW_WORKPLACE),
    ("GET", "/api/workplaces/<code>"): Case("public", "/api/workplaces/WP-ZWO-ZKH"),
    ("PUT", "/api/workplaces/<code>"): Case(
        "stagebureau", "/api/workplaces/WP-ZWO-ZKH", json=lambda w: w.values["workplace"]
    ),
    ("GET", "/api/placement-rounds"): Case("signed-in", "/api/placement-rounds"),
    ("POST", "/api/placement-rounds"): Case("stagebureau", "/api/placement-rounds", json=NEW_ROUND),
    ("GET", "/api/placement-rounds/<code>"): Case("signed-in", OPEN_ROUND),
    ("GET", "/api/placement-rounds/<code>/offers"): Case("signed-in", OPEN_ROUND + "/offers"),
    ("POST", "/api/placement-rounds/<code>/offers"): Case(
        "stagebureau", OPEN_ROUND + "/offers", json=NEW_OFFER
    ),
    ("GET", "/api/placement-rounds/<code>/offers/<int:offer_id>"): Case(
        "signed-in", OPEN_ROUND + "/offers/{offer}"
    ),
    ("PUT", "/api/placement-rounds/<code>/offers/<int:offer_id>"): Case(
        "stagebureau", OPEN_ROUND + "/offers/{offer}", json=lambda w: w.values["offer_body"]
    ),
    # refused (409) for whom may change it: registered places stay
    ("DELETE", "/api/placement-rounds/<code>/offers/<int:offer_id>"): Case(
        "stagebureau", OPEN_ROUND + "/offers/{offer}"
    ),
    ("GET", "/api/placement-rounds/<code>/requests"): Case(
        "placement-request-list", OPEN_ROUND + "/requests"
    ),
    ("POST", "/api/placement-rounds/<code>/requests"): Case(
        "placement-request",
        OPEN_ROUND + "/requests",
        json=lambda w: {"learner": w.values["l5"], "qualification": "Q-VP", "max_km": 30,
                        "home": {"lat": 52.51, "lon": 6.09}},
    ),
    ("GET", "/api/placement-rounds/<code>/match"): Case("stagebureau", OPEN_ROUND + "/match"),
    ("POST", "/api/placement-rounds/<code>/match"): Case(
        "stagebureau", OPEN_ROUND + "/match", json={"on": "2025-12-15"}
    ),
    ("POST", "/api/placement-rounds/<code>/publish"): Case(
        "stagebureau", "/api/placement-rounds/{publishable}/publish", json={},
        prepare=_publishable_round,
    ),
    ("GET", "/api/placement-rounds/<code>/placements"): Case(
        "placement-read", "/api/placement-rounds/BPV-2025-NAJAAR/placements"
    ),
    ("GET", "/api/learners/<learner_id>/placements"): Case("learner-read", L5 + "/placements"),
    ("GET", "/stagerondes/<code>"): Case("stagebureau", "/stagerondes/BPV-2026-VOORJAAR"),
    ("POST", "/stagerondes/<code>/matchen"): Case(
        "stagebureau", "/stagerondes/BPV-2026-VOORJAAR/matchen", form={}
    ),
    ("POST", "/stagerondes/<code>/publiceren"): Case(
        "stagebureau", "/stagerondes/{publishable}/publiceren", form={},
        prepare=_publishable_round,
    ),
    # the form shows public facts; saving it is what is authorized
    ("GET", "/stagerondes/<code>/aanbod"): Case(
        "signed-in", "/stagerondes/BPV-2026-VOORJAAR/aanbod"
    ),
    ("POST", "/stagerondes/<code>/aanbod"): Case(
        "stagebureau",
        "/stagerondes/BPV-2026-VOORJAAR/aanbod",
        form={"workplace": "WP-ZWO-ZKH", "qualifications": "Q-VP", "places": "1"},
    ),
}
# fmt: on


# --- the world ------------------------------------------------------------------------------------


class FormClient(SignedInClient):
    """An anonymous client that still sends the CSRF field with page forms, as a browser does."""

    def sign_in(self) -> None:
        self.token = ""


def _client_of(app: Flask, client_class: type[FlaskClient]) -> FlaskClient:
    app.test_client_class = client_class
    try:
        return app.test_client()
    finally:
        app.test_client_class = None


def _spoiled(app: Flask, how: str) -> SignedInClient:
    """An admin client whose token has expired or was revoked since it signed in."""
    client = signed_in_client(app, "admin")
    client.sign_in()
    with app.app_context():
        if how == "revoked":
            access.revoke_token(db.session, SYSTEM, client.token_id)
        else:
            row = db.session.get(ApiTokenRow, client.token_id)
            bind_principal(db.session, SYSTEM)
            row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
            db.session.commit()
        db.session.remove()
    return client


def _issue(api: FlaskClient, learner: str, unit: str) -> dict[str, Any]:
    """A credential for `unit` (each call a different unit: issuing is idempotent)."""
    body = {"learner": learner, "achievement": {"type": "unit", "code": unit}}
    response = api.post("/api/credentials", json=body)
    assert response.status_code in (200, 201), response.get_data(as_text=True)
    return response.get_json()  # type: ignore[no-any-return]


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    class Config(TestConfig):
        LEERLIJN_KEYS_DIR: Path = tmp_path_factory.mktemp("keys")
        LEERLIJN_RATE_LIMIT_LOGIN = "10000 per minute"

    app = create_app(Config)
    with app.app_context():
        db.create_all()
        load_seed(db.session, SYSTEM, app.config["SEED_DIR"], "MBO-ZW")
        db.session.remove()
    api = admin_client(app)
    _ok(api.post("/api/institutions", json={"code": "MBO-B", "name": "ROC B", "kind": "mbo"}), 201)
    other = _ok(api.post("/api/learners", json={"name": "Bo", "institution": "MBO-B"}), 201)
    ids = {
        item["external_id"]: item["id"]
        for item in _ok(api.get("/api/learners?limit=500"))["items"]
        if item["external_id"]
    }
    l5, l9 = ids["DEMO-L5"], ids["DEMO-L9"]
    document = _issue(api, l5, "BC-VV-B1K1")
    suspended = credential_id(_issue(api, l5, "BC-VV-B1K3"))
    _ok(api.post(f"/api/credentials/{suspended}/suspend", json=REASON))
    evidence = _ok(
        api.post(
            f"/api/learners/{l5}/evidence",
            json={"outcome": "VV:B1-K1-W2", "source": "exam", "date": "2025-01-10"},
        ),
        201,
    )
    entrustment = _ok(
        api.post(
            f"/api/learners/{l5}/entrustments",
            json={"epa": "BAZ-2", "level": 2, "date": "2025-01-10", "decided_by": "praktijk"},
        ),
        201,
    )
    completion = _ok(
        api.post(
            f"/api/learners/{l5}/vmbo-completions",
            json={"assignment": "VA-2", "date": "2025-06-20", "assessor": "docent vmbo"},
        ),
        201,
    )
    with app.app_context():  # a token of MBO-ZW staff to look at and revoke
        revocable = access.create_token(db.session, SYSTEM, Role.ASSESSOR, institution="MBO-ZW")
        db.session.remove()
    account = _ok(
        api.post(
            "/api/accounts",
            json={
                "email": "staff@mbo-zw.example",
                "name": "Staff",
                "role": "assessor",
                "password": "correct horse battery",
                "institution": "MBO-ZW",
            },
        ),
        201,
    )
    entries = _ok(api.get("/api/audit?entity=unit&id=BC-VV-B1K1"))["items"]
    assert entries and entries[0]["institution"] == "MBO-ZW"
    status_list = document["credentialStatus"]["statusListCredential"].rsplit("/", 1)[1]
    values = {
        "l5": l5,
        "l9": l9,
        "lb": other["id"],
        "document": document,
        "credential": credential_id(document),
        "to_revoke": credential_id(_issue(api, l5, "AV-LB")),
        "to_suspend": credential_id(_issue(api, l5, "BC-VV-B1K2")),
        "to_unsuspend": suspended,
        "status_list": status_list,
        "evidence": evidence["id"],
        "entrustment": entrustment["id"],
        "completion": completion["id"],
        "token": revocable.info.id,
        "account": account["id"],
        "audit_entry": entries[0]["id"],
        "unit": _ok(api.get("/api/units/BC-VV-B1K1")),
        "qualification": _ok(api.get("/api/qualifications/Q-HZW")),
        "programme": _ok(api.get("/api/vmbo/programmes/VMBO-ZW-WLC")),
        "assignment_form": {
            k: v or ""
            for k, v in _ok(api.get("/api/vmbo/assignments/VA-6")).items()
            if k in ("code", "title", "module", "description")
        },
        "epa": _ok(api.get("/api/epas/BAZ-1")),
        "enrolment": _ok(api.get(f"/api/learners/{l5}/enrolments/Q-VP")),
        "workplace": _ok(api.get("/api/workplaces/WP-ZWO-ZKH")),
        "offer": _ok(api.get(OPEN_ROUND + "/offers"))["items"][0]["id"],
        "offer_body": _ok(api.get(OPEN_ROUND + "/offers"))["items"][0],
    }
    clients: dict[str, FlaskClient] = {
        "anonymous": _client_of(app, FormClient),
        "expired": _spoiled(app, "expired"),
        "revoked": _spoiled(app, "revoked"),
        "other-learner": signed_in_client(app, "learner", learner=l9),
        "learner": signed_in_client(app, "learner", learner=l5),
        "vmbo-teacher": signed_in_client(app, "vmbo-teacher", programme="VMBO-ZW-WLC"),
        "assessor-b": signed_in_client(app, "assessor", institution="MBO-B"),
        "school-admin-b": signed_in_client(app, "school-admin", institution="MBO-B"),
        "assessor": signed_in_client(app, "assessor", institution="MBO-ZW"),
        "school-admin": signed_in_client(app, "school-admin", institution="MBO-ZW"),
        "admin": api,
    }
    yield World(app, clients, values)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# --- sending and judging --------------------------------------------------------------------------


def _resolve(value: Value, world: World) -> Any:
    return value(world) if callable(value) else value


def send(world: World, principal: str, method: str, case: Case) -> Any:
    """Send `case` as `principal` (its page session restored first: a logout ends it)."""
    if case.prepare is not None:
        case.prepare(world)
    client = world.clients[principal]
    if isinstance(client, SignedInClient) and client.token_id is not None:
        with client.session_transaction() as session:
            session["principal"] = f"token:{client.token_id}"
    url = case.url.format(**world.values)
    kwargs: dict[str, Any] = {"method": method}
    if case.headers is not None:
        kwargs["headers"] = _resolve(case.headers, world)
    if case.json is not None:
        kwargs["json"] = _resolve(case.json, world)
    elif case.form is not None:
        kwargs["data"] = dict(_resolve(case.form, world))
    return client.open(url, **kwargs)


def _to_login(response: Any) -> bool:
    location = response.headers.get("Location", "")
    return response.status_code in (302, 303) and location.split("?")[0].endswith("/login")


def judge(response: Any, expected: str, api: bool, principal: str) -> str | None:
    """Why `response` does not fit `expected`, or None when it does."""
    status = response.status_code
    if status >= 500:
        return f"{status} (server error)"
    bad_token = api and principal in ("expired", "revoked")
    if expected == "unauthenticated" or (expected == OK and bad_token):
        if api:
            if status != 401 or response.mimetype != PROBLEM:
                return f"{status} {response.mimetype}, expected a 401 problem document"
            return None
        return None if _to_login(response) else f"{status}, expected a redirect to /login"
    if expected == FAILED_LOGIN:
        return None if status == 401 and response.mimetype == "text/html" else f"{status}"
    if expected in (DENIED, HIDDEN, UNKNOWN_IN_BODY):
        if status != int(expected):
            return f"{status}, expected {expected}"
        if api and response.mimetype != PROBLEM:
            return f"{status} as {response.mimetype}, expected a problem document"
        return None
    # 400 would be a form refused for its CSRF token: every request here carries a valid one
    refused = (400, 401, 403) if expected == "public" else (400, 401, 403, 404)
    if status in refused or _to_login(response):
        return f"{status} {response.headers.get('Location', '')}, expected it to be allowed"
    return None


def expectation(policy: str, principal: str) -> str:
    if policy == FAILED_LOGIN:
        return FAILED_LOGIN
    if principal in UNAUTHENTICATED:
        return OK if policy == "public" else "unauthenticated"
    return POLICIES[policy].get(principal, DENIED)


def _routes_of(app: Flask) -> set[tuple[str, str]]:
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }


# --- the tests ------------------------------------------------------------------------------------


def test_every_route_has_a_policy(world: World) -> None:
    routes = _routes_of(world.app)
    missing = sorted(routes - ROUTES.keys(), key=lambda r: (r[1], r[0]))
    assert not missing, "classify these routes in ROUTES (and their policy in POLICIES):\n" + (
        "\n".join(f"  {method} {rule}" for method, rule in missing)
    )
    stale = sorted(ROUTES.keys() - routes)
    assert not stale, f"ROUTES names routes the app no longer has: {stale}"
    assert {case.policy for case in ROUTES.values()} <= {*POLICIES, FAILED_LOGIN}


@pytest.mark.parametrize(
    ("method", "rule"), sorted(ROUTES, key=lambda r: (r[1], r[0])), ids=lambda v: str(v)
)
def test_route(world: World, method: str, rule: str) -> None:
    case = ROUTES[(method, rule)]
    api = rule.startswith("/api/")
    failures = []
    for principal in PRINCIPALS:
        expected = expectation(case.policy, principal)
        response = send(world, principal, method, case)
        why = judge(response, expected, api, principal)
        if why is not None:
            body = response.get_data(as_text=True)[:300]
            failures.append(f"{principal}: {why} ({case.policy}) — {body}")
        response.close()
    assert not failures, f"{method} {case.url}:\n" + "\n".join(failures)


def test_learner_lists_are_scoped_to_the_institution(world: World) -> None:
    def institutions(principal: str) -> set[str]:
        page = _ok(world.clients[principal].get("/api/learners?limit=500"))
        return {item["institution"] for item in page["items"]}

    assert institutions("admin") >= {"MBO-ZW", "MBO-B"}
    assert institutions("school-admin-b") == institutions("assessor-b") == {"MBO-B"}
    assert institutions("school-admin") == institutions("assessor") == {"MBO-ZW"}
    # asking for another institution's learners gives none, not theirs
    other = _ok(world.clients["assessor-b"].get("/api/learners?institution=MBO-ZW"))
    assert other["items"] == [] and other["total"] == 0
    found = _ok(world.clients["assessor-b"].get("/api/learners?external_id=DEMO-L5"))
    assert found["items"] == []


def test_a_token_ignores_the_session_and_the_pages_ignore_the_bearer_token(world: World) -> None:
    """The API reads only the bearer token, the pages only their session cookie."""
    learner = world.clients["learner"]
    assert isinstance(learner, SignedInClient)
    headers = {"Authorization": f"Bearer {learner.token}"}
    plain = world.app.test_client()
    assert plain.get("/mijn-leerpad", headers=headers).status_code in (302, 303)
    assert _to_login(plain.get("/mijn-leerpad", headers=headers))
    assert plain.get(f"/api/learners/{world.values['l5']}", headers=headers).status_code == 200
    with plain.session_transaction() as session:
        session["principal"] = f"token:{learner.token_id}"
    response = plain.get(f"/api/learners/{world.values['l5']}")
    assert response.status_code == 401 and response.mimetype == PROBLEM


def test_the_actor_header_is_not_read(world: World) -> None:
    response = world.app.test_client().post(
        "/api/units", json=NEW_UNIT, headers={"X-Leerlijn-Actor": "admin"}
    )
    assert response.status_code == 401


# --- the order of refusals: 413, then 401, then 422, then 403 ----------------------------------


@pytest.fixture
def small_body_limit(world: World) -> Iterator[int]:
    previous = world.app.config["MAX_CONTENT_LENGTH"]
    world.app.config["MAX_CONTENT_LENGTH"] = 1024
    yield 1024
    world.app.config["MAX_CONTENT_LENGTH"] = previous


def test_an_oversized_body_is_refused_before_anything_else(
    world: World, small_body_limit: int
) -> None:
    big = {**NEW_UNIT, "title": "x" * (small_body_limit + 1)}
    for principal in ("anonymous", "expired", "assessor", "admin"):
        client = world.clients[principal]
        response = client.post("/api/units", json=big)
        assert response.status_code == 413, (principal, response.status_code)
        assert response.mimetype == PROBLEM
        page = client.post("/registry/units/nieuw", data={"title": "x" * (small_body_limit + 1)})
        assert page.status_code == 413, (principal, page.status_code)


def test_refusal_order_is_401_then_422_then_403(world: World) -> None:
    invalid = {"code": "BC-X"}  # misses kind, title, study load, outcomes
    for principal in ("anonymous", "expired", "revoked"):
        response = world.clients[principal].post("/api/units", json=invalid)
        assert response.status_code == 401 and response.mimetype == PROBLEM, principal
    assessor = world.clients["assessor"]
    response = assessor.post("/api/units", json=invalid)
    assert response.status_code == 422 and response.mimetype == PROBLEM
    response = assessor.post("/api/units", json={**NEW_UNIT, "code": "BC-ORDER"})
    assert response.status_code == 403 and response.mimetype == PROBLEM
    # the same for a learner's record: invalid → 422, valid but outside scope → 404
    evidence = f"/api/learners/{world.values['l5']}/evidence"
    other = world.clients["assessor-b"]
    assert other.post(evidence, json={"outcome": "VV:B1-K1-W1"}).status_code == 422
    valid = {"outcome": "VV:B1-K1-W1", "source": "exam", "date": "2025-01-10"}
    assert other.post(evidence, json=valid).status_code == 404
    assert world.clients["anonymous"].post(evidence, json={}).status_code == 401


def test_a_401_names_the_bearer_scheme(world: World) -> None:
    for principal in ("anonymous", "revoked"):
        response = world.clients[principal].get("/api/me")
        assert response.status_code == 401
        assert response.headers.get("WWW-Authenticate", "").startswith("Bearer")


def test_a_learner_changes_only_the_electives_of_their_own_enrolment(world: World) -> None:
    learner = world.clients["learner"]
    url = f"/api/learners/{world.values['l5']}/enrolments/Q-VP"
    current = _ok(learner.get(url))
    moved = learner.put(url, json={**current, "start": "2026-02-01"})
    assert moved.status_code == 403 and moved.mimetype == PROBLEM
    assert learner.put(url, json={**current, "hours_per_week": 40}).status_code == 403
    assert _ok(learner.put(url, json={**current, "chosen_electives": []}))["chosen_electives"] == []
    assert _ok(learner.put(url, json=current)) == current
    other = world.clients["other-learner"]
    assert other.put(url, json=current).status_code == 404
