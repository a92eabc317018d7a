"""CSRF on the page forms: every POST form carries the token, and a post without it is a 400.

A plain test client acts here (not `SignedInClient`, which adds the token by itself): it is
signed in as an admin by putting a token principal into its session, as `/login` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.domain.access import SYSTEM, Role
from app.extensions import db
from app.services import access
from tests.helpers import ON, admin_client, credential_id, issue, learner_id
from tests.web.test_pages import assert_dutch_page
from tests.web.test_registry_pages import NEW_UNIT


@dataclass
class Form:
    page: str
    method: str
    action: str
    fields: dict[str, str] = field(default_factory=dict)


class Forms(HTMLParser):
    """The forms of a page with their named fields (the first option of a select)."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.page = page
        self.forms: list[Form] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            method = attributes.get("method", "get").lower()
            self.forms.append(Form(self.page, method, attributes.get("action") or self.page))
        elif not self.forms:
            return
        elif tag in ("input", "textarea") and attributes.get("name"):
            if attributes.get("type") not in ("checkbox", "radio") or "checked" in attributes:
                self.forms[-1].fields[attributes["name"]] = attributes.get("value", "")
        elif tag == "select":
            self._select = attributes.get("name")
        elif tag == "option" and self._select is not None:
            self.forms[-1].fields.setdefault(self._select, attributes.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def forms_of(body: str, page: str) -> list[Form]:
    parser = Forms(page)
    parser.feed(body)
    return parser.forms


def signed_in_as_admin(app: Flask) -> FlaskClient:
    """A plain client whose session belongs to a new admin token (no CSRF help)."""
    with app.app_context():
        issued = access.create_token(db.session, SYSTEM, Role.ADMIN, label="csrf test")
        db.session.remove()
    client = app.test_client()
    with client.session_transaction() as session:
        session["principal"] = f"token:{issued.info.id}"
    return client


@pytest.fixture
def pages(seeded: FlaskClient) -> list[str]:
    """Every kind of page, with the forms it shows to an admin."""
    l5 = learner_id(seeded, "DEMO-L5")
    credential = credential_id(issue(seeded, l5))
    return [
        "/",
        "/login",
        "/verifieren",
        "/registry",
        "/registry/units/BC-VV-B1K1",
        "/registry/qualifications/Q-VP",
        "/registry/units/nieuw",
        "/registry/units/BC-VP-P2K1/bewerken",
        "/vmbo",
        "/vmbo/VMBO-ZW-WLC",
        f"/leerlingen/{l5}?op={ON}",
        f"/credentials/{credential}",
        "/stagerondes/BPV-2026-VOORJAAR",
        "/stagerondes/BPV-2026-VOORJAAR/aanbod",
        *assessor_pages(seeded, l5, credential),
        *school_admin_and_vmbo_pages(seeded),
    ]


#: A page shown as the answer to a POST: the import's preview, with its confirmation form.
IMPORT_PREVIEW = "POST /beheer/import"
#: The bulk credential previews (``{BULK_PREVIEW}uitgeven <learner>``, ``…intrekken <id>``).
BULK_PREVIEW = "POST /beheer/credentials/"


def school_admin_and_vmbo_pages(seeded: FlaskClient) -> list[str]:
    """The school-admin's and vmbo-teacher's forms (school_admin/staff/import/vmbo pages)."""
    tokens = seeded.get("/api/tokens").get_json()
    accounts = seeded.post(
        "/api/accounts",
        json={
            "email": "csrf@mbo-zw.test",
            "name": "Csrf",
            "password": "lang genoeg wachtwoord",
            "role": "assessor",
            "institution": "MBO-ZW",
        },
    ).get_json()
    return [
        "/beheer/medewerkers",
        "/beheer/medewerkers/accounts/nieuw",
        "/beheer/medewerkers/tokens/nieuw",
        f"/beheer/medewerkers/accounts/{accounts['id']}/deactiveren",
        f"/beheer/medewerkers/tokens/{tokens[0]['id']}/intrekken",
        "/beheer/import",
        IMPORT_PREVIEW,
        "/registry/qualifications/nieuw",
        "/registry/qualifications/Q-VP/bewerken",
        "/registry/units/BC-VV-B1K1/verwijderen",
        "/vmbo/programmas/nieuw",
        "/vmbo/VMBO-ZW-WLC/bewerken",
        "/vmbo/VMBO-ZW-WLC/opdrachten/nieuw",
        "/vmbo/VMBO-ZW-WLC/opdrachten/VA-1/bewerken",
        "/vmbo/VMBO-ZW-WLC/koppelingen/beeindigen?opdracht=VA-1&leerresultaat=HZW:P-K1-W1",
    ]


def assessor_pages(seeded: FlaskClient, l5: str, credential: str) -> list[str]:
    """The assessor's forms (app/web/assessor_pages.py): record, withdraw, issue, status."""
    reason = {"reason": "csrf test"}
    evidence = seeded.post(
        f"/api/learners/{l5}/evidence",
        json={"outcome": "VV:B1-K1-W1", "source": "exam", "date": "2025-01-10"},
    ).get_json()["id"]
    entrustment = seeded.post(
        f"/api/learners/{l5}/entrustments",
        json={"epa": "BAZ-1", "level": 2, "date": "2025-01-10", "decided_by": "praktijk"},
    ).get_json()["id"]
    completion = seeded.post(
        f"/api/learners/{l5}/vmbo-completions",
        json={"assignment": "VA-1", "date": "2025-06-20", "assessor": "docent"},
    ).get_json()["id"]
    suspended = credential_id(issue(seeded, l5, "BC-VV-B1K2"))
    assert seeded.post(f"/api/credentials/{suspended}/suspend", json=reason).status_code == 200
    return [
        f"/leerlingen/{l5}/bewijs",
        f"/leerlingen/{l5}/bekwaamheid",
        f"/leerlingen/{l5}/vmbo-opdracht",
        f"/leerlingen/{l5}/credential-uitgeven",
        f"/leerlingen/{l5}/bewijs/{evidence}/intrekken",
        f"/leerlingen/{l5}/bekwaamheid/{entrustment}/intrekken",
        f"/leerlingen/{l5}/vmbo-opdracht/{completion}/intrekken",
        f"/credentials/{credential}/intrekken",
        f"/credentials/{credential}/schorsen",
        f"/credentials/{suspended}/herstellen",
        "/beheer/credentials/uitgeven",
        "/beheer/credentials/intrekken",
        f"{BULK_PREVIEW}uitgeven {l5}",
        f"{BULK_PREVIEW}intrekken {credential}",
    ]


def post_forms(app: Flask, client: FlaskClient, pages: list[str]) -> list[Form]:
    found = []
    for page in pages:
        if page == IMPORT_PREVIEW:
            upload = forms_of(assert_dutch_page(client.get("/beheer/import")), "/beheer/import")
            token = next(f for f in upload if f.action == "/beheer/import").fields["csrf_token"]
            data = {"tekst": '{"units": []}', "csrf_token": token}
            response = client.post("/beheer/import", data=data)
        elif page.startswith(BULK_PREVIEW):
            action, value = page.removeprefix("POST ").split(" ")
            form = forms_of(assert_dutch_page(client.get(action)), action)
            token = next(f for f in form if f.action == action).fields["csrf_token"]
            data = (
                {"tekst": f"learner,type,code\n{value},unit,AV-LB\n"}
                if action.endswith("uitgeven")
                else {"ids": value, "reason": "fout"}
            )
            response = client.post(action, data={**data, "csrf_token": token})
        else:
            response = client.get(page)
        found += forms_of(assert_dutch_page(response), page)
    return [form for form in found if form.method == "post"]


def web_post_endpoints(app: Flask) -> set[str]:
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("web.") and "POST" in (rule.methods or ())
    }


def endpoint_of(app: Flask, action: str) -> str:
    adapter = app.url_map.bind("localhost")
    endpoint, _ = adapter.match(action.split("?")[0].split("#")[0], method="POST")
    return str(endpoint)


def test_every_post_form_of_the_pages_carries_the_csrf_token(
    seeded_app: Flask, pages: list[str]
) -> None:
    client = signed_in_as_admin(seeded_app)
    forms = post_forms(seeded_app, client, pages)
    missing = [f"{f.page}: {f.action}" for f in forms if not f.fields.get("csrf_token")]
    assert not missing, missing
    # Every page that is signed in shows the logout form in its header.
    assert {f.page for f in forms if f.action == "/logout"} == set(pages)
    # The pages above hold a form for every POST route of the pages (a new one is added here).
    assert {endpoint_of(seeded_app, f.action) for f in forms} == web_post_endpoints(seeded_app)


def test_a_page_form_posted_without_its_csrf_token_is_a_400(
    seeded_app: Flask, pages: list[str]
) -> None:
    client = signed_in_as_admin(seeded_app)
    forms = post_forms(seeded_app, client, pages)
    refused: dict[str, Any] = {}
    for form in forms:
        without = {k: v for k, v in form.fields.items() if k != "csrf_token"}
        wrong = {**without, "csrf_token": "IjAwMDAi.aaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbb"}
        for name, data in (("without", without), ("wrong", wrong)):
            response = client.post(form.action, data=data)
            if response.status_code != 400 or "Ongeldige aanvraag" not in response.text:
                refused[f"{name} {form.page} → {form.action}"] = response.status_code
    assert not refused, refused

    # Nothing was written, and the session lives on (the logout form was refused as well).
    assert_dutch_page(client.get("/registry/units/nieuw"))
    unit_form = next(f for f in forms if f.action == "/registry/units/nieuw")
    assert client.post(unit_form.action, data=NEW_UNIT).status_code == 400
    assert admin_client(seeded_app).get(f"/api/units/{NEW_UNIT['code']}").status_code == 404

    # The same post with the page's token goes through: the token is what was missing.
    accepted = client.post(
        unit_form.action, data={**NEW_UNIT, "csrf_token": unit_form.fields["csrf_token"]}
    )
    assert accepted.status_code == 303, accepted.text[:500]
    assert admin_client(seeded_app).get(f"/api/units/{NEW_UNIT['code']}").status_code == 200
