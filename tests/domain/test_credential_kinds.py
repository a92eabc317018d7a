"""EPA, diploma and CLR credentials: shape, schema validity, every term defined, verification."""

from __future__ import annotations

import copy
import dataclasses
import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from app.adapters.json_schemas import CLR_SCHEMA_FILE
from app.domain.credentials.clr import (
    ASSOCIATION_TYPES,
    CLR_CONTEXT,
    CLR_SCHEMA_NOTE,
    AssociationFacts,
    ClrFacts,
    build_clr_credential,
    clr_schema_check,
    registry_associations,
    verify_clr,
)
from app.domain.credentials.did_key import public_key_from_did_key
from app.domain.credentials.diploma import (
    ComponentFacts,
    DiplomaCredentialFacts,
    build_diploma_credential,
)
from app.domain.credentials.envelope import (
    EDUCREDENTIAL_CONTEXT,
    OB_CONTEXT,
    VC_V2_CONTEXT,
    OutcomeFacts,
)
from app.domain.credentials.epa import (
    EpaCredentialFacts,
    build_epa_credential,
    supervision_level_id,
)
from app.domain.credentials.proof import canonicalize, undefined_terms
from app.domain.credentials.unit import build_unit_credential
from app.domain.credentials.verification import VerificationReport, verify_credential
from app.domain.model import Prerequisite, Qualification, RequiredEpa, SupervisionLevel

BASE = "https://leerlijn.example.nl"
NOW = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)
ALL_CHECKS = ["context", "proof", "issuer", "validity", "schema"]

SCALE = (
    SupervisionLevel(
        1,
        "Observeren: de student mag observeren, maar de EPA niet uitvoeren",
        "Observe only",
        "onder supervisie",
    ),
    SupervisionLevel(
        2,
        "Uitvoeren onder directe supervisie",
        "Perform under direct, proactive supervision",
        "onder supervisie",
    ),
    SupervisionLevel(
        3,
        "Uitvoeren onder indirecte supervisie",
        "Perform under indirect, reactive supervision",
        "onder supervisie",
    ),
    SupervisionLevel(4, "Zelfstandig uitvoeren", "Perform unsupervised", "zelfstandig"),
    SupervisionLevel(
        5, "Supervisie geven aan anderen (nieuwe studenten)", "Supervise others", "zelfstandig"
    ),
)


def resolve_did_key(vm: str) -> bytes | None:
    try:
        return public_key_from_did_key(vm)
    except ValueError:
        return None


def failing(report: VerificationReport) -> dict[str, str]:
    return {c.check: c.message for c in report.checks if not c.ok}


@pytest.fixture
def verify_kwargs(jsonld_loader, ob_schema_validator, issuer) -> dict[str, Any]:
    return {
        "loader": jsonld_loader,
        "resolve_public_key": resolve_did_key,
        "validate_schema": ob_schema_validator,
        "now": NOW,
        "is_known_issuer": {issuer.did}.__contains__,
    }


@pytest.fixture
def clr_kwargs(verify_kwargs, clr_schema_validator) -> dict[str, Any]:
    return {**verify_kwargs, "validate_clr_schema": clr_schema_validator}


def make_epa_facts(issuer_did: str) -> EpaCredentialFacts:
    """EPA facts for learner l-001 (also used by the Node interop tests)."""
    return EpaCredentialFacts(
        credential_id=f"{BASE}/credentials/epa-0001",
        issued_at=datetime(2025, 3, 3, 10, 0, tzinfo=UTC),
        issuer_did=issuer_did,
        institution_name="Ziekenhuis Voorbeeldstad",
        learner_id=f"{BASE}/learners/l-001",
        achievement_id=f"{BASE}/epas/BAZ-2",
        epa_code="BAZ-2",
        epa_title="Zorgdragen voor de eerste opvang van een zorgvrager in de acute setting",
        epa_type="kern",
        outcomes=(
            OutcomeFacts(
                "VV:B1-K1-W1", "Inventariseert de zorgbehoefte", f"{BASE}/outcomes/VV:B1-K1-W1"
            ),
            OutcomeFacts(
                "VV:B1-K2-W2", "Werkt samen met andere disciplines", f"{BASE}/outcomes/VV:B1-K2-W2"
            ),
        ),
        supervision_levels=SCALE,
        level=4,
        entrusted_on=date(2025, 2, 28),
        decided_by="Praktijkbeoordelaar J. de Vries",
        note="Besproken in het CCC-overleg.",
        required_level=4,
        institution_brin="99ZZ",
    )


def make_diploma_facts(issuer_did: str) -> DiplomaCredentialFacts:
    """Diploma facts for learner l-001 (also used by the Node interop tests)."""
    return DiplomaCredentialFacts(
        credential_id=f"{BASE}/credentials/dip-0001",
        issued_at=datetime(2025, 7, 1, 12, 0, tzinfo=UTC),
        issuer_did=issuer_did,
        institution_name="ROC Voorbeeldstad",
        learner_id=f"{BASE}/learners/l-001",
        achievement_id=f"{BASE}/qualifications/Q-HZW",
        qualification_code="Q-HZW",
        qualification_title="Helpende Zorg en Welzijn",
        qualification_kind="mbo",
        units=(
            ComponentFacts("BC-ZW-01", "Basiszorg verlenen", f"{BASE}/units/BC-ZW-01", 120),
            ComponentFacts("AV-NL-2F", "Nederlands 2F", f"{BASE}/units/AV-NL-2F", 80),
            ComponentFacts("VC-DEMO-01", "Keuzedeel", f"{BASE}/units/VC-DEMO-01", 240),
        ),
        awarded_on=date(2025, 6, 30),
        crebo="25960",
        nlqf_level=2,
        eqf_level=2,
        quality_assurance="Erkende mbo-instelling; examinering onder toezicht van de Inspectie.",
        institution_url="https://roc-voorbeeldstad.example.nl",
        institution_brin="99XX",
    )


@pytest.fixture
def epa_facts(issuer) -> EpaCredentialFacts:
    return make_epa_facts(issuer.did)


@pytest.fixture
def diploma_facts(issuer) -> DiplomaCredentialFacts:
    return make_diploma_facts(issuer.did)


@pytest.fixture
def signed_epa(epa_facts, issuer, sign_with) -> dict[str, Any]:
    return sign_with(build_epa_credential(epa_facts), issuer)


@pytest.fixture
def signed_diploma(diploma_facts, issuer, sign_with) -> dict[str, Any]:
    return sign_with(build_diploma_credential(diploma_facts), issuer)


def clr_facts(issuer, credentials, associations=()) -> ClrFacts:
    """CLR facts for learner l-001; `issuer` needs a ``did`` attribute."""
    return ClrFacts(
        credential_id=f"{BASE}/credentials/clr-0001",
        issued_at=datetime(2025, 8, 1, 8, 0, tzinfo=UTC),
        issuer_did=issuer.did,
        institution_name="ROC Voorbeeldstad",
        learner_id=f"{BASE}/learners/l-001",
        credentials=tuple(credentials),
        associations=tuple(associations),
        institution_brin="99XX",
    )


@pytest.fixture
def signed_unit_b(unit_facts, issuer, sign_with) -> dict[str, Any]:
    """A second unit certificate (BC-ZW-02, which requires BC-ZW-01)."""
    facts = dataclasses.replace(
        unit_facts,
        credential_id=f"{BASE}/credentials/unit-b",
        unit_code="BC-ZW-02",
        achievement_id=f"{BASE}/units/BC-ZW-02",
        unit_title="Complexe zorg verlenen",
        issued_at=datetime(2025, 1, 10, 12, 0, tzinfo=UTC),
        awarded_on=date(2025, 1, 9),
    )
    return sign_with(build_unit_credential(facts), issuer)


@pytest.fixture
def signed_clr(issuer, sign_with, signed_unit, signed_unit_b) -> dict[str, Any]:
    ids = {"BC-ZW-01": f"{BASE}/units/BC-ZW-01", "BC-ZW-02": f"{BASE}/units/BC-ZW-02"}
    associations = registry_associations([Prerequisite("BC-ZW-02", "BC-ZW-01")], [], ids)
    return sign_with(
        build_clr_credential(clr_facts(issuer, [signed_unit, signed_unit_b], associations)), issuer
    )


# --- EPA ------------------------------------------------------------------------------------


def test_epa_achievement_and_supervision_scale(epa_facts) -> None:
    vc = build_epa_credential(epa_facts)
    assert vc["@context"] == [VC_V2_CONTEXT, OB_CONTEXT, EDUCREDENTIAL_CONTEXT]
    achievement = vc["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == "ext:EPA" and achievement["humanCode"] == "BAZ-2"
    assert (
        "- **VV:B1-K1-W1**: Inventariseert de zorgbehoefte" in achievement["criteria"]["narrative"]
    )
    assert [a["targetCode"] for a in achievement["alignment"]] == ["VV:B1-K1-W1", "VV:B1-K2-W2"]
    (description,) = achievement["resultDescription"]
    assert (
        description["type"] == ["ResultDescription"] and description["name"] == "Supervisieniveau"
    )
    assert description["resultType"] == "RubricCriterionLevel"
    levels = description["rubricCriterionLevel"]
    assert [lv["level"] for lv in levels] == ["1", "2", "3", "4", "5"]
    assert (
        levels[3]["name"] == "Zelfstandig uitvoeren" and "zelfstandig" in levels[3]["description"]
    )
    assert all(lv["type"] == ["RubricCriterionLevel"] for lv in levels)
    assert description["requiredLevel"] == levels[3]["id"]
    (result,) = vc["credentialSubject"]["result"]
    assert result == {
        "type": ["Result"],
        "resultDescription": description["id"],
        "achievedLevel": supervision_level_id(epa_facts.achievement_id, 4),
    }
    assert result["achievedLevel"] in {lv["id"] for lv in levels}
    (evidence,) = vc["evidence"]
    assert evidence["genre"] == "Bekwaamverklaring" and "J. de Vries" in evidence["narrative"]
    assert "2025-02-28" in evidence["narrative"] and vc["awardedDate"] == "2025-02-28T00:00:00Z"


def test_epa_level_must_be_on_the_scale(epa_facts) -> None:
    with pytest.raises(ValueError, match="level 7"):
        build_epa_credential(dataclasses.replace(epa_facts, level=7))
    with pytest.raises(ValueError, match="distinct"):
        build_epa_credential(dataclasses.replace(epa_facts, supervision_levels=SCALE + SCALE[:1]))


def test_epa_schema_terms_and_rdf(
    epa_facts, signed_epa, ob_schema_validator, jsonld_loader
) -> None:
    assert ob_schema_validator(signed_epa) == []
    minimal = build_epa_credential(
        dataclasses.replace(
            epa_facts, outcomes=(), note=None, required_level=None, institution_brin=None
        )
    )
    assert ob_schema_validator(minimal) == [] and undefined_terms(minimal, jsonld_loader) == []
    assert undefined_terms(signed_epa, jsonld_loader) == []
    nquads = canonicalize(build_epa_credential(epa_facts), jsonld_loader)
    for needle in [
        '"ext:EPA"',
        '"RubricCriterionLevel"',
        '"Bekwaamverklaring"',
        '"4"',
        f'#achievedLevel> "{BASE}/epas/BAZ-2#supervisieniveau-4"^^'
        "<https://www.w3.org/2001/XMLSchema#anyURI>",
    ]:
        assert needle in nquads, needle


def test_signed_epa_verifies(signed_epa, verify_kwargs) -> None:
    report = verify_credential(signed_epa, **verify_kwargs)
    assert report.verified, report.as_dict()
    assert [c.check for c in report.checks] == ALL_CHECKS


def test_tampered_epa_level_fails(signed_epa, verify_kwargs) -> None:
    doc = copy.deepcopy(signed_epa)
    doc["credentialSubject"]["result"][0]["achievedLevel"] = supervision_level_id(
        doc["credentialSubject"]["achievement"]["id"], 5
    )
    assert set(failing(verify_credential(doc, **verify_kwargs))) == {"proof"}


# --- Diploma --------------------------------------------------------------------------------


def test_diploma_achievement(diploma_facts) -> None:
    vc = build_diploma_credential(diploma_facts)
    achievement = vc["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == "Diploma" and achievement["humanCode"] == "Q-HZW"
    assert achievement["otherIdentifier"] == [
        {"type": "IdentifierEntry", "identifier": "25960", "identifierType": "ext:CREBO"}
    ]
    assert achievement["creditsAvailable"] == 440 == vc["credentialSubject"]["creditsEarned"]
    narrative = achievement["criteria"]["narrative"]
    assert "- **BC-ZW-01**: Basiszorg verlenen (120 SBU)" in narrative and "EPA" not in narrative
    assert [(a["targetFramework"], a["targetCode"]) for a in achievement["alignment"]] == [
        ("NLQF", "2"),
        ("EQF", "2"),
    ]
    assert vc["awardedDate"] == "2025-06-30T00:00:00Z"
    assert vc["evidence"][0]["name"] == "Kwaliteitsborging"


def test_czo_diploma_lists_epas(diploma_facts, ob_schema_validator, jsonld_loader) -> None:
    czo = dataclasses.replace(
        diploma_facts,
        qualification_kind="czo",
        crebo=None,
        nlqf_level=None,
        eqf_level=None,
        quality_assurance=None,
        epas=(ComponentFacts("BAZ-2", "Eerste opvang", f"{BASE}/epas/BAZ-2", min_level=4),),
    )
    vc = build_diploma_credential(czo)
    achievement = vc["credentialSubject"]["achievement"]
    assert (
        "- **BAZ-2**: Eerste opvang (minimaal supervisieniveau 4)"
        in achievement["criteria"]["narrative"]
    )
    assert "otherIdentifier" not in achievement and "alignment" not in achievement
    assert "evidence" not in vc
    assert ob_schema_validator(vc) == [] and undefined_terms(vc, jsonld_loader) == []


def test_diploma_needs_components(diploma_facts) -> None:
    with pytest.raises(ValueError):
        build_diploma_credential(dataclasses.replace(diploma_facts, units=()))


def test_signed_diploma_is_valid_and_verifies(
    signed_diploma, ob_schema_validator, jsonld_loader, verify_kwargs
) -> None:
    assert ob_schema_validator(signed_diploma) == []
    assert undefined_terms(signed_diploma, jsonld_loader) == []
    report = verify_credential(signed_diploma, **verify_kwargs)
    assert report.verified, report.as_dict()
    doc = copy.deepcopy(signed_diploma)
    doc["credentialSubject"]["achievement"]["otherIdentifier"][0]["identifier"] = "99999"
    assert set(failing(verify_credential(doc, **verify_kwargs))) == {"proof"}


# --- CLR ------------------------------------------------------------------------------------


def test_registry_associations() -> None:
    ids = {code: f"{BASE}/x/{code}" for code in ("A", "B", "E", "Q", "V")}
    prerequisites = [Prerequisite("B", "A"), Prerequisite("C", "A")]  # C is not in the record
    qualifications = [
        Qualification("Q", "Q", "czo", units=("A", "B"), required_epas=(RequiredEpa("E", 4),)),
        Qualification("Q2", "Q2", "mbo", units=("A",)),  # not in the record
    ]
    got = [
        (a.association_type, a.source_id[-1], a.target_id[-1])
        for a in registry_associations(prerequisites, qualifications, ids)
    ]
    assert got == [
        ("isPartOf", "A", "Q"),
        ("isPartOf", "B", "Q"),
        ("isPartOf", "E", "Q"),
        ("precedes", "A", "B"),
    ]


def test_clr_shape(signed_clr, signed_unit, signed_unit_b) -> None:
    assert signed_clr["@context"] == [VC_V2_CONTEXT, CLR_CONTEXT, OB_CONTEXT, EDUCREDENTIAL_CONTEXT]
    assert signed_clr["type"] == ["VerifiableCredential", "ClrCredential"]
    subject = signed_clr["credentialSubject"]
    assert subject["type"] == ["ClrSubject"] and subject["id"] == f"{BASE}/learners/l-001"
    assert subject["verifiableCredential"] == [signed_unit, signed_unit_b]  # embedded as-is
    assert [a["id"] for a in subject["achievement"]] == [
        f"{BASE}/units/BC-ZW-01",
        f"{BASE}/units/BC-ZW-02",
    ]
    assert subject["association"] == [
        {
            "type": ["Association"],
            "associationType": "precedes",
            "sourceId": f"{BASE}/units/BC-ZW-01",
            "targetId": f"{BASE}/units/BC-ZW-02",
        }
    ]


def test_clr_every_term_is_defined(signed_clr, jsonld_loader) -> None:
    assert undefined_terms(signed_clr, jsonld_loader) == []
    nquads = canonicalize(signed_clr, jsonld_loader)
    for needle in [
        "vocab.html#ClrSubject>",
        "vocab.html#Association>",
        'vocab.html#AssociationType> "precedes"',
        "vocab.html#sourceId>",
        "vocab.html#verifiableCredential>",
    ]:
        assert needle in nquads, needle


def test_clr_verifies_with_all_checks(signed_clr, clr_kwargs) -> None:
    report = verify_clr(signed_clr, **clr_kwargs)
    assert report.verified, report.as_dict()
    assert [c.check for c in report.checks] == [*ALL_CHECKS, "embedded"]
    assert report.check("schema").message.startswith(CLR_SCHEMA_NOTE)
    assert report.check("embedded").message == "all 2 embedded credentials verified"


def test_clr_with_epa_diploma_and_part_of(
    issuer, sign_with, signed_unit, signed_epa, signed_diploma, clr_kwargs
) -> None:
    ids = {
        "BC-ZW-01": f"{BASE}/units/BC-ZW-01",
        "BAZ-2": f"{BASE}/epas/BAZ-2",
        "Q-HZW": f"{BASE}/qualifications/Q-HZW",
    }
    qualification = Qualification(
        "Q-HZW", "HZW", "mbo", units=("BC-ZW-01",), required_epas=(RequiredEpa("BAZ-2", 4),)
    )
    associations = registry_associations([], [qualification], ids)
    clr = sign_with(
        build_clr_credential(
            clr_facts(issuer, [signed_unit, signed_epa, signed_diploma], associations)
        ),
        issuer,
    )
    assert [
        (a["associationType"], a["sourceId"].rsplit("/", 1)[1])
        for a in clr["credentialSubject"]["association"]
    ] == [("isPartOf", "BAZ-2"), ("isPartOf", "BC-ZW-01")]
    report = verify_clr(clr, **clr_kwargs)
    assert report.verified, report.as_dict()


def test_tampered_embedded_credential_fails_even_with_valid_outer_proof(
    issuer, sign_with, signed_clr, clr_kwargs
) -> None:
    unsigned = copy.deepcopy(signed_clr)
    del unsigned["proof"]
    embedded = unsigned["credentialSubject"]["verifiableCredential"][1]
    embedded["credentialSubject"]["achievement"]["creditsAvailable"] = 800
    resigned = sign_with(unsigned, issuer)  # the outer proof now covers the tampered copy
    report = verify_clr(resigned, **clr_kwargs)
    assert not report.verified
    assert set(failing(report)) == {"embedded"}
    message = failing(report)["embedded"]
    assert message.startswith(f"verifiableCredential[1] ({BASE}/credentials/unit-b): proof:")
    assert "verifiableCredential[0]" not in message


def test_tampered_outer_fails_the_proof(signed_clr, clr_kwargs) -> None:
    doc = copy.deepcopy(signed_clr)
    doc["credentialSubject"]["association"][0]["associationType"] = "isPartOf"
    assert set(failing(verify_clr(doc, **clr_kwargs))) == {"proof"}


def test_embedded_credential_about_someone_else_fails(
    issuer, sign_with, signed_clr, clr_kwargs
) -> None:
    unsigned = copy.deepcopy(signed_clr)
    del unsigned["proof"]
    unsigned["credentialSubject"]["id"] = f"{BASE}/learners/l-999"
    report = verify_clr(sign_with(unsigned, issuer), **clr_kwargs)
    assert set(failing(report)) == {"embedded"}
    assert "is not the CLR subject" in failing(report)["embedded"]


def test_embedded_schema_failures_use_the_ob_validator(
    issuer, sign_with, signed_clr, clr_kwargs
) -> None:
    unsigned = copy.deepcopy(signed_clr)
    del unsigned["proof"]
    del unsigned["credentialSubject"]["verifiableCredential"][0]["validFrom"]
    report = verify_clr(sign_with(unsigned, issuer), **clr_kwargs)
    message = failing(report)["embedded"]
    assert "verifiableCredential[0]" in message and "'validFrom' is a required property" in message


def test_clr_schema_check_reports_structure_errors(signed_clr, clr_schema_validator) -> None:
    ok, message = clr_schema_check(signed_clr, clr_schema_validator)
    assert ok and message == f"{CLR_SCHEMA_NOTE}: 2 credentials, 2 achievements, 1 associations"
    doc = copy.deepcopy(signed_clr)
    doc["credentialSubject"]["association"][0]["associationType"] = "requires"
    doc["credentialSubject"]["verifiableCredential"] = []
    ok, message = clr_schema_check(doc, clr_schema_validator)
    assert not ok
    assert "$.credentialSubject.association[0].associationType: 'requires' is not one of" in message
    assert "$.credentialSubject.verifiableCredential: [] should be non-empty" in message


def _break(document: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """Return a copy of `document` with `path` (dotted, ``[i]`` for items) set, or deleted."""
    broken = copy.deepcopy(document)
    *parents, last = path.replace("[", ".").replace("]", "").split(".")
    node: Any = broken
    for key in parents:
        node = node[int(key)] if key.isdigit() else node[key]
    key_or_index: Any = int(last) if last.isdigit() else last
    if value is DELETE:
        del node[key_or_index]
    else:
        node[key_or_index] = value
    return broken


DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        # Every rule of the former hand-written structure check, with the message it now gives.
        ("type", ["VerifiableCredential"], "$.type: must contain ClrCredential"),
        ("type", "ClrCredential", "$.type: 'ClrCredential' is not of type 'array'"),
        ("@context", [VC_V2_CONTEXT, OB_CONTEXT], f"$['@context']: must include {CLR_CONTEXT}"),
        ("id", DELETE, "$: 'id' is a required property"),
        ("name", 3, "$.name: 3 is not of type 'string'"),
        ("validFrom", DELETE, "$: 'validFrom' is a required property"),
        ("partial", "yes", "$.partial: 'yes' is not of type 'boolean'"),
        ("credentialSubject", "l-001", "$.credentialSubject: 'l-001' is not of type 'object'"),
        ("credentialSubject.type", ["Subject"], "$.credentialSubject.type: must be or contain"),
        ("credentialSubject.id", DELETE, "$.credentialSubject: id or identifier is required"),
        ("credentialSubject.id", "", "$.credentialSubject.id: '' should be non-empty"),
        ("credentialSubject.verifiableCredential", DELETE, "'verifiableCredential' is a required"),
        ("credentialSubject.verifiableCredential[1]", "eyJ", "[1]: 'eyJ' is not of type 'object'"),
        ("credentialSubject.achievement", {}, "achievement: {} is not of type 'array'"),
        ("credentialSubject.achievement[0].type", "Badge", "[0].type: must be or contain Achiev"),
        ("credentialSubject.achievement[1].criteria", DELETE, "'criteria' is a required property"),
        ("credentialSubject.association", {}, "association: {} is not of type 'array'"),
        ("credentialSubject.association[0].type", [], "[0].type: must be or contain Association"),
        ("credentialSubject.association[0].targetId", 7, "[0].targetId: 7 is not of type 'str"),
        # Stricter than the hand check: what CLR 2.0 and our verifier require anyway.
        ("@context", [CLR_CONTEXT, VC_V2_CONTEXT], "$['@context'][0]: the first context must be"),
        ("issuer", DELETE, "$: 'issuer' is a required property"),
        ("issuer", {"name": "ROC"}, "$.issuer: must be a URI or a Profile object with a string id"),
        ("credentialSubject.association[0].note", "x", "Additional properties are not allowed"),
    ],
)
def test_clr_schema_rules(signed_clr, clr_schema_validator, path, value, expected) -> None:
    ok, message = clr_schema_check(_break(signed_clr, path, value), clr_schema_validator)
    assert not ok
    assert expected in message, message


def test_clr_schema_lists_the_association_types_of_the_domain() -> None:
    from tests.domain.conftest import SCHEMA_DIR

    schema = json.loads((SCHEMA_DIR / CLR_SCHEMA_FILE).read_text(encoding="utf-8"))
    enum = schema["$defs"]["Association"]["properties"]["associationType"]["enum"]
    assert tuple(enum) == ASSOCIATION_TYPES


def test_the_vc_1_1_clr_schema_rejects_our_vc_2_0_record(signed_clr) -> None:
    """Why we ship our own CLR schema: 1EdTech's draft-04 rendering is for the VC 1.1 shape."""
    from jsonschema import Draft4Validator

    from tests.domain.conftest import SCHEMA_DIR

    old = json.loads(
        (SCHEMA_DIR / "clr-v2p0-clrcredential-schema-draft4.json").read_text(encoding="utf-8")
    )
    messages = [e.message for e in Draft4Validator(old).iter_errors(signed_clr)]
    assert "'issuanceDate' is a required property" in messages


def test_verify_clr_never_raises_on_garbage(clr_kwargs) -> None:
    report = verify_clr("nope", **clr_kwargs)
    assert not report.verified and report.checks[-1].check == "embedded"


def test_clr_builder_rejects_bad_input(issuer, signed_unit, unit_facts) -> None:
    with pytest.raises(ValueError, match="at least one"):
        build_clr_credential(clr_facts(issuer, []))
    with pytest.raises(ValueError, match="not signed"):
        build_clr_credential(clr_facts(issuer, [build_unit_credential(unit_facts)]))
    other = copy.deepcopy(signed_unit)
    other["credentialSubject"]["id"] = f"{BASE}/learners/l-999"
    with pytest.raises(ValueError, match="not about learner"):
        build_clr_credential(clr_facts(issuer, [other]))
    dangling = AssociationFacts("isPartOf", f"{BASE}/units/BC-ZW-01", f"{BASE}/qualifications/Q")
    with pytest.raises(ValueError, match="not an achievement of this record"):
        build_clr_credential(clr_facts(issuer, [signed_unit], [dangling]))
    bogus = AssociationFacts(
        "requires",
        f"{BASE}/units/BC-ZW-01",  # type: ignore[arg-type]
        f"{BASE}/units/BC-ZW-01",
    )
    with pytest.raises(ValueError, match="associationType"):
        build_clr_credential(clr_facts(issuer, [signed_unit], [bogus]))
