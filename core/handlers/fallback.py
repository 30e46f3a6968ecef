"""Last router: text nobody handled gets a short hint and the way back to the menu."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message

from core import keyboards
from core.context import EventContext
from core.filters import Magic


def router() -> Router:
    r = Router(name="core:fallback")
    r.message.register(on_unknown_message, Magic(F.chat.type == "private"))
    r.callback_query.register(on_stale_button)
    return r


async def on_unknown_message(message: Message, event_ctx: EventContext) -> None:
    await message.answer(event_ctx.tr("fallback-unknown"), reply_markup=keyboards.back_to_menu(event_ctx.tr))


async def on_stale_button(query: CallbackQuery, event_ctx: EventContext, app=None, callback_answer=None) -> None:
    # A button of a plugin that is off for this event, or of an old message.
    if callback_answer is not None:
        callback_answer.text = event_ctx.tr("fallback-section-off" if _plugin_off(query.data, event_ctx, app)
                                            else "fallback-stale-button")


def _plugin_off(data: str | None, ctx: EventContext, app) -> bool:
    """The button's callback data starts with the name of an installed plugin that is off for the
    user's event (switched off in the config or from the organizers' panel)."""
    plugin = (data or "").split(":", 1)[0]
    return (app is not None and ctx.event is not None and plugin in app.registry.plugins
            and plugin not in ctx.active)
