"""The learner's pages in a real browser, with the axe-core check at 1280 and 390 px.

Ruben (demo learner DEMO-L9) follows the BAZ route, which asks only for EPAs: he signs in with
a learner account bound to his record and sees every EPA with its current and required level,
his held diploma as behaald, no finished bar, and can take his path along as a PDF. Lotte
(DEMO-L5) sees her units. The public pages (start, verifying, a credential) pass axe too.
Screenshots and axe reports go to test-artifacts/.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from app.domain.access import SYSTEM, Role
from app.extensions import db
from app.services import access
from tests.browser.axe import assert_accessible
from tests.browser.conftest import PASSWORD, demo_learner_id, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RUBEN_EMAIL = "ruben@leerlijn.test"


@pytest.fixture(scope="module")
def ruben(live_app: Flask) -> str:
    """Ruben's learner id; he gets a learner account bound to it."""
    with live_app.app_context():
        learner = demo_learner_id("DEMO-L9")
        access.create_account(
            db.session,
            SYSTEM,
            email=RUBEN_EMAIL,
            name="Ruben",
            password=PASSWORD,
            role=Role.LEARNER,
            learner=learner,
        )
        db.session.remove()
    return learner


@pytest.fixture
def phone_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="nl-NL", viewport={"width": 390, "height": 844})
    tab = context.new_page()
    yield tab
    context.close()


def _sign_in_as_ruben(page: Any, live_url: str) -> None:
    page.goto(f"{live_url}/login?next=%2Fmijn-leerpad")
    page.get_by_label("E-mailadres").fill(RUBEN_EMAIL)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Inloggen", exact=True).click()
    assert "/login" not in page.url, "Ruben was not signed in"


def _post_json(url: str, body: Any, token: str) -> Any:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def test_ruben_sees_his_epa_route_with_levels(page: Any, live_url: str, ruben: str) -> None:
    _sign_in_as_ruben(page, live_url)
    page.wait_for_url(f"**/leerlingen/{ruben}")
    main = page.locator("main")
    assert "Basis acute zorg" in main.locator("h1").inner_text()

    epas = page.locator("ul.epas > li")
    assert epas.count() == 5
    by_code = {item.locator(".code").first.inner_text(): item for item in epas.all()}
    assert set(by_code) == {"BAZ-1", "BAZ-2", "BAZ-3", "BAZ-4", "BAZ-5"}
    assert "behaald" in by_code["BAZ-1"].inner_text()
    assert "nog geen bekwaamverklaring" in by_code["BAZ-4"].inner_text()
    baz5 = by_code["BAZ-5"].inner_text()
    assert "niveau 2" in baz5 and "niveau 4" in baz5 and "niveau te laag" in baz5

    bar = page.get_by_role("progressbar")
    assert bar.count() == 1
    assert bar.get_attribute("aria-valuenow") == "60"
    text = main.inner_text()
    assert "3 van 5 EPA's op het vereiste niveau" in text
    assert "Gefeliciteerd" not in text
    assert "Gedaan 0 uur" not in text and "(100%)" not in text
    assert "nog niet te berekenen" in text
    assert "Er zijn geen leereenheden meer te doen" not in text

    others = page.locator("section[aria-labelledby='anders-kop']").inner_text()
    assert "Mbo-Verpleegkundige" in others and "behaald" in others
    assert "4.320" not in others
    screenshot(page, "web-leerpad-ruben-epas")
    assert_accessible(page, "leerpad-ruben")

    response = page.request.get(f"{live_url}/leerlingen/{ruben}/pad.pdf")
    assert response.status == 200, response.text()[:300]
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")

    page.emulate_media(media="print")
    assert not page.locator("header.site").is_visible()
    assert page.locator("ul.epas").is_visible()
    screenshot(page, "web-leerpad-ruben-afdruk")


def test_ruben_on_a_phone(phone_page: Any, live_url: str, ruben: str) -> None:
    _sign_in_as_ruben(phone_page, live_url)
    phone_page.wait_for_url(f"**/leerlingen/{ruben}")
    assert phone_page.locator("ul.epas > li").count() == 5
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"
    screenshot(phone_page, "web-leerpad-ruben-telefoon")


def test_lottes_path_and_my_path_pass_axe(page: Any, live_url: str) -> None:
    log_in(page, live_url, "learner", then="/mijn-leerpad")
    page.wait_for_url("**/leerlingen/**")
    assert page.locator("svg.graph-svg").is_visible()
    assert page.locator("ul.graph-grid").is_visible()  # units without a prerequisite
    assert "De leereenheden eronder hebben geen vaste volgorde" in page.locator("main").inner_text()
    screenshot(page, "web-leerpad-lotte")
    assert_accessible(page, "leerpad-lotte")


def test_start_verify_and_credential_pages_pass_axe(
    page: Any, live_url: str, api_token: str, demo_learners: dict[str, str]
) -> None:
    page.goto(f"{live_url}/")
    assert_accessible(page, "start")
    page.goto(f"{live_url}/verifieren")
    assert_accessible(page, "verifieren")

    document = _post_json(
        f"{live_url}/api/credentials",
        {"learner": demo_learners["DEMO-L5"], "achievement": {"type": "unit", "code": "AV-LB"}},
        api_token,
    )
    credential = str(document["id"]).rsplit("/", 1)[1]
    page.goto(f"{live_url}/credentials/{credential}")
    assert page.locator("h1").is_visible()
    assert_accessible(page, "credential")

    page.goto(f"{live_url}/verifieren")
    page.locator("textarea").fill(json.dumps(document))
    with page.expect_navigation():
        page.get_by_role("button", name="Verifiëren").click()
    assert_accessible(page, "verifieren-uitslag")
