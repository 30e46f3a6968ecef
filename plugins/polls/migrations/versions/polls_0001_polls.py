"""polls: polls, options, votes, live result views

Revision ID: polls_0001
"""

import sqlalchemy as sa
from alembic import op

from core.db import UTCDateTime

revision = "polls_0001"
down_revision = None
branch_labels = ("polls",)
depends_on = "core_0001"


def upgrade() -> None:
    op.create_table(
        "polls_polls",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(300), nullable=False),
        sa.Column("multiple", sa.Boolean(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("changeable", sa.Boolean(), nullable=False),
        sa.Column("show_results", sa.Boolean(), nullable=False),
        sa.Column("publish_results", sa.Boolean(), nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("audience", sa.String(48), nullable=True),
        sa.Column("session_ref", sa.String(64), nullable=True),
        sa.Column("closes_at", UTCDateTime(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["core_events.id"], ondelete="CASCADE",
                                name=op.f("fk_polls_polls_event_id_core_events")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_polls_polls")),
    )
    op.create_index(op.f("ix_polls_polls_event_id"), "polls_polls", ["event_id"])
    op.create_table(
        "polls_options",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(100), nullable=False),
        sa.ForeignKeyConstraint(["poll_id"], ["polls_polls.id"], ondelete="CASCADE",
                                name=op.f("fk_polls_options_poll_id_polls_polls")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_polls_options")),
        sa.UniqueConstraint("poll_id", "position", name=op.f("uq_polls_options_poll_id_position")),
    )
    op.create_index(op.f("ix_polls_options_poll_id"), "polls_options", ["poll_id"])
    op.create_table(
        "polls_votes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("voter", sa.String(64), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("option_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("voted_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["poll_id"], ["polls_polls.id"], ondelete="CASCADE",
                                name=op.f("fk_polls_votes_poll_id_polls_polls")),
        sa.ForeignKeyConstraint(["option_id"], ["polls_options.id"], ondelete="CASCADE",
                                name=op.f("fk_polls_votes_option_id_polls_options")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_polls_votes")),
        sa.UniqueConstraint("poll_id", "voter", "slot", name=op.f("uq_polls_votes_poll_id_voter_slot")),
    )
    op.create_index(op.f("ix_polls_votes_poll_id"), "polls_votes", ["poll_id"])
    op.create_table(
        "polls_views",
        sa.Column("chat_id", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("edited_at", UTCDateTime(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["poll_id"], ["polls_polls.id"], ondelete="CASCADE",
                                name=op.f("fk_polls_views_poll_id_polls_polls")),
        sa.PrimaryKeyConstraint("chat_id", "message_id", name=op.f("pk_polls_views")),
    )
    op.create_index(op.f("ix_polls_views_poll_id"), "polls_views", ["poll_id"])


def downgrade() -> None:
    op.drop_table("polls_views")
    op.drop_table("polls_votes")
    op.drop_table("polls_options")
    op.drop_table("polls_polls")
