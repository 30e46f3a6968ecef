"""waitlist: queue entries and offers

Revision ID: waitlist_0001
"""

import sqlalchemy as sa
from alembic import op

from core.db import UTCDateTime

revision = "waitlist_0001"
down_revision = None
branch_labels = ("waitlist",)
depends_on = "workshops_0001"

OPEN = sa.text("state IN ('waiting', 'offered')")


def upgrade() -> None:
    op.create_table(
        "waitlist_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("offered_at", UTCDateTime(), nullable=True),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("reason", sa.String(16), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshops_workshops.id"], ondelete="CASCADE",
                                name=op.f("fk_waitlist_entries_workshop_id_workshops_workshops")),
        sa.ForeignKeyConstraint(["event_id"], ["core_events.id"], ondelete="CASCADE",
                                name=op.f("fk_waitlist_entries_event_id_core_events")),
        sa.ForeignKeyConstraint(["user_id"], ["core_users.id"], ondelete="CASCADE",
                                name=op.f("fk_waitlist_entries_user_id_core_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waitlist_entries")),
        sqlite_autoincrement=True,
    )
    op.create_index("uq_waitlist_entries_open", "waitlist_entries", ["workshop_id", "user_id"], unique=True,
                    sqlite_where=OPEN, postgresql_where=OPEN)
    op.create_index("ix_waitlist_entries_workshop_id_state", "waitlist_entries", ["workshop_id", "state", "id"])
    op.create_index(op.f("ix_waitlist_entries_event_id"), "waitlist_entries", ["event_id"])
    op.create_index(op.f("ix_waitlist_entries_user_id"), "waitlist_entries", ["user_id"])


def downgrade() -> None:
    op.drop_table("waitlist_entries")
