"""European Digital Credentials built from our OB credentials, checked against the EDC shapes.

Every kind we issue (a BC unit certificate, a VC and an AV unit, an EPA entrustment, a diploma)
becomes an EDC that conforms to ``schemas/shacl/EDC-generic-no-cv.ttl`` (pyshacl, offline: the
JSON-LD is turned into N-Quads by pyld through the offline loader); without the issuer's legal
identifier it does not. The signed EDC verifies and stops verifying when altered.
"""

from __future__ import annotations

import copy
import dataclasses
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pyshacl
import pytest
import rdflib
from pyld import jsonld

from app.domain.credentials.diploma import build_diploma_credential
from app.domain.credentials.edc import (
    EDC_CONTEXTS,
    EDC_SCHEMA,
    EdcIssuer,
    MissingLegalData,
    build_edc,
    signing_context,
)
from app.domain.credentials.epa import build_epa_credential
from app.domain.credentials.proof import add_proof, jsonld_options, undefined_terms
from app.domain.credentials.unit import build_unit_credential
from app.domain.credentials.verification import verify_credential
from app.domain.model import LegalData
from tests.domain.test_credential_kinds import make_diploma_facts, make_epa_facts

SHAPES = Path(__file__).resolve().parents[2] / "schemas" / "shacl" / "EDC-generic-no-cv.ttl"
LEGAL = LegalData(
    legal_name="Stichting ROC Voorbeeldstad",
    kvk_number="90000012",
    street_address="Zorgplein 1",
    postal_code="3511 AB",
    locality="Utrecht",
    country_code="NL",
    homepage="https://roc-voorbeeldstad.example.nl",
)


@cache
def shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(SHAPES)


def shacl(document: dict[str, Any], loader: Any) -> tuple[bool, str]:
    """pyshacl's verdict on `document` (its default graph; the proof graph is left out)."""
    dataset = jsonld.to_rdf(document, jsonld_options(loader))
    ntriples = jsonld.JsonLdProcessor.to_nquads({"@default": dataset["@default"]})
    graph = rdflib.Graph().parse(data=ntriples, format="nt")
    conforms, _graph, text = pyshacl.validate(graph, shacl_graph=shapes(), inference="none")
    return bool(conforms), str(text)


def open_badges(unit_facts: Any, issuer: Any) -> dict[str, tuple[dict[str, Any], str]]:
    """An OB credential of every kind, with the kind the EDC builder is told."""
    vc_unit = dataclasses.replace(
        unit_facts,
        credential_id=unit_facts.credential_id + "-vc",
        achievement_id=unit_facts.achievement_id.replace("BC-ZW-01", "VC-DEMO-01"),
        unit_code="VC-DEMO-01",
        unit_kind="VC",
        unit_title="Keuzedeel dementie",
    )
    av_unit = dataclasses.replace(
        unit_facts,
        credential_id=unit_facts.credential_id + "-av",
        achievement_id=unit_facts.achievement_id.replace("BC-ZW-01", "AV-NL-2F"),
        unit_code="AV-NL-2F",
        unit_kind="AV",
        unit_title="Nederlands 2F",
    )
    return {
        "bc-unit": (build_unit_credential(unit_facts), "unit"),
        "vc-unit": (build_unit_credential(vc_unit), "unit"),
        "av-unit": (build_unit_credential(av_unit), "unit"),
        "epa": (build_epa_credential(make_epa_facts(issuer.did)), "epa"),
        "diploma": (build_diploma_credential(make_diploma_facts(issuer.did)), "qualification"),
    }


def edc_issuer(issuer: Any, legal: LegalData | None = LEGAL) -> EdcIssuer:
    return EdcIssuer(issuer.did, "ROC-VB", "ROC Voorbeeldstad", legal)


@pytest.mark.parametrize("kind", ["bc-unit", "vc-unit", "av-unit", "epa", "diploma"])
def test_every_kind_conforms_to_the_edc_shapes(kind, unit_facts, issuer, jsonld_loader) -> None:
    open_badge, builder_kind = open_badges(unit_facts, issuer)[kind]
    edc = build_edc(open_badge, builder_kind, edc_issuer(issuer))  # type: ignore[arg-type]
    assert edc["@context"] == list(EDC_CONTEXTS)
    assert edc["type"] == ["VerifiableCredential", "EuropeanDigitalCredential"]
    assert edc["credentialSchema"] == {"id": EDC_SCHEMA, "type": "ShaclValidator2017"}
    assert undefined_terms(edc, jsonld_loader) == []
    conforms, report = shacl(edc, jsonld_loader)
    assert conforms, report


def test_what_each_kind_is_specified_by(unit_facts, issuer) -> None:
    built = {
        name: build_edc(ob, kind, edc_issuer(issuer))  # type: ignore[arg-type]
        for name, (ob, kind) in open_badges(unit_facts, issuer).items()
    }
    spec = {
        name: edc["credentialSubject"]["hasClaim"]["specifiedBy"] for name, edc in built.items()
    }
    diploma = spec["diploma"]
    assert diploma["type"] == "Qualification" and diploma["isPartialQualification"] is False
    assert diploma["eqfLevel"]["id"] == "http://data.europa.eu/snb/eqf/2"
    assert diploma["nqfLevel"]["prefLabel"]["nl"] == "NLQF niveau 2"
    assert diploma["volumeOfLearning"] == "PT440H"
    assert [o["title"]["nl"] for o in diploma["learningOutcome"]] == [
        "BC-ZW-01: Basiszorg verlenen",
        "AV-NL-2F: Nederlands 2F",
        "VC-DEMO-01: Keuzedeel",
    ]
    assert spec["bc-unit"]["type"] == "LearningAchievementSpecification"
    assert spec["bc-unit"]["isPartialQualification"] is True
    assert spec["bc-unit"]["volumeOfLearning"] == "PT120H"
    assert len(spec["bc-unit"]["learningOutcome"]) == 2
    assert spec["vc-unit"]["isPartialQualification"] is True  # a VC unit is a certificate too
    assert "isPartialQualification" not in spec["av-unit"]
    assert spec["epa"]["type"] == "LearningAchievementSpecification"
    assert "isPartialQualification" not in spec["epa"]
    edc = built["bc-unit"]
    claim = edc["credentialSubject"]["hasClaim"]
    assert edc["credentialSubject"]["type"] == "Person" and claim["type"] == "LearningAchievement"
    assert claim["awardedBy"]["awardingBody"] == issuer.did == edc["issuer"]["id"]
    assert claim["provenBy"]["type"] == "LearningAssessment"
    assert claim["provenBy"]["title"] == {"nl": "Examen"}
    assert edc["issued"] == edc["validFrom"] == "2024-09-01T12:00:00Z"
    display = edc["displayParameter"]
    assert set(display["title"]) == {"nl", "en"}
    assert [d["language"]["id"][-3:] for d in display["individualDisplay"]] == ["NLD", "ENG"]


def test_the_issuer_states_its_legal_data(unit_facts, issuer) -> None:
    open_badge, _ = open_badges(unit_facts, issuer)["bc-unit"]
    organisation = build_edc(open_badge, "unit", edc_issuer(issuer))["issuer"]
    assert organisation["type"] == "Organisation"
    assert organisation["legalName"] == {"nl": "Stichting ROC Voorbeeldstad"}
    identifier = organisation["eIDASIdentifier"]
    assert identifier["notation"] == "90000012" and identifier["type"] == "LegalIdentifier"
    assert organisation["registration"] == identifier["id"]
    country = "http://publications.europa.eu/resource/authority/country/NLD"
    assert identifier["spatial"]["id"] == country
    address = organisation["location"]["address"]
    assert address["countryCode"]["id"] == country
    assert address["fullAddress"]["noteLiteral"] == {"nl": "Zorgplein 1, 3511 AB Utrecht"}
    assert organisation["homepage"]["contentURL"] == "https://roc-voorbeeldstad.example.nl"


def test_without_the_legal_identifier_the_shapes_refuse_it(
    unit_facts, issuer, jsonld_loader
) -> None:
    open_badge, _ = open_badges(unit_facts, issuer)["bc-unit"]
    edc = build_edc(open_badge, "unit", edc_issuer(issuer))
    del edc["issuer"]["eIDASIdentifier"]
    del edc["issuer"]["registration"]
    conforms, report = shacl(edc, jsonld_loader)
    assert not conforms
    assert "eidasLegalIdentifier" in report and "IssuerNodeShape" in report


def test_a_status_entry_object_is_refused_by_the_shapes(unit_facts, issuer, jsonld_loader) -> None:
    """Why ``credentialStatus`` is an IRI: the OB habit of an entry object does not conform."""
    open_badge, _ = open_badges(unit_facts, issuer)["bc-unit"]
    open_badge["credentialStatus"] = {"id": "https://leerlijn.example.nl/status/l1#5"}
    edc = build_edc(open_badge, "unit", edc_issuer(issuer))
    assert edc["credentialStatus"] == {
        "@value": "https://leerlijn.example.nl/status/l1#5",
        "@type": "xsd:anyURI",
    }
    assert shacl(edc, jsonld_loader)[0]
    edc["credentialStatus"] = {
        "id": "https://leerlijn.example.nl/status/l1#5",
        "type": "BitstringStatusListEntry",
    }
    assert not shacl(edc, jsonld_loader)[0]


def test_an_institution_without_legal_data_cannot_issue_an_edc(unit_facts, issuer) -> None:
    open_badge, _ = open_badges(unit_facts, issuer)["bc-unit"]
    with pytest.raises(MissingLegalData) as raised:
        build_edc(open_badge, "unit", edc_issuer(issuer, None))
    assert raised.value.fields == ("legal_name", "kvk_number", "country_code")
    with pytest.raises(MissingLegalData):
        build_edc(open_badge, "unit", edc_issuer(issuer, LegalData(legal_name="X")))


def test_only_the_issuer_of_the_credential_can_be_its_edc_issuer(
    unit_facts, issuer, other_issuer
) -> None:
    open_badge, _ = open_badges(unit_facts, issuer)["bc-unit"]
    with pytest.raises(ValueError, match="did not issue"):
        build_edc(open_badge, "unit", edc_issuer(other_issuer))


def test_the_signed_edc_verifies_and_an_altered_one_does_not(
    unit_facts, issuer, jsonld_loader
) -> None:
    open_badge, _ = open_badges(unit_facts, issuer)["bc-unit"]
    assert "credentialStatus" not in open_badge  # (the domain builders leave it to the service)
    edc = build_edc(open_badge, "unit", edc_issuer(issuer))
    edc["@context"] = signing_context(edc["@context"])
    signed = add_proof(
        edc,
        sign=issuer.sign,
        verification_method=issuer.verification_method,
        created="2024-09-01T12:00:00Z",
        loader=jsonld_loader,
    )
    assert signed["@context"][:2] == list(EDC_CONTEXTS)
    assert shacl(signed, jsonld_loader)[0]

    def verify(document: dict[str, Any]) -> dict[str, bool]:
        report = verify_credential(
            document,
            loader=jsonld_loader,
            resolve_public_key=lambda vm: (
                issuer.public_key if vm == issuer.verification_method else None
            ),
            validate_schema=lambda d: [],
            now=datetime(2025, 1, 1, tzinfo=UTC),
            is_known_issuer=lambda i: i == issuer.did,
        )
        return {c.check: c.ok for c in report.checks}

    assert all(verify(signed).values()), verify(signed)
    altered = copy.deepcopy(signed)
    altered["issuer"]["eIDASIdentifier"]["notation"] = "90000029"
    assert verify(altered)["proof"] is False
    renamed = copy.deepcopy(signed)
    renamed["credentialSubject"]["hasClaim"]["title"] = {"nl": "Iets anders"}
    assert verify(renamed)["proof"] is False
