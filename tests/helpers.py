"""Helpers shared by the test layers: find demo learners, issue credentials through the API."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

#: The reference date of the worked learner cases.
ON = "2025-09-01"


def learner_id(client: FlaskClient, external_id: str) -> str:
    """The id of a seeded demo learner (DEMO-L1, DEMO-L5, DEMO-L9)."""
    items = client.get(f"/api/learners?external_id={external_id}").get_json()["items"]
    assert len(items) == 1, items
    return str(items[0]["id"])


def issue(client: FlaskClient, learner: str, unit: str = "BC-VV-B1K1") -> dict[str, Any]:
    """Issue a unit credential through the API and return the signed document."""
    response = client.post(
        "/api/credentials", json={"learner": learner, "achievement": {"type": "unit", "code": unit}}
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def credential_id(document: dict[str, Any]) -> str:
    return str(document["id"]).rsplit("/", 1)[1]
