"""`flask --app wsgi db check`: the migrations and the models describe the same schema.

Run as an operator runs it (the real command line, a SQLite file of the test's own): on a
database migrated to the head it finds nothing to do; on one that misses a migration, or whose
schema drifted from the models, it fails.
"""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.served import BIN, PROJECT_ROOT, service_environment

pytestmark = pytest.mark.slow


def flask(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    environment = service_environment(tmp_path, 8000, None, {})
    return subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *arguments],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_db_check_passes_at_the_head_and_fails_on_drift_or_a_missing_migration(
    tmp_path: Path,
) -> None:
    assert flask(tmp_path, "init-db").returncode == 0
    clean = flask(tmp_path, "db", "check")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "No new upgrade operations detected" in clean.stdout

    with sqlite3.connect(tmp_path / "leerlijn.sqlite3") as database:
        database.execute("DROP INDEX ix_rate_limit_counters_window_end")
    drifted = flask(tmp_path, "db", "check")
    assert drifted.returncode != 0
    assert "New upgrade operations detected" in drifted.stdout + drifted.stderr
    assert "ix_rate_limit_counters_window_end" in drifted.stdout + drifted.stderr

    with sqlite3.connect(tmp_path / "leerlijn.sqlite3") as database:
        database.execute(
            "CREATE INDEX ix_rate_limit_counters_window_end ON rate_limit_counters (window_end)"
        )
    assert flask(tmp_path, "db", "downgrade").returncode == 0  # the newest migration undone
    behind = flask(tmp_path, "db", "check")
    assert behind.returncode != 0
    assert "not up to date" in behind.stdout + behind.stderr
