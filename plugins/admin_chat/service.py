"""Helpdesk: tickets, answers, the bound organizers' group. No aiogram here.

A participant's message is stored with its ticket and, in the same transaction, queued for every
organizers' chat (the bound group, else each organizer's private chat); ``relay.pump`` turns the
queue into messages. An organizer's answer is stored and reaches the participant through the
outbox. Every organizer path checks the role here, whatever the handler did.
"""

from __future__ import annotations

import datetime as dt
import html

from sqlalchemy import delete, func, select

from core import people
from core.db import utcnow
from core.delivery import Priority, enqueue
from core.delivery.content import MAX_CAPTION, visible_length
from core.i18n import pick_language
from core.models import Event, Member, User
from core.people import SYSTEM, NotAllowed, SystemActor  # noqa: F401  (part of this service's API)
from plugins.admin_chat import relay
from plugins.admin_chat.models import (
    AdminChatDraft,
    AdminChatGroup,
    AdminChatMessage,
    AdminChatPending,
    AdminChatTicket,
)
from plugins.admin_chat.organizers import organizer_ids
from plugins.admin_chat.posts import excerpt

PLUGIN = "admin_chat"
OPEN, ANSWERED, CLOSED = "open", "answered", "closed"
ANSWER_KIND = "admin_chat:answer"
NOTE_KIND = "admin_chat:note"
MAX_QUESTION = 3500  # leaves room for the header within Telegram's 4096


class HelpdeskError(Exception):
    """Something the user can fix: ``key`` is a locale key, ``args_`` its variables."""

    def __init__(self, key: str, **args):
        super().__init__(key)
        self.key, self.args_ = key, args


def display_name(user: User | None) -> str:
    if user is None:
        return "?"
    name = " ".join(p for p in (user.first_name, user.last_name) if p).strip()
    return name or (f"@{user.username}" if user.username else str(user.id))


def translator_for(app, user: User | None, event: Event):
    return app.translator(pick_language(user.language if user else None,
                                        user.telegram_language if user else None, event.language))


# --- the organizers' group ---------------------------------------------------------------------------


async def group_of(session, event_id: int) -> AdminChatGroup | None:
    return await session.scalar(select(AdminChatGroup).where(AdminChatGroup.event_id == event_id))


async def group_by_chat(session, chat_id: int) -> AdminChatGroup | None:
    return await session.scalar(select(AdminChatGroup).where(AdminChatGroup.chat_id == chat_id))


async def bind_group(app, session, event: Event, actor, *, chat_id: int, title: str, is_forum: bool) -> AdminChatGroup:
    """Make ``chat_id`` the organizers' group of ``event`` (replacing an earlier one)."""
    people.require_organizer(app.settings, event, actor)
    taken = await group_by_chat(session, chat_id)
    if taken is not None and taken.event_id != event.id:
        other = await session.get(Event, taken.event_id)
        raise HelpdeskError("admin_chat-bind-taken", event=html.escape(other.title if other else "?"))
    group = taken or await group_of(session, event.id)
    if group is None:
        group = AdminChatGroup(event_id=event.id, chat_id=chat_id)
        session.add(group)
    group.chat_id, group.title, group.is_forum = chat_id, title[:255], bool(is_forum)
    group.bound_by = getattr(actor, "user_id", None)
    group.bound_at = utcnow()
    await session.flush()
    return group


async def unbind_group(app, session, event: Event, actor, chat_id: int) -> bool:
    people.require_organizer(app.settings, event, actor)
    result = await session.execute(delete(AdminChatGroup).where(AdminChatGroup.event_id == event.id,
                                                                AdminChatGroup.chat_id == chat_id))
    return bool(result.rowcount)


# --- participants ------------------------------------------------------------------------------------


def check_content(text: str | None, media_kind: str | None) -> None:
    if media_kind is None and not (text and text.strip()):
        raise HelpdeskError("admin_chat-error-empty")
    limit = MAX_CAPTION - 200 if media_kind else MAX_QUESTION
    if text and visible_length(text, "HTML") > limit:
        raise HelpdeskError("admin_chat-error-too-long", length=visible_length(text, "HTML"), limit=limit)


async def current_ticket(session, event_id: int, user_id: int) -> AdminChatTicket | None:
    """The participant's latest ticket that is not closed: what they write next goes there."""
    return await session.scalar(select(AdminChatTicket).where(
        AdminChatTicket.event_id == event_id, AdminChatTicket.user_id == user_id,
        AdminChatTicket.status != CLOSED).order_by(AdminChatTicket.id.desc()).limit(1))


async def ask(app, session, event: Event, member: Member | None, user: User, *, text: str | None,
              media_kind: str | None = None, file_id: str | None = None,
              ticket_id: int | None = None, new: bool = False) -> tuple[AdminChatTicket, bool]:
    """Store a participant's message: into ``ticket_id`` (theirs), else into their open ticket
    (unless ``new``), else a new ticket. Returns (ticket, created)."""
    if member is None or member.event_id != event.id or member.user_id != user.id:
        raise HelpdeskError("admin_chat-error-not-member")
    check_content(text, media_kind)
    ticket = None
    if ticket_id is not None:
        ticket = await session.get(AdminChatTicket, ticket_id)
        if ticket is None or ticket.event_id != event.id or ticket.user_id != user.id:
            # Someone else's ticket (or a forged button): never a way to reach another participant.
            raise HelpdeskError("admin_chat-no-ticket")
    elif not new:
        ticket = await current_ticket(session, event.id, user.id)
    now = utcnow()
    created = ticket is None
    if created:
        ticket = AdminChatTicket(event_id=event.id, user_id=user.id, author_name=display_name(user)[:200],
                                 status=OPEN, created_at=now, updated_at=now)
        session.add(ticket)
        await session.flush()
    else:
        ticket.status, ticket.updated_at, ticket.closed_at = OPEN, now, None
    message = AdminChatMessage(ticket_id=ticket.id, direction="in", author_id=user.id,
                               author_name=ticket.author_name, text=text, media_kind=media_kind,
                               file_id=file_id, created_at=now)
    session.add(message)
    await session.flush()
    await _queue_for_organizers(app, session, event, message)
    await relay.pump(app, session, event)
    return ticket, created


async def _queue_for_organizers(app, session, event: Event, message: AdminChatMessage) -> None:
    group = await group_of(session, event.id)
    chats = [group.chat_id] if group is not None else await organizer_ids(app, session, event)
    for chat_id in chats:
        session.add(AdminChatPending(event_id=event.id, chat_id=chat_id, message_id=message.id))
    await session.flush()


async def ask_from_draft(app, session, event: Event, member: Member | None, user: User, draft_id: int):
    draft = await session.get(AdminChatDraft, draft_id)
    if draft is None or draft.event_id != event.id or draft.user_id != user.id:
        raise HelpdeskError("admin_chat-draft-gone")
    text = draft.text
    await session.delete(draft)
    return await ask(app, session, event, member, user, text=html.escape(text), new=True)


async def save_draft(session, event: Event, user_id: int, question: str) -> AdminChatDraft:
    """One draft per participant and event: the latest question typed into the FAQ."""
    await session.execute(delete(AdminChatDraft).where(AdminChatDraft.event_id == event.id,
                                                       AdminChatDraft.user_id == user_id))
    draft = AdminChatDraft(event_id=event.id, user_id=user_id, text=question[:MAX_QUESTION])
    session.add(draft)
    await session.flush()
    return draft


async def close(app, session, event: Event, actor, ticket_id: int, *, by_participant: int | None = None,
                reopen: bool = False) -> AdminChatTicket:
    """Close (or reopen) a ticket: its author may, and so may the event's organizers."""
    ticket = await session.get(AdminChatTicket, ticket_id)
    if ticket is None or ticket.event_id != event.id:
        raise HelpdeskError("admin_chat-no-ticket")
    if by_participant is not None:
        if ticket.user_id != by_participant:
            raise HelpdeskError("admin_chat-no-ticket")
    else:
        people.require_organizer(app.settings, event, actor)
    now = utcnow()
    if reopen:
        ticket.status, ticket.closed_at = (ANSWERED if ticket.answered_at else OPEN), None
    else:
        ticket.status, ticket.closed_at = CLOSED, now
    ticket.updated_at = now
    await session.flush()
    return ticket


# --- organizers ---------------------------------------------------------------------------------------


async def get_ticket(app, session, event: Event, actor, ticket_id: int) -> AdminChatTicket:
    people.require_organizer(app.settings, event, actor)
    ticket = await session.get(AdminChatTicket, ticket_id)
    if ticket is None or ticket.event_id != event.id:
        raise HelpdeskError("admin_chat-no-ticket")
    return ticket


async def history(session, ticket_id: int) -> list[AdminChatMessage]:
    return list((await session.scalars(select(AdminChatMessage).where(AdminChatMessage.ticket_id == ticket_id)
                                       .order_by(AdminChatMessage.id))).all())


async def answer(app, session, event: Event, actor: Member, ticket_id: int, *, author: User, text: str | None,
                 media_kind: str | None = None, file_id: str | None = None) -> tuple[AdminChatTicket, AdminChatMessage]:
    """An organizer's answer: recorded (who, when) and sent to the participant through the outbox.
    The participant sees the organizers' name for it, never the organizer's account."""
    ticket = await get_ticket(app, session, event, actor, ticket_id)
    if ticket.user_id is None:
        raise HelpdeskError("admin_chat-ticket-forgotten")
    check_content(text, media_kind)
    now = utcnow()
    message = AdminChatMessage(ticket_id=ticket.id, direction="out", author_id=author.id,
                               author_name=display_name(author)[:200], text=text, media_kind=media_kind,
                               file_id=file_id, created_at=now)
    session.add(message)
    ticket.status, ticket.updated_at, ticket.closed_at = ANSWERED, now, None
    if ticket.answered_at is None:
        ticket.answered_at, ticket.answered_by = now, author.id
    await session.flush()
    participant = await session.get(User, ticket.user_id)
    tr = translator_for(app, participant, event)
    head = tr("admin_chat-answer-head", ticket=ticket.id)
    body = f"{head}\n\n{text}" if text else head
    markup = {"inline_keyboard": [[
        {"text": tr("admin_chat-btn-write-back"), "callback_data": f"admin_chat:pr:{ticket.id}"},
        {"text": tr("admin_chat-btn-solved"), "callback_data": f"admin_chat:pc:{ticket.id}"}]]}
    media = {media_kind: file_id} if media_kind else {}
    await enqueue(session, chat_id=ticket.user_id, text=body, reply_markup=markup, parse_mode="HTML",
                  priority=Priority.INTERACTIVE, dedupe_key=f"admin_chat:answer:{message.id}", kind=ANSWER_KIND,
                  event_id=event.id, payload={"ticket": ticket.id, "message": message.id}, **media)
    if await group_of(session, event.id) is None:
        # No shared group: the other organizers hear that the ticket was taken, and what was said.
        for chat_id in await organizer_ids(app, session, event):
            if chat_id == author.id:
                continue
            other = await session.get(User, chat_id)
            otr = translator_for(app, other, event)
            await enqueue(session, chat_id=chat_id, parse_mode="HTML", priority=Priority.NORMAL, kind=NOTE_KIND,
                          text=otr("admin_chat-taken-note", ticket=ticket.id, name=html.escape(display_name(author)),
                                   text=excerpt(text, 300) or otr("admin_chat-media-" + (media_kind or "photo"))),
                          dedupe_key=f"admin_chat:taken:{message.id}:{chat_id}", event_id=event.id)
    return ticket, message


async def tickets(app, session, event: Event, actor, status: str, limit: int = 20) -> list[AdminChatTicket]:
    people.require_organizer(app.settings, event, actor)
    return list((await session.scalars(select(AdminChatTicket).where(
        AdminChatTicket.event_id == event.id, AdminChatTicket.status == status)
        .order_by(AdminChatTicket.updated_at).limit(limit))).all())


async def count_by_status(session, event_id: int) -> dict[str, int]:
    rows = (await session.execute(select(AdminChatTicket.status, func.count()).where(
        AdminChatTicket.event_id == event_id).group_by(AdminChatTicket.status))).all()
    return {status: n for status, n in rows}


def age(since: dt.datetime, now: dt.datetime | None = None) -> tuple[int, int]:
    """(hours, minutes) since ``since``: what the lists show."""
    minutes = max(0, int(((now or utcnow()) - since).total_seconds() // 60))
    return minutes // 60, minutes % 60


# --- forgetting a member ------------------------------------------------------------------------------


async def forget(session, event: Event, user_id: int) -> int:
    """Anonymise the member's tickets: no author, their own messages' text and files dropped;
    organizers' answers stay (they are the organizers' words). Returns the tickets touched."""
    ids = list((await session.scalars(select(AdminChatTicket.id).where(
        AdminChatTicket.event_id == event.id, AdminChatTicket.user_id == user_id))).all())
    if not ids:
        await session.execute(delete(AdminChatDraft).where(AdminChatDraft.event_id == event.id,
                                                           AdminChatDraft.user_id == user_id))
        return 0
    from sqlalchemy import update

    await session.execute(update(AdminChatTicket).where(AdminChatTicket.id.in_(ids))
                          .values(user_id=None, author_name="", status=CLOSED, closed_at=utcnow()))
    await session.execute(update(AdminChatMessage).where(AdminChatMessage.ticket_id.in_(ids),
                                                         AdminChatMessage.direction == "in")
                          .values(author_id=None, author_name="", text=None, media_kind=None, file_id=None))
    # Not yet shown to organizers: nothing left to show.
    msg_ids = select(AdminChatMessage.id).where(AdminChatMessage.ticket_id.in_(ids))
    await session.execute(delete(AdminChatPending).where(AdminChatPending.message_id.in_(msg_ids),
                                                         AdminChatPending.relay_id.is_(None)))
    await session.execute(delete(AdminChatDraft).where(AdminChatDraft.event_id == event.id,
                                                       AdminChatDraft.user_id == user_id))
    return len(ids)
