"""The registry on a real PostgreSQL server: migrations, seed, API behaviour, constraints, races."""

from __future__ import annotations

import importlib
import json
import pkgutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, func, insert, inspect, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import MIGRATIONS_DIR
from app.domain.access import SYSTEM
from app.extensions import db
from app.persistence import registry_bulk
from app.persistence.audit import bind_principal
from app.persistence.models.registry import OutcomeRow, PrerequisiteRow, UnitRow
from tests.helpers import admin_client
from tests.postgres.conftest import PostgresServer, postgres_app, run_cli, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

PROBLEM_JSON = "application/problem+json"


def new_unit(
    code: str, title: str = "Werkt veilig met zorgtechnologie", **extra: Any
) -> dict[str, Any]:
    return {
        "code": code,
        "kind": "BC",
        "title": title,
        "study_load_hours": 240,
        "outcomes": [
            {"code": f"{code}-W1", "title": "Signaleert risico's"},
            {"code": f"{code}-W2", "title": "Overlegt met collega's"},
        ],
        **extra,
    }


def row_counts(application: Flask) -> dict[str, int]:
    """Rows per table, for every table the database has (the migrations made)."""
    with application.app_context():
        names = sorted(inspect(db.engine).get_table_names())
        counts = {name: db.session.scalar(text(f'SELECT count(*) FROM "{name}"')) for name in names}
        db.session.remove()
    return counts


def engine_of(application: Flask) -> Engine:
    with application.app_context():
        return db.engine


def seed_item_count() -> int:
    from app.config import Config

    registry = json.loads((Config.SEED_DIR / "registry.json").read_text(encoding="utf-8"))
    return sum(len(items) for items in registry.values())


# --- the cluster ------------------------------------------------------------------------------


def test_the_cluster_is_private_utf8_and_reachable_by_url(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    engine = create_engine(postgres_url)
    try:
        with engine.connect() as connection:
            settings = {
                name: connection.scalar(text(f"SHOW {name}"))
                for name in ("listen_addresses", "server_encoding", "lc_collate", "port")
            }
            assert connection.scalar(text("SELECT current_database()")) == "leerlijn_test"
    finally:
        engine.dispose()
    assert settings == {
        "listen_addresses": "127.0.0.1",
        "server_encoding": "UTF8",
        "lc_collate": "C",
        "port": str(postgres_server.port),
    }
    assert (
        postgres_url
        == f"postgresql+psycopg://leerlijn@127.0.0.1:{postgres_server.port}/leerlijn_test"
    )


# --- schema and seed --------------------------------------------------------------------------


def table_named_in(difference: Any) -> str:
    """The table an Alembic `compare_metadata` difference is about."""
    if isinstance(difference, list):  # modify_* differences come as a list of tuples
        difference = difference[0]
    kind, target = difference[0], difference[1]
    if kind.endswith("_table"):
        return str(target.name)
    if kind.endswith(("_index", "_constraint", "_fk")):
        return str(target.table.name)
    return str(difference[2])


def import_every_model() -> None:
    """Import every module of app.persistence, so that `db.metadata` holds every model."""
    import app.persistence

    for module in pkgutil.iter_modules(app.persistence.__path__):
        importlib.import_module(f"app.persistence.{module.name}")


@pytest.fixture(scope="module")
def migrated_from_empty(postgres_server: PostgresServer) -> dict[str, Any]:
    """Run `flask init-db` on an empty database; what was there before, and what differs after."""
    import_every_model()
    name = "migrated_from_empty"
    try:
        with postgres_app(postgres_server.create_database(name)) as application:
            with application.app_context():
                before = inspect(db.engine).get_table_names()
            run_cli(application, "init-db")
            with application.app_context(), db.engine.connect() as connection:
                revision = MigrationContext.configure(connection).get_current_revision()
                context = MigrationContext.configure(connection, opts={"compare_type": True})
                differences = compare_metadata(context, db.metadata)
                after = inspect(connection).get_table_names()
    finally:
        postgres_server.drop_database(name)
    return {"before": before, "after": after, "revision": revision, "differences": differences}


def test_migrations_build_the_models_schema_on_an_empty_database(
    migrated_from_empty: dict[str, Any],
) -> None:
    assert migrated_from_empty["before"] == []
    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    assert migrated_from_empty["revision"] == head
    differences = migrated_from_empty["differences"]
    tables = sorted({table_named_in(d) for d in differences})
    assert differences == [], f"the migrations do not produce the models' schema (tables {tables})"
    assert set(migrated_from_empty["after"]) == set(db.metadata.tables) | {"alembic_version"}


def test_seed_through_the_cli_twice_changes_nothing_the_second_time(
    pg_database: Callable[..., str],
) -> None:
    with postgres_app(pg_database()) as application:
        first = run_cli(application, "seed")
        counts = row_counts(application)
        second = run_cli(application, "seed")

        assert f"registry: {seed_item_count()} created, 0 updated, 0 unchanged" in first
        assert "supervision_levels: 0 changed" in second
        assert f"registry: 0 created, 0 updated, {seed_item_count()} unchanged" in second
        assert row_counts(application) == counts
        assert counts["units"] == 19 and counts["supervision_levels"] == 5


def test_postgres_answers_as_sqlite_does_on_the_seed(
    pg_seeded_client: FlaskClient, seeded: FlaskClient
) -> None:
    """Reads must not depend on the database: same JSON from PostgreSQL and SQLite."""
    for path in (
        "/api/units?limit=500",
        "/api/units/BC-VP-P2K1",
        "/api/units/BC-VV-B1K1/prerequisites",
        "/api/qualifications",
        "/api/qualifications/Q-VP/graph",
        "/api/qualifications/Q-VIG/graph",
        "/api/epas",
        "/api/outcome-relations",
        "/api/institutions",
        "/api/supervision-levels",
    ):
        on_postgres, on_sqlite = pg_seeded_client.get(path), seeded.get(path)
        assert on_postgres.status_code == on_sqlite.status_code == 200, path
        assert on_postgres.get_json() == on_sqlite.get_json(), path


# --- the API on PostgreSQL --------------------------------------------------------------------


def test_create_get_replace_a_unit(pg_seeded_client: FlaskClient) -> None:
    body = new_unit("BC-PG-1", title="Één zorgvraag, coördineert de uitvoering")
    created = pg_seeded_client.post("/api/units", json=body)
    assert created.status_code == 201, created.get_json()
    assert created.headers["Location"].endswith("/api/units/BC-PG-1")

    fetched = pg_seeded_client.get("/api/units/BC-PG-1").get_json()
    assert fetched["title"] == body["title"]
    assert fetched["institution"] == "MBO-ZW"
    assert [o["code"] for o in fetched["outcomes"]] == ["BC-PG-1-W1", "BC-PG-1-W2"]

    replaced = pg_seeded_client.put(
        "/api/units/BC-PG-1", json={**body, "outcomes": body["outcomes"][::-1][:1]}
    )
    assert replaced.status_code == 200, replaced.get_json()
    assert [
        o["code"] for o in pg_seeded_client.get("/api/units/BC-PG-1").get_json()["outcomes"]
    ] == ["BC-PG-1-W2"]

    missing = pg_seeded_client.get("/api/units/NOPE")
    assert missing.status_code == 404 and missing.mimetype == PROBLEM_JSON


def test_a_prerequisite_closing_a_cycle_is_refused(pg_seeded_client: FlaskClient) -> None:
    # the seed says BC-VP-P2K1 requires BC-VV-B1K1; the other way round closes a cycle
    refused = pg_seeded_client.post(
        "/api/units/BC-VV-B1K1/prerequisites", json={"requires": "BC-VP-P2K1"}
    )
    assert refused.status_code == 409
    assert refused.mimetype == PROBLEM_JSON
    problem = refused.get_json()
    assert problem["type"].endswith("/prerequisite-cycle")
    assert {"BC-VV-B1K1", "BC-VP-P2K1"} <= set(problem["cycle"])
    assert pg_seeded_client.get("/api/units/BC-VV-B1K1/prerequisites").get_json()["requires"] == []

    accepted = pg_seeded_client.post(
        "/api/units/BC-VV-B1K3/prerequisites", json={"requires": "BC-VV-B1K1"}
    )
    assert accepted.status_code == 201
    assert pg_seeded_client.get("/api/units/BC-VV-B1K3/prerequisites").get_json()["requires"] == [
        "BC-VV-B1K1"
    ]


def test_deleting_a_referenced_unit_is_refused(pg_seeded_client: FlaskClient) -> None:
    refused = pg_seeded_client.delete("/api/units/BC-VV-B1K1")
    assert refused.status_code == 409 and refused.mimetype == PROBLEM_JSON
    kinds = {reference["kind"] for reference in refused.get_json()["references"]}
    assert {"qualification", "prerequisite"} <= kinds
    assert pg_seeded_client.get("/api/units/BC-VV-B1K1").status_code == 200

    assert pg_seeded_client.post("/api/units", json=new_unit("BC-PG-LOOSE")).status_code == 201
    assert pg_seeded_client.delete("/api/units/BC-PG-LOOSE").status_code == 204
    assert pg_seeded_client.get("/api/units/BC-PG-LOOSE").status_code == 404


def test_an_invalid_import_writes_nothing(pg_seeded_app: Flask) -> None:
    client = admin_client(pg_seeded_app)
    client.sign_in()  # its token (and the token's audit entry) exist before the snapshot
    before = row_counts(pg_seeded_app)
    document = {
        "units": [new_unit("BC-PG-NEW")],
        "prerequisites": [
            {"unit": "BC-PG-NEW", "requires": "BC-VV-B1K1"},
            {"unit": "BC-VV-B1K1", "requires": "BC-VP-P2K1"},  # closes a cycle
        ],
    }
    refused = client.post("/api/import", json=document)
    assert refused.status_code == 422, refused.get_json()
    assert [e["pointer"] for e in refused.get_json()["errors"]] == ["/prerequisites/1"]
    assert row_counts(pg_seeded_app) == before
    assert client.get("/api/units/BC-PG-NEW").status_code == 404

    document["prerequisites"].pop()
    accepted = client.post("/api/import", json=document)
    assert accepted.status_code == 200, accepted.get_json()
    assert accepted.get_json()["created"]["units"] == ["BC-PG-NEW"]
    again = client.post("/api/import", json=document).get_json()
    assert again["unchanged"]["units"] == ["BC-PG-NEW"] and again["created"]["prerequisites"] == []


def test_an_import_failing_in_the_database_halfway_writes_nothing(
    pg_seeded_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Units and relations are flushed already when PostgreSQL refuses a row: all is rolled back."""
    client = admin_client(pg_seeded_app)
    client.sign_in()  # its token (and the token's audit entry) exist before the snapshot
    before = row_counts(pg_seeded_app)

    def insert_broken_prerequisites(session: Session, prerequisites: Any) -> None:
        for prerequisite in prerequisites:
            session.add(PrerequisiteRow(unit=prerequisite.unit, requires="NO-SUCH-UNIT"))

    # New prerequisites are bulk-inserted (app/persistence/registry_bulk.py) after the units.
    monkeypatch.setattr(registry_bulk, "insert_prerequisites", insert_broken_prerequisites)
    document = {
        "units": [new_unit("BC-PG-HALF")],
        "prerequisites": [{"unit": "BC-PG-HALF", "requires": "BC-VV-B1K1"}],
    }
    failed = client.post("/api/import", json=document)
    assert (
        failed.status_code == 409 and failed.mimetype == PROBLEM_JSON
    )  # the IntegrityError problem
    assert row_counts(pg_seeded_app) == before


def test_a_token_from_the_cli_signs_in_and_its_writes_are_audited_on_postgres(
    pg_seeded_app: Flask,
) -> None:
    """The way an operator starts: `flask tokens create`, the token alone on the last line."""
    output = run_cli(
        pg_seeded_app, "tokens", "create", "--role", "school-admin", "--institution", "MBO-ZW"
    )
    token = output.strip().splitlines()[-1]
    token_id = int(output.split(":", 1)[0].removeprefix("token "))
    assert token.startswith("llt_") and token not in output.strip().splitlines()[0]
    client = pg_seeded_app.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    me = client.get("/api/me", headers=bearer).get_json()
    assert (me["id"], me["role"], me["institution"]) == (
        f"token:{token_id}",
        "school-admin",
        "MBO-ZW",
    )

    created = client.post("/api/units", json=new_unit("BC-PG-CLI"), headers=bearer)
    assert created.status_code == 201, created.get_json()
    trail = admin_client(pg_seeded_app).get("/api/audit?entity=unit&id=BC-PG-CLI").get_json()
    unit_entries = [e for e in trail["items"] if e["part"] is None]
    assert [(e["action"], e["actor"], e["actor_role"]) for e in unit_entries] == [
        ("create", f"token:{token_id}", "school-admin")
    ]

    assert f"token {token_id} revoked" in run_cli(pg_seeded_app, "tokens", "revoke", str(token_id))
    refused = client.get("/api/me", headers=bearer)
    assert refused.status_code == 401 and refused.mimetype == PROBLEM_JSON


SEARCHES = [
    "BIEDT ZORG",
    "bc-vv",
    "Vv-B1k",
    "COÖRDINEERT",
    "fictief",
    "geen",
    "100",
    "100%",
    "%",
    "_",
    "c:\\zorg",
    "zorg\\",
]


def test_text_search_is_case_insensitive_and_literal(
    pg_seeded_client: FlaskClient, seeded: FlaskClient
) -> None:
    """`?q=` finds units whose code or title contains `q`, ignoring case, on both databases.

    LIKE differs between them: PostgreSQL's LIKE is case-sensitive and treats a backslash as
    its escape character; SQLite's LIKE ignores ASCII case and has no escape character. And in
    both, `%` and `_` in `q` are wildcards unless escaped.
    """
    extra = [
        new_unit("BC-PG-PCT", title="Rapporteert 100% digitaal"),
        new_unit("BC-PG-HRS", title="Werkt 1000 uur in de praktijk"),
        new_unit("BC-PG-BSL", title="Archiveert in C:\\zorg\\dossiers"),
        new_unit("BC-PG-UND", title="Werkt met sjabloon_v2"),
    ]
    wrong = []
    for name, client in (("postgres", pg_seeded_client), ("sqlite", seeded)):
        for body in extra:
            assert client.post("/api/units", json=body).status_code == 201
        units = client.get("/api/units?limit=500").get_json()["items"]
        for q in SEARCHES:
            expected = sorted(
                u["code"] for u in units if q.lower() in (u["code"] + " " + u["title"]).lower()
            )
            found = client.get("/api/units", query_string={"q": q, "limit": 500}).get_json()
            codes = [u["code"] for u in found["items"]]
            assert found["total"] == len(codes)
            if codes != expected:
                shown = codes[:4] + (["..."] if len(codes) > 4 else [])
                wrong.append(f"{name} q={q!r}: found {shown}, want {expected}")
    assert not wrong, "\n".join(wrong)


def test_pagination_totals(pg_seeded_client: FlaskClient) -> None:
    everything = pg_seeded_client.get("/api/units?limit=500").get_json()
    codes = [u["code"] for u in everything["items"]]
    assert everything["total"] == len(codes) == 19
    assert codes == sorted(codes)  # the cluster's C collation orders codes as Python does

    pages = [
        pg_seeded_client.get(f"/api/units?limit=5&offset={offset}").get_json()
        for offset in range(0, 25, 5)
    ]
    assert [page["total"] for page in pages] == [19] * 5
    assert [len(page["items"]) for page in pages] == [5, 5, 5, 4, 0]
    assert [u["code"] for page in pages for u in page["items"]] == codes
    assert (pages[1]["limit"], pages[1]["offset"]) == (5, 5)

    filtered = pg_seeded_client.get("/api/units?q=bc-vv&limit=2").get_json()
    assert filtered["total"] == 3 and len(filtered["items"]) == 2
    by_kind = pg_seeded_client.get("/api/units?kind=AV&limit=1&offset=1").get_json()
    assert by_kind["total"] == 6 and len(by_kind["items"]) == 1
    qualifications = pg_seeded_client.get("/api/qualifications?limit=2&offset=4").get_json()
    assert qualifications["total"] == 5 and len(qualifications["items"]) == 1


# --- constraints and concurrency --------------------------------------------------------------


def test_foreign_keys_and_checks_are_enforced(pg_app: Flask) -> None:
    with pg_app.app_context():
        db.session.add(OutcomeRow(code="X-W1", unit_code="NO-SUCH-UNIT", position=0, title="Wees"))
        with pytest.raises(IntegrityError) as refused:
            db.session.commit()
        assert isinstance(refused.value.orig, psycopg.errors.ForeignKeyViolation)
        db.session.rollback()

        db.session.execute(
            text("INSERT INTO institutions (code, name, kind) VALUES ('I', 'Instelling', 'mbo')")
        )
        db.session.add(UnitRow(code="U", kind="XX", title="t", study_load_hours=1, institution="I"))
        with pytest.raises(IntegrityError) as refused:
            db.session.commit()
        assert isinstance(refused.value.orig, psycopg.errors.CheckViolation)
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(OutcomeRow)) == 0


def unit_row(code: str) -> UnitRow:
    return UnitRow(code=code, kind="BC", title="Race", study_load_hours=10, institution="MBO-ZW")


def waiting_for_a_lock(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        )


def test_the_same_code_inserted_in_two_sessions_fails_the_second_commit(
    pg_seeded_app: Flask,
) -> None:
    engine = engine_of(pg_seeded_app)
    first, second = Session(engine), Session(engine)
    for session in (first, second):  # every write names its author in the audit trail
        bind_principal(session, SYSTEM)
    outcome: dict[str, BaseException] = {}

    def insert_again() -> None:
        try:
            second.execute(text("SET lock_timeout = '10s'"))
            second.add(unit_row("BC-RACE"))
            second.commit()
        except BaseException as error:  # noqa: BLE001 - handed to the test thread
            outcome["error"] = error

    try:
        first.add(unit_row("BC-RACE"))
        first.flush()  # holds the new primary key, uncommitted
        racer = threading.Thread(target=insert_again)
        racer.start()
        assert wait_until(lambda: waiting_for_a_lock(engine) >= 1), "the second insert did not wait"
        first.commit()
        racer.join(15)
        assert not racer.is_alive()
        assert isinstance(outcome.get("error"), IntegrityError), outcome
        assert isinstance(outcome["error"].orig, psycopg.errors.UniqueViolation)  # type: ignore[attr-defined]
    finally:
        second.rollback()
        second.close()
        first.close()
    assert admin_client(pg_seeded_app).get("/api/units/BC-RACE").status_code == 200


def test_a_duplicate_post_is_a_409_problem(pg_seeded_client: FlaskClient) -> None:
    assert pg_seeded_client.post("/api/units", json=new_unit("BC-PG-DUP")).status_code == 201
    duplicate = pg_seeded_client.post("/api/units", json=new_unit("BC-PG-DUP", title="Tweede"))
    assert duplicate.status_code == 409 and duplicate.mimetype == PROBLEM_JSON
    assert duplicate.get_json()["type"].endswith("/duplicate-code")
    assert pg_seeded_client.get("/api/units/BC-PG-DUP").get_json()["title"] != "Tweede"


@contextmanager
def committed_elsewhere_before_flush(engine: Engine, code: str) -> Iterator[None]:
    """Let another transaction commit unit `code` just before the app's session inserts it."""
    fired: list[bool] = []

    def before_flush(session: Session, *_: Any) -> None:
        if not fired and any(isinstance(row, UnitRow) and row.code == code for row in session.new):
            fired.append(True)
            with engine.begin() as connection:
                connection.execute(
                    insert(UnitRow).values(
                        code=code,
                        kind="BC",
                        title="Elders",
                        study_load_hours=10,
                        institution="MBO-ZW",
                    )
                )

    event.listen(Session, "before_flush", before_flush)
    try:
        yield
    finally:
        event.remove(Session, "before_flush", before_flush)
    assert fired, "the concurrent insert never ran"


def test_a_concurrent_duplicate_post_is_a_409_problem_not_a_500(pg_seeded_app: Flask) -> None:
    client = admin_client(pg_seeded_app)
    with committed_elsewhere_before_flush(engine_of(pg_seeded_app), "BC-PG-RACE"):
        response = client.post("/api/units", json=new_unit("BC-PG-RACE"))
    assert response.mimetype == PROBLEM_JSON
    assert response.status_code == 409, response.get_json()
