"""waitlist: queue order is the order of taps (Telegram update id), not the order of arrival at the lock

Revision ID: waitlist_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "waitlist_0002"
down_revision = "waitlist_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("waitlist_entries", sa.Column("tap_order", sa.BigInteger(), nullable=True))
    op.execute("UPDATE waitlist_entries SET tap_order = id")  # existing queues keep their order
    op.create_index("ix_waitlist_entries_workshop_id_state_tap_order", "waitlist_entries",
                    ["workshop_id", "state", "tap_order", "id"])


def downgrade() -> None:
    op.drop_index("ix_waitlist_entries_workshop_id_state_tap_order", table_name="waitlist_entries")
    op.drop_column("waitlist_entries", "tap_order")
