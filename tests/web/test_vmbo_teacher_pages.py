"""vmbo-teacher pages through the Flask test client: programmes and assignments added and edited,
a refused mapping shown on its own form page, ending a mapping after a confirmation, the matrix
heads with the outcome titles; a vmbo-teacher acts only on their own programme.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import SignedInClient, signed_in_client
from tests.web.test_pages import assert_dutch_page, assert_inputs_labelled, text
from tests.web.test_registry_pages import error_at
from tests.web.test_school_admin_pages import flash_after, summary_links

PAGE = "/vmbo/VMBO-ZW-WLC"
ASSIGNMENT = {
    "code": "VA-NIEUW",
    "title": "Een dag meelopen in de thuiszorg",
    "module": "P/ZW/1",
    "description": "",
    "keuzevakken": "Zorg en welzijn\nEHBO",
}


@pytest.fixture
def teacher(seeded_app: Flask) -> SignedInClient:
    return signed_in_client(seeded_app, "vmbo-teacher", programme="VMBO-ZW-WLC")


@pytest.fixture
def other_teacher(seeded: FlaskClient, seeded_app: Flask) -> SignedInClient:
    """The teacher of a second programme of the same school."""
    programme = {
        "code": "VMBO-ZW-ANDER",
        "title": "Ander programma",
        "institution": "VMBO-ZW",
        "profile": "Zorg en welzijn",
    }
    assert seeded.post("/api/vmbo/programmes", json=programme).status_code == 201
    return signed_in_client(seeded_app, "vmbo-teacher", programme="VMBO-ZW-ANDER")


def module_of_programme(client: FlaskClient) -> str:
    modules = client.get("/api/vmbo/programmes/VMBO-ZW-WLC").get_json()["modules"]
    return str(modules[0]["code"])


# --- assignments ----------------------------------------------------------------------------------


def test_a_teacher_adds_and_edits_an_assignment(teacher: FlaskClient) -> None:
    body = assert_dutch_page(teacher.get(f"{PAGE}/opdrachten/nieuw"))
    assert_inputs_labelled(body)
    data = {**ASSIGNMENT, "module": module_of_programme(teacher)}
    response = teacher.post(f"{PAGE}/opdrachten/nieuw", data=data)
    assert response.headers["Location"].endswith(f"{PAGE}#validaties")
    assert flash_after(teacher, response) == "Opdracht VA-NIEUW is toegevoegd."
    matrix = text(teacher.get(PAGE))
    assert 'href="/vmbo/VMBO-ZW-WLC/opdrachten/VA-NIEUW/bewerken"' in matrix

    body = assert_dutch_page(teacher.get(f"{PAGE}/opdrachten/VA-NIEUW/bewerken"))
    assert "Zorg en welzijn\nEHBO</textarea>" in body
    changed = {**data, "title": "Twee dagen meelopen", "keuzevakken": "EHBO"}
    response = teacher.post(f"{PAGE}/opdrachten/VA-NIEUW/bewerken", data=changed)
    assert flash_after(teacher, response) == "Opdracht VA-NIEUW is opgeslagen."
    stored = teacher.get("/api/vmbo/assignments/VA-NIEUW").get_json()
    assert stored["title"] == "Twee dagen meelopen" and stored["keuzevakken"] == ["EHBO"]


def test_a_refused_assignment_shows_the_summary_first(teacher: FlaskClient) -> None:
    data = {**ASSIGNMENT, "title": "", "module": "geen code"}
    body = assert_dutch_page(teacher.post(f"{PAGE}/opdrachten/nieuw", data=data), 422)
    assert summary_links(body) == ["title", "module"]
    assert "Vul dit veld in" in error_at(body, "title")
    assert 'value="VA-NIEUW"' in body
    duplicate = {**ASSIGNMENT, "code": "VA-1", "module": module_of_programme(teacher)}
    body = assert_dutch_page(teacher.post(f"{PAGE}/opdrachten/nieuw", data=duplicate), 409)
    assert summary_links(body) == ["code"]


def test_a_teacher_works_only_in_their_own_programme(
    teacher: FlaskClient, other_teacher: FlaskClient
) -> None:
    data = {**ASSIGNMENT, "module": module_of_programme(teacher)}
    body = assert_dutch_page(other_teacher.post(f"{PAGE}/opdrachten/nieuw", data=data), 403)
    assert "niet wijzigen" in body[body.index('id="foutmeldingen"') :]
    assert teacher.get("/api/vmbo/assignments/VA-NIEUW").status_code == 404
    edit = {**data, "code": "VA-1", "title": "Gekaapt"}
    assert_dutch_page(other_teacher.post(f"{PAGE}/opdrachten/VA-1/bewerken", data=edit), 403)
    # an assignment addressed through another programme does not exist there
    assert_dutch_page(teacher.get("/vmbo/VMBO-ZW-ANDER/opdrachten/VA-1/bewerken"), 404)
    mapping = {
        "assignment": "VA-1",
        "outcome": "HZW:P-K1-W1",
        "coverage": "partial",
        "validated_by": "docent",
    }
    assert_dutch_page(other_teacher.post(f"{PAGE}/koppelingen", data=mapping), 403)


# --- programmes -----------------------------------------------------------------------------------


def test_programmes_are_added_by_the_school_and_edited_by_their_teacher(
    seeded: FlaskClient, teacher: FlaskClient
) -> None:
    assert_inputs_labelled(assert_dutch_page(seeded.get("/vmbo/programmas/nieuw")))
    data = {
        "code": "VMBO-ZW-NIEUW",
        "title": "Nieuw programma",
        "institution": "VMBO-ZW",
        "profile": "Zorg en welzijn",
        "modules-0-code": "P/ZW/1",
        "modules-0-name": "Mens en gezondheid",
    }
    response = seeded.post("/vmbo/programmas/nieuw", data=data)
    assert flash_after(seeded, response) == "Programma VMBO-ZW-NIEUW is aangemaakt."
    refused = teacher.post("/vmbo/programmas/nieuw", data={**data, "code": "VMBO-ZW-MIJN"})
    assert_dutch_page(refused, 403)
    body = assert_dutch_page(seeded.post("/vmbo/programmas/nieuw", data=data), 409)
    assert summary_links(body) == ["code"]

    body = assert_dutch_page(teacher.get(f"{PAGE}/bewerken"))
    assert_inputs_labelled(body)
    stored = teacher.get("/api/vmbo/programmes/VMBO-ZW-WLC").get_json()
    form = {"title": "Zorg en welzijn (nieuw)", "profile": stored["profile"]}
    for index, module in enumerate(stored["modules"]):
        form[f"modules-{index}-code"] = module["code"]
        form[f"modules-{index}-name"] = module["name"]
    response = teacher.post(f"{PAGE}/bewerken", data=form)
    assert flash_after(teacher, response) == "Programma VMBO-ZW-WLC is opgeslagen."
    after = teacher.get("/api/vmbo/programmes/VMBO-ZW-WLC").get_json()
    assert after["title"] == "Zorg en welzijn (nieuw)" and after["modules"] == stored["modules"]
    bad = {**form, "modules-0-code": "geen code"}
    body = assert_dutch_page(teacher.post(f"{PAGE}/bewerken", data=bad), 422)
    assert summary_links(body) == ["modules-0-code"]


# --- mappings -------------------------------------------------------------------------------------


def test_an_empty_mapping_is_refused_on_its_own_page_with_the_summary_first(
    teacher: FlaskClient,
) -> None:
    body = assert_dutch_page(teacher.post(f"{PAGE}/koppelingen", data={}), 422)
    assert "<h1>Koppeling toevoegen of wijzigen</h1>" in body
    assert summary_links(body) == ["assignment", "outcome", "coverage", "validated_by"]
    assert 'id="matrix"' not in body  # the form page, not the 3,000-pixel matrix page
    prefilled = assert_dutch_page(
        teacher.get(f"{PAGE}/koppelingen?opdracht=VA-1&leerresultaat=MZ:B1-K1-W2")
    )
    assert '<option value="VA-1" selected>' in prefilled
    assert 'value="partial" id="coverage-partial" checked' in prefilled


def test_ending_a_mapping_asks_first_and_says_what_happens(teacher: FlaskClient) -> None:
    matrix = text(teacher.get(PAGE))
    link = "/vmbo/VMBO-ZW-WLC/koppelingen/beeindigen?opdracht=VA-1&amp;leerresultaat=HZW:P-K1-W1"
    assert link in matrix
    assert 'action="/vmbo/VMBO-ZW-WLC/koppelingen/beeindigen"' not in matrix  # no one-click end
    body = assert_dutch_page(teacher.get(link.replace("&amp;", "&")))
    assert "Koppeling VA-1 → HZW:P-K1-W1 beëindigen" in body
    assert "versie 1, volledig, gevalideerd door docent vmbo" in body
    assert 'name="assignment" value="VA-1"' in body and 'name="outcome" value="HZW:P-K1-W1"' in body
    response = teacher.post(
        f"{PAGE}/koppelingen/beeindigen", data={"assignment": "VA-1", "outcome": "HZW:P-K1-W1"}
    )
    assert flash_after(teacher, response) == "Koppeling beëindigd: VA-1 → HZW:P-K1-W1."
    assert_dutch_page(teacher.get(link.replace("&amp;", "&")), 404)


def test_the_matrix_heads_carry_the_outcome_titles(seeded: FlaskClient) -> None:
    body = assert_dutch_page(seeded.get(f"{PAGE}?kwalificatie=Q-HZW"))
    heads = re.findall(r'<th scope="col" class="outcome-head">(.*?)</th>', body, re.S)
    assert heads
    for head in heads:
        code = re.search(r'href="#lr-([^"]+)"', head)
        assert code, head
        hidden = re.search(r'<span class="visually-hidden">([^<]+)</span>', head)
        assert hidden and hidden.group(1).startswith(f"{code.group(1)}: ")
        assert len(hidden.group(1)) > len(code.group(1)) + 5  # a real title
        assert f'<li id="lr-{code.group(1)}">' in body  # and in the list under the table
