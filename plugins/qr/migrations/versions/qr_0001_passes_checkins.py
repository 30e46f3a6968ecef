"""qr: passes, check-ins, scan log, generated signing keys

Revision ID: qr_0001
"""

import sqlalchemy as sa
from alembic import op

from core.db import UTCDateTime

revision = "qr_0001"
down_revision = None
branch_labels = ("qr",)
depends_on = "core_0001"


def upgrade() -> None:
    op.create_table(
        "qr_passes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("nonce", sa.String(26), nullable=False),
        sa.Column("short_code", sa.String(8), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("photo_file_id", sa.String(256), nullable=True),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_reason", sa.String(16), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["core_events.id"], ondelete="CASCADE",
                                name=op.f("fk_qr_passes_event_id_core_events")),
        sa.ForeignKeyConstraint(["user_id"], ["core_users.id"], ondelete="CASCADE",
                                name=op.f("fk_qr_passes_user_id_core_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qr_passes")),
        sa.UniqueConstraint("nonce", name=op.f("uq_qr_passes_nonce")),
        sa.UniqueConstraint("event_id", "short_code", name=op.f("uq_qr_passes_event_id_short_code")),
    )
    op.create_index(op.f("ix_qr_passes_event_id"), "qr_passes", ["event_id"])
    op.create_index(op.f("ix_qr_passes_user_id"), "qr_passes", ["user_id"])
    op.create_index("ix_qr_passes_live_one_per_member", "qr_passes", ["event_id", "user_id"], unique=True,
                    sqlite_where=sa.text("revoked_at IS NULL"), postgresql_where=sa.text("revoked_at IS NULL"))
    op.create_table(
        "qr_checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("scope", sa.String(32), nullable=False),
        sa.Column("pass_id", sa.Integer(), nullable=True),
        sa.Column("by_user_id", sa.BigInteger(), nullable=True),
        sa.Column("checked_in_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["core_events.id"], ondelete="CASCADE",
                                name=op.f("fk_qr_checkins_event_id_core_events")),
        sa.ForeignKeyConstraint(["user_id"], ["core_users.id"], ondelete="CASCADE",
                                name=op.f("fk_qr_checkins_user_id_core_users")),
        sa.ForeignKeyConstraint(["pass_id"], ["qr_passes.id"], ondelete="SET NULL",
                                name=op.f("fk_qr_checkins_pass_id_qr_passes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qr_checkins")),
        sa.UniqueConstraint("event_id", "user_id", "scope", name=op.f("uq_qr_checkins_event_id_user_id_scope")),
    )
    op.create_index(op.f("ix_qr_checkins_event_id"), "qr_checkins", ["event_id"])
    op.create_index(op.f("ix_qr_checkins_user_id"), "qr_checkins", ["user_id"])
    op.create_index(op.f("ix_qr_checkins_checked_in_at"), "qr_checkins", ["checked_in_at"])
    op.create_table(
        "qr_scans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("by_user_id", sa.BigInteger(), nullable=True),
        sa.Column("scope", sa.String(32), nullable=False),
        sa.Column("result", sa.String(16), nullable=False),
        sa.Column("pass_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["core_events.id"], ondelete="CASCADE",
                                name=op.f("fk_qr_scans_event_id_core_events")),
        sa.ForeignKeyConstraint(["pass_id"], ["qr_passes.id"], ondelete="SET NULL",
                                name=op.f("fk_qr_scans_pass_id_qr_passes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qr_scans")),
    )
    op.create_index(op.f("ix_qr_scans_event_id"), "qr_scans", ["event_id"])
    op.create_table(
        "qr_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("secret", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["core_events.id"], ondelete="CASCADE",
                                name=op.f("fk_qr_keys_event_id_core_events")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qr_keys")),
        sa.UniqueConstraint("event_id", "key_id", name=op.f("uq_qr_keys_event_id_key_id")),
    )
    op.create_index(op.f("ix_qr_keys_event_id"), "qr_keys", ["event_id"])


def downgrade() -> None:
    op.drop_table("qr_keys")
    op.drop_table("qr_scans")
    op.drop_table("qr_checkins")
    op.drop_index("ix_qr_passes_live_one_per_member", table_name="qr_passes")
    op.drop_table("qr_passes")
