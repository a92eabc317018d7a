"""Defects found in review, pinned as strict xfails: each flips to XPASS once fixed."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient


def _learner(client: FlaskClient, external_id: str) -> str:
    page = client.get(f"/api/learners?external_id={external_id}").get_json()
    assert page["total"] == 1
    return page["items"][0]["id"]


def _unit(code: str, hours: Any) -> dict[str, Any]:
    return {
        "code": code,
        "kind": "BC",
        "title": "Review unit",
        "study_load_hours": hours,
        "outcomes": [{"code": f"{code}:1", "title": "Review outcome"}],
    }


@pytest.mark.xfail(
    strict=True,
    reason="app/domain/path.py _plan/_finish: a reference date near 9999-12-31 overflows date "
    "arithmetic (ValueError/OverflowError) and GET .../path and .../paths answer 500 "
    "instead of a 422 problem",
)
def test_path_with_far_future_reference_date_is_not_a_500(seeded: FlaskClient) -> None:
    learner = _learner(seeded, "DEMO-L5")
    path = seeded.get(f"/api/learners/{learner}/path?on=9999-12-31")
    paths = seeded.get(f"/api/learners/{learner}/paths?on=9999-12-31")
    assert path.status_code == 422, path.status_code
    assert paths.status_code == 422, paths.status_code


@pytest.mark.xfail(
    strict=True,
    reason="app/web/views.py learner_path: ?op=9999-12-31 passes _date_arg and the path engine's "
    "date overflow surfaces as a 500 page instead of the Dutch 400 page",
)
def test_path_page_with_far_future_date_is_a_400(seeded: FlaskClient) -> None:
    learner = _learner(seeded, "DEMO-L5")
    response = seeded.get(f"/leerlingen/{learner}?op=9999-12-31")
    assert response.status_code == 400, response.status_code


@pytest.mark.xfail(
    strict=True,
    reason="app/api/learner_schemas.py EnrolmentSchema accepts start=9999-12-31; once stored, every "
    "GET /api/learners/{id}/paths (and the path) of that learner is a 500 for good",
)
def test_stored_enrolment_cannot_make_every_path_a_500(seeded: FlaskClient) -> None:
    learner = _learner(seeded, "DEMO-L5")
    body = {"qualification": "Q-HZW", "chosen_electives": [], "start": "9999-12-31", "hours_per_week": 1}
    seeded.post(f"/api/learners/{learner}/enrolments", json=body)
    response = seeded.get(f"/api/learners/{learner}/paths?on=2025-09-01")
    assert response.status_code == 200, response.status_code


@pytest.mark.xfail(
    strict=True,
    reason="app/api/schemas.py ListArgs.offset has no upper bound: ?offset=10**20 reaches SQLite "
    "as an out-of-range integer (OverflowError) and every list endpoint answers 500, not 422",
)
def test_huge_list_offset_is_422(seeded: FlaskClient) -> None:
    response = seeded.get(f"/api/units?offset={10**20}")
    assert response.status_code == 422, response.status_code


@pytest.mark.xfail(
    strict=True,
    reason="app/api/learners.py <int:evidence_id>: an id beyond 64 bits reaches SQLite "
    "(OverflowError) and the withdraw answers 500 instead of 404",
)
def test_huge_evidence_id_is_404(seeded: FlaskClient) -> None:
    learner = _learner(seeded, "DEMO-L5")
    response = seeded.post(f"/api/learners/{learner}/evidence/{10**20}/withdraw", json={"reason": "x"})
    assert response.status_code == 404, response.status_code


@pytest.mark.xfail(
    strict=True,
    reason="app/api/schemas.py study_load_hours (and electives.required_hours) only have a lower "
    "bound: 10**30 overflows the INTEGER column and POST /api/units and POST /api/import answer "
    "500 instead of 422",
)
def test_huge_study_load_is_422(seeded: FlaskClient) -> None:
    unit = seeded.post("/api/units", json=_unit("BC-REVIEW-1", 10**30))
    imported = seeded.post("/api/import", json={"units": [_unit("BC-REVIEW-2", 10**30)]})
    assert unit.status_code == 422, unit.status_code
    assert imported.status_code == 422, imported.status_code


@pytest.mark.xfail(
    strict=True,
    reason="app/services/credentials.py verify(): `'ClrCredential' in (document.get('type') or [])` "
    "runs outside the checks' guard; a non-iterable type (5, true) raises TypeError and "
    "POST /api/verify answers 500 although the contract says never a 500",
)
def test_verify_with_scalar_type_reports_instead_of_500(seeded: FlaskClient) -> None:
    response = seeded.post("/api/verify", json={"type": 5})
    assert response.status_code == 200, response.status_code
    assert response.get_json()["verified"] is False


@pytest.mark.xfail(
    strict=True,
    reason="app/web/views.py /verifieren calls the same credentials.verify(): a pasted "
    "{\"type\": 5} gives the 500 page instead of the 'niet geldig' verdict",
)
def test_verify_page_with_scalar_type_says_niet_geldig(seeded: FlaskClient) -> None:
    response = seeded.post("/verifieren", data={"credential": '{"type": 5}'})
    assert response.status_code == 200, response.status_code
    assert "niet geldig" in response.get_data(as_text=True)


@pytest.mark.xfail(
    strict=True,
    reason="app/api/schemas.py CODE allows '/' and ':' in an institution code, but app/keystore.py "
    "SAFE_NAME refuses them: issuing for a learner of institution 'ROC/A' raises ValueError in "
    "KeyStore._folder and POST /api/credentials answers 500",
)
def test_institution_code_accepted_by_the_api_can_issue(seeded: FlaskClient) -> None:
    created = seeded.post("/api/institutions", json={"code": "ROC/A", "name": "ROC A", "kind": "mbo"})
    if created.status_code == 422:
        return  # refusing such a code up front is a fix too
    learner = seeded.post("/api/learners", json={"name": "Review", "institution": "ROC/A"}).get_json()["id"]
    evidence = {"outcome": "AV:NL-2F", "source": "exam", "date": "2025-01-01"}
    assert seeded.post(f"/api/learners/{learner}/evidence", json=evidence).status_code == 201
    issued = seeded.post("/api/credentials", json={"learner": learner, "achievement": {"type": "unit", "code": "AV-NL-2F"}})
    assert issued.status_code == 201, issued.status_code
