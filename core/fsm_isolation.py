"""One update per user at a time across bot processes, without a dead process holding users up.

aiogram's ``RedisEventIsolation`` takes a Redis lock per user that expires after 60 s. When a
worker is killed while handling an update, the lock stays for that minute: Telegram redelivers the
update to another worker, which waits behind the dead lock until the user's reply is too old to
send. Here the lock lives only ``ttl`` seconds and the process holding it renews it while the
update is handled (a watchdog, as Redisson does): a live handler keeps its lock however long it
runs, a dead one frees it within ``ttl`` seconds. Built on aiogram's public ``BaseEventIsolation``
and redis-py's ``Lock`` (``reacquire`` resets its time to live).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey
from aiogram.fsm.storage.redis import KeyBuilder, RedisStorage
from redis.asyncio import Redis
from redis.exceptions import LockError, RedisError

log = logging.getLogger(__name__)

LOCK_TTL = 5.0  # seconds a dead process can hold a user's updates up
LOCK_POLL = 0.02  # seconds between tries while another process handles the same user


class RenewedRedisIsolation(BaseEventIsolation):
    def __init__(self, redis: Redis, key_builder: KeyBuilder, ttl: float = LOCK_TTL) -> None:
        self.redis = redis
        self.key_builder = key_builder
        self.ttl = ttl

    @classmethod
    def for_storage(cls, storage: RedisStorage, ttl: float = LOCK_TTL) -> RenewedRedisIsolation:
        return cls(storage.redis, storage.key_builder, ttl)

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        lock = self.redis.lock(name=self.key_builder.build(key, "lock"), timeout=self.ttl, sleep=LOCK_POLL)
        if not await lock.acquire():
            raise LockError(f"could not take the per-user update lock {lock.name}")
        keeper = asyncio.create_task(self._keep(lock))
        try:
            yield None
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
            try:
                await lock.release()
            except (LockError, RedisError) as exc:
                # The update was handled: failing it now (Redis restarting) would have it delivered
                # and handled again. The lock lapses by itself within ttl seconds.
                log.warning("could not release the per-user update lock %s: %s", lock.name, type(exc).__name__)

    async def _keep(self, lock) -> None:
        while True:
            await asyncio.sleep(self.ttl / 3)
            try:
                await lock.reacquire()
            except LockError:  # expired meanwhile (the process stalled past ttl): nothing left to keep
                log.warning("lost the per-user update lock %s: it expired before it was renewed", lock.name)
                return
            except RedisError as exc:  # Redis away for a moment: try again at the next tick
                log.warning("could not renew the per-user update lock %s: %s", lock.name, exc)

    async def close(self) -> None:
        pass  # the connection belongs to the storage, which the app closes
