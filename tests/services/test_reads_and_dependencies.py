"""What the pages read through the services, and what `create_app` builds once and hands down.

* the registry's read functions the pages use instead of the repositories;
* `qualification_graph` as a typed value that is the same graph the API serialises;
* the credential environment and the path caches, built once per app (services get them as
  parameters; `app.request_context` fetches them for the views);
* the one clock.
"""

from __future__ import annotations

import datetime as dt
import doctest
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import clock, create_app, request_context
from app.adapters.credential_environment import CredentialEnvironment
from app.config import TestConfig
from app.domain.qualification_graph import GraphUnit, QualificationGraph
from app.extensions import db
from app.persistence.key_repository import DatabaseKeyStore
from app.persistence.versions import PathCaches
from app.services import credentials, registry


def test_qualification_graph_is_a_typed_value_and_the_api_serialises_it(
    seeded_app: Flask, seeded: FlaskClient
) -> None:
    with seeded_app.app_context():
        graph = registry.qualification_graph(db.session, "Q-VP")
    api = seeded.get("/api/qualifications/Q-VP/graph").get_json()
    assert isinstance(graph, QualificationGraph)
    assert all(isinstance(node, GraphUnit) for node in graph.nodes)
    assert api["qualification"] == graph.qualification == "Q-VP"
    assert api["order"] == list(graph.order) == [node.code for node in graph.nodes]
    assert api["nodes"][0] == {
        "code": graph.nodes[0].code,
        "kind": graph.nodes[0].kind,
        "title": graph.nodes[0].title,
        "study_load_hours": graph.nodes[0].study_load_hours,
        "role": graph.nodes[0].role,
    }
    assert [(e["from"], e["requires"]) for e in api["edges"]] == [
        (edge.unit, edge.requires) for edge in graph.edges
    ]
    assert list(graph.graph.nodes) == list(graph.order)
    assert sorted(graph.graph.edges) == sorted((e.requires, e.unit) for e in graph.edges)


def test_the_read_functions_return_what_exists(seeded_app: Flask) -> None:
    with seeded_app.app_context():
        session = db.session
        units = registry.get_units(session, ["BC-VP-P2K1", "NOPE"])
        assert list(units) == ["BC-VP-P2K1"]
        assert len(registry.get_units(session)) > len(units)
        everything = registry.get_qualifications(session)
        assert "Q-VP" in everything
        assert list(registry.get_qualifications(session, ["Q-VP", "NOPE"])) == ["Q-VP"]
        q = everything["Q-VP"]
        epa_codes = [required.epa for required in q.required_epas]
        assert sorted(registry.get_epas(session, [*epa_codes, "NOPE"])) == sorted(epa_codes)
        known = registry.known_codes(session)
        assert "BC-VP-P2K1" in known.unit_kinds and "Q-VP" in known.qualifications
        assert credentials.all_learner_credentials(session, "nobody") == []


def test_create_app_builds_the_credential_environment_and_the_path_caches(app: Flask) -> None:
    env = app.extensions[request_context.CREDENTIALS_KEY]
    assert isinstance(env, CredentialEnvironment)
    assert env.base_url == app.config["LEERLIJN_BASE_URL"]
    assert isinstance(env.issuers.keys, DatabaseKeyStore)
    assert isinstance(app.extensions[request_context.PATH_CACHES_KEY], PathCaches)
    with app.app_context():
        assert request_context.credential_environment() is env
        assert request_context.path_caches() is app.extensions["path_caches"]


def test_the_contexts_and_the_schema_are_read_on_first_use_and_kept(app: Flask) -> None:
    env: CredentialEnvironment = app.extensions[request_context.CREDENTIALS_KEY]
    assert "contexts" not in vars(env) and "validate_schema" not in vars(env)
    loader = env.loader
    assert env.loader is loader and "contexts" in vars(env)
    assert "https://www.w3.org/ns/credentials/v2" in env.contexts
    assert env.validate_schema({}) != []


def test_the_keys_are_sealed_with_the_configured_key_encryption_key() -> None:
    class Sealed(TestConfig):
        LEERLIJN_KEY_ENCRYPTION_KEY = "a passphrase for this test"

    plain, sealed = create_app(TestConfig), create_app(Sealed)
    plain_keys = plain.extensions[request_context.CREDENTIALS_KEY].issuers.keys
    sealed_keys = sealed.extensions[request_context.CREDENTIALS_KEY].issuers.keys
    assert plain_keys.sealer.is_development_default
    assert not sealed_keys.sealer.is_development_default
    assert plain_keys.sealer.fingerprint != sealed_keys.sealer.fingerprint


def test_a_public_service_will_not_start_without_a_key_encryption_key() -> None:
    class Public(TestConfig):
        TESTING = False
        LEERLIJN_BASE_URL = "https://leerlijn.example"

    with pytest.raises(RuntimeError, match="LEERLIJN_KEY_ENCRYPTION_KEY"):
        create_app(Public)

    class PublicWithKey(Public):
        LEERLIJN_KEY_ENCRYPTION_KEY = "set"

    assert create_app(PublicWithKey).config["LEERLIJN_BASE_URL"] == "https://leerlijn.example"


def test_another_time_zone_is_refused() -> None:
    class Config(TestConfig):
        LEERLIJN_TIMEZONE = "UTC"

    with pytest.raises(ValueError, match="Europe/Amsterdam"):
        create_app(Config)


def test_the_clock_is_dutch_for_days_and_utc_for_moments() -> None:
    before = dt.datetime.now(ZoneInfo("Europe/Amsterdam")).date()
    today = clock.today()
    after = dt.datetime.now(ZoneInfo("Europe/Amsterdam")).date()
    assert today in {before, after}
    assert clock.now().utcoffset() == dt.timedelta(0)
    assert doctest.testmod(clock).failed == 0
