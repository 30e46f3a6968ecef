"""Updates: getUpdates semantics, a real Dispatcher long-polling, callback queries."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest
from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest, TelegramConflictError
from aiogram.filters import CommandStart
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from sandbox_helpers import TOKEN, polling

from core.sandbox import BotAPIEmulator


async def test_get_updates_offset_confirms(bot: Bot, emu: BotAPIEmulator, alice: dict) -> None:
    u1 = await emu.send_text(alice["id"], "/start promo")
    u2 = await emu.send_text(alice["id"], "hello")
    assert u2["update_id"] == u1["update_id"] + 1
    assert emu.pending_updates() == 2
    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [u1["update_id"], u2["update_id"]]
    first = updates[0].message
    assert first.text == "/start promo" and first.from_user.id == alice["id"] and first.chat.id == alice["id"]
    assert [(e.type, e.offset, e.length) for e in first.entities] == [("bot_command", 0, 6)]
    # Without a new offset nothing is confirmed.
    assert len(await bot.get_updates()) == 2
    assert len(await bot.get_updates(offset=u1["update_id"] + 1)) == 1
    assert emu.pending_updates() == 1
    assert await bot.get_updates(offset=u2["update_id"] + 1) == []
    assert emu.pending_updates() == 0
    await emu.wait_delivered(timeout=1)


async def test_get_updates_limit(bot: Bot, emu: BotAPIEmulator, alice: dict) -> None:
    for i in range(5):
        await emu.send_text(alice["id"], f"m{i}")
    assert [u.message.text for u in await bot.get_updates(limit=2)] == ["m0", "m1"]


async def test_long_poll_really_waits_and_wakes_up(bot: Bot, emu: BotAPIEmulator, alice: dict) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == []
    assert time.monotonic() - started >= 0.9

    async def later() -> None:
        await asyncio.sleep(0.2)
        await emu.send_text(alice["id"], "wake up")

    task = asyncio.create_task(later())
    started = time.monotonic()
    updates = await bot.get_updates(timeout=5)
    elapsed = time.monotonic() - started
    await task
    assert [u.message.text for u in updates] == ["wake up"]
    assert 0.15 <= elapsed < 2


async def test_allowed_updates_filters_new_updates(bot: Bot, emu: BotAPIEmulator, alice: dict) -> None:
    sent = await bot.send_message(alice["id"], "pick", reply_markup=InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="A", callback_data="a")]]))
    await bot.get_updates(allowed_updates=["callback_query"])
    await emu.send_text(alice["id"], "ignored")
    await emu.click(alice["id"], sent.message_id, "a")
    updates = await bot.get_updates()
    assert [u.event_type for u in updates] == ["callback_query"]


async def test_second_poller_conflicts(bot: Bot, emu: BotAPIEmulator) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    second = asyncio.create_task(bot.get_updates(timeout=1))
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates request"):
        await first
    assert await second == []


async def test_dispatcher_long_polling_answers_start(bot: Bot, emu: BotAPIEmulator, alice: dict) -> None:
    router = Router()

    @router.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer(f"Hello, <b>{message.from_user.first_name}</b>!", parse_mode="HTML")

    events = emu.subscribe()
    async with polling(bot, router):
        await emu.send_text(alice["id"], "/start")
        event = await asyncio.wait_for(events.get(), 5)
        while not event["message"]["from_bot"]:
            event = await asyncio.wait_for(events.get(), 5)
        await emu.wait_delivered(timeout=5)
    assert event["type"] == "message"
    assert event["message"]["text"] == "Hello, Alice!"
    assert event["message"]["html"] == "Hello, <b>Alice</b>!"
    assert emu.pending_updates() == 0
    assert [r.params["text"] for r in emu.sent_messages(alice["id"])] == ["Hello, <b>Alice</b>!"]
    # The dispatcher used long polling with a timeout, not a busy loop.
    assert all(r.params.get("timeout") for r in emu.requests_for("getUpdates"))


async def test_inline_button_click_reaches_callback_handler(bot: Bot, emu: BotAPIEmulator, alice: dict) -> None:
    router = Router()
    seen: list[CallbackQuery] = []

    @router.callback_query(F.data.startswith("ws:"))
    async def on_click(query: CallbackQuery) -> None:
        seen.append(query)
        await query.answer("Booked!")
        await query.message.edit_text(f"You picked {query.data}")

    msg = await bot.send_message(alice["id"], "Pick a workshop", reply_markup=InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Robots", callback_data="ws:robots")]]))
    async with polling(bot, router):
        update = await emu.click(alice["id"], msg.message_id, "ws:robots")
        await emu.wait_idle(timeout=5)
    query_id = update["callback_query"]["id"]
    assert len(seen) == 1
    assert seen[0].message.message_id == msg.message_id and seen[0].from_user.id == alice["id"]
    assert seen[0].chat_instance
    assert emu.callback_answered(query_id)
    assert emu.world.callbacks[query_id].answer["text"] == "Booked!"
    assert len(emu.requests_for("answerCallbackQuery")) == 1
    assert emu.chat_messages(alice["id"])[-1]["text"] == "You picked ws:robots"
    # A second answer to the same query fails like in Telegram.
    with pytest.raises(TelegramBadRequest, match="query is too old and response timeout expired or query ID is "
                                                 "invalid"):
        await bot.answer_callback_query(query_id)
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query("123")


async def test_click_on_missing_button_is_refused(emu: BotAPIEmulator, bot: Bot, alice: dict) -> None:
    msg = await bot.send_message(alice["id"], "no buttons")
    with pytest.raises(LookupError):
        await emu.click(alice["id"], msg.message_id, "anything")


async def test_group_privacy_mode(emu: BotAPIEmulator, bot: Bot, alice: dict) -> None:
    group = emu.add_group("Team", [alice["id"]])
    await emu.send_text(alice["id"], "just chatting", chat_id=group["id"])
    await emu.send_text(alice["id"], "/help", chat_id=group["id"])
    await emu.send_text(alice["id"], "hey @organizer_test_bot", chat_id=group["id"])
    updates = await bot.get_updates()
    assert [u.message.text for u in updates] == ["/help", "hey @organizer_test_bot"]
    assert updates[0].message.chat.id == group["id"]
    # Both sides of the chat are still visible to tests.
    assert [m["text"] for m in emu.chat_messages(group["id"])][0] == "just chatting"


async def test_getupdates_over_raw_http_with_form_data(emu: BotAPIEmulator, alice: dict) -> None:
    await emu.send_text(alice["id"], "hi")
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{emu.base_url}/bot{TOKEN}/getUpdates",
                             data={"offset": "0", "limit": "1", "timeout": "0"}) as r:
            body = await r.json()
    assert body["ok"] is True and body["result"][0]["message"]["text"] == "hi"
