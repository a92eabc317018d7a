"""The pages for people through the Flask test client: Dutch, labelled, correct, no crashes."""

from __future__ import annotations

import copy
import io
import json
import re
from typing import Any

from flask.testing import FlaskClient

from tests.helpers import ON, credential_id, issue, learner_id, signed_in_client

HTML = "text/html"


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def assert_dutch_page(response: Any, status: int = 200) -> str:
    assert response.status_code == status, text(response)[:500]
    assert response.mimetype == HTML
    body = text(response)
    assert '<html lang="nl">' in body
    assert 'name="viewport"' in body
    return body


def assert_inputs_labelled(body: str) -> None:
    """Every visible input and textarea has a <label for=...>."""
    fields = re.findall(
        r'<(?:input|textarea)\b(?![^>]*type="(?:hidden|submit)")[^>]*\bid="([^"]+)"', body
    )
    assert fields, "no fields found"
    for field in fields:
        assert f'<label for="{field}"' in body, field
    unlabelled = re.findall(
        r'<(?:input|textarea)\b(?![^>]*type="hidden")(?![^>]*\bid=)[^>]*>', body
    )
    assert not unlabelled, unlabelled


def finish_date(body: str) -> str:
    match = re.search(r"Verwacht klaar op <strong>([^<]+)</strong>", body)
    assert match, "no expected finish"
    return match.group(1)


# --- start page ----------------------------------------------------------------------------------


def test_start_page_links_to_the_pages_and_the_api_docs(seeded: FlaskClient) -> None:
    body = assert_dutch_page(seeded.get("/"))
    assert 'href="/verifieren"' in body and 'href="/api/docs"' in body
    assert "Mijn leerpad" in body
    assert_inputs_labelled(body)
    assert 'href="/static/leerlijn.css"' in body
    with seeded.get("/static/leerlijn.css") as stylesheet:
        assert stylesheet.status_code == 200 and stylesheet.mimetype == "text/css"


def test_the_start_form_finds_a_learner_by_student_number(seeded: FlaskClient, l5: str) -> None:
    response = seeded.get("/leerlingen?id=DEMO-L5")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/leerlingen/{l5}"
    )
    assert_dutch_page(seeded.get("/leerlingen?id=NIEMAND"), 404)


# --- Mijn leerpad --------------------------------------------------------------------------------


def test_path_page_shows_progress_graph_remaining_plan_and_other_diplomas(
    seeded: FlaskClient, l5: str
) -> None:
    body = assert_dutch_page(seeded.get(f"/leerlingen/{l5}?op={ON}"))
    assert "Lotte" in body and "Mbo-Verpleegkundige" in body
    assert 'role="progressbar"' in body and "2.947 uur" in body and "1.373 uur" in body
    figure = body[body.index("<figure") : body.index("</figure>")]
    svg = figure[: figure.index("</svg>")]  # units linked by a prerequisite
    for code in ("BC-VV-B1K1", "BC-VP-P2K1"):
        assert f">{code}</text>" in svg
    cards = figure[figure.index('class="graph-grid"') :]  # units without one
    for code in ("AV-NL-3F", "VC-K0210"):
        assert f'<span class="code">{code}</span>' in cards
    assert "behaald" in svg and "deels behaald" in svg and "nog te doen" in cards
    legend = body[body.index('class="legend"') :]
    for label in ("behaald", "deels behaald", "nog te doen", "geblokkeerd", "niet gekozen"):
        assert f"</span> {label}</li>" in legend
    remaining = re.findall(r'<li id="eenheid-([^"]+)"', body)
    assert remaining == ["BC-VP-P2K1", "AV-EN-B1A2", "AV-NL-3F", "AV-REK-3F", "VC-K0210"]
    assert "moet je nog 2 van de 3 leerresultaten behalen" in body
    assert finish_date(body) == "26 december 2026"
    assert "Verzorgende-IG" in body and "alles behaald" in body
    assert_inputs_labelled(body)


def test_hours_per_week_changes_the_expected_finish(seeded: FlaskClient, l5: str) -> None:
    slow = finish_date(text(seeded.get(f"/leerlingen/{l5}?op={ON}&uren=10")))
    fast = finish_date(text(seeded.get(f"/leerlingen/{l5}?op={ON}&uren=40")))
    assert slow != fast
    body = text(seeded.get(f"/leerlingen/{l5}?op={ON}&uren=40"))
    assert 'name="uren" type="number"' in body and 'value="40"' in body
    assert 'method="get"' in body


def test_bad_parameters_give_a_dutch_400_page(seeded: FlaskClient, l5: str) -> None:
    assert "heel getal" in assert_dutch_page(seeded.get(f"/leerlingen/{l5}?uren=veel"), 400)
    assert "heel getal" in assert_dutch_page(seeded.get(f"/leerlingen/{l5}?uren=0"), 400)
    assert "geen geldige datum" in assert_dutch_page(
        seeded.get(f"/leerlingen/{l5}?op=gisteren"), 400
    )
    assert_dutch_page(seeded.get(f"/leerlingen/{l5}?kwalificatie=NOPE"), 404)


def test_other_qualification_and_the_choice_without_enrolment(seeded: FlaskClient, l5: str) -> None:
    body = assert_dutch_page(seeded.get(f"/leerlingen/{l5}?kwalificatie=Q-HZW&op={ON}"))
    assert "op weg naar Helpende Zorg en Welzijn" in body
    created = seeded.post(
        "/api/learners", json={"name": "Nieuw", "institution": "MBO-ZW"}
    ).get_json()
    body = assert_dutch_page(seeded.get(f"/leerlingen/{created['id']}"))
    assert "Voor welke kwalificatie" in body and "Mbo-Verpleegkundige" in body


def test_path_page_lists_the_learners_credentials_with_a_download(
    seeded: FlaskClient, l5: str
) -> None:
    document = issue(seeded, l5)
    body = text(seeded.get(f"/leerlingen/{l5}?op={ON}"))
    assert f'href="/credentials/{credential_id(document)}"' in body
    assert f'href="/credentials/{credential_id(document)}.json" download' in body


def test_unknown_learner_is_a_dutch_404_page(seeded: FlaskClient) -> None:
    body = assert_dutch_page(seeded.get("/leerlingen/ln-niemand"), 404)
    assert "Pagina niet gevonden" in body


# --- verification --------------------------------------------------------------------------------


def test_verification_form_has_a_labelled_textarea_and_file_upload(seeded: FlaskClient) -> None:
    body = assert_dutch_page(seeded.get("/verifieren"))
    assert '<textarea id="credential" name="credential"' in body
    assert 'type="file"' in body and 'enctype="multipart/form-data"' in body
    assert_inputs_labelled(body)


def test_a_valid_credential_is_geldig_and_explained(
    seeded: FlaskClient, issued: dict[str, Any]
) -> None:
    body = assert_dutch_page(seeded.post("/verifieren", data={"credential": json.dumps(issued)}))
    assert "<strong>geldig</strong>" in body and "niet geldig" not in body
    for label in ("Context", "Handtekening", "Uitgever", "Geldigheid", "Schema"):
        assert f'<strong>{label}</strong>: <span class="check-result">in orde</span>' in body
    assert (
        "Lotte" in body
        and "BC-VV-B1K1" in body
        and "Biedt zorg, ondersteuning en begeleiding" in body
    )
    assert "NLQF 3" in body and "EQF 3" in body and "1.200 uur" in body
    assert "VV:B1-K1-W1" in body and "ROC Zorg &amp; Welzijn" in body
    assert (
        "Verzorgende-IG" in body and "Mbo-Verpleegkundige" in body and "verplicht onderdeel" in body
    )


def test_a_tampered_credential_is_niet_geldig_with_the_reason(
    seeded: FlaskClient, issued: dict[str, Any]
) -> None:
    tampered = copy.deepcopy(issued)
    tampered["credentialSubject"]["achievement"]["name"] = "Hersenchirurgie"
    body = assert_dutch_page(seeded.post("/verifieren", data={"credential": json.dumps(tampered)}))
    assert "<strong>niet geldig</strong>" in body
    assert '<strong>Handtekening</strong>: <span class="check-result">niet in orde</span>' in body
    assert "Reden:" in body


def test_an_uploaded_file_is_verified(seeded: FlaskClient, issued: dict[str, Any]) -> None:
    upload = (io.BytesIO(json.dumps(issued).encode()), "credential.json")
    response = seeded.post(
        "/verifieren", data={"bestand": upload}, content_type="multipart/form-data"
    )
    assert "<strong>geldig</strong>" in assert_dutch_page(response)


def test_invalid_json_is_a_friendly_dutch_400_on_the_same_page(seeded: FlaskClient) -> None:
    body = assert_dutch_page(seeded.post("/verifieren", data={"credential": "{niet: json"}), 400)
    assert "geen geldige JSON" in body and 'role="alert"' in body
    assert "{niet: json</textarea>" in body
    assert "Plak de inhoud" in assert_dutch_page(
        seeded.post("/verifieren", data={"credential": "  "}), 400
    )
    assert "JSON-object" in assert_dutch_page(
        seeded.post("/verifieren", data={"credential": "[1, 2]"}), 400
    )
    deep = "[" * 5000 + "]" * 5000
    assert "geen geldige JSON" in assert_dutch_page(
        seeded.post("/verifieren", data={"credential": deep}), 400
    )
    upload = (io.BytesIO(b"\xff\xfe{"), "kapot.json")
    response = seeded.post(
        "/verifieren", data={"bestand": upload}, content_type="multipart/form-data"
    )
    assert "geen geldige JSON" in assert_dutch_page(response, 400)


def test_a_foreign_document_is_niet_geldig_without_crashing(seeded: FlaskClient) -> None:
    body = assert_dutch_page(
        seeded.post("/verifieren", data={"credential": '{"name": "Diploma", "issuer": 5}'})
    )
    assert "<strong>niet geldig</strong>" in body


# --- the public credential page --------------------------------------------------------------


def test_credential_page_shows_verdict_meaning_and_a_qr_code(
    seeded: FlaskClient, issued: dict[str, Any]
) -> None:
    identifier = credential_id(issued)
    body = assert_dutch_page(seeded.get(f"/credentials/{identifier}"))
    assert "<strong>geldig</strong>" in body
    qr = body[body.index('<svg role="img" aria-label="QR') :]
    assert "<title>QR-code" in qr[: qr.index("</svg>")]
    assert f"http://127.0.0.1:8000/credentials/{identifier}" in body
    assert f'href="http://127.0.0.1:8000/credentials/{identifier}.json"' in body


def test_credential_json_download(seeded: FlaskClient, issued: dict[str, Any]) -> None:
    identifier = credential_id(issued)
    for url in (f"/credentials/{identifier}.json", f"/credentials/{identifier}?formaat=json"):
        response = seeded.get(url)
        assert response.status_code == 200
        assert response.mimetype == "application/vc+ld+json"
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert json.loads(response.data) == issued


def test_credential_page_gives_json_to_programs_that_ask(
    seeded: FlaskClient, issued: dict[str, Any]
) -> None:
    response = seeded.get(
        f"/credentials/{credential_id(issued)}", headers={"Accept": "application/vc+ld+json"}
    )
    assert response.mimetype == "application/vc+ld+json" and json.loads(response.data) == issued


def test_unknown_credential_and_unknown_paths_are_dutch_404_pages(seeded: FlaskClient) -> None:
    for url in ("/credentials/bestaat-niet", "/credentials/bestaat-niet.json", "/bestaat-niet"):
        body = assert_dutch_page(seeded.get(url, headers={"Accept": "text/html"}), 404)
        assert "Pagina niet gevonden" in body


def test_the_api_keeps_its_problem_documents(seeded: FlaskClient) -> None:
    response = seeded.get("/api/no-such-route", headers={"Accept": "text/html"})
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert seeded.get("/api/learners/ln-niemand/path").mimetype == "application/problem+json"


def test_demo_learners_all_render(seeded: FlaskClient) -> None:
    for external in ("DEMO-L1", "DEMO-L5", "DEMO-L9"):
        response = seeded.get(f"/leerlingen/{learner_id(seeded, external)}?op={ON}")
        assert response.status_code == 200, external


# --- signing in (header) -------------------------------------------------------------------------


def test_the_header_offers_inloggen_or_shows_who_is_signed_in_with_a_logout_form(
    app: Any, seeded: FlaskClient, l5: str
) -> None:
    anonymous = app.test_client()
    body = assert_dutch_page(anonymous.get("/registry?q=zorg"))
    assert 'href="/login?next=/registry?q%3Dzorg">Inloggen</a>' in body
    assert 'action="/logout"' not in body
    assert 'href="/login">Inloggen</a>' in assert_dutch_page(anonymous.get("/login"))

    body = assert_dutch_page(seeded.get("/registry"))
    assert ">Inloggen</a>" not in body
    assert 'test <span class="role">(beheerder)</span>' in body
    assert re.search(
        r'<form method="post" action="/logout" class="logout">\s*<input type="hidden" '
        r'name="csrf_token" value="[^"]+">',
        body,
    )

    learner = signed_in_client(app, "learner", learner=l5)
    body = assert_dutch_page(learner.get("/"))
    assert 'href="/mijn-leerpad">Mijn leerpad</a>' in body and "(leerling, MBO-ZW)" in body
    assert learner.post("/logout").status_code == 303
    assert ">Inloggen</a>" in assert_dutch_page(learner.get("/"))
    assert learner.get(f"/leerlingen/{l5}").headers["Location"].startswith("/login?next=")
