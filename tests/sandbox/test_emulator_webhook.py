"""Webhook delivery to a tiny aiohttp receiver, with the secret token header."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramConflictError
from aiohttp import web

from core.sandbox import BotAPIEmulator


class Receiver:
    def __init__(self) -> None:
        self.received: list[tuple[dict[str, Any], str | None]] = []
        self.fail_first = 0
        self.reply: dict[str, Any] | None = None
        self.got = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        if self.fail_first > 0:
            self.fail_first -= 1
            return web.Response(status=500)
        self.received.append((await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token")))
        self.got.set()
        return web.json_response(self.reply or {})


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    rec = Receiver()
    app = web.Application()
    app.router.add_post("/hook", rec.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        yield rec, f"http://127.0.0.1:{port}/hook"
    finally:
        await runner.cleanup()


async def test_webhook_delivery_with_secret(bot: Bot, emu: BotAPIEmulator, alice: dict, receiver) -> None:
    rec, url = receiver
    assert await bot.set_webhook(url, secret_token="s3cr3t_TOKEN-1") is True
    info = await bot.get_webhook_info()
    assert info.url == url and info.pending_update_count == 0
    update = await emu.send_text(alice["id"], "/start")
    await emu.wait_delivered(timeout=5)
    assert len(rec.received) == 1
    body, secret = rec.received[0]
    assert secret == "s3cr3t_TOKEN-1"
    assert body == json.loads(json.dumps(update))
    with pytest.raises(TelegramConflictError, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook() is True
    assert (await bot.get_webhook_info()).url == ""
    await bot.get_updates()  # polling allowed again


async def test_webhook_retries_and_reports_errors(bot: Bot, emu: BotAPIEmulator, alice: dict, receiver) -> None:
    rec, url = receiver
    rec.fail_first = 2
    await bot.set_webhook(url)
    await emu.send_text(alice["id"], "hello")
    await emu.wait_delivered(timeout=5)
    assert [b["message"]["text"] for b, _ in rec.received] == ["hello"]
    assert rec.received[0][1] is None  # no secret configured, no header
    info = await bot.get_webhook_info()
    assert "500" in (info.last_error_message or "")


async def test_webhook_reply_can_carry_a_method(bot: Bot, emu: BotAPIEmulator, alice: dict, receiver) -> None:
    rec, url = receiver
    rec.reply = {"method": "sendMessage", "chat_id": alice["id"], "text": "answered in the webhook reply"}
    await bot.set_webhook(url)
    await emu.send_text(alice["id"], "hi")
    await emu.wait_delivered(timeout=5)
    await emu.wait_idle(timeout=5)
    assert emu.chat_messages(alice["id"])[-1]["text"] == "answered in the webhook reply"


async def test_webhook_drop_pending_and_validation(bot: Bot, emu: BotAPIEmulator, alice: dict, receiver) -> None:
    rec, url = receiver
    await emu.send_text(alice["id"], "queued while offline")
    assert emu.pending_updates() == 1
    with pytest.raises(TelegramBadRequest, match="secret token contains unallowed characters"):
        await bot.set_webhook(url, secret_token="bad token!")
    await bot.set_webhook(url, drop_pending_updates=True)
    assert emu.pending_updates() == 0
    await asyncio.sleep(0.1)
    assert rec.received == []
