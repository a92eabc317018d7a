"""Command line for status lists: ``flask status rebuild`` (repair from the status history)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from app.domain.access import SYSTEM
from app.extensions import db
from app.request_context import credential_environment
from app.services.status_repair import rebuild_status_lists


def register_status_cli(app: Flask) -> None:
    status = AppGroup("status", help="Credential status lists.")

    @status.command("rebuild")
    def rebuild() -> None:
        """Recompute every status list from the status history and re-sign what changed."""
        repairs = rebuild_status_lists(db.session, SYSTEM, credential_environment())
        for repair in repairs:
            if repair.problem:
                click.echo(f"{repair.list_id}: NOT REPAIRED: {repair.problem}", err=True)
            elif repair.re_signed:
                click.echo(
                    f"{repair.list_id}: repaired: {len(repair.bits_added)} bit(s) set,"
                    f" {len(repair.bits_cleared)} cleared, allocated"
                    f" {repair.allocated_before} -> {repair.allocated_after}; re-signed"
                )
            else:
                click.echo(f"{repair.list_id}: ok ({repair.bits_set} bit(s) set)")
        repaired = sum(r.re_signed for r in repairs)
        click.echo(f"{len(repairs)} list(s) checked, {repaired} repaired")
        if any(r.problem for r in repairs):
            raise SystemExit(1)

    app.cli.add_command(status)
