"""The admin menu. Every admin path checks the role; non-admins get a clear refusal."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from aiogram.utils.text_decorations import html_decoration as hd

from core import keyboards
from core.context import EventContext
from core.filters import Magic
from core.handlers.common import reply
from core.menu import admin_menu_items


def router() -> Router:
    r = Router(name="core:admin")
    r.message.register(on_admin, Command("admin"), Magic(F.chat.type == "private"))
    r.callback_query.register(on_admin, Magic(F.data == "core:admin"))
    return r


async def refuse(target: Message | CallbackQuery, ctx: EventContext, callback_answer=None) -> None:
    """Tell a non-admin they may not do this: an alert for a button, a message for a command."""
    if isinstance(target, CallbackQuery) and callback_answer is not None:
        # The CallbackAnswerMiddleware answers once, with this text; answering here too would be a 400.
        callback_answer.text, callback_answer.show_alert = ctx.tr("admin-only"), True
        return
    message = target.message if isinstance(target, CallbackQuery) else target
    await message.answer(ctx.tr("admin-only"))


async def on_admin(target: Message | CallbackQuery, app, event_ctx: EventContext, callback_answer=None) -> None:
    if event_ctx.event is None or not event_ctx.is_admin:
        await refuse(target, event_ctx, callback_answer)
        return
    items = await admin_menu_items(app, event_ctx)
    text = event_ctx.tr("admin-title", event=hd.quote(event_ctx.event.title))
    if not items:
        text += "\n" + event_ctx.tr("admin-empty")
    back = [keyboards.button(event_ctx.tr("btn-menu"), "core:menu")]
    markup = keyboards.menu_keyboard(items, event_ctx.tr, extra_rows=[back])
    await reply(target, text, markup)
