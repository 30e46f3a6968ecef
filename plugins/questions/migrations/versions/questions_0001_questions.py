"""questions: questions to speakers and upvotes

Revision ID: questions_0001
"""

import sqlalchemy as sa
from alembic import op

from core.db import UTCDateTime

revision = "questions_0001"
down_revision = None
branch_labels = ("questions",)
depends_on = "core_0001"


def upgrade() -> None:
    op.create_table(
        "questions_questions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(64), nullable=False),
        sa.Column("asker_id", sa.BigInteger(), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("asker_name", sa.String(128), nullable=False),
        sa.Column("text", sa.String(1000), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["core_events.id"], ondelete="CASCADE",
                                name=op.f("fk_questions_questions_event_id_core_events")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questions_questions")),
    )
    op.create_index(op.f("ix_questions_questions_event_id"), "questions_questions", ["event_id"])
    op.create_table(
        "questions_votes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["question_id"], ["questions_questions.id"], ondelete="CASCADE",
                                name=op.f("fk_questions_votes_question_id_questions_questions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questions_votes")),
        sa.UniqueConstraint("question_id", "user_id", name=op.f("uq_questions_votes_question_id_user_id")),
    )
    op.create_index(op.f("ix_questions_votes_question_id"), "questions_votes", ["question_id"])


def downgrade() -> None:
    op.drop_table("questions_votes")
    op.drop_table("questions_questions")
