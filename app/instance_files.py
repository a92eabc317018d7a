"""Private files: the instance folder 0700, the SQLite database (and its side files) 0600.

The instance folder holds the session key, the issuers' private keys and, by default, the
database with learner data; nobody but the account that runs the app may read them. The modes
are set explicitly (independent of the umask) when the app creates the folder or the database
file, and tightened at every start for an installation made before.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlalchemy.engine import make_url

FOLDER_MODE = 0o700
FILE_MODE = 0o600
#: Files SQLite keeps beside a database (rollback journal, write-ahead log, shared memory).
SQLITE_SIDE_FILES = ("-journal", "-wal", "-shm")


def sqlite_file(database_uri: str) -> Path | None:
    """The file a SQLite URL names; None for other databases and in-memory SQLite.

    >>> sqlite_file("sqlite:////var/lib/leerlijn/db.sqlite3")
    PosixPath('/var/lib/leerlijn/db.sqlite3')
    >>> sqlite_file("sqlite://") is None, sqlite_file("sqlite:///:memory:") is None
    (True, True)
    >>> sqlite_file("postgresql+psycopg://db/leerlijn") is None
    True
    """
    url = make_url(database_uri)
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def private_folder(folder: Path) -> None:
    """Create `folder` (and missing parents) if needed; make it 0700 either way."""
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    _tighten(folder, FOLDER_MODE)


def private_database_file(path: Path) -> None:
    """Create the SQLite file empty (a valid empty database) with mode 0600, or tighten it.

    Its side files are tightened too; SQLite creates new ones with the database's mode.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        pass
    else:
        os.close(descriptor)
    for candidate in (path, *(Path(f"{path}{suffix}") for suffix in SQLITE_SIDE_FILES)):
        if candidate.exists():
            _tighten(candidate, FILE_MODE)


def _tighten(path: Path, mode: int) -> None:
    """Set `mode` exactly (the umask does not apply to chmod); only our own files."""
    info = path.stat()
    if stat.S_IMODE(info.st_mode) != mode and info.st_uid == os.getuid():
        path.chmod(mode)


def protect_instance_files(instance_path: str, database_uri: str) -> None:
    """The instance folder 0700 and the SQLite file `database_uri` names (if any) 0600."""
    private_folder(Path(instance_path))
    database = sqlite_file(database_uri)
    if database is not None:
        # Flask-SQLAlchemy reads a relative SQLite path relative to the instance folder.
        private_database_file(Path(instance_path) / database)
