"""The assessor's pages: every form, post/redirect/get, refusals, CSRF and scope.

An assessor of MBO-ZW (the demo learners' school) records evidence, entrustments and vmbo
completions, withdraws them, issues credentials and changes their status; what the pages did
is checked through the JSON API. An assessor of another school sees none of it (404), a
learner and a school-admin may look at the learner but not use these pages (403).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.domain.access import SYSTEM, Role
from app.extensions import db
from app.services import access
from app.web.form_flow import confirm_page, done, field_error, refused
from tests.helpers import credential_id, issue, learner_id, signed_in_client
from tests.web.test_pages import assert_dutch_page

SUMMARY = re.compile(r'<div class="notice error error-summary" role="alert".*?</div>', re.S)


@pytest.fixture
def assessor(seeded_app: Flask, seeded: FlaskClient) -> FlaskClient:
    seeded.get("/api/learners")  # the admin's token first: the database exists
    return signed_in_client(seeded_app, "assessor", institution="MBO-ZW")


@pytest.fixture
def other_assessor(seeded_app: Flask, seeded: FlaskClient) -> FlaskClient:
    """An assessor of another mbo school, MBO-B."""
    created = seeded.post(
        "/api/institutions", json={"code": "MBO-B", "name": "ROC B", "kind": "mbo"}
    )
    assert created.status_code == 201, created.get_json()
    return signed_in_client(seeded_app, "assessor", institution="MBO-B")


@pytest.fixture
def l5(seeded: FlaskClient) -> str:
    return learner_id(seeded, "DEMO-L5")


def missing_outcomes(api: FlaskClient, learner: str, qualification: str = "Q-VP") -> list[str]:
    """The outcomes the learner's path still misses, in study order."""
    path = api.get(f"/api/learners/{learner}/path?qualification={qualification}").get_json()
    return [code for unit in path["remaining_units"] for code in unit["missing_outcomes"]]


def evidence_of(api: FlaskClient, learner: str) -> list[dict[str, Any]]:
    return api.get(f"/api/learners/{learner}/evidence?limit=500").get_json()["items"]  # type: ignore[no-any-return]


def summary_of(body: str) -> str:
    found = SUMMARY.search(body)
    assert found, "no error summary"
    return found.group(0)


def follow(client: FlaskClient, response: Any) -> str:
    """The page a 303 leads to (post/redirect/get)."""
    assert response.status_code == 303, response.get_data(as_text=True)[:800]
    return assert_dutch_page(client.get(response.headers["Location"]))


# --- the learner list and the staff page ------------------------------------------------------


def test_the_learner_list_searches_the_learners_of_the_school(
    assessor: FlaskClient, other_assessor: FlaskClient, l5: str
) -> None:
    body = assert_dutch_page(assessor.get("/beheer/leerlingen"))
    assert f"/leerlingen/{l5}/beheer" in body
    found = assert_dutch_page(assessor.get("/beheer/leerlingen?q=DEMO-L5"))  # a student number
    assert f"/leerlingen/{l5}/beheer" in found and found.count('/beheer"') == 1
    assert "Geen leerlingen gevonden" in assert_dutch_page(assessor.get("/beheer/leerlingen?q=zzz"))
    elsewhere = assert_dutch_page(other_assessor.get("/beheer/leerlingen"))
    assert l5 not in elsewhere and "Geen leerlingen gevonden" in elsewhere


def test_the_staff_page_shows_the_record_and_links_every_form(
    assessor: FlaskClient, l5: str
) -> None:
    body = assert_dutch_page(assessor.get(f"/leerlingen/{l5}/beheer"))
    for path in ("bewijs", "bekwaamheid", "vmbo-opdracht", "credential-uitgeven"):
        assert f'/leerlingen/{l5}/{path}"' in body
    assert 'Bewijs <span class="muted">' in body and "/bewijs/" in body  # seeded evidence
    # The learner's page links here for staff.
    assert f"/leerlingen/{l5}/beheer" in assessor.get(f"/leerlingen/{l5}").get_data(as_text=True)


# --- evidence -----------------------------------------------------------------------------------


def test_the_evidence_form_groups_the_outcomes_by_unit(assessor: FlaskClient, l5: str) -> None:
    body = assert_dutch_page(assessor.get(f"/leerlingen/{l5}/bewijs"))
    assert 'name="csrf_token"' in body and "foutmeldingen" not in body
    assert 'id="outcomes"' in body
    assert re.search(r'<legend><span class="code">BC-VV-B1K1</span>', body)
    assert 'type="checkbox" id="outcome-VV:B1-K1-W1" name="outcomes" value="VV:B1-K1-W1"' in body
    for source in ("exam", "evc", "formative"):
        assert f'<option value="{source}"' in body
    for field in ("date", "assessor", "note"):
        assert f'<label for="{field}"' in body


def test_recording_evidence_redirects_and_the_path_counts_it(
    assessor: FlaskClient, seeded: FlaskClient, l5: str
) -> None:
    wanted = missing_outcomes(seeded, l5)[:2]
    assert len(wanted) == 2
    before = len(evidence_of(seeded, l5))
    response = assessor.post(
        f"/leerlingen/{l5}/bewijs",
        data={
            "outcomes": wanted,
            "source": "exam",
            "date": "2025-01-10",
            "assessor": "J. de Vries",
            "note": "praktijkexamen",
        },
    )
    assert response.headers["Location"].endswith(f"/leerlingen/{l5}")
    page = follow(assessor, response)
    assert "Bewijs vastgelegd voor 2 leerresultaten" in page and 'role="status"' in page
    # shown once (a flash message)
    assert "Bewijs vastgelegd" not in assessor.get(f"/leerlingen/{l5}").get_data(as_text=True)
    recorded = evidence_of(seeded, l5)
    assert len(recorded) == before + 2
    assert {e["outcome"] for e in recorded[-2:]} == set(wanted)
    assert all(e["recorded_by"].startswith("token:") for e in recorded[-2:])
    assert not set(wanted) & set(missing_outcomes(seeded, l5))


def test_refused_evidence_is_a_422_with_the_summary_first(
    assessor: FlaskClient, seeded: FlaskClient, l5: str
) -> None:
    before = len(evidence_of(seeded, l5))
    response = assessor.post(
        f"/leerlingen/{l5}/bewijs", data={"source": "exam", "date": "1800-01-01", "note": "x"}
    )
    body = assert_dutch_page(response, 422)
    summary = summary_of(body)
    assert 'id="foutmeldingen"' in summary and 'tabindex="-1"' in summary
    assert '<a href="#date">Datum: ' in summary and '<a href="#outcomes">' in summary
    # the summary comes before the form, the fields say what is wrong
    assert body.index("foutmeldingen") < body.index('<form class="card" method="post"')
    assert re.search(r'<input id="date"[^>]*aria-describedby="date-hulp date-fout"', body)
    assert re.search(r'<input id="date"[^>]*aria-invalid="true"', body)
    assert "/static/form-errors.js" in body and "<title>Fout: " in body
    assert 'value="x"' not in body and ">x</textarea>" in body  # what was typed stays
    # an unknown outcome and a date in the future, named in Dutch
    response = assessor.post(
        f"/leerlingen/{l5}/bewijs",
        data={"outcomes": ["NOPE:1"], "source": "exam", "date": "2199-01-01"},
    )
    summary = summary_of(assert_dutch_page(response, 422))
    assert "Er is geen leerresultaat met code ‘NOPE:1’." in summary
    assert "ligt in de toekomst" in summary
    assert len(evidence_of(seeded, l5)) == before


def test_evidence_without_a_csrf_token_is_a_400_and_nothing_is_recorded(
    seeded_app: Flask, seeded: FlaskClient, l5: str
) -> None:
    with seeded_app.app_context():
        issued = access.create_token(db.session, SYSTEM, Role.ASSESSOR, institution="MBO-ZW")
        db.session.remove()
    plain = seeded_app.test_client()
    with plain.session_transaction() as session:
        session["principal"] = f"token:{issued.info.id}"
    before = len(evidence_of(seeded, l5))
    for token in (None, "IjAwMDAi.aaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbb"):
        data = {"outcomes": "VV:B1-K1-W1", "source": "exam", "date": "2025-01-10"}
        if token:
            data["csrf_token"] = token
        response = plain.post(f"/leerlingen/{l5}/bewijs", data=data)
        assert response.status_code == 400
    assert len(evidence_of(seeded, l5)) == before


# --- entrustments and vmbo completions ----------------------------------------------------------


def test_an_entrustment_is_recorded_with_its_level(
    assessor: FlaskClient, seeded: FlaskClient, l5: str
) -> None:
    body = assert_dutch_page(assessor.get(f"/leerlingen/{l5}/bekwaamheid"))
    assert 'type="radio" id="level-5" name="level" value="5"' in body
    assert re.search(r"<span>4 – \w", body)  # each level with its Dutch description
    refused_page = assessor.post(
        f"/leerlingen/{l5}/bekwaamheid", data={"epa": "BAZ-1", "level": "9", "date": "2025-01-10"}
    )
    summary = summary_of(assert_dutch_page(refused_page, 422))
    assert '<a href="#level">' in summary and '<a href="#decided_by">' in summary
    response = assessor.post(
        f"/leerlingen/{l5}/bekwaamheid",
        data={"epa": "BAZ-1", "level": "3", "date": "2025-01-10", "decided_by": "praktijkopleider"},
    )
    assert response.headers["Location"].endswith(f"/leerlingen/{l5}/beheer#bekwaamheid")
    assert "EPA BAZ-1 op niveau 3" in follow(assessor, response)
    items = seeded.get(f"/api/learners/{l5}/entrustments?limit=500").get_json()["items"]
    assert any(e["epa"] == "BAZ-1" and e["level"] == 3 for e in items)


def test_a_vmbo_completion_credits_its_outcomes(
    assessor: FlaskClient, seeded: FlaskClient, l5: str
) -> None:
    body = assert_dutch_page(assessor.get(f"/leerlingen/{l5}/vmbo-opdracht"))
    assert '<option value="VA-1"' in body and "<optgroup" in body
    unknown = assessor.post(
        f"/leerlingen/{l5}/vmbo-opdracht",
        data={"assignment": "VA-NOPE", "date": "2025-06-20", "assessor": "docent"},
    )
    assert "Er is geen vmbo-opdracht met code ‘VA-NOPE’." in summary_of(
        assert_dutch_page(unknown, 422)
    )
    response = assessor.post(
        f"/leerlingen/{l5}/vmbo-opdracht",
        data={"assignment": "VA-1", "date": "2025-06-20", "assessor": "docent"},
    )
    assert "vmbo-opdracht VA-1 vastgelegd" in follow(assessor, response)
    items = seeded.get(f"/api/learners/{l5}/vmbo-completions?limit=500").get_json()["items"]
    assert [c["assignment"] for c in items].count("VA-1") >= 1


# --- withdrawals ----------------------------------------------------------------------------------


def test_withdrawing_evidence_asks_first_and_needs_a_reason(
    assessor: FlaskClient, seeded: FlaskClient, l5: str
) -> None:
    created = seeded.post(
        f"/api/learners/{l5}/evidence",
        json={"outcome": "VV:B1-K1-W1", "source": "exam", "date": "2025-01-10"},
    ).get_json()
    url = f"/leerlingen/{l5}/bewijs/{created['id']}/intrekken"
    page = assert_dutch_page(assessor.get(url))
    assert "Wat er gebeurt" in page and 'class="danger"' in page and "Annuleren" in page
    assert 'name="csrf_token"' in page and '<label for="reason">' in page
    assert not evidence_of(seeded, l5)[-1]["withdrawn"]  # a GET changes nothing
    summary = summary_of(assert_dutch_page(assessor.post(url, data={"reason": ""}), 422))
    assert '<a href="#reason">Reden: ' in summary
    done_page = follow(assessor, assessor.post(url, data={"reason": "verkeerde leerling"}))
    assert "Ingetrokken: bewijs voor VV:B1-K1-W1" in done_page
    withdrawn = next(e for e in evidence_of(seeded, l5) if e["id"] == created["id"])
    assert withdrawn["withdrawn"] and withdrawn["withdrawn_reason"] == "verkeerde leerling"
    again = assessor.post(url, data={"reason": "nog eens"})
    assert "Dit is al ingetrokken." in summary_of(assert_dutch_page(again, 409))


def test_withdrawing_an_entrustment_and_a_completion(
    assessor: FlaskClient, seeded: FlaskClient, l5: str
) -> None:
    entrustment = seeded.post(
        f"/api/learners/{l5}/entrustments",
        json={"epa": "BAZ-2", "level": 2, "date": "2025-01-10", "decided_by": "praktijk"},
    ).get_json()["id"]
    completion = seeded.post(
        f"/api/learners/{l5}/vmbo-completions",
        json={"assignment": "VA-2", "date": "2025-06-20", "assessor": "docent"},
    ).get_json()["id"]
    for kind, item, listing in (
        ("bekwaamheid", entrustment, "entrustments"),
        ("vmbo-opdracht", completion, "vmbo-completions"),
    ):
        url = f"/leerlingen/{l5}/{kind}/{item}/intrekken"
        assert_dutch_page(assessor.get(url))
        follow(assessor, assessor.post(url, data={"reason": "test"}))
        items = seeded.get(f"/api/learners/{l5}/{listing}?limit=500").get_json()["items"]
        assert next(i for i in items if i["id"] == item)["withdrawn"]


# --- credentials ----------------------------------------------------------------------------------


def test_only_what_is_earned_is_offered_and_issued(
    assessor: FlaskClient, seeded: FlaskClient, l5: str
) -> None:
    body = assert_dutch_page(assessor.get(f"/leerlingen/{l5}/credential-uitgeven"))
    offered = set(re.findall(r'name="achievement" value="([^"]+)"', body))
    assert "unit:BC-VV-B1K1" in offered
    unfinished = {
        u["unit"]
        for u in seeded.get(f"/api/learners/{l5}/path?qualification=Q-VP").get_json()[
            "remaining_units"
        ]
    }
    assert unfinished and not {f"unit:{code}" for code in unfinished} & offered
    assert "qualification:Q-VP" not in offered
    response = assessor.post(
        f"/leerlingen/{l5}/credential-uitgeven", data={"achievement": "unit:BC-VV-B1K1"}
    )
    page = follow(assessor, response)
    assert "Credential uitgegeven voor leereenheid BC-VV-B1K1." in page
    issued = seeded.get(f"/api/learners/{l5}/credentials").get_json()["items"]
    assert [c["code"] for c in issued] == ["BC-VV-B1K1"]
    # issued now: no longer offered, listed as held
    again = assert_dutch_page(assessor.get(f"/leerlingen/{l5}/credential-uitgeven"))
    assert 'value="unit:BC-VV-B1K1"' not in again and "Al uitgegeven" in again
    # something not earned is refused with the reason, nothing is issued
    not_earned = sorted(unfinished)[0]
    refused_page = assessor.post(
        f"/leerlingen/{l5}/credential-uitgeven", data={"achievement": f"unit:{not_earned}"}
    )
    assert "nog niet behaald" in summary_of(assert_dutch_page(refused_page, 409))
    nothing = assessor.post(f"/leerlingen/{l5}/credential-uitgeven", data={})
    assert '<a href="#achievement">' in summary_of(assert_dutch_page(nothing, 422))
    assert len(seeded.get(f"/api/learners/{l5}/credentials").get_json()["items"]) == 1


def test_revoking_a_credential_asks_first_then_it_verifies_as_revoked(
    assessor: FlaskClient, seeded: FlaskClient, l5: str
) -> None:
    document = issue(seeded, l5)
    credential = credential_id(document)
    url = f"/credentials/{credential}/intrekken"
    page = assert_dutch_page(assessor.get(url))
    assert "Credential intrekken" in page and "voorgoed" in page
    assert re.search(r'<button type="submit" class="danger">Bevestigen', page)
    assert f'action="{url}"' in page and 'name="csrf_token"' in page
    assert seeded.get(f"/api/credentials/{credential}/status").get_json()["status"] == "active"
    assert_dutch_page(assessor.post(url, data={"reason": ""}), 422)
    done_page = follow(assessor, assessor.post(url, data={"reason": "ten onrechte uitgegeven"}))
    assert "Credential BC-VV-B1K1 is ingetrokken." in done_page
    status = seeded.get(f"/api/credentials/{credential}/status").get_json()
    assert status["status"] == "revoked"
    assert status["history"][-1]["reason"] == "ten onrechte uitgegeven"
    checks = {
        c["check"]: c["ok"] for c in seeded.post("/api/verify", json=document).get_json()["checks"]
    }
    assert checks["proof"] and not checks["status"]
    twice = assessor.post(url, data={"reason": "nog eens"})
    assert "al ingetrokken" in summary_of(assert_dutch_page(twice, 409))


def test_suspending_and_lifting_a_suspension(
    assessor: FlaskClient, seeded: FlaskClient, l5: str
) -> None:
    credential = credential_id(issue(seeded, l5))
    follow(
        assessor, assessor.post(f"/credentials/{credential}/schorsen", data={"reason": "onderzoek"})
    )
    assert seeded.get(f"/api/credentials/{credential}/status").get_json()["suspended"]
    staff_page = assert_dutch_page(assessor.get(f"/leerlingen/{l5}/beheer"))
    assert f"/credentials/{credential}/herstellen" in staff_page
    follow(
        assessor, assessor.post(f"/credentials/{credential}/herstellen", data={"reason": "klaar"})
    )
    assert seeded.get(f"/api/credentials/{credential}/status").get_json()["status"] == "active"


# --- who may use these pages ----------------------------------------------------------------------


def test_an_assessor_of_another_school_finds_nothing(
    other_assessor: FlaskClient, seeded: FlaskClient, l5: str
) -> None:
    credential = credential_id(issue(seeded, l5))
    before = len(evidence_of(seeded, l5))
    for url in (
        f"/leerlingen/{l5}/beheer",
        f"/leerlingen/{l5}/bewijs",
        f"/leerlingen/{l5}/bekwaamheid",
        f"/leerlingen/{l5}/credential-uitgeven",
        f"/credentials/{credential}/intrekken",
    ):
        assert other_assessor.get(url).status_code == 404, url
    posted = other_assessor.post(
        f"/leerlingen/{l5}/bewijs",
        data={"outcomes": "VV:B1-K1-W1", "source": "exam", "date": "2025-01-10"},
    )
    assert posted.status_code == 404
    revoke = other_assessor.post(f"/credentials/{credential}/intrekken", data={"reason": "x"})
    assert revoke.status_code == 404
    assert len(evidence_of(seeded, l5)) == before
    assert seeded.get(f"/api/credentials/{credential}/status").get_json()["status"] == "active"


@pytest.mark.parametrize("role", ["learner", "school-admin"])
def test_a_learner_or_school_admin_cannot_use_these_pages(
    seeded_app: Flask, seeded: FlaskClient, l5: str, role: str
) -> None:
    binding = {"learner": l5} if role == "learner" else {"institution": "MBO-ZW"}
    client = signed_in_client(seeded_app, role, **binding)
    credential = credential_id(issue(seeded, l5))
    before = len(evidence_of(seeded, l5))
    for url in (f"/leerlingen/{l5}/beheer", f"/leerlingen/{l5}/bewijs"):
        assert_dutch_page(client.get(url), 403)
    assert client.get(f"/credentials/{credential}/intrekken").status_code == 403
    posted = client.post(
        f"/leerlingen/{l5}/bewijs",
        data={"outcomes": "VV:B1-K1-W1", "source": "exam", "date": "2025-01-10"},
    )
    assert posted.status_code == 403
    assert len(evidence_of(seeded, l5)) == before
    assert client.get("/beheer/leerlingen").status_code == (403 if role == "learner" else 200)


def test_nobody_signed_in_is_sent_to_the_login_page(seeded_app: Flask, l5: str) -> None:
    response = seeded_app.test_client().get(f"/leerlingen/{l5}/bewijs")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- the conventions themselves -----------------------------------------------------------------


def test_refused_done_and_confirm_page_follow_the_conventions(seeded_app: Flask) -> None:
    with seeded_app.test_request_context("/"):
        errors = [field_error("date", "Datum: kies een datum."), field_error(None, "Algemeen.")]
        page, status = refused(
            "web/confirm.html",
            errors,
            title="T",
            action="/x",
            cancel_url="/",
            consequences=[],
            button="B",
            hidden={},
        )
        assert status == 422
        assert '<a href="#date">Datum: kies een datum.</a>' in page and "<li>Algemeen.</li>" in page
        response = done("/ergens", "Gelukt.")
        assert response.status_code == 303 and response.headers["Location"] == "/ergens"
        html, code = confirm_page(
            title="Iets verwijderen",
            action="/weg",
            cancel_url="/terug",
            consequences=["Het is daarna weg."],
            hidden={"code": "A1"},
        )
        assert code == 200 and "Het is daarna weg." in html
        assert 'name="code" value="A1"' in html and 'href="/terug">Annuleren' in html
