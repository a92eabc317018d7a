"""Concurrent status changes and first issues against gunicorn on PostgreSQL (issue 14, 1-2).

The same scenarios as ``tests/test_status_races.py``, on a fresh database of the test cluster
(row locks: ``SELECT … FOR UPDATE``), sharing one service.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.postgres.conftest import PostgresServer
from tests.served import Served, serve
from tests.status_races import (
    check_concurrent_status_changes,
    check_first_issue_race,
    check_same_issue_race,
)


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: PostgresServer
) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("races-pg")
    database = postgres_server.create_database("status_races")
    try:
        with serve(folder, database_url=database, workers=4, seed=False) as it:
            yield it
    finally:
        postgres_server.drop_database("status_races")


def test_sixteen_first_issues_of_a_new_school_make_one_key_and_one_list_each(
    served: Served,
) -> None:
    check_first_issue_race(served)


def test_concurrent_revocations_and_suspensions_are_all_published(served: Served) -> None:
    check_concurrent_status_changes(served, revocations=40, suspensions=12)


def test_the_same_credential_asked_for_at_once_is_minted_once(served: Served) -> None:
    check_same_issue_race(served)
