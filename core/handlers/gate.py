"""The sign-up gate: where an event asks for a sign-up, nothing else works until it is finished.

Placed after /start, the menu, the event picker, the sign-up form and the privacy handlers, and
before the cabinet, the schedule, the admin panel and every plugin: a command, a menu button or
an old button from someone who declined consent (or withdrew it, or stopped mid-form) gets the
consent question again instead of booking a seat or saving a phone number.
"""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram.filters import Filter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.utils.text_decorations import html_decoration as hd

from core.context import EventContext
from core.handlers.common import needs_signup, start_signup
from core.states import CoreSignup


class SignupUnfinished(Filter):
    """The update's person is a participant of an event that asks for a sign-up they have not
    finished. Organizers pass: they run the event (they are still offered the form on /start).
    Messages only from private chats: in a group the gate stays silent."""

    async def __call__(self, event: TelegramObject, event_ctx: EventContext | None = None, app=None,
                       **data: Any) -> bool:
        if event_ctx is None or app is None or event_ctx.is_admin or not needs_signup(app, event_ctx):
            return False
        if isinstance(event, Message):
            return event.chat.type == "private"
        return True


def router() -> Router:
    r = Router(name="core:signup-gate")
    gate = SignupUnfinished()
    r.message.register(on_message, gate)
    r.callback_query.register(on_button, gate)
    return r


async def _ask(target, app, ctx: EventContext, state: FSMContext) -> None:
    message = target.message if isinstance(target, CallbackQuery) else target
    if await state.get_state() == CoreSignup.field.state:
        await message.answer(ctx.tr("signup-required-finish"))
        return
    await message.answer(ctx.tr("signup-required", event=hd.quote(ctx.event.title)))
    await start_signup(message, app, ctx, state)


async def on_message(message: Message, app, event_ctx: EventContext, state: FSMContext) -> None:
    await _ask(message, app, event_ctx, state)


async def on_button(query: CallbackQuery, app, event_ctx: EventContext, state: FSMContext,
                    callback_answer=None) -> None:
    if callback_answer is not None:
        callback_answer.text = event_ctx.tr("signup-required-finish" if await state.get_state() == CoreSignup.field.state
                                            else "signup-required", event=event_ctx.event.title)[:200]
    await _ask(query, app, event_ctx, state)
