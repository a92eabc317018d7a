"""access control: accounts, API tokens, audit trail, trusted institutions, owners

Revision ID: b3c1d2e4f5a6
Revises: 8000d746a37d
Create Date: 2026-12-01 15:05:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b3c1d2e4f5a6"
down_revision = "8000d746a37d"
branch_labels = None
depends_on = None

ROLE_CHECK = "role IN ('admin', 'school-admin', 'assessor', 'vmbo-teacher', 'learner')"


def upgrade():
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("institution", sa.String(length=40), nullable=True),
        sa.Column("learner", sa.String(length=40), nullable=True),
        sa.Column("programme", sa.String(length=40), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(ROLE_CHECK, name="account_role"),
        sa.ForeignKeyConstraint(["institution"], ["institutions.code"]),
        sa.ForeignKeyConstraint(["learner"], ["learners.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("institution", sa.String(length=40), nullable=True),
        sa.Column("learner", sa.String(length=40), nullable=True),
        sa.Column("programme", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(ROLE_CHECK, name="token_role"),
        sa.ForeignKeyConstraint(["institution"], ["institutions.code"]),
        sa.ForeignKeyConstraint(["learner"], ["learners.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("actor_role", sa.String(length=20), nullable=True),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=200), nullable=False),
        sa.Column("part", sa.String(length=60), nullable=True),
        sa.Column("institution", sa.String(length=40), nullable=True),
        sa.Column("learner", sa.String(length=40), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.CheckConstraint("action IN ('create', 'update', 'delete')", name="audit_action"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        for column in ("at", "actor", "entity", "entity_id", "institution", "learner"):
            batch_op.create_index(batch_op.f(f"ix_audit_entries_{column}"), [column], unique=False)

    with op.batch_alter_table("institutions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("trusted", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    # Institutions that existed before access control were created by their operators: trusted.
    op.execute("UPDATE institutions SET trusted = true")
    with op.batch_alter_table("qualifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("institution", sa.String(length=40), nullable=True))
        batch_op.create_foreign_key(
            "fk_qualifications_institution", "institutions", ["institution"], ["code"]
        )
    with op.batch_alter_table("epas", schema=None) as batch_op:
        batch_op.add_column(sa.Column("institution", sa.String(length=40), nullable=True))
        batch_op.create_foreign_key(
            "fk_epas_institution", "institutions", ["institution"], ["code"]
        )


def downgrade():
    with op.batch_alter_table("epas", schema=None) as batch_op:
        batch_op.drop_constraint("fk_epas_institution", type_="foreignkey")
        batch_op.drop_column("institution")
    with op.batch_alter_table("qualifications", schema=None) as batch_op:
        batch_op.drop_constraint("fk_qualifications_institution", type_="foreignkey")
        batch_op.drop_column("institution")
    with op.batch_alter_table("institutions", schema=None) as batch_op:
        batch_op.drop_column("trusted")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        for column in ("at", "actor", "entity", "entity_id", "institution", "learner"):
            batch_op.drop_index(batch_op.f(f"ix_audit_entries_{column}"))
    op.drop_table("audit_entries")
    op.drop_table("api_tokens")
    op.drop_table("accounts")
