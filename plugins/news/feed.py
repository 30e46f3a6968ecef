"""The participant's news feed ("📣 News"): past news of the event, newest first, one a page."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery

from core.context import EventContext
from core.filters import Magic
from core.handlers.common import reply
from core.keyboards import button, rows
from plugins.news import service


def router() -> Router:
    r = Router(name="news:feed")
    r.callback_query.register(on_feed, Magic(F.data.regexp(r"^nwf:\d{1,9}$")))
    return r


async def on_feed(query: CallbackQuery, session, event_ctx: EventContext) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    if ctx.event is None or ctx.member is None:
        return
    item, total = await service.feed(session, ctx.event, ctx.member.user_id, int(query.data.split(":")[1]))
    menu = [button(tr("btn-menu"), "core:menu")]
    if item is None:
        await reply(query, tr("news-feed-empty"), rows(menu))
        return
    index = min(int(query.data.split(":")[1]), total - 1)
    text = item.text or ""
    if item.has_photo:
        text = tr("news-feed-photo") + ("\n" + text if text else "")
    text = text or tr("news-feed-photo")  # checked when written: it fits one message
    nav = []
    if index + 1 < total:
        nav.append(button(tr("news-feed-older"), f"nwf:{index + 1}"))
    nav.append(button(f"{index + 1}/{total}", f"nwf:{index}"))
    if index > 0:
        nav.append(button(tr("news-feed-newer"), f"nwf:{index - 1}"))
    await reply(query, text, rows(nav, menu))
