"""schedule: changes of other plugins (booked workshops) held for the next digest

Revision ID: schedule_0002
"""

import sqlalchemy as sa
from alembic import op

from core.db import UTCDateTime

revision = "schedule_0002"
down_revision = "schedule_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "schedule_held_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("old_starts_at", UTCDateTime(), nullable=False),
        sa.Column("old_ends_at", UTCDateTime(), nullable=True),
        sa.Column("old_place", sa.Text(), nullable=True),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=True),
        sa.Column("place", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["core_events.id"], ondelete="CASCADE",
                                name=op.f("fk_schedule_held_changes_event_id_core_events")),
        sa.ForeignKeyConstraint(["user_id"], ["core_users.id"], ondelete="CASCADE",
                                name=op.f("fk_schedule_held_changes_user_id_core_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_held_changes")),
    )
    op.create_index(op.f("ix_schedule_held_changes_event_id"), "schedule_held_changes", ["event_id"])
    op.create_index(op.f("ix_schedule_held_changes_user_id"), "schedule_held_changes", ["user_id"])
    op.create_index(op.f("ix_schedule_held_changes_due_at"), "schedule_held_changes", ["due_at"])


def downgrade() -> None:
    op.drop_table("schedule_held_changes")
