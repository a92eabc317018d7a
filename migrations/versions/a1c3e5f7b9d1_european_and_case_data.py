"""European and CASE data: institutions' legal data (EDC issuers), kept CASE identifiers

Revision ID: a1c3e5f7b9d1
Revises: f7a9b1c3d5e7
Create Date: 2026-12-01 20:19:00.512768

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a1c3e5f7b9d1"
down_revision = "f7a9b1c3d5e7"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "case_identifiers",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("identifier", sa.String(length=36), nullable=False),
        sa.Column("uri", sa.String(length=600), nullable=False),
        sa.PrimaryKeyConstraint("key"),
        sa.UniqueConstraint("identifier"),
    )
    with op.batch_alter_table("institutions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("legal_name", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("kvk_number", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("street_address", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("postal_code", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("locality", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("country_code", sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column("homepage", sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table("institutions", schema=None) as batch_op:
        batch_op.drop_column("homepage")
        batch_op.drop_column("country_code")
        batch_op.drop_column("locality")
        batch_op.drop_column("postal_code")
        batch_op.drop_column("street_address")
        batch_op.drop_column("kvk_number")
        batch_op.drop_column("legal_name")

    op.drop_table("case_identifiers")
