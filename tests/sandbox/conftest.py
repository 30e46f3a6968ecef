"""Fixtures: a started emulator and a REAL aiogram Bot pointed at it (no mocks of aiogram)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sandbox_helpers import TOKEN

from core.sandbox import BotAPIEmulator


@pytest.fixture
async def emu() -> AsyncIterator[BotAPIEmulator]:
    async with BotAPIEmulator(webhook_retry_delay=0.05) as emulator:
        emulator.add_bot(TOKEN, first_name="Organizer", username="organizer_test_bot")
        yield emulator


@pytest.fixture
async def bot(emu: BotAPIEmulator) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(emu.base_url))
    b = Bot(TOKEN, session=session)
    try:
        yield b
    finally:
        await b.session.close()


@pytest.fixture
def alice(emu: BotAPIEmulator) -> dict:
    return emu.add_user("Alice", "Smith", username="alice", language_code="en")
