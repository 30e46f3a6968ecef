"""Thin handlers: read what the update says, call the service, answer. The core owns the session's
transaction: it commits before any answer goes to Telegram and after the handler returns (rolled
back if it raises); callback queries are answered for you, once the work is stored
(``callback_answer`` lets a handler add a toast)."""

from aiogram import F, Router
from aiogram.types import CallbackQuery

from core import keyboards
from core.filters import Magic
from core.people import NotAllowed
from organizer_hello import service


def router() -> Router:
    r = Router(name="hello")
    r.callback_query.register(on_wave, Magic(F.data == "hello:wave"))
    r.callback_query.register(on_stats, Magic(F.data == "hello:admin"))
    return r


async def on_wave(query: CallbackQuery, session, event_ctx, plugin_config) -> None:
    total = await service.wave(session, event_ctx.event.id, event_ctx.user.id)
    key = "hello-waved" if total <= plugin_config.greeting_limit else "hello-too-many"
    await query.message.answer(event_ctx.tr(key, count=total), reply_markup=keyboards.back_to_menu(event_ctx.tr))


async def on_stats(query: CallbackQuery, app, session, event_ctx, callback_answer) -> None:
    tr = event_ctx.tr
    try:
        total, last = await service.organizer_stats(app.settings, session, event_ctx.event, event_ctx.member)
    except NotAllowed:
        callback_answer.text = tr("hello-not-allowed")  # a toast on the tapped button
        return
    last_text = last.strftime("%Y-%m-%d %H:%M UTC") if last else "—"
    await query.message.answer(tr("hello-admin-stats", count=total, last=last_text),
                               reply_markup=keyboards.back_to_menu(tr))
