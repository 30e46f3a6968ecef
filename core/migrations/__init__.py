"""Alembic, one environment and one ``alembic_version`` table, a branch per plugin.

The core's branch is labelled ``core``; each plugin ships ``migrations/`` whose first revision has
``branch_labels = ("<plugin>",)`` and ``depends_on = "core_0001"``. ``upgrade heads`` brings every
branch to its head. Built with a programmatic Config so that the loaded plugins decide the
``version_locations`` (no alembic.ini to keep in sync).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

HERE = Path(__file__).resolve().parent


def alembic_config(registry, connection=None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    locations = [str(HERE / "versions")]
    for manifest in registry.manifests().values():
        if manifest.migrations is not None:
            locations.append(str(manifest.migrations))
    cfg.set_main_option("version_locations", " ".join(locations))
    cfg.set_main_option("path_separator", "space")
    cfg.attributes["connection"] = connection
    cfg.attributes["registry"] = registry
    return cfg


def script_directory(registry) -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config(registry))


async def _run(engine: AsyncEngine, registry, fn) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(lambda sync_conn: fn(alembic_config(registry, sync_conn)))


async def upgrade(engine: AsyncEngine, registry, target: str = "heads") -> None:
    await _run(engine, registry, lambda cfg: command.upgrade(cfg, target))


async def downgrade(engine: AsyncEngine, registry, target: str) -> None:
    await _run(engine, registry, lambda cfg: command.downgrade(cfg, target))


async def current(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_heads()))


def applied_revisions(registry, current_heads: set[str]) -> set[str]:
    """Every revision implied by the stored heads. A revision another branch ``depends_on`` is not
    kept in ``alembic_version`` once the dependant is applied, so compare closures, not rows."""
    script = script_directory(registry)
    if not current_heads:
        return set()
    return {r.revision for r in script.revision_map.iterate_revisions(tuple(current_heads), "base")}


async def is_up_to_date(engine: AsyncEngine, registry) -> bool:
    heads = set(script_directory(registry).get_heads())
    return heads <= applied_revisions(registry, await current(engine))
