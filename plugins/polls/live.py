"""Organizers' results messages, edited live: at most once a second each, only when what they show
changed (so Telegram never answers "message is not modified"), coalescing any number of votes in
between into one edit. A 429 stops the run; the next one catches up."""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, update

from core.db import utcnow
from core.delivery.dialect import upsert_insert
from core.models import Event
from plugins.polls import render, service
from plugins.polls.models import Poll, PollView

log = logging.getLogger(__name__)
MIN_INTERVAL = 1.0  # seconds between two edits of one message
WINDOW = dt.timedelta(minutes=30)  # views opened longer ago are left alone
EDITS_PER_RUN = 20


async def remember(session, *, chat_id: int, message_id: int, poll_id: int, user_id: int, lang: str, text: str,
                   markup) -> None:
    now = utcnow()
    values = dict(chat_id=chat_id, message_id=message_id, poll_id=poll_id, user_id=user_id,
                  digest=render.digest(text, markup), opened_at=now, edited_at=now, extra={"lang": lang})
    stmt = upsert_insert(session)(PollView).values(**values)
    await session.execute(stmt.on_conflict_do_update(
        index_elements=["chat_id", "message_id"],
        set_={k: stmt.excluded[k] for k in values if k not in ("chat_id", "message_id")}))


async def refresh_views(ctx, session=None, payload=None) -> int:
    """The periodic job: edit views whose results changed and were not edited within a second."""
    app = getattr(ctx, "app", None) or ctx
    if app.bot is None:
        return 0
    now = utcnow()
    async with app.sessions() as reader:
        views = list((await reader.scalars(select(PollView).where(PollView.opened_at > now - WINDOW)
                                           .order_by(PollView.opened_at.desc()))).all())
    edited = 0
    for view in views:
        if edited >= EDITS_PER_RUN:
            break
        if view.edited_at and (utcnow() - view.edited_at).total_seconds() < MIN_INTERVAL:
            continue
        try:
            edited += await _refresh_one(app, view, now)
        except _Stop:
            break
    return edited


class _Stop(Exception):
    pass


async def _refresh_one(app, view: PollView, now: dt.datetime) -> int:
    from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
    from aiogram.types import InlineKeyboardMarkup

    async with app.transaction() as session:
        poll = await session.get(Poll, view.poll_id)
        event = await session.get(Event, poll.event_id) if poll else None
        if poll is None or event is None or "polls" not in app.active_plugins(event.slug):
            await session.execute(delete(PollView).where(PollView.chat_id == view.chat_id,
                                                         PollView.message_id == view.message_id))
            return 0
        tr = app.translator((view.extra or {}).get("lang") or event.language)
        text, markup = render.organizer_view(tr, poll, await service.results(session, poll),
                                             is_open=service.is_open(poll, now), tz=ZoneInfo(event.timezone or "UTC"))
        digest = render.digest(text, markup)
        if digest == view.digest:
            return 0
        stored = await session.get(PollView, (view.chat_id, view.message_id))
        if stored is None:
            return 0
        stored.digest, stored.edited_at = digest, now
    # Committed first (the row says what the message will show), then the one edit; its time is
    # stamped once Telegram took it, so the next edit of this message is a full second later.
    try:
        await app.bot.edit_message_text(text=text, chat_id=view.chat_id, message_id=view.message_id,
                                        reply_markup=InlineKeyboardMarkup.model_validate(markup))
    except TelegramRetryAfter:
        raise _Stop() from None
    except (TelegramBadRequest, TelegramForbiddenError) as exc:
        if "not modified" not in str(exc):
            async with app.transaction() as session:
                await session.execute(delete(PollView).where(PollView.chat_id == view.chat_id,
                                                             PollView.message_id == view.message_id))
            return 0
    async with app.transaction() as session:
        await session.execute(update(PollView).where(PollView.chat_id == view.chat_id,
                                                     PollView.message_id == view.message_id)
                              .values(edited_at=utcnow()))
    return 1
