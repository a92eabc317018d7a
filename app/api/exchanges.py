"""VC-API exchanges for the Learner Credential Wallet: /api/credentials/{id}/exchange and
/api/exchanges/{id} (see `app.services.exchanges`)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from app.authentication import public
from app.extensions import db
from app.request_context import credential_environment, current_actor
from app.schemas.access import EmptySchema
from app.schemas.exchanges import (
    ExchangeCreatedSchema,
    ExchangeStepResultSchema,
    ExchangeStepSchema,
)
from app.services import exchanges

blp = Blueprint(
    "exchanges",
    __name__,
    description="VC-API exchanges: a credential into the Learner Credential Wallet",
)


@blp.route("/credentials/<credential_id>/exchange")
class CredentialExchangeAction(MethodView):
    @blp.arguments(EmptySchema)
    @blp.response(201, ExchangeCreatedSchema)
    def post(self, _: dict[str, Any], credential_id: str):
        """Open a VC-API exchange for the credential (the learner, or staff of its school).

        The answer holds the exchange URL and the Learner Credential Wallet link (for a QR
        code); a new exchange each time, single use, 15 minutes. A revoked or suspended
        credential is refused (409).
        """
        return exchanges.create_exchange(
            db.session, current_actor(), credential_environment(), credential_id
        )


@blp.route("/exchanges/<exchange_id>")
class ExchangeResource(MethodView):
    @public
    @blp.arguments(ExchangeStepSchema)
    @blp.response(200, ExchangeStepResultSchema)
    def post(self, data: dict[str, Any], exchange_id: str):
        """A wallet's step (no sign-in): ``{}`` → the DID-authentication request;
        ``{"verifiablePresentation"}`` → the credential bound to the wallet's DID.

        A refused presentation is a 422 naming the failed check; a completed or expired
        exchange 409, an unknown one 404.
        """
        return exchanges.participate(db.session, credential_environment(), exchange_id, data)
