"""Alembic environment: runs on the connection the core hands over (async engines via run_sync)."""

from alembic import context

import core.models  # noqa: F401  (registers the core tables on Base.metadata)
import core.delivery.models  # noqa: F401  (outbox, broadcasts: core_0002)
import core.jobs.models  # noqa: F401  (due-time jobs: core_0002)
import core.delivery.leases  # noqa: F401  (worker leases: core_0003)
from core.db import Base, UTCDateTime, declare_partial_indexes

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `organizer db upgrade`, which provides the connection")

# `organizer db revision PLUGIN --autogenerate`: compare only that plugin's tables (every table of
# a plugin starts with its name, checked at start-up), so the migration never drops or alters the
# tables of the core or of plugins that are not loaded.
plugin = config.attributes.get("autogenerate_plugin")
if plugin is not None:
    # A new migration must create the models' partial indexes on both databases: spell both
    # dialects' WHERE (an upgrade runs the written migrations and needs neither).
    declare_partial_indexes(Base.metadata, "postgresql", "sqlite")


def include_object(obj, name, type_, _reflected, _compare_to) -> bool:
    if plugin is None:
        return True
    table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", "")
    return (table or "").startswith(f"{plugin}_")


def render_item(type_, obj, _autogen_context):
    """Autogenerate writes plain SQLAlchemy types: ``UTCDateTime`` converts values in Python
    only, its column is a ``DateTime(timezone=True)`` (and a migration must not import core.db)."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # ALTER on SQLite needs batch mode
    compare_type=True,
    include_object=include_object,
    render_item=render_item,
)
with context.begin_transaction():
    context.run_migrations()
