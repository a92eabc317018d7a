"""The credential in a wallet, on LinkedIn and on paper (app/web/wallet_pages.py).

Who sees "In je wallet zetten" and "Toevoegen aan LinkedIn" on the public credential page,
what posting the form shows (a QR code of an offer a wallet can redeem with the PIN shown),
the LinkedIn address, and the credential's PDF.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.adapters.pdf import PdfUnavailable
from tests.helpers import credential_id, issue, learner_id, signed_in_client
from tests.web.test_pages import assert_dutch_page

BASE = "http://127.0.0.1:8000"
PIN = re.compile(r'<strong class="pin" id="pincode">(\d{3}) (\d{3})</strong>')
PRE_AUTHORIZED = "urn:ietf:params:oauth:grant-type:pre-authorized_code"


@pytest.fixture
def cid(issued: dict[str, Any]) -> str:
    return credential_id(issued)


@pytest.fixture
def holder(seeded_app: Flask, l5: str) -> FlaskClient:
    return signed_in_client(seeded_app, "learner", learner=l5)


@pytest.fixture
def other_learner(seeded_app: Flask, seeded: FlaskClient) -> FlaskClient:
    return signed_in_client(seeded_app, "learner", learner=learner_id(seeded, "DEMO-L9"))


def _wallet_form(cid: str) -> str:
    return f'<form method="post" action="/credentials/{cid}/wallet"'


def _linkedin_href(body: str) -> str:
    match = re.search(r'<a [^>]*href="(https://www\.linkedin\.com/profile/add\?[^"]+)"[^>]*>', body)
    assert match, "no LinkedIn link"
    assert 'target="_blank"' in match.group(0) and 'rel="noopener"' in match.group(0)
    return html.unescape(match.group(1))


def test_the_wallet_form_and_linkedin_are_for_the_holder_and_the_schools_staff(
    seeded_app: Flask, holder: FlaskClient, other_learner: FlaskClient, cid: str
) -> None:
    allowed = {
        "holder": holder,
        "assessor": signed_in_client(seeded_app, "assessor", institution="MBO-ZW"),
        "school-admin": signed_in_client(seeded_app, "school-admin", institution="MBO-ZW"),
    }
    for who, client in allowed.items():
        body = assert_dutch_page(client.get(f"/credentials/{cid}"))
        assert _wallet_form(cid) in body, who
        assert ">In je wallet zetten</button>" in body, who
        assert "Toevoegen aan LinkedIn" in body and _linkedin_href(body), who
    refused = {
        "anonymous": seeded_app.test_client(),
        "other learner": other_learner,
        "vmbo teacher": signed_in_client(seeded_app, "vmbo-teacher", programme="VMBO-ZW-WLC"),
    }
    for who, client in refused.items():
        body = assert_dutch_page(client.get(f"/credentials/{cid}"))
        assert "<strong>geldig</strong>" in body, who  # the public page itself is still there
        assert "/wallet" not in body and "linkedin" not in body.lower(), who
        assert f'href="/credentials/{cid}.pdf"' in body, who  # paper is for everyone


def test_the_linkedin_address_fills_in_the_certification(
    holder: FlaskClient, issued: dict[str, Any], cid: str
) -> None:
    href = _linkedin_href(assert_dutch_page(holder.get(f"/credentials/{cid}")))
    parts = urlsplit(href)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.linkedin.com", "/profile/add")
    query = {name: values for name, values in parse_qs(parts.query, strict_parsing=True).items()}
    assert all(len(values) == 1 for values in query.values())
    issued_on = dt.datetime.fromisoformat(issued["validFrom"]).astimezone(
        ZoneInfo("Europe/Amsterdam")
    )
    assert {name: values[0] for name, values in query.items()} == {
        "startTask": "CERTIFICATION_NAME",
        "name": issued["name"],
        "organizationName": issued["issuer"]["name"],
        "issueYear": str(issued_on.year),
        "issueMonth": str(issued_on.month),
        "certUrl": f"{BASE}/credentials/{cid}",
        "certId": cid,
    }
    assert "&" in issued["issuer"]["name"] and "%26" in href  # encoded, not cut in two


def test_posting_the_form_shows_an_offer_as_qr_code_with_its_pin(
    holder: FlaskClient, cid: str
) -> None:
    response = holder.post(f"/credentials/{cid}/wallet")
    body = assert_dutch_page(response)
    assert "no-store" in response.headers["Cache-Control"]
    qr = body[body.index('<svg role="img" aria-label="QR-code om dit certificaat in je wallet') :]
    assert "<title>QR-code om dit certificaat in je wallet" in qr[: qr.index("</svg>")]
    pin = "".join(PIN.search(body).groups())  # type: ignore[union-attr]
    assert "Je wallet vraagt om een pincode" in body
    assert re.search(r"geldig tot <strong>\d{1,2} \w+ \d{4} om \d\d:\d\d</strong>", body)

    link = re.search(r'href="(openid-credential-offer://\?credential_offer_uri=[^"]+)"', body)
    assert link, "no offer link"
    offer_uri = parse_qs(urlsplit(html.unescape(link.group(1))).query)["credential_offer_uri"][0]
    assert offer_uri.startswith(f"{BASE}/oid4vci/offers/")
    offer = holder.get(offer_uri.removeprefix(BASE)).get_json()
    assert offer["credential_issuer"] == BASE
    grant = offer["grants"][PRE_AUTHORIZED]
    assert (grant["tx_code"]["input_mode"], grant["tx_code"]["length"]) == ("numeric", 6)

    # The PIN on the page is the one the offer's code needs at the token endpoint.
    token = holder.post(
        "/oid4vci/token",
        data={
            "grant_type": PRE_AUTHORIZED,
            "pre-authorized_code": grant["pre-authorized_code"],
            "tx_code": pin,
        },
    )
    assert token.status_code == 200, token.get_data(as_text=True)
    assert token.get_json()["token_type"] == "Bearer"

    # The Learner Credential Wallet link names an exchange that asks for the wallet's DID.
    lcw = re.search(r'href="https://lcw\.app/request\?request=([^"]+)"', body)
    assert lcw and ">Learner Credential Wallet</a>" in body
    request = json.loads(unquote(html.unescape(lcw.group(1))))
    assert request["credentialRequestOrigin"] == BASE
    exchange = request["protocols"]["vcapi"]
    assert exchange.startswith(f"{BASE}/api/exchanges/")
    asked = holder.post(exchange.removeprefix(BASE), json={}).get_json()
    query = asked["verifiablePresentationRequest"]["query"]
    assert query[0]["type"] == "DIDAuthentication"


def test_each_post_makes_a_new_offer_with_its_own_pin(holder: FlaskClient, cid: str) -> None:
    first = assert_dutch_page(holder.post(f"/credentials/{cid}/wallet"))
    second = assert_dutch_page(holder.post(f"/credentials/{cid}/wallet"))
    offers = [
        re.search(r"credential_offer_uri=([^\"&]+)", page).group(1) for page in (first, second)
    ]  # type: ignore[union-attr]
    assert offers[0] != offers[1]


def test_a_post_by_someone_who_may_not_is_refused(
    seeded_app: Flask, other_learner: FlaskClient, cid: str
) -> None:
    body = assert_dutch_page(other_learner.post(f"/credentials/{cid}/wallet"), 404)
    assert "Pagina niet gevonden" in body and "pincode" not in body
    teacher = signed_in_client(seeded_app, "vmbo-teacher", programme="VMBO-ZW-WLC")
    assert "pincode" not in assert_dutch_page(teacher.post(f"/credentials/{cid}/wallet"), 404)
    anonymous = seeded_app.test_client()
    response = anonymous.post(f"/credentials/{cid}/wallet")
    assert response.status_code in (302, 303, 400)  # to /login, or refused without a CSRF token
    assert "pincode" not in response.get_data(as_text=True)


def test_a_revoked_credential_cannot_go_into_a_wallet(
    seeded: FlaskClient, holder: FlaskClient, cid: str
) -> None:
    revoked = seeded.post(f"/api/credentials/{cid}/revoke", json={"reason": "fout uitgegeven"})
    assert revoked.status_code == 200
    page = assert_dutch_page(holder.get(f"/credentials/{cid}"))
    assert _wallet_form(cid) not in page and "linkedin.com" not in page
    assert "kan daarom niet in een wallet" in page
    body = assert_dutch_page(holder.post(f"/credentials/{cid}/wallet"), 409)
    assert "ingetrokken of geschorst" in body and "pincode" not in body


def test_the_path_page_leads_to_the_wallet_and_the_pdf(
    holder: FlaskClient, l5: str, cid: str
) -> None:
    body = assert_dutch_page(holder.get(f"/leerlingen/{l5}"))
    assert f'href="/credentials/{cid}#wallet">In je wallet zetten' in body
    assert f'href="/credentials/{cid}.pdf"' in body
    assert 'id="wallet"' in assert_dutch_page(holder.get(f"/credentials/{cid}"))


# --- the PDF ------------------------------------------------------------------------------------


def test_the_pdf_is_public_and_a_real_pdf(seeded_app: Flask, cid: str) -> None:
    anonymous = seeded_app.test_client()
    response = anonymous.get(f"/credentials/{cid}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert response.headers["Content-Disposition"] == (f'inline; filename="certificaat-{cid}.pdf"')
    body = assert_dutch_page(anonymous.get("/credentials/bestaat-niet.pdf"), 404)
    assert "Pagina niet gevonden" in body


@pytest.fixture
def printed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The HTML each PDF is made from (no PDF text extractor is installed)."""
    documents: list[str] = []

    def capture(document: str, *args: object) -> bytes:
        documents.append(document)
        return b"%PDF-1.7 test"

    monkeypatch.setattr("app.web.wallet_pages.html_to_pdf", capture)
    return documents


def test_the_pdf_says_what_to_whom_by_whom_and_links_to_the_page(
    seeded: FlaskClient, l5: str, issued: dict[str, Any], cid: str, printed: list[str]
) -> None:
    assert seeded.get(f"/credentials/{cid}.pdf").status_code == 200
    (document,) = printed
    assert '<html lang="nl">' in document
    learner_name = seeded.get(f"/api/learners/{l5}").get_json()["name"]
    achievement = issued["credentialSubject"]["achievement"]
    text = html.unescape(re.sub(r"<[^>]+>", " ", document))
    for expected in (
        achievement["name"],
        achievement["humanCode"],
        f"Uitgereikt aan  {learner_name}",
        "Certificaat van een leereenheid",
        "NLQF 3",
        "1.200 uur",
        "VV:B1-K1-W1",
        issued["issuer"]["name"],
        cid,
        f"{BASE}/credentials/{cid}",
    ):
        assert expected in text, expected
    assert re.search(r"Status op \d{1,2} \w+ \d{4}:\s+geldig", text)
    assert '<svg role="img" aria-label="QR-code met de link naar de pagina' in document


def test_the_pdf_of_a_revoked_or_suspended_credential_says_so(
    seeded: FlaskClient, l5: str, cid: str, printed: list[str]
) -> None:
    suspended = credential_id(issue(seeded, l5, "BC-VV-B1K2"))
    reason = {"reason": "onderzoek"}
    assert seeded.post(f"/api/credentials/{suspended}/suspend", json=reason).status_code == 200
    assert seeded.post(f"/api/credentials/{cid}/revoke", json=reason).status_code == 200
    seeded.get(f"/credentials/{cid}.pdf")
    seeded.get(f"/credentials/{suspended}.pdf")
    statuses = [re.search(r'class="status bad">(\w+)<', page) for page in printed]
    assert [match.group(1) if match else None for match in statuses] == [
        "ingetrokken",
        "geschorst",
    ]


def test_without_pdf_support_the_pdf_says_to_print_from_the_browser(
    seeded: FlaskClient, cid: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unavailable(*args: object, **kwargs: object) -> bytes:
        raise PdfUnavailable("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr("app.web.wallet_pages.html_to_pdf", unavailable)
    body = assert_dutch_page(seeded.get(f"/credentials/{cid}.pdf"), 503)
    assert "Ctrl+P" in body and "Opslaan als PDF" in body and "libpango" not in body
