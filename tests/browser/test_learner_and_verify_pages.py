"""The pages in a real browser (Debian's chromium via Playwright) against a live server.

Each test saves a screenshot under test-artifacts/ for a human to look at. The learner's path
is personal: the learner signs in first; verifying and a credential's page are public.
"""

from __future__ import annotations

import copy
import json
import urllib.request
from typing import Any

import pytest

from tests.browser.conftest import log_in, screenshot
from tests.helpers import ON

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _get_json(url: str, token: str) -> Any:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def _post_json(url: str, body: Any, token: str) -> Any:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def lotte(live_url: str, api_token: str) -> str:
    found = _get_json(f"{live_url}/api/learners?external_id=DEMO-L5", api_token)
    return str(found["items"][0]["id"])


@pytest.fixture(scope="module")
def credential(live_url: str, api_token: str, lotte: str) -> dict[str, Any]:
    return _post_json(
        f"{live_url}/api/credentials",
        {"learner": lotte, "achievement": {"type": "unit", "code": "BC-VV-B1K1"}},
        api_token,
    )


def test_path_page_shows_the_graph_and_the_remaining_units(
    page: Any, live_url: str, lotte: str
) -> None:
    log_in(page, live_url, "learner", then=f"/leerlingen/{lotte}?op={ON}")
    page.wait_for_url(f"**/leerlingen/{lotte}?op={ON}")
    assert page.locator("html").get_attribute("lang") == "nl"
    graph = page.locator("svg.graph-svg")
    assert graph.is_visible()
    codes = graph.locator("text.code").all_text_contents()
    assert {"BC-VV-B1K1", "BC-VP-P2K1"} <= set(codes)
    assert "AV-NL-3F" in page.locator("ul.graph-grid .code").all_text_contents()
    first = page.locator("ol.remaining > li").first
    assert "BC-VP-P2K1" in first.locator("h3").inner_text()
    assert page.get_by_role("progressbar").is_visible()
    screenshot(page, "web-leerpad")

    page.get_by_label("Uren per week").fill("40")
    page.get_by_role("button", name="Bereken opnieuw").click()
    page.wait_for_url("**uren=40**")
    assert "bij 40 uur per week" in page.locator(".finish").inner_text()

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    screenshot(page, "web-leerpad-telefoon")


def test_verification_says_geldig_for_a_valid_credential(
    page: Any, live_url: str, credential: dict[str, Any]
) -> None:
    page.goto(f"{live_url}/verifieren")
    page.get_by_label("Plak het credential (JSON)").fill(json.dumps(credential, indent=2))
    page.get_by_role("button", name="Verifiëren").click()
    verdict = page.locator(".verdict h2")
    verdict.wait_for()
    assert verdict.inner_text().strip().endswith("geldig")
    assert "niet geldig" not in verdict.inner_text()
    assert page.locator(".checks li.bad").count() == 0
    assert "BC-VV-B1K1" in page.locator("#betekenis-kop + p").inner_text()
    screenshot(page, "web-verifieren-geldig")


def test_verification_says_niet_geldig_with_the_reason_for_a_tampered_one(
    page: Any, live_url: str, credential: dict[str, Any]
) -> None:
    tampered = copy.deepcopy(credential)
    tampered["credentialSubject"]["achievement"]["name"] = "Hersenchirurgie"
    page.goto(f"{live_url}/verifieren")
    page.get_by_label("Plak het credential (JSON)").fill(json.dumps(tampered))
    page.get_by_role("button", name="Verifiëren").click()
    page.locator(".verdict").wait_for()
    assert "niet geldig" in page.locator(".verdict h2").inner_text()
    failed = page.locator(".checks li.bad")
    assert failed.count() >= 1
    assert "Handtekening" in failed.first.inner_text()
    assert "niet in orde" in failed.first.inner_text()
    screenshot(page, "web-verifieren-niet-geldig")


def test_public_credential_page_shows_a_qr_code(
    page: Any, live_url: str, credential: dict[str, Any]
) -> None:
    credential_id = credential["id"].rsplit("/", 1)[1]
    page.goto(f"{live_url}/credentials/{credential_id}")
    qr = page.locator("svg.qr")
    assert qr.is_visible()
    assert "QR" in (qr.locator("title").text_content() or "")
    assert "geldig" in page.locator(".verdict h2").inner_text()
    assert page.get_by_role("link", name="Download het credential (JSON)").is_visible()
    screenshot(page, "web-credential")


def test_unknown_pages_are_a_dutch_404(page: Any, live_url: str) -> None:
    response = page.goto(f"{live_url}/credentials/bestaat-niet")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Pagina niet gevonden"
    page.goto(f"{live_url}/")
    screenshot(page, "web-start")
