"""The school-admin's work in a real browser: edit a qualification, see a refused delete.

Sam Schoolbeheer (school-admin of MBO-ZW) signs in through /login, opens "Beheer", edits Q-VIG
(first refused: an unknown unit code, the error summary takes the focus and links to the
field; then saved: 303 and the message on the qualification's page), asks to delete the unit
BC-VV-B1K1 and sees the refusal listing what still refers to it. Every page visited passes the
axe-core check at 1280 and 390 px; screenshots go to test-artifacts/.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.axe import assert_accessible
from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_school_admin_edits_a_qualification_and_sees_a_refused_delete(
    page: Any, live_url: str
) -> None:
    log_in(page, live_url, "school-admin")
    page.get_by_role("link", name="Beheer", exact=True).click()
    page.wait_for_url("**/beheer")
    assert_accessible(page, "schoolbeheer-start")
    screenshot(page, "schoolbeheer-start")

    page.get_by_role("link", name="Q-VIG", exact=False).first.click()
    page.wait_for_url("**/registry/qualifications/Q-VIG/bewerken")
    assert_accessible(page, "schoolbeheer-kwalificatie-formulier")
    units = page.get_by_label("Verplichte leereenheden")
    original = units.input_value()
    units.fill(original + "\nBC-BESTAAT-NIET")
    page.get_by_role("button", name="Wijzigingen opslaan").click()
    summary = page.locator("#foutmeldingen")
    summary.wait_for()
    assert page.url.endswith("/registry/qualifications/Q-VIG/bewerken")
    assert page.evaluate("document.activeElement.id") == "foutmeldingen"
    assert "BC-BESTAAT-NIET" in summary.inner_text()
    assert page.locator("#units").get_attribute("aria-invalid") == "true"
    assert_accessible(page, "schoolbeheer-kwalificatie-fout")
    screenshot(page, "schoolbeheer-kwalificatie-fout")
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "units"

    units.fill(original)
    page.get_by_label("Uren aan keuzedelen").fill("480")
    page.get_by_role("button", name="Wijzigingen opslaan").click()
    page.wait_for_url("**/registry/qualifications/Q-VIG")
    assert "Kwalificatie Q-VIG is opgeslagen." in page.locator(".flashed").inner_text()
    assert "480 uur" in page.locator("#keuze-kop + p").inner_text()
    assert_accessible(page, "schoolbeheer-kwalificatie-opgeslagen")
    screenshot(page, "schoolbeheer-kwalificatie-opgeslagen")

    page.goto(f"{live_url}/registry/units/BC-VV-B1K1")
    page.get_by_role("link", name="Verwijderen van BC-VV-B1K1").click()
    page.wait_for_url("**/registry/units/BC-VV-B1K1/verwijderen")
    assert "kan niet ongedaan worden gemaakt" in page.locator(".consequences").inner_text()
    assert_accessible(page, "schoolbeheer-verwijderen-vragen")
    page.get_by_role("button", name="Leereenheid verwijderen").click()
    references = page.locator("#verwijzingen")
    references.wait_for()
    assert page.evaluate("document.activeElement.id") == "foutmeldingen"
    assert "Q-VP" in references.inner_text()
    assert "BC-VP-P2K1 vereist BC-VV-B1K1" in references.inner_text()
    assert_accessible(page, "schoolbeheer-verwijderen-geweigerd")
    screenshot(page, "schoolbeheer-verwijderen-geweigerd")
    page.goto(f"{live_url}/registry/units/BC-VV-B1K1")
    assert page.locator("h1").inner_text().startswith("BC-VV-B1K1")


def test_a_school_admin_creates_a_token_and_previews_an_import(page: Any, live_url: str) -> None:
    log_in(page, live_url, "school-admin")
    page.goto(f"{live_url}/beheer/medewerkers")
    assert_accessible(page, "schoolbeheer-medewerkers")
    page.get_by_role("link", name="Nieuw token").click()
    page.get_by_label("Omschrijving").fill("browsertest")
    page.get_by_role("button", name="Token aanmaken").click()
    token = page.locator("#token")
    token.wait_for()
    assert token.input_value().startswith("llt_")
    assert_accessible(page, "schoolbeheer-token")

    page.goto(f"{live_url}/beheer/import")
    assert_accessible(page, "schoolbeheer-import")
    page.get_by_label("Of plak de tekst").fill(
        '{"units": [{"code": "VC-BROWSER-1", "kind": "VC", "title": "Browserkeuzedeel",'
        ' "study_load_hours": 240, "outcomes": [{"code": "BRW:1", "title": "Iets"}]}]}'
    )
    page.get_by_role("button", name="Controleren en voorbeeld tonen").click()
    page.locator("table.import-preview").wait_for()
    assert "VC-BROWSER-1" in page.locator("table.import-preview").inner_text()
    assert_accessible(page, "schoolbeheer-import-voorbeeld")
    screenshot(page, "schoolbeheer-import-voorbeeld")
    page.get_by_role("button", name="Importeren").click()
    page.wait_for_url("**/beheer/import")
    assert "1 nieuw" in page.locator(".flashed").inner_text()
