"""FAQ screens: the list of questions, then one answer with a way back."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery
from aiogram.utils.text_decorations import html_decoration as hd

from core import keyboards
from core.context import EventContext
from core.filters import Magic
from core.handlers.common import reply
from plugins.faq import service


def router() -> Router:
    r = Router(name="faq")
    r.callback_query.register(on_list, Magic(F.data == "faq:list"))
    r.callback_query.register(on_entry, Magic(F.data.regexp(r"^faq:q:\d{1,9}$")))  # ids fit a 32-bit key
    return r


async def on_list(query: CallbackQuery, session, event_ctx: EventContext) -> None:
    entries = await service.list_entries(session, event_ctx.event.id)
    tr = event_ctx.tr
    if not entries:
        await reply(query, tr("faq-empty"), keyboards.back_to_menu(tr))
        return
    buttons = [keyboards.button(e.question[:60], f"faq:q:{e.id}") for e in entries]
    buttons.append(keyboards.button(tr("btn-menu"), "core:menu"))
    await reply(query, tr("faq-title"), keyboards.column(buttons))


async def on_entry(query: CallbackQuery, session, event_ctx: EventContext, callback_answer=None) -> None:
    tr = event_ctx.tr
    entry = await service.get_entry(session, event_ctx.event.id, int(query.data.rsplit(":", 1)[1]))
    if entry is None:
        if callback_answer is not None:
            callback_answer.text = tr("faq-gone")
        return
    text = f"<b>{hd.quote(entry.question)}</b>\n\n{hd.quote(entry.answer)}"
    markup = keyboards.column([keyboards.button(tr("faq-back"), "faq:list"), keyboards.button(tr("btn-menu"), "core:menu")])
    await reply(query, text, markup)
