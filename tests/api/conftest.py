"""Fixtures of the registry API tests: the registry seed built once per module, copied per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.api._registry import copy_app, dispose, registry_app
from tests.helpers import admin_client


@pytest.fixture(scope="module")
def template() -> Iterator[Flask]:
    app = registry_app()
    yield app
    dispose(app)


@pytest.fixture(scope="module")
def ro(template: Flask) -> Iterator[FlaskClient]:
    """A client on the registry seed shared by the tests that write nothing (or only fail)."""
    app = copy_app(template)
    yield admin_client(app)
    dispose(app)


@pytest.fixture
def fresh(template: Flask) -> Iterator[FlaskClient]:
    """A client on a fresh copy of the registry seed (conftest's `seeded` loads learners too)."""
    app = copy_app(template)
    yield admin_client(app)
    dispose(app)
