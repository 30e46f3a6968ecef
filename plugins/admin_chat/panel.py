"""The control panel's domain: run-time plugin switches, roles, the dashboard's figures, the
organizers' room. No aiogram here; every function checks the actor is an organizer."""

from __future__ import annotations

import datetime as dt
import html
import logging
from dataclasses import dataclass

from sqlalchemy import delete, func, select

from core import people
from core.db import utcnow
from core.delivery import Priority, enqueue
from core.delivery.broadcast import broadcast_status
from core.delivery.models import Broadcast, OutboxMessage, OutboxState
from core.models import Event, Member, Role, User
from plugins.admin_chat import service
from plugins.admin_chat.models import AdminChatRoomMessage, AdminChatSwitch
from plugins.admin_chat.organizers import organizer_ids

log = logging.getLogger(__name__)

PLUGIN = "admin_chat"
# Roles the panel grants; "participant" takes a role away.
GRANTABLE = (Role.ADMIN, Role.CHECKER, Role.SPEAKER, Role.PARTICIPANT)
ROOM_KIND = "admin_chat:room"


class PanelError(Exception):
    def __init__(self, key: str, **args):
        super().__init__(key)
        self.key, self.args_ = key, args


# --- plugin switches ----------------------------------------------------------------------------------


async def load_switches(app, session) -> int:
    """At start-up: the switches organizers set win over the config file until reset."""
    rows = (await session.execute(select(AdminChatSwitch, Event.slug)
                                  .join(Event, Event.id == AdminChatSwitch.event_id))).all()
    count = 0
    for switch, slug in rows:
        if switch.plugin in app.registry.plugins and slug in app.settings.events:
            app.set_plugin_override(slug, switch.plugin, switch.enabled)
            count += 1
    return count


@dataclass(frozen=True)
class PluginState:
    name: str
    on: bool  # its own switch (override, else config)
    active: bool  # on and every dependency active
    overridden: bool


def plugin_states(app, event: Event, actor) -> list[PluginState]:
    people.require_organizer(app.settings, event, actor)
    active = app.active_plugins(event.slug)
    return [PluginState(name, app.plugin_switched_on(event.slug, name), name in active,
                        app.plugin_override(event.slug, name) is not None)
            for name in app.registry.order]


async def switch_plugin(app, session, event: Event, actor, name: str, enabled: bool | None) -> None:
    """Switch ``name`` on/off for the event (None: back to the config file), persisted and logged.
    The panel itself cannot be switched off from the panel (there would be no way back)."""
    people.require_organizer(app.settings, event, actor)
    if name not in app.registry.plugins:
        raise PanelError("admin_chat-plugins-unknown", name=name)
    if name == PLUGIN and enabled is False:
        raise PanelError("admin_chat-plugins-self")
    await session.execute(delete(AdminChatSwitch).where(AdminChatSwitch.event_id == event.id,
                                                        AdminChatSwitch.plugin == name))
    if enabled is not None:
        session.add(AdminChatSwitch(event_id=event.id, plugin=name, enabled=enabled,
                                    changed_by=getattr(actor, "user_id", None), changed_at=utcnow()))
    await session.flush()
    app.set_plugin_override(event.slug, name, enabled)
    log.info("plugin %s %s for event %s by %s", name,
             {True: "switched on", False: "switched off", None: "reset to the config"}[enabled],
             event.slug, getattr(actor, "user_id", "operator"))


async def reset_switches(app, session, event: Event, actor) -> None:
    people.require_organizer(app.settings, event, actor)
    names = (await session.scalars(select(AdminChatSwitch.plugin).where(AdminChatSwitch.event_id == event.id))).all()
    for name in names:
        await switch_plugin(app, session, event, actor, name, None)


# --- roles -------------------------------------------------------------------------------------------


async def search_members(app, session, event: Event, actor, query: str, limit: int = 10) -> list[tuple[Member, User]]:
    """Registered members whose name or username contains ``query`` (case-insensitive)."""
    people.require_organizer(app.settings, event, actor)
    q = (query or "").strip().lstrip("@").casefold()
    if len(q) < 2:
        raise PanelError("admin_chat-roles-short")
    # Matched in Python: SQLite's lower() folds ASCII only, and names here are mostly Cyrillic.
    rows = (await session.execute(select(Member, User).join(User, User.id == Member.user_id)
                                  .where(Member.event_id == event.id).order_by(User.first_name, User.id))).all()
    found = [(m, u) for m, u in rows
             if q in " ".join(p for p in (u.first_name, u.last_name, u.username) if p).casefold()]
    return found[:limit]


async def set_role(app, session, event: Event, actor, user_id: int, role: str) -> Member:
    """Give ``user_id`` a role in the event. Never leaves the event without an organizer: the
    organizers' rows are locked first, so two organizers removing each other cannot both win."""
    people.require_organizer(app.settings, event, actor)
    try:
        new_role = Role(role)
    except ValueError:
        raise PanelError("admin_chat-roles-unknown", role=html.escape(role)) from None
    if new_role not in GRANTABLE:
        raise PanelError("admin_chat-roles-unknown", role=new_role.value)
    conf = app.settings.events.get(event.slug)
    config_admins = set(conf.admins) if conf else set()
    # Lock every organizer row of the event (PostgreSQL; SQLite's write transaction is exclusive).
    organizers = (await session.scalars(select(Member).where(Member.event_id == event.id,
                                                             Member.role == Role.ADMIN.value)
                                        .with_for_update().execution_options(populate_existing=True))).all()
    actor_id = getattr(actor, "user_id", None)
    if actor_id is not None and actor_id not in config_admins and actor_id not in {m.user_id for m in organizers}:
        # Demoted while we waited for the lock (by the organizer they were demoting, say).
        raise people.NotAllowed()
    target = await session.scalar(select(Member).where(Member.event_id == event.id, Member.user_id == user_id)
                                  .execution_options(populate_existing=True))
    if target is None:
        raise PanelError("admin_chat-roles-no-member")
    if user_id in config_admins and new_role is not Role.ADMIN:
        raise PanelError("admin_chat-roles-config-admin")
    if target.role == Role.ADMIN.value and new_role is not Role.ADMIN:
        others = [m for m in organizers if m.user_id != user_id]
        if not others and not (config_admins - {user_id}):
            raise PanelError("admin_chat-roles-last")
    target.role = new_role.value
    await session.flush()
    if new_role is not Role.ADMIN:
        await drop_queued_for(session, event, user_id)
    log.info("role of user %s in event %s set to %s by %s", user_id, event.slug, new_role.value,
             getattr(actor, "user_id", "operator"))
    return target


async def drop_queued_for(session, event: Event, user_id: int) -> int:
    """Someone who is no longer an organizer gets none of the organizers' messages still queued."""
    result = await session.execute(delete(OutboxMessage).where(
        OutboxMessage.chat_id == user_id, OutboxMessage.state == OutboxState.QUEUED.value,
        OutboxMessage.kind.in_([ROOM_KIND, "admin_chat:relay", service.NOTE_KIND])))
    from plugins.admin_chat.models import AdminChatPending

    await session.execute(delete(AdminChatPending).where(AdminChatPending.chat_id == user_id,
                                                         AdminChatPending.relay_id.is_(None)))
    return result.rowcount or 0


# --- dashboard ---------------------------------------------------------------------------------------


@dataclass
class Dashboard:
    members: int
    registered: int
    joined_today: int
    organizers: int
    tickets: dict[str, int]
    broadcasts: list  # BroadcastStatus, newest first


async def dashboard(app, session, event: Event, actor, *, now: dt.datetime | None = None) -> Dashboard:
    people.require_organizer(app.settings, event, actor)
    now = now or utcnow()
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    base = select(func.count()).select_from(Member).where(Member.event_id == event.id)
    members = await session.scalar(base)
    registered = await session.scalar(base.where(Member.registered_at.is_not(None)))
    today = await session.scalar(base.where(Member.joined_at >= day_start))
    organizers = len(await organizer_ids(app, session, event))
    ids = (await session.scalars(select(Broadcast.id).where(Broadcast.event_id == event.id)
                                 .order_by(Broadcast.id.desc()).limit(3))).all()
    statuses = [s for bid in ids if (s := await broadcast_status(session, bid)) is not None]
    return Dashboard(members or 0, registered or 0, today or 0, organizers,
                     await service.count_by_status(session, event.id), statuses)


# --- the organizers' room ------------------------------------------------------------------------------


async def room_post(app, session, event: Event, actor: Member, author: User, text: str) -> int:
    """A message to the organizers' room: kept, and sent to every other organizer. Returns how many."""
    people.require_organizer(app.settings, event, actor)
    if not (text or "").strip():
        raise PanelError("admin_chat-error-empty")
    if len(text) > 3500:
        raise PanelError("admin_chat-error-too-long", length=len(text), limit=3500)
    name = service.display_name(author)
    post = AdminChatRoomMessage(event_id=event.id, author_id=author.id, author_name=name[:200], text=text)
    session.add(post)
    await session.flush()
    sent = 0
    for chat_id in await organizer_ids(app, session, event):
        if chat_id == author.id:
            continue
        tr = service.translator_for(app, await session.get(User, chat_id), event)
        await enqueue(session, chat_id=chat_id, parse_mode="HTML", priority=Priority.INTERACTIVE, kind=ROOM_KIND,
                      event_id=event.id, dedupe_key=f"admin_chat:room:{post.id}:{chat_id}",
                      text=tr("admin_chat-room-line", name=html.escape(name), text=text),
                      reply_markup={"inline_keyboard": [[{"text": tr("admin_chat-btn-room-answer"),
                                                          "callback_data": "admin_chat:room"}]]})
        sent += 1
    return sent


async def room_history(app, session, event: Event, actor, limit: int = 10) -> list[AdminChatRoomMessage]:
    people.require_organizer(app.settings, event, actor)
    rows = (await session.scalars(select(AdminChatRoomMessage).where(AdminChatRoomMessage.event_id == event.id)
                                  .order_by(AdminChatRoomMessage.id.desc()).limit(limit))).all()
    return list(reversed(rows))
