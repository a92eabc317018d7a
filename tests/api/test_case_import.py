"""CASE 1.0 import through POST /api/import, and the round trip that proves nothing is lost."""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app import create_app
from app.config import TestConfig
from app.extensions import db
from app.persistence.models.access import AuditRow
from app.persistence.models.case import CaseIdentifierRow
from app.persistence.models.registry import (
    InstitutionRow,
    OutcomeRelationRow,
    OutcomeRow,
    PrerequisiteRow,
    QualificationRow,
    UnitRow,
)
from tests.api._registry import assert_problem, dispose, pointers
from tests.api.test_case_export import schema_errors, without_timestamps
from tests.helpers import admin_client, signed_in_client

PACKAGE = "/api/case/v1p0/CFPackages/Q-VP"
TABLES = (
    InstitutionRow,
    UnitRow,
    OutcomeRow,
    OutcomeRelationRow,
    PrerequisiteRow,
    QualificationRow,
    CaseIdentifierRow,
    AuditRow,
)


class ElsewhereConfig(TestConfig):
    """Another registry, at another address."""

    LEERLIJN_BASE_URL = "https://andere-school.example/leerlijn"


@pytest.fixture
def empty() -> Iterator[Flask]:
    """An EMPTY registry (no institution, no unit) at another base URL."""
    app = create_app(ElsewhereConfig)
    with app.app_context():
        db.create_all()
    yield app
    dispose(app)


@pytest.fixture(scope="module")
def exported(ro: FlaskClient) -> dict[str, Any]:
    response = ro.get(PACKAGE)
    assert response.status_code == 200
    return response.get_json()  # type: ignore[no-any-return]


def signed_in(client: FlaskClient) -> FlaskClient:
    """`client` after its first request (which records its token, and audits that)."""
    assert client.get("/api/me").status_code == 200
    return client


def counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        found = {
            table.__tablename__: db.session.scalar(select(func.count()).select_from(table)) or 0
            for table in TABLES
        }
        db.session.remove()
    return found


def comparable(package: dict[str, Any]) -> dict[str, Any]:
    """The package without timestamps and without the address it was served at."""
    stripped = without_timestamps(package)
    stripped["CFDocument"]["CFPackageURI"].pop("uri")
    return stripped


def test_round_trip_into_an_empty_registry_loses_nothing(
    ro: FlaskClient, exported: dict[str, Any], empty: Flask
) -> None:
    other = admin_client(empty)
    response = other.post("/api/import", json=exported)
    assert response.status_code == 200, response.get_json()
    assert set(response.get_json()["created"]["units"]) == {
        i["humanCodingScheme"] for i in exported["CFItems"] if "unitKind" in i
    }
    again = other.get(PACKAGE).get_json()
    assert schema_errors(empty, again) == []
    # equal but for lastChangeDateTime and where the package is served: identifiers survive
    # the other base URL, and so do the uris (CASE identifiers and uris are global)
    assert comparable(again) == comparable(exported)
    assert again["CFDocument"]["CFPackageURI"]["uri"].startswith(ElsewhereConfig.LEERLIJN_BASE_URL)
    kinds = Counter(a["associationType"] for a in again["CFAssociations"])
    assert kinds == Counter(a["associationType"] for a in exported["CFAssociations"])
    assert kinds["precedes"] == 3 and kinds["exactMatchOf"] == 2 and kinds["isRelatedTo"] == 3
    # the registry records themselves are rebuilt exactly
    for item in exported["CFItems"]:
        if "unitKind" in item:
            code = item["humanCodingScheme"]
            assert (
                other.get(f"/api/units/{code}").get_json()
                == ro.get(f"/api/units/{code}").get_json()
            )
    mine, theirs = (
        ro.get("/api/qualifications/Q-VP").get_json(),
        other.get("/api/qualifications/Q-VP").get_json(),
    )
    assert theirs == mine
    assert other.get("/api/institutions/MBO-ZW").get_json()["name"] == "ROC Zorg & Welzijn"
    # items are served by their kept identifier at the other registry
    item = exported["CFItems"][1]
    served = other.get(f"/api/case/v1p0/CFItems/{item['identifier']}")
    assert served.status_code == 200 and served.get_json()["uri"] == item["uri"]


def test_importing_the_same_package_twice_changes_nothing(
    exported: dict[str, Any], empty: Flask
) -> None:
    other = admin_client(empty)
    assert other.post("/api/import", json=exported).status_code == 200
    before = counts(empty)
    second = other.post("/api/import?format=case", json=exported)
    assert second.status_code == 200
    report = second.get_json()
    assert not any(report["created"].values()) and not any(report["updated"].values())
    assert set(report["unchanged"]["units"]) == {
        i["humanCodingScheme"] for i in exported["CFItems"] if "unitKind" in i
    }
    assert counts(empty) == before  # not even an audit entry


def test_changed_content_updates_the_registry_as_the_registry_import_does(
    exported: dict[str, Any], empty: Flask
) -> None:
    other = admin_client(empty)
    assert other.post("/api/import", json=exported).status_code == 200
    changed = copy.deepcopy(exported)
    unit = next(i for i in changed["CFItems"] if i["humanCodingScheme"] == "BC-VV-B1K2")
    unit["fullStatement"] = "Nieuwe titel"
    report = other.post("/api/import", json=changed).get_json()
    assert report["updated"]["units"] == ["BC-VV-B1K2"]
    assert other.get("/api/units/BC-VV-B1K2").get_json()["title"] == "Nieuwe titel"


def test_importing_its_own_export_keeps_no_rows_and_changes_nothing(
    fresh: FlaskClient, exported: dict[str, Any]
) -> None:
    before = counts(signed_in(fresh).application)
    response = fresh.post("/api/import", json=exported)
    assert response.status_code == 200
    assert not any(response.get_json()["created"].values())
    assert counts(fresh.application) == before  # derived identifiers need no kept row


def test_a_refused_package_writes_nothing(exported: dict[str, Any], empty: Flask) -> None:
    other = signed_in(admin_client(empty))
    before = counts(empty)
    broken = copy.deepcopy(exported)
    del broken["CFItems"][3]["fullStatement"]
    broken["CFItems"][4]["uri"] = "geen uri"
    broken["CFDocument"]["lastChangeDateTime"] = "gisteren"
    problem = assert_problem(other.post("/api/import", json=broken), 422)
    assert pointers(problem) == [
        "/CFDocument/lastChangeDateTime",
        "/CFItems/3/fullStatement",
        "/CFItems/4/uri",
    ]
    assert counts(empty) == before


def test_registry_rules_are_reported_with_pointers_into_the_package(
    exported: dict[str, Any], empty: Flask
) -> None:
    other = signed_in(admin_client(empty))
    before = counts(empty)
    broken = copy.deepcopy(exported)
    index = next(i for i, item in enumerate(broken["CFItems"]) if item.get("unitKind"))
    del broken["CFItems"][index]["studyLoadHours"]
    outcome = next(i for i, item in enumerate(broken["CFItems"]) if "unitKind" not in item)
    broken["CFItems"][outcome]["nlqfLevel"] = 12
    precedes = next(
        i for i, a in enumerate(broken["CFAssociations"]) if a["associationType"] == "precedes"
    )
    reverse = copy.deepcopy(broken["CFAssociations"][precedes])
    reverse["identifier"] = "0f0e0d0c-0b0a-4909-8807-060504030201"
    reverse["originNodeURI"], reverse["destinationNodeURI"] = (
        reverse["destinationNodeURI"],
        reverse["originNodeURI"],
    )
    broken["CFAssociations"].append(reverse)
    problem = assert_problem(other.post("/api/import", json=broken), 422)
    found = pointers(problem)
    assert f"/CFItems/{index}/studyLoadHours" in found
    assert f"/CFItems/{outcome}/nlqfLevel" in found
    cycle = [e for e in problem["errors"] if "cycle" in e]
    assert cycle and cycle[0]["pointer"].startswith("/CFAssociations/")
    assert counts(empty) == before


def test_an_identifier_that_is_not_exactly_a_uuid_and_a_too_long_uri_are_refused(
    exported: dict[str, Any], empty: Flask
) -> None:
    """Both would not fit their columns (String(36), String(600)): 422, never a 500."""
    other = signed_in(admin_client(empty))
    before = counts(empty)
    broken = copy.deepcopy(exported)
    old = broken["CFItems"][2]["identifier"]
    broken["CFItems"][2]["identifier"] = old + "\n"  # 37 characters, `$` would let it pass
    for association in broken["CFAssociations"]:
        for end in ("originNodeURI", "destinationNodeURI"):
            if association[end]["identifier"] == old:
                association[end]["identifier"] = old + "\n"
    broken["CFItems"][3]["uri"] = "https://elders.example/" + "x" * 578  # 601 characters
    broken["CFDocument"]["uri"] = "https://elders.example/" + "d" * 577  # 600: kept
    problem = assert_problem(other.post("/api/import", json=broken), 422)
    assert pointers(problem) == ["/CFItems/2/identifier", "/CFItems/3/uri"]
    assert "UUID" in problem["errors"][0]["message"] and "600" in problem["errors"][1]["message"]
    assert counts(empty) == before


def test_what_is_not_a_case_package_is_refused(client: FlaskClient) -> None:
    problem = assert_problem(client.post("/api/import?format=case", json={"units": []}), 422)
    assert "/CFDocument" in pointers(problem)
    problem = assert_problem(client.post("/api/import?format=csv", json={}), 422)
    assert problem["errors"][0]["parameter"] == "format"


def anonymous_publisher(exported: dict[str, Any]) -> dict[str, Any]:
    """The package as another tool would publish it: a creator's name, no institution codes."""
    package = copy.deepcopy(exported)
    package["CFDocument"]["creator"] = "Nieuw College"
    for member in ("institutionCode", "institutions"):
        package["CFDocument"].pop(member)
    for item in package["CFItems"]:
        item.pop("institutionCode", None)
    return package


def test_the_publisher_is_created_from_the_creator_and_audited(
    exported: dict[str, Any], empty: Flask
) -> None:
    other = admin_client(empty)
    response = other.post("/api/import", json=anonymous_publisher(exported))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["created"]["institutions"] == ["NIEUW-COLLEGE"]
    assert other.get("/api/units/BC-VV-B1K1").get_json()["institution"] == "NIEUW-COLLEGE"
    audit = other.get("/api/audit?entity=institution&id=NIEUW-COLLEGE").get_json()["items"]
    assert [entry["action"] for entry in audit] == ["create"]
    assert audit[0]["actor"] == f"token:{other.token_id}"


def test_only_an_admin_creates_an_institution_and_school_admins_import_for_their_own(
    exported: dict[str, Any], fresh: FlaskClient
) -> None:
    app = fresh.application
    own = signed_in(signed_in_client(app, "school-admin", institution="MBO-ZW"))
    other_school = signed_in(signed_in_client(app, "school-admin", institution="VMBO-ZW"))
    before = counts(app)
    assert_problem(other_school.post("/api/import", json=exported), 403)
    assert_problem(own.post("/api/import", json=anonymous_publisher(exported)), 403)
    assert counts(app) == before
    assert own.post("/api/import", json=exported).status_code == 200


def test_an_identifier_this_registry_keeps_for_another_node_is_refused(
    ro: FlaskClient, exported: dict[str, Any], empty: Flask
) -> None:
    other = signed_in(admin_client(empty))
    assert other.post("/api/import", json=exported).status_code == 200
    kept = next(i for i in exported["CFItems"] if i["humanCodingScheme"] == "BC-VP-P2K1")
    package = ro.get("/api/case/v1p0/CFPackages/Q-MZ3").get_json()
    index = next(
        i for i, item in enumerate(package["CFItems"]) if item["humanCodingScheme"] == "BC-MZ-B1K2"
    )
    old = package["CFItems"][index]["identifier"]
    package["CFItems"][index]["identifier"] = kept["identifier"]
    for association in package["CFAssociations"]:
        for end in ("originNodeURI", "destinationNodeURI"):
            if association[end]["identifier"] == old:
                association[end]["identifier"] = kept["identifier"]
    before = counts(empty)
    problem = assert_problem(other.post("/api/import", json=package), 422)
    assert pointers(problem) == [f"/CFItems/{index}/identifier"]
    assert "item:unit:BC-VP-P2K1" in problem["errors"][0]["message"]
    assert counts(empty) == before
