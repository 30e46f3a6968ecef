"""admin_chat: groups, tickets, messages, relay queue, posts, room, drafts, plugin switches

Revision ID: admin_chat_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "admin_chat_0001"
down_revision = None
branch_labels = ("admin_chat",)
depends_on = "core_0001"


def _event_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["event_id"], ["core_events.id"], ondelete="CASCADE",
                                   name=op.f(f"fk_{table}_event_id_core_events"))


def upgrade() -> None:
    op.create_table(
        "admin_chat_groups",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("is_forum", sa.Boolean(), nullable=False),
        sa.Column("bound_by", sa.BigInteger(), nullable=True),
        sa.Column("bound_at", sa.DateTime(timezone=True), nullable=False),
        _event_fk("admin_chat_groups"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_chat_groups")),
        sa.UniqueConstraint("event_id", name=op.f("uq_admin_chat_groups_event_id")),
        sa.UniqueConstraint("chat_id", name=op.f("uq_admin_chat_groups_chat_id")),
    )
    op.create_table(
        "admin_chat_tickets",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("author_name", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sa.BigInteger(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        _event_fk("admin_chat_tickets"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_chat_tickets")),
    )
    op.create_index(op.f("ix_admin_chat_tickets_event_id"), "admin_chat_tickets", ["event_id"])
    op.create_index(op.f("ix_admin_chat_tickets_user_id"), "admin_chat_tickets", ["user_id"])
    op.create_table(
        "admin_chat_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(4), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=True),
        sa.Column("author_name", sa.String(200), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("media_kind", sa.String(16), nullable=True),
        sa.Column("file_id", sa.String(255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["admin_chat_tickets.id"], ondelete="CASCADE",
                                name=op.f("fk_admin_chat_messages_ticket_id_admin_chat_tickets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_chat_messages")),
    )
    op.create_index(op.f("ix_admin_chat_messages_ticket_id"), "admin_chat_messages", ["ticket_id"])
    op.create_table(
        "admin_chat_pending",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("relay_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _event_fk("admin_chat_pending"),
        sa.ForeignKeyConstraint(["message_id"], ["admin_chat_messages.id"], ondelete="CASCADE",
                                name=op.f("fk_admin_chat_pending_message_id_admin_chat_messages")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_chat_pending")),
    )
    op.create_index(op.f("ix_admin_chat_pending_event_id"), "admin_chat_pending", ["event_id"])
    op.create_index(op.f("ix_admin_chat_pending_chat_id"), "admin_chat_pending", ["chat_id"])
    op.create_index(op.f("ix_admin_chat_pending_relay_id"), "admin_chat_pending", ["relay_id"])
    op.create_table(
        "admin_chat_slots",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("busy", sa.Boolean(), nullable=False),
        sa.Column("relay_id", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", name=op.f("pk_admin_chat_slots")),
    )
    op.create_table(
        "admin_chat_posts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["ticket_id"], ["admin_chat_tickets.id"], ondelete="CASCADE",
                                name=op.f("fk_admin_chat_posts_ticket_id_admin_chat_tickets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_chat_posts")),
        sa.UniqueConstraint("chat_id", "message_id", name=op.f("uq_admin_chat_posts_chat_id_message_id")),
    )
    op.create_table(
        "admin_chat_room",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=False),
        sa.Column("author_name", sa.String(200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _event_fk("admin_chat_room"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_chat_room")),
    )
    op.create_index(op.f("ix_admin_chat_room_event_id"), "admin_chat_room", ["event_id"])
    op.create_table(
        "admin_chat_drafts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _event_fk("admin_chat_drafts"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_chat_drafts")),
    )
    op.create_index(op.f("ix_admin_chat_drafts_event_id"), "admin_chat_drafts", ["event_id"])
    op.create_index(op.f("ix_admin_chat_drafts_user_id"), "admin_chat_drafts", ["user_id"])
    op.create_table(
        "admin_chat_switches",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("plugin", sa.String(64), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("changed_by", sa.BigInteger(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        _event_fk("admin_chat_switches"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_chat_switches")),
        sa.UniqueConstraint("event_id", "plugin", name=op.f("uq_admin_chat_switches_event_id_plugin")),
    )


def downgrade() -> None:
    for table in ("admin_chat_switches", "admin_chat_drafts", "admin_chat_room", "admin_chat_posts",
                  "admin_chat_slots", "admin_chat_pending", "admin_chat_messages", "admin_chat_tickets",
                  "admin_chat_groups"):
        op.drop_table(table)
