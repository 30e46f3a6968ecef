"""core: events, users, memberships

Revision ID: core_0001
"""

import sqlalchemy as sa
from alembic import op

from core.db import UTCDateTime

revision = "core_0001"
down_revision = None
branch_labels = ("core",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "core_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("slug", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_events")),
        sa.UniqueConstraint("slug", name=op.f("uq_core_events_slug")),
    )
    op.create_table(
        "core_users",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("first_name", sa.String(128), nullable=False),
        sa.Column("last_name", sa.String(128), nullable=True),
        sa.Column("username", sa.String(64), nullable=True),
        sa.Column("telegram_language", sa.String(16), nullable=True),
        sa.Column("language", sa.String(8), nullable=True),
        sa.Column("current_event_id", sa.Integer(), nullable=True),
        sa.Column("unreachable_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["current_event_id"], ["core_events.id"], ondelete="SET NULL",
                                name=op.f("fk_core_users_current_event_id_core_events")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_users")),
    )
    op.create_table(
        "core_members",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.Column("consent_at", UTCDateTime(), nullable=True),
        sa.Column("registered_at", UTCDateTime(), nullable=True),
        sa.Column("joined_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["core_events.id"], ondelete="CASCADE",
                                name=op.f("fk_core_members_event_id_core_events")),
        sa.ForeignKeyConstraint(["user_id"], ["core_users.id"], ondelete="CASCADE",
                                name=op.f("fk_core_members_user_id_core_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_members")),
        sa.UniqueConstraint("event_id", "user_id", name=op.f("uq_core_members_event_id_user_id")),
    )
    op.create_index(op.f("ix_core_members_event_id"), "core_members", ["event_id"])
    op.create_index(op.f("ix_core_members_user_id"), "core_members", ["user_id"])


def downgrade() -> None:
    op.drop_table("core_members")
    op.drop_table("core_users")
    op.drop_table("core_events")
