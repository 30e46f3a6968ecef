"""The example plugin (examples/organizer-hello), installed as a separate package, is found through
its `organizer.plugins` entry point, migrates its own branch, adds a menu item and a CLI command."""

import importlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "organizer-hello"


@pytest.fixture(scope="module")
def installed_example(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("site")
    source = tmp_path_factory.mktemp("src") / "organizer-hello"
    # Build from a copy: setuptools writes build/ and *.egg-info next to the sources.
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--target", str(target), str(source)], check=True, timeout=300)
    assert (target / "organizer_hello" / "migrations" / "versions" / "hello_0001_greetings.py").exists()
    return target


def cli(site: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("ORGANIZER_CONFIG", None)
    return subprocess.run([sys.executable, "-m", "core.cli", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=120)


def test_cli_discovers_migrates_and_mounts_the_installed_plugin(installed_example, tmp_path):
    config = tmp_path / "organizer.toml"
    config.write_text('[bot]\ntoken = "1:x"\n[database]\nurl = "sqlite+aiosqlite:///' + str(tmp_path / "o.db")
                      + '"\n[events.demo]\ntitle = "Demo"\n')
    listing = cli(installed_example, "plugins", "list", "-c", str(config), cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr
    assert "hello 0.1.0  (entry point organizer-hello)" in listing.stdout
    assert "events: demo=on" in listing.stdout.split("hello 0.1.0")[1]

    upgrade = cli(installed_example, "db", "upgrade", "-c", str(config), cwd=tmp_path)
    assert upgrade.returncode == 0, upgrade.stderr
    assert "hello_0002" in upgrade.stdout  # both revisions of its branch (the second made with `db revision`)
    tables = {r[0] for r in sqlite3.connect(tmp_path / "o.db").execute("select name from sqlite_master")}
    assert "hello_greetings" in tables

    before = cli(installed_example, "hello", "stats", "demo", "-c", str(config), cwd=tmp_path)
    assert before.returncode == 2 and "run `organizer events sync`" in before.stderr  # no event row yet
    synced = cli(installed_example, "events", "sync", "-c", str(config), cwd=tmp_path)
    assert synced.returncode == 0 and synced.stdout.strip() == "Events in the database: demo", synced.stderr
    stats = cli(installed_example, "hello", "stats", "demo", "-c", str(config), cwd=tmp_path)
    assert stats.returncode == 0, stats.stderr
    assert stats.stdout.strip() == "demo: 0 greetings"


async def test_menu_item_of_the_installed_plugin_works(installed_example, sandbox, monkeypatch):
    monkeypatch.syspath_prepend(str(installed_example))
    importlib.invalidate_caches()
    app = await sandbox.start(plugins=["faq"], entry_points=True)
    assert app.registry.plugins["hello"].source == "entry point organizer-hello"
    alice = sandbox.user("Alice")
    await alice.send("/start demo")
    await alice.expect(text="Главное меню")
    assert "👋 Помахать" in alice.buttons()
    await alice.click("Помахать")
    await alice.expect(text="Всего приветствий: 1")


def test_the_example_plugin_own_tests_pass(installed_example):
    env = {**os.environ, "PYTHONPATH": str(installed_example)}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--db",
                             os.environ.get("ORGANIZER_TEST_DB", "sqlite"), str(EXAMPLE / "tests")],
                            capture_output=True, text=True, env=env, cwd=EXAMPLE, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "passed" in result.stdout
