"""core: worker leases (claims of a dead worker go back within seconds)

Revision ID: core_0003
Revises: core_0002
"""

import sqlalchemy as sa
from alembic import op

from core.db import UTCDateTime

revision = "core_0003"
down_revision = "core_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "core_worker_leases",
        sa.Column("worker_id", sa.String(64), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("renewed_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("worker_id", name=op.f("pk_core_worker_leases")),
    )
    op.create_index(op.f("ix_core_worker_leases_expires_at"), "core_worker_leases", ["expires_at"])


def downgrade() -> None:
    op.drop_table("core_worker_leases")
