"""Command line for access: `flask tokens create|list|revoke`, `flask accounts create|list`.

The command line acts as the platform operator (`SYSTEM`), who holds the machine: it is how
the first admin token and the first accounts come into being.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from app.domain.access import SYSTEM, Role
from app.domain.errors import InvalidData, RegistryError
from app.extensions import db
from app.services import access

ROLES = click.Choice([role.value for role in Role])


def _fail(error: RegistryError) -> None:
    if isinstance(error, InvalidData):
        details = "; ".join(f"{e.get('pointer', '/')}: {e['message']}" for e in error.errors)
        raise click.ClickException(details)
    raise click.ClickException(error.detail)


def register_access_cli(app: Flask) -> None:
    tokens = AppGroup("tokens", help="API bearer tokens (shown once, stored only as a hash).")
    accounts = AppGroup("accounts", help="Sign-in accounts for the pages.")
    app.cli.add_command(tokens)
    app.cli.add_command(accounts)

    @tokens.command("create")
    @click.option("--role", required=True, type=ROLES)
    @click.option("--institution", default=None, help="school-admin, assessor: their school")
    @click.option("--learner", default=None, help="learner: their learner id")
    @click.option("--programme", default=None, help="vmbo-teacher: their vmbo programme")
    @click.option("--workplace", default=None, help="workplace: their workplace (leerbedrijf)")
    @click.option("--expires", "expires_days", type=click.IntRange(1, 3650), default=None)
    @click.option("--label", default=None, help="what the token is for (shown in lists)")
    def tokens_create(
        role: str,
        institution: str | None,
        learner: str | None,
        programme: str | None,
        workplace: str | None,
        expires_days: int | None,
        label: str | None,
    ) -> None:
        """Create a token; the token itself is printed alone on the last line."""
        try:
            issued = access.create_token(
                db.session,
                SYSTEM,
                Role(role),
                institution=institution,
                learner=learner,
                programme=programme,
                workplace=workplace,
                expires_days=expires_days,
                label=label,
            )
        except RegistryError as error:
            _fail(error)
        info = issued.info
        expires = info.expires_at.isoformat() if info.expires_at else "never"
        click.echo(
            f"token {info.id}: role {info.role}"
            + (f", institution {info.institution}" if info.institution else "")
            + (f", learner {info.learner}" if info.learner else "")
            + (f", programme {info.programme}" if info.programme else "")
            + (f", workplace {info.workplace}" if info.workplace else "")
            + f", expires {expires}. It is shown only now; keep it secret:"
        )
        click.echo(issued.secret)

    @tokens.command("list")
    def tokens_list() -> None:
        """List tokens (never the tokens themselves)."""
        for info in access.list_tokens(db.session, SYSTEM):
            state = "revoked" if info.revoked_at else "active"
            click.echo(
                f"{info.id}\t{info.role}\t{info.institution or '-'}\t{info.learner or '-'}\t"
                f"{info.programme or '-'}\t{state}\t"
                f"{info.expires_at.isoformat() if info.expires_at else 'never'}\t"
                f"{info.label or ''}"
            )

    @tokens.command("revoke")
    @click.argument("token_id", type=int)
    def tokens_revoke(token_id: int) -> None:
        """Revoke a token at once."""
        try:
            info = access.revoke_token(db.session, SYSTEM, token_id)
        except RegistryError as error:
            _fail(error)
        click.echo(f"token {info.id} revoked")

    @accounts.command("create")
    @click.option("--email", required=True)
    @click.option("--name", required=True)
    @click.option("--role", required=True, type=ROLES)
    @click.option("--institution", default=None)
    @click.option("--learner", default=None)
    @click.option("--programme", default=None)
    @click.option("--workplace", default=None)
    @click.password_option(
        "--password", envvar="LEERLIJN_ACCOUNT_PASSWORD", help="asked when not given"
    )
    def accounts_create(
        email: str,
        name: str,
        role: str,
        institution: str | None,
        learner: str | None,
        programme: str | None,
        workplace: str | None,
        password: str,
    ) -> None:
        """Create a sign-in account for the pages."""
        try:
            info = access.create_account(
                db.session,
                SYSTEM,
                email=email,
                name=name,
                password=password,
                role=Role(role),
                institution=institution,
                learner=learner,
                programme=programme,
                workplace=workplace,
            )
        except RegistryError as error:
            _fail(error)
        click.echo(f"account {info.id}: {info.email} ({info.role})")

    @accounts.command("list")
    def accounts_list() -> None:
        """List accounts (never their passwords)."""
        for info in access.list_accounts(db.session, SYSTEM):
            state = "active" if info.active else "inactive"
            click.echo(
                f"{info.id}\t{info.email}\t{info.role}\t{info.institution or '-'}\t"
                f"{info.learner or '-'}\t{info.programme or '-'}\t{state}"
            )
