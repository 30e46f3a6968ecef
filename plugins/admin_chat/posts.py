"""Messages in the organizers' chats: which one carries which ticket (an answer is a reply to it),
and the short excerpt of a question a digest line shows."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from plugins.admin_chat.models import AdminChatPost, AdminChatTicket


async def ticket_for_post(session, chat_id: int, message_id: int) -> int | None:
    return await session.scalar(select(AdminChatPost.ticket_id).where(AdminChatPost.chat_id == chat_id,
                                                                      AdminChatPost.message_id == message_id))


async def ticket_for_topic(session, event_id: int, topic_id: int) -> int | None:
    return await session.scalar(select(AdminChatTicket.id).where(AdminChatTicket.event_id == event_id,
                                                                 AdminChatTicket.topic_id == topic_id))


async def remember_post(session, chat_id: int, message_id: int, ticket_id: int | None) -> None:
    from core.delivery.dialect import upsert_insert

    await session.execute(upsert_insert(session)(AdminChatPost).values(
        chat_id=chat_id, message_id=message_id, ticket_id=ticket_id).on_conflict_do_nothing())


def excerpt(text_html: str | None, limit: int = 80) -> str:
    """The text of an HTML message, plain and cut to ``limit`` characters, escaped again."""
    plain = html.unescape(_strip_tags(text_html or "")).replace("\n", " ").strip()
    return html.escape(plain if len(plain) <= limit else plain[:limit - 1] + "…")


def _strip_tags(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text)
