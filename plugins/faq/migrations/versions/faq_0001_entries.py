"""faq: entries

Revision ID: faq_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "faq_0001"
down_revision = None
branch_labels = ("faq",)
depends_on = "core_0001"


def upgrade() -> None:
    op.create_table(
        "faq_entries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("question", sa.String(200), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["core_events.id"], ondelete="CASCADE",
                                name=op.f("fk_faq_entries_event_id_core_events")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_faq_entries")),
        sa.UniqueConstraint("event_id", "key", name=op.f("uq_faq_entries_event_id_key")),
    )
    op.create_index(op.f("ix_faq_entries_event_id"), "faq_entries", ["event_id"])


def downgrade() -> None:
    op.drop_table("faq_entries")
