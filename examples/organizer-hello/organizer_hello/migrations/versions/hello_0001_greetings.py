"""hello: greetings

Revision ID: hello_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "hello_0001"
down_revision = None
branch_labels = ("hello",)  # the plugin's own branch
depends_on = "core_0001"  # needs core_events


def upgrade() -> None:
    op.create_table(
        "hello_greetings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["core_events.id"], ondelete="CASCADE",
                                name=op.f("fk_hello_greetings_event_id_core_events")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hello_greetings")),
    )
    op.create_index(op.f("ix_hello_greetings_event_id"), "hello_greetings", ["event_id"])


def downgrade() -> None:
    op.drop_table("hello_greetings")
