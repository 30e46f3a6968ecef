"""Stairway: every revision of every branch upgrades, downgrades and upgrades again, on both DBs."""

from sqlalchemy import inspect

from core import migrations
from core.db import Base, create_engine
from core.plugins import PluginRegistry


def _topological(script):
    revisions = list(script.walk_revisions("base", "heads"))
    revisions.reverse()  # base first
    return revisions


async def test_stairway_every_revision_up_down_up(db_url):
    registry = PluginRegistry.load(entry_points_enabled=False)
    script = migrations.script_directory(registry)
    engine = create_engine(db_url)
    try:
        for rev in _topological(script):
            await migrations.upgrade(engine, registry, rev.revision)
            # One step below this revision (for a branch's first revision: its branch's base).
            await migrations.downgrade(engine, registry, f"{rev.revision}-1")
            await migrations.upgrade(engine, registry, rev.revision)
        await migrations.upgrade(engine, registry, "heads")
        assert await migrations.is_up_to_date(engine, registry)
        applied = migrations.applied_revisions(registry, await migrations.current(engine))
        assert applied == {r.revision for r in script.walk_revisions()}
    finally:
        await engine.dispose()


async def test_migrated_schema_matches_the_models(db_url):
    """Every table the models declare exists after `db upgrade` (no model without a migration)."""
    registry = PluginRegistry.load(entry_points_enabled=False)
    for name in registry.order:  # import every plugin's models onto Base.metadata
        try:
            __import__(f"plugins.{name}.models")
        except ModuleNotFoundError:
            pass
    engine = create_engine(db_url)
    try:
        await migrations.upgrade(engine, registry)
        async with engine.connect() as conn:
            tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
        declared = {t for t in Base.metadata.tables if not t.startswith("hello_")}
        assert declared <= tables, declared - tables
    finally:
        await engine.dispose()
