"""The vmbo-teacher's work in a real browser: add an assignment and a mapping, end one.

Vera Vmbodocent (teacher of VMBO-ZW-WLC) signs in, adds a practical assignment, maps it onto
an mbo outcome (first refused: an empty form, the error summary takes the focus), and ends a
mapping after the confirmation page. The matrix fits 1280 px without scrolling the page
sideways, and its column heads show the outcome titles on keyboard focus. Every page visited
passes the axe-core check at 1280 and 390 px; screenshots go to test-artifacts/.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.axe import assert_accessible
from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGE = "/vmbo/VMBO-ZW-WLC"


def no_page_scroll_at(page: Any, width: int) -> int:
    page.set_viewport_size({"width": width, "height": 900})
    return int(page.evaluate("document.scrollingElement.scrollWidth"))


def test_a_vmbo_teacher_adds_an_assignment_and_a_mapping(page: Any, live_url: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_url, "vmbo-teacher")
    page.goto(f"{live_url}{PAGE}?kwalificatie=Q-VP")
    assert no_page_scroll_at(page, 1280) <= 1280
    assert_accessible(page, "vmbo-docent-matrix")
    screenshot(page, "vmbo-docent-matrix-1280")

    # a column head shows its outcome's title on keyboard focus, not only on hover
    head = page.locator("th.outcome-head a").first
    head.focus()
    tip = head.locator(".tip")
    assert tip.is_visible() and len(tip.inner_text()) > 10
    screenshot(page, "vmbo-docent-kolomkop-focus")

    page.get_by_role("link", name="Nieuwe opdracht").click()
    page.wait_for_url("**/opdrachten/nieuw")
    assert_accessible(page, "vmbo-docent-opdracht")
    page.get_by_label("Code", exact=True).fill("VA-BROWSER")
    page.get_by_label("Titel", exact=True).fill("Verzorgen van een bewoner, begeleid")
    page.get_by_label("Profielmodule").select_option(index=1)
    page.get_by_role("button", name="Opdracht toevoegen").click()
    page.wait_for_url(f"**{PAGE}#validaties")
    assert "Opdracht VA-BROWSER is toegevoegd." in page.locator(".flashed").inner_text()

    page.get_by_role("link", name="Koppeling toevoegen").click()
    page.wait_for_url("**/koppelingen**")
    page.get_by_role("button", name="Koppeling opslaan").click()
    summary = page.locator("#foutmeldingen")
    summary.wait_for()
    assert page.evaluate("document.activeElement.id") == "foutmeldingen"
    assert page.evaluate("window.scrollY") < 400
    assert_accessible(page, "vmbo-docent-koppeling-fout")
    screenshot(page, "vmbo-docent-koppeling-fout")

    page.get_by_label("Opdracht", exact=True).select_option("VA-BROWSER")
    page.get_by_label("Leerresultaat (mbo)").fill("VV:B1-K1-W1")
    page.locator("#coverage-partial").check()
    page.get_by_label("Gevalideerd door").fill("docent vmbo en docent mbo")
    page.get_by_role("button", name="Koppeling opslaan").click()
    page.wait_for_url(f"**{PAGE}**#matrix")
    assert "VA-BROWSER → VV:B1-K1-W1 (versie 1)" in page.locator(".flashed").inner_text()
    cell = page.locator('td a[href="#koppeling-VA-BROWSER-VV:B1-K1-W1"]')
    assert "deels" in (cell.text_content() or "")
    assert no_page_scroll_at(page, 1280) <= 1280
    assert_accessible(page, "vmbo-docent-matrix-na")
    screenshot(page, "vmbo-docent-matrix-na")

    page.get_by_role("link", name="Beëindigen VA-BROWSER → VV:B1-K1-W1").click()
    page.wait_for_url("**/koppelingen/beeindigen**")
    assert (
        "gevalideerd door docent vmbo en docent mbo" in page.locator(".consequences").inner_text()
    )
    assert_accessible(page, "vmbo-docent-beeindigen")
    screenshot(page, "vmbo-docent-beeindigen")
    page.get_by_role("button", name="Koppeling beëindigen").click()
    page.wait_for_url(f"**{PAGE}**")
    assert "Koppeling beëindigd: VA-BROWSER → VV:B1-K1-W1." in page.locator(".flashed").inner_text()
