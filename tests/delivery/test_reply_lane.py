"""The bot session's limiter on its own (real aiogram Bot, the emulator with Telegram's limits):
replies from two processes share one global rate through Redis, and a stale reply is dropped."""

from __future__ import annotations

import asyncio
import os
import time
import uuid

import pytest
from aiogram import Bot
from aiogram.client.telegram import TelegramAPIServer

from core.bot_session import LimitedSession, StaleReply, end_reply_context, reply_context
from core.config import DeliverySettings
from core.delivery.ratelimit import Lane, Limits, LocalRateLimiter, RedisRateLimiter, SharedLimiter
from tests.delivery.conftest import add_users, max_in_window

REDIS_URL = os.environ.get("ORGANIZER_TEST_REDIS", "redis://127.0.0.1:6379/15")
TOKEN = "777:LANE"


def _bot(emulator, limiter, **kwargs) -> Bot:
    session = LimitedSession(api=TelegramAPIServer.from_base(emulator.base_url), limiter=limiter, **kwargs)
    return Bot(TOKEN, session=session)


async def _reply(bot: Bot, chat_id: int, text: str):
    token = reply_context(time.time())  # as if answering this chat's own update
    try:
        return await bot.send_message(chat_id, text)
    finally:
        end_reply_context(token)


async def test_replies_of_two_processes_share_one_global_rate_through_redis(emulator):
    emulator.add_bot(TOKEN)
    emulator.faults.telegram_limits()
    chats = add_users(emulator, 120)
    prefix = f"organizer:test:{uuid.uuid4().hex}"
    limits = Limits.from_settings(DeliverySettings(global_rate=30))
    # Two bot processes: separate limiter objects and connections, one set of buckets in Redis.
    bots = [_bot(emulator, SharedLimiter(RedisRateLimiter(limits, REDIS_URL, prefix))) for _ in range(2)]
    try:
        await asyncio.gather(*(_reply(bots[n % 2], chat, "ответ") for n, chat in enumerate(chats)))
    finally:
        for bot in bots:
            await bot.session.close()
            await bot.session.limiter.close()
    sent = [r for r in emulator.requests_for("sendMessage")]
    assert all(r.ok for r in sent) and len(sent) == len(chats)  # nobody refused, nobody retried
    assert max_in_window([r.time for r in sent]) <= 30
    assert emulator.faults.requests_in_429_window == 0


async def test_a_reply_its_user_waited_too_long_for_is_dropped_not_sent(emulator):
    emulator.add_bot(TOKEN)
    emulator.faults.telegram_limits()
    [chat] = add_users(emulator, 1)
    bot = _bot(emulator, SharedLimiter(LocalRateLimiter(Limits.from_settings(DeliverySettings()))),
               max_reply_age=2.0)
    try:
        # Three replies fit the chat's burst; the next ones wait a second each, past the user's patience.
        token = reply_context(time.time() - 1.0)
        try:
            results = await asyncio.gather(*(bot.send_message(chat, f"ответ {n}") for n in range(6)),
                                           return_exceptions=True)
        finally:
            end_reply_context(token)
    finally:
        await bot.session.close()
        await bot.session.limiter.close()
    sent = [r for r in emulator.requests_for("sendMessage") if r.ok]
    dropped = [r for r in results if isinstance(r, StaleReply)]
    assert len(sent) + len(dropped) == 6 and len(dropped) >= 2
    assert [r.params["text"] for r in sent] == [f"ответ {n}" for n in range(len(sent))]  # in order
    assert emulator.faults.requests_in_429_window == 0


@pytest.mark.parametrize("edits", [5])
async def test_queued_edits_of_one_message_collapse_into_the_newest(emulator, edits):
    emulator.add_bot(TOKEN)
    emulator.faults.telegram_limits()
    emulator.faults.rate_limited_methods.add("editmessagetext")
    [chat] = add_users(emulator, 1)
    bot = _bot(emulator, SharedLimiter(LocalRateLimiter(Limits.from_settings(DeliverySettings()))))
    try:
        token = reply_context(time.time())
        try:
            message = await bot.send_message(chat, "меню")
            for n in range(3):  # use up the chat's burst: the edits below must queue
                await bot.send_message(chat, f"заполнитель {n}")
            await asyncio.gather(*(bot.edit_message_text(f"состояние {n}", chat_id=chat,
                                                         message_id=message.message_id) for n in range(edits)))
        finally:
            end_reply_context(token)
    finally:
        await bot.session.close()
        await bot.session.limiter.close()
    sent_edits = [r.params["text"] for r in emulator.requests_for("editMessageText") if r.ok]
    assert sent_edits[-1] == f"состояние {edits - 1}"  # the user sees the last state …
    assert len(sent_edits) < edits  # … without an answer per tap


async def test_a_waiting_reply_takes_the_next_global_slot_before_any_broadcast_message():
    """The priority itself, without the emulator's timing: once a reply waits for the global slot,
    the bulk lane (the outbox sender) is refused until the reply has been granted."""
    limiter = SharedLimiter(LocalRateLimiter(Limits.from_settings(DeliverySettings())))
    chats = iter(range(1_000, 100_000))

    async def bulk_try():
        grant = await limiter.try_acquire(next(chats))
        if grant.ok:
            await limiter.release(grant)  # answered at once: only the global bucket stays spent
        return grant

    while (await bulk_try()).ok:  # the broadcast spends every global slot there is
        pass
    reply = asyncio.create_task(limiter.acquire(42, Lane.INTERACTIVE))
    await asyncio.sleep(0)  # the reply asks once and queues for the global slot
    refused = 0
    while not reply.done():
        grant = await bulk_try()
        assert not grant.ok, "a broadcast message took the global slot a waiting reply was owed"
        refused += 1
        await asyncio.sleep(0)  # the sender asks again at once, as a busy sender does
    assert (await reply).ok
    assert refused > 0
    assert await _eventually_granted(bulk_try), "the broadcast never got its slots back after the reply"


async def _eventually_granted(try_once, attempts: int = 2_000) -> bool:
    for _ in range(attempts):
        if (await try_once()).ok:
            return True
        await asyncio.sleep(0.005)
    return False
