"""Bulk issuing in a real browser: paste CSV, see the preview with statuses, issue, see the result.

Eva Examinator (assessor of MBO-ZW) signs in, opens "Credentials in bulk" from the header,
pastes three rows for Lotte (DEMO-L5): two achieved units and one she has not achieved, and
sees the preview table (in Dutch, with what is missing). Issuing everything is refused (all or
nothing); with "only the rows that can" checked the two credentials are issued and the result
links to them. Every page passes the axe-core check at 1280 and 390 px.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.axe import assert_accessible
from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_an_assessor_previews_and_issues_credentials_in_bulk(
    page: Any, live_url: str, demo_learners: dict[str, str]
) -> None:
    lotte = demo_learners["DEMO-L5"]
    log_in(page, live_url, "assessor")
    page.get_by_role("link", name="Credentials in bulk", exact=True).click()
    page.wait_for_url("**/beheer/credentials/uitgeven")
    assert_accessible(page, "bulk-uitgeven")

    rows = [f"{lotte},unit,AV-LB", f"{lotte},unit,BC-VP-P2K1", f"{lotte},unit,AV-NL-2F"]
    page.get_by_label("Of plak de regels").fill("learner,type,code\n" + "\n".join(rows))
    page.get_by_role("button", name="Voorbeeld bekijken").click()
    page.wait_for_selector("table.bulk-report")
    statuses = page.locator("table.bulk-report tbody td[data-label='Status']").all_inner_texts()
    assert statuses == ["Wordt uitgegeven", "Nog niet behaald", "Wordt uitgegeven"]
    assert "Ontbreekt: leerresultaten VP:P2-K1-W1" in page.inner_text("table.bulk-report")
    assert_accessible(page, "bulk-voorbeeld")
    screenshot(page, "bulk-voorbeeld")

    # All or nothing: one row cannot be issued, so nothing is.
    page.get_by_role("button", name="Uitgeven", exact=True).click()
    page.wait_for_selector("h1:has-text('Er is niets uitgegeven')")
    assert_accessible(page, "bulk-geweigerd")

    # Only the rows that can: two credentials, each linked.
    page.get_by_label("Alleen de 2 regels die kunnen").check()
    page.get_by_role("button", name="Uitgeven", exact=True).click()
    page.wait_for_selector("h1:has-text('Klaar: credentials uitgegeven')")
    statuses = page.locator("table.bulk-report tbody td[data-label='Status']").all_inner_texts()
    assert statuses == ["Uitgegeven", "Nog niet behaald", "Uitgegeven"]
    links = page.locator("table.bulk-report").get_by_role("link")
    assert links.count() == 2
    assert_accessible(page, "bulk-resultaat")
    screenshot(page, "bulk-resultaat")
    links.first.click()
    page.wait_for_url("**/credentials/*")
    assert "AV-LB" in page.inner_text("main")
