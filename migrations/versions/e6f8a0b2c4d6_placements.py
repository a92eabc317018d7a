"""placements (stagematching: workplaces, rounds, offers, requests, proposals, placements)

Also the roles ``coordinator`` and ``workplace``, and the workplace a token or account is bound to.

Revision ID: e6f8a0b2c4d6
Revises: d5e7f9a1b2c4
Create Date: 2026-12-02 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e6f8a0b2c4d6"
down_revision = "d5e7f9a1b2c4"
branch_labels = None
depends_on = None

OLD_ROLES = "role IN ('admin', 'school-admin', 'assessor', 'vmbo-teacher', 'learner')"
NEW_ROLES = (
    "role IN ('admin', 'school-admin', 'assessor', 'vmbo-teacher', 'learner', 'coordinator', "
    "'workplace')"
)
BRANCH_CHECK = (
    "branch IN ('vvt', 'ziekenhuis', 'ggz', 'gehandicaptenzorg', 'jeugd', 'kinderopvang', "
    "'huisartsenzorg')"
)
STAMP = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "workplaces",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("branch", sa.String(length=30), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("lon", sa.Double(), nullable=False),
        sa.Column("recognitions", sa.JSON(), nullable=False),
        sa.Column("created_at", STAMP, nullable=False),
        sa.CheckConstraint(BRANCH_CHECK, name="workplace_branch"),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "placement_rounds",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("match_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("published_at", STAMP, nullable=True),
        sa.CheckConstraint("status IN ('open', 'published')", name="placement_round_status"),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "placement_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round", sa.String(length=40), nullable=False),
        sa.Column("workplace", sa.String(length=40), nullable=False),
        sa.Column("qualifications", sa.JSON(), nullable=False),
        sa.Column("places", sa.Integer(), nullable=False),
        sa.Column("hours_per_week", sa.Integer(), nullable=True),
        sa.Column("epas", sa.JSON(), nullable=False),
        sa.Column("reserved_for", sa.String(length=40), nullable=True),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.CheckConstraint("places >= 1", name="placement_offer_places"),
        sa.ForeignKeyConstraint(["reserved_for"], ["institutions.code"]),
        sa.ForeignKeyConstraint(["round"], ["placement_rounds.code"]),
        sa.ForeignKeyConstraint(["workplace"], ["workplaces.code"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "placement_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round", sa.String(length=40), nullable=False),
        sa.Column("learner", sa.String(length=40), nullable=False),
        sa.Column("qualification", sa.String(length=40), nullable=False),
        sa.Column("home_lat", sa.Double(), nullable=False),
        sa.Column("home_lon", sa.Double(), nullable=False),
        sa.Column("max_km", sa.Integer(), nullable=False),
        sa.Column("preferences", sa.JSON(), nullable=False),
        sa.Column("practise_epas", sa.JSON(), nullable=False),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["learner"], ["learners.id"]),
        sa.ForeignKeyConstraint(["round"], ["placement_rounds.code"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("round", "learner", name="placement_request_unique"),
    )
    op.create_table(
        "placement_proposals",
        sa.Column("round", sa.String(length=40), nullable=False),
        sa.Column("matched_on", sa.Date(), nullable=False),
        sa.Column("placed_count", sa.Integer(), nullable=False),
        sa.Column("total_cost", sa.Integer(), nullable=False),
        sa.Column("computed_at", STAMP, nullable=False),
        sa.Column("computed_by", sa.String(length=100), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["round"], ["placement_rounds.code"]),
        sa.PrimaryKeyConstraint("round"),
    )
    op.create_table(
        "placements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round", sa.String(length=40), nullable=False),
        sa.Column("learner", sa.String(length=40), nullable=False),
        sa.Column("offer", sa.Integer(), nullable=False),
        sa.Column("workplace", sa.String(length=40), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("distance_km", sa.Integer(), nullable=False),
        sa.Column("cost", sa.Integer(), nullable=False),
        sa.Column("published_at", STAMP, nullable=False),
        sa.ForeignKeyConstraint(["learner"], ["learners.id"]),
        sa.ForeignKeyConstraint(["offer"], ["placement_offers.id"]),
        sa.ForeignKeyConstraint(["round"], ["placement_rounds.code"]),
        sa.ForeignKeyConstraint(["workplace"], ["workplaces.code"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("round", "learner", name="placement_unique"),
    )
    indexes = {
        "placement_offers": ("round", "workplace"),
        "placement_requests": ("round", "learner"),
        "placements": ("round", "learner", "offer", "workplace"),
    }
    for table, columns in indexes.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)
    for table, check in (("accounts", "account_role"), ("api_tokens", "token_role")):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("workplace", sa.String(length=40), nullable=True))
            batch_op.drop_constraint(check, type_="check")
            batch_op.create_check_constraint(check, NEW_ROLES)


def downgrade():
    for table, check in (("accounts", "account_role"), ("api_tokens", "token_role")):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(check, type_="check")
            batch_op.create_check_constraint(check, OLD_ROLES)
            batch_op.drop_column("workplace")
    for table in (
        "placements",
        "placement_proposals",
        "placement_requests",
        "placement_offers",
        "placement_rounds",
        "workplaces",
    ):
        op.drop_table(table)
