"""The learner's page tells the truth: EPAs, held diplomas, units without an order, the PDF.

Ruben (DEMO-L9) follows the BAZ route (EPAs only) and holds the Q-VP diploma; Sanne (DEMO-L1)
is on Q-HZW, which has no prerequisites; Lotte (DEMO-L5) on Q-VP, which has some.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.adapters.pdf import PdfUnavailable
from tests.helpers import ON, learner_id, signed_in_client


def _page(client: FlaskClient, learner: str, query: str = f"op={ON}") -> str:
    response = client.get(f"/leerlingen/{learner}?{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _section(html: str, heading_id: str) -> str:
    start = html.index(f'aria-labelledby="{heading_id}"')
    return html[start : html.index("</section>", start)]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


@pytest.fixture
def ruben(seeded: FlaskClient) -> str:
    return learner_id(seeded, "DEMO-L9")


def test_an_epa_route_shows_every_epa_with_its_levels_as_the_path_says(
    seeded: FlaskClient, ruben: str
) -> None:
    path = seeded.get(f"/api/learners/{ruben}/path?on={ON}").get_json()
    assert path["complete"] is False
    remaining = {e["epa"]: e for e in path["remaining_epas"]}
    assert set(remaining) == {"BAZ-4", "BAZ-5"}

    html = _page(seeded, ruben)
    epas = _section(html, "epa-kop")
    items = {
        code: status
        for status, code in re.findall(
            r'<li class="epa status-(\w+)">\s*<h3><span class="code">([^<]+)', epas
        )
    }
    assert items == {
        "BAZ-1": "achieved",
        "BAZ-2": "achieved",
        "BAZ-3": "achieved",
        "BAZ-4": "open",
        "BAZ-5": "partial",
    }
    text = _text(epas)
    assert "Nu nog geen bekwaamverklaring Vereist niveau 4 – Zelfstandig uitvoeren" in text
    assert "Nu niveau 2 – Uitvoeren onder directe supervisie" in text
    assert text.count("Vereist niveau 4") == 5


def test_an_unfinished_epa_route_is_not_shown_as_done(seeded: FlaskClient, ruben: str) -> None:
    html = _page(seeded, ruben)
    progress = _text(_section(html, "voortgang-kop"))
    assert 'aria-valuenow="60"' in html and 'aria-valuenow="100"' not in html
    assert "3 van 5 EPA's op het vereiste niveau" in progress
    assert "Gefeliciteerd" not in html
    assert "Gedaan 0 uur" not in progress and "100%" not in progress
    assert "Verwacht klaar nog niet te berekenen" in progress
    assert "BAZ-4 en BAZ-5" in progress
    assert "Er zijn geen leereenheden meer te doen" not in html
    assert 'id="graaf-kop"' not in html  # no empty drawing
    assert "tellen geen studie-uren" in _text(_section(html, "plan-kop"))


def test_a_held_diploma_is_behaald_not_hours_to_go(seeded: FlaskClient, ruben: str) -> None:
    others = _text(_section(_page(seeded, ruben), "anders-kop"))
    assert "Mbo-Verpleegkundige (Q-VP) behaald op 1 juli 2023" in others
    assert "4.320" not in others
    # the held diploma's own page says so
    held = _text(_section(_page(seeded, ruben, f"kwalificatie=Q-VP&op={ON}"), "voortgang-kop"))
    assert "Je hebt het diploma Mbo-Verpleegkundige behaald op 1 juli 2023" in held


def test_the_route_is_complete_once_every_epa_reaches_its_level(
    seeded: FlaskClient, ruben: str
) -> None:
    for epa in ("BAZ-4", "BAZ-5"):
        response = seeded.post(
            f"/api/learners/{ruben}/entrustments",
            json={"epa": epa, "level": 4, "date": "2025-08-01", "decided_by": "praktijkopleider"},
        )
        assert response.status_code == 201, response.get_json()
    assert seeded.get(f"/api/learners/{ruben}/path?on={ON}").get_json()["complete"] is True
    html = _page(seeded, ruben)
    assert "Gefeliciteerd" in html
    assert 'aria-valuenow="100"' in html
    assert "5 van 5 EPA's op het vereiste niveau" in _text(html)


def test_units_without_prerequisites_are_a_grid_with_a_matching_caption(
    seeded: FlaskClient,
) -> None:
    html = _page(seeded, learner_id(seeded, "DEMO-L1"))
    graph = _section(html, "graaf-kop")
    assert "<svg" not in graph
    assert graph.count('class="node status-') == 7
    assert 'class="graph-grid"' in graph
    assert "geen vaste volgorde" in graph and "Van links naar rechts" not in graph


def test_linked_units_are_drawn_and_the_others_listed_below(seeded: FlaskClient) -> None:
    graph = _section(_page(seeded, learner_id(seeded, "DEMO-L5")), "graaf-kop")
    drawing = graph[graph.index("<svg") : graph.index("</svg>")]
    assert set(re.findall(r'class="code">([^<]+)</text>', drawing)) == {
        "BC-VV-B1K1",
        "BC-VV-B1K2",
        "BC-VP-P2K1",
        "VC-K1006",
    }
    cards = graph[graph.index('class="graph-grid"') :]
    assert "AV-NL-3F" in cards and "BC-VV-B1K1" not in cards
    assert 'role="group"' in drawing  # its boxes are links: not an image


def test_the_page_offers_a_pdf_and_a_print_stylesheet(seeded: FlaskClient, ruben: str) -> None:
    html = _page(seeded, ruben)
    assert f"/leerlingen/{ruben}/pad.pdf?kwalificatie=BAZ" in html
    assert "Afdrukken / PDF" in html
    assert re.search(r'<link rel="stylesheet" href="/static/print.css" media="print">', html)
    with seeded.get("/static/print.css") as response:
        css = response.get_data(as_text=True)
    assert "@page" in css and "header.site" in css


def test_the_pdf_is_made_on_the_server_for_who_may_see_the_page(
    seeded_app: Flask, seeded: FlaskClient, ruben: str
) -> None:
    response = seeded.get(f"/leerlingen/{ruben}/pad.pdf?op={ON}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert "inline" in response.headers["Content-Disposition"]

    lotte = learner_id(seeded, "DEMO-L5")
    other_learner = signed_in_client(seeded_app, "learner", learner=lotte)
    assert other_learner.get(f"/leerlingen/{ruben}/pad.pdf").status_code == 404
    assert seeded_app.test_client().get(f"/leerlingen/{ruben}/pad.pdf").status_code in (302, 303)


def test_without_pdf_support_the_pdf_address_says_to_print_from_the_browser(
    seeded: FlaskClient, ruben: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unavailable(*args: object, **kwargs: object) -> bytes:
        raise PdfUnavailable("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr("app.web.learner_pages.html_to_pdf", unavailable)
    response = seeded.get(f"/leerlingen/{ruben}/pad.pdf")
    assert response.status_code == 503
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert "Ctrl+P" in body and "Opslaan als PDF" in body
    assert "libpango" not in body
