"""The pytest plugin as a plugin author meets it: no PostgreSQL server, default backends."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

A_TEST = '''
async def test_uses_a_database(db_url):
    assert db_url
'''


def _pytest(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    (tmp_path / "test_author.py").write_text(A_TEST, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text(  # what the README tells plugin authors to set
        "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "ORGANIZER_TEST_DB"}
    env["ORGANIZER_TEST_PG"] = "postgresql://postgres@127.0.0.1:9/postgres"  # nothing listens there
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", *args,
                           str(tmp_path / "test_author.py")], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=120)


def test_without_a_postgresql_server_its_runs_are_skipped_with_the_reason(tmp_path):
    done = _pytest(tmp_path)
    assert "1 passed, 1 skipped" in done.stdout, done.stdout
    assert "PostgreSQL at postgresql://postgres@127.0.0.1:9/postgres is unreachable" in done.stdout
    assert "or run with --db sqlite" in done.stdout


def test_postgresql_asked_for_by_name_fails_when_absent(tmp_path):
    done = _pytest(tmp_path, "--db", "postgres")
    assert done.returncode != 0 and "1 error" in done.stdout and "skipped" not in done.stdout, done.stdout
    assert "PostgresUnavailable: PostgreSQL at postgresql://postgres@127.0.0.1:9/postgres is unreachable" in done.stdout
