"""The organizers' side of the panel: tickets, the organizers' room, dashboard, plugin switches,
roles and the members export. Every handler checks the role; the services check it again."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.text_decorations import html_decoration as hd

from core.context import EventContext
from core.db import commit_now
from core.filters import Magic
from core.handlers.admin import refuse
from core.handlers.common import reply
from core.keyboards import button, rows
from core.members_export import members_csv
from core.models import User
from plugins.admin_chat import organizers, panel, service
from plugins.admin_chat.handlers import row_id_of

P = "admin_chat:"
BACK = "core:admin"


class AdminChatRoom(StatesGroup):
    talking = State()


class AdminChatRoles(StatesGroup):
    search = State()


def router() -> Router:
    r = Router(name="admin_chat:panel")
    r.callback_query.register(on_tickets, Magic(F.data == P + "tickets"))
    r.callback_query.register(on_ticket_card, Magic(F.data.startswith(P + "t:")))
    r.callback_query.register(on_room, Magic(F.data == P + "room"))
    r.callback_query.register(on_room_leave, Magic(F.data == P + "room:leave"))
    r.message.register(on_room_message, StateFilter(AdminChatRoom.talking), Magic(F.chat.type == "private"))
    r.callback_query.register(on_dashboard, Magic(F.data == P + "dash"))
    r.callback_query.register(on_plugins, Magic(F.data == P + "plugins"))
    r.callback_query.register(on_plugin_toggle, Magic(F.data.startswith(P + "pl:")))
    r.callback_query.register(on_plugins_reset, Magic(F.data == P + "plr"))
    r.callback_query.register(on_roles, Magic(F.data == P + "roles"))
    r.message.register(on_roles_search, StateFilter(AdminChatRoles.search), Magic(F.chat.type == "private"))
    r.callback_query.register(on_role_person, Magic(F.data.startswith(P + "ru:")))
    r.callback_query.register(on_role_pick, Magic(F.data.startswith(P + "rr:")))
    r.callback_query.register(on_role_confirm, Magic(F.data.startswith(P + "rc:")))
    r.callback_query.register(on_export, Magic(F.data == P + "export"))
    return r


async def _organizer(app, session, ctx: EventContext):
    """The presser as an organizer of their current event, read now (a removed role counts at once)."""
    if ctx.event is None or ctx.user is None:
        return None
    return await organizers.organizer(app, session, ctx.event, ctx.user.id)


def _back(tr) -> list:
    return [button(tr("admin_chat-btn-back"), BACK)]


# --- tickets -----------------------------------------------------------------------------------------


async def on_tickets(query: CallbackQuery, app, session, event_ctx: EventContext, callback_answer=None) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    actor = await _organizer(app, session, ctx)
    if actor is None:
        await refuse(query, ctx, callback_answer)
        return
    lines, buttons = [tr("admin_chat-tickets-title")], []
    group = await service.group_of(session, ctx.event.id)
    lines.append(tr("admin_chat-tickets-group", title=hd.quote(group.title)) if group
                 else tr("admin_chat-tickets-nogroup"))
    for status in (service.OPEN, service.ANSWERED):
        found = await service.tickets(app, session, ctx.event, actor, status)
        lines.append(tr("admin_chat-tickets-" + status, count=len(found)))
        for t in found:
            hours, minutes = service.age(t.created_at)
            lines.append(tr("admin_chat-tickets-line", ticket=t.id, name=hd.quote(t.author_name or "—"),
                            hours=hours, minutes=minutes))
            buttons.append(button(f"#{t.id}", f"{P}t:{t.id}"))
    grid = [buttons[i:i + 5] for i in range(0, len(buttons), 5)]
    await reply(query, "\n".join(lines), rows(*grid, _back(tr)))


async def on_ticket_card(query: CallbackQuery, app, session, event_ctx: EventContext, callback_answer=None) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    actor = await _organizer(app, session, ctx)
    if actor is None:
        await refuse(query, ctx, callback_answer)
        return
    try:
        ticket = await service.get_ticket(app, session, ctx.event, actor, row_id_of(query.data) or 0)
    except service.HelpdeskError:
        if callback_answer is not None:
            callback_answer.text = tr("admin_chat-no-ticket")
        return
    lines = [tr("admin_chat-card-head", ticket=ticket.id, name=hd.quote(ticket.author_name or "—"),
                status=tr("admin_chat-status-" + ticket.status))]
    for m in await service.history(session, ticket.id):
        who = tr("admin_chat-from-participant") if m.direction == "in" else hd.quote(m.author_name)
        lines.append(f"<b>{who}:</b> {m.text or tr('admin_chat-media-' + (m.media_kind or 'photo'))}")
    toggle = (button(tr("admin_chat-btn-reopen"), f"{P}o:{ticket.id}") if ticket.status == service.CLOSED
              else button(tr("admin_chat-btn-close"), f"{P}x:{ticket.id}"))
    await reply(query, "\n".join(lines)[:4000],
                rows([button(tr("admin_chat-btn-reply"), f"{P}r:{ticket.id}"), toggle],
                     [button(tr("admin_chat-btn-back"), P + "tickets")]))


# --- the organizers' room ------------------------------------------------------------------------------


async def on_room(query: CallbackQuery, app, session, event_ctx: EventContext, state: FSMContext,
                  callback_answer=None) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    actor = await _organizer(app, session, ctx)
    if actor is None:
        await state.clear()
        await refuse(query, ctx, callback_answer)
        return
    group = await service.group_of(session, ctx.event.id)
    if group is not None:
        await reply(query, tr("admin_chat-room-in-group", title=hd.quote(group.title)), rows(_back(tr)))
        return
    lines = [tr("admin_chat-room-title")]
    for m in await panel.room_history(app, session, ctx.event, actor):
        lines.append(f"<b>{hd.quote(m.author_name)}:</b> {m.text}")
    lines.append(tr("admin_chat-room-prompt"))
    await state.set_state(AdminChatRoom.talking)
    await query.message.answer("\n".join(lines)[-4000:],
                               reply_markup=rows([button(tr("admin_chat-btn-room-leave"), P + "room:leave")]))


async def on_room_leave(query: CallbackQuery, event_ctx: EventContext, state: FSMContext) -> None:
    await state.clear()
    await reply(query, event_ctx.tr("admin_chat-room-left"), rows(_back(event_ctx.tr)))


async def on_room_message(message: Message, app, session, event_ctx: EventContext, state: FSMContext) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    actor = await _organizer(app, session, ctx)
    if actor is None:
        await state.clear()  # the role was taken away: the room is closed to them from now on
        await refuse(message, ctx)
        return
    if not message.text:
        await message.answer(tr("admin_chat-room-text-only"))
        return
    author = await session.get(User, message.from_user.id)
    try:
        sent = await panel.room_post(app, session, ctx.event, actor, author, message.html_text)
    except panel.PanelError as exc:
        await message.answer(tr(exc.key, **exc.args_))
        return
    await message.answer(tr("admin_chat-room-sent", count=sent),
                         reply_markup=rows([button(tr("admin_chat-btn-room-leave"), P + "room:leave")]))


# --- dashboard ---------------------------------------------------------------------------------------


async def on_dashboard(query: CallbackQuery, app, session, event_ctx: EventContext, callback_answer=None) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    actor = await _organizer(app, session, ctx)
    if actor is None:
        await refuse(query, ctx, callback_answer)
        return
    d = await panel.dashboard(app, session, ctx.event, actor)
    lines = [tr("admin_chat-dash-title", event=hd.quote(ctx.event.title)),
             tr("admin_chat-dash-people", members=d.members, registered=d.registered, today=d.joined_today,
                organizers=d.organizers),
             tr("admin_chat-dash-tickets", open=d.tickets.get(service.OPEN, 0),
                answered=d.tickets.get(service.ANSWERED, 0), closed=d.tickets.get(service.CLOSED, 0))]
    lines += [str(line) for line in await app.registry.call("admin_chat_dashboard", active=set(ctx.active),
                                                              app=app, session=session, event=ctx.event, tr=tr)]
    if d.broadcasts:
        lines.append(tr("admin_chat-dash-news"))
        for b in d.broadcasts:
            c = b.counts
            lines.append(tr("admin_chat-dash-news-line", title=hd.quote(b.title), sent=c.sent, total=c.total,
                            failed=c.failed, blocked=c.blocked))
    await reply(query, "\n".join(lines), rows([button(tr("admin_chat-btn-refresh"), P + "dash")], _back(tr)))


# --- plugin switches ------------------------------------------------------------------------------------


async def _show_plugins(query, app, ctx: EventContext, actor) -> None:
    tr = ctx.tr
    lines, buttons = [tr("admin_chat-plugins-title")], []
    for s in panel.plugin_states(app, ctx.event, actor):
        mark = "🟢" if s.active else ("🟡" if s.on else "⚪️")
        lines.append(tr("admin_chat-plugins-line", mark=mark, name=s.name,
                        source=tr("admin_chat-plugins-override" if s.overridden else "admin_chat-plugins-config")))
        if s.name != panel.PLUGIN:
            buttons.append(button(f"{mark} {s.name}", f"{P}pl:{s.name}"))
    grid = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    await reply(query, "\n".join(lines), rows(*grid, [button(tr("admin_chat-btn-plugins-reset"), P + "plr")],
                                              _back(tr)))


async def on_plugins(query: CallbackQuery, app, session, event_ctx: EventContext, callback_answer=None) -> None:
    actor = await _organizer(app, session, event_ctx)
    if actor is None:
        await refuse(query, event_ctx, callback_answer)
        return
    await _show_plugins(query, app, event_ctx, actor)


async def on_plugin_toggle(query: CallbackQuery, app, session, event_ctx: EventContext, callback_answer=None) -> None:
    ctx = event_ctx
    actor = await _organizer(app, session, ctx)
    if actor is None:
        await refuse(query, ctx, callback_answer)
        return
    name = query.data.removeprefix(P + "pl:")
    try:
        await panel.switch_plugin(app, session, ctx.event, actor, name,
                                  not app.plugin_switched_on(ctx.event.slug, name))
    except panel.PanelError as exc:
        if callback_answer is not None:
            callback_answer.text = ctx.tr(exc.key, **exc.args_)
        return
    await commit_now(session)  # the switch is stored before the screen shows it
    await _show_plugins(query, app, ctx, actor)


async def on_plugins_reset(query: CallbackQuery, app, session, event_ctx: EventContext, callback_answer=None) -> None:
    actor = await _organizer(app, session, event_ctx)
    if actor is None:
        await refuse(query, event_ctx, callback_answer)
        return
    await panel.reset_switches(app, session, event_ctx.event, actor)
    await commit_now(session)  # the switch is stored before the screen shows it
    await _show_plugins(query, app, event_ctx, actor)


# --- roles -------------------------------------------------------------------------------------------


async def on_roles(query: CallbackQuery, app, session, event_ctx: EventContext, state: FSMContext,
                   callback_answer=None) -> None:
    if await _organizer(app, session, event_ctx) is None:
        await refuse(query, event_ctx, callback_answer)
        return
    await state.set_state(AdminChatRoles.search)
    await query.message.answer(event_ctx.tr("admin_chat-roles-ask"), reply_markup=rows(_back(event_ctx.tr)))


async def on_roles_search(message: Message, app, session, event_ctx: EventContext, state: FSMContext) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    actor = await _organizer(app, session, ctx)
    if actor is None:
        await state.clear()
        await refuse(message, ctx)
        return
    try:
        found = await panel.search_members(app, session, ctx.event, actor, message.text or "")
    except panel.PanelError as exc:
        await message.answer(tr(exc.key, **exc.args_))
        return
    if not found:
        await message.answer(tr("admin_chat-roles-none"), reply_markup=rows(_back(tr)))
        return
    await state.clear()
    buttons = [[button(f"{service.display_name(u)} · {tr('role-' + m.role) if m.role else ''}", f"{P}ru:{u.id}")]
               for m, u in found]
    await message.answer(tr("admin_chat-roles-found"), reply_markup=rows(*buttons, _back(tr)))


async def on_role_person(query: CallbackQuery, app, session, event_ctx: EventContext, callback_answer=None) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    if await _organizer(app, session, ctx) is None:
        await refuse(query, ctx, callback_answer)
        return
    user_id = query.data.removeprefix(P + "ru:")
    user = await session.get(User, int(user_id)) if _user_id(user_id) else None
    if user is None:
        return
    choices = [button(tr("role-" + r.value), f"{P}rr:{user.id}:{r.value}") for r in panel.GRANTABLE]
    await reply(query, tr("admin_chat-roles-pick", name=hd.quote(service.display_name(user))),
                rows(choices[:2], choices[2:], _back(tr)))


def _user_id(text: str) -> bool:
    """A Telegram user id that fits the BIGINT column (a forged button never reaches a query)."""
    return text.isdigit() and len(text) <= 19 and int(text) < 2**63


def _role_args(data: str, prefix: str) -> tuple[int, str] | None:
    parts = data.removeprefix(prefix).split(":")
    return (int(parts[0]), parts[1]) if len(parts) == 2 and _user_id(parts[0]) else None


async def on_role_pick(query: CallbackQuery, app, session, event_ctx: EventContext, callback_answer=None) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    if await _organizer(app, session, ctx) is None:
        await refuse(query, ctx, callback_answer)
        return
    args = _role_args(query.data, P + "rr:")
    user = await session.get(User, args[0]) if args else None
    if user is None:
        return
    await reply(query, tr("admin_chat-roles-confirm", name=hd.quote(service.display_name(user)),
                          role=tr("role-" + args[1])),
                rows([button(tr("admin_chat-btn-confirm"), f"{P}rc:{args[0]}:{args[1]}")], _back(tr)))


async def on_role_confirm(query: CallbackQuery, app, session, event_ctx: EventContext, callback_answer=None) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    actor = await _organizer(app, session, ctx)
    if actor is None:
        await refuse(query, ctx, callback_answer)
        return
    args = _role_args(query.data, P + "rc:")
    if args is None:
        return
    try:
        member = await panel.set_role(app, session, ctx.event, actor, args[0], args[1])
    except panel.PanelError as exc:
        await reply(query, tr(exc.key, **exc.args_), rows(_back(tr)))
        return
    user = await session.get(User, member.user_id)
    name, role = service.display_name(user), member.role
    await reply(query, tr("admin_chat-roles-done", name=hd.quote(name), role=tr("role-" + role)), rows(_back(tr)))


# --- export ------------------------------------------------------------------------------------------


async def on_export(query: CallbackQuery, app, session, event_ctx: EventContext, callback_answer=None) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    if await _organizer(app, session, ctx) is None:
        await refuse(query, ctx, callback_answer)
        return
    text, count = await members_csv(session, app.settings, ctx.event)
    data = ("\ufeff" + text).encode("utf-8")  # a BOM: spreadsheet apps then read UTF-8
    await query.message.answer_document(BufferedInputFile(data, f"{ctx.event.slug}-members.csv"),
                                        caption=tr("admin_chat-export-caption", count=count))
