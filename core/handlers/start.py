"""/start with a deep link, the event picker, switching events, the main menu."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.text_decorations import html_decoration as hd

from core import people
from core.context import EventContext
from core.filters import Magic
from core.handlers.commands import sync_admin_commands
from core.handlers.common import needs_signup, reply, show_event_picker, show_menu, start_signup


def router() -> Router:
    r = Router(name="core:start")
    r.message.register(on_start, CommandStart(), Magic(F.chat.type == "private"))
    r.message.register(on_menu, Command("menu"), Magic(F.chat.type == "private"))
    r.message.register(on_events, Command("events"), Magic(F.chat.type == "private"))
    r.callback_query.register(on_menu, Magic(F.data == "core:menu"))
    r.callback_query.register(on_events_button, Magic(F.data == "core:events"))
    r.callback_query.register(on_pick_event, Magic(F.data.startswith("core:ev:")))
    return r


async def _enter_event(target, app, session, ctx: EventContext, slug: str, state: FSMContext,
                       payload: str = "") -> None:
    event = await people.event_by_slug(session, slug)
    conf = app.settings.events.get(slug)
    if event is None or conf is None:
        await reply(target, ctx.tr("events-unknown", slug=hd.quote(slug[:64])))
        await show_event_picker(target, app, ctx, session)
        return
    await state.clear()
    member = await people.join_event(session, ctx.user, event, app.settings)
    ctx.event, ctx.member = event, member
    ctx.active = app.active_plugins(slug)
    ctx.is_admin = people.is_admin(member, app.settings, event)
    if ctx.user.language is None:  # the event's language applies unless Telegram's is one we speak
        from core.i18n import pick_language

        ctx.lang = pick_language(None, ctx.user.telegram_language, event.language)
        ctx.tr = app.translator(ctx.lang)
    await reply(target, ctx.tr("events-joined", event=hd.quote(event.title)), edit=False)
    user = target.from_user
    if target.bot is not None and user is not None:  # /admin in an organizer's command list from the start
        await sync_admin_commands(app, target.bot, user.id, ctx)
    if payload:
        answers = await app.registry.call("deep_link", active=set(ctx.active), app=app, session=session,
                                          event=event, member=member, payload=payload, tr=ctx.tr)
        for text in answers:
            await reply(target, text, edit=False)
        ctx.is_admin = people.is_admin(member, app.settings, event)
    if needs_signup(app, ctx):
        if ctx.is_admin:  # the form is offered, but the panel does not wait for it
            await reply(target, ctx.tr("signup-organizer-hint"), edit=False)
        await start_signup(target, app, ctx, state)
    else:
        await show_menu(target, app, ctx, state)


async def on_start(message: Message, command: CommandObject, app, session, event_ctx: EventContext,
                   state: FSMContext) -> None:
    # "<event>--<payload>": a plugin's link into an event (the payload keeps its case).
    slug, _, payload = (command.args or "").strip().partition("--")
    slug = slug.lower()
    if slug:
        await _enter_event(message, app, session, event_ctx, slug, state, payload=payload)
        return
    if event_ctx.event is not None:
        await state.clear()
        await show_menu(message, app, event_ctx, state)
        return
    events = await people.open_events(session, app.settings)
    if len(events) == 1:
        await _enter_event(message, app, session, event_ctx, events[0].slug, state)
        return
    await reply(message, event_ctx.tr("welcome"))
    await show_event_picker(message, app, event_ctx, session)


async def on_menu(target: Message | CallbackQuery, app, session, event_ctx: EventContext, state: FSMContext) -> None:
    """/menu and the "Menu" button: the main menu, or the event picker before joining one."""
    await state.clear()
    if event_ctx.event is None:
        await show_event_picker(target, app, event_ctx, session)
        return
    await show_menu(target, app, event_ctx, state)


async def on_events(message: Message, app, session, event_ctx: EventContext) -> None:
    await show_event_picker(message, app, event_ctx, session)


async def on_events_button(query: CallbackQuery, app, session, event_ctx: EventContext) -> None:
    await show_event_picker(query, app, event_ctx, session)


async def on_pick_event(query: CallbackQuery, app, session, event_ctx: EventContext, state: FSMContext) -> None:
    await _enter_event(query, app, session, event_ctx, query.data.removeprefix("core:ev:"), state)
