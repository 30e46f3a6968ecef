"""Showing participants' messages to the organizers, within a group's limit.

Each organizers' chat (the bound group, or an organizer's private chat) has a slot: at most one
relay message of ours is in the outbox for it at a time. While it waits for its turn (a group
takes about 20 messages a minute; the outbox's limiter decides when), new questions gather in
``admin_chat_pending``; when it is sent, everything that gathered goes out as the next message —
one ticket in full, or a digest of several with a button each — instead of one message per
question queued behind each other. A slot is taken with a row lock (SKIP LOCKED: a ticket never
waits for another ticket's transaction); whatever a race leaves behind, the periodic tick sends.

No aiogram here except in ``tick``, which creates forum topics (a Bot API call, not a message).
"""

from __future__ import annotations

import datetime as dt
import html
import logging

from sqlalchemy import delete, select, update

from core.db import utcnow
from core.delivery import Priority, enqueue
from core.delivery.content import MAX_CAPTION
from core.delivery.dialect import upsert_insert
from core.delivery.models import FINAL_STATES, OutboxMessage
from core.models import Event
from plugins.admin_chat.models import (
    AdminChatGroup,
    AdminChatMessage,
    AdminChatPending,
    AdminChatSlot,
    AdminChatTicket,
)
from plugins.admin_chat.organizers import organizer
from plugins.admin_chat.posts import excerpt, remember_post

log = logging.getLogger(__name__)

RELAY_KIND = "admin_chat:relay"
DIGEST_MAX = 20  # tickets in one digest: one button each, and well within 4096 characters
STALE_SLOT = dt.timedelta(minutes=10)


async def pump(app, session, event: Event, chat_id: int | None = None) -> int:
    """Send what waits for the event's organizers' chats whose slot is free. Returns messages queued."""
    chats = [chat_id] if chat_id is not None else sorted(set((await session.scalars(
        select(AdminChatPending.chat_id).where(AdminChatPending.event_id == event.id,
                                               AdminChatPending.relay_id.is_(None)))).all()))
    queued = 0
    for chat in chats:
        if await _take_slot(session, chat):
            if await _relay(app, session, event, chat):
                queued += 1
            else:
                await _free_slot(session, chat)
    return queued


async def _take_slot(session, chat_id: int) -> bool:
    await session.execute(upsert_insert(session)(AdminChatSlot).values(
        chat_id=chat_id, busy=False, updated_at=utcnow()).on_conflict_do_nothing())
    slot = await session.scalar(select(AdminChatSlot).where(AdminChatSlot.chat_id == chat_id,
                                                            AdminChatSlot.busy.is_(False))
                                .with_for_update(skip_locked=True).execution_options(populate_existing=True))
    if slot is None:
        return False
    slot.busy, slot.updated_at = True, utcnow()
    await session.flush()
    return True


async def _free_slot(session, chat_id: int, relay_id: int | None = None) -> None:
    stmt = update(AdminChatSlot).where(AdminChatSlot.chat_id == chat_id)
    if relay_id is not None:
        stmt = stmt.where(AdminChatSlot.relay_id == relay_id)
    await session.execute(stmt.values(busy=False, relay_id=None, updated_at=utcnow()))


async def _relay(app, session, event: Event, chat_id: int) -> bool:
    """Queue the next relay message for ``chat_id`` (its slot is ours). False: nothing to send now."""
    if chat_id > 0:
        if await organizer(app, session, event, chat_id) is None:
            # No longer an organizer (since the question came in): they see nothing more of it.
            await session.execute(delete(AdminChatPending).where(AdminChatPending.chat_id == chat_id,
                                                                 AdminChatPending.event_id == event.id,
                                                                 AdminChatPending.relay_id.is_(None)))
            return False
    rows = (await session.execute(
        select(AdminChatPending, AdminChatMessage, AdminChatTicket)
        .join(AdminChatMessage, AdminChatMessage.id == AdminChatPending.message_id)
        .join(AdminChatTicket, AdminChatTicket.id == AdminChatMessage.ticket_id)
        .where(AdminChatPending.chat_id == chat_id, AdminChatPending.relay_id.is_(None))
        .order_by(AdminChatPending.id).limit(500))).all()
    if not rows:
        return False
    group = await session.scalar(select(AdminChatGroup).where(AdminChatGroup.chat_id == chat_id))
    forum = group is not None and group.is_forum
    tr = app.translator(event.language)
    tickets = list(dict.fromkeys(t.id for _, _, t in rows))
    if len(tickets) == 1:
        ticket = rows[0][2]
        if forum and ticket.topic_id is None:
            return False  # the tick creates its topic first, then sends it there
        chosen = _one_ticket(rows)
        content = _single(tr, ticket, [m for _, m, _ in chosen])
        thread, post_ticket = (ticket.topic_id if forum else None), ticket.id
    else:
        chosen = [r for r in rows if r[2].id in set(tickets[:DIGEST_MAX])]
        content = _digest(tr, chosen, tickets[:DIGEST_MAX], len(tickets))
        thread, post_ticket = None, None
    pending_ids = [p.id for p, _, _ in chosen]
    row = await enqueue(session, chat_id=chat_id, parse_mode="HTML", priority=Priority.INTERACTIVE,
                        kind=RELAY_KIND, event_id=event.id, payload={"ticket": post_ticket, "event": event.id},
                        message_thread_id=thread, **content)
    await session.execute(update(AdminChatPending).where(AdminChatPending.id.in_(pending_ids))
                          .values(relay_id=row.id))
    await session.execute(update(AdminChatSlot).where(AdminChatSlot.chat_id == chat_id)
                          .values(relay_id=row.id, updated_at=utcnow()))
    return True


def _one_ticket(rows):
    """Messages of one ticket that fit one message: the text ones in a row, or one with a file."""
    first = rows[0]
    if first[1].media_kind:
        return [first]
    chosen = []
    for row in rows:
        if row[1].media_kind or sum(len(r[1].text or "") for r in chosen) + len(row[1].text or "") > 3000:
            break
        chosen.append(row)
    return chosen


def _buttons(tr, ticket_id: int) -> dict:
    return {"inline_keyboard": [[
        {"text": tr("admin_chat-btn-reply"), "callback_data": f"admin_chat:r:{ticket_id}"},
        {"text": tr("admin_chat-btn-close"), "callback_data": f"admin_chat:x:{ticket_id}"}]]}


def _single(tr, ticket: AdminChatTicket, messages: list[AdminChatMessage]) -> dict:
    head = tr("admin_chat-relay-head", ticket=ticket.id, name=html.escape(ticket.author_name or "—"))
    first = messages[0]
    if first.media_kind:
        caption = head + (f"\n\n{first.text}" if first.text else "")
        if len(caption) > MAX_CAPTION:
            caption = head
        return {"text": caption, first.media_kind: first.file_id, "reply_markup": _buttons(tr, ticket.id)}
    body = "\n\n".join(m.text or "" for m in messages)
    return {"text": f"{head}\n\n{body}", "reply_markup": _buttons(tr, ticket.id)}


def _digest(tr, rows, ticket_ids: list[int], waiting: int) -> dict:
    lines = [tr("admin_chat-digest-head", count=len(ticket_ids))]
    for _, message, ticket in rows:
        what = excerpt(message.text, 70) if message.text else ""
        if message.media_kind:
            what = (tr("admin_chat-media-" + message.media_kind) + " " + what).strip()
        lines.append(tr("admin_chat-digest-line", ticket=ticket.id, name=html.escape(ticket.author_name or "—"),
                        text=what))
    if waiting > len(ticket_ids):
        lines.append(tr("admin_chat-digest-more", count=waiting - len(ticket_ids)))
    buttons = [{"text": f"↩ #{t}", "callback_data": f"admin_chat:r:{t}"} for t in ticket_ids]
    return {"text": "\n".join(lines)[:4000],
            "reply_markup": {"inline_keyboard": [buttons[i:i + 4] for i in range(0, len(buttons), 4)]}}


async def on_relay_result(app, session, row: OutboxMessage, outcome) -> None:
    """The relay message was sent (or could not be): remember what it carried, free the slot and
    send what gathered meanwhile — the next turn."""
    payload = row.payload or {}
    if outcome.delivered and outcome.message_id:
        await remember_post(session, row.chat_id, outcome.message_id, payload.get("ticket"))
    else:
        log.warning("helpdesk relay to chat %s not delivered (%s); the tickets stay in the lists",
                    row.chat_id, outcome.error)
    await session.execute(delete(AdminChatPending).where(AdminChatPending.relay_id == row.id))
    await _free_slot(session, row.chat_id, row.id)
    event = await session.get(Event, payload.get("event") or row.event_id)
    if event is not None:
        await pump(app, session, event, row.chat_id)


async def tick(app, session, bot=None) -> int:
    """Periodic: free slots whose message is gone, create forum topics, send what waits."""
    now = utcnow()
    stale = (await session.scalars(select(AdminChatSlot).where(AdminChatSlot.busy.is_(True)))).all()
    for slot in stale:
        state = await session.scalar(select(OutboxMessage.state).where(OutboxMessage.id == slot.relay_id)) \
            if slot.relay_id is not None else None
        if (slot.relay_id is None and now - slot.updated_at > STALE_SLOT) or \
                (slot.relay_id is not None and (state is None or state in {s.value for s in FINAL_STATES})):
            # Its message is done but the slot was not freed (a handler failed): free it here.
            await session.execute(delete(AdminChatPending).where(AdminChatPending.relay_id == slot.relay_id))
            slot.busy, slot.relay_id, slot.updated_at = False, None, now
    await session.flush()
    if bot is not None:
        await _create_topics(session, bot)
    queued = 0
    event_ids = set((await session.scalars(select(AdminChatPending.event_id)
                                           .where(AdminChatPending.relay_id.is_(None)))).all())
    for event_id in sorted(event_ids):
        event = await session.get(Event, event_id)
        if event is not None and "admin_chat" in app.active_plugins(event.slug):
            queued += await pump(app, session, event)
    return queued


async def _create_topics(session, bot) -> None:
    """One topic per ticket in forum groups, for tickets waiting alone (a backlog goes as a digest)."""
    rows = (await session.execute(
        select(AdminChatGroup, AdminChatTicket)
        .join(AdminChatPending, AdminChatPending.chat_id == AdminChatGroup.chat_id)
        .join(AdminChatMessage, AdminChatMessage.id == AdminChatPending.message_id)
        .join(AdminChatTicket, AdminChatTicket.id == AdminChatMessage.ticket_id)
        .where(AdminChatGroup.is_forum.is_(True), AdminChatPending.relay_id.is_(None))
        .distinct())).all()
    by_group: dict[int, list] = {}
    for group, ticket in rows:
        by_group.setdefault(group.chat_id, []).append((group, ticket))
    for items in by_group.values():
        if len(items) != 1 or items[0][1].topic_id is not None:
            continue
        group, ticket = items[0]
        name = f"#{ticket.id} {ticket.author_name or ''}".strip()[:128]
        try:
            topic = await bot.create_forum_topic(chat_id=group.chat_id, name=name)
        except Exception as exc:  # not a forum any more, no right to manage topics: post in General
            log.warning("cannot create a topic in chat %s (%s); posting without topics", group.chat_id, exc)
            group.is_forum = False
            continue
        ticket.topic_id = topic.message_thread_id
    await session.flush()
