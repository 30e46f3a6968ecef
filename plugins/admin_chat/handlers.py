"""Helpdesk in Telegram: participants ask (menu, free text, FAQ miss); organizers answer by replying
to what the bot showed them — in the bound group (a topic per ticket in a forum), or in private.

Thin: who may do what is decided by the service (roles read from the database on every action),
and anything from someone who is not an organizer of the group's event is ignored, never relayed.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, ForceReply, Message

from core import people
from core.context import EventContext
from core.filters import Magic
from core.handlers.common import reply
from core.keyboards import button, rows
from core.models import Event, User
from plugins.admin_chat import organizers, posts, service
from plugins.admin_chat.models import AdminChatTicket

P = "admin_chat:"
GROUPS = ("group", "supergroup")


class AdminChatAsk(StatesGroup):
    question = State()
    follow_up = State()


def router() -> Router:
    r = Router(name="admin_chat")
    # Groups: binding, and organizers' answers (everything else there is left alone).
    r.message.register(on_bind, Command("bind"), Magic(F.chat.type.in_(GROUPS)))
    r.message.register(on_unbind, Command("unbind"), Magic(F.chat.type.in_(GROUPS)))
    r.message.register(on_group_message, Magic(F.chat.type.in_(GROUPS)))
    # Organizers in private: a reply to a relayed question answers it.
    r.message.register(on_private_answer, Magic(F.chat.type == "private"), Magic(F.reply_to_message),
                       answer_target)
    r.callback_query.register(on_reply_button, Magic(F.data.startswith(P + "r:")))
    r.callback_query.register(on_close_button, Magic(F.data.startswith(P + "x:")))
    r.callback_query.register(on_reopen_button, Magic(F.data.startswith(P + "o:")))
    # Participants.
    r.callback_query.register(on_ask, Magic(F.data == P + "ask"))
    r.callback_query.register(on_cancel, Magic(F.data == P + "cancel"))
    r.callback_query.register(on_write_back, Magic(F.data.startswith(P + "pr:")))
    r.callback_query.register(on_solved, Magic(F.data.startswith(P + "pc:")))
    r.callback_query.register(on_draft, Magic(F.data.startswith(P + "draft:")))
    r.message.register(on_question, StateFilter(AdminChatAsk.question), Magic(F.chat.type == "private"))
    r.message.register(on_follow_up, StateFilter(AdminChatAsk.follow_up), Magic(F.chat.type == "private"))
    # Free text with no dialog open: with the FAQ on, the FAQ searches first (it offers us as a way out).
    r.message.register(on_free_text, StateFilter(None), Magic(F.chat.type == "private"),
                       Magic(~F.text.startswith("/")), free_text_is_ours)
    return r


def content_of(message: Message) -> tuple[str | None, str | None, str | None] | None:
    """(text as HTML, media kind, file_id); None for what the helpdesk does not carry."""
    if message.photo:
        return (message.html_text if message.caption else None), "photo", message.photo[-1].file_id
    if message.document:
        return (message.html_text if message.caption else None), "document", message.document.file_id
    if message.text:
        return message.html_text, None, None
    return None


MAX_ROW_ID = 2**31 - 1  # as core.callback_types.RowId: a forged id never reaches a query


def row_id_of(data: str) -> int | None:
    """The row id a button carries at its end; None for anything forged or out of range."""
    tail = data.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() and len(tail) <= 10 and int(tail) <= MAX_ROW_ID else None


async def free_text_is_ours(message: Message, event_ctx: EventContext = None, **_) -> bool:
    return event_ctx is not None and event_ctx.member is not None and "faq" not in event_ctx.active


async def answer_target(message: Message, session=None, **_) -> bool | dict:
    ticket_id = await posts.ticket_for_post(session, message.chat.id, message.reply_to_message.message_id)
    return {"ticket_id": ticket_id} if ticket_id is not None else False


# --- participants ------------------------------------------------------------------------------------


async def on_ask(query: CallbackQuery, event_ctx: EventContext, state: FSMContext) -> None:
    await state.set_state(AdminChatAsk.question)
    await query.message.answer(event_ctx.tr("admin_chat-ask-prompt"),
                               reply_markup=rows([button(event_ctx.tr("admin_chat-btn-cancel"), P + "cancel")]))


async def on_cancel(query: CallbackQuery, event_ctx: EventContext, state: FSMContext) -> None:
    await state.clear()
    await reply(query, event_ctx.tr("admin_chat-cancelled"),
                rows([button(event_ctx.tr("btn-menu"), "core:menu")]))


async def _store_question(message: Message, app, session, ctx: EventContext, **kwargs) -> AdminChatTicket | None:
    content = content_of(message)
    if content is None:
        await message.answer(ctx.tr("admin_chat-error-kind"))
        return None
    text, kind, file_id = content
    try:
        ticket, created = await service.ask(app, session, ctx.event, ctx.member, ctx.user, text=text,
                                            media_kind=kind, file_id=file_id, **kwargs)
    except service.HelpdeskError as exc:
        await message.answer(ctx.tr(exc.key, **exc.args_))
        return None
    key = "admin_chat-accepted" if created else "admin_chat-added"
    await message.answer(ctx.tr(key, ticket=ticket.id),
                         reply_markup=rows([button(ctx.tr("btn-menu"), "core:menu")]))
    return ticket


async def on_question(message: Message, app, session, event_ctx: EventContext, state: FSMContext) -> None:
    if await _store_question(message, app, session, event_ctx, new=True) is not None:
        await state.clear()


async def on_follow_up(message: Message, app, session, event_ctx: EventContext, state: FSMContext) -> None:
    ticket_id = (await state.get_data()).get("ticket")
    if await _store_question(message, app, session, event_ctx, ticket_id=ticket_id) is not None:
        await state.clear()


async def on_free_text(message: Message, app, session, event_ctx: EventContext) -> None:
    await _store_question(message, app, session, event_ctx)


async def on_write_back(query: CallbackQuery, event_ctx: EventContext, state: FSMContext) -> None:
    ticket_id = row_id_of(query.data)
    await state.set_state(AdminChatAsk.follow_up)
    await state.set_data({"ticket": ticket_id})
    await query.message.answer(event_ctx.tr("admin_chat-write-back-prompt", ticket=ticket_id),
                               reply_markup=rows([button(event_ctx.tr("admin_chat-btn-cancel"), P + "cancel")]))


async def on_solved(query: CallbackQuery, app, session, event_ctx: EventContext, callback_answer=None) -> None:
    ctx = event_ctx
    try:
        ticket = await service.close(app, session, ctx.event, ctx.member, row_id_of(query.data) or 0,
                                     by_participant=ctx.user.id)
    except service.HelpdeskError as exc:
        if callback_answer is not None:
            callback_answer.text = ctx.tr(exc.key, **exc.args_)
        return
    await query.message.answer(ctx.tr("admin_chat-solved", ticket=ticket.id))


async def on_draft(query: CallbackQuery, app, session, event_ctx: EventContext, callback_answer=None) -> None:
    ctx = event_ctx
    try:
        ticket, _ = await service.ask_from_draft(app, session, ctx.event, ctx.member, ctx.user,
                                                 row_id_of(query.data) or 0)
    except service.HelpdeskError as exc:
        if callback_answer is not None:
            callback_answer.text = ctx.tr(exc.key, **exc.args_)
        return
    await query.message.answer(ctx.tr("admin_chat-accepted", ticket=ticket.id),
                               reply_markup=rows([button(ctx.tr("btn-menu"), "core:menu")]))


# --- binding a group ---------------------------------------------------------------------------------


async def _event_for_command(app, session, ctx: EventContext, command: CommandObject) -> Event | None:
    slug = (command.args or "").strip()
    if slug:
        return await people.event_by_slug(session, slug) if slug in app.settings.events else None
    return ctx.event


async def on_bind(message: Message, app, session, event_ctx: EventContext, command: CommandObject) -> None:
    tr = event_ctx.tr
    event = await _event_for_command(app, session, event_ctx, command)
    if event is None:
        await message.reply(tr("admin_chat-bind-which"))
        return
    actor = await organizers.organizer(app, session, event, message.from_user.id)
    if actor is None:
        return  # not an organizer of that event: say nothing in someone's group
    try:
        group = await service.bind_group(app, session, event, actor, chat_id=message.chat.id,
                                         title=message.chat.title or "", is_forum=bool(message.chat.is_forum))
    except service.HelpdeskError as exc:
        await message.reply(tr(exc.key, **exc.args_))
        return
    key = "admin_chat-bound-forum" if group.is_forum else "admin_chat-bound"
    await message.reply(tr(key, event=event.title))


async def on_unbind(message: Message, app, session, event_ctx: EventContext) -> None:
    group = await service.group_by_chat(session, message.chat.id)
    if group is None:
        return
    event = await session.get(Event, group.event_id)
    actor = await organizers.organizer(app, session, event, message.from_user.id)
    if actor is None:
        return
    await service.unbind_group(app, session, event, actor, message.chat.id)
    await message.reply(event_ctx.tr("admin_chat-unbound", event=event.title))


# --- organizers' answers ----------------------------------------------------------------------------


async def _answer(message: Message, app, session, event: Event, actor, ticket_id: int, tr) -> None:
    content = content_of(message)
    if content is None:
        await message.reply(tr("admin_chat-error-kind"))
        return
    text, kind, file_id = content
    author = await session.get(User, message.from_user.id)
    try:
        ticket, _ = await service.answer(app, session, event, actor, ticket_id, author=author, text=text,
                                         media_kind=kind, file_id=file_id)
    except service.HelpdeskError as exc:
        await message.reply(tr(exc.key, **exc.args_))
        return
    except service.NotAllowed:
        return
    await message.reply(tr("admin_chat-answer-sent", ticket=ticket.id, name=ticket.author_name or "—"))


async def on_group_message(message: Message, app, session, event_ctx: EventContext) -> None:
    """In the organizers' group only an organizer's answer to a ticket does anything."""
    if message.from_user is None or message.from_user.is_bot:
        return
    group = await service.group_by_chat(session, message.chat.id)
    if group is None:
        return
    event = await session.get(Event, group.event_id)
    if event is None or service.PLUGIN not in app.active_plugins(event.slug):
        return
    actor = await organizers.organizer(app, session, event, message.from_user.id)
    if actor is None:
        return  # a non-organizer in the group: ignored, nothing of theirs goes anywhere
    ticket_id = None
    if message.is_topic_message and message.message_thread_id:
        ticket_id = await posts.ticket_for_topic(session, event.id, message.message_thread_id)
    reply_to = message.reply_to_message
    if reply_to is not None and not (reply_to.forum_topic_created and ticket_id):
        ticket_id = await posts.ticket_for_post(session, message.chat.id, reply_to.message_id) or ticket_id
    if ticket_id is None:
        return  # organizers talking among themselves
    await _answer(message, app, session, event, actor, ticket_id, event_ctx.tr)


async def on_private_answer(message: Message, app, session, event_ctx: EventContext, ticket_id: int) -> None:
    ticket = await session.get(AdminChatTicket, ticket_id)
    event = await session.get(Event, ticket.event_id) if ticket else None
    actor = await organizers.organizer(app, session, event, message.from_user.id) if event else None
    if actor is None:
        await message.answer(event_ctx.tr("admin-only"))
        return
    await _answer(message, app, session, event, actor, ticket_id, event_ctx.tr)


async def _ticket_and_organizer(query: CallbackQuery, app, session):
    """The ticket a button names and the presser as an organizer of its event, from where they
    pressed it (its group, or their private chat); (None, None, None) if they may not."""
    ticket = await session.get(AdminChatTicket, row_id_of(query.data) or 0)
    if ticket is None:
        return None, None, None
    event = await session.get(Event, ticket.event_id)
    if query.message is not None and query.message.chat.type in GROUPS:
        group = await service.group_by_chat(session, query.message.chat.id)
        if group is None or group.event_id != event.id:
            return None, None, None
    actor = await organizers.organizer(app, session, event, query.from_user.id)
    return (ticket, event, actor) if actor is not None else (None, None, None)


async def on_reply_button(query: CallbackQuery, app, session, event_ctx: EventContext, callback_answer=None) -> None:
    ticket, event, actor = await _ticket_and_organizer(query, app, session)
    tr = event_ctx.tr
    if ticket is None:
        if callback_answer is not None:
            callback_answer.text, callback_answer.show_alert = tr("admin-only"), True
        return
    lines = [tr("admin_chat-card-head", ticket=ticket.id, name=ticket.author_name or "—",
                status=tr("admin_chat-status-" + ticket.status))]
    for m in await service.history(session, ticket.id):
        what = m.text or tr("admin_chat-media-" + (m.media_kind or "photo"))
        who = tr("admin_chat-from-participant") if m.direction == "in" else m.author_name
        lines.append(f"<b>{who}:</b> {what}")
    lines.append(tr("admin_chat-reply-prompt"))
    prompt = await query.message.answer("\n".join(lines)[:4000],
                                        reply_markup=ForceReply(selective=True,
                                                                input_field_placeholder=f"#{ticket.id}"))
    await posts.remember_post(session, prompt.chat.id, prompt.message_id, ticket.id)


async def on_close_button(query: CallbackQuery, app, session, event_ctx: EventContext, callback_answer=None) -> None:
    await _close(query, app, session, event_ctx, callback_answer, reopen=False)


async def on_reopen_button(query: CallbackQuery, app, session, event_ctx: EventContext, callback_answer=None) -> None:
    await _close(query, app, session, event_ctx, callback_answer, reopen=True)


async def _close(query, app, session, event_ctx, callback_answer, *, reopen: bool) -> None:
    ticket, event, actor = await _ticket_and_organizer(query, app, session)
    tr = event_ctx.tr
    if ticket is None:
        if callback_answer is not None:
            callback_answer.text, callback_answer.show_alert = tr("admin-only"), True
        return
    await service.close(app, session, event, actor, ticket.id, reopen=reopen)
    if callback_answer is not None:
        callback_answer.text = tr("admin_chat-reopened" if reopen else "admin_chat-closed", ticket=ticket.id)
