"""School-admin pages through the Flask test client: qualifications, deleting a unit, staff
accounts and tokens, the import with its preview. Every form: 303 and a flash message on
success, the error summary first on a refusal, a confirmation page before what cannot be undone,
and the same scope as the API (another school's staff: 403, their accounts and tokens: 404).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import SignedInClient, signed_in_client
from tests.web.test_pages import assert_dutch_page, assert_inputs_labelled, text
from tests.web.test_registry_pages import error_at

QUALIFICATION = {
    "title": "Mbo-Verpleegkundige",
    "kind": "mbo",
    "nlqf_level": "4",
    "eqf_level": "4",
    "crebo": "",
    "institution": "MBO-ZW",
    "units": "BC-VV-B1K1\nBC-VV-B1K2\nBC-VV-B1K3\nBC-VP-P2K1\n"
    "AV-NL-3F AV-REK-3F, AV-EN-B1A2\nAV-LB",
    "electives_required_hours": "720",
    "electives_options": "VC-DEMO-03\nVC-K0210\nVC-K1006",
    "entry": "",
}


@pytest.fixture
def school_admin(seeded_app: Flask) -> SignedInClient:
    return signed_in_client(seeded_app, "school-admin", institution="MBO-ZW")


@pytest.fixture
def other_school_admin(seeded: FlaskClient, seeded_app: Flask) -> SignedInClient:
    """A school-admin of MBO-B, a second mbo school."""
    created = seeded.post(
        "/api/institutions", json={"code": "MBO-B", "name": "ROC B", "kind": "mbo"}
    )
    assert created.status_code == 201, created.get_json()
    return signed_in_client(seeded_app, "school-admin", institution="MBO-B")


def summary_links(body: str) -> list[str]:
    """The fields the error summary links to, in order; the summary precedes every form."""
    start = body.index('id="foutmeldingen"')
    assert start < body.index("<form", body.index("<main")) or "<form" not in body[start:]
    box = body[start : body.index("</div>", start)]
    return re.findall(r'<a href="#([^"]+)">', box)


def flash_after(client: FlaskClient, response: Any) -> str:
    """Follow a 303 and return the page's flash message."""
    assert response.status_code == 303, text(response)[:800]
    body = assert_dutch_page(client.get(response.headers["Location"]))
    match = re.search(r'<div class="flashed" role="status">(.*?)</div>', body, re.S)
    assert match, "no flash message"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


# --- the start page ------------------------------------------------------------------------------


def test_the_start_page_is_for_school_admins(seeded_app: Flask, school_admin: FlaskClient) -> None:
    body = assert_dutch_page(school_admin.get("/beheer"))
    assert 'href="/registry/qualifications/Q-VP/bewerken"' in body
    assert 'href="/beheer/medewerkers"' in body and 'href="/beheer/import"' in body
    assessor = signed_in_client(seeded_app, "assessor", institution="MBO-ZW")
    assert_dutch_page(assessor.get("/beheer"), 403)
    anonymous = seeded_app.test_client()
    assert anonymous.get("/beheer").status_code == 302


# --- qualifications -------------------------------------------------------------------------------


def test_editing_a_qualification_redirects_with_a_message(school_admin: FlaskClient) -> None:
    body = assert_dutch_page(school_admin.get("/registry/qualifications/Q-VP/bewerken"))
    assert_inputs_labelled(body)
    assert "BC-VV-B1K1\nBC-VV-B1K2" in body and 'value="720"' in body
    data = {**QUALIFICATION, "electives_required_hours": "240", "entry": "Q-VIG"}
    data.update({"epas-0-epa": "BAZ-1", "epas-0-min_level": "3"})
    response = school_admin.post("/registry/qualifications/Q-VP/bewerken", data=data)
    assert response.headers["Location"].endswith("/registry/qualifications/Q-VP")
    assert flash_after(school_admin, response) == "Kwalificatie Q-VP is opgeslagen."
    stored = school_admin.get("/api/qualifications/Q-VP").get_json()
    assert stored["electives"]["required_hours"] == 240
    assert stored["entry_requirements"] == {"any_qualification": ["Q-VIG"]}
    assert stored["required_epas"] == [{"epa": "BAZ-1", "min_level": 3}]
    assert stored["units"][4:7] == ["AV-NL-3F", "AV-REK-3F", "AV-EN-B1A2"]


def test_a_refused_qualification_shows_every_error_first_linked_to_its_field(
    school_admin: FlaskClient,
) -> None:
    data = {
        **QUALIFICATION,
        "units": "BC-VV-B1K1\nBC-NOPE",
        "electives_options": "BC-VP-P2K1",
        "entry": "Q-VP",
        "epas-0-epa": "",
        "epas-0-min_level": "",
        "epas-1-epa": "EPA-NOPE",
        "epas-1-min_level": "2",
    }
    response = school_admin.post("/registry/qualifications/Q-VP/bewerken", data=data)
    body = assert_dutch_page(response, 422)
    assert "<title>Fout: " in body
    assert summary_links(body) == ["units", "electives_options", "epas-1-epa", "entry"]
    assert "Er is geen leereenheid met code ‘BC-NOPE’." in error_at(body, "units")
    assert "keuzedelen moeten VC-eenheden" in error_at(body, "electives_options")
    assert "Er is geen EPA met code ‘EPA-NOPE’." in error_at(body, "epas-1-epa")
    assert "eigen toelatingseis" in error_at(body, "entry")
    assert 'value="EPA-NOPE"' in body and "BC-NOPE</textarea>" in body
    assert 'aria-invalid="true"' in body
    stored = school_admin.get("/api/qualifications/Q-VP").get_json()
    assert "BC-NOPE" not in stored["units"]


def test_a_new_qualification_and_a_duplicate_code(school_admin: FlaskClient) -> None:
    assert_inputs_labelled(assert_dutch_page(school_admin.get("/registry/qualifications/nieuw")))
    data = {**QUALIFICATION, "code": "Q-TEST", "title": "Testdiploma", "units": "BC-VV-B1K1"}
    response = school_admin.post("/registry/qualifications/nieuw", data=data)
    assert flash_after(school_admin, response) == "Kwalificatie Q-TEST is aangemaakt."
    body = assert_dutch_page(school_admin.post("/registry/qualifications/nieuw", data=data), 409)
    assert summary_links(body) == ["code"]
    assert "Er bestaat al een kwalificatie met code ‘Q-TEST’" in error_at(body, "code")


def test_another_school_may_not_change_the_qualification(
    other_school_admin: FlaskClient,
) -> None:
    response = other_school_admin.post(
        "/registry/qualifications/Q-VP/bewerken", data={**QUALIFICATION, "title": "Gekaapt"}
    )
    assert_dutch_page(response, 403)
    api = other_school_admin.get("/api/qualifications/Q-VP").get_json()
    assert api["title"] == "Mbo-Verpleegkundige"


# --- deleting a unit ------------------------------------------------------------------------------


def test_deleting_a_unit_asks_first_and_a_refusal_lists_what_refers_to_it(
    school_admin: FlaskClient,
) -> None:
    body = assert_dutch_page(school_admin.get("/registry/units/BC-VV-B1K1/verwijderen"))
    assert "Wat er gebeurt" in body and "kan niet ongedaan worden gemaakt" in body
    assert 'action="/registry/units/BC-VV-B1K1/verwijderen"' in body
    response = school_admin.post("/registry/units/BC-VV-B1K1/verwijderen")
    body = assert_dutch_page(response, 409)
    assert body.index('id="foutmeldingen"') < body.index('id="verwijzingen"')
    assert "is niet verwijderd: er wordt nog naar verwezen" in body
    references = body[body.index('id="verwijzingen"') :]
    assert 'href="/registry/qualifications/Q-VP"' in references
    assert "BC-VP-P2K1 vereist BC-VV-B1K1" in references
    assert "ln-" not in references  # a learner's evidence is counted, never named
    assert 'class="danger"' not in body  # nothing to confirm while it is refused
    assert school_admin.get("/api/units/BC-VV-B1K1").status_code == 200


def test_deleting_an_unused_unit_redirects_to_the_registry(school_admin: FlaskClient) -> None:
    unit = {"code": "BC-WEG-1", "kind": "BC", "title": "Weg ermee", "study_load_hours": 40}
    unit["outcomes"] = [{"code": "WEG:1", "title": "Iets"}]
    assert school_admin.post("/api/units", json=unit).status_code == 201
    response = school_admin.post("/registry/units/BC-WEG-1/verwijderen")
    assert response.headers["Location"].endswith("/registry")
    assert flash_after(school_admin, response) == "Leereenheid BC-WEG-1 (Weg ermee) is verwijderd."
    assert school_admin.get("/api/units/BC-WEG-1").status_code == 404
    assert_dutch_page(school_admin.get("/registry/units/BC-WEG-1/verwijderen"), 404)


def test_a_refused_prerequisite_puts_the_summary_at_the_top(school_admin: FlaskClient) -> None:
    response = school_admin.post(
        "/registry/units/BC-VV-B1K1/vereisten", data={"requires": "BC-VP-P2K1"}
    )
    body = assert_dutch_page(response, 409)
    assert summary_links(body) == ["requires"]
    assert body.index('id="foutmeldingen"') < body.index('<form class="card unit-form"')
    assert "kringloop" in body[body.index('id="foutmeldingen"') :][:600]


# --- staff accounts and tokens --------------------------------------------------------------------

ACCOUNT = {
    "name": "Eva Examinator",
    "email": "eva@mbo-zw.test",
    "password": "lang-genoeg-wachtwoord",
    "role": "assessor",
}


def test_staff_accounts_are_created_with_prg_and_refused_with_a_summary(
    school_admin: FlaskClient, other_school_admin: FlaskClient
) -> None:
    body = assert_dutch_page(school_admin.get("/beheer/medewerkers/accounts/nieuw"))
    assert_inputs_labelled(body)
    response = school_admin.post("/beheer/medewerkers/accounts/nieuw", data=ACCOUNT)
    message = flash_after(school_admin, response)
    assert message == "Account voor Eva Examinator (eva@mbo-zw.test, examinator) is aangemaakt."
    listed = assert_dutch_page(school_admin.get("/beheer/medewerkers"))
    assert "eva@mbo-zw.test" in listed
    assert "eva@mbo-zw.test" not in text(other_school_admin.get("/beheer/medewerkers"))

    short = {**ACCOUNT, "email": "kort@mbo-zw.test", "password": "kort"}
    body = assert_dutch_page(
        school_admin.post("/beheer/medewerkers/accounts/nieuw", data=short), 422
    )
    assert summary_links(body) == ["password"]
    assert 'value="kort"' not in body  # a password is never sent back
    body = assert_dutch_page(
        school_admin.post("/beheer/medewerkers/accounts/nieuw", data=ACCOUNT), 409
    )
    assert summary_links(body) == ["email"]
    admin = {**ACCOUNT, "email": "baas@mbo-zw.test", "role": "admin"}
    body = assert_dutch_page(
        school_admin.post("/beheer/medewerkers/accounts/nieuw", data=admin), 403
    )
    assert summary_links(body) == ["role"]


def test_deactivating_an_account_asks_first_and_is_scoped(
    school_admin: FlaskClient, other_school_admin: FlaskClient
) -> None:
    school_admin.post("/beheer/medewerkers/accounts/nieuw", data=ACCOUNT)
    account = next(
        a for a in school_admin.get("/api/accounts").get_json() if a["email"] == ACCOUNT["email"]
    )
    url = f"/beheer/medewerkers/accounts/{account['id']}/deactiveren"
    assert_dutch_page(other_school_admin.get(url), 404)
    assert_dutch_page(other_school_admin.post(url), 404)
    body = assert_dutch_page(school_admin.get(url))
    assert "kan niet meer inloggen" in body and f'action="{url}"' in body
    message = flash_after(school_admin, school_admin.post(url))
    assert message == "Account van Eva Examinator (eva@mbo-zw.test) is gedeactiveerd."
    account = next(
        a for a in school_admin.get("/api/accounts").get_json() if a["id"] == account["id"]
    )
    assert account["active"] is False


def test_a_token_is_shown_once_and_revoked_after_confirmation(
    seeded_app: Flask, school_admin: FlaskClient, other_school_admin: FlaskClient
) -> None:
    assert_inputs_labelled(assert_dutch_page(school_admin.get("/beheer/medewerkers/tokens/nieuw")))
    data = {"label": "koppeling LVS", "role": "assessor", "expires_days": "30"}
    response = school_admin.post("/beheer/medewerkers/tokens/nieuw", data=data)
    body = assert_dutch_page(response, 201)
    assert response.headers["Cache-Control"] == "no-store"
    secret = re.search(r'id="token" type="text" readonly value="([^"]+)"', body)
    assert secret
    program = seeded_app.test_client()
    me = program.get("/api/me", headers={"Authorization": f"Bearer {secret.group(1)}"})
    assert me.status_code == 200 and me.get_json()["role"] == "assessor"
    listed = assert_dutch_page(school_admin.get("/beheer/medewerkers"))
    assert "koppeling LVS" in listed and secret.group(1) not in listed

    token = next(
        t for t in school_admin.get("/api/tokens").get_json() if t["label"] == "koppeling LVS"
    )
    url = f"/beheer/medewerkers/tokens/{token['id']}/intrekken"
    assert_dutch_page(other_school_admin.get(url), 404)
    assert "werkt vanaf nu niet meer" in assert_dutch_page(school_admin.get(url))
    assert (
        flash_after(school_admin, school_admin.post(url)) == f"Token {token['id']} is ingetrokken."
    )
    assert (
        program.get("/api/me", headers={"Authorization": f"Bearer {secret.group(1)}"}).status_code
        == 401
    )
    assert flash_after(school_admin, school_admin.post(url)).endswith("was al ingetrokken.")

    body = assert_dutch_page(
        school_admin.post(
            "/beheer/medewerkers/tokens/nieuw", data={**data, "expires_days": "nooit"}
        ),
        422,
    )
    assert summary_links(body) == ["expires_days"]


def test_staff_pages_are_for_school_admins_and_admins(seeded_app: Flask) -> None:
    teacher = signed_in_client(seeded_app, "vmbo-teacher", programme="VMBO-ZW-WLC")
    for url in ("/beheer/medewerkers", "/beheer/medewerkers/accounts/nieuw"):
        assert_dutch_page(teacher.get(url), 403)
    assert_dutch_page(teacher.post("/beheer/medewerkers/accounts/nieuw", data=ACCOUNT), 403)


def test_a_form_without_its_csrf_token_writes_nothing(school_admin: FlaskClient) -> None:
    response = school_admin.post(
        "/registry/qualifications/Q-VP/bewerken",
        data="title=Zonder+token&kind=mbo",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert school_admin.get("/api/qualifications/Q-VP").get_json()["title"] == "Mbo-Verpleegkundige"


# --- the import ----------------------------------------------------------------------------------

DOCUMENT = {
    "units": [
        {
            "code": "VC-IMPORT-1",
            "kind": "VC",
            "title": "Geïmporteerd keuzedeel",
            "study_load_hours": 240,
            "outcomes": [{"code": "IMP:1", "title": "Een resultaat"}],
        }
    ],
    "qualifications": [
        {
            "code": "Q-IMPORT",
            "title": "Importdiploma",
            "kind": "mbo",
            "units": ["BC-VV-B1K1"],
            "electives": {"required_hours": 240, "options": ["VC-IMPORT-1"]},
        }
    ],
}


def test_an_import_shows_what_will_change_and_writes_only_when_confirmed(
    school_admin: FlaskClient,
) -> None:
    assert_dutch_page(school_admin.get("/beheer/import"))
    response = school_admin.post("/beheer/import", data={"tekst": json.dumps(DOCUMENT)})
    body = assert_dutch_page(response)
    assert "Voorbeeld: wat de import verandert" in body and "Er is nog niets geschreven" in body
    row = re.search(r"<th scope=\"row\">Leereenheden</th>(.*?)</tr>", body, re.S)
    assert row and "VC-IMPORT-1" in row.group(1)
    assert school_admin.get("/api/units/VC-IMPORT-1").status_code == 404  # a dry run

    fields = dict(
        re.findall(r'<input type="hidden" name="(document|digest)" value="([^"]*)"', body)
    )
    fields = {
        k: v.replace("&#34;", '"').replace("&amp;", "&").replace("&#39;", "'")
        for k, v in fields.items()
    }
    tampered = {**fields, "document": fields["document"].replace("Importdiploma", "Ander diploma")}
    refused = assert_dutch_page(school_admin.post("/beheer/import/bevestigen", data=tampered), 422)
    assert summary_links(refused) == ["bestand"]
    assert school_admin.get("/api/qualifications/Q-IMPORT").status_code == 404

    response = school_admin.post("/beheer/import/bevestigen", data=fields)
    assert (
        flash_after(school_admin, response) == "Geïmporteerd: 2 nieuw, 0 gewijzigd, 0 ongewijzigd."
    )
    assert school_admin.get("/api/qualifications/Q-IMPORT").get_json()["title"] == "Importdiploma"
    again = assert_dutch_page(
        school_admin.post("/beheer/import", data={"tekst": json.dumps(DOCUMENT)})
    )
    assert re.search(r'data-label="Ongewijzigd">1</td>', again)


def test_a_refused_import_lists_its_errors_at_the_upload_field(school_admin: FlaskClient) -> None:
    bad = {
        "units": [{**DOCUMENT["units"][0], "study_load_hours": 0}],
        "qualifications": [{**DOCUMENT["qualifications"][0], "units": ["BC-NOPE"]}],
    }
    body = assert_dutch_page(
        school_admin.post("/beheer/import", data={"tekst": json.dumps(bad)}), 422
    )
    assert set(summary_links(body)) == {"tekst"}
    messages = error_at(body, "tekst")
    assert "units/0/study_load_hours" in messages and "BC-NOPE" in messages
    body = assert_dutch_page(
        school_admin.post("/beheer/import", data={"tekst": "{niet: json"}), 422
    )
    assert "geen geldige JSON" in error_at(body, "tekst")
    body = assert_dutch_page(school_admin.post("/beheer/import", data={}), 422)
    assert summary_links(body) == ["bestand"]


def test_an_import_file_is_uploaded(school_admin: FlaskClient) -> None:
    import io

    upload = (io.BytesIO(json.dumps(DOCUMENT).encode()), "kwalificatie.json")
    response = school_admin.post(
        "/beheer/import", data={"bestand": upload}, content_type="multipart/form-data"
    )
    assert "VC-IMPORT-1" in assert_dutch_page(response)


def test_the_import_is_for_school_admins_and_admins(seeded_app: Flask) -> None:
    assessor = signed_in_client(seeded_app, "assessor", institution="MBO-ZW")
    assert_dutch_page(assessor.get("/beheer/import"), 403)
    assert_dutch_page(assessor.post("/beheer/import", data={"tekst": json.dumps(DOCUMENT)}), 403)
