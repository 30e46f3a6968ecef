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


@dataclass
class RateLimit:
    global_per_sec: float | None = None
    per_chat_per_sec: float | None = None
    per_group_per_min: float | None = None
    retry_after: int | None = None  # None: computed from the window, like Telegram's real hint


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

    # ------------------------------------------------------------------------------------------ public API

    def set_rate_limit(
        self,
        global_per_sec: float | None = None,
        per_chat_per_sec: float | None = None,
        per_group_per_min: float | None = None,
        retry_after: int | None = None,
    ) -> None:
        self.rate_limit = RateLimit(global_per_sec, per_chat_per_sec, per_group_per_min, retry_after)
        self._global_hits.clear()
        self._chat_hits.clear()
        self._group_hits.clear()

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

    def take_failure(self, method: str) -> ApiError | None:
        for key in (method.lower(), "*"):
            queue = self._fail.get(key)
            if queue:
                item = queue[0]
                item.remaining -= 1
                if item.remaining <= 0:
                    queue.popleft()
                return ApiError(item.status, item.description)
        return None

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
        waits: list[float] = []
        if rl.global_per_sec:
            waits.append(self._window_wait(self._global_hits, rl.global_per_sec, 1.0, now))
        is_group = isinstance(chat_id, int) and chat_id < 0 or isinstance(chat_id, str)
        if chat_id is not None and rl.per_chat_per_sec:
            hits = self._chat_hits.setdefault(chat_id, deque())
            waits.append(self._window_wait(hits, rl.per_chat_per_sec, 1.0, now))
        if chat_id is not None and is_group and rl.per_group_per_min:
            hits = self._group_hits.setdefault(chat_id, deque())
            waits.append(self._window_wait(hits, rl.per_group_per_min, 60.0, now))
        wait = max(waits, default=0.0)
        if wait > 0:
            retry = rl.retry_after if rl.retry_after is not None else max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})
        if rl.global_per_sec:
            self._global_hits.append(now)
        if chat_id is not None and rl.per_chat_per_sec:
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
