"""Command-line interface: `flask --app wsgi seed`, `flask --app wsgi import FILE`."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_migrate import upgrade
from sqlalchemy import text

from app.adapters.keystore import IssuerKey
from app.domain.access import SYSTEM
from app.domain.errors import InvalidData, RegistryError
from app.extensions import db
from app.request_context import credential_environment as env
from app.schemas.registry import import_document, load_import_document, to_import_document
from app.services import access, issuer_keys
from app.services.importer import import_registry_in_steps, package_size
from app.services.seeding import load_seed, read_json, summarize


def ensure_schema() -> None:
    """Create or upgrade the database schema through the Alembic migrations."""
    upgrade(directory=current_app.extensions["migrate"].directory)


@contextmanager
def one_at_a_time() -> Iterator[None]:
    """Instances that start at once run `flask seed` one after the other (PostgreSQL: a
    session-level advisory lock held on a connection of its own while the block runs)."""
    if db.engine.dialect.name != "postgresql":
        yield
        return
    with db.engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(hashtext('leerlijn.seed'))"))
        connection.commit()
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(hashtext('leerlijn.seed'))"))
            connection.commit()


def register_cli(app: Flask) -> None:
    @app.cli.command("seed")
    @click.option(
        "--dir",
        "seed_dir",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        default=None,
    )
    def seed_command(seed_dir: Path | None) -> None:
        """Create the schema if needed and load the seed data (idempotent)."""
        old_keys = Path(
            current_app.config["LEERLIJN_KEYS_DIR"] or Path(current_app.instance_path) / "keys"
        )
        moved = None
        with one_at_a_time():
            ensure_schema()
            folder = seed_dir or current_app.config["SEED_DIR"]
            report = load_seed(
                db.session, SYSTEM, folder, current_app.config["LEERLIJN_DEFAULT_INSTITUTION"]
            )
            if old_keys.is_dir():  # an earlier version's key folder: its keys move in
                moved = issuer_keys.import_folder(db.session, SYSTEM, env(), old_keys)
        click.echo(summarize(report))
        if moved is not None:
            if moved.imported:
                click.echo(
                    f"moved {len(moved.imported)} issuer key(s) from {old_keys} into the "
                    "database; delete that folder once every instance runs this version"
                )
        if not access.has_admin(db.session):
            click.echo(
                "No admin can sign in yet. Create the first admin token (shown once) with:\n"
                "  .venv/bin/flask --app wsgi tokens create --role admin --label first-admin\n"
                "and accounts for the pages with `flask --app wsgi accounts create` (README)."
            )

    @app.cli.command("import")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    def import_command(file: Path) -> None:
        """Import a registry document, exactly as POST /api/import does.

        A large document (more items than LEERLIJN_IMPORT_JOB_THRESHOLD) is written in short
        steps, as the API's import jobs do, with a progress bar.
        """
        ensure_schema()
        institution = current_app.config["LEERLIJN_DEFAULT_INSTITUTION"]
        try:
            body = read_json(file)
            if package_size(body) > current_app.config["LEERLIJN_IMPORT_JOB_THRESHOLD"]:
                report = _import_with_progress_bar(body, institution)
            else:
                report = import_document(db.session, SYSTEM, body, institution)
        except InvalidData as error:
            _fail(error.errors)
        except (RegistryError, json.JSONDecodeError) as error:
            raise click.ClickException(str(error)) from error
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))

    keys = AppGroup(
        "keys", help="Issuer key pairs (Ed25519), kept in the database (private halves sealed)."
    )
    app.cli.add_command(keys)

    @keys.command("create")
    @click.argument("institution")
    def keys_create(institution: str) -> None:
        """Make a new active signing key for INSTITUTION."""
        key = _key_change(lambda: issuer_keys.create_key(db.session, SYSTEM, env(), institution))
        click.echo(f"{institution}: new active key {key.key_id} ({key.public_key_multibase})")

    @keys.command("rotate")
    @click.argument("institution")
    def keys_rotate(institution: str) -> None:
        """Make a new active key; older keys keep verifying until retired."""
        key = _key_change(lambda: issuer_keys.create_key(db.session, SYSTEM, env(), institution))
        click.echo(
            f"{institution}: new active key {key.key_id}; "
            "earlier keys are 'rotated' and still verify"
        )

    @keys.command("retire")
    @click.argument("institution")
    @click.argument("key_id")
    def keys_retire(institution: str, key_id: str) -> None:
        """Remove KEY_ID from the DID document: credentials it signed then fail the issuer check."""
        key = _key_change(
            lambda: issuer_keys.retire_key(db.session, SYSTEM, env(), institution, key_id)
        )
        click.echo(f"{institution}: key {key.key_id} retired")

    @keys.command("list")
    @click.argument("institution")
    def keys_list(institution: str) -> None:
        """List INSTITUTION's keys with their status (private halves are never shown)."""
        for key in issuer_keys.list_keys(env(), institution):
            click.echo(f"{key.key_id}\t{key.status}\t{key.created}\t{key.public_key_multibase}")

    @keys.command("import-folder")
    @click.option(
        "--folder",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        default=None,
        help="The key folder of an earlier version (default: LEERLIJN_KEYS_DIR or instance/keys).",
    )
    def keys_import_folder(folder: Path | None) -> None:
        """Move the keys of an earlier version's key folder into the database (idempotent)."""
        ensure_schema()
        source = folder or current_app.config["LEERLIJN_KEYS_DIR"]
        source = Path(source or Path(current_app.instance_path) / "keys")
        if not source.is_dir():
            raise click.ClickException(f"no key folder at {source}")
        report = issuer_keys.import_folder(db.session, SYSTEM, env(), source)
        for name in report.imported:
            click.echo(f"imported {name}")
        for name in report.already_stored:
            click.echo(f"already stored {name}")
        for name, reason in report.skipped.items():
            click.echo(f"skipped {name}: {reason}")
        click.echo(
            f"{len(report.imported)} imported, {len(report.already_stored)} already stored, "
            f"{len(report.skipped)} skipped"
        )

    @app.cli.command("init-db")
    def init_db_command() -> None:
        """Create or upgrade the database schema."""
        ensure_schema()
        click.echo("database is up to date")


def _import_with_progress_bar(body: object, institution: str) -> dict[str, object]:
    """Check the whole document, then write it step by step behind a progress bar (stderr)."""
    click.echo("checking the document …", err=True)
    data, field_errors, unparsed = load_import_document(body)
    document = to_import_document(data, institution)
    bar: Any = None  # a click progress bar, made once the total is known

    def progress(session: object, stage: str, done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label=stage, file=sys.stderr)
        bar.label = stage
        bar.update(done - bar.pos)

    try:
        report = import_registry_in_steps(
            db.session,
            SYSTEM,
            document,
            field_errors=field_errors,
            unparsed=unparsed,
            progress=progress,
        )
    finally:
        if bar is not None:
            bar.render_finish()
    return report.as_dict()


def _fail(errors: list[dict[str, object]]) -> None:
    for error in errors:
        click.echo(f"{error.get('pointer')}: {error.get('message')}", err=True)
    raise click.ClickException(f"{len(errors)} error(s); nothing was written")


def _key_change(change: Callable[[], IssuerKey]) -> IssuerKey:
    """Run a key change; unknown institutions and keys end the command with their message."""
    try:
        return change()
    except KeyError as error:
        raise click.ClickException(str(error.args[0])) from error
    except RegistryError as error:
        raise click.ClickException(error.detail) from error
