"""Helpers shared by the test layers: find demo learners, issue credentials through the API."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

#: The reference date of the worked learner cases.
ON = "2025-09-01"


def learner_id(client: FlaskClient, external_id: str) -> str:
    """The id of a seeded demo learner (DEMO-L1, DEMO-L5, DEMO-L9)."""
    items = client.get(f"/api/learners?external_id={external_id}").get_json()["items"]
    assert len(items) == 1, items
    return str(items[0]["id"])


def issue(client: FlaskClient, learner: str, unit: str = "BC-VV-B1K1") -> dict[str, Any]:
    """Issue a unit credential through the API and return the signed document."""
    response = client.post(
        "/api/credentials", json={"learner": learner, "achievement": {"type": "unit", "code": unit}}
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def credential_id(document: dict[str, Any]) -> str:
    return str(document["id"]).rsplit("/", 1)[1]


# --- signing in ---------------------------------------------------------------------------------


class SignedInClient(FlaskClient):
    """A test client that acts as one principal: a bearer token for /api, a session for pages.

    The token is created on the first request (the database may not exist before that).
    Page forms posted as a dict get the session's CSRF token, as a browser sends it from the
    form's hidden field; a test of CSRF itself uses a plain client.
    """

    role: str = "admin"
    binding: dict[str, Any] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.token: str | None = None
        self.token_id: int | None = None

    def sign_in(self) -> None:
        from app.domain.access import SYSTEM, Role
        from app.extensions import db
        from app.services import access

        with self.application.app_context():
            issued = access.create_token(
                db.session, SYSTEM, Role(self.role), label="test", **self.binding
            )
            db.session.remove()
        self.token, self.token_id = issued.secret, issued.info.id
        self.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {self.token}"
        with self.session_transaction() as session:
            session["principal"] = f"token:{self.token_id}"

    def open(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if self.token is None:
            self.sign_in()
        method = str(kwargs.get("method", "GET")).upper()
        data = kwargs.get("data")
        path = str(args[0]) if args and isinstance(args[0], str) else ""
        if method == "POST" and not path.startswith("/api/") and "json" not in kwargs:
            if data is None or isinstance(data, dict):
                kwargs["data"] = {"csrf_token": self.csrf_token(), **(data or {})}
        return super().open(*args, **kwargs)

    def csrf_token(self) -> str:
        """The signed CSRF token of this client's session (as a page's form carries it)."""
        import hashlib
        import os

        from itsdangerous import URLSafeTimedSerializer

        with self.session_transaction() as session:
            raw = session.setdefault("csrf_token", hashlib.sha1(os.urandom(64)).hexdigest())
        serializer = URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token")
        return str(serializer.dumps(raw))


def signed_in_client(app: Flask, role: str = "admin", **binding: Any) -> SignedInClient:
    """A client of `app` acting as `role` (with institution=, learner= or programme=)."""
    client_class = type(
        f"{role.title().replace('-', '')}Client",
        (SignedInClient,),
        {"role": role, "binding": binding},
    )
    app.test_client_class = client_class
    try:
        return app.test_client()  # type: ignore[return-value]
    finally:
        app.test_client_class = None


def admin_client(app: Flask) -> SignedInClient:
    """A client of `app` acting as the platform operator (admin)."""
    return signed_in_client(app, "admin")
