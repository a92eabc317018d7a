"""CASE 1.0 export: GET /api/case/v1p0/CFPackages/{qualification}, CFDocuments, CFItems."""

from __future__ import annotations

import copy
import uuid
from collections import Counter
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.adapters.json_schemas import load_case_validator
from tests.api._registry import assert_problem

BASE = "http://127.0.0.1:8000"  # TestConfig.LEERLIJN_BASE_URL
PACKAGE = "/api/case/v1p0/CFPackages/Q-VP"


def schema_errors(app: Flask, package: Any) -> list[dict[str, str]]:
    """The shipped CASE 1.0 JSON Schema's errors, with its uri and date-time format checks."""
    return load_case_validator(app.config["SCHEMAS_DIR"] / "json-schema")(package)


def without_timestamps(package: dict[str, Any]) -> dict[str, Any]:
    stripped = copy.deepcopy(package)
    for node in [stripped["CFDocument"], *stripped["CFItems"], *stripped["CFAssociations"]]:
        node.pop("lastChangeDateTime")
    return stripped


def codes_of(package: dict[str, Any]) -> dict[str, str]:
    """identifier → our code (the document's is the qualification's code)."""
    codes = {item["identifier"]: item["humanCodingScheme"] for item in package["CFItems"]}
    codes[package["CFDocument"]["identifier"]] = package["CFDocument"]["qualificationCode"]
    return codes


def pairs(package: dict[str, Any], kind: str) -> set[tuple[str, str]]:
    codes = codes_of(package)
    return {
        (codes[a["originNodeURI"]["identifier"]], codes[a["destinationNodeURI"]["identifier"]])
        for a in package["CFAssociations"]
        if a["associationType"] == kind and "vmboAssignment" not in a
    }


@pytest.fixture(scope="module")
def package(ro: FlaskClient) -> dict[str, Any]:
    response = ro.get(PACKAGE)
    assert response.status_code == 200, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def test_the_export_is_valid_against_the_shipped_case_schema(
    ro: FlaskClient, package: dict[str, Any]
) -> None:
    assert schema_errors(ro.application, package) == []
    for code in ("Q-HZW", "Q-VIG", "Q-MZ3", "BAZ"):
        other = ro.get(f"/api/case/v1p0/CFPackages/{code}").get_json()
        assert schema_errors(ro.application, other) == [], code


def test_the_schema_check_really_checks_uri_and_date_time(
    ro: FlaskClient, package: dict[str, Any]
) -> None:
    broken = copy.deepcopy(package)
    broken["CFItems"][3]["uri"] = "no uri at all"
    broken["CFAssociations"][0]["lastChangeDateTime"] = "2025-13-45T99:00:00"
    del broken["CFItems"][5]["fullStatement"]
    assert [e["pointer"] for e in schema_errors(ro.application, broken)] == [
        "/CFAssociations/0/lastChangeDateTime",
        "/CFItems/3/uri",
        "/CFItems/5/fullStatement",
    ]


def test_the_document_is_the_qualification(package: dict[str, Any]) -> None:
    document = package["CFDocument"]
    assert document["title"] == "Mbo-Verpleegkundige"
    assert document["creator"] == "ROC Zorg & Welzijn"
    assert document["qualificationCode"] == "Q-VP" and document["nlqfLevel"] == 4
    assert document["electiveRequiredHours"] == 720 and document["language"] == "nl"
    space = uuid.uuid5(uuid.NAMESPACE_URL, BASE)
    assert document["identifier"] == str(uuid.uuid5(space, "document:Q-VP"))
    assert (
        document["CFPackageURI"]["uri"]
        == f"{BASE}/api/case/v1p0/CFPackages/" + (document["identifier"])
    )


def test_items_are_every_unit_of_the_qualification_and_its_graph_with_their_outcomes(
    ro: FlaskClient, package: dict[str, Any]
) -> None:
    items = {item["humanCodingScheme"]: item for item in package["CFItems"]}
    qualification = ro.get("/api/qualifications/Q-VP").get_json()
    members = set(qualification["units"]) | set(qualification["electives"]["options"])
    assert "VC-K0210" in members  # an elective option
    units = {code for code, item in items.items() if "unitKind" in item}
    assert members <= units
    # the units of outcomes related to the qualification's (e.g. AV:NL-3F subsumes AV:NL-2F)
    assert units - members == {"AV-NL-2F", "AV-REK-2F", "BC-DV-B1K1", "BC-HZW-PK1"}
    for code in units:
        unit = ro.get(f"/api/units/{code}").get_json()
        item = items[code]
        assert item["fullStatement"] == unit["title"]
        assert item["studyLoadHours"] == unit["study_load_hours"]
        assert item.get("nlqfLevel") == unit["nlqf_level"]
        label = {"BC": "Beroepsgerichte eenheid (BC)", "VC": "Keuzedeel (VC)"}
        assert item["CFItemType"] == label.get(unit["kind"], "Generiek (AV)")
        for outcome in unit["outcomes"]:
            assert items[outcome["code"]]["CFItemType"] == "Leerresultaat"
            assert items[outcome["code"]]["fullStatement"] == outcome["title"]
            assert (outcome["code"], code) in pairs(package, "isChildOf")


def test_associations_tie_units_to_the_document_prerequisites_and_related_outcomes(
    package: dict[str, Any],
) -> None:
    children = pairs(package, "isChildOf")
    assert ("VC-K0210", "Q-VP") in children and ("BC-VV-B1K1", "Q-VP") in children
    assert ("AV-NL-2F", "Q-VP") not in children  # in the package, not in the qualification
    assert pairs(package, "precedes") == {
        ("BC-VV-B1K1", "BC-VP-P2K1"),
        ("BC-VV-B1K2", "BC-VP-P2K1"),
        ("BC-VV-B1K1", "VC-K1006"),
    }
    assert pairs(package, "exactMatchOf") == {("AV:NL-3F", "AV:NL-2F"), ("AV:REK-3F", "AV:REK-2F")}
    assert ("DV:B1-K1-W3", "VV:B1-K3-W3") in pairs(package, "isRelatedTo")
    for association in package["CFAssociations"]:
        for end in ("originNodeURI", "destinationNodeURI"):
            assert set(association[end]) == {"title", "identifier", "uri"}
    identifiers = [a["identifier"] for a in package["CFAssociations"]]
    assert len(set(identifiers)) == len(identifiers)


def test_repeated_exports_are_identical_but_for_timestamps(
    ro: FlaskClient, package: dict[str, Any]
) -> None:
    again = ro.get(PACKAGE).get_json()
    assert without_timestamps(again) == without_timestamps(package)
    by_identifier = ro.get(f"/api/case/v1p0/CFPackages/{package['CFDocument']['identifier']}")
    assert without_timestamps(by_identifier.get_json()) == without_timestamps(package)


def test_vmbo_mappings_are_added_only_when_asked(seeded: FlaskClient) -> None:
    plain = seeded.get("/api/case/v1p0/CFPackages/Q-HZW").get_json()
    with_vmbo = seeded.get("/api/case/v1p0/CFPackages/Q-HZW?include=vmbo").get_json()
    vmbo = [a for a in with_vmbo["CFAssociations"] if "vmboAssignment" in a]
    assert vmbo and not [a for a in plain["CFAssociations"] if "vmboAssignment" in a]
    assert schema_errors(seeded.application, with_vmbo) == []
    mapping = vmbo[0]
    stored = seeded.get(f"/api/vmbo/assignments/{mapping['vmboAssignment']}/mappings").get_json()
    outcomes = {m["outcome"]: m["coverage"] for m in stored["items"]}
    outcome = codes_of(with_vmbo)[mapping["destinationNodeURI"]["identifier"]]
    assert outcomes[outcome] == mapping["vmboCoverage"]
    expected = "exactMatchOf" if mapping["vmboCoverage"] == "full" else "isRelatedTo"
    assert mapping["associationType"] == expected
    assert Counter(a["associationType"] for a in plain["CFAssociations"]) <= Counter(
        a["associationType"] for a in with_vmbo["CFAssociations"]
    )


def test_documents_and_items_are_served_by_identifier(
    ro: FlaskClient, package: dict[str, Any]
) -> None:
    documents = ro.get("/api/case/v1p0/CFDocuments").get_json()["CFDocuments"]
    assert {d["qualificationCode"] for d in documents} == {"Q-HZW", "Q-VIG", "Q-VP", "Q-MZ3", "BAZ"}
    identifier = package["CFDocument"]["identifier"]
    one = ro.get(f"/api/case/v1p0/CFDocuments/{identifier}").get_json()["CFDocument"]
    assert one["qualificationCode"] == "Q-VP"
    for item in (package["CFItems"][0], package["CFItems"][1]):
        served = ro.get(f"/api/case/v1p0/CFItems/{item['identifier']}").get_json()
        served.pop("lastChangeDateTime")
        assert served == {k: v for k, v in item.items() if k != "lastChangeDateTime"}


def test_unknown_references_are_404_problems(ro: FlaskClient) -> None:
    assert_problem(ro.get("/api/case/v1p0/CFPackages/Q-NOPE"), 404)
    assert_problem(ro.get(f"/api/case/v1p0/CFItems/{uuid.uuid4()}"), 404)
    assert_problem(ro.get(f"/api/case/v1p0/CFDocuments/{uuid.uuid4()}"), 404)
    assert_problem(ro.get(f"{PACKAGE}?include=everything"), 422)


def test_the_export_is_public(ro: FlaskClient) -> None:
    anonymous = ro.application.test_client()
    assert anonymous.get(PACKAGE).status_code == 200
    assert anonymous.get("/api/case/v1p0/CFDocuments").status_code == 200
