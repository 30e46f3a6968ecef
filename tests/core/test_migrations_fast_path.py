"""`migrations.upgrade()` to the heads skips alembic when ``alembic_version`` already covers every
revision on disk; the shortcut must never say "up to date" where alembic would apply something."""

import subprocess
import sys
from pathlib import Path

import pytest

from core import migrations
from core.db import create_engine
from core.migrations.revision_files import applied_closure, read_revision_file, read_revisions
from core.plugins import PluginRegistry

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "organizer-hello"


@pytest.fixture(params=["builtins", "builtins+example"])
def registry(request, monkeypatch):
    extra = []
    if request.param == "builtins+example":
        monkeypatch.syspath_prepend(str(EXAMPLE))
        import organizer_hello

        extra = [organizer_hello]
    return PluginRegistry.load(entry_points_enabled=False, extra=extra)


def test_the_revision_files_read_as_alembic_reads_them(registry):
    script = migrations.script_directory(registry)
    ours = read_revisions(migrations.version_locations(registry))
    assert ours is not None
    theirs = {s.revision: s for s in script.walk_revisions()}
    assert ours.keys() == theirs.keys()
    for rev, mine in ours.items():
        alembic_rev = theirs[rev]
        assert mine.down_revisions == tuple(alembic_rev._versioned_down_revisions), rev
        assert set(mine.depends_on) == set(alembic_rev._resolved_dependencies), rev
        assert set(mine.branch_labels) == set(alembic_rev._orig_branch_labels), rev  # as declared
    for stored in [set(script.get_heads()), {"core_0001"}, {"core_0002", "faq_0001"}, {"waitlist_0001"}]:
        expected = {r.revision for head in stored for r in script.revision_map.iterate_revisions(head, "base")}
        assert applied_closure(ours, stored) == expected


async def test_shortcut_agrees_with_alembic_at_every_step(db_url, registry):
    script = migrations.script_directory(registry)
    engine = create_engine(db_url)
    try:
        assert not await migrations.at_heads_without_alembic(engine, registry)  # no tables at all
        for rev in reversed(list(script.walk_revisions("base", "heads"))):
            await migrations.upgrade(engine, registry, rev.revision)
            assert await migrations.at_heads_without_alembic(engine, registry) \
                == await migrations.is_up_to_date(engine, registry), rev.revision
        assert await migrations.is_up_to_date(engine, registry)
        assert await migrations.at_heads_without_alembic(engine, registry)
        await migrations.upgrade(engine, registry)  # the shortcut: nothing to do, nothing changes
        assert migrations.applied_revisions(registry, await migrations.current(engine)) \
            == {s.revision for s in script.walk_revisions()}
        await migrations.downgrade(engine, registry, "waitlist@base")
        assert not await migrations.at_heads_without_alembic(engine, registry)
        await migrations.upgrade(engine, registry)  # behind: alembic applies it again
        assert await migrations.is_up_to_date(engine, registry)
    finally:
        await engine.dispose()


async def test_a_new_plugin_on_a_migrated_database_is_migrated(db_url, monkeypatch):
    """Rows that cover every known revision but not a newly installed plugin's: not up to date."""
    builtins = PluginRegistry.load(entry_points_enabled=False)
    engine = create_engine(db_url)
    try:
        await migrations.upgrade(engine, builtins)
        monkeypatch.syspath_prepend(str(EXAMPLE))
        import organizer_hello

        with_example = PluginRegistry.load(entry_points_enabled=False, extra=[organizer_hello])
        assert not await migrations.at_heads_without_alembic(engine, with_example)
        await migrations.upgrade(engine, with_example)
        assert "hello_0002" in await migrations.current(engine)  # the head of its branch
        assert await migrations.at_heads_without_alembic(engine, with_example)
    finally:
        await engine.dispose()


async def test_an_unknown_stored_revision_is_left_to_alembic(db_url):
    registry = PluginRegistry.load(entry_points_enabled=False)
    engine = create_engine(db_url)
    try:
        await migrations.upgrade(engine, registry)
        async with engine.begin() as conn:
            await conn.exec_driver_sql("INSERT INTO alembic_version (version_num) VALUES ('gone_0001')")
        assert not await migrations.at_heads_without_alembic(engine, registry)
    finally:
        await engine.dispose()


def test_a_file_that_is_not_plain_literals_is_not_understood(tmp_path):
    (tmp_path / "computed.py").write_text('revision = "a" + "b"\ndown_revision = None\n')
    assert read_revision_file(tmp_path / "computed.py") is None
    assert read_revisions([tmp_path]) is None
    (tmp_path / "computed.py").write_text('revision: str = "ab"\ndown_revision = ("x", "y")\n')
    assert read_revision_file(tmp_path / "computed.py").down_revisions == ("x", "y")
    (tmp_path / "no_revision.py").write_text('down_revision = None\n')
    assert read_revisions([tmp_path]) is None


def test_a_restart_on_a_migrated_database_does_not_import_alembic(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    code = f"""
import asyncio, sys
from core import migrations
from core.db import create_engine
from core.plugins import PluginRegistry

async def main():
    engine = create_engine({url!r})
    await migrations.upgrade(engine, PluginRegistry.load(entry_points_enabled=False))
    await engine.dispose()
    print("alembic" in sys.modules)

asyncio.run(main())
"""
    def run() -> str:
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()

    assert run() == "True", "a fresh database is migrated by alembic"
    assert run() == "False", "a migrated one is recognised without it"
