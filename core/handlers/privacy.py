"""Withdraw consent and delete one's data: the cabinet's button and /delete, with a confirmation.

Reachable before the sign-up is finished too (it comes before the sign-up gate): someone who
declined may still want what we stored about them gone.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.text_decorations import html_decoration as hd

from core import keyboards, privacy
from core.context import EventContext
from core.filters import Magic
from core.handlers.common import reply

ASK, YES, NO = "core:forget", "core:forget:yes", "core:forget:no"


def router() -> Router:
    r = Router(name="core:privacy")
    r.message.register(on_ask, Command("delete"), Magic(F.chat.type == "private"))
    r.callback_query.register(on_ask, Magic(F.data == ASK))
    r.callback_query.register(on_yes, Magic(F.data == YES))
    r.callback_query.register(on_no, Magic(F.data == NO))
    return r


async def on_ask(target: Message | CallbackQuery, event_ctx: EventContext, state: FSMContext) -> None:
    ctx = event_ctx
    await state.clear()
    if ctx.event is None or ctx.member is None:
        await reply(target, ctx.tr("forget-no-event"))
        return
    markup = keyboards.column([keyboards.button(ctx.tr("btn-forget-yes"), YES),
                               keyboards.button(ctx.tr("btn-forget-no"), NO)])
    await reply(target, ctx.tr("forget-confirm", event=hd.quote(ctx.event.title)), markup, edit=False)


async def on_yes(query: CallbackQuery, app, session, event_ctx: EventContext, state: FSMContext) -> None:
    ctx = event_ctx
    if ctx.event is None or ctx.member is None:
        await reply(query, ctx.tr("forget-no-event"))
        return
    await privacy.forget_member(app, session, ctx.event, ctx.member)
    await state.clear()
    await reply(query, ctx.tr("forget-done", event=hd.quote(ctx.event.title)))


async def on_no(query: CallbackQuery, event_ctx: EventContext) -> None:
    await reply(query, event_ctx.tr("forget-kept"), keyboards.back_to_menu(event_ctx.tr))
