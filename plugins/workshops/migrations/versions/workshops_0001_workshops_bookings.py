"""workshops: workshops, bookings, live views

Revision ID: workshops_0001
"""

import sqlalchemy as sa
from alembic import op

from core.db import UTCDateTime

revision = "workshops_0001"
down_revision = None
branch_labels = ("workshops",)
depends_on = "core_0001"


def upgrade() -> None:
    op.create_table(
        "workshops_workshops",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(64), nullable=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("speaker", sa.String(200), nullable=True),
        sa.Column("place", sa.String(200), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("capacity > 0", name=op.f("ck_workshops_workshops_capacity_positive")),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_workshops_workshops_ends_after_start")),
        sa.ForeignKeyConstraint(["event_id"], ["core_events.id"], ondelete="CASCADE",
                                name=op.f("fk_workshops_workshops_event_id_core_events")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshops_workshops")),
        sa.UniqueConstraint("event_id", "key", name=op.f("uq_workshops_workshops_event_id_key")),
    )
    op.create_index(op.f("ix_workshops_workshops_event_id"), "workshops_workshops", ["event_id"])
    op.create_table(
        "workshops_bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshops_workshops.id"], ondelete="CASCADE",
                                name=op.f("fk_workshops_bookings_workshop_id_workshops_workshops")),
        sa.ForeignKeyConstraint(["event_id"], ["core_events.id"], ondelete="CASCADE",
                                name=op.f("fk_workshops_bookings_event_id_core_events")),
        sa.ForeignKeyConstraint(["user_id"], ["core_users.id"], ondelete="CASCADE",
                                name=op.f("fk_workshops_bookings_user_id_core_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshops_bookings")),
        sa.UniqueConstraint("workshop_id", "user_id", name=op.f("uq_workshops_bookings_workshop_id_user_id")),
    )
    op.create_index(op.f("ix_workshops_bookings_workshop_id"), "workshops_bookings", ["workshop_id"])
    op.create_index(op.f("ix_workshops_bookings_event_id"), "workshops_bookings", ["event_id"])
    op.create_index(op.f("ix_workshops_bookings_user_id"), "workshops_bookings", ["user_id"])
    op.create_table(
        "workshops_views",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("message_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("workshop_ids", sa.JSON(), nullable=False),
        sa.Column("seen_version", sa.Integer(), nullable=False),
        sa.Column("text_hash", sa.String(64), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("edited_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["core_events.id"], ondelete="CASCADE",
                                name=op.f("fk_workshops_views_event_id_core_events")),
        sa.PrimaryKeyConstraint("chat_id", "message_id", name=op.f("pk_workshops_views")),
    )
    op.create_index(op.f("ix_workshops_views_user_id"), "workshops_views", ["user_id"])
    op.create_index(op.f("ix_workshops_views_event_id"), "workshops_views", ["event_id"])
    op.create_index(op.f("ix_workshops_views_opened_at"), "workshops_views", ["opened_at"])


def downgrade() -> None:
    op.drop_table("workshops_views")
    op.drop_table("workshops_bookings")
    op.drop_table("workshops_workshops")
