"""questions: talk ratings (one prompt and one score per person and session)

Revision ID: questions_0002
"""

import sqlalchemy as sa
from alembic import op

from core.db import UTCDateTime

revision = "questions_0002"
down_revision = "questions_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "questions_ratings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("score", sa.SmallInteger(), nullable=True),
        sa.Column("prompted_at", UTCDateTime(), nullable=False),
        sa.Column("closes_at", UTCDateTime(), nullable=False),
        sa.Column("rated_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["core_events.id"], ondelete="CASCADE",
                                name=op.f("fk_questions_ratings_event_id_core_events")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questions_ratings")),
        sa.UniqueConstraint("session_id", "user_id", name=op.f("uq_questions_ratings_session_id_user_id")),
    )
    op.create_index(op.f("ix_questions_ratings_event_id"), "questions_ratings", ["event_id"])


def downgrade() -> None:
    op.drop_table("questions_ratings")
