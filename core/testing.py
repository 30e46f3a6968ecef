"""pytest plugin (entry point ``pytest11: organizer``): fixtures for the core and plugin authors.

- ``db_url``: a fresh, empty database per test, on every backend chosen with ``--db``
  (default ``sqlite,postgres``; PostgreSQL from ``ORGANIZER_TEST_PG``, default
  ``postgresql://postgres@127.0.0.1:5432/postgres``). Tests create and drop their own databases.
- ``emulator``: the sandbox Bot API emulator on a free port.
- ``sandbox``: an app with chosen plugins and settings, polling the emulator, plus scripted users.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

PG_ADMIN_URL = os.environ.get("ORGANIZER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def pytest_addoption(parser):
    group = parser.getgroup("organizer")
    group.addoption("--db", default=os.environ.get("ORGANIZER_TEST_DB", "sqlite,postgres"),
                    help="comma-separated database backends to run DB tests on: sqlite, postgres")


def pytest_generate_tests(metafunc):
    if "db_backend" in metafunc.fixturenames:
        backends = [b.strip() for b in metafunc.config.getoption("--db").split(",") if b.strip()]
        unknown = set(backends) - {"sqlite", "postgres"}
        if unknown:
            raise pytest.UsageError(f"--db: unknown backend(s) {sorted(unknown)}; use sqlite and/or postgres")
        metafunc.parametrize("db_backend", backends, scope="function")


async def create_pg_database() -> str:
    """Create an empty PostgreSQL database; fail loudly if the server is not reachable."""
    import asyncpg

    name = f"organizer_test_{uuid.uuid4().hex[:12]}"
    try:
        conn = await asyncpg.connect(PG_ADMIN_URL, timeout=10)
    except Exception as exc:
        raise RuntimeError(
            f"PostgreSQL is required for --db postgres but {PG_ADMIN_URL} is unreachable ({exc}). "
            "Start it, set ORGANIZER_TEST_PG, or run with --db sqlite."
        ) from exc
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}".replace("postgresql://", "postgresql+asyncpg://", 1)


async def drop_pg_database(url: str) -> None:
    import asyncpg

    name = url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(PG_ADMIN_URL, timeout=10)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture
async def db_url(db_backend, tmp_path: Path):
    if db_backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'organizer.db'}"
        return
    url = await create_pg_database()
    try:
        yield url
    finally:
        await drop_pg_database(url)


@pytest.fixture
async def emulator():
    from core.sandbox import BotAPIEmulator

    emu = BotAPIEmulator()
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()


@pytest.fixture
async def sandbox(db_url, emulator):
    """An unstarted ``Sandbox``: ``app = await sandbox.start(plugins=[...], events={...})``."""
    from core.sandbox.harness import Sandbox

    box = Sandbox(db_url, emulator=emulator)
    try:
        yield box
    finally:
        await box.stop()
