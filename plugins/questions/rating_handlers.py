"""Talk ratings in the bot: the tap on a prompt (1..5), and the averages for organizers and speakers.
Thin handlers over ``ratings.py``."""

from __future__ import annotations

import html

from aiogram import F, Router
from aiogram.types import CallbackQuery, InlineKeyboardMarkup

from core.context import EventContext
from core.filters import Magic
from core.handlers.common import reply
from core.keyboards import button, rows
from core.models import Role
from plugins.questions import ratings


def router() -> Router:
    r = Router(name="questions-ratings")
    cb = r.callback_query
    cb.register(on_rate, Magic(F.data.regexp(r"^questions:rate:\d{1,9}:\d$")))
    cb.register(on_view, Magic(F.data.regexp(r"^questions:rt:\d{1,9}$")))
    return r


async def on_rate(query: CallbackQuery, app, session, event_ctx: EventContext, callback_answer=None) -> None:
    tr = event_ctx.tr
    _, _, session_id, score = query.data.split(":")
    status, row = await ratings.rate(session, event_ctx.user.id, int(session_id), int(score), at=ratings.now())
    if callback_answer is not None:
        callback_answer.text = tr(f"questions-rate-{status}", score=int(score))
        callback_answer.show_alert = status in ("closed", "not-invited")
    if row is None or "schedule" not in app.active_plugins(event_ctx.slug):
        return
    from plugins.schedule import public as schedule

    info = await schedule.session_info(session, row.event_id, row.session_id)
    if info is None:
        return
    if status == "closed":  # the buttons go: tapping them again cannot help
        await reply(query, ratings.prompt_text(tr, info, row.score, closed=True), None)
        return
    markup = InlineKeyboardMarkup.model_validate(ratings.prompt_markup(info.id, row.score))
    await reply(query, ratings.prompt_text(tr, info, row.score), markup)


async def _deny(query: CallbackQuery, ctx: EventContext, callback_answer=None) -> None:
    if callback_answer is not None:  # the middleware answers once, with this text
        callback_answer.text, callback_answer.show_alert = ctx.tr("questions-ratings-not-allowed"), True
        return
    await query.message.answer(ctx.tr("questions-ratings-not-allowed"))


def _line(tr, n: int, item: ratings.Summary) -> str:
    title = html.escape(item.info.title, quote=False)
    if not item.count:
        return tr("questions-ratings-line-none", n=n, title=title, invited=item.invited)
    return tr("questions-ratings-line", n=n, title=title, average=item.average, count=item.count,
              invited=item.invited)


async def on_view(query: CallbackQuery, app, session, event_ctx: EventContext, callback_answer=None) -> None:
    """``questions:rt:0``: the list (organizers: all sessions, speakers: their own);
    ``questions:rt:<id>``: one session, for an organizer or its speaker."""
    ctx, tr = event_ctx, event_ctx.tr
    if ctx.event is None or ctx.member is None or not ratings.enabled(app, ctx.event):
        await _deny(query, ctx, callback_answer)
        return
    session_id = int(query.data.rsplit(":", 1)[1])
    back = [button(tr("questions-btn-back-admin"), "core:admin")] if ctx.is_admin else [button(tr("btn-menu"),
                                                                                               "core:menu")]
    if session_id:
        item = await ratings.summary(session, ctx.event, session_id)
        if item is None or not ratings.can_see(app, ctx.event, ctx.member, item.info):
            await _deny(query, ctx, callback_answer)
            return
        text = "\n".join([tr("questions-ratings-one-title"), _line(tr, 1, item)])
        await reply(query, text, rows([button(tr("questions-btn-back-session"), f"sch:s:{session_id}")], back))
        return
    if not ctx.is_admin and ctx.member.role != Role.SPEAKER.value:
        await _deny(query, ctx, callback_answer)
        return
    items = await ratings.summaries(app, session, ctx.event, ctx.member)
    lines = [tr("questions-ratings-title")]
    lines += [_line(tr, n, item) for n, item in enumerate(items, 1)] or [tr("questions-ratings-empty")]
    await reply(query, "\n".join(lines), rows(back))
