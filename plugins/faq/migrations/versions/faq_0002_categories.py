"""faq: categories of entries (editable in the bot)

Revision ID: faq_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "faq_0002"
down_revision = "faq_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "faq_categories",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(60), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["core_events.id"], ondelete="CASCADE",
                                name=op.f("fk_faq_categories_event_id_core_events")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_faq_categories")),
    )
    op.create_index(op.f("ix_faq_categories_event_id"), "faq_categories", ["event_id"])
    with op.batch_alter_table("faq_entries") as batch:
        batch.add_column(sa.Column("category_id", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_faq_entries_category_id"), ["category_id"])
        batch.create_foreign_key(batch.f("fk_faq_entries_category_id_faq_categories"), "faq_categories",
                                 ["category_id"], ["id"], ondelete="SET NULL")


def downgrade() -> None:
    with op.batch_alter_table("faq_entries") as batch:
        batch.drop_constraint(batch.f("fk_faq_entries_category_id_faq_categories"), type_="foreignkey")
        batch.drop_index(batch.f("ix_faq_entries_category_id"))
        batch.drop_column("category_id")
    op.drop_table("faq_categories")
