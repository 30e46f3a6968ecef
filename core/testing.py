"""pytest plugin (entry point ``pytest11: organizer``): fixtures for the core and plugin authors.

- ``db_url``: a fresh, empty database per test, on every backend chosen with ``--db`` or
  ``ORGANIZER_TEST_DB`` (default ``sqlite,postgres``; PostgreSQL from ``ORGANIZER_TEST_PG``, default
  ``postgresql://postgres@127.0.0.1:5432/postgres``). Tests create and drop their own databases.
  With the default and no PostgreSQL server, the PostgreSQL runs are skipped with the reason; a
  backend asked for by name (``--db postgres``) that is unreachable fails the test instead.
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
    group.addoption("--db", default=None,
                    help="comma-separated database backends to run DB tests on: sqlite, postgres "
                         "(default: $ORGANIZER_TEST_DB or sqlite,postgres)")


def _chosen_backends(config) -> tuple[str, bool]:
    """The ``--db`` value and whether it was asked for (option or environment) or is the default."""
    value = config.getoption("--db") or os.environ.get("ORGANIZER_TEST_DB")
    return (value, True) if value else ("sqlite,postgres", False)


def pytest_generate_tests(metafunc):
    if "db_backend" in metafunc.fixturenames:
        backends = [b.strip() for b in _chosen_backends(metafunc.config)[0].split(",") if b.strip()]
        unknown = set(backends) - {"sqlite", "postgres"}
        if unknown:
            raise pytest.UsageError(f"--db: unknown backend(s) {sorted(unknown)}; use sqlite and/or postgres")
        metafunc.parametrize("db_backend", backends, scope="function")


class PostgresUnavailable(RuntimeError):
    pass


async def create_pg_database() -> str:
    """Create an empty PostgreSQL database; fail loudly if the server is not reachable."""
    import asyncpg

    name = f"organizer_test_{uuid.uuid4().hex[:12]}"
    try:
        conn = await asyncpg.connect(PG_ADMIN_URL, timeout=10)
    except Exception as exc:
        raise PostgresUnavailable(
            f"PostgreSQL at {PG_ADMIN_URL} is unreachable ({exc}): start it, set ORGANIZER_TEST_PG "
            "to your server, or run with --db sqlite."
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


_pg_unavailable: list[str] = []  # the reason, once the server was found unreachable in this run


@pytest.fixture
async def db_url(db_backend, tmp_path: Path, request):
    if db_backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'organizer.db'}"
        return
    asked_for = _chosen_backends(request.config)[1]
    if _pg_unavailable and not asked_for:
        pytest.skip(_pg_unavailable[0])
    try:
        url = await create_pg_database()
    except PostgresUnavailable as exc:
        if asked_for:
            raise
        _pg_unavailable.append(str(exc))
        pytest.skip(str(exc))
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
