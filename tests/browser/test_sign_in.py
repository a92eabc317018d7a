"""Signing in and out in a real browser (Debian's chromium via Playwright), live server.

Learners, a school-admin, an assessor: each signs in through the real /login form (the
accounts of `tests.browser.conftest.ACCOUNTS`) and sees what their role allows. Each test saves
screenshots under test-artifacts/ for a human to look at.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.conftest import ACCOUNTS, PASSWORD, log_in, screenshot
from tests.helpers import ON

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def header(page: Any) -> str:
    return " ".join(page.locator("header.site").inner_text().split())


def audit_of(live_url: str, token: str, entity: str, entity_id: str) -> list[dict[str, Any]]:
    request = urllib.request.Request(
        f"{live_url}/api/audit?entity={entity}&id={entity_id}",
        headers={"Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return list(json.load(response)["items"])


def test_a_learner_lands_on_their_own_path_and_cannot_open_another_learners(
    page: Any, live_url: str, demo_learners: dict[str, str]
) -> None:
    lotte, sanne = demo_learners["DEMO-L5"], demo_learners["DEMO-L1"]
    page.goto(f"{live_url}/")
    assert page.get_by_role("link", name="Inloggen", exact=True).is_visible()
    page.get_by_role("link", name="Inloggen", exact=True).click()
    page.wait_for_url("**/login**")
    screenshot(page, "inloggen")

    log_in(page, live_url, "learner")  # no way back asked: the learner's home
    assert urlsplit(page.url).path == f"/leerlingen/{lotte}"
    assert "Lotte" in page.get_by_role("heading", level=1).inner_text()
    assert "Lotte Leerling (leerling, MBO-ZW)" in header(page)
    assert page.get_by_role("button", name="Uitloggen").is_visible()
    assert page.get_by_role("link", name="Inloggen", exact=True).count() == 0
    screenshot(page, "ingelogd-leerling")

    page.get_by_role("link", name="Mijn leerpad", exact=True).click()  # the stable address
    page.wait_for_url(f"**/leerlingen/{lotte}")

    other = page.goto(f"{live_url}/leerlingen/{sanne}?op={ON}")
    assert other.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Pagina niet gevonden"
    assert "Sanne" not in page.locator("main").inner_text()
    screenshot(page, "ingelogd-leerling-ander-404")


def test_a_school_admin_is_sent_to_login_and_back_and_saves_a_unit(
    page: Any, live_url: str, api_token: str
) -> None:
    page.goto(f"{live_url}/registry/units/nieuw")
    page.wait_for_url("**/login?next=**")
    assert parse_qs(urlsplit(page.url).query)["next"] == ["/registry/units/nieuw"]

    page.get_by_label("E-mailadres").fill(ACCOUNTS["school-admin"].email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen", exact=True).click()
    page.wait_for_url("**/registry/units/nieuw")
    assert "Sam Schoolbeheer (schoolbeheerder, MBO-ZW)" in header(page)

    page.get_by_label("Code", exact=True).first.fill("BC-INLOG-1")
    page.get_by_label("Titel", exact=True).first.fill("Werkt samen in een zorgteam")
    page.get_by_label("Studielast in uren").fill("120")
    page.locator("#outcomes-0-code").fill("INLOG:1")
    page.locator("#outcomes-0-title").fill("Stemt af met collega's")
    page.get_by_role("button", name="Leereenheid aanmaken").click()
    page.wait_for_url("**/registry/units/BC-INLOG-1")
    assert "aangemaakt" in page.locator(".flashed").inner_text()
    screenshot(page, "ingelogd-schoolbeheerder-eenheid")

    created = [e for e in audit_of(live_url, api_token, "unit", "BC-INLOG-1") if not e["part"]]
    assert [(e["action"], e["actor_role"]) for e in created] == [("create", "school-admin")]
    assert created[0]["actor"].startswith("account:")


def test_an_assessor_finds_a_learner_of_their_institution(
    page: Any, live_url: str, demo_learners: dict[str, str]
) -> None:
    log_in(page, live_url, "assessor")
    assert "Eva Examinator (examinator, MBO-ZW)" in header(page)
    page.goto(f"{live_url}/")
    page.get_by_label("Leerlingnummer").fill("DEMO-L9")
    page.get_by_role("button", name="Toon mijn leerpad").click()
    page.wait_for_url(f"**/leerlingen/{demo_learners['DEMO-L9']}")
    assert "Ruben" in page.get_by_role("heading", level=1).inner_text()
    screenshot(page, "ingelogd-examinator-leerling")


def test_a_wrong_password_is_refused_in_dutch_with_401(page: Any, live_url: str) -> None:
    page.goto(f"{live_url}/login")
    page.get_by_label("E-mailadres").fill(ACCOUNTS["assessor"].email)
    page.get_by_label("Wachtwoord").fill(PASSWORD + "-fout")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Inloggen", exact=True).click()
    assert answer.value.status == 401
    page.wait_for_load_state()
    alert = page.get_by_role("alert")
    assert "Het e-mailadres of het wachtwoord klopt niet." in alert.inner_text()
    assert urlsplit(page.url).path == "/login"
    assert page.get_by_label("E-mailadres").input_value() == ACCOUNTS["assessor"].email
    assert page.get_by_label("Wachtwoord").input_value() == ""
    assert page.get_by_role("link", name="Inloggen", exact=True).is_visible()  # not signed in
    screenshot(page, "inloggen-fout")


def test_logging_out_ends_the_session(
    page: Any, live_url: str, demo_learners: dict[str, str]
) -> None:
    learner_page = f"/leerlingen/{demo_learners['DEMO-L9']}"
    log_in(page, live_url, "assessor", then=learner_page)
    page.wait_for_url(f"**{learner_page}")
    assert "Ruben" in page.get_by_role("heading", level=1).inner_text()

    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url(f"{live_url}/")
    assert page.get_by_role("link", name="Inloggen", exact=True).is_visible()
    assert "Eva Examinator" not in header(page)
    screenshot(page, "uitgelogd")

    page.goto(f"{live_url}{learner_page}")
    page.wait_for_url("**/login?next=**")
    assert parse_qs(urlsplit(page.url).query)["next"] == [learner_page]
    assert "Ruben" not in page.locator("main").inner_text()
