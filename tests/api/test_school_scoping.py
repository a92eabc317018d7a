"""School staff work in their own institution: defaults, and refusals elsewhere."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.helpers import signed_in_client

UNIT = {
    "code": "BC-B-1",
    "kind": "BC",
    "title": "Eenheid van school B",
    "study_load_hours": 40,
    "outcomes": [{"code": "BC-B-1:1", "title": "Resultaat"}],
}


def test_a_school_admin_creates_in_their_own_institution_by_default(seeded: FlaskClient) -> None:
    created = seeded.post(
        "/api/institutions", json={"code": "MBO-B", "name": "ROC B", "kind": "mbo"}
    )
    assert created.status_code == 201
    school_b = signed_in_client(seeded.application, "school-admin", institution="MBO-B")
    response = school_b.post("/api/units", json=UNIT)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["institution"] == "MBO-B"
    learner = school_b.post("/api/learners", json={"name": "Leerling B"})
    assert learner.status_code == 201 and learner.get_json()["institution"] == "MBO-B"

    elsewhere = {
        **UNIT,
        "code": "BC-B-2",
        "institution": "MBO-ZW",
        "outcomes": [{"code": "BC-B-2:1", "title": "Resultaat"}],
    }
    assert school_b.post("/api/units", json=elsewhere).status_code == 403
    changed = {**UNIT, "title": "Overgenomen"}
    assert (
        school_b.put("/api/units/BC-VV-B1K1", json={**changed, "code": "BC-VV-B1K1"}).status_code
        == 403
    )
    assert school_b.delete("/api/units/BC-VV-B1K1").status_code == 403
    # learners of school A do not exist for school B
    school_a_learners = seeded.get("/api/learners?external_id=DEMO-L5").get_json()["items"]
    assert school_b.get(f"/api/learners/{school_a_learners[0]['id']}").status_code == 404
    listed = school_b.get("/api/learners").get_json()
    assert [item["institution"] for item in listed["items"]] == ["MBO-B"]
    assert school_b.get("/api/learners?institution=MBO-ZW").get_json()["total"] == 0
