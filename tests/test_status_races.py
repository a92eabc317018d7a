"""Concurrent status changes and first issues against gunicorn on SQLite (issue 14, 1-2).

Real threads, a real gunicorn with four workers, bounded counts: see ``tests/status_races.py``.
The PostgreSQL twin is ``tests/postgres/test_status_races_on_postgres.py``. Both scenarios
share one service (each makes a school of its own).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.served import Served, serve
from tests.status_races import (
    check_concurrent_status_changes,
    check_first_issue_race,
    check_same_issue_race,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("races")
    with serve(
        folder, database_url=f"sqlite:///{folder / 'race.sqlite3'}", workers=4, seed=False
    ) as it:
        yield it


def test_sixteen_first_issues_of_a_new_school_make_one_key_and_one_list_each(
    served: Served,
) -> None:
    check_first_issue_race(served)


def test_concurrent_revocations_and_suspensions_are_all_published(served: Served) -> None:
    check_concurrent_status_changes(served, revocations=40, suspensions=12)


def test_the_same_credential_asked_for_at_once_is_minted_once(served: Served) -> None:
    check_same_issue_race(served)
