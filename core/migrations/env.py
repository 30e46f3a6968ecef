"""Alembic environment: runs on the connection the core hands over (async engines via run_sync)."""

from alembic import context

import core.models  # noqa: F401  (registers the core tables on Base.metadata)
import core.delivery.models  # noqa: F401  (outbox, broadcasts: core_0002)
import core.jobs.models  # noqa: F401  (due-time jobs: core_0002)
import core.delivery.leases  # noqa: F401  (worker leases: core_0003)
from core.db import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `organizer db upgrade`, which provides the connection")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # ALTER on SQLite needs batch mode
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
