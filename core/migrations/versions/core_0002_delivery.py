"""core: delivery outbox, broadcasts, outbox media, due-time jobs

Revision ID: core_0002
Revises: core_0001
"""

import sqlalchemy as sa
from alembic import op

from core.db import UTCDateTime

revision = "core_0002"
down_revision = "core_0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "core_broadcasts",
        sa.Column("id", BigId, nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["core_events.id"], ondelete="SET NULL",
                                name=op.f("fk_core_broadcasts_event_id_core_events")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_broadcasts")),
    )
    op.create_table(
        "core_outbox_media",
        sa.Column("id", BigId, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("file_id", sa.String(255), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_outbox_media")),
    )
    op.create_table(
        "core_outbox",
        sa.Column("id", BigId, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("batch_id", BigId, nullable=True),
        sa.Column("kind", sa.String(64), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("parse_mode", sa.String(16), nullable=True),
        sa.Column("dedupe_key", sa.String(255), nullable=True),
        sa.Column("priority", sa.SmallInteger(), nullable=False),
        sa.Column("not_before", UTCDateTime(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["core_events.id"], ondelete="SET NULL",
                                name=op.f("fk_core_outbox_event_id_core_events")),
        sa.ForeignKeyConstraint(["batch_id"], ["core_broadcasts.id"], ondelete="SET NULL",
                                name=op.f("fk_core_outbox_batch_id_core_broadcasts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_outbox")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_core_outbox_dedupe_key")),
    )
    queued = sa.text("state = 'queued'")
    claimed = sa.text("state = 'claimed'")
    op.create_index(op.f("ix_core_outbox_queue"), "core_outbox", ["priority", "not_before", "id"],
                    postgresql_where=queued, sqlite_where=queued)
    op.create_index(op.f("ix_core_outbox_claimed"), "core_outbox", ["claimed_at"],
                    postgresql_where=claimed, sqlite_where=claimed)
    op.create_index(op.f("ix_core_outbox_batch_id_state"), "core_outbox", ["batch_id", "state"])
    op.create_index(op.f("ix_core_outbox_chat_id_state"), "core_outbox", ["chat_id", "state"])
    op.create_index(op.f("ix_core_outbox_event_id"), "core_outbox", ["event_id"])

    op.create_table(
        "core_jobs",
        sa.Column("id", BigId, nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("job", sa.String(128), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_jobs")),
        sa.UniqueConstraint("key", name=op.f("uq_core_jobs_key")),
    )
    scheduled = sa.text("state = 'scheduled'")
    op.create_index(op.f("ix_core_jobs_due"), "core_jobs", ["due_at"],
                    postgresql_where=scheduled, sqlite_where=scheduled)
    op.create_index(op.f("ix_core_jobs_claimed"), "core_jobs", ["claimed_at"],
                    postgresql_where=claimed, sqlite_where=claimed)


def downgrade() -> None:
    op.drop_table("core_jobs")
    op.drop_table("core_outbox")
    op.drop_table("core_outbox_media")
    op.drop_table("core_broadcasts")
