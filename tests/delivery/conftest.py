"""Fixtures for delivery tests: a migrated database, the sandbox emulator and a real aiogram Bot."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from core import migrations
from core.config import DeliverySettings
from core.db import create_engine, session_factory
from core.plugins import PluginRegistry

TOKEN = "123456:DELIVERY-TEST"


@pytest.fixture
async def engine(db_url):
    engine = create_engine(db_url)
    await migrations.upgrade(engine, PluginRegistry.load(builtins=[], entry_points_enabled=False))
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def sessions(engine):
    return session_factory(engine)


@pytest.fixture
async def bot(emulator):
    bot = make_bot(emulator.base_url)
    try:
        yield bot
    finally:
        await bot.session.close()


def make_bot(base_url: str) -> Bot:
    return Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(base_url)),
               default=DefaultBotProperties(parse_mode="HTML"))


def fast_settings(**overrides) -> DeliverySettings:
    """Limits high enough that they are not what a test is about."""
    values = dict(global_rate=1000, private_chat_rate=100, private_chat_burst=10, group_per_minute=1000,
                  batch_size=100, max_attempts=4, claim_timeout_seconds=30, poll_interval_seconds=0.05)
    values.update(overrides)
    return DeliverySettings(**values)


def add_users(emulator, count: int, start: int = 10_000) -> list[int]:
    return [emulator.add_user(f"User{i}", user_id=start + i)["id"] for i in range(count)]


def max_in_window(times: list[float], window: float = 1.0) -> int:
    """The most requests any half-open window (t - window, t] holds, as Telegram and the sandbox count."""
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while times[start] <= t - window:
            start += 1
        best = max(best, end - start + 1)
    return best
