"""Registry pages through the Flask test client: browsing, unit and qualification pages, forms."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.web.test_pages import assert_dutch_page, assert_inputs_labelled, text

NEW_UNIT = {
    "code": "BC-TEST-1",
    "kind": "BC",
    "title": "Testeenheid",
    "study_load_hours": "120",
    "outcomes-0-code": "TEST:1",
    "outcomes-0-title": "Eerste resultaat",
    "outcomes-1-code": "",
    "outcomes-1-title": "",
    "outcomes-2-code": "TEST:2",
    "outcomes-2-title": "Tweede resultaat",
    "outcomes-2-nlqf_level": "3",
}


def form_of(body: str) -> dict[str, str]:
    """The named text inputs of a rendered form with their values (for re-posting)."""
    values = dict(
        re.findall(r'<input id="[^"]+" name="([^"]+)" type="(?:text|date)" value="([^"]*)"', body)
    )
    values.update(re.findall(r'<textarea id="[^"]+" name="([^"]+)"[^>]*>([^<]*)</textarea>', body))
    kind = re.search(r'<option value="(\w+)" selected>', body)
    if kind:
        values["kind"] = kind.group(1)
    return {
        k: v.replace("&amp;", "&").replace("&#39;", "'").replace("&#34;", '"')
        for k, v in values.items()
    }


def error_at(body: str, field: str) -> str:
    match = re.search(rf'<p class="field-error" id="{re.escape(field)}-fout">(.*?)</p>', body, re.S)
    assert match, f"no error at {field}"
    return re.sub(r"<[^>]+>", "", match.group(1))


# --- browsing ------------------------------------------------------------------------------------


def test_registry_lists_and_searches_units_and_qualifications(seeded: FlaskClient) -> None:
    body = assert_dutch_page(seeded.get("/registry"))
    assert (
        'href="/registry/units/BC-VV-B1K1"' in body
        and 'href="/registry/qualifications/Q-VP"' in body
    )
    assert 'Leereenheden <span class="muted">(19)</span>' in body
    assert_inputs_labelled(body)
    body = assert_dutch_page(seeded.get("/registry?q=nederlands"))
    assert "AV-NL-2F" in body and "AV-NL-3F" in body and "BC-VV-B1K1" not in body
    assert 'value="nederlands"' in body
    assert "Geen leereenheden gevonden" in assert_dutch_page(seeded.get("/registry?q=xyzzy"))
    assert 'href="/registry"' in assert_dutch_page(seeded.get("/"))  # in the main navigation


def test_unit_page_shows_outcomes_prerequisites_qualifications_and_graph(
    seeded: FlaskClient,
) -> None:
    body = assert_dutch_page(seeded.get("/registry/units/BC-VV-B1K1"))
    assert "Biedt zorg, ondersteuning en begeleiding" in body
    for code in ("VV:B1-K1-W1", "VV:B1-K1-W6"):
        assert code in body
    requires = body[body.index("Vereist eerst") : body.index("Is nodig voor")]
    assert "Geen: je kunt met deze leereenheid meteen beginnen" in requires
    needed_for = body[body.index("Is nodig voor") : body.index("<figure")]
    assert "BC-VP-P2K1" in needed_for and "VC-K1006" in needed_for
    svg = body[body.index("<svg") : body.index("</svg>")]
    assert {">BC-VV-B1K1</text>", ">BC-VP-P2K1</text>", ">VC-K1006</text>"} <= set(
        re.findall(r">[^<]+</text>", svg)
    )
    assert "BC · deze eenheid" in svg and 'aria-current="page"' in svg
    assert 'href="/registry/units/BC-VP-P2K1"' in svg
    used = body[body.index('id="gebruik-kop"') :]
    assert "Q-VIG" in used and "Q-VP" in used and "Q-HZW" not in used
    legend = body[body.index('class="legend"') :]
    assert "BC: beroepsgericht" in legend and "VC: keuzedeel" in legend

    body = assert_dutch_page(seeded.get("/registry/units/BC-VP-P2K1"))
    requires = body[body.index("Vereist eerst") : body.index("Is nodig voor")]
    assert "BC-VV-B1K1" in requires and "BC-VV-B1K2" in requires


def test_qualification_page_shows_graph_by_kind_electives_epas_and_entry(
    seeded: FlaskClient,
) -> None:
    body = assert_dutch_page(seeded.get("/registry/qualifications/Q-VP"))
    assert "Mbo-Verpleegkundige" in body
    svg = body[body.index("<figure") : body.index("</figure>")]  # drawing and loose cards
    for code in ("BC-VV-B1K1", "BC-VP-P2K1"):
        assert f">{code}</text>" in svg
    for code in ("AV-NL-3F", "VC-K0210"):  # no prerequisite link: a card below the drawing
        assert f'<span class="code">{code}</span>' in svg
    assert "kind-BC" in svg and "kind-AV" in svg and "kind-VC" in svg
    assert "BC · verplicht" in svg and "VC · keuze" in svg
    assert "status-" not in svg and "nog te doen" not in svg  # no learner statuses here
    legend = body[body.index('class="legend"') :]
    for label in (
        "BC: beroepsgericht",
        "AV: generiek",
        "VC: keuzedeel",
        "keuze: een van de keuzedelen",
    ):
        assert label in legend
    electives = body[body.index('id="keuze-kop"') : body.index('id="epa-kop"')]
    assert (
        "minstens <strong>720 uur</strong>" in electives
        and "VC-K0210" in electives
        and "240 uur" in electives
    )

    body = assert_dutch_page(seeded.get("/registry/qualifications/BAZ"))
    epas = body[body.index('id="epa-kop"') : body.index('id="toelating-kop"')]
    assert "BAZ-1" in epas and "niveau 4" in epas
    entry = body[body.index('id="toelating-kop"') :]
    assert 'href="/registry/qualifications/Q-VP"' in entry


def test_unknown_codes_are_dutch_404_pages(seeded: FlaskClient) -> None:
    for url in (
        "/registry/units/NOPE",
        "/registry/units/NOPE/bewerken",
        "/registry/qualifications/NOPE",
    ):
        assert "Pagina niet gevonden" in assert_dutch_page(seeded.get(url), 404)
    assert_dutch_page(seeded.post("/registry/units/NOPE/bewerken", data=NEW_UNIT), 404)
    assert_dutch_page(
        seeded.post("/registry/units/NOPE/vereisten", data={"requires": "AV-LB"}), 404
    )
    assert_dutch_page(seeded.post("/registry/units/AV-LB/vereisten/AV-NL-2F/verwijderen"), 404)


# --- creating and editing units ------------------------------------------------------------------


def test_new_unit_form_is_labelled_and_creating_redirects_303(seeded: FlaskClient) -> None:
    body = assert_dutch_page(seeded.get("/registry/units/nieuw"))
    assert_inputs_labelled(body)
    assert (
        '<select id="kind" name="kind"' in body
        and len(re.findall(r'class="outcome-row[" ]', body)) == 4
    )
    response = seeded.post("/registry/units/nieuw", data=NEW_UNIT)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/registry/units/BC-TEST-1")
    unit = seeded.get("/api/units/BC-TEST-1").get_json()
    assert unit["study_load_hours"] == 120 and unit["institution"] == "MBO-ZW"
    assert [(o["code"], o["nlqf_level"]) for o in unit["outcomes"]] == [
        ("TEST:1", None),
        ("TEST:2", 3),
    ]
    body = assert_dutch_page(seeded.get(response.headers["Location"]))
    assert "Leereenheid BC-TEST-1 is aangemaakt." in body and "Testeenheid" in body


def test_a_study_load_of_0_is_a_422_with_the_error_at_that_field(seeded: FlaskClient) -> None:
    response = seeded.post("/registry/units/nieuw", data={**NEW_UNIT, "study_load_hours": "0"})
    body = assert_dutch_page(response, 422)
    assert error_at(body, "study_load_hours") == "Fout: Vul een getal van 1 tot en met 20000 in."
    assert (
        'id="study_load_hours" name="study_load_hours" type="text" value="0" aria-describedby'
        in body
    )
    assert 'aria-invalid="true"' in body
    assert (
        '<a href="#study_load_hours">'
        "Studielast in uren: Vul een getal van 1 tot en met 20000 in.</a>" in body
    )
    assert 'value="Testeenheid"' in body and 'value="TEST:2"' in body  # what was typed stays
    assert seeded.get("/api/units/BC-TEST-1").status_code == 404
    # the API refuses the same value at the same pointer
    api = seeded.post(
        "/api/units",
        json={
            "code": "BC-X",
            "kind": "BC",
            "title": "X",
            "study_load_hours": 0,
            "outcomes": [{"code": "X:1", "title": "x"}],
        },
    ).get_json()
    assert api["errors"] == [
        {
            "pointer": "/study_load_hours",
            "message": "Must be greater than or equal to 1 and less than or equal to 20000.",
        }
    ]


def test_outcome_errors_land_in_the_right_row(seeded: FlaskClient) -> None:
    data = {
        **NEW_UNIT,
        "outcomes-2-code": "VV:B1-K1-W1",
        "study_load_hours": "veel",
        "outcomes-0-nlqf_level": "9",
    }
    body = assert_dutch_page(seeded.post("/registry/units/nieuw", data=data), 422)
    assert error_at(body, "study_load_hours") == "Fout: Vul een heel getal in."
    assert "1 tot en met 8" in error_at(body, "outcomes-0-nlqf_level")
    # schema errors first; the service's (outcome owned by another unit) once the schema is happy
    body = assert_dutch_page(
        seeded.post("/registry/units/nieuw", data={**NEW_UNIT, "outcomes-2-code": "VV:B1-K1-W1"}),
        409,
    )
    assert "hoort al bij leereenheid ‘BC-VV-B1K1’" in error_at(
        body, "outcomes-2-code"
    )  # payload index 1 → row 2
    body = assert_dutch_page(
        seeded.post("/registry/units/nieuw", data={**NEW_UNIT, "outcomes-2-code": "TEST:1"}), 422
    )
    assert "staat twee keer" in error_at(body, "outcomes-2-code")
    body = assert_dutch_page(
        seeded.post("/registry/units/nieuw", data={**NEW_UNIT, "outcomes-2-title": ""}), 422
    )
    assert error_at(body, "outcomes-2-title") == "Fout: Vul dit veld in."
    empty = {k: v for k, v in NEW_UNIT.items() if not k.startswith("outcomes")}
    body = assert_dutch_page(
        seeded.post("/registry/units/nieuw", data={**empty, "title": "", "code": "met spatie"}), 422
    )
    assert "Vul dit veld in" in error_at(body, "title") and "geen spaties" in error_at(body, "code")
    assert error_at(body, "outcomes")
    assert 'value="met spatie"' in body


def test_a_duplicate_code_is_refused_at_the_code_field(seeded: FlaskClient) -> None:
    body = assert_dutch_page(
        seeded.post("/registry/units/nieuw", data={**NEW_UNIT, "code": "AV-LB"}), 409
    )
    assert "Er bestaat al een leereenheid met code ‘AV-LB’" in error_at(body, "code")


def test_editing_a_unit_keeps_its_outcomes_and_replaces_it(seeded: FlaskClient) -> None:
    body = assert_dutch_page(seeded.get("/registry/units/BC-VV-B1K2/bewerken"))
    assert_inputs_labelled(body)
    data = form_of(body)
    assert data["outcomes-0-code"] == "VV:B1-K2-W1" and data["outcomes-2-code"] == ""
    data.update(
        {
            "title": "Stemt de zorg af (nieuw)",
            "outcomes-2-code": "VV:B1-K2-W9",
            "outcomes-2-title": "Extra",
        }
    )
    response = seeded.post("/registry/units/BC-VV-B1K2/bewerken", data=data)
    assert response.status_code == 303, text(response)[:2000]
    unit = seeded.get("/api/units/BC-VV-B1K2").get_json()
    assert unit["title"] == "Stemt de zorg af (nieuw)"
    assert [o["code"] for o in unit["outcomes"]] == ["VV:B1-K2-W1", "VV:B1-K2-W2", "VV:B1-K2-W9"]
    # emptying a row removes that outcome
    data.update({"outcomes-2-code": "", "outcomes-2-title": ""})
    assert seeded.post("/registry/units/BC-VV-B1K2/bewerken", data=data).status_code == 303
    assert len(seeded.get("/api/units/BC-VV-B1K2").get_json()["outcomes"]) == 2


def test_removing_an_outcome_still_referred_to_is_refused_with_the_references(
    seeded: FlaskClient,
) -> None:
    data = form_of(text(seeded.get("/registry/units/BC-VV-B1K1/bewerken")))
    index = next(k for k, v in data.items() if v == "VV:B1-K1-W3").split("-")[1]
    data.update({f"outcomes-{index}-code": "", f"outcomes-{index}-title": ""})
    body = assert_dutch_page(seeded.post("/registry/units/BC-VV-B1K1/bewerken", data=data), 409)
    assert "Leerresultaat VV:B1-K1-W3 kan niet worden verwijderd" in error_at(body, "outcomes")
    refs = body[body.index('id="verwijzingen"') :]
    assert 'vmbo-koppeling van opdracht <span class="code">VA-1</span>' in refs
    assert len(seeded.get("/api/units/BC-VV-B1K1").get_json()["outcomes"]) == 6


def test_prerequisites_are_added_and_removed_with_post_forms(seeded: FlaskClient) -> None:
    body = assert_dutch_page(seeded.get("/registry/units/BC-VP-P2K1/bewerken"))
    assert 'action="/registry/units/BC-VP-P2K1/vereisten/BC-VV-B1K1/verwijderen"' in body
    response = seeded.post("/registry/units/BC-VP-P2K1/vereisten/BC-VV-B1K2/verwijderen")
    assert response.status_code == 303 and response.headers["Location"].endswith(
        "/registry/units/BC-VP-P2K1/bewerken#vereisten"
    )
    assert seeded.get("/api/units/BC-VP-P2K1/prerequisites").get_json()["requires"] == [
        "BC-VV-B1K1"
    ]
    response = seeded.post("/registry/units/BC-VP-P2K1/vereisten", data={"requires": "BC-VV-B1K3"})
    assert response.status_code == 303
    assert seeded.get("/api/units/BC-VP-P2K1/prerequisites").get_json()["requires"] == [
        "BC-VV-B1K1",
        "BC-VV-B1K3",
    ]


def test_a_prerequisite_cycle_is_shown_with_its_path(seeded: FlaskClient) -> None:
    body = assert_dutch_page(
        seeded.post("/registry/units/BC-VV-B1K1/vereisten", data={"requires": "BC-VP-P2K1"}), 409
    )
    path = re.sub(
        r"<[^>]+>", "", body[body.index('class="cycle"') :].split("</p>")[0].split(">", 1)[1]
    )
    assert path == "BC-VV-B1K1 → BC-VP-P2K1 → BC-VV-B1K1"
    assert "kringloop maken: BC-VV-B1K1 → BC-VP-P2K1 → BC-VV-B1K1" in error_at(body, "requires")
    assert 'value="BC-VP-P2K1"' in body
    assert seeded.get("/api/units/BC-VV-B1K1/prerequisites").get_json()["requires"] == []


def test_prerequisite_input_errors(seeded: FlaskClient) -> None:
    url = "/registry/units/BC-VP-P2K1/vereisten"
    assert "Vul dit veld in" in error_at(
        assert_dutch_page(seeded.post(url, data={"requires": ""}), 422), "requires"
    )
    body = assert_dutch_page(seeded.post(url, data={"requires": "NOPE"}), 422)
    assert "Er is geen leereenheid met code ‘NOPE’" in error_at(body, "requires")
    body = assert_dutch_page(seeded.post(url, data={"requires": "BC-VV-B1K1"}), 409)
    assert "vereist ‘BC-VV-B1K1’ al" in error_at(body, "requires")


def test_page_writes_are_made_by_the_signed_in_principal_whatever_a_header_claims(
    seeded: FlaskClient,
) -> None:
    header = {"X-Leerlijn-Actor": "docent-jansen"}
    assert seeded.post("/registry/units/nieuw", data=NEW_UNIT, headers=header).status_code == 303
    url = "/registry/units/BC-TEST-1/vereisten"
    assert seeded.post(url, data={"requires": "AV-LB"}, headers=header).status_code == 303
    audit = seeded.get("/api/audit?entity=unit&id=BC-TEST-1").get_json()["items"]
    actors = {entry["actor"] for entry in audit}
    assert actors == {f"token:{seeded.token_id}"}, actors
    assert {entry["part"] for entry in audit} >= {None, "outcome", "prerequisite"}
