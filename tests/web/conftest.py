"""Fixtures of the page tests: a demo learner and a credential issued to them."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.helpers import issue, learner_id


@pytest.fixture
def l5(seeded: FlaskClient) -> str:
    return learner_id(seeded, "DEMO-L5")


@pytest.fixture
def issued(seeded: FlaskClient, l5: str) -> dict[str, Any]:
    return issue(seeded, l5)
