"""Faults on demand surface as the same aiogram exceptions production code sees."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiogram import Bot
from aiogram.exceptions import (
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)

from core.sandbox import BotAPIEmulator


async def test_per_chat_rate_limit_gives_retry_after(bot: Bot, emu: BotAPIEmulator, alice: dict) -> None:
    emu.faults.set_rate_limit(per_chat_per_sec=2, retry_after=7)
    await bot.send_message(alice["id"], "1")
    await bot.send_message(alice["id"], "2")
    with pytest.raises(TelegramRetryAfter) as info:
        await bot.send_message(alice["id"], "3")
    assert info.value.retry_after == 7
    assert "Too Many Requests: retry after 7" in str(info.value)
    record = emu.requests_for("sendMessage")[-1]
    assert (record.ok, record.error_code) == (False, 429)
    # Other chats are not affected by a per-chat limit; non-send methods are never limited.
    bob = emu.add_user("Bob")
    await bot.send_message(bob["id"], "fine")
    await bot.get_me()


async def test_global_limit_window_slides(bot: Bot, emu: BotAPIEmulator) -> None:
    users = [emu.add_user(f"U{i}") for i in range(4)]
    emu.faults.set_rate_limit(global_per_sec=3)
    for u in users[:3]:
        await bot.send_message(u["id"], "hi")
    with pytest.raises(TelegramRetryAfter) as info:
        await bot.send_message(users[3]["id"], "hi")
    assert info.value.retry_after == 1  # computed from the window when not fixed
    await asyncio.sleep(1.05)
    await bot.send_message(users[3]["id"], "now ok")


async def test_group_limit_per_minute(bot: Bot, emu: BotAPIEmulator, alice: dict) -> None:
    group = emu.add_group("G", [alice["id"]])
    emu.faults.set_rate_limit(per_group_per_min=2)
    await bot.send_message(group["id"], "1")
    await bot.send_message(group["id"], "2")
    with pytest.raises(TelegramRetryAfter) as info:
        await bot.send_message(group["id"], "3")
    assert 55 <= info.value.retry_after <= 60
    await bot.send_message(alice["id"], "private chats are not group-limited")


async def test_blocked_user(bot: Bot, emu: BotAPIEmulator, alice: dict) -> None:
    msg = await bot.send_message(alice["id"], "before")
    emu.faults.block_bot(alice["id"])
    with pytest.raises(TelegramForbiddenError, match="Forbidden: bot was blocked by the user"):
        await bot.send_message(alice["id"], "after")
    with pytest.raises(TelegramForbiddenError):
        await bot.edit_message_text("edit", chat_id=alice["id"], message_id=msg.message_id)
    # Writing to the bot again unblocks it, as Telegram clients do on Start.
    await emu.send_text(alice["id"], "/start")
    await bot.send_message(alice["id"], "welcome back")


async def test_fail_next_gives_server_error_then_recovers(bot: Bot, emu: BotAPIEmulator, alice: dict) -> None:
    emu.faults.fail_next("sendMessage", count=2, status=502)
    for _ in range(2):
        with pytest.raises(TelegramServerError, match="Bad Gateway"):
            await bot.send_message(alice["id"], "x")
    await bot.get_me()  # other methods unaffected
    sent = await bot.send_message(alice["id"], "third time lucky")
    assert sent.text == "third time lucky"
    assert [r.error_code for r in emu.requests_for("sendMessage")] == [502, 502, None]


async def test_dropped_connection_is_a_network_error(bot: Bot, emu: BotAPIEmulator, alice: dict) -> None:
    emu.faults.drop_next("sendMessage")
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(alice["id"], "lost")
    # The message was not sent, and the next call works on a fresh connection.
    assert emu.chat_messages(alice["id"]) == []
    await bot.send_message(alice["id"], "ok")
    assert [m["text"] for m in emu.chat_messages(alice["id"])] == ["ok"]


async def test_latency_is_added(bot: Bot, emu: BotAPIEmulator) -> None:
    emu.faults.latency = 0.2
    started = time.monotonic()
    await bot.get_me()
    assert time.monotonic() - started >= 0.2
    emu.faults.reset()
    started = time.monotonic()
    await bot.get_me()
    assert time.monotonic() - started < 0.2


async def test_deactivated_user(bot: Bot, emu: BotAPIEmulator, alice: dict) -> None:
    emu.faults.deactivate_user(alice["id"])
    with pytest.raises(TelegramForbiddenError, match="Forbidden: user is deactivated"):
        await bot.send_message(alice["id"], "hello?")


async def test_late_callback_answer_is_too_old(bot: Bot, emu: BotAPIEmulator, alice: dict) -> None:
    from aiogram.exceptions import TelegramBadRequest
    from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

    emu.callback_answer_timeout = 0.1
    msg = await bot.send_message(alice["id"], "x", reply_markup=InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="A", callback_data="a")]]))
    update = await emu.click(alice["id"], msg.message_id, "a")
    await asyncio.sleep(0.15)
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(update["callback_query"]["id"])
    assert not emu.callback_answered(update["callback_query"]["id"])
