"""Alembic, one environment and one ``alembic_version`` table, a branch per plugin.

The core's branch is labelled ``core``; each plugin ships ``migrations/`` whose first revision has
``branch_labels = ("<plugin>",)`` and ``depends_on = "core_0001"``. ``upgrade heads`` brings every
branch to its head. Built with a programmatic Config so that the loaded plugins decide the
``version_locations`` (no alembic.ini to keep in sync).

alembic is imported only when there is something for it to do: ``upgrade()`` to the heads first
reads ``alembic_version`` with plain SQL and the revision headers with ``ast``
(``revision_files``), so a restart on a migrated database skips it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from core.migrations.revision_files import applied_closure, read_revisions

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

HERE = Path(__file__).resolve().parent
VERSION_TABLE = "alembic_version"  # alembic's default; env.py does not change it


def version_locations(registry) -> list[Path]:
    """The core's versions, then every loaded plugin's."""
    locations = [HERE / "versions"]
    for manifest in registry.manifests().values():
        if manifest.migrations is not None:
            locations.append(Path(manifest.migrations))
    return locations


def alembic_config(registry, connection=None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.set_main_option("version_locations", " ".join(str(p) for p in version_locations(registry)))
    cfg.set_main_option("path_separator", "space")
    cfg.attributes["connection"] = connection
    cfg.attributes["registry"] = registry
    return cfg


def script_directory(registry) -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(registry))


async def _run(engine: AsyncEngine, registry, fn) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(lambda sync_conn: fn(alembic_config(registry, sync_conn)))


async def upgrade(engine: AsyncEngine, registry, target: str = "heads") -> None:
    if target == "heads" and await at_heads_without_alembic(engine, registry):
        return
    from alembic import command

    await _run(engine, registry, lambda cfg: command.upgrade(cfg, target))


class RevisionError(Exception):
    """``organizer db revision`` cannot write the migration; the message says what to do."""


async def revision(engine: AsyncEngine, registry, plugin: str, message: str, *, autogenerate: bool = False) -> Path:
    """Write a new revision in ``plugin``'s branch and return its path.

    Ids are readable and sequential, ``<plugin>_<NNNN>`` (``hello_0002``). A plugin's first
    revision starts its branch: ``down_revision = None``, ``branch_labels = (<plugin>,)`` and
    ``depends_on`` the core's newest revision (its tables may reference ``core_events`` and
    ``core_users``). ``autogenerate`` compares the plugin's models (its package's ``models``
    module) with the database, which must be at the newest schema, and only ever proposes changes
    to the plugin's own tables (``<plugin>_...``): other plugins' tables are never touched.
    """
    import importlib
    import importlib.util

    from alembic import command

    if plugin == "core":
        folder = HERE / "versions"
    elif plugin in registry.plugins:
        folder = registry.plugins[plugin].manifest.migrations
        if folder is None:
            raise RevisionError(f"plugin {plugin!r} has no migrations folder: set "
                                "manifest.migrations = Path(__file__).parent / 'migrations' / 'versions'")
        folder = Path(folder)
        module = registry.plugins[plugin].module
        package = getattr(module, "__name__", "")
        if package and importlib.util.find_spec(f"{package}.models") is not None:
            importlib.import_module(f"{package}.models")  # its tables on Base.metadata for autogenerate
    else:
        raise RevisionError(f"no plugin named {plugin!r}; installed: {', '.join(['core', *registry.order])}")
    folder.mkdir(parents=True, exist_ok=True)
    script = script_directory(registry)
    branch = [r for r in script.walk_revisions() if plugin in _branches(script, r)]
    rev_id = f"{plugin}_{len(branch) + 1:04d}"
    if branch:
        options = {"head": f"{plugin}@head"}
    else:
        core_head = script.revision_map.get_current_head("core")
        options = {"head": "base", "branch_label": plugin, "depends_on": core_head}
    written: list[Path] = []

    def run(cfg) -> None:
        cfg.attributes["autogenerate_plugin"] = plugin
        scripts = command.revision(cfg, message=message, autogenerate=autogenerate, version_path=str(folder),
                                   rev_id=rev_id, **options)
        for one in scripts if isinstance(scripts, list) else [scripts]:
            written.append(Path(one.path))

    if autogenerate:
        await _run(engine, registry, run)
    else:
        run(alembic_config(registry))
    return written[0]


def _branches(script, revision) -> set[str]:
    """The branch labels of the line ``revision`` is on (down revisions only, not ``depends_on``)."""
    labels: set[str] = set()
    todo = [revision]
    while todo:
        rev = todo.pop()
        labels.update(rev.branch_labels)
        down = rev.down_revision
        for parent in (down,) if isinstance(down, str) else (down or ()):
            todo.append(script.get_revision(parent))
    return labels


async def downgrade(engine: AsyncEngine, registry, target: str) -> None:
    from alembic import command

    await _run(engine, registry, lambda cfg: command.downgrade(cfg, target))


async def current(engine: AsyncEngine) -> set[str]:
    from alembic.runtime.migration import MigrationContext

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


def branch_status(registry, current_heads: set[str]) -> list[tuple[str, str | None, str]]:
    """Per branch (``core``, then each plugin's label): (label, revision the database is at or
    None, newest revision)."""
    script = script_directory(registry)
    applied = applied_revisions(registry, current_heads)
    found = []
    for head in script.get_heads():
        labels: set[str] = set()
        at = None
        revision = script.get_revision(head)
        while revision is not None:  # down this branch only, not into the branches it depends on
            labels |= set(revision.branch_labels or ())
            if at is None and revision.revision in applied:
                at = revision.revision
            down = revision.down_revision
            down = down[0] if isinstance(down, tuple) and down else down
            revision = script.get_revision(down) if down else None
        found.append((sorted(labels)[0] if labels else head, at, head))
    return sorted(found, key=lambda row: (row[0] != "core", row[0]))


async def stored_versions(engine: AsyncEngine) -> set[str] | None:
    """The rows of ``alembic_version`` by plain SQL; None if the table does not exist."""
    def read(conn) -> set[str] | None:
        if not inspect(conn).has_table(VERSION_TABLE):
            return None
        return {row[0] for row in conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))}

    async with engine.connect() as conn:
        return await conn.run_sync(read)


async def at_heads_without_alembic(engine: AsyncEngine, registry) -> bool:
    """True only if every revision on disk is applied, judged without alembic; False means
    "not sure" (not migrated, behind, or a revision file this shortcut does not understand)."""
    revisions = read_revisions(version_locations(registry))
    if revisions is None:
        return False
    stored = await stored_versions(engine)
    if not stored:
        return False
    return applied_closure(revisions, stored) == set(revisions)
