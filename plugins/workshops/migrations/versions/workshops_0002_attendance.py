"""workshops: who came to a workshop (marked at its door)

Revision ID: workshops_0002
"""

import sqlalchemy as sa
from alembic import op

from core.db import UTCDateTime

revision = "workshops_0002"
down_revision = "workshops_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("workshops_bookings", sa.Column("attended_at", UTCDateTime(), nullable=True))
    op.add_column("workshops_bookings", sa.Column("attended_by", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workshops_bookings") as batch:
        batch.drop_column("attended_by")
        batch.drop_column("attended_at")
