"""`organizer db revision PLUGIN -m MSG [--autogenerate]` writes a migration in that plugin's own
branch, as a plugin author runs it on a fresh package (installed through its entry point)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# A new plugin branch depends on the core's newest revision, whichever that is today.
CORE_HEAD = max(p.name[:len("core_0000")] for p in (REPO / "core" / "migrations" / "versions").glob("core_*.py"))

PLUGIN = '''
from pathlib import Path

from core import PluginManifest

manifest = PluginManifest(name="greet", version="0.1.0",
                          migrations=Path(__file__).parent / "migrations" / "versions")
'''

MODELS = '''
from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class GreetItem(Base):
    __tablename__ = "greet_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("core_events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    text: Mapped[str] = mapped_column(String(200))
'''


def _fresh_package(site: Path) -> None:
    package = site / "organizer_greet"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(textwrap.dedent(PLUGIN), encoding="utf-8")
    (package / "models.py").write_text(textwrap.dedent(MODELS), encoding="utf-8")
    dist = site / "organizer_greet-0.1.0.dist-info"  # what `pip install` leaves: the entry point
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: organizer-greet\nVersion: 0.1.0\n")
    (dist / "entry_points.txt").write_text("[organizer.plugins]\ngreet = organizer_greet\n")


def organizer(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("ORGANIZER_CONFIG", None)
    return subprocess.run([sys.executable, "-m", "core.cli", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=180)


def test_db_revision_starts_the_plugin_branch_and_autogenerates_only_its_tables(tmp_path):
    site = tmp_path / "site"
    _fresh_package(site)
    config = tmp_path / "organizer.toml"
    config.write_text(f'[bot]\ntoken = "1:x"\n[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "o.db"}"\n'
                      '[events.demo]\ntitle = "Demo"\n', encoding="utf-8")
    c = ("-c", str(config))

    first = organizer(site, tmp_path, "db", "revision", "greet", "-m", "greetings", "--autogenerate", *c)
    assert first.returncode == 0, first.stderr
    path = site / "organizer_greet" / "migrations" / "versions" / "greet_0001_greetings.py"
    assert f"Wrote {path}" in first.stdout
    text = path.read_text(encoding="utf-8")
    assert "revision = 'greet_0001'" in text and "down_revision = None" in text
    assert "branch_labels = ('greet',)" in text and f"depends_on = '{CORE_HEAD}'" in text
    assert "op.create_table('greet_items'" in text and "fk_greet_items_event_id_core_events" in text
    assert "drop_table" not in text.split("def downgrade")[0]  # nobody else's tables touched
    assert "faq_" not in text and "workshops_" not in text and "core_users" not in text

    upgrade = organizer(site, tmp_path, "db", "upgrade", *c)
    assert upgrade.returncode == 0, upgrade.stderr
    tables = {r[0] for r in sqlite3.connect(tmp_path / "o.db").execute("select name from sqlite_master")}
    assert "greet_items" in tables

    second = organizer(site, tmp_path, "db", "revision", "greet", "-m", "by hand", *c)
    assert second.returncode == 0, second.stderr
    text = (path.parent / "greet_0002_by_hand.py").read_text(encoding="utf-8")
    assert "down_revision = 'greet_0001'" in text and "branch_labels = None" in text

    unknown = organizer(site, tmp_path, "db", "revision", "gret", "-m", "x", *c)
    assert unknown.returncode == 2
    assert "no plugin named 'gret'; installed: core, " in unknown.stderr and "greet" in unknown.stderr
