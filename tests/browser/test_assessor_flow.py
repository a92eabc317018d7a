"""The assessor's day in a real browser: find a learner, record evidence, issue and revoke.

Eva Examinator (assessor of MBO-ZW) signs in through /login, finds Lotte (DEMO-L5) in the
learner list, records evidence for two outcomes (first refused: the error summary takes the
focus), issues a credential for a unit the path says is achieved and revokes it after the
confirmation page; the credential then verifies as revoked. Every page visited passes the
axe-core check at 1280 and 390 px; screenshots go to test-artifacts/.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.axe import assert_accessible
from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def api(live_url: str, token: str, path: str, body: Any = None) -> Any:
    """Call the live API as the tests' admin (GET, or POST with a JSON body)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"{live_url}{path}",
        data=data,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=20) as response:
        return json.load(response)


def test_an_assessor_records_evidence_issues_and_revokes(
    page: Any, live_url: str, api_token: str, demo_learners: dict[str, str]
) -> None:
    lotte = demo_learners["DEMO-L5"]
    path = api(live_url, api_token, f"/api/learners/{lotte}/path?qualification=Q-VP")
    wanted = [code for unit in path["remaining_units"] for code in unit["missing_outcomes"]][:2]
    evidence_before = api(live_url, api_token, f"/api/learners/{lotte}/evidence?limit=500")

    # Signed in, the header leads to the learner list; a search finds Lotte by her number.
    log_in(page, live_url, "assessor")
    page.get_by_role("link", name="Leerlingen", exact=True).click()
    page.wait_for_url("**/beheer/leerlingen")
    assert_accessible(page, "examinator-leerlingen")
    page.get_by_label("Zoek op naam of leerlingnummer").fill("DEMO-L5")
    page.get_by_role("button", name="Zoeken").click()
    page.wait_for_url("**/beheer/leerlingen?q=DEMO-L5")
    screenshot(page, "examinator-leerlingen-gezocht")
    page.get_by_role("link", name="Beheer: bewijs en credentials").first.click()
    page.wait_for_url(f"**/leerlingen/{lotte}/beheer")
    assert_accessible(page, "examinator-beheer")
    screenshot(page, "examinator-beheer")

    # The evidence form: sent without outcomes it comes back with the summary focused.
    page.get_by_role("link", name="Bewijs vastleggen").click()
    page.wait_for_url(f"**/leerlingen/{lotte}/bewijs")
    assert_accessible(page, "examinator-bewijs")
    page.get_by_label("Datum").fill("")
    with page.expect_navigation() as refused:
        page.get_by_role("button", name="Bewijs vastleggen").click()
    assert refused.value.status == 422
    summary = page.locator("#foutmeldingen")
    assert summary.is_visible()
    page.wait_for_function(
        "document.activeElement && document.activeElement.id === 'foutmeldingen'"
    )
    assert "Leerresultaten: kies minstens één leerresultaat." in summary.inner_text()
    assert page.title().startswith("Fout: ")
    assert_accessible(page, "examinator-bewijs-geweigerd")
    screenshot(page, "examinator-bewijs-geweigerd")
    summary.get_by_role("link", name="Datum", exact=False).click()  # the link leads to the field
    assert page.evaluate("document.activeElement.id") == "date"

    for code in wanted:
        page.locator(f'input[name="outcomes"][value="{code}"]').check()
    page.get_by_label("Datum").fill("2025-01-10")
    page.get_by_label("Beoordelaar").fill("Eva Examinator")
    with page.expect_navigation() as recorded:
        page.get_by_role("button", name="Bewijs vastleggen").click()
    assert recorded.value.status == 200 and urlsplit(page.url).path == f"/leerlingen/{lotte}"
    assert "Bewijs vastgelegd voor 2 leerresultaten" in page.get_by_role("status").inner_text()
    assert_accessible(page, "examinator-bewijs-vastgelegd")
    screenshot(page, "examinator-bewijs-vastgelegd")
    evidence_after = api(live_url, api_token, f"/api/learners/{lotte}/evidence?limit=500")
    assert evidence_after["total"] == evidence_before["total"] + 2
    path = api(live_url, api_token, f"/api/learners/{lotte}/path?qualification=Q-VP")
    still = {code for unit in path["remaining_units"] for code in unit["missing_outcomes"]}
    assert not still & set(wanted)

    # Issue a credential for a unit the path says is achieved.
    page.goto(f"{live_url}/leerlingen/{lotte}/beheer")
    page.get_by_role("link", name="Credential uitgeven").first.click()
    page.wait_for_url(f"**/leerlingen/{lotte}/credential-uitgeven")
    assert_accessible(page, "examinator-uitgeven")
    screenshot(page, "examinator-uitgeven")
    page.locator('input[name="achievement"][value="unit:BC-VV-B1K1"]').check()
    with page.expect_navigation():
        page.get_by_role("button", name="Credential uitgeven").click()
    assert (
        "Credential uitgegeven voor leereenheid BC-VV-B1K1."
        in page.get_by_role("status").inner_text()
    )
    credential = urlsplit(page.url).fragment.removeprefix("credential-")
    assert credential
    assert_accessible(page, "examinator-uitgegeven")

    # Revoke it: first the confirmation page, then the reason and the red button.
    page.locator(f"#credential-{credential}").get_by_role("link", name="Intrekken").click()
    page.wait_for_url(f"**/credentials/{credential}/intrekken")
    assert page.get_by_role("heading", level=1).inner_text() == "Credential intrekken"
    assert "voorgoed" in page.locator("main").inner_text()
    assert_accessible(page, "examinator-intrekken-bevestigen")
    screenshot(page, "examinator-intrekken-bevestigen")
    assert api(live_url, api_token, f"/api/credentials/{credential}/status")["status"] == "active"
    page.get_by_label("Reden").fill("Ten onrechte uitgegeven")
    with page.expect_navigation():
        page.get_by_role("button", name="Bevestigen: intrekken").click()
    assert "is ingetrokken" in page.get_by_role("status").inner_text()
    assert "ingetrokken" in page.locator(f"#credential-{credential}").inner_text()
    assert_accessible(page, "examinator-ingetrokken")
    screenshot(page, "examinator-ingetrokken")

    status = api(live_url, api_token, f"/api/credentials/{credential}/status")
    assert status["status"] == "revoked"
    document = api(live_url, api_token, f"/api/credentials/{credential}")
    checks = {c["check"]: c for c in api(live_url, api_token, "/api/verify", document)["checks"]}
    assert checks["proof"]["ok"] and not checks["status"]["ok"]
