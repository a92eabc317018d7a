"""Access: who am I, API tokens, accounts, the audit trail, trusted institutions."""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from app.authentication import current_principal
from app.domain.access import Role
from app.extensions import db
from app.schemas.access import (
    AccountInSchema,
    AccountSchema,
    AuditArgs,
    AuditEntrySchema,
    AuditPageSchema,
    EmptySchema,
    IssuedTokenSchema,
    PrincipalSchema,
    TokenInSchema,
    TokenSchema,
)
from app.services import access

blp = Blueprint("access", __name__, description="Sign-in, tokens, accounts and the audit trail")


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, PrincipalSchema)
    def get(self):
        """Who the bearer token belongs to: role and scope."""
        return access.require_principal(current_principal())


@blp.route("/tokens")
class TokenCollection(MethodView):
    @blp.response(200, TokenSchema(many=True))
    def get(self):
        """List tokens: all (admin) or the institution's (school-admin); never the secrets."""
        return access.list_tokens(db.session, current_principal())

    @blp.arguments(TokenInSchema)
    @blp.response(201, IssuedTokenSchema)
    def post(self, data: dict[str, Any]):
        """Create a token; the response is the only place the token itself ever appears."""
        issued = access.create_token(
            db.session,
            current_principal(),
            Role(data.pop("role")),
            **data,
        )
        body = {**dataclasses.asdict(issued.info), "token": issued.secret}
        location = url_for("access.TokenResource", token_id=issued.info.id)
        return body, 201, {"Location": location, "Cache-Control": "no-store"}


@blp.route("/tokens/<int:token_id>")
class TokenResource(MethodView):
    @blp.response(200, TokenSchema)
    def get(self, token_id: int):
        """Get a token's facts (not the token)."""
        return access.get_token(db.session, current_principal(), token_id)


@blp.route("/tokens/<int:token_id>/revoke")
class TokenRevocation(MethodView):
    @blp.arguments(EmptySchema)
    @blp.response(200, TokenSchema)
    def post(self, _: dict[str, Any], token_id: int):
        """Revoke a token at once."""
        return access.revoke_token(db.session, current_principal(), token_id)


@blp.route("/accounts")
class AccountCollection(MethodView):
    @blp.response(200, AccountSchema(many=True))
    def get(self):
        """List sign-in accounts: all (admin) or the institution's (school-admin)."""
        return access.list_accounts(db.session, current_principal())

    @blp.arguments(AccountInSchema)
    @blp.response(201, AccountSchema)
    def post(self, data: dict[str, Any]):
        """Create a sign-in account for the pages (password hashed with argon2id)."""
        role = Role(data.pop("role"))
        return access.create_account(db.session, current_principal(), role=role, **data), 201


@blp.route("/accounts/<int:account_id>/deactivate")
class AccountDeactivation(MethodView):
    @blp.arguments(EmptySchema)
    @blp.response(200, AccountSchema)
    def post(self, _: dict[str, Any], account_id: int):
        """Deactivate an account: its sessions end at their next request."""
        return access.deactivate_account(db.session, current_principal(), account_id)


@blp.route("/audit")
class AuditTrail(MethodView):
    @blp.arguments(AuditArgs, location="query")
    @blp.response(200, AuditPageSchema)
    def get(self, args: dict[str, Any]):
        """The append-only audit trail (admin: all; school-admin: their institution's)."""
        entries, total = access.list_audit(
            db.session,
            current_principal(),
            entity=args.get("entity"),
            entity_id=args.get("id"),
            since=args.get("since"),
            actor=args.get("actor"),
            limit=args["limit"],
            offset=args["offset"],
        )
        return {"items": entries, "total": total, "limit": args["limit"], "offset": args["offset"]}


@blp.route("/audit/<int:entry_id>")
class AuditEntryResource(MethodView):
    @blp.response(200, AuditEntrySchema)
    def get(self, entry_id: int):
        """One audit entry. Entries are never changed or deleted (PUT, PATCH, DELETE: 405)."""
        return access.get_audit_entry(db.session, current_principal(), entry_id)
