"""Every page the app serves, as the person it is for, through the axe-core check.

A sweep over the pages' GET addresses (the flows in the other browser tests reach the refused
and confirmation states): each is opened in chromium by someone allowed to see it, must answer
below 400, and must have no serious or critical axe-core violation at 1280 and 390 px wide
(`tests.browser.axe`). A test that finds a new page unchecked: `test_every_page_is_in_the_sweep`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from app.domain.access import SYSTEM, Role
from app.extensions import db
from app.services import access
from tests.browser.axe import assert_accessible
from tests.browser.conftest import PASSWORD, demo_learner_id, log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PROGRAMME = "VMBO-ZW-WLC"
ROUND = "BPV-2026-VOORJAAR"
WORKPLACE = "WP-ZWO-ZKH"
REGIONAL = {
    "coordinator": ("stagebureau@leerlijn.test", Role.COORDINATOR, None),
    "workplace": ("praktijk@leerlijn.test", Role.WORKPLACE, WORKPLACE),
}

#: who → the pages they open (``{l5}`` is DEMO-L5's learner id, ``{c}`` one of its credentials).
PAGES: dict[str, tuple[str, ...]] = {
    "anonymous": (
        "/",
        "/login",
        "/verifieren",
        "/registry",
        "/registry/units/BC-VV-B1K1",
        "/registry/qualifications/Q-VP",
        "/vmbo",
        f"/vmbo/{PROGRAMME}",
        "/credentials/{c}",
    ),
    "school-admin": (
        "/beheer",
        "/beheer/medewerkers",
        "/beheer/medewerkers/accounts/nieuw",
        "/beheer/medewerkers/tokens/nieuw",
        "/beheer/import",
        "/registry/units/nieuw",
        "/registry/units/BC-VV-B1K1/bewerken",
        "/registry/units/BC-VV-B1K1/verwijderen",
        "/registry/qualifications/nieuw",
        "/registry/qualifications/Q-VP/bewerken",
        "/vmbo/programmas/nieuw",
    ),
    "assessor": (
        "/beheer/leerlingen",
        "/leerlingen",
        "/leerlingen/{l5}",
        "/leerlingen/{l5}/beheer",
        "/leerlingen/{l5}/bewijs",
        "/leerlingen/{l5}/bekwaamheid",
        "/leerlingen/{l5}/vmbo-opdracht",
        "/leerlingen/{l5}/credential-uitgeven",
        "/credentials/{c}/intrekken",
        "/credentials/{c}/schorsen",
        "/beheer/credentials/uitgeven",
        "/beheer/credentials/intrekken",
    ),
    "learner": ("/mijn-leerpad", "/credentials/{c}"),  # with "Naar je wallet of LinkedIn"
    "vmbo-teacher": (
        f"/vmbo/{PROGRAMME}/bewerken",
        f"/vmbo/{PROGRAMME}/opdrachten/nieuw",
        f"/vmbo/{PROGRAMME}/opdrachten/VA-1/bewerken",
        f"/vmbo/{PROGRAMME}/koppelingen",
    ),
    "coordinator": (f"/stagerondes/{ROUND}", "/stagerondes/BPV-2025-NAJAAR"),
    "workplace": (f"/stagerondes/{ROUND}/aanbod",),
}

#: GET addresses not in the sweep, and why.
LEFT_OUT = {
    "/credentials/<credential_id>.json": "a JSON download, not a page",
    "/credentials/<credential_id>.edc.json": "a JSON download (the EDC), not a page",
    "/oid4vci/offers/<offer_id>": "an OID4VCI credential offer (JSON) for wallets, not a page",
    "/leerlingen/<learner_id>/pad.pdf": "a PDF (test_learner_route_and_accessibility.py)",
    "/credentials/<credential_id>.pdf": "a PDF (test_wallet_and_sharing.py, which also runs axe"
    " on the wallet page, the answer to a POST)",
    "/credentials/<credential_id>/herstellen": "only for a suspended credential (flows)",
    "/vmbo/<programme>/koppelingen/beeindigen": "needs a mapping version (vmbo teacher flow)",
    "/leerlingen/<learner_id>/bewijs/<int:item_id>/intrekken": "a confirmation (the confirm.html"
    " of /credentials/{c}/intrekken, which is swept)",
    "/leerlingen/<learner_id>/bekwaamheid/<int:item_id>/intrekken": "the same confirmation",
    "/leerlingen/<learner_id>/vmbo-opdracht/<int:item_id>/intrekken": "the same confirmation",
    "/beheer/medewerkers/accounts/<int:account_id>/deactiveren": "the same confirmation",
    "/beheer/medewerkers/tokens/<int:token_id>/intrekken": "the same confirmation",
    "/beheer/credentials/taken/<job_id>": "a bulk job's progress; needs a job of the one who"
    " opens it (tests/web/test_bulk_credential_pages.py); test_bulk_preview.py runs axe on the"
    " bulk preview and result pages",
    "/healthz": "JSON for load balancers, not a page",
    "/readyz": "JSON for load balancers, not a page",
    "/metrics": "Prometheus text, not a page",
}


@pytest.fixture(scope="module")
def names(live_app: Flask, api_token: str) -> dict[str, str]:
    """Ids the addresses need, and accounts for the two regional roles."""
    from app.request_context import credential_environment
    from app.services import credentials

    with live_app.app_context():
        for who, (email, role, workplace) in REGIONAL.items():
            access.create_account(
                db.session,
                SYSTEM,
                email=email,
                name=who,
                password=PASSWORD,
                role=role,
                workplace=workplace,
            )
        l5 = demo_learner_id("DEMO-L5")
        issued, _ = credentials.issue_credential(
            db.session,
            SYSTEM,
            credential_environment(),
            l5,
            {"type": "unit", "code": "AV-LB"},
        )
        db.session.remove()
    return {"l5": l5, "c": issued.id}


def _sign_in(page: Any, live_url: str, who: str) -> None:
    if who == "anonymous":
        return
    if who in REGIONAL:
        page.goto(f"{live_url}/login")
        page.get_by_label("E-mailadres").fill(REGIONAL[who][0])
        page.get_by_label("Wachtwoord").fill(PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Inloggen", exact=True).click()
        assert "/login" not in page.url, f"{who} was not signed in"
        return
    log_in(page, live_url, who)


@pytest.fixture
def fresh_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    yield tab
    context.close()


@pytest.mark.parametrize("who", sorted(PAGES))
def test_every_page_passes_axe_for_whom_it_is(
    fresh_page: Any, live_url: str, names: dict[str, str], who: str
) -> None:
    _sign_in(fresh_page, live_url, who)
    problems = []
    for address in PAGES[who]:
        path = address.format(**names)
        response = fresh_page.goto(f"{live_url}{path}")
        if response is None or response.status >= 400:
            problems.append(f"{path}: HTTP {response.status if response else 'none'}")
            continue
        slug = path.strip("/").replace("/", "-") or "start"
        try:
            assert_accessible(fresh_page, f"sweep-{who}-{slug}"[:120])
        except AssertionError as error:
            problems.append(f"{path}: {error}")
    assert not problems, "\n\n".join(problems)


def test_every_page_is_in_the_sweep(live_app: Flask) -> None:
    """A new page must be added to `PAGES` (or to `LEFT_OUT`, with the reason)."""
    served = {
        rule.rule
        for rule in live_app.url_map.iter_rules()
        if "GET" in (rule.methods or ())
        and not rule.rule.startswith(("/api", "/static", "/status/", "/issuers/", "/.well"))
    }
    swept = {_as_rule(address) for addresses in PAGES.values() for address in addresses}
    swept |= {_shape(rule) for rule in LEFT_OUT}
    rules_by_shape = {_shape(rule): rule for rule in served}
    missing = sorted(rule for shape, rule in rules_by_shape.items() if shape not in swept)
    assert not missing, f"pages not in the accessibility sweep: {missing}"


def _shape(rule: str) -> str:
    """``/leerlingen/<learner_id>/bewijs/<int(max=…):item_id>`` → with every variable as ``*``."""
    return re.sub(r"<[^>]+>", "*", rule)


def _as_rule(address: str) -> str:
    """An address of `PAGES` in the shape of `_shape`: ids and known codes become ``*``."""
    shaped = re.sub(r"\{[a-z0-9]+\}", "*", address)
    for code in ("BC-VV-B1K1", "Q-VP", PROGRAMME, ROUND, "BPV-2025-NAJAAR", "VA-1"):
        shaped = re.sub(rf"(?<=/){re.escape(code)}(?=/|$)", "*", shaped)
    return shaped
