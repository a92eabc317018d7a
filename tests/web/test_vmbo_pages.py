"""vmbo mapping pages through the Flask test client: matrix, mapping form, overlap report."""

from __future__ import annotations

import datetime as dt
import re

from flask.testing import FlaskClient

from tests.web.test_pages import assert_dutch_page, assert_inputs_labelled, text
from tests.web.test_registry_pages import error_at

PAGE = "/vmbo/VMBO-ZW-WLC"
MAPPING = {
    "assignment": "VA-6",
    "outcome": "DV:B1-K1-W4",
    "coverage": "full",
    "note": "",
    "validated_by": "docent vmbo en docent mbo",
    "validated_on": "2025-06-15",
    "kwalificatie": "Q-HZW",
}


def cell(body: str, assignment: str, outcome: str) -> str:
    """The text of the matrix cell at row `assignment`, column `outcome`."""
    table = body[body.index('<table class="matrix">') : body.index("</table>")]
    columns = re.findall(r'<th scope="col" class="outcome-head"><a href="#lr-([^"]+)"', table)
    row = re.search(
        rf'<tr>\s*<th scope="row"><span class="code">{re.escape(assignment)}</span>.*?</tr>',
        table,
        re.S,
    )
    assert row, assignment
    cells = re.findall(r'<td class="cov[^"]*" data-coverage="(\w+)">', row.group(0))
    return {"full": "volledig", "partial": "deels", "none": "geen"}[cells[columns.index(outcome)]]


def overlap_row(body: str, unit: str) -> str:
    match = re.search(rf'<tr id="overlap-{re.escape(unit)}">(.*?)</tr>', body, re.S)
    assert match, unit
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def test_vmbo_index_links_the_programmes(seeded: FlaskClient) -> None:
    body = assert_dutch_page(seeded.get("/vmbo"))
    assert f'href="{PAGE}"' in body and "kwalificatie=Q-HZW" in body
    assert 'href="/vmbo"' in assert_dutch_page(seeded.get("/"))  # in the main navigation


def test_the_matrix_shows_the_seeded_mappings_with_who_validated_them(seeded: FlaskClient) -> None:
    body = assert_dutch_page(seeded.get(PAGE))
    assert '<th scope="colgroup"' in body and '<th scope="col" class="outcome-head">' in body
    assert '<th scope="row"><span class="code">VA-1</span>' in body
    assert cell(body, "VA-1", "HZW:P-K1-W1") == "volledig"
    assert cell(body, "VA-1", "MZ:B1-K1-W2") == "deels"
    assert cell(body, "VA-2", "HZW:P-K1-W1") == "geen"
    assert (
        'title="volledig · versie 1 · gevalideerd door docent vmbo Z&amp;W en '
        'docent mbo Zorg &amp; Welzijn op 1 juni 2025"' in body
    )
    line = body[body.index('id="koppeling-VA-1-HZW:P-K1-W1"') :].split("</li>")[0]
    assert (
        "versie 1" in line
        and "gevalideerd door docent vmbo Z&amp;W" in line
        and "1 juni 2025" in line
    )
    # without a qualification only mapped outcomes are columns
    assert "HZW:P-K1-W4" not in body[body.index('<table class="matrix">') : body.index("</table>")]
    assert "Kies hierboven een kwalificatie" in body
    assert_inputs_labelled(body)


def test_a_qualification_adds_its_outcomes_and_the_overlap_report(seeded: FlaskClient) -> None:
    body = assert_dutch_page(seeded.get(f"{PAGE}?kwalificatie=Q-HZW"))
    assert cell(body, "VA-1", "HZW:P-K1-W4") == "geen"
    assert cell(body, "VA-6", "DV:B1-K1-W4") == "geen"
    assert '<option value="Q-HZW" selected>' in body
    row = overlap_row(body, "BC-DV-B1K1")
    assert row.startswith("BC-DV-B1K1") and "2 1 2 160 van 400 uur" in row and "40%" in row
    assert "75%" in overlap_row(body, "BC-HZW-PK1")
    assert "keuze" in overlap_row(body, "VC-DEMO-01")
    totals = body[body.index("<tfoot>") : body.index("</tfoot>")]
    assert "Totaal" in totals and "uur" in totals
    assert_dutch_page(seeded.get(f"{PAGE}?kwalificatie=NOPE"), 404)


def test_adding_a_mapping_redirects_and_changes_the_matrix_and_the_overlap(
    seeded: FlaskClient,
) -> None:
    response = seeded.post(f"{PAGE}/koppelingen", data=MAPPING)
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith(f"{PAGE}?kwalificatie=Q-HZW") and location.endswith("#matrix")
    body = assert_dutch_page(seeded.get(location))
    assert "Koppeling opgeslagen: VA-6 → DV:B1-K1-W4 (versie 1)" in body
    assert cell(body, "VA-6", "DV:B1-K1-W4") == "volledig"
    assert "240 van 400 uur" in overlap_row(body, "BC-DV-B1K1")
    api = seeded.get("/api/vmbo/assignments/VA-6/mappings").get_json()["items"]
    assert {
        "outcome": "DV:B1-K1-W4",
        "coverage": "full",
        "version": 1,
        "validated_on": "2025-06-15",
    }.items() <= next(m for m in api if m["outcome"] == "DV:B1-K1-W4").items()


def test_changing_a_mapping_makes_a_new_version(seeded: FlaskClient) -> None:
    body = assert_dutch_page(seeded.get(f"{PAGE}?opdracht=VA-1&leerresultaat=MZ:B1-K1-W2"))
    form = body[body.index('id="koppelen"') :]
    assert '<option value="VA-1" selected>' in form and 'value="MZ:B1-K1-W2"' in form
    assert 'value="partial" id="coverage-partial" checked' in form
    data = {**MAPPING, "assignment": "VA-1", "outcome": "MZ:B1-K1-W2", "kwalificatie": ""}
    response = seeded.post(f"{PAGE}/koppelingen", data=data)
    assert response.status_code == 303
    body = assert_dutch_page(seeded.get(response.headers["Location"]))
    assert "Koppeling opgeslagen: VA-1 → MZ:B1-K1-W2 (versie 2)." in body
    assert cell(body, "VA-1", "MZ:B1-K1-W2") == "volledig"
    history = seeded.get("/api/vmbo/assignments/VA-1/mappings?history=true").get_json()["items"]
    versions = [(m["version"], m["current"]) for m in history if m["outcome"] == "MZ:B1-K1-W2"]
    assert sorted(versions) == [(1, False), (2, True)]


def test_ending_a_mapping(seeded: FlaskClient) -> None:
    response = seeded.post(
        f"{PAGE}/koppelingen/beeindigen", data={"assignment": "VA-1", "outcome": "HZW:P-K1-W1"}
    )
    assert response.status_code == 303
    assert cell(text(seeded.get(f"{PAGE}?kwalificatie=Q-HZW")), "VA-1", "HZW:P-K1-W1") == "geen"
    response = seeded.post(
        f"{PAGE}/koppelingen/beeindigen", data={"assignment": "VA-1", "outcome": "HZW:P-K1-W1"}
    )
    assert_dutch_page(response, 404)


def test_mapping_form_errors_are_422_at_their_fields(seeded: FlaskClient) -> None:
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    data = {**MAPPING, "outcome": "NOPE:1", "validated_on": future}
    body = assert_dutch_page(seeded.post(f"{PAGE}/koppelingen", data=data), 422)
    assert "Er is geen leerresultaat met code ‘NOPE:1’" in error_at(body, "outcome")
    assert "ligt in de toekomst" in error_at(body, "validated_on")
    assert 'value="NOPE:1"' in body and '<option value="VA-6" selected>' in body
    data = {"assignment": "", "outcome": "", "validated_by": "", "validated_on": "morgen"}
    body = assert_dutch_page(seeded.post(f"{PAGE}/koppelingen", data=data), 422)
    assert error_at(body, "assignment") == "Fout: Opdracht: kies een opdracht."
    for name in ("outcome", "coverage", "validated_by"):
        assert "Vul dit veld in" in error_at(body, name), name
    assert "geldige datum" in error_at(body, "validated_on")
    body = assert_dutch_page(
        seeded.post(f"{PAGE}/koppelingen", data={**MAPPING, "assignment": "VA-99"}), 422
    )
    assert "hoort niet bij dit programma" in error_at(body, "assignment")
    assert_dutch_page(seeded.post("/vmbo/NOPE/koppelingen", data=MAPPING), 404)


def test_mapping_writes_are_made_by_the_signed_in_principal(seeded: FlaskClient) -> None:
    header = {"X-Leerlijn-Actor": "docent-jansen"}
    assert seeded.post(f"{PAGE}/koppelingen", data=MAPPING, headers=header).status_code == 303
    audit = seeded.get("/api/audit?entity=vmbo-assignment&id=VA-6").get_json()["items"]
    by_page = [entry for entry in audit if entry["actor"] != "system"]  # the seed's: system
    assert by_page and {entry["actor"] for entry in by_page} == {f"token:{seeded.token_id}"}
    assert {entry["actor"] for entry in audit} == {"system", f"token:{seeded.token_id}"}
