"""Per-user flood control: past ``user_updates_per_second`` (with a burst of ``user_updates_burst``)
a user's updates are dropped before any work, and the user is told once to slow down.

Replies leave at Telegram's 1 message a second per chat; a user who sends sixty texts in a second
would otherwise queue a minute of answers to themselves (and of database work), all stale by the
time they arrive. The bucket is GCRA, as the send limiter's: an update is accepted while its
theoretical arrival time is within the burst. A dropped callback is still answered (its spinner
stops, with the notice as its text); a dropped message gets the notice as a message, at most once
per ``NOTICE_EVERY`` seconds per user.
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
        if user is None or user.is_bot or self.allow(user.id):
            # Counted as in flight from here: an update waiting for its user's FSM lock is work
            # still to do (a graceful stop and the sandbox's settle wait for it).
            self.app.in_flight.enter()
            try:
                return await handler(event, data)
            finally:
                self.app.in_flight.leave()
        self.dropped += 1
        log.info("update %s dropped: user floods", getattr(event, "update_id", "?"))
        await self._notice(event, data, user)
        return None

    async def _notice(self, event: TelegramObject, data: dict[str, Any], user) -> None:
        now = self.clock()
        callback = event.callback_query if isinstance(event, Update) else None
        first = now - self._noticed.get(user.id, -NOTICE_EVERY) >= NOTICE_EVERY
        if not first and callback is None:
            return
        if first:
            self._noticed[user.id] = now
            if len(self._noticed) > _PRUNE_OVER:
                self._noticed = {u: t for u, t in self._noticed.items() if now - t < NOTICE_EVERY}
        # The user's stored language is not read for a dropped update (no database work at all).
        tr = self.app.translator(pick_language(None, user.language_code, None))
        bot = data["bot"]
        token = reply_context(time.time())
        try:
            if callback is not None:  # not rate-limited: always stop the spinner
                await bot.answer_callback_query(callback.id, tr("flood-slow-down") if first else None)
                return
            chat = data.get("event_chat")
            if chat is not None:
                await bot.send_message(chat.id, tr("flood-slow-down"))
        except Exception as exc:  # the notice is a courtesy: never let it fail the update loop
            log.warning("could not send the slow-down notice: %r", exc)
        finally:
            end_reply_context(token)
