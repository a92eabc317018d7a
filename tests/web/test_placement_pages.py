"""Stagematching pages: the coordinator's round page, the workplace's offer form, Mijn stage."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import learner_id, signed_in_client

SPRING = "/stagerondes/BPV-2026-VOORJAAR"


def test_the_coordinator_sees_the_voorlopige_matching_with_reasons(seeded_app: Flask) -> None:
    coordinator = signed_in_client(seeded_app, "coordinator")
    page = coordinator.get(SPRING)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Voorlopige matching" in html and "Niet geplaatst, en waarom" in html
    assert "Ziekenhuis aan de IJssel" in html and "Matching publiceren" in html
    assert "csrf_token" in html
    matched = coordinator.post(f"{SPRING}/matchen", data={})
    assert matched.status_code == 303
    published = coordinator.post(f"{SPRING}/publiceren", data={})
    assert published.status_code == 303
    assert "Gepubliceerde matching" in coordinator.get(SPRING).get_data(as_text=True)


def test_a_workplace_offers_places_through_the_form(seeded_app: Flask) -> None:
    workplace = signed_in_client(seeded_app, "workplace", workplace="WP-HAT-HA")
    form = workplace.get(f"{SPRING}/aanbod")
    assert form.status_code == 200 and "Stageplaatsen aanbieden" in form.get_data(as_text=True)
    saved = workplace.post(
        f"{SPRING}/aanbod",
        data={
            "workplace": "WP-HAT-HA",
            "qualifications": "Q-VP",
            "places": "2",
            "epas-0-epa": "BAZ-2",
            "epas-0-max_level": "3",
        },
    )
    assert saved.status_code == 303
    wrong = workplace.post(
        f"{SPRING}/aanbod",
        data={"workplace": "WP-HAT-HA", "qualifications": "Q-NOPE", "places": "0"},
    )
    assert wrong.status_code == 422
    assert "Onbekend" in wrong.get_data(as_text=True) or "Vul een getal" in wrong.get_data(
        as_text=True
    )


def test_mijn_stage_shows_the_published_placement(seeded_app: Flask, seeded: FlaskClient) -> None:
    l5 = learner_id(seeded, "DEMO-L5")
    learner = signed_in_client(seeded_app, "learner", learner=l5)
    html = learner.get(f"/leerlingen/{l5}", follow_redirects=True).get_data(as_text=True)
    assert "Mijn stage" in html and "Ziekenhuis aan de IJssel" in html
    assert "MK-FO-3" in html and "01-09-2025" in html
    other = signed_in_client(seeded_app, "learner", learner=learner_id(seeded, "DEMO-L9"))
    assert "Ziekenhuis aan de IJssel" not in other.get(
        f"/leerlingen/{learner_id(seeded, 'DEMO-L9')}"
    ).get_data(as_text=True)
