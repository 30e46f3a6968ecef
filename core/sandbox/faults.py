"""Faults injected on demand: flood limits, blocked users, server errors, dropped connections, latency.

Everything is a plain public attribute or method so a test can flip it mid-run
(``emu.faults.block_bot(alice.id)``, ``emu.faults.latency = 0.2``).
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from core.sandbox.errors import ApiError, forbidden

# Methods that Telegram's flood control counts. Edits and chat actions are throttled by Telegram too,
# but the published limits are about sending, so they are opt-in via ``rate_limited_methods``.
SEND_METHODS = frozenset(
    {
        "sendmessage", "sendphoto", "senddocument", "sendpoll", "sendmediagroup", "forwardmessage",
        "copymessage", "sendsticker", "sendvideo", "sendaudio", "sendvoice", "sendanimation", "sendlocation",
        "sendcontact", "sendvenue", "senddice", "sendvideonote",
    }
)

# Methods that act in a chat and therefore fail once the user has blocked the bot.
CHAT_ACTION_METHODS = SEND_METHODS | {
    "editmessagetext", "editmessagecaption", "editmessagereplymarkup", "editmessagemedia", "sendchataction",
    "stoppoll", "deletemessage",
}

_DEFAULT_DESCRIPTIONS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
                         504: "Gateway Timeout"}


@dataclass
class _Injected:
    remaining: int
    status: int = 500
    description: str = ""
    retry_after: int | None = None  # a 429 with parameters.retry_after


@dataclass
class RateLimit:
    global_per_sec: float | None = None
    per_chat_per_sec: float | None = None
    per_group_per_min: float | None = None
    retry_after: int | None = None  # None: computed from the window, like Telegram's real hint
    # Requests one private chat may send at once before the 1/s pace applies (Telegram tolerates
    # "short bursts"); 1 = a strict sliding window. The pace is a token bucket: a burst of this
    # many, then one every 1/per_chat_per_sec seconds.
    per_chat_burst: int = 1


@dataclass
class Faults:
    latency: float = 0.0
    blocked: set[int] = field(default_factory=set)
    deactivated: set[int] = field(default_factory=set)
    rate_limit: RateLimit = field(default_factory=RateLimit)
    rate_limited_methods: set[str] = field(default_factory=lambda: set(SEND_METHODS))
    _fail: dict[str, deque[_Injected]] = field(default_factory=dict)
    _drop: dict[str, int] = field(default_factory=dict)
    _global_hits: deque[float] = field(default_factory=deque)
    _chat_hits: dict[int | str, deque[float]] = field(default_factory=dict)
    _group_hits: dict[int | str, deque[float]] = field(default_factory=dict)
    _chat_tat: dict[int | str, float] = field(default_factory=dict)
    # 429 windows handed out: "*" for the global limit, else the chat; a request that arrives for a
    # key still inside its window is counted (Telegram extends the ban for such bots).
    _penalty: dict[int | str, float] = field(default_factory=dict)
    requests_in_429_window: int = 0
    in_window_by_chat: dict[int | str, int] = field(default_factory=dict)

    # ------------------------------------------------------------------------------------------ public API

    def set_rate_limit(
        self,
        global_per_sec: float | None = None,
        per_chat_per_sec: float | None = None,
        per_group_per_min: float | None = None,
        retry_after: int | None = None,
        per_chat_burst: int = 1,
    ) -> None:
        self.rate_limit = RateLimit(global_per_sec, per_chat_per_sec, per_group_per_min, retry_after,
                                    per_chat_burst)
        self._global_hits.clear()
        self._chat_hits.clear()
        self._group_hits.clear()
        self._chat_tat.clear()
        self._penalty.clear()
        self.requests_in_429_window = 0
        self.in_window_by_chat.clear()

    def telegram_limits(self) -> None:
        """Telegram's published limits: ~30/s in all, ~1/s per chat with short bursts, 20/min per group."""
        self.set_rate_limit(global_per_sec=30, per_chat_per_sec=1, per_group_per_min=20, per_chat_burst=3)

    def clear_rate_limit(self) -> None:
        self.set_rate_limit()

    def block_bot(self, user_id: int) -> None:
        self.blocked.add(int(user_id))

    def unblock_bot(self, user_id: int) -> None:
        self.blocked.discard(int(user_id))

    def deactivate_user(self, user_id: int) -> None:
        """The account was deleted: sends fail with 403 "user is deactivated" for good."""
        self.deactivated.add(int(user_id))

    def fail_next(self, method: str, count: int = 1, status: int = 500, description: str | None = None) -> None:
        """The next ``count`` calls of ``method`` ("*" = any) answer with a 5xx error."""
        text = description or _DEFAULT_DESCRIPTIONS.get(status, "Internal Server Error")
        self._fail.setdefault(method.lower(), deque()).append(_Injected(count, status, text))

    def retry_after_next(self, method: str, count: int = 1, retry_after: int = 1) -> None:
        """The next ``count`` calls of ``method`` ("*" = any) get a 429 with ``retry_after``, as if
        that chat had hit a limit; requests to it inside the window are counted like real ones."""
        self._fail.setdefault(method.lower(), deque()).append(
            _Injected(count, 429, f"Too Many Requests: retry after {retry_after}", retry_after))

    def drop_next(self, method: str, count: int = 1) -> None:
        """The next ``count`` calls of ``method`` ("*" = any) get their connection closed without an answer."""
        key = method.lower()
        self._drop[key] = self._drop.get(key, 0) + count

    def reset(self) -> None:
        self.latency = 0.0
        self.blocked.clear()
        self.deactivated.clear()
        self._fail.clear()
        self._drop.clear()
        self.clear_rate_limit()

    # ------------------------------------------------------------------------------- used by the emulator

    def take_drop(self, method: str) -> bool:
        for key in (method.lower(), "*"):
            if self._drop.get(key, 0) > 0:
                self._drop[key] -= 1
                return True
        return False

    def take_failure(self, method: str, chat_id: Any = None, now: float | None = None) -> ApiError | None:
        for key in (method.lower(), "*"):
            queue = self._fail.get(key)
            if queue:
                item = queue[0]
                item.remaining -= 1
                if item.remaining <= 0:
                    queue.popleft()
                if item.retry_after is None:
                    return ApiError(item.status, item.description)
                now = time.monotonic() if now is None else now
                self._count_in_window(chat_id, now)
                if chat_id is not None:
                    self._penalty[chat_id] = max(self._penalty.get(chat_id, 0.0), now + item.retry_after)
                return ApiError(429, item.description, {"retry_after": item.retry_after})
        return None

    def _count_in_window(self, chat_id: Any, now: float) -> None:
        """Count a limited request that arrived while a 429 window it was given is still open."""
        if self._penalty.get("*", 0.0) > now or (chat_id is not None and self._penalty.get(chat_id, 0.0) > now):
            self.requests_in_429_window += 1
            self.in_window_by_chat[chat_id] = self.in_window_by_chat.get(chat_id, 0) + 1

    def check_blocked(self, method: str, chat_id: Any) -> None:
        if method.lower() not in CHAT_ACTION_METHODS or not isinstance(chat_id, int):
            return
        if chat_id in self.deactivated:
            raise forbidden("user is deactivated")
        if chat_id in self.blocked:
            raise forbidden("bot was blocked by the user")

    def check_rate(self, method: str, chat_id: Any, now: float | None = None) -> None:
        """Sliding-window flood control; only requests that pass are counted, as with Telegram."""
        if method.lower() not in self.rate_limited_methods:
            return
        rl = self.rate_limit
        now = time.monotonic() if now is None else now
        self._count_in_window(chat_id, now)
        global_wait = chat_wait = 0.0
        if rl.global_per_sec:
            global_wait = self._window_wait(self._global_hits, rl.global_per_sec, 1.0, now)
        is_group = isinstance(chat_id, int) and chat_id < 0 or isinstance(chat_id, str)
        bucket = chat_id is not None and rl.per_chat_per_sec and rl.per_chat_burst > 1 and not is_group
        if chat_id is not None and rl.per_chat_per_sec:
            if bucket:
                interval = 1.0 / rl.per_chat_per_sec
                tat = max(self._chat_tat.get(chat_id, 0.0), now)
                chat_wait = max(0.0, tat - now - (rl.per_chat_burst - 1) * interval)
            else:
                hits = self._chat_hits.setdefault(chat_id, deque())
                chat_wait = self._window_wait(hits, rl.per_chat_per_sec, 1.0, now)
        if chat_id is not None and is_group and rl.per_group_per_min:
            hits = self._group_hits.setdefault(chat_id, deque())
            chat_wait = max(chat_wait, self._window_wait(hits, rl.per_group_per_min, 60.0, now))
        wait = max(global_wait, chat_wait)
        if wait > 0:
            retry = rl.retry_after if rl.retry_after is not None else max(1, math.ceil(wait))
            key = "*" if global_wait >= chat_wait else chat_id
            self._penalty[key] = max(self._penalty.get(key, 0.0), now + retry)
            raise ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})
        if rl.global_per_sec:
            self._global_hits.append(now)
        if bucket:
            self._chat_tat[chat_id] = max(self._chat_tat.get(chat_id, 0.0), now) + 1.0 / rl.per_chat_per_sec
        elif chat_id is not None and rl.per_chat_per_sec:
            self._chat_hits[chat_id].append(now)
        if chat_id is not None and is_group and rl.per_group_per_min:
            self._group_hits[chat_id].append(now)

    @staticmethod
    def _window_wait(hits: deque[float], limit: float, window: float, now: float) -> float:
        # A fractional limit (0.5/s) means one request per 2 s: scale the window instead of the count.
        count = max(1, int(limit))
        span = window * count / limit
        while hits and hits[0] <= now - span:
            hits.popleft()
        if len(hits) < count:
            return 0.0
        return hits[-count] + span - now
