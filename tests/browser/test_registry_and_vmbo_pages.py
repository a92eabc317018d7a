"""Registry and vmbo pages in a real browser (Debian's chromium via Playwright), live server.

Each test saves screenshots under test-artifacts/ (desktop and phone width) for a human to look at.
Reading the registry and the matrix is public; editing signs in first, through the /login form:
units as MBO-ZW's school-admin, mappings as the vmbo-teacher of VMBO-ZW-WLC.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}


def phone_screenshot(page: Any, name: str) -> None:
    page.set_viewport_size(PHONE)
    screenshot(page, f"{name}-telefoon")
    page.set_viewport_size({"width": 1200, "height": 900})


def test_registry_search_unit_and_qualification_pages(page: Any, live_url: str) -> None:
    page.goto(f"{live_url}/registry")
    assert page.locator("html").get_attribute("lang") == "nl"
    page.get_by_label("Zoek op code of naam").fill("VV-B1")
    page.get_by_role("button", name="Zoeken").click()
    page.wait_for_url("**q=VV-B1**")
    assert page.locator("table.units tbody tr").count() == 3
    screenshot(page, "registry-zoeken")
    phone_screenshot(page, "registry-zoeken")

    page.get_by_role("link", name="BC-VV-B1K1 Biedt zorg, ondersteuning en begeleiding").click()
    page.wait_for_url("**/registry/units/BC-VV-B1K1")
    graph = page.locator("svg.graph-svg")
    assert graph.is_visible()
    assert {"BC-VV-B1K1", "BC-VP-P2K1", "VC-K1006"} <= set(
        graph.locator("text.code").all_text_contents()
    )
    screenshot(page, "registry-eenheid")
    phone_screenshot(page, "registry-eenheid")

    page.goto(f"{live_url}/registry/qualifications/Q-VP")
    codes = set(page.locator("svg.graph-svg text.code").all_text_contents())
    assert {"BC-VV-B1K1", "BC-VP-P2K1"} <= codes
    cards = set(page.locator("ul.graph-grid .code").all_text_contents())
    assert {"AV-NL-3F", "VC-K0210"} <= cards  # units without a prerequisite link
    assert "VC: keuzedeel" in page.locator(".legend").inner_text()
    screenshot(page, "registry-kwalificatie")
    phone_screenshot(page, "registry-kwalificatie")


def test_unit_form_shows_a_validation_error_next_to_the_field(page: Any, live_url: str) -> None:
    log_in(page, live_url, "school-admin")
    page.goto(f"{live_url}/registry/units/nieuw")
    page.get_by_label("Code", exact=True).first.fill("BC-NIEUW-1")
    page.get_by_label("Titel", exact=True).first.fill("Nieuwe eenheid")
    page.get_by_label("Studielast in uren").fill("0")
    page.locator("#outcomes-0-code").fill("NIEUW:1")
    page.locator("#outcomes-0-title").fill("Een leerresultaat")
    page.get_by_role("button", name="Leereenheid aanmaken").click()
    error = page.locator("#study_load_hours-fout")
    error.wait_for()
    assert "1 tot en met 20000" in error.inner_text()
    assert page.locator("#study_load_hours").input_value() == "0"
    assert page.locator("#study_load_hours").get_attribute("aria-invalid") == "true"
    assert page.locator("#outcomes-0-title").input_value() == "Een leerresultaat"
    page.get_by_role(
        "link", name="Studielast in uren: Vul een getal van 1 tot en met 20000 in."
    ).click()
    assert page.evaluate("document.activeElement.id") == "study_load_hours"
    screenshot(page, "registry-eenheid-fout")
    phone_screenshot(page, "registry-eenheid-fout")

    page.locator("#study_load_hours").fill("80")
    page.get_by_role("button", name="Leereenheid aanmaken").click()
    page.wait_for_url("**/registry/units/BC-NIEUW-1")
    assert "aangemaakt" in page.locator(".flashed").inner_text()


def test_adding_a_prerequisite_that_makes_a_cycle_shows_the_path(page: Any, live_url: str) -> None:
    log_in(page, live_url, "school-admin")
    page.goto(f"{live_url}/registry/units/BC-VV-B1K1/bewerken")
    page.get_by_label("Vereiste toevoegen (code)").fill("BC-VP-P2K1")
    page.get_by_role("button", name="Toevoegen").click()
    cycle = page.locator("p.cycle")
    cycle.wait_for()
    assert " ".join(cycle.inner_text().split()) == "BC-VV-B1K1 → BC-VP-P2K1 → BC-VV-B1K1"
    assert "kringloop" in page.locator("#requires-fout").inner_text()
    page.locator("#vereisten").scroll_into_view_if_needed()
    screenshot(page, "registry-kringloop")


def test_the_matrix_shows_the_seeded_mappings(page: Any, live_url: str) -> None:
    page.goto(f"{live_url}/vmbo/VMBO-ZW-WLC")
    link = page.locator('td a[href="#koppeling-VA-1-HZW:P-K1-W1"]')
    assert "volledig" in (link.text_content() or "")
    assert "gevalideerd door docent vmbo" in (link.get_attribute("title") or "")
    assert "deels" in (
        page.locator('td a[href="#koppeling-VA-1-MZ:B1-K1-W2"]').text_content() or ""
    )
    line = page.locator('[id="koppeling-VA-1-HZW:P-K1-W1"]').inner_text()
    assert "versie 1" in line and "1 juni 2025" in line
    screenshot(page, "vmbo-matrix")
    phone_screenshot(page, "vmbo-matrix")


def test_adding_a_mapping_changes_the_overlap_report(page: Any, live_url: str) -> None:
    log_in(page, live_url, "vmbo-teacher")
    page.goto(f"{live_url}/vmbo/VMBO-ZW-WLC")
    page.get_by_label("Kwalificatie", exact=True).select_option("Q-HZW")
    page.get_by_role("button", name="Toon").click()
    page.wait_for_url("**kwalificatie=Q-HZW**")
    row = page.locator('[id="overlap-BC-DV-B1K1"]')
    assert "160 van 400 uur" in row.inner_text() and "40%" in row.inner_text()

    page.get_by_label("Opdracht", exact=True).select_option("VA-6")
    page.get_by_label("Leerresultaat (mbo)").fill("DV:B1-K1-W4")
    page.locator("#coverage-full").check()
    page.get_by_label("Gevalideerd door").fill("docent vmbo Z&W en docent mbo Dienstverlening")
    page.get_by_role("button", name="Koppeling opslaan").click()
    page.wait_for_url("**#matrix")
    assert "VA-6 → DV:B1-K1-W4 (versie 1)" in page.locator(".flashed").inner_text()
    row = page.locator('[id="overlap-BC-DV-B1K1"]')
    assert "240 van 400 uur" in row.inner_text() and "60%" in row.inner_text()
    cell = page.locator('td a[href="#koppeling-VA-6-DV:B1-K1-W4"]')
    assert "volledig" in (cell.text_content() or "")
    screenshot(page, "vmbo-overlap")
    phone_screenshot(page, "vmbo-overlap")
