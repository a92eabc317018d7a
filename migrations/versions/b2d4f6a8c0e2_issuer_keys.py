"""issuer keys in the database (shared by every instance; private halves sealed)

Revision ID: b2d4f6a8c0e2
Revises: a1c3e5f7b9d1
Create Date: 2026-12-01 20:55:25.918354

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b2d4f6a8c0e2"
down_revision = "a1c3e5f7b9d1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "issuer_keys",
        sa.Column("institution", sa.String(length=40), nullable=False),
        sa.Column("key_id", sa.String(length=60), nullable=False),
        sa.Column("public_key_multibase", sa.String(length=80), nullable=False),
        sa.Column("created", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("retired", sa.String(length=40), nullable=True),
        sa.Column("private_key_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("sealed_with", sa.String(length=16), nullable=False),
        sa.CheckConstraint("status IN ('active', 'rotated', 'retired')", name="issuer_key_status"),
        sa.ForeignKeyConstraint(
            ["institution"],
            ["institutions.code"],
        ),
        sa.PrimaryKeyConstraint("institution", "key_id"),
        sa.UniqueConstraint("public_key_multibase"),
    )


def downgrade():
    op.drop_table("issuer_keys")
