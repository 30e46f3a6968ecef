"""``enqueue``: the one way to send something that is not an immediate reply.

The row is written with the caller's session, so it commits (or rolls back) together with the
state change that caused it: a seat offered and its offer notice are one transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.db import utcnow
from core.delivery import wakeup
from core.delivery.content import build_content
from core.delivery.dialect import upsert_insert
from core.delivery.models import OutboxMessage, OutboxState, Priority


async def enqueue(
    session: AsyncSession,
    *,
    chat_id: int,
    text: str | None = None,
    reply_markup: Any = None,
    photo: Any = None,
    document: Any = None,
    parse_mode: str | None = None,
    dedupe_key: str | None = None,
    not_before: dt.datetime | None = None,
    priority: Priority | int = Priority.NORMAL,
    batch_id: int | None = None,
    user_id: int | None = None,
    event_id: int | None = None,
    kind: str | None = None,
    payload: dict | None = None,
    disable_notification: bool = False,
    message_thread_id: int | None = None,
) -> OutboxMessage | None:
    """Queue one message; returns the row, or None if ``dedupe_key`` was already used.

    ``photo``/``document``: a file_id or URL string, bytes (stored once for this row) or a
    ``MediaRef`` from ``store_media`` (shared by many rows, uploaded once).
    ``parse_mode`` None means the bot's default. ``user_id`` defaults to ``chat_id`` for private
    chats (positive ids), so a 403 can mark the user unreachable.
    ``message_thread_id``: the topic of a forum supergroup to post in.
    ``kind``/``payload``: who hears about the outcome (``core.delivery.outcomes.on_result``).
    Dedupe is ``INSERT ... ON CONFLICT DO NOTHING``: safe when two transactions race.
    """
    now = utcnow()
    if not_before is not None and not_before.tzinfo is None:
        raise ValueError("not_before must be timezone-aware (use core.db.utcnow() + timedelta)")
    content = await build_content(session, text=text, reply_markup=reply_markup, photo=photo, document=document,
                                  disable_notification=disable_notification, parse_mode=parse_mode,
                                  message_thread_id=message_thread_id)
    values = dict(
        chat_id=chat_id,
        user_id=user_id if user_id is not None else (chat_id if chat_id > 0 else None),
        event_id=event_id,
        batch_id=batch_id,
        kind=kind,
        payload=payload,
        content=content,
        parse_mode=parse_mode,
        dedupe_key=dedupe_key,
        priority=int(priority),
        not_before=not_before or now,
        state=OutboxState.QUEUED.value,
        attempts=0,
        created_at=now,
        updated_at=now,
    )
    stmt = upsert_insert(session)(OutboxMessage).values(**values)
    if dedupe_key is not None:
        stmt = stmt.on_conflict_do_nothing(index_elements=["dedupe_key"])
    row = (await session.scalars(stmt.returning(OutboxMessage))).one_or_none()
    if row is not None:
        wakeup.notify_on_commit(session, wakeup.OUTBOX)
    return row


async def enqueue_many(
    session: AsyncSession,
    messages: list[dict[str, Any]],
    *,
    event_id: int | None = None,
    priority: Priority | int = Priority.NORMAL,
    chunk: int = 500,
) -> int:
    """Queue many text messages, each with its own text and keyboard, in bulk INSERTs.

    ``messages``: dicts with ``chat_id``, ``text``, optional ``reply_markup``, ``dedupe_key`` and
    ``user_id``. For notices that differ per person (a digest of *their* changes) and go to
    thousands at once: one statement per ``chunk`` rows instead of one per message; dedupe as in
    ``enqueue`` (``ON CONFLICT DO NOTHING``). Returns how many rows were offered.
    """
    now = utcnow()
    insert = upsert_insert(session)
    for start in range(0, len(messages), chunk):
        rows = []
        for m in messages[start:start + chunk]:
            chat_id = int(m["chat_id"])
            content = await build_content(session, text=m["text"], reply_markup=m.get("reply_markup"), photo=None,
                                          document=None, disable_notification=False)
            rows.append(dict(
                chat_id=chat_id, user_id=m.get("user_id", chat_id if chat_id > 0 else None), event_id=event_id,
                batch_id=None, kind=None, payload=None, content=content, parse_mode=None,
                dedupe_key=m.get("dedupe_key"), priority=int(priority), not_before=now,
                state=OutboxState.QUEUED.value, attempts=0, created_at=now, updated_at=now))
        if rows:
            await session.execute(insert(OutboxMessage).on_conflict_do_nothing(index_elements=["dedupe_key"]), rows)
    if messages:
        wakeup.notify_on_commit(session, wakeup.OUTBOX)
    return len(messages)
