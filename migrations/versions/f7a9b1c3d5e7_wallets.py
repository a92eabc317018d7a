"""wallets (OID4VCI offers, tokens, nonces, VC-API exchanges, deliveries)

Revision ID: f7a9b1c3d5e7
Revises: e6f8a0b2c4d6
Create Date: 2026-12-01 20:15:41.255750

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f7a9b1c3d5e7"
down_revision = "e6f8a0b2c4d6"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "wallet_nonces",
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("nonce"),
    )
    with op.batch_alter_table("wallet_nonces", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wallet_nonces_expires_at"), ["expires_at"], unique=False
        )

    op.create_table(
        "credential_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("credential", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("holder", sa.String(length=600), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("channel IN ('oid4vci', 'vcapi')", name="delivery_channel"),
        sa.ForeignKeyConstraint(
            ["credential"],
            ["issued_credentials.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("credential_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_credential_deliveries_credential"), ["credential"], unique=False
        )

    op.create_table(
        "wallet_exchanges",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("credential", sa.String(length=40), nullable=False),
        sa.Column("challenge", sa.String(length=64), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["credential"],
            ["issued_credentials.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("wallet_exchanges", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wallet_exchanges_credential"), ["credential"], unique=False
        )

    op.create_table(
        "wallet_offers",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("credential", sa.String(length=40), nullable=False),
        sa.Column("pre_authorized_code", sa.String(length=64), nullable=False),
        sa.Column("tx_code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("redeemed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["credential"],
            ["issued_credentials.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("pre_authorized_code"),
    )
    with op.batch_alter_table("wallet_offers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wallet_offers_credential"), ["credential"], unique=False
        )

    op.create_table(
        "wallet_access_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("offer", sa.String(length=40), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["offer"],
            ["wallet_offers.id"],
        ),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    with op.batch_alter_table("wallet_access_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wallet_access_tokens_offer"), ["offer"], unique=False)


def downgrade():
    with op.batch_alter_table("wallet_access_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wallet_access_tokens_offer"))

    op.drop_table("wallet_access_tokens")
    with op.batch_alter_table("wallet_offers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wallet_offers_credential"))

    op.drop_table("wallet_offers")
    with op.batch_alter_table("wallet_exchanges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wallet_exchanges_credential"))

    op.drop_table("wallet_exchanges")
    with op.batch_alter_table("credential_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credential_deliveries_credential"))

    op.drop_table("credential_deliveries")
    with op.batch_alter_table("wallet_nonces", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wallet_nonces_expires_at"))

    op.drop_table("wallet_nonces")
