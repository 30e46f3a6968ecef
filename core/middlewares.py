"""Outer middleware: one DB session per update, the current user, event, role and language.
Inner middleware: no traceback reaches a user; the update's writes are rolled back on error.

The middleware owns the update's transaction (``core.db.commit_now``): it commits before any
request made while handling the update (see ``core.bot_session``), before a callback query's toast,
and once the handler returned. Handlers do not commit; a commit that fails is a failure of the
update (rolled back, the user told), never a success the user was already told about.

Delivery and database work are separate outcomes: a reply Telegram refused (429 beyond its
retries, a blocked user, a network failure, a reply dropped as stale) does not undo the sign-up or
booking the handler already made; that work commits. The dialog state (FSM) is written only after
a successful commit, and nothing touches the update's ORM objects after a rollback."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, TelegramObject, Update
from aiogram.utils.callback_answer import CallbackAnswer, CallbackAnswerMiddleware

from core import people
from core.bot_session import StaleReply, end_reply_context, reply_context
from core.context import EventContext
from core.context_cache import adopt
from core.deferred_state import DeferredState
from core.db import commit_each_statement, commit_now, forget_touch, touched_database
from core.i18n import pick_language
from core.outage import is_outage

log = logging.getLogger("organizer.updates")


class ContextMiddleware(BaseMiddleware):
    def __init__(self, app):
        self.app = app

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        app = self.app
        app.in_flight.enter()
        update_id = getattr(event, "update_id", None)
        if update_id is not None:
            app.sequencer.enter(update_id)  # before any await: tasks reach here in update order
        cache = app.context_cache
        tg_user = data.get("event_from_user")
        # The dialog state a handler sets is written only after its work commits (see DeferredState).
        state = data.get("state")
        deferred = DeferredState(state) if isinstance(state, FSMContext) else None
        if deferred is not None:
            data["state"] = deferred
        session = app.sessions()
        writes = cache.track(session, tg_user.id if tg_user is not None else None)

        async def commit_before_reply() -> None:
            # A request to Telegram commits what the handler wrote so far (handler → service → DB
            # → commit → answer): a reply may wait seconds for its slot, and no transaction or
            # SQLite write lock may be held meanwhile; the work is saved whatever Telegram says.
            await commit_now(session)

        # Replies made while handling this update go in the interactive lane, and are dropped
        # once their user has waited longer than delivery.reply_max_age_seconds.
        reply_token = reply_context(_origin(event), commit_before_reply)
        try:
            data["session"] = session
            data["event_ctx"], remember = await self._context(session, data)
            # End the context's short transaction before the handler runs: a handler that only
            # replies then holds no connection (and on SQLite no write lock) while it talks
            # HTTP to Telegram; its own queries start a new transaction on demand. A context
            # from the cache was only added to the session: nothing to commit.
            if touched_database(session):
                await session.commit()
                forget_touch(session)
            remember()
            try:
                result = await handler(event, data)  # committed by ErrorReplyMiddleware, inside
            except BaseException:
                await session.rollback()
                raise
            if session.info.get(ROLLED_BACK):
                # The inner middleware rolled the update back: its objects are expired, and reading
                # them now would need I/O outside the greenlet (MissingGreenlet). Nothing to keep.
                return result
            if deferred is not None and deferred.changed:
                await deferred.commit()
            ctx: EventContext = data["event_ctx"]
            cache.keep_written(writes, ctx.user, ctx.event, ctx.member)
            return result
        finally:
            await _close(session)
            end_reply_context(reply_token)
            if update_id is not None:
                await app.sequencer.leave(update_id)
            app.in_flight.leave()

    async def _context(self, session, data) -> tuple[EventContext, Callable[[], None]]:
        """The update's context, and what to call once its transaction committed (so that a
        context read from the database is remembered only when nothing was written meanwhile)."""
        app = self.app
        tg_user = data.get("event_from_user")
        user = member = current = None
        remember = _nothing
        if tg_user is not None and not tg_user.is_bot:
            profile = people.TelegramProfile(tg_user.id, tg_user.first_name, tg_user.last_name,
                                             tg_user.username, tg_user.language_code)
            cache = app.context_cache
            cached = cache.attach(session, tg_user.id) if cache.enabled else None
            if cached is not None:
                user, current, member = cached
                people.refresh_profile(user, profile)
            else:
                stamp = cache.stamp(tg_user.id)
                # Read with the other updates that arrived together (one query for all of them).
                loaded = await app.context_loader.load(tg_user.id)
                if loaded is not None:
                    user, current, member = loaded
                    adopt(session, user, member)
                    people.refresh_profile(user, profile)
                else:
                    # Someone new, or a second update of one person in a batch. PostgreSQL: one
                    # query and at most one write (a new user) flushed on its own: no BEGIN and
                    # COMMIT around them, two round trips of the three saved.
                    await commit_each_statement(session)
                    # Someone who never started the bot is not stored because they wrote in a
                    # group the bot is in: only a private chat (or no chat) makes a new user.
                    chat = data.get("event_chat")
                    user, current, member = await people.load_context(
                        session, profile, create=chat is None or chat.type == "private")
                if cache.enabled and user is not None:
                    def remember(user=user, current=current, member=member):
                        cache.store(tg_user.id, user, current, member, stamp)
            if current is not None and current.slug not in app.settings.events:
                current = member = None  # an event removed from the config is no longer served
        lang = pick_language(user.language if user else None, tg_user.language_code if tg_user else None,
                             current.language if current else None)
        return EventContext(
            user=user, event=current, member=member,
            active=app.active_plugins(current.slug if current else None),
            is_admin=people.is_admin(member, app.settings, current),
            lang=lang, tr=app.translator(lang),
        ), remember


def _nothing() -> None:
    return None


ROLLED_BACK = "organizer_rolled_back"  # session.info flag: the update's work was rolled back
TOLD_IN_TOAST = "organizer_told_in_toast"  # session.info flag: the failure was told in the callback's toast


def _origin(event: TelegramObject) -> float:
    """When the user sent the update (epoch seconds): a message's date, else now (a callback's
    own time is not in the update)."""
    now = time.time()
    inner = event.event if isinstance(event, Update) else event
    date = getattr(inner, "date", None)
    if isinstance(date, dt.datetime):
        return min(now, date.timestamp())
    return now


async def _close(session) -> None:
    if touched_database(session):
        await session.close()
    else:
        # Most updates (a cached context, a reply) never take a connection: closing then only
        # lets go of the ORM objects, with no I/O, so no trip through SQLAlchemy's greenlet.
        session.sync_session.close()


class ErrorReplyMiddleware(BaseMiddleware):
    """Commits what the handler did; catches what it (or the commit) raised: rolls back, logs
    without personal data, tells the user."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, handler, event: Update, data: dict[str, Any]) -> Any:
        try:
            result = await handler(event, data)
        except TelegramAPIError as exc:
            # A reply not delivered: what the handler wrote before it stays. A rejected request or
            # a passing server/network failure earns a short note that the work is saved; after a
            # 429 past its retries, a stale reply or a block, another message would fare no better.
            log.warning("update %s (%s): reply not delivered, its database work is kept: %s",
                        event.update_id, event.event_type, type(exc).__name__)
            if await self._commit(event, data) and not isinstance(
                    exc, (TelegramRetryAfter, TelegramForbiddenError, StaleReply)):
                await self._apologise(data, "error-not-delivered")
            return None
        except Exception as exc:
            await self._failed(event, data, exc)
            return None
        await self._commit(event, data)
        return result

    async def _commit(self, event: Update, data: dict[str, Any]) -> bool:
        """The update's final commit; False (and the user told) when it failed."""
        session = data.get("session")
        if session is None:
            return True
        try:
            await commit_now(session)
        except Exception as exc:
            await self._failed(event, data, exc)
            return False
        return True

    async def _failed(self, event: Update, data: dict[str, Any], exc: Exception) -> None:
        session = data.get("session")
        if session is not None:
            await session.rollback()
            session.info[ROLLED_BACK] = True
        if self.app.redelivers_updates and is_outage(exc):
            # The database or Redis is away (a restart): the same update will succeed once it
            # is back. Left unacknowledged, it comes again (webhook 500); an apology would
            # tell the user their tap was dropped.
            log.warning("update %s (%s) not handled, %s: the database or Redis is unreachable",
                        event.update_id, event.event_type, type(exc).__name__)
            raise exc
        log.error("update %s (%s) failed", event.update_id, event.event_type, exc_info=exc)
        if session is None or not session.info.pop(TOLD_IN_TOAST, False):
            await self._apologise(data, "error-generic")

    @staticmethod
    async def _apologise(data: dict[str, Any], key: str) -> None:
        ctx: EventContext | None = data.get("event_ctx")
        chat = data.get("event_chat")
        bot = data.get("bot")
        if bot is not None and chat is not None and ctx is not None:
            try:
                await bot.send_message(chat.id, ctx.tr(key))
            except Exception:  # the apology itself must never crash the loop
                log.warning("could not tell chat about the failure")


class CallbackAnswers(CallbackAnswerMiddleware):
    """aiogram's automatic callback answer, shown only once the update's work is stored, and fit
    for updates that may be delivered twice.

    The toast a handler set ("Booked") is sent after the update's work commits; a handler or a
    commit that fails turns it into an apology ("Nothing was saved"). Telegram accepts one answer
    per callback query. An update left unacknowledged during an outage (see
    ``ErrorReplyMiddleware``) is not answered, so that its second delivery answers it; and an answer
    refused as already given (the first delivery got that far) is no failure of the update: the
    handler's work and replies stand, and no apology follows.
    """

    def __init__(self, app) -> None:
        super().__init__()
        self.app = app

    async def __call__(self, handler, event, data: dict[str, Any]) -> Any:
        async def handle(event, data):
            try:
                result = await handler(event, data)
            except TelegramAPIError:
                await self._store(data)  # a reply was refused: the work stands, stored before the toast
                raise
            except Exception as exc:
                await self._failed(data, exc)
                raise
            await self._store(data)
            return result

        return await super().__call__(handle, event, data)

    async def _store(self, data: dict[str, Any]) -> None:
        session = data.get("session")
        if session is None:
            return
        try:
            await commit_now(session)
        except Exception as exc:
            await self._failed(data, exc)
            raise

    async def _failed(self, data: dict[str, Any], exc: Exception) -> None:
        """Roll back before the toast is sent (a request commits what is pending: here nothing
        must be) and let the toast say so; ErrorReplyMiddleware logs and marks the rollback."""
        session = data.get("session")
        if session is not None:
            await session.rollback()
        answer: CallbackAnswer | None = data.get("callback_answer")
        if answer is None or answer.answered or answer.disabled:
            return
        if self.app.redelivers_updates and is_outage(exc):
            answer.disabled = True  # answered when the update comes again
            return
        ctx: EventContext | None = data.get("event_ctx")
        session = data.get("session")
        if ctx is not None and session is not None:
            answer.text, answer.show_alert = ctx.tr("error-toast"), True
            # ErrorReplyMiddleware (which sees another ``data``, the same session) sends no second apology.
            session.info[TOLD_IN_TOAST] = True

    async def answer(self, event: CallbackQuery, callback_answer: CallbackAnswer) -> None:
        try:
            await super().answer(event, callback_answer)
        except TelegramBadRequest as exc:
            log.warning("callback query %s not answered (%s): answered before, or too late", event.id, exc.message)
