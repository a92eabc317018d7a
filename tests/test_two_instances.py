"""Two real instances on one PostgreSQL behave as one service (issue 19, "Several instances").

Two gunicorn services (two workers each), each with a folder of its own (instance folder,
log), so that nothing is shared through the file system; only the database is. Both run
``flask seed`` at start, the second on the live database the first already serves. They share
the public base URL (as instances behind one load balancer do), so credentials, offers and key
proofs name the same issuer whichever instance made them.

``POST /api/verify`` is limited to 5 a minute per client address here. The limit is counted
per address, so each check that is not about the limit sends its verifications from
loopback addresses of its own (127.0.x.y all reach the services).
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import re
import subprocess
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

import pytest

from tests.api.test_oid4vci import CONFIGURATION, PRE_AUTHORIZED_GRANT, Wallet
from tests.postgres.conftest import PostgresServer, own_cluster
from tests.served import BIN, PROJECT_ROOT, Response, Served, serve
from tests.status_races import at_once, credential_key, issue_all, new_school, ok, status_bits

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

#: The address both instances stand for (a loopback one: issuers are did:key, no key
#: encryption key is required).
PUBLIC_BASE = "http://127.0.0.1:8000"
VERIFY_LIMIT = 5
ENVIRONMENT = {
    "LEERLIJN_BASE_URL": PUBLIC_BASE,
    "LEERLIJN_RATE_LIMIT_VERIFY": f"{VERIFY_LIMIT} per minute",
}
PASSWORD = "twee instanties, een dienst"


@pytest.fixture(scope="module")
def cluster() -> Iterator[PostgresServer]:
    yield from own_cluster()


@pytest.fixture(scope="module")
def pair(
    cluster: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Served, Served]]:
    """Instance A on a fresh database, then instance B (its `flask seed` runs while A serves)."""
    url = cluster.create_database("two_instances")
    with ExitStack() as stack:
        a = stack.enter_context(
            serve(tmp_path_factory.mktemp("a"), database_url=url, workers=2, env=ENVIRONMENT)
        )
        b = stack.enter_context(
            serve(tmp_path_factory.mktemp("b"), database_url=url, workers=2, env=ENVIRONMENT)
        )
        assert a.env["LEERLIJN_INSTANCE_PATH"] != b.env["LEERLIJN_INSTANCE_PATH"]
        yield a, b


# --- helpers ----------------------------------------------------------------------------------


def request_from(
    served: Served, source: str, method: str, path: str, document: Any = None
) -> Response:
    """An anonymous JSON request sent from the loopback address `source`."""
    body = None if document is None else json.dumps(document).encode("utf-8")
    headers = {} if body is None else {"Content-Type": "application/json"}
    connection = http.client.HTTPConnection(
        served.host, served.port, timeout=30, source_address=(source, 0)
    )
    try:
        connection.request(method, path, body=body, headers=headers)
        answer = connection.getresponse()
        return Response(answer.status, answer.headers, answer.read())
    finally:
        connection.close()


def form(served: Served, path: str, fields: dict[str, str], cookie: str = "") -> Response:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if cookie:
        headers["Cookie"] = cookie
    body = urlencode(fields).encode("ascii")
    return served.request("POST", path, token=None, headers=headers, body=body)


def page(served: Served, path: str, cookie: str = "") -> Response:
    return served.request("GET", path, token=None, headers={"Cookie": cookie} if cookie else {})


def session_cookie(response: Response, previous: str = "") -> str:
    """The ``Cookie`` header a browser sends after `response` (its session cookie)."""
    jar = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    if "session" not in jar:
        return previous
    return f"session={jar['session'].value}"


def csrf_field(response: Response) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.text)
    assert found, response.text[:500]
    return found.group(1)


def learner_of(served: Served, external_id: str) -> str:
    [item] = ok(served.request("GET", f"/api/learners?external_id={external_id}"))["items"]
    return str(item["id"])


def today() -> str:
    return dt.datetime.now(ZoneInfo("Europe/Amsterdam")).date().isoformat()


def remaining_units(served: Served, learner: str) -> set[str]:
    path = ok(served.request("GET", f"/api/learners/{learner}/path"))
    return {unit["unit"] for unit in path["remaining_units"]}


# --- tests ------------------------------------------------------------------------------------


def test_a_write_on_one_instance_is_on_the_others_path_at_once(pair: tuple[Served, Served]) -> None:
    a, b = pair
    learner = ok(a.request("POST", "/api/learners", {"name": "Noor", "institution": "MBO-ZW"}))
    enrolled = a.request(
        "POST",
        f"/api/learners/{learner['id']}/enrolments",
        {"qualification": "Q-VP", "start": "2025-09-01"},
    )
    ok(enrolled, 200, 201)
    for _ in range(6):  # both workers of B compute (and cache) the path
        assert "AV-NL-3F" in remaining_units(b, learner["id"])
    evidence = [{"outcome": "AV:NL-3F", "source": "exam", "date": today()}]
    ok(a.request("POST", f"/api/learners/{learner['id']}/evidence", evidence), 201)
    for _ in range(6):  # whichever worker of B answers, it sees the write at once
        assert "AV-NL-3F" not in remaining_units(b, learner["id"])


def test_a_session_made_on_one_instance_is_valid_on_the_other(pair: tuple[Served, Served]) -> None:
    a, b = pair
    learner = learner_of(a, "DEMO-L5")
    made = a.request(
        "POST",
        "/api/accounts",
        {
            "email": "l5.twee@roc.example",
            "name": "Lotte",
            "password": PASSWORD,
            "role": "learner",
            "learner": learner,
        },
    )
    ok(made, 201)
    assert page(b, "/mijn-leerpad").headers["Location"].startswith("/login")  # nobody signed in

    login_page = page(a, "/login")
    cookie = session_cookie(login_page)
    fields = {"email": "l5.twee@roc.example", "password": PASSWORD}
    signed_in = form(a, "/login", {**fields, "csrf_token": csrf_field(login_page)}, cookie)
    assert signed_in.status == 303, signed_in.text[:500]
    cookie = session_cookie(signed_in, cookie)

    mine = page(b, "/mijn-leerpad", cookie)
    assert mine.status == 303 and learner in mine.headers["Location"], mine.headers
    path_page = page(b, urlsplit(mine.headers["Location"]).path, cookie)
    assert path_page.status == 200 and "Lotte" in path_page.text
    cookie = session_cookie(path_page, cookie)  # B keeps the form's CSRF token in the session
    # a form of B's page carries a CSRF token A accepts: signing out on A ends the session
    signed_out = form(a, "/logout", {"csrf_token": csrf_field(path_page)}, cookie)
    assert signed_out.status == 303, signed_out.text[:500]
    after = page(b, "/mijn-leerpad", session_cookie(signed_out, cookie))
    assert after.headers["Location"].startswith("/login")


def test_rate_limits_count_across_instances(pair: tuple[Served, Served]) -> None:
    a, b = pair
    source = "127.0.0.9"
    document = {"not": "a credential"}
    answers = [
        request_from((a, b)[n % 2], source, "POST", "/api/verify", document).status
        for n in range(VERIFY_LIMIT)
    ]
    assert 429 not in answers, answers
    for served in (b, a):  # the sixth and later are refused, whichever instance gets them
        refused = request_from(served, source, "POST", "/api/verify", document)
        assert refused.status == 429, (refused.status, refused.text[:300])
        assert refused.content_type == "application/problem+json"
    other = request_from(a, "127.0.0.10", "POST", "/api/verify", document)
    assert other.status != 429  # another client address has a count of its own


def test_an_oid4vci_issuance_may_hop_between_instances(pair: tuple[Served, Served]) -> None:
    a, b = pair
    learner = learner_of(a, "DEMO-L5")
    issued = ok(
        a.request(
            "POST",
            "/api/credentials",
            {"learner": learner, "achievement": {"type": "unit", "code": "BC-VV-B1K1"}},
        ),
        200,
        201,
    )
    offer = ok(a.request("POST", f"/api/credentials/{credential_key(issued)}/offer"), 201)
    offered = ok(b.request("GET", urlsplit(offer["credential_offer_uri"]).path, token=None))
    code = offered["grants"][PRE_AUTHORIZED_GRANT]["pre-authorized_code"]
    token_fields = {
        "grant_type": PRE_AUTHORIZED_GRANT,
        "pre-authorized_code": code,
        "tx_code": offer["tx_code"],
    }
    access = ok(form(b, "/oid4vci/token", token_fields))["access_token"]
    nonce = ok(a.request("POST", "/oid4vci/nonce", token=None))["c_nonce"]
    wallet = Wallet()
    asked = {
        "credential_configuration_id": CONFIGURATION,
        "proofs": {"jwt": [wallet.proof(nonce, aud=PUBLIC_BASE)]},
    }
    answer = ok(b.request("POST", "/oid4vci/credential", asked, token=access))
    [item] = answer["credentials"]
    assert item["credential"]["credentialSubject"]["id"] == wallet.did
    assert item["credential"]["id"] == issued["id"]
    # the code and the access token were spent for both instances
    again = form(a, "/oid4vci/token", token_fields)
    assert again.status == 400 and again.json()["error"] == "invalid_grant", again.text
    replay = a.request("POST", "/oid4vci/credential", asked, token=access)
    assert replay.status == 401 and replay.json()["error"] == "invalid_token", replay.text


def test_status_changes_from_both_instances_at_once_lose_no_bit(
    pair: tuple[Served, Served],
) -> None:
    a, b = pair
    learners = new_school(a, "ROC-TWEE", 32)
    issued = issue_all(a, "ROC-TWEE", learners[:16]) + issue_all(b, "ROC-TWEE", learners[16:])
    credentials = [ok(answer, 201) for answer in issued]
    answers = at_once(
        (
            lambda n=n, credential=credential: (a, b)[n % 2].request(
                "POST",
                f"/api/credentials/{credential_key(credential)}/revoke",
                {"reason": "twee instanties"},
            )
        )
        for n, credential in enumerate(credentials)
    )
    assert [answer.status for answer in answers] == [200] * len(credentials), [
        (answer.status, answer.text[:200]) for answer in answers if answer.status != 200
    ]
    for n, credential in enumerate(credentials):
        served = (b, a)[n % 2]  # read from the instance that did not revoke it
        assert status_bits(served, credential) == {"revocation": True, "suspension": False}
        report = ok(request_from(served, f"127.0.3.{n + 1}", "POST", "/api/verify", credential))
        assert report["verified"] is False
        assert [c["code"] for c in report["checks"] if c["check"] == "status"] == ["revoked"]


def test_flask_seed_on_the_live_database_loses_and_doubles_nothing(
    pair: tuple[Served, Served],
) -> None:
    """Both instances' `flask seed` run again, at once, while both serve writes."""
    a, b = pair
    units_before = ok(a.request("GET", "/api/units?limit=1"))
    seeded = learner_of(a, "DEMO-L5")
    made: list[tuple[str, Served]] = []
    failures: list[str] = []
    stop = threading.Event()

    def write(served: Served, number: int) -> None:
        while not stop.is_set():
            answer = served.request(
                "POST", "/api/learners", {"name": f"Tijdens seed {number}", "institution": "MBO-ZW"}
            )
            if answer.status != 201:
                failures.append(f"{answer.status} {answer.text[:200]}")
                continue
            learner = str(answer.json()["id"])
            evidence = [{"outcome": "AV:NL-3F", "source": "exam", "date": today()}]
            recorded = served.request("POST", f"/api/learners/{learner}/evidence", evidence)
            if recorded.status != 201:
                failures.append(f"{recorded.status} {recorded.text[:200]}")
            made.append((learner, served))
            number += 2
            stop.wait(0.1)  # a steady trickle of writes, leaving the seeds some of the CPU

    writers = [threading.Thread(target=write, args=(s, n)) for n, s in enumerate((a, b))]
    for writer in writers:
        writer.start()
    try:
        seeds = [
            subprocess.Popen(
                [str(BIN / "flask"), "--app", "wsgi", "seed"],
                cwd=PROJECT_ROOT,
                env=dict(served.env),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for served in (a, b)
        ]
        outputs = [seed.communicate(timeout=120)[0] for seed in seeds]
    finally:
        stop.set()
        for writer in writers:
            writer.join(timeout=60)
    assert [seed.returncode for seed in seeds] == [0, 0], outputs
    assert not failures, failures
    assert len(made) >= 4, made

    assert ok(a.request("GET", "/api/units?limit=1")) == units_before
    assert learner_of(b, "DEMO-L5") == seeded  # one DEMO-L5, the same as before
    for learner, served in made:  # every acknowledged write is there, on the other instance too
        other = b if served is a else a
        record = ok(other.request("GET", f"/api/learners/{learner}/evidence"))
        assert [item["outcome"] for item in record["items"]] == ["AV:NL-3F"], record
