"""Per-user update isolation across processes (Redis): a live handler keeps its user's lock for as
long as it runs; a process killed mid-update frees it by itself, so the redelivered update runs."""

from __future__ import annotations

import asyncio
import os
import uuid

from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.redis import DefaultKeyBuilder
from redis.asyncio import Redis

from core.fsm_isolation import RenewedRedisIsolation

REDIS_URL = os.environ.get("ORGANIZER_TEST_REDIS", "redis://127.0.0.1:6379/15")
TTL = 0.3


def _isolation(redis: Redis) -> RenewedRedisIsolation:
    return RenewedRedisIsolation(redis, DefaultKeyBuilder(prefix=f"test:{uuid.uuid4().hex}"), ttl=TTL)


async def test_a_live_handler_keeps_its_users_lock_past_the_ttl():
    redis = Redis.from_url(REDIS_URL)
    isolation = _isolation(redis)
    key = StorageKey(bot_id=1, chat_id=7, user_id=7)
    order: list[str] = []
    try:
        async def first():
            async with isolation.lock(key):
                order.append("first in")
                # Held for many TTLs: without renewal the second would get in meanwhile.
                for _ in range(10):
                    await asyncio.sleep(TTL)
                order.append("first out")

        async def second():
            while not order:
                await asyncio.sleep(0.01)
            async with isolation.lock(key):
                order.append("second in")

        await asyncio.gather(first(), second())
        assert order == ["first in", "first out", "second in"]
    finally:
        await redis.aclose()


async def test_a_lock_left_by_a_killed_process_frees_itself():
    redis = Redis.from_url(REDIS_URL)
    isolation = _isolation(redis)
    key = StorageKey(bot_id=1, chat_id=8, user_id=8)
    try:
        # A process that took the lock and died: nobody renews it, nobody releases it.
        dead = redis.lock(isolation.key_builder.build(key, "lock"), timeout=isolation.ttl)
        assert await dead.acquire(blocking=False)
        handled = asyncio.Event()

        async def redelivered():
            async with isolation.lock(key):
                handled.set()

        await asyncio.wait_for(redelivered(), timeout=30)  # a bound for a hung test, not a speed goal
        assert handled.is_set()
    finally:
        await redis.aclose()
