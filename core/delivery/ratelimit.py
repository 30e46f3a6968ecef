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

The global bucket plans by the time a request is *started*, but Telegram (and the sandbox) count
it when it *arrives*, and the gap is not constant: the first request of a sender also opens the
connection (20-70 ms measured with the emulator in the same event loop), and a loaded machine can
deschedule the sender between the grant and the write. GCRA's slack over 30 requests is only
``30 * interval - 1 s - tolerance`` ≈ 21 ms at 30/s, so one late request followed by punctual ones
put 31 arrivals into one second (tests/delivery: about one run in five). No fixed margin covers an
unbounded stall, so the global limit is also enforced by an **arrival window**: a request's arrival
lies between its start and the moment its answer came back, so a request may start only when
fewer than ``n = floor(rate)`` earlier requests can still have arrived within ``n / rate`` seconds
before it — those still in flight, and those answered less than that long ago. Then no window of
``n / rate`` seconds holds more than ``n`` arrivals, whatever the jitter (the last-started of any
``n + 1`` arrivals in a window would have seen the other ``n``). When answers come back promptly
(well within GCRA's ~3 % headroom) the window never binds and the rate is GCRA's; it binds only
after a stall, which costs that stall's length once. The sender reports each answer through
``release(grant)``; a grant never released (a crashed or cancelled sender) counts as in flight for
``IN_FLIGHT_HORIZON`` seconds, then is forgotten.

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

import asyncio
import itertools
import logging
import math
import secrets
import time
from collections import deque
from dataclasses import dataclass
from enum import IntEnum
from typing import Protocol

from core.config import DeliverySettings

log = logging.getLogger(__name__)

HEADROOM = 0.97
GLOBAL_TOLERANCE = 0.010
PAUSE_MARGIN = 0.1  # seconds added to retry_after, as PTB does, so the first retry lands outside the window
# A request not answered (released) within this long is assumed to have arrived by then: aiogram's
# request timeout is 60 s. Only matters for grants a crashed or cancelled sender never released.
IN_FLIGHT_HORIZON = 60.0
REDIS_CONNECTIONS = 16  # per process: one script call takes ~0.1 ms, so a few connections serve hundreds of waiters
WINDOW_POLL = 0.005  # seconds between checks while the arrival window waits on requests in flight


@dataclass(frozen=True)
class Grant:
    ok: bool
    wait: float = 0.0
    reason: str = ""  # "global": wait and ask again; "chat": this chat is busy; "pause": a 429 is in force
    ticket: object = None  # a granted request: pass the grant to ``release`` once its answer is back


GRANTED = Grant(True)


@dataclass(frozen=True)
class Bucket:
    interval: float
    tolerance: float


@dataclass(frozen=True)
class Window:
    """At most ``count`` arrivals in any ``span`` seconds (``count / span`` = the global rate)."""

    count: int
    span: float

    @classmethod
    def for_rate(cls, rate: float) -> Window:
        # A fractional rate (0.5/s) means one request per 2 s: scale the span, as the sandbox does.
        count = max(1, math.floor(rate))
        return cls(count, count / rate)


@dataclass(frozen=True)
class Limits:
    global_bucket: Bucket
    private_bucket: Bucket
    group_bucket: Bucket
    window: Window | None = None

    @classmethod
    def from_settings(cls, settings: DeliverySettings) -> Limits:
        global_interval = 1.0 / (settings.global_rate * HEADROOM)
        # The chat bucket keeps the same headroom: its burst is Telegram's own (tolerance from the
        # exact interval), but consecutive slots are 3 % apart more than the limit, so two replies
        # whose arrival order or timing jitters by a few ms still fit Telegram's 1/s.
        private_interval = 1.0 / (settings.private_chat_rate * HEADROOM)
        return cls(
            global_bucket=Bucket(global_interval, GLOBAL_TOLERANCE),
            private_bucket=Bucket(private_interval, (settings.private_chat_burst - 1) / settings.private_chat_rate),
            group_bucket=Bucket(60.0 / (settings.group_per_minute * HEADROOM), 0.0),
            window=Window.for_rate(settings.global_rate),
        )

    def for_chat(self, chat_id: int) -> Bucket:
        return self.group_bucket if chat_id < 0 else self.private_bucket


class RateLimiter(Protocol):
    async def try_acquire(self, chat_id: int) -> Grant: ...

    async def release(self, grant: Grant) -> None: ...

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
        # The arrival window: grants not yet released (ticket -> start) and release times, oldest first.
        self._in_flight: dict[int, float] = {}
        self._answered: deque[float] = deque()
        self._tickets = itertools.count(1)

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
        wait = self._window_wait(now)
        if wait > 0:
            return Grant(False, wait, "global")
        self._global_tat = max(self._global_tat, now) + self.limits.global_bucket.interval
        self._chat_tat[chat_id] = max(chat_tat, now) + chat_bucket.interval
        self._prune(now)
        if self.limits.window is None:
            return GRANTED
        ticket = next(self._tickets)
        self._in_flight[ticket] = now
        return Grant(True, ticket=ticket)

    def _window_wait(self, now: float) -> float:
        """0 if fewer than ``count`` earlier requests can have arrived within ``span`` before ``now``."""
        window = self.limits.window
        if window is None:
            return 0.0
        horizon = now - window.span
        answered = self._answered
        while answered and answered[0] <= horizon:
            answered.popleft()
        excess = len(self._in_flight) + len(answered) - (window.count - 1)
        if excess <= 0:
            return 0.0
        if excess <= len(answered):
            return answered[excess - 1] - horizon  # exact: when enough answers have left the window
        stale = [t for t, started in self._in_flight.items() if started + IN_FLIGHT_HORIZON <= horizon]
        if stale:  # never released (a cancelled send): assumed arrived long ago
            for t in stale:
                del self._in_flight[t]
            return self._window_wait(now)
        return WINDOW_POLL  # waiting on answers still in flight

    async def release(self, grant: Grant) -> None:
        if grant.ticket is not None and self._in_flight.pop(grant.ticket, None) is not None:
            self._answered.append(self.clock())

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


# KEYS: global, chat, pause, window.  ARGV: global interval, global tolerance, chat interval, chat
# tolerance, window count, window span, in-flight horizon, ticket, poll. The window is a sorted set of
# tickets scored by the latest time each request can have arrived: start + horizon while in flight,
# the answer's time once released. Returns {code, wait}: 0 granted, 1 global busy, 2 chat busy,
# 3 paused. Floats go back as strings because Redis truncates Lua numbers to integers.
_ACQUIRE_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local pause = tonumber(redis.call('GET', KEYS[3]) or '0')
if pause > now then return {3, tostring(pause - now)} end
local gi, gt, ci, ct = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local n, span, horizon = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local ctat = math.max(tonumber(redis.call('GET', KEYS[2]) or '0'), now)
if ctat - now - ct > 0 then return {2, tostring(ctat - now - ct)} end
local gtat = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now)
if gtat - now - gt > 0 then return {1, tostring(gtat - now - gt)} end
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', tostring(now - span))
local excess = redis.call('ZCARD', KEYS[4]) - (n - 1)
if excess > 0 then
  local leaves = tonumber(redis.call('ZRANGE', KEYS[4], excess - 1, excess - 1, 'WITHSCORES')[2])
  if leaves > now then return {1, ARGV[9]} end  -- still in flight: poll
  return {1, tostring(leaves - (now - span))}
end
redis.call('SET', KEYS[1], tostring(gtat + gi), 'PX', math.ceil((gtat + gi - now) * 1000) + 1000)
redis.call('SET', KEYS[2], tostring(ctat + ci), 'PX', math.ceil((ctat + ci - now) * 1000) + 1000)
redis.call('ZADD', KEYS[4], tostring(now + horizon), ARGV[8])
redis.call('PEXPIRE', KEYS[4], math.ceil((horizon + span) * 1000) + 1000)
return {0, '0'}
"""

# KEYS: window. ARGV: ticket. The request's answer is back: it arrived by now.
_RELEASE_LUA = """
local t = redis.call('TIME')
redis.call('ZADD', KEYS[1], 'XX', tostring(tonumber(t[1]) + tonumber(t[2]) / 1000000), ARGV[1])
return 0
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
        # Many replies ask at once (one per chat waiting for its slot): a blocking pool makes them
        # queue for a connection instead of failing when the pool is exhausted.
        self.redis = redis.Redis(connection_pool=redis.BlockingConnectionPool.from_url(
            url, max_connections=REDIS_CONNECTIONS, timeout=5))
        self._acquire = self.redis.register_script(_ACQUIRE_LUA)
        self._release = self.redis.register_script(_RELEASE_LUA)
        self._pause = self.redis.register_script(_PAUSE_LUA)
        self._ticket_prefix = secrets.token_hex(6)
        self._tickets = itertools.count(1)
        # If Redis goes away, keep sending at this process's own rate rather than stopping; a
        # 429 from Telegram then still pauses us. Logged, because the rate is no longer global.
        self._fallback = LocalRateLimiter(limits)
        self._fallback_logged = 0.0

    async def try_acquire(self, chat_id: int) -> Grant:
        chat = self.limits.for_chat(chat_id)
        g = self.limits.global_bucket
        # No window configured: a count no request ever reaches.
        window = self.limits.window or Window(2**31, 1.0)
        ticket = f"{self._ticket_prefix}:{next(self._tickets)}"
        try:
            code, wait = await self._acquire(
                keys=[f"{self.prefix}:global", f"{self.prefix}:chat:{chat_id}", f"{self.prefix}:pause",
                      f"{self.prefix}:window"],
                args=[repr(g.interval), repr(g.tolerance), repr(chat.interval), repr(chat.tolerance),
                      str(window.count), repr(window.span), repr(IN_FLIGHT_HORIZON), ticket, repr(WINDOW_POLL)],
            )
        except Exception as exc:  # redis.exceptions.* and OSError: see _fallback above
            self._log_fallback(exc)
            return await self._fallback.try_acquire(chat_id)
        code = int(code)
        return Grant(True, ticket=ticket) if code == 0 else Grant(False, float(wait), _CODES[code])

    async def release(self, grant: Grant) -> None:
        if not isinstance(grant.ticket, str):  # granted by the fallback
            await self._fallback.release(grant)
            return
        try:
            await self._release(keys=[f"{self.prefix}:window"], args=[grant.ticket])
        except Exception as exc:  # the entry then ages out after IN_FLIGHT_HORIZON
            self._log_fallback(exc)

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
        await self.redis.aclose(close_connection_pool=True)  # the pool was passed in: close it too


def make_limiter(settings: DeliverySettings, *, redis_url: str | None, prefix: str) -> RateLimiter:
    limits = Limits.from_settings(settings)
    if redis_url:
        return RedisRateLimiter(limits, redis_url, prefix)
    return LocalRateLimiter(limits)


class Lane(IntEnum):
    INTERACTIVE = 0  # a reply to the user's own update
    BULK = 1  # broadcasts, reminders, anything sent from a background task


BULK_YIELD = 0.01  # seconds a bulk sender waits before asking again while a reply wants the slot


class SharedLimiter:
    """The process's one limiter, in two lanes over one set of buckets (local or Redis).

    Bulk traffic (the outbox sender) asks through ``try_acquire`` as before; a reply asks through
    ``acquire`` and waits for its slot instead of failing. While any reply waits *only* for the
    global slot (its chat is free), bulk requests are told to wait, so the next global slot goes to
    the reply: a reply overtakes a running broadcast within about one global interval, and the
    broadcast still takes every slot no reply wants. A reply waiting for its own chat's slot (the
    user is answered at 1/s) or for a 429 pause to end holds nothing back. Replies to one chat are granted in the order they
    asked (a FIFO lock per chat), so a user's answers keep their order.
    """

    def __init__(self, inner: RateLimiter) -> None:
        self.inner = inner
        self.limits: Limits | None = getattr(inner, "limits", None)
        self._wanting = 0  # replies whose next try is blocked only by the global bucket
        self._chat_locks: dict[int, tuple[asyncio.Lock, int]] = {}
        self._global_turn = asyncio.Lock()  # FIFO queue of replies waiting for the global slot
        self._closed = False

    # --- the bulk lane: the RateLimiter protocol, for OutboxSender --------------------------------

    async def try_acquire(self, chat_id: int) -> Grant:
        if self._wanting:
            return Grant(False, BULK_YIELD, "global")
        return await self.inner.try_acquire(chat_id)

    async def release(self, grant: Grant) -> None:
        await self.inner.release(grant)

    async def pause(self, seconds: float) -> None:
        await self.inner.pause(seconds)

    async def paused_for(self) -> float:
        return await self.inner.paused_for()

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            await self.inner.close()

    # --- the interactive lane -------------------------------------------------------------------

    async def acquire(self, chat_id: int, lane: Lane, deadline: float | None = None,
                      clock=time.monotonic) -> Grant | None:
        """Wait for a slot; None if it would come after ``deadline`` (a ``clock()`` time).

        Replies that are blocked only by the global bucket queue in FIFO order on one lock, and only
        the head of that queue asks the buckets: a thousand waiting replies cost one check per
        global interval, not a thousand (no thundering herd), and they go out in the order they
        became ready."""
        while True:
            grant = await self._try(chat_id, lane)
            if grant.ok:
                return grant
            if deadline is not None and clock() + grant.wait > deadline:
                return None
            if lane is not Lane.INTERACTIVE or grant.reason != "global":
                await asyncio.sleep(grant.wait)  # its own chat's slot, a 429 pause, or bulk's turn
                continue
            self._wanting += 1
            try:
                async with self._global_turn:
                    while True:
                        grant = await self.inner.try_acquire(chat_id)
                        if grant.ok:
                            return grant
                        if deadline is not None and clock() + grant.wait > deadline:
                            return None
                        if grant.reason != "global":
                            break  # paused meanwhile: wait outside the queue, then queue again
                        await asyncio.sleep(grant.wait)
            finally:
                self._wanting -= 1
            await asyncio.sleep(grant.wait)

    async def _try(self, chat_id: int, lane: Lane) -> Grant:
        if lane is Lane.INTERACTIVE:
            return await self.inner.try_acquire(chat_id)
        return await self.try_acquire(chat_id)

    def chat_turn(self, chat_id: int) -> _ChatTurn:
        """``async with limiter.chat_turn(chat):`` one request to that chat at a time, in FIFO order."""
        return _ChatTurn(self, chat_id)


class _ChatTurn:
    __slots__ = ("owner", "chat_id")

    def __init__(self, owner: SharedLimiter, chat_id: int) -> None:
        self.owner, self.chat_id = owner, chat_id

    async def __aenter__(self) -> None:
        locks = self.owner._chat_locks
        lock, users = locks.get(self.chat_id, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        locks[self.chat_id] = (lock, users + 1)
        try:
            await lock.acquire()
        except BaseException:
            self._leave(lock)
            raise

    async def __aexit__(self, *exc) -> None:
        lock, _ = self.owner._chat_locks[self.chat_id]
        lock.release()
        self._leave(lock)

    def _leave(self, lock: asyncio.Lock) -> None:
        locks = self.owner._chat_locks
        _, users = locks[self.chat_id]
        if users <= 1:
            del locks[self.chat_id]  # nobody else waits: a quiet chat keeps no lock
        else:
            locks[self.chat_id] = (lock, users - 1)
