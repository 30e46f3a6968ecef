"""Telegram's flood limits as GCRA buckets: one global, one per private chat, one per group.

GCRA (the "virtual scheduling" form of a token bucket) keeps one timestamp per bucket: the
theoretical arrival time ``tat`` of the next request. A request is allowed when
``tat - now <= tolerance``; then ``tat = max(tat, now) + interval``. In any window of W seconds
that admits at most ``(W + tolerance) / interval + 1`` requests, which is how the numbers below
are chosen:

- global: ``interval = 1 / (rate * HEADROOM)`` and a 10 ms tolerance. With HEADROOM 0.97 no
  1-second window (as Telegram or the sandbox measures it, at the receiving end) holds more than
  ``rate`` requests even if arrival times jitter by ~20 ms; the tolerance lets a sender that woke
  a little late catch up, so the achieved rate stays near 97 % of the limit. The tolerance is
  10 ms at every rate, even where it exceeds the interval (above ~100/s): a sender's event loop
  wakes ~0.3 ms late as a rule and several ms late now and then, and lateness beyond the
  tolerance is lost for good (``tat = max(tat, now)``). Capped at half an interval it was 0.5 ms
  at 1000/s, and the sender reached only 0.73 of the limit (bench/broadcast).
- private chat: ``1 / private_chat_rate`` with a burst of ``private_chat_burst``.
- group (negative chat id): ``60 / group_per_minute`` with no burst at all; PTB's bursting group
  limiter broke the 20/min rule for its users (python-telegram-bot#3772).

A 429 pauses *everything* until ``retry_after`` has passed: Telegram's only reliable signal.

Two implementations with one interface: ``LocalRateLimiter`` (one process) and
``RedisRateLimiter``, where one Lua script checks pause, chat and global buckets atomically
against Redis' clock, so several sender processes share one global rate. Redis rather than
PostgreSQL: a limiter row in PostgreSQL would be a hot row updated up to 1000 times a second,
serialising senders on its lock and bloating the table with dead tuples, while Redis answers
in ~0.1 ms with no durable state to clean up (losing the buckets on a Redis restart only
forgets the last second). The settings already carry ``redis.url`` for shared FSM state.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Protocol

from core.config import DeliverySettings

log = logging.getLogger(__name__)

HEADROOM = 0.97
GLOBAL_TOLERANCE = 0.010
PAUSE_MARGIN = 0.1  # seconds added to retry_after, as PTB does, so the first retry lands outside the window


@dataclass(frozen=True)
class Grant:
    ok: bool
    wait: float = 0.0
    reason: str = ""  # "global": wait and ask again; "chat": this chat is busy; "pause": a 429 is in force


GRANTED = Grant(True)


@dataclass(frozen=True)
class Bucket:
    interval: float
    tolerance: float


@dataclass(frozen=True)
class Limits:
    global_bucket: Bucket
    private_bucket: Bucket
    group_bucket: Bucket

    @classmethod
    def from_settings(cls, settings: DeliverySettings) -> Limits:
        global_interval = 1.0 / (settings.global_rate * HEADROOM)
        private_interval = 1.0 / settings.private_chat_rate
        return cls(
            global_bucket=Bucket(global_interval, GLOBAL_TOLERANCE),
            private_bucket=Bucket(private_interval, (settings.private_chat_burst - 1) * private_interval),
            group_bucket=Bucket(60.0 / (settings.group_per_minute * HEADROOM), 0.0),
        )

    def for_chat(self, chat_id: int) -> Bucket:
        return self.group_bucket if chat_id < 0 else self.private_bucket


class RateLimiter(Protocol):
    async def try_acquire(self, chat_id: int) -> Grant: ...

    async def pause(self, seconds: float) -> None: ...

    async def paused_for(self) -> float: ...

    async def close(self) -> None: ...


def _gcra(tat: float, now: float, bucket: Bucket) -> tuple[bool, float]:
    """(allowed, wait): wait is how long until this bucket would allow a request."""
    tat = max(tat, now)
    excess = tat - now - bucket.tolerance
    return (excess <= 0, max(0.0, excess))


class LocalRateLimiter:
    """All buckets in this process's memory: correct for one sender process."""

    def __init__(self, limits: Limits, clock=time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self._global_tat = 0.0
        self._chat_tat: dict[int, float] = {}
        self._pause_until = 0.0
        self._last_prune = 0.0

    async def try_acquire(self, chat_id: int) -> Grant:
        now = self.clock()
        if self._pause_until > now:
            return Grant(False, self._pause_until - now, "pause")
        chat_bucket = self.limits.for_chat(chat_id)
        chat_tat = self._chat_tat.get(chat_id, 0.0)
        ok, wait = _gcra(chat_tat, now, chat_bucket)
        if not ok:
            return Grant(False, wait, "chat")
        ok, wait = _gcra(self._global_tat, now, self.limits.global_bucket)
        if not ok:
            return Grant(False, wait, "global")
        self._global_tat = max(self._global_tat, now) + self.limits.global_bucket.interval
        self._chat_tat[chat_id] = max(chat_tat, now) + chat_bucket.interval
        self._prune(now)
        return GRANTED

    def _prune(self, now: float) -> None:
        # A bucket whose tat has passed is the same as no bucket: forget it (a broadcast touches 10k chats).
        if now - self._last_prune > 60 and len(self._chat_tat) > 1000:
            self._chat_tat = {c: t for c, t in self._chat_tat.items() if t > now}
            self._last_prune = now

    async def pause(self, seconds: float) -> None:
        self._pause_until = max(self._pause_until, self.clock() + seconds + PAUSE_MARGIN)

    async def paused_for(self) -> float:
        return max(0.0, self._pause_until - self.clock())

    async def close(self) -> None:
        pass


# KEYS: global, chat, pause.  ARGV: global interval, global tolerance, chat interval, chat tolerance.
# Returns {code, wait}: 0 granted, 1 global busy, 2 chat busy, 3 paused. Floats go back as strings
# because Redis truncates Lua numbers to integers.
_ACQUIRE_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local pause = tonumber(redis.call('GET', KEYS[3]) or '0')
if pause > now then return {3, tostring(pause - now)} end
local gi, gt, ci, ct = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local ctat = math.max(tonumber(redis.call('GET', KEYS[2]) or '0'), now)
if ctat - now - ct > 0 then return {2, tostring(ctat - now - ct)} end
local gtat = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now)
if gtat - now - gt > 0 then return {1, tostring(gtat - now - gt)} end
redis.call('SET', KEYS[1], tostring(gtat + gi), 'PX', math.ceil((gtat + gi - now) * 1000) + 1000)
redis.call('SET', KEYS[2], tostring(ctat + ci), 'PX', math.ceil((ctat + ci - now) * 1000) + 1000)
return {0, '0'}
"""

# KEYS: pause. ARGV: seconds (0 = only read). Returns the remaining pause as a string.
_PAUSE_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local pause = tonumber(redis.call('GET', KEYS[1]) or '0')
local seconds = tonumber(ARGV[1])
if seconds > 0 and now + seconds > pause then
  pause = now + seconds
  redis.call('SET', KEYS[1], tostring(pause), 'PX', math.ceil(seconds * 1000) + 1000)
end
return tostring(math.max(0, pause - now))
"""

_CODES = {1: "global", 2: "chat", 3: "pause"}


class RedisRateLimiter:
    """Buckets in Redis, shared by every sender process of one bot (``prefix`` names the bot)."""

    def __init__(self, limits: Limits, url: str, prefix: str) -> None:
        import redis.asyncio as redis

        self.limits = limits
        self.prefix = prefix
        self.redis = redis.Redis.from_url(url)
        self._acquire = self.redis.register_script(_ACQUIRE_LUA)
        self._pause = self.redis.register_script(_PAUSE_LUA)
        # If Redis goes away, keep sending at this process's own rate rather than stopping; a
        # 429 from Telegram then still pauses us. Logged, because the rate is no longer global.
        self._fallback = LocalRateLimiter(limits)
        self._fallback_logged = 0.0

    async def try_acquire(self, chat_id: int) -> Grant:
        chat = self.limits.for_chat(chat_id)
        g = self.limits.global_bucket
        try:
            code, wait = await self._acquire(
                keys=[f"{self.prefix}:global", f"{self.prefix}:chat:{chat_id}", f"{self.prefix}:pause"],
                args=[repr(g.interval), repr(g.tolerance), repr(chat.interval), repr(chat.tolerance)],
            )
        except Exception as exc:  # redis.exceptions.* and OSError: see _fallback above
            self._log_fallback(exc)
            return await self._fallback.try_acquire(chat_id)
        code = int(code)
        return GRANTED if code == 0 else Grant(False, float(wait), _CODES[code])

    async def pause(self, seconds: float) -> None:
        await self._fallback.pause(seconds)
        try:
            await self._pause(keys=[f"{self.prefix}:pause"], args=[repr(seconds + PAUSE_MARGIN)])
        except Exception as exc:
            self._log_fallback(exc)

    async def paused_for(self) -> float:
        try:
            return float(await self._pause(keys=[f"{self.prefix}:pause"], args=["0"]))
        except Exception as exc:
            self._log_fallback(exc)
            return await self._fallback.paused_for()

    def _log_fallback(self, exc: Exception) -> None:
        if time.monotonic() - self._fallback_logged > 60:
            self._fallback_logged = time.monotonic()
            log.error("Redis rate limiter unavailable (%s); limiting this process alone until it is back", exc)

    async def close(self) -> None:
        await self.redis.aclose()


def make_limiter(settings: DeliverySettings, *, redis_url: str | None, prefix: str) -> RateLimiter:
    limits = Limits.from_settings(settings)
    if redis_url:
        return RedisRateLimiter(limits, redis_url, prefix)
    return LocalRateLimiter(limits)
