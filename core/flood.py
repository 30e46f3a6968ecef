"""Per-user flood control: past ``user_updates_per_second`` (with a burst of ``user_updates_burst``)
a user's messages are dropped before any work, and the user is told once to slow down.

Replies leave at Telegram's 1 message a second per chat; a user who sends sixty texts in a second
would otherwise queue a minute of answers to themselves (and of database work), all stale by the
time they arrive. The bucket is GCRA, as the send limiter's: an update is accepted while its
theoretical arrival time is within the burst. Messages are counted, not button taps (a tap costs at
most an edit, queued edits of one message collapse into the newest, and a callback's answer is not
rate-limited). The notice is sent at most once per ``NOTICE_EVERY`` seconds per user.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update

from core.bot_session import end_reply_context, reply_context
from core.i18n import pick_language

log = logging.getLogger("organizer.updates")

NOTICE_EVERY = 10.0  # seconds: one "slow down" per flood, not one per dropped update
_PRUNE_OVER = 10_000


class FloodMiddleware(BaseMiddleware):
    def __init__(self, app, clock=time.monotonic):
        self.app = app
        self.clock = clock
        settings = app.settings.delivery
        self.interval = 1.0 / settings.user_updates_per_second
        self.tolerance = (settings.user_updates_burst - 1) * self.interval
        self._tat: dict[int, float] = {}
        self._noticed: dict[int, float] = {}
        self.dropped = 0

    def allow(self, user_id: int) -> bool:
        now = self.clock()
        tat = max(self._tat.get(user_id, 0.0), now)
        if tat - now > self.tolerance:
            return False
        self._tat[user_id] = tat + self.interval
        if len(self._tat) > _PRUNE_OVER:  # a bucket whose time has passed is the same as none
            self._tat = {u: t for u, t in self._tat.items() if t > now}
        return True

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        user = data.get("event_from_user")
        # Only messages are counted: a tap costs at most an edit, and queued edits of one message
        # already collapse into the newest (core.bot_session); its answer is never rate-limited.
        counted = isinstance(event, Update) and event.message is not None
        if user is None or user.is_bot or not counted or self.allow(user.id):
            # Counted as in flight from here: an update waiting for its user's FSM lock is work
            # still to do (a graceful stop and the sandbox's settle wait for it).
            self.app.in_flight.enter()
            try:
                return await handler(event, data)
            finally:
                self.app.in_flight.leave()
        self.dropped += 1
        log.info("update %s dropped: user floods", getattr(event, "update_id", "?"))
        self.app.in_flight.enter()
        try:
            await self._notice(event, data, user)
        finally:
            self.app.in_flight.leave()
        return None

    async def _notice(self, event: TelegramObject, data: dict[str, Any], user) -> None:
        now = self.clock()
        if now - self._noticed.get(user.id, -NOTICE_EVERY) < NOTICE_EVERY:
            return
        self._noticed[user.id] = now
        if len(self._noticed) > _PRUNE_OVER:
            self._noticed = {u: t for u, t in self._noticed.items() if now - t < NOTICE_EVERY}
        # The user's stored language is not read for a dropped update (no database work at all).
        tr = self.app.translator(pick_language(None, user.language_code, None))
        bot = data["bot"]
        token = reply_context(time.time())
        try:
            chat = data.get("event_chat")
            if chat is not None:
                await bot.send_message(chat.id, tr("flood-slow-down"))
        except Exception as exc:  # the notice is a courtesy: never let it fail the update loop
            log.warning("could not send the slow-down notice: %r", exc)
        finally:
            end_reply_context(token)
