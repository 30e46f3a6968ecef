"""Shared replies: the main menu, the event picker, starting the sign-up form."""

from __future__ import annotations

from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.text_decorations import html_decoration as hd

from core import keyboards, people
from core.context import EventContext
from core.handlers.commands import sync_admin_commands
from core.menu import main_menu_items
from core.states import CoreSignup


async def reply(target: Message | CallbackQuery, text: str, markup=None, *, edit: bool = True) -> None:
    """Answer a message, or edit the message whose button was pressed (keeps the chat tidy)."""
    if isinstance(target, CallbackQuery):
        message = target.message
        if edit and isinstance(message, Message) and message.text is not None:
            if message.html_text == text and message.reply_markup == markup:
                return  # nothing changed: Telegram would answer "message is not modified"
            try:
                await message.edit_text(text, reply_markup=markup)
            except TelegramBadRequest as exc:
                # A double tap: the first tap already edited the message to this very content.
                if "message is not modified" not in exc.message:
                    raise
            return
        await message.answer(text, reply_markup=markup)
        return
    await target.answer(text, reply_markup=markup)


def needs_signup(app, ctx: EventContext) -> bool:
    conf = app.settings.events.get(ctx.slug or "")
    return bool(conf and conf.signup.enabled and ctx.member is not None and not ctx.member.is_registered)


async def show_menu(target, app, ctx: EventContext, state: FSMContext | None = None) -> None:
    """The main menu of the user's current event (callers handle "no event yet")."""
    if needs_signup(app, ctx) and state is not None:
        await start_signup(target, app, ctx, state)
        return
    if target.bot is not None and target.from_user is not None:
        await sync_admin_commands(app, target.bot, target.from_user.id, ctx)
    items = await main_menu_items(app, ctx)
    text = ctx.tr("menu-title", event=hd.quote(ctx.event.title))
    await reply(target, text, keyboards.menu_keyboard(items, ctx.tr))


async def show_event_picker(target, app, ctx: EventContext, session) -> None:
    events = await people.open_events(session, app.settings)
    if not events:
        await reply(target, ctx.tr("events-none"))
        return
    current = ctx.event.id if ctx.event else None
    buttons = [keyboards.button(("• " if e.id == current else "") + e.title, f"core:ev:{e.slug}") for e in events]
    await reply(target, ctx.tr("events-pick"), keyboards.column(buttons))


async def start_signup(target, app, ctx: EventContext, state: FSMContext) -> None:
    from core.handlers.signup import ask_consent

    await state.set_state(CoreSignup.consent)
    await state.update_data(answers={}, index=0)
    await ask_consent(target, app, ctx)
