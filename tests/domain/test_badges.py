"""OB 3.0 unit certificates: shape, JSON Schema validity, every term defined, signable."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from app.domain.credentials.did_key import public_key_from_did_key
from app.domain.credentials.envelope import (
    EDUCREDENTIAL_CONTEXT,
    OB_CONTEXT,
    OB_CREDENTIAL_SCHEMA,
    VC_V2_CONTEXT,
)
from app.domain.credentials.proof import canonicalize, undefined_terms, verify_proof
from app.domain.credentials.unit import achievement_type, build_unit_credential


def test_envelope(unit_facts) -> None:
    vc = build_unit_credential(unit_facts)
    assert vc["@context"] == [VC_V2_CONTEXT, OB_CONTEXT, EDUCREDENTIAL_CONTEXT]
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["id"] == unit_facts.credential_id
    assert vc["validFrom"] == "2024-09-01T12:00:00Z"
    assert vc["awardedDate"] == "2024-08-30T00:00:00Z"
    assert vc["issuer"]["id"] == unit_facts.issuer_did
    assert vc["issuer"]["type"] == ["Profile"] and vc["issuer"]["name"] == "ROC Voorbeeldstad"
    assert vc["issuer"]["address"]["addressCountryCode"] == "NL"
    assert vc["credentialSchema"][0]["id"] == OB_CREDENTIAL_SCHEMA
    assert vc["credentialSchema"][0]["type"] == "1EdTechJsonSchemaValidator2019"
    assert "validUntil" not in vc


def test_achievement(unit_facts) -> None:
    subject = build_unit_credential(unit_facts)["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"] and subject["id"] == unit_facts.learner_id
    achievement = subject["achievement"]
    assert achievement["id"] == unit_facts.achievement_id
    assert achievement["type"] == ["Achievement", "EducredentialAchievement"]
    assert achievement["humanCode"] == "BC-ZW-01"
    assert achievement["achievementType"] == "Certificate"
    assert achievement["creditsAvailable"] == 120 and achievement["inLanguage"] == "nl"
    narrative = achievement["criteria"]["narrative"]
    assert "- **LR-ZW-01**: Plant de zorg voor een cliënt" in narrative
    assert "- **LR-ZW-02**: Voert basiszorg veilig uit" in narrative
    alignments = achievement["alignment"]
    assert [a["targetCode"] for a in alignments] == ["LR-ZW-01", "LR-ZW-02", "3", "3"]
    assert [a["targetFramework"] for a in alignments] == [
        "Kwalificatiedossier",
        "Kwalificatiedossier",
        "NLQF",
        "EQF",
    ]
    assert alignments[0]["targetUrl"] == "https://leerlijn.example.nl/outcomes/LR-ZW-01"
    assert all(a["type"] == ["Alignment"] for a in alignments)


def test_eu_microcredential_elements(unit_facts) -> None:
    vc = build_unit_credential(unit_facts)
    evidence = {e["name"]: e for e in vc["evidence"]}
    assert evidence["Beoordeling"]["genre"] == "Examen"
    assert evidence["Vorm van deelname"]["genre"] == "Op locatie"
    assert "Inspectie" in evidence["Kwaliteitsborging"]["narrative"]
    assert vc["credentialSubject"]["activityStartDate"] == "2024-02-01T00:00:00Z"
    assert vc["credentialSubject"]["creditsEarned"] == 120


@pytest.mark.parametrize(
    "kind, expected", [("BC", "Certificate"), ("VC", "Certificate"), ("AV", "ext:GeneralSubject")]
)
def test_achievement_type_per_kind(kind, expected, unit_facts, ob_schema_validator) -> None:
    assert achievement_type(kind) == expected
    vc = build_unit_credential(dataclasses.replace(unit_facts, unit_kind=kind))
    assert vc["credentialSubject"]["achievement"]["achievementType"] == expected
    assert ob_schema_validator(vc) == []


def test_unknown_kind_is_rejected() -> None:
    with pytest.raises(ValueError):
        achievement_type("XX")  # type: ignore[arg-type]


def test_naive_datetimes_are_rejected(unit_facts) -> None:
    with pytest.raises(ValueError):
        build_unit_credential(dataclasses.replace(unit_facts, issued_at=datetime(2024, 9, 1)))


def test_optional_fields_are_omitted(unit_facts, ob_schema_validator, jsonld_loader) -> None:
    minimal = dataclasses.replace(
        unit_facts,
        nlqf_level=None,
        eqf_level=None,
        institution_url=None,
        institution_brin=None,
        activity_start=None,
        activity_end=None,
        awarded_on=None,
        valid_until=datetime(2030, 1, 1, tzinfo=UTC),
    )
    vc = build_unit_credential(minimal)
    assert vc["awardedDate"] == vc["validFrom"] and vc["validUntil"] == "2030-01-01T00:00:00Z"
    assert len(vc["credentialSubject"]["achievement"]["alignment"]) == 2
    assert ob_schema_validator(vc) == [] and undefined_terms(vc, jsonld_loader) == []


def test_signed_credential_validates_against_ob_schema(signed_unit, ob_schema_validator) -> None:
    assert ob_schema_validator(signed_unit) == []


def test_schema_validator_reports_violations(signed_unit, ob_schema_validator) -> None:
    broken = dict(signed_unit)
    del broken["validFrom"]
    assert ob_schema_validator(broken) == ["$: 'validFrom' is a required property"]


def test_every_term_resolves(unit_facts, signed_unit, jsonld_loader) -> None:
    assert undefined_terms(build_unit_credential(unit_facts), jsonld_loader) == []
    assert undefined_terms(signed_unit, jsonld_loader) == []


def test_every_value_reaches_the_signed_rdf(unit_facts, jsonld_loader) -> None:
    """Relative IRIs are silently dropped by RDF conversion; nothing may be lost."""
    nquads = canonicalize(build_unit_credential(unit_facts), jsonld_loader)
    for needle in [
        '"BC-ZW-01"',
        '"LR-ZW-02"',
        '"Kwalificatiedossier"',
        '"Op locatie"',
        '"Examen"',
        '"Kwaliteitsborging"',
        "Certificate",
        '"NL"',
        '"Nederland"',
        "<https://purl.imsglobal.org/spec/vccs/v1p0/context.json#1EdTechJsonSchemaValidator2019>",
        '"99XX"',
        '"120"',
    ]:
        assert needle in nquads, needle


def test_signed_unit_verifies(signed_unit, jsonld_loader) -> None:
    result = verify_proof(
        signed_unit, resolve_public_key=public_key_from_did_key, loader=jsonld_loader
    )
    assert result.ok, result.message
