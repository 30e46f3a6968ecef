"""schedule: sessions, speakers, bookmarks, reminder preferences, speaker links, releases

Revision ID: schedule_0001
"""

import sqlalchemy as sa
from alembic import op

from core.db import UTCDateTime

revision = "schedule_0001"
down_revision = None
branch_labels = ("schedule",)
depends_on = "core_0001"


def _event_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["event_id"], ["core_events.id"], ondelete="CASCADE",
                                   name=op.f(f"fk_{table}_event_id_core_events"))


def upgrade() -> None:
    op.create_table(
        "schedule_speakers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(64), nullable=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("bio", sa.Text(), nullable=True),
        sa.Column("username", sa.String(64), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _event_fk("schedule_speakers"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_speakers")),
        sa.UniqueConstraint("event_id", "key", name=op.f("uq_schedule_speakers_event_id_key")),
    )
    op.create_index(op.f("ix_schedule_speakers_event_id"), "schedule_speakers", ["event_id"])
    op.create_index(op.f("ix_schedule_speakers_user_id"), "schedule_speakers", ["user_id"])
    op.create_table(
        "schedule_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(64), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=True),
        sa.Column("room", sa.String(100), nullable=True),
        sa.Column("track", sa.String(100), nullable=True),
        sa.Column("speaker_ids", sa.JSON(), nullable=False),
        sa.Column("for_all", sa.Boolean(), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Column("draft", sa.JSON(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        _event_fk("schedule_sessions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_sessions")),
        sa.UniqueConstraint("event_id", "key", name=op.f("uq_schedule_sessions_event_id_key")),
    )
    op.create_index(op.f("ix_schedule_sessions_event_id"), "schedule_sessions", ["event_id"])
    op.create_index(op.f("ix_schedule_sessions_starts_at"), "schedule_sessions", ["starts_at"])
    op.create_table(
        "schedule_bookmarks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _event_fk("schedule_bookmarks"),
        sa.ForeignKeyConstraint(["session_id"], ["schedule_sessions.id"], ondelete="CASCADE",
                                name=op.f("fk_schedule_bookmarks_session_id_schedule_sessions")),
        sa.ForeignKeyConstraint(["user_id"], ["core_users.id"], ondelete="CASCADE",
                                name=op.f("fk_schedule_bookmarks_user_id_core_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_bookmarks")),
        sa.UniqueConstraint("session_id", "user_id", name=op.f("uq_schedule_bookmarks_session_id_user_id")),
    )
    op.create_index(op.f("ix_schedule_bookmarks_event_id"), "schedule_bookmarks", ["event_id"])
    op.create_index(op.f("ix_schedule_bookmarks_session_id"), "schedule_bookmarks", ["session_id"])
    op.create_index(op.f("ix_schedule_bookmarks_user_id"), "schedule_bookmarks", ["user_id"])
    op.create_table(
        "schedule_reminder_prefs",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=True),
        _event_fk("schedule_reminder_prefs"),
        sa.ForeignKeyConstraint(["user_id"], ["core_users.id"], ondelete="CASCADE",
                                name=op.f("fk_schedule_reminder_prefs_user_id_core_users")),
        sa.PrimaryKeyConstraint("event_id", "user_id", name=op.f("pk_schedule_reminder_prefs")),
    )
    op.create_table(
        "schedule_speaker_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("speaker_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.Column("used_by", sa.BigInteger(), nullable=True),
        _event_fk("schedule_speaker_links"),
        sa.ForeignKeyConstraint(["speaker_id"], ["schedule_speakers.id"], ondelete="CASCADE",
                                name=op.f("fk_schedule_speaker_links_speaker_id_schedule_speakers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_speaker_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_schedule_speaker_links_token_hash")),
    )
    op.create_index(op.f("ix_schedule_speaker_links_event_id"), "schedule_speaker_links", ["event_id"])
    op.create_index(op.f("ix_schedule_speaker_links_speaker_id"), "schedule_speaker_links", ["speaker_id"])
    op.create_table(
        "schedule_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("changes", sa.Integer(), nullable=False),
        sa.Column("notified", sa.Integer(), nullable=False),
        sa.Column("published_by", sa.BigInteger(), nullable=True),
        sa.Column("published_at", UTCDateTime(), nullable=False),
        _event_fk("schedule_releases"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_releases")),
    )
    op.create_index(op.f("ix_schedule_releases_event_id"), "schedule_releases", ["event_id"])


def downgrade() -> None:
    for table in ("schedule_releases", "schedule_speaker_links", "schedule_reminder_prefs", "schedule_bookmarks",
                  "schedule_sessions", "schedule_speakers"):
        op.drop_table(table)
