"""Broadcasts (one organizer action → one outbox row per recipient) and the organizer's view of delivery."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import utcnow
from core.delivery import wakeup
from core.delivery.content import build_content
from core.delivery.dialect import upsert_insert
from core.delivery.models import (
    PENDING_STATES,
    Broadcast,
    OutboxMessage,
    OutboxState,
    Priority,
)
from core.models import Event, User

LOCALES = Path(__file__).resolve().parent / "locales"
SUMMARY_KIND = "core:broadcast-summary"
_CHUNK = 1000


@dataclass
class DeliveryCounts:
    queued: int = 0
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    blocked: int = 0
    reasons: dict[str, int] = field(default_factory=dict)  # last_error → rows, for failed ones

    @property
    def total(self) -> int:
        return self.queued + self.claimed + self.sent + self.failed + self.blocked

    @property
    def pending(self) -> int:
        return self.queued + self.claimed

    def add(self, state: str, count: int) -> None:
        setattr(self, state, getattr(self, state) + count)


@dataclass
class BroadcastStatus:
    id: int
    title: str
    event_id: int | None
    created_by: int | None
    created_at: dt.datetime
    finished_at: dt.datetime | None
    counts: DeliveryCounts


@dataclass
class OutboxStatus:
    totals: DeliveryCounts
    broadcasts: list[BroadcastStatus]
    notices: dict[str, DeliveryCounts]  # rows outside broadcasts, by kind ("" when none)


async def create_broadcast(
    session: AsyncSession,
    *,
    recipients: Iterable[int],
    title: str,
    text: str | None = None,
    photo: Any = None,
    document: Any = None,
    reply_markup: Any = None,
    parse_mode: str | None = None,
    event_id: int | None = None,
    created_by: int | None = None,
    priority: Priority | int = Priority.BULK,
    not_before: dt.datetime | None = None,
) -> Broadcast:
    """One batch row plus one outbox row per distinct recipient (chat id), in the caller's transaction.

    Media given as bytes is stored once and uploaded once. Recipients already known to have
    blocked the bot get a ``blocked`` row at once, so the organizer sees them without a request.
    """
    now = utcnow()
    chats = list(dict.fromkeys(int(c) for c in recipients))
    # Shared content: bytes become one core_outbox_media row that every recipient references.
    content = await build_content(session, text=text, reply_markup=reply_markup, photo=photo, document=document,
                                  disable_notification=False, parse_mode=parse_mode)
    batch = Broadcast(event_id=event_id, title=title[:200], created_by=created_by, total=len(chats), created_at=now)
    session.add(batch)
    await session.flush()
    insert = upsert_insert(session)
    for start in range(0, len(chats), _CHUNK):
        chunk = chats[start:start + _CHUNK]
        unreachable = set((await session.scalars(
            select(User.id).where(User.id.in_([c for c in chunk if c > 0]), User.unreachable_at.is_not(None))
        )).all())
        rows = [dict(
            chat_id=chat, user_id=chat if chat > 0 else None, event_id=event_id, batch_id=batch.id,
            content=content, parse_mode=parse_mode, dedupe_key=f"broadcast:{batch.id}:{chat}",
            priority=int(priority), not_before=not_before or now, attempts=0, created_at=now, updated_at=now,
            state=OutboxState.BLOCKED.value if chat in unreachable else OutboxState.QUEUED.value,
            last_error="recipient blocked the bot earlier" if chat in unreachable else None,
        ) for chat in chunk]
        await session.execute(insert(OutboxMessage).on_conflict_do_nothing(index_elements=["dedupe_key"]), rows)
    wakeup.notify_on_commit(session, wakeup.OUTBOX)
    await finish_batches(session, [batch.id])
    return batch


async def _counts(session: AsyncSession, *where) -> DeliveryCounts:
    counts = DeliveryCounts()
    for state, count in await session.execute(
        select(OutboxMessage.state, func.count()).where(*where).group_by(OutboxMessage.state)
    ):
        counts.add(state, count)
    for reason, count in await session.execute(
        select(OutboxMessage.last_error, func.count())
        .where(*where, OutboxMessage.state == OutboxState.FAILED.value)
        .group_by(OutboxMessage.last_error).order_by(func.count().desc()).limit(10)
    ):
        counts.reasons[reason or "unknown"] = count
    return counts


async def broadcast_status(session: AsyncSession, batch_id: int) -> BroadcastStatus | None:
    batch = await session.get(Broadcast, batch_id)
    if batch is None:
        return None
    counts = await _counts(session, OutboxMessage.batch_id == batch_id)
    return BroadcastStatus(batch.id, batch.title, batch.event_id, batch.created_by, batch.created_at,
                           batch.finished_at, counts)


async def outbox_status(session: AsyncSession, event_id: int | None = None, *, recent: int = 20) -> OutboxStatus:
    """Totals, the ``recent`` latest broadcasts, and notices outside broadcasts grouped by kind."""
    scope = (OutboxMessage.event_id == event_id,) if event_id is not None else ()
    totals = await _counts(session, *scope)
    query = select(Broadcast.id).order_by(Broadcast.id.desc()).limit(recent)
    if event_id is not None:
        query = query.where(Broadcast.event_id == event_id)
    broadcasts = [await broadcast_status(session, bid) for bid in (await session.scalars(query)).all()]
    notices: dict[str, DeliveryCounts] = {}
    for kind, state, count in await session.execute(
        select(OutboxMessage.kind, OutboxMessage.state, func.count())
        .where(*scope, OutboxMessage.batch_id.is_(None))
        .group_by(OutboxMessage.kind, OutboxMessage.state)
    ):
        notices.setdefault(kind or "", DeliveryCounts()).add(state, count)
    return OutboxStatus(totals, [b for b in broadcasts if b is not None], notices)


async def finish_batches(session: AsyncSession, batch_ids: Iterable[int]) -> list[int]:
    """Close every batch whose rows all reached a final state and queue the summary to its author.

    Called by the sender in the transaction that records outcomes. The batch row is locked first
    (FOR UPDATE; SQLite writers are serial anyway): of two senders recording the last rows at once,
    the one that locks second sees the other's rows committed, so exactly one sends the summary.
    """
    finished = []
    for batch_id in sorted(set(b for b in batch_ids if b is not None)):
        batch = await session.scalar(
            select(Broadcast).where(Broadcast.id == batch_id).with_for_update().execution_options(populate_existing=True)
        )
        if batch is None or batch.finished_at is not None:
            continue
        pending = await session.scalar(select(exists().where(
            OutboxMessage.batch_id == batch_id, OutboxMessage.state.in_([s.value for s in PENDING_STATES]))))
        if pending:
            continue
        done = await session.execute(update(Broadcast).where(Broadcast.id == batch_id, Broadcast.finished_at.is_(None))
                                     .values(finished_at=utcnow()))
        if done.rowcount != 1:
            continue
        finished.append(batch_id)
        if batch.created_by is not None:
            await _enqueue_summary(session, batch)
    return finished


@lru_cache(maxsize=1)
def _catalogs():
    from core.i18n import Catalogs

    return Catalogs([LOCALES])


async def _enqueue_summary(session: AsyncSession, batch: Broadcast) -> None:
    from core.delivery.outbox import enqueue
    from core.i18n import pick_language

    counts = await _counts(session, OutboxMessage.batch_id == batch.id)
    author = await session.get(User, batch.created_by)
    event = await session.get(Event, batch.event_id) if batch.event_id else None
    lang = pick_language(author.language if author else None, author.telegram_language if author else None,
                         event.language if event else None)
    tr = _catalogs().translator(lang)
    text = tr("delivery-broadcast-summary", title=html.escape(batch.title), sent=counts.sent, total=counts.total,
              failed=counts.failed, blocked=counts.blocked)
    if counts.reasons:
        lines = [f"• {html.escape(reason[:200])}: {n}" for reason, n in list(counts.reasons.items())[:5]]
        text += "\n\n" + tr("delivery-broadcast-reasons") + "\n" + "\n".join(lines)
    await enqueue(session, chat_id=batch.created_by, text=text, parse_mode="HTML", priority=Priority.INTERACTIVE,
                  dedupe_key=f"broadcast-summary:{batch.id}", event_id=batch.event_id, kind=SUMMARY_KIND,
                  payload={"batch_id": batch.id})
