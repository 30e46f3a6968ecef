"""Helpers shared by the delivery benchmarks: a database, the emulator process, a Bot for it."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import tempfile
from contextlib import asynccontextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from aiogram import Bot  # noqa: E402
from aiogram.client.default import DefaultBotProperties  # noqa: E402
from aiogram.client.session.aiohttp import AiohttpSession  # noqa: E402
from aiogram.client.telegram import TelegramAPIServer  # noqa: E402

from core import migrations  # noqa: E402
from core.db import create_engine  # noqa: E402
from core.plugins import PluginRegistry  # noqa: E402
from core.testing import create_pg_database, drop_pg_database  # noqa: E402

TOKEN = "424242:BENCH"


@asynccontextmanager
async def database(backend: str):
    """A fresh, migrated database; dropped afterwards."""
    if backend == "postgres":
        url = await create_pg_database()
    else:
        tmp = tempfile.mkdtemp(prefix="organizer-bench-")
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
    engine = create_engine(url)
    try:
        await migrations.upgrade(engine, PluginRegistry.load(builtins=[], entry_points_enabled=False))
        yield url, engine
    finally:
        await engine.dispose()
        if backend == "postgres":
            await drop_pg_database(url)


class EmulatorProcess:
    def __init__(self, users: int, limit: float = 0) -> None:
        self.users, self.limit = users, limit
        self.out = Path(tempfile.mkstemp(prefix="emu-requests-", suffix=".json")[1])
        self.proc: asyncio.subprocess.Process | None = None
        self.base_url = ""

    async def __aenter__(self) -> EmulatorProcess:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, str(Path(__file__).with_name("emulator_process.py")), "--users", str(self.users),
            "--limit", str(self.limit), "--out", str(self.out), stdout=asyncio.subprocess.PIPE)
        line = (await asyncio.wait_for(self.proc.stdout.readline(), 60)).decode().split()
        assert line and line[0] == "ready", line
        self.base_url = line[1]
        return self

    async def requests(self) -> list[list]:
        """Stop the emulator and return its send requests: [chat_id, monotonic time, ok, error_code]."""
        self.proc.send_signal(signal.SIGTERM)
        await self.proc.wait()
        data = json.loads(self.out.read_text())
        self.out.unlink(missing_ok=True)
        return data

    async def __aexit__(self, *exc) -> None:
        if self.proc and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()


def make_bot(base_url: str) -> Bot:
    return Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(base_url)),
               default=DefaultBotProperties(parse_mode="HTML"))


def max_in_window(times: list[float], window: float = 1.0) -> int:
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while times[start] <= t - window:
            start += 1
        best = max(best, end - start + 1)
    return best
