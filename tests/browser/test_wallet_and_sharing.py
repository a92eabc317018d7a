"""A learner puts a credential into a wallet from its page, in chromium against a live server.

The test reads the QR code as a phone would (zxing-cpp on a screenshot of the SVG), then plays
the wallet in Python with what it decoded and the PIN shown on the page: the offer, the token,
a nonce and the credential, bound to the wallet's did:key. Also: LinkedIn and the PDF.
"""

from __future__ import annotations

import io
import json
import urllib.parse
import urllib.request
from typing import Any

import pytest
import zxingcpp  # type: ignore[import-not-found]
from PIL import Image

from tests.browser.axe import assert_accessible
from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PRE_AUTHORIZED = "urn:ietf:params:oauth:grant-type:pre-authorized_code"


def _call(url: str, *, body: Any = None, form: Any = None, token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = None
    if body is not None:
        data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
    elif form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(url, data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def credential(live_url: str, api_token: str, demo_learners: dict[str, str]) -> str:
    issued = _call(
        f"{live_url}/api/credentials",
        body={
            "learner": demo_learners["DEMO-L5"],
            "achievement": {"type": "unit", "code": "BC-VV-B1K1"},
        },
        token=api_token,
    )
    return str(issued["id"]).rsplit("/", 1)[1]


@pytest.fixture
def sharp_page(browser: Any) -> Any:
    """A phone-sized tab at twice the pixel density, so the QR code's modules are crisp."""
    context = browser.new_context(
        locale="nl-NL", viewport={"width": 390, "height": 844}, device_scale_factor=2
    )
    yield context.new_page()
    context.close()


def _decode_qr(png: bytes) -> str:
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))
    assert len(found) == 1, f"{len(found)} QR codes read"
    return str(found[0].text)


def test_a_learner_puts_a_credential_into_a_wallet_by_qr_code_and_pin(
    sharp_page: Any, live_url: str, credential: str
) -> None:
    page = sharp_page
    log_in(page, live_url, "learner", then=f"/credentials/{credential}")
    page.wait_for_url(f"**/credentials/{credential}")
    with page.expect_navigation():
        page.get_by_role("button", name="In je wallet zetten").click()
    assert page.get_by_role("heading", level=1).inner_text() == "In je wallet zetten"
    qr = page.get_by_role("img", name="QR-code om dit certificaat in je wallet te zetten")
    qr.scroll_into_view_if_needed()
    screenshot(page, "web-wallet-aanbod")
    decoded = _decode_qr(qr.screenshot())
    shown = page.get_by_role("link", name="Open het aanbod in je wallet").get_attribute("href")
    assert decoded == shown
    assert decoded.startswith("openid-credential-offer://?credential_offer_uri=")
    pin = page.locator("#pincode").inner_text().replace(" ", "")
    assert pin.isdigit() and len(pin) == 6
    assert_accessible(page, "wallet-aanbod")  # a POST's answer: not in the GET sweep

    # The wallet: the offer from the QR code, the token with the PIN, a nonce, the credential.
    from tests.api.test_oid4vci import CONFIGURATION, Wallet

    offer_uri = urllib.parse.parse_qs(urllib.parse.urlsplit(decoded).query)["credential_offer_uri"][
        0
    ]
    offer = _call(offer_uri)
    assert offer["credential_issuer"] == live_url
    code = offer["grants"][PRE_AUTHORIZED]["pre-authorized_code"]
    issuer = _call(f"{live_url}/.well-known/openid-credential-issuer")
    token = _call(
        f"{live_url}/oid4vci/token",
        form={"grant_type": PRE_AUTHORIZED, "pre-authorized_code": code, "tx_code": pin},
    )
    nonce = _call(issuer["nonce_endpoint"], form={})["c_nonce"]
    wallet = Wallet()
    answer = _call(
        issuer["credential_endpoint"],
        body={
            "credential_configuration_id": CONFIGURATION,
            "proofs": {"jwt": [wallet.proof(nonce, aud=live_url)]},
        },
        token=token["access_token"],
    )
    delivered = answer["credentials"][0]["credential"]
    assert delivered["id"] == f"{live_url}/credentials/{credential}"
    assert delivered["credentialSubject"]["id"] == wallet.did
    verdict = _call(f"{live_url}/api/verify", body=delivered)
    assert verdict["verified"] is True, verdict


def test_the_holder_shares_on_linkedin_and_downloads_the_pdf(
    page: Any, live_url: str, credential: str
) -> None:
    log_in(page, live_url, "learner", then=f"/credentials/{credential}")
    page.wait_for_url(f"**/credentials/{credential}")
    page.locator("#wallet").scroll_into_view_if_needed()
    screenshot(page, "web-credential-wallet-en-linkedin")
    linkedin = page.get_by_role("link", name="Toevoegen aan LinkedIn")
    assert linkedin.get_attribute("target") == "_blank"
    assert linkedin.get_attribute("rel") == "noopener"
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(linkedin.get_attribute("href") or "").query)
    assert query["certUrl"] == [f"{live_url}/credentials/{credential}"]
    assert query["certId"] == [credential]
    href = page.get_by_role("link", name="Download als PDF").get_attribute("href")
    pdf = page.request.get(urllib.parse.urljoin(page.url, href))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
