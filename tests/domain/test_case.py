"""CASE 1.0 packages in the pure domain: building one, and reading one back."""

from __future__ import annotations

import uuid
from typing import Any

from app.domain.case import (
    Identifiers,
    KeptIdentifier,
    PackageSource,
    build_package,
    unit_key,
)
from app.domain.case_import import read_package
from app.domain.model import (
    ElectiveRule,
    Institution,
    Outcome,
    OutcomeRelation,
    Prerequisite,
    Qualification,
    Unit,
)

BASE = "http://registry.example"
AT = "2025-09-01T10:00:00Z"


def _unit(code: str, kind: str = "BC", **extra: Any) -> Unit:
    outcomes = (Outcome(f"{code}:1", f"{code} een", dossier_code="W1", nlqf_level=3),)
    outcomes += (Outcome(f"{code}:2", f"{code} twee", description="Uitleg"),)
    return Unit(code, kind, f"Eenheid {code}", 240, outcomes, "ROC", **extra)  # type: ignore[arg-type]


def _source(**extra: Any) -> PackageSource:
    units = {
        "B": _unit("B", description="Beschrijving", nlqf_level=3, title_en="Unit B"),
        "V": _unit("V", "VC"),
        "A": _unit("A", "AV", language="en"),
        "P": _unit("P"),
    }
    qualification = Qualification(
        "Q", "Kwalificatie Q", "mbo", units=("B", "A"), electives=ElectiveRule(240, ("V",)),
        nlqf_level=3, eqf_level=3, crebo="12345", institution="ROC",
    )  # fmt: skip
    return PackageSource(
        qualification=qualification,
        units=units,
        institutions={"ROC": Institution("ROC", "ROC Een", "mbo", brin="00AA")},
        prerequisites=[Prerequisite("B", "P")],
        relations=[
            OutcomeRelation("B:1", "P:1", "subsumes", "omvat"),
            OutcomeRelation("A:2", "V:1", "partial"),
        ],
        changed_at=AT,
        **extra,
    )  # fmt: skip


def _by_code(package: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["humanCodingScheme"]: item for item in package["CFItems"]}


def test_identifiers_are_uuid5_of_the_key_under_the_base_url_and_stable() -> None:
    package = build_package(_source(), Identifiers(BASE))
    space = uuid.uuid5(uuid.NAMESPACE_URL, BASE)
    item = _by_code(package)["B"]
    assert item["identifier"] == str(uuid.uuid5(space, "item:unit:B"))
    assert item["uri"] == f"{BASE}/api/case/v1p0/CFItems/{item['identifier']}"
    assert build_package(_source(), Identifiers(BASE)) == package
    other = build_package(_source(), Identifiers("http://elsewhere.example"))
    assert _by_code(other)["B"]["identifier"] != item["identifier"]


def test_a_kept_identifier_wins_over_the_derived_one() -> None:
    kept = {unit_key("B"): KeptIdentifier("11111111-2222-3333-4444-555555555555", "urn:x")}
    package = build_package(_source(), Identifiers(BASE, kept))
    assert _by_code(package)["B"]["identifier"] == "11111111-2222-3333-4444-555555555555"
    child = next(
        a for a in package["CFAssociations"] if a["originNodeURI"]["identifier"].startswith("1111")
    )
    assert child["originNodeURI"]["uri"] == "urn:x"


def test_the_package_holds_every_unit_outcome_and_association() -> None:
    package = build_package(_source(), Identifiers(BASE))
    items = _by_code(package)
    assert list(items) == [
        "B",
        "B:1",
        "B:2",
        "A",
        "A:1",
        "A:2",
        "V",
        "V:1",
        "V:2",
        "P",
        "P:1",
        "P:2",
    ]
    assert items["B"]["CFItemType"] == "Beroepsgerichte eenheid (BC)"
    assert items["V"]["CFItemType"] == "Keuzedeel (VC)"
    assert items["A"]["CFItemType"] == "Generiek (AV)" and items["A"]["language"] == "en"
    assert items["B:1"]["CFItemType"] == "Leerresultaat" and items["B:1"]["dossierCode"] == "W1"
    assert items["B"]["studyLoadHours"] == 240 and items["B"]["nlqfLevel"] == 3
    assert items["B"]["notes"] == "Beschrijving" and items["B"]["titleEn"] == "Unit B"
    assert "notes" not in items["V"]  # nothing null
    names = {a["identifier"]: a for a in package["CFAssociations"]}
    assert len(names) == len(package["CFAssociations"])
    document = package["CFDocument"]
    assert document["creator"] == "ROC Een" and document["crebo"] == "12345"

    def pairs(kind: str) -> list[tuple[str, str]]:
        codes = {i["identifier"]: i["humanCodingScheme"] for i in package["CFItems"]}
        codes[document["identifier"]] = "Q"
        return [
            (codes[a["originNodeURI"]["identifier"]], codes[a["destinationNodeURI"]["identifier"]])
            for a in package["CFAssociations"]
            if a["associationType"] == kind
        ]

    children = pairs("isChildOf")
    assert children[:3] == [("B", "Q"), ("A", "Q"), ("V", "Q")]  # P is no part of Q
    assert ("B:2", "B") in children and ("P:1", "P") in children and len(children) == 11
    assert pairs("precedes") == [("P", "B")]
    assert pairs("exactMatchOf") == [("B:1", "P:1")]
    assert pairs("isRelatedTo") == [("A:2", "V:1")]
    roles = [a.get("unitRole") for a in package["CFAssociations"][:3]]
    assert roles == ["mandatory", "mandatory", "option"]


def test_reading_a_built_package_gives_back_the_registry_document() -> None:
    source = _source()
    found = read_package(build_package(source, Identifiers(BASE)), lambda name: None)
    assert found.errors == [] and found.skipped == []
    assert found.qualification == "Q" and found.publisher == "ROC"
    document = found.document
    assert document["institutions"] == [
        {"code": "ROC", "name": "ROC Een", "kind": "mbo", "brin": "00AA"}
    ]
    unit = document["units"][0]
    assert unit == {
        "code": "B", "kind": "BC", "title": "Eenheid B", "institution": "ROC", "language": "nl",
        "description": "Beschrijving", "study_load_hours": 240, "nlqf_level": 3,
        "title_en": "Unit B",
        "outcomes": [
            {"code": "B:1", "title": "B een", "nlqf_level": 3, "dossier_code": "W1"},
            {"code": "B:2", "title": "B twee", "description": "Uitleg"},
        ],
    }  # fmt: skip
    assert document["prerequisites"] == [{"unit": "B", "requires": "P"}]
    assert document["outcome_relations"] == [
        {"from": "A:2", "to": "V:1", "type": "partial"},
        {"from": "B:1", "to": "P:1", "type": "subsumes", "reason": "omvat"},
    ]
    [qualification] = document["qualifications"]
    assert qualification["units"] == ["B", "A"]
    assert qualification["electives"] == {"required_hours": 240, "options": ["V"]}
    assert (qualification["crebo"], qualification["nlqf_level"]) == ("12345", 3)
    # every node and association is kept: the document, 12 items, 14 associations
    assert len(found.identifiers) == 1 + 12 + 14


def test_pointers_into_the_registry_document_lead_into_the_package() -> None:
    package = build_package(_source(), Identifiers(BASE))
    found = read_package(package, lambda name: None)
    assert found.pointer("/units/0/study_load_hours") == "/CFItems/0/studyLoadHours"
    assert found.pointer("/units/1/outcomes/1/title") == "/CFItems/5/fullStatement"
    assert found.pointer("/qualifications/0/crebo") == "/CFDocument/crebo"
    assert found.pointer("/qualifications/0/electives/options/0") == "/CFAssociations/2"
    assert found.pointer("/prerequisites/0") == "/CFAssociations/11"
    assert found.pointer("/outcome_relations/1/type") == "/CFAssociations/13/relationType"


def test_what_does_not_map_is_reported_with_pointers() -> None:
    package = build_package(_source(), Identifiers(BASE))
    package["CFItems"][1]["CFItemType"] = "Standaard"
    package["CFItems"][2]["identifier"] = "not-a-uuid"
    del package["CFItems"][3]["humanCodingScheme"]
    package["CFAssociations"].append(dict(package["CFAssociations"][11]))
    found = read_package(package, lambda name: None)
    pointers = [e["pointer"] for e in found.errors]
    assert pointers[:3] == [
        "/CFItems/1/CFItemType",
        "/CFItems/2/identifier",
        "/CFItems/3/humanCodingScheme",
    ]
    assert "/CFAssociations/14" in pointers  # the same association twice
    # links to the items left out, and outcomes left without their unit, are named too
    assert "/CFAssociations/1/originNodeURI" in pointers  # unit A isChildOf the document
    assert {"/CFItems/2", "/CFItems/4", "/CFItems/5"} <= set(pointers)


def test_the_publisher_comes_from_the_creator_when_the_package_names_no_code() -> None:
    package = build_package(_source(), Identifiers(BASE))
    for member in ("institutionCode", "institutions"):
        del package["CFDocument"][member]
    for item in package["CFItems"]:
        item.pop("institutionCode", None)
    found = read_package(package, lambda name: None)
    assert found.publisher == "ROC-EEN"
    assert found.document["institutions"] == [{"code": "ROC-EEN", "name": "ROC Een", "kind": "mbo"}]
    assert {unit["institution"] for unit in found.document["units"]} == {"ROC-EEN"}
    known = read_package(package, {"ROC Een": "ROC"}.get)
    assert known.publisher == "ROC"


def test_a_tree_or_prerequisite_link_to_a_node_outside_the_package_is_refused() -> None:
    package = build_package(_source(), Identifiers(BASE))
    del package["CFItems"][9:]  # unit P and its outcomes
    found = read_package(package, lambda name: None)
    assert [e["pointer"] for e in found.errors] == [
        "/CFAssociations/9/originNodeURI",  # P:1 isChildOf P
        "/CFAssociations/10/originNodeURI",  # P:2 isChildOf P
        "/CFAssociations/11/originNodeURI",  # P precedes B
    ]
    assert found.skipped == ["/CFAssociations/13"]  # B:1 exactMatchOf P:1: a match elsewhere


def test_vmbo_mappings_and_foreign_nodes_are_skipped_not_imported() -> None:
    from app.domain.case import VmboLink

    source = _source(vmbo=[VmboLink("OPD-1", "Opdracht", "PROG", "B:1", "full")])
    package = build_package(source, Identifiers(BASE))
    vmbo = [a for a in package["CFAssociations"] if "vmboAssignment" in a]
    assert len(vmbo) == 1 and vmbo[0]["associationType"] == "exactMatchOf"
    assert vmbo[0]["originNodeURI"]["uri"] == f"{BASE}/api/vmbo/assignments/OPD-1"
    found = read_package(package, lambda name: None)
    assert found.skipped == [f"/CFAssociations/{len(package['CFAssociations']) - 1}"]
