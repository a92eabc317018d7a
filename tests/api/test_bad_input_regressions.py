"""Defects found in review (bad input that produced a 500), pinned as regression tests."""

from __future__ import annotations

from typing import Any

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


def test_path_with_far_future_reference_date_is_not_a_500(seeded: FlaskClient) -> None:
    learner = _learner(seeded, "DEMO-L5")
    path = seeded.get(f"/api/learners/{learner}/path?on=9999-12-31")
    paths = seeded.get(f"/api/learners/{learner}/paths?on=9999-12-31")
    assert path.status_code == 422, path.status_code
    assert paths.status_code == 422, paths.status_code


def test_path_page_with_far_future_date_is_a_400(seeded: FlaskClient) -> None:
    learner = _learner(seeded, "DEMO-L5")
    response = seeded.get(f"/leerlingen/{learner}?op=9999-12-31")
    assert response.status_code == 400, response.status_code


def test_stored_enrolment_cannot_make_every_path_a_500(seeded: FlaskClient) -> None:
    learner = _learner(seeded, "DEMO-L5")
    body = {
        "qualification": "Q-HZW",
        "chosen_electives": [],
        "start": "9999-12-31",
        "hours_per_week": 1,
    }
    seeded.post(f"/api/learners/{learner}/enrolments", json=body)
    response = seeded.get(f"/api/learners/{learner}/paths?on=2025-09-01")
    assert response.status_code == 200, response.status_code


def test_huge_list_offset_is_422(seeded: FlaskClient) -> None:
    response = seeded.get(f"/api/units?offset={10**20}")
    assert response.status_code == 422, response.status_code


def test_huge_evidence_id_is_404(seeded: FlaskClient) -> None:
    learner = _learner(seeded, "DEMO-L5")
    response = seeded.post(
        f"/api/learners/{learner}/evidence/{10**20}/withdraw", json={"reason": "x"}
    )
    assert response.status_code == 404, response.status_code


def test_huge_study_load_is_422(seeded: FlaskClient) -> None:
    unit = seeded.post("/api/units", json=_unit("BC-REVIEW-1", 10**30))
    imported = seeded.post("/api/import", json={"units": [_unit("BC-REVIEW-2", 10**30)]})
    assert unit.status_code == 422, unit.status_code
    assert imported.status_code == 422, imported.status_code


def test_verify_with_scalar_type_reports_instead_of_500(seeded: FlaskClient) -> None:
    response = seeded.post("/api/verify", json={"type": 5})
    assert response.status_code == 200, response.status_code
    assert response.get_json()["verified"] is False


def test_verify_page_with_scalar_type_says_niet_geldig(seeded: FlaskClient) -> None:
    response = seeded.post("/verifieren", data={"credential": '{"type": 5}'})
    assert response.status_code == 200, response.status_code
    assert "niet geldig" in response.get_data(as_text=True)


def test_institution_code_accepted_by_the_api_can_issue(seeded: FlaskClient) -> None:
    created = seeded.post(
        "/api/institutions", json={"code": "ROC/A", "name": "ROC A", "kind": "mbo"}
    )
    if created.status_code == 422:
        return  # refusing such a code up front is a fix too
    learner = seeded.post(
        "/api/learners", json={"name": "Review", "institution": "ROC/A"}
    ).get_json()["id"]
    evidence = {"outcome": "AV:NL-2F", "source": "exam", "date": "2025-01-01"}
    assert seeded.post(f"/api/learners/{learner}/evidence", json=evidence).status_code == 201
    issued = seeded.post(
        "/api/credentials",
        json={"learner": learner, "achievement": {"type": "unit", "code": "AV-NL-2F"}},
    )
    assert issued.status_code == 201, issued.status_code
