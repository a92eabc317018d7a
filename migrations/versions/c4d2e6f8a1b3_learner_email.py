"""learner e-mail (holder identity)

Revision ID: c4d2e6f8a1b3
Revises: b3c1d2e4f5a6
Create Date: 2026-12-01 16:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c4d2e6f8a1b3"
down_revision = "b3c1d2e4f5a6"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("learners", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))


def downgrade():
    with op.batch_alter_table("learners", schema=None) as batch_op:
        batch_op.drop_column("email")
