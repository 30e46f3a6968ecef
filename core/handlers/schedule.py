"""My schedule ("Моё расписание"): bookings and sessions of the user, by day, local time."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.text_decorations import html_decoration as hd

from core import dates, keyboards
from core.context import EventContext
from core.filters import Magic
from core.handlers.common import reply, show_event_picker
from core.schedule import by_local_day, personal_schedule


def router() -> Router:
    r = Router(name="core:schedule")
    r.message.register(on_schedule, Command("schedule"), Magic(F.chat.type == "private"))
    r.callback_query.register(on_schedule, Magic(F.data == "core:schedule"))
    return r


async def render_schedule(app, session, ctx: EventContext) -> str:
    tr = ctx.tr
    items = await personal_schedule(app, session, ctx.event, ctx.member)
    if not items:
        return tr("schedule-empty")
    lines = [tr("schedule-title", event=hd.quote(ctx.event.title))]
    for day, entries in by_local_day(items, ctx.event.timezone):
        lines += ["", f"<b>{dates.format_day(tr, day)}</b>"]
        for item, start, end in entries:
            when = start.strftime("%H:%M") + (f"–{end.strftime('%H:%M')}" if end else "")
            place = f" · {hd.quote(item.place)}" if item.place else ""
            lines.append(f"{when} {hd.quote(item.title)}{place}")
    return "\n".join(lines)


async def on_schedule(target: Message | CallbackQuery, app, session, event_ctx: EventContext) -> None:
    if event_ctx.event is None or event_ctx.member is None:
        await show_event_picker(target, app, event_ctx, session)
        return
    text = await render_schedule(app, session, event_ctx)
    await reply(target, text, keyboards.back_to_menu(event_ctx.tr))
