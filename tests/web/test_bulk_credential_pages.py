"""The bulk credential pages: preview, issue (all or nothing, or partial), revoke, a job."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.config import TestConfig
from app.domain.access import SYSTEM
from app.extensions import db
from app.services.seeding import load_seed
from app.web import bulk_credential_pages
from tests.api._registry import dispose
from tests.helpers import admin_client, learner_id, signed_in_client

ISSUE, REVOKE = "/beheer/credentials/uitgeven", "/beheer/credentials/intrekken"


def csv_of(*rows: tuple[str, str]) -> str:
    return "learner,type,code\n" + "".join(f"{learner},unit,{code}\n" for learner, code in rows)


def held_total(client: FlaskClient, learner: str) -> int:
    return int(client.get(f"/api/learners/{learner}/credentials").get_json()["total"])


def credential_ids(html: str) -> list[str]:
    return re.findall(r'href="/credentials/([0-9a-f-]{36})"', html)


@pytest.fixture
def assessor(seeded: FlaskClient) -> FlaskClient:
    return signed_in_client(seeded.application, "assessor", institution="MBO-ZW")


def test_the_preview_shows_each_rows_status_in_dutch_and_writes_nothing(
    seeded: FlaskClient, assessor: FlaskClient, l5: str
) -> None:
    form = assessor.get(ISSUE)
    assert form.status_code == 200 and "Voorbeeld bekijken" in form.text
    before = held_total(seeded, l5)
    text = csv_of((l5, "AV-LB"), (l5, "BC-VP-P2K1"), ("ln-niemand", "AV-LB"))
    preview = assessor.post(ISSUE, data={"tekst": text})
    assert preview.status_code == 200
    page = preview.text
    assert "Wordt uitgegeven" in page and "Nog niet behaald" in page and "Fout" in page
    assert "Ontbreekt: leerresultaten VP:P2-K1-W1" in page
    assert "Alleen de 1 regels die kunnen" in page  # the partial checkbox
    assert held_total(seeded, l5) == before


def test_issuing_is_all_or_nothing_unless_only_the_good_rows_are_chosen(
    seeded: FlaskClient, assessor: FlaskClient, l5: str
) -> None:
    before = held_total(seeded, l5)
    text = csv_of((l5, "AV-LB"), (l5, "BC-VP-P2K1"))
    refused = assessor.post(f"{ISSUE}/bevestigen", data={"tekst": text})
    assert refused.status_code == 409 and "Er is niets uitgegeven" in refused.text
    assert held_total(seeded, l5) == before
    done = assessor.post(f"{ISSUE}/bevestigen", data={"tekst": text, "gedeeltelijk": "ja"})
    assert done.status_code == 201 and "Uitgegeven" in done.text
    [credential] = credential_ids(done.text)
    assert held_total(seeded, l5) == before + 1
    assert seeded.get(f"/credentials/{credential}").status_code == 200


def test_issuing_every_good_row_links_the_credentials(
    seeded: FlaskClient, assessor: FlaskClient, l5: str
) -> None:
    text = csv_of((l5, "AV-LB"), (l5, "AV-NL-2F"))
    done = assessor.post(f"{ISSUE}/bevestigen", data={"tekst": text})
    assert done.status_code == 201 and "Klaar: credentials uitgegeven" in done.text
    assert len(set(credential_ids(done.text))) == 2


def test_a_bad_csv_is_refused_in_dutch_at_its_field(assessor: FlaskClient, l5: str) -> None:
    response = assessor.post(ISSUE, data={"tekst": "learner,code\nx,y\n"})
    assert response.status_code == 422
    assert "De kopregel moet learner,type,code zijn; er ontbreekt: type." in response.text
    empty = assessor.post(ISSUE, data={"tekst": ""})
    assert empty.status_code == 422 and "Kies een CSV-bestand" in empty.text


def test_revoking_in_bulk_previews_then_revokes(
    seeded: FlaskClient, assessor: FlaskClient, l5: str
) -> None:
    done = assessor.post(f"{ISSUE}/bevestigen", data={"tekst": csv_of((l5, "AV-LB"))})
    [credential] = credential_ids(done.text)
    data = {"ids": f"{credential}\nniet-bestaand", "reason": "Per ongeluk uitgegeven"}
    preview = assessor.post(REVOKE, data=data)
    assert preview.status_code == 200
    assert "Wordt ingetrokken" in preview.text and "Fout" in preview.text
    refused = assessor.post(f"{REVOKE}/bevestigen", data=data)
    assert refused.status_code == 409
    state = seeded.get(f"/api/credentials/{credential}/status").get_json()
    assert state["status"] == "active"
    revoked = assessor.post(f"{REVOKE}/bevestigen", data={**data, "gedeeltelijk": "ja"})
    assert revoked.status_code == 201 and "Ingetrokken" in revoked.text
    state = seeded.get(f"/api/credentials/{credential}/status").get_json()
    assert state["status"] == "revoked"
    assert state["history"][-1]["reason"] == "Per ongeluk uitgegeven"
    missing = assessor.post(REVOKE, data={"ids": "", "reason": ""})
    assert missing.status_code == 422 and "Vul de reden in." in missing.text


@pytest.mark.parametrize(
    ("role", "binding"),
    [("school-admin", {"institution": "MBO-ZW"}), ("vmbo-teacher", {"programme": "VMBO-ZW-WLC"})],
)
def test_who_may_not_issue_is_refused(
    seeded: FlaskClient, role: str, binding: dict[str, Any]
) -> None:
    client = signed_in_client(seeded.application, role, **binding)
    assert client.get(ISSUE).status_code == 403
    assert client.get(REVOKE).status_code == 403


def test_a_learner_is_refused(seeded: FlaskClient, l5: str) -> None:
    learner = signed_in_client(seeded.application, "learner", learner=l5)
    assert learner.get(ISSUE).status_code == 403
    assert (
        learner.post(f"{ISSUE}/bevestigen", data={"tekst": csv_of((l5, "AV-LB"))}).status_code
        == 403
    )


def wait_for(client: FlaskClient, url: str) -> str:
    for _ in range(200):
        page = client.get(url)
        assert page.status_code == 200
        if "data-job-running" not in page.text:
            return page.text
        time.sleep(0.05)
    raise AssertionError("the job did not finish")


@pytest.fixture
def file_app(tmp_path: Path) -> Iterator[Flask]:
    """A seeded app on a SQLite file of its own (a job's thread needs its own connection)."""

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'bulk.sqlite3'}"
        LEERLIJN_KEYS_DIR = tmp_path / "keys"

    app = create_app(Config)
    migrated = app.test_cli_runner().invoke(args=["init-db"])
    assert migrated.exit_code == 0, migrated.output
    with app.app_context():
        load_seed(db.session, SYSTEM, app.config["SEED_DIR"], "MBO-ZW")
        db.session.remove()
    yield app
    dispose(app)


def test_a_large_batch_runs_as_a_job_whose_page_shows_its_progress(
    file_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk_credential_pages, "JOB_THRESHOLD", 2)
    admin = admin_client(file_app)
    l5 = learner_id(admin, "DEMO-L5")
    assessor = signed_in_client(file_app, "assessor", institution="MBO-ZW")
    text = csv_of((l5, "AV-LB"), (l5, "AV-NL-2F"), (l5, "BC-VV-B1K1"))
    started = assessor.post(f"{ISSUE}/bevestigen", data={"tekst": text})
    assert started.status_code == 303
    job_page = started.headers["Location"]
    assert job_page.startswith("/beheer/credentials/taken/")
    finished = wait_for(assessor, job_page)
    assert "Klaar" in finished and len(set(credential_ids(finished))) == 3
    assert held_total(admin, l5) == 3
    # someone else does not see the job
    other = signed_in_client(file_app, "assessor", institution="MBO-ZW")
    assert other.get(job_page).status_code == 404
    # all or nothing in a job too: a refused batch is a failed job that wrote nothing
    bad = csv_of((l5, "BC-VP-P2K1"), (l5, "AV-REK-2F"), (l5, "AV-LB"))
    refused = assessor.post(f"{ISSUE}/bevestigen", data={"tekst": bad})
    failed = wait_for(assessor, refused.headers["Location"])
    assert "niet gelukt" in failed and "Nog niet behaald" in failed
    assert held_total(admin, l5) == 3
