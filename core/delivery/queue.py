"""The sender's side of the outbox: claim due rows, give back stale claims, record outcomes.

Every function takes a session whose transaction the caller keeps short: rows are claimed in one
transaction and their outcomes recorded in another, never held open across a network call.
A claim is one statement: ``WITH due AS MATERIALIZED (SELECT ... FOR UPDATE SKIP LOCKED) UPDATE
... WHERE id IN (SELECT id FROM due) AND state = 'queued' RETURNING ...`` on PostgreSQL (several
senders take disjoint rows), the same without the locking clause on SQLite, where ``BEGIN
IMMEDIATE`` makes writers serial.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, bindparam, literal_column, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core import context_cache
from core.db import utcnow
from core.delivery.broadcast import finish_batches
from core.delivery.models import OutboxMedia, OutboxMessage, OutboxState
from core.delivery.outcomes import DeliveryOutcome, OutcomeHandlers
from core.models import User

log = logging.getLogger(__name__)

_outbox = OutboxMessage.__table__
BLOCKED_REASON = "recipient blocked the bot (403)"


@dataclass(frozen=True)
class ClaimedMessage:
    """A snapshot of a claimed row: everything the sender needs, nothing tied to a session."""

    id: int
    chat_id: int
    user_id: int | None
    batch_id: int | None
    kind: str | None
    content: dict[str, Any]
    parse_mode: str | None
    priority: int
    not_before: dt.datetime
    attempts: int
    claimed_at: dt.datetime


@dataclass
class SendResult:
    """What one send attempt came to. ``status``: sent | failed | blocked | retry."""

    message: ClaimedMessage
    status: str
    message_id: int | None = None
    error: str | None = None
    retry_at: dt.datetime | None = None
    count_attempt: bool = True  # a 429 or a per-chat deferral is flow control, not a failed attempt
    media_file_id: tuple[int, str] | None = None  # (media_id, file_id) learnt from the first upload
    new_chat_id: int | None = None  # a group that became a supergroup (retry goes to the new id)


_CLAIM_COLUMNS = (_outbox.c.id, _outbox.c.chat_id, _outbox.c.user_id, _outbox.c.batch_id, _outbox.c.kind,
                  _outbox.c.content, _outbox.c.parse_mode, _outbox.c.priority, _outbox.c.not_before,
                  _outbox.c.attempts, _outbox.c.claimed_at)


def _claim_statement():
    """Built once: a claim is one round trip, and SQLAlchemy compiles it once (bind parameters only).

    MATERIALIZED makes PostgreSQL run the locking SELECT exactly once; as a plain ``IN (SELECT ...
    LIMIT ... SKIP LOCKED)`` subquery it may be re-run inside the UPDATE and claim far more than
    ``limit`` rows. Its row locks hold until commit, and ``state = 'queued'`` is checked again on
    the row the UPDATE sees, so a row is claimed by one sender only.
    """
    now = bindparam("claim_now")
    due = (
        select(_outbox.c.id)
        .where(_outbox.c.state == OutboxState.QUEUED.value, _outbox.c.not_before <= now)
        .order_by(_outbox.c.priority, _outbox.c.not_before, _outbox.c.id)
        .limit(bindparam("claim_limit"))
        .with_for_update(skip_locked=True)  # rendered on PostgreSQL only
        .cte("due")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    # Whether the recipient is known to have blocked the bot, in the same round trip. Spelt out
    # because SQLAlchemy renders RETURNING unqualified on SQLite, where ``id = user_id`` inside the
    # subquery would only mean the right thing while core_users has no user_id column.
    unreachable = literal_column(
        f"EXISTS (SELECT 1 FROM {User.__tablename__} AS claim_user WHERE claim_user.id = {_outbox.name}.user_id"
        " AND claim_user.unreachable_at IS NOT NULL)", Boolean)
    return (
        update(_outbox)
        .where(_outbox.c.id.in_(select(due.c.id)), _outbox.c.state == OutboxState.QUEUED.value)
        .values(state=OutboxState.CLAIMED.value, claimed_by=bindparam("claim_worker"), claimed_at=now,
                updated_at=now)
        .returning(*_CLAIM_COLUMNS, unreachable.label("unreachable"))
    )


_CLAIM = _claim_statement()


async def claim_batch(session: AsyncSession, worker_id: str, limit: int, handlers: OutcomeHandlers,
                      now: dt.datetime | None = None) -> list[ClaimedMessage]:
    """Claim up to ``limit`` due rows in queue order (priority, then not_before, then id).

    Rows for users already marked unreachable become ``blocked`` here, without a request.
    """
    now = now or utcnow()
    claimed = (await session.execute(_CLAIM, {"claim_now": now, "claim_limit": limit,
                                              "claim_worker": worker_id})).all()
    if not claimed:
        return []
    messages, skipped = [], []
    for row in sorted(claimed, key=lambda r: (r.priority, r.not_before, r.id)):  # RETURNING has no order
        message = ClaimedMessage(row.id, row.chat_id, row.user_id, row.batch_id, row.kind, row.content,
                                 row.parse_mode, row.priority, row.not_before, row.attempts, row.claimed_at)
        (skipped if row.unreachable else messages).append(message)
    if skipped:
        await _finalize(session, [SendResult(m, "blocked", error=BLOCKED_REASON, count_attempt=False)
                                  for m in skipped], worker_id, handlers, now)
    return messages


async def requeue_stale_claims(session: AsyncSession, timeout_seconds: float, now: dt.datetime | None = None) -> int:
    """Return claims older than the timeout to the queue: their sender died before recording an outcome.

    At-least-once: such a row may already have reached Telegram and will then be sent again.
    """
    now = now or utcnow()
    result = await session.execute(
        update(_outbox)
        .where(_outbox.c.state == OutboxState.CLAIMED.value,
               _outbox.c.claimed_at < now - dt.timedelta(seconds=timeout_seconds))
        .values(state=OutboxState.QUEUED.value, claimed_by=None, claimed_at=None, updated_at=now)
    )
    if result.rowcount:
        log.warning("returned %d outbox rows with stale claims (older than %.0fs) to the queue",
                    result.rowcount, timeout_seconds)
    return result.rowcount or 0


async def record_results(session: AsyncSession, results: list[SendResult], worker_id: str,
                         handlers: OutcomeHandlers, now: dt.datetime | None = None, *,
                         unfinished_batches: Collection[int] = ()) -> None:
    """Write a batch of outcomes in one transaction; blocked chats stop, finished broadcasts report.

    ``unfinished_batches``: broadcasts the caller still holds claimed rows of, so they cannot have
    finished; checking them would cost two statements per flush for the whole of a broadcast.
    """
    if results:
        await _finalize(session, results, worker_id, handlers, now or utcnow(), unfinished_batches)


async def _finalize(session: AsyncSession, results: list[SendResult], worker_id: str, handlers: OutcomeHandlers,
                    now: dt.datetime, unfinished_batches: Collection[int] = ()) -> None:
    watched = handlers.kinds()
    plain: list[SendResult] = []
    tracked: list[SendResult] = []
    for result in results:
        (tracked if result.message.kind in watched and result.status != "retry" else plain).append(result)
    # executemany: one round trip per statement for the whole batch. The claimed_by guard makes a
    # late answer harmless after another sender re-claimed the row.
    sent = [{"b_id": r.message.id, "b_message_id": r.message_id, "b_now": now, "b_worker": worker_id}
            for r in plain if r.status == "sent" and r.new_chat_id is None]
    if sent:
        await session.execute(_RECORD_SENT, sent)
    others = [_row_params(r, worker_id, now) for r in plain if r.status != "sent" or r.new_chat_id is not None]
    if others:
        await session.execute(_RECORD_OUTCOME, [{**params, "b_worker": worker_id} for params in others])
    for result in tracked:
        # One by one with RETURNING: a handler must only hear about outcomes this sender really recorded.
        row_id = (await session.execute(
            update(_outbox)
            .where(_outbox.c.id == result.message.id, _outbox.c.claimed_by == worker_id,
                   _outbox.c.state == OutboxState.CLAIMED.value)
            .values({k.removeprefix("b_"): v for k, v in _row_params(result, worker_id, now).items() if k != "b_id"})
            .returning(_outbox.c.id)
        )).scalar_one_or_none()
        if row_id is not None:
            await _dispatch(session, handlers, [row_id], _outcome(result))
    for result in results:
        if result.media_file_id:
            media_id, file_id = result.media_file_id
            await session.execute(update(OutboxMedia).where(OutboxMedia.id == media_id, OutboxMedia.file_id.is_(None))
                                  .values(file_id=file_id))
    batches = {r.message.batch_id for r in results if r.status != "retry"}
    blocked = [r for r in results if r.status == "blocked" and r.error == BLOCKED_REASON]
    if blocked:
        batches |= await _block_chats(session, {r.message.chat_id for r in blocked},
                                      {r.message.user_id for r in blocked if r.message.user_id}, handlers, now)
    await finish_batches(session, [b for b in batches if b is not None and b not in unfinished_batches])


_ROW_VALUES = {
    "state": bindparam("b_state"), "message_id": bindparam("b_message_id"), "sent_at": bindparam("b_sent_at"),
    "attempts": bindparam("b_attempts"), "last_error": bindparam("b_last_error"),
    "not_before": bindparam("b_not_before"), "claimed_by": bindparam("b_claimed_by"),
    "claimed_at": bindparam("b_claimed_at"), "chat_id": bindparam("b_chat_id"),
    "updated_at": bindparam("b_updated_at"),
}


_RECORDABLE = (_outbox.c.id == bindparam("b_id"), _outbox.c.claimed_by == bindparam("b_worker"),
               _outbox.c.state == OutboxState.CLAIMED.value)
_RECORD_OUTCOME = update(_outbox).where(*_RECORDABLE).values(_ROW_VALUES)
# Most outcomes are plain deliveries: three parameters per row instead of eleven, since the rest
# of the row is what the claim left there (attempts counts up in SQL, the row being ours).
# Built once, like the claim: at 1000 msg/s recording is a good part of the sender's CPU.
_RECORD_SENT = update(_outbox).where(*_RECORDABLE).values(
    state=OutboxState.SENT.value, message_id=bindparam("b_message_id"), sent_at=bindparam("b_now"),
    attempts=_outbox.c.attempts + 1, last_error=None, updated_at=bindparam("b_now"))


def _row_params(result: SendResult, worker_id: str, now: dt.datetime) -> dict:
    msg = result.message
    retry = result.status == "retry"
    state = {"sent": OutboxState.SENT, "failed": OutboxState.FAILED, "blocked": OutboxState.BLOCKED,
             "retry": OutboxState.QUEUED}[result.status].value
    return {
        "b_id": msg.id,
        "b_state": state,
        "b_message_id": result.message_id,
        "b_sent_at": now if result.status == "sent" else None,
        "b_attempts": msg.attempts + (1 if result.count_attempt else 0),
        "b_last_error": result.error,
        "b_not_before": (result.retry_at or now) if retry else msg.not_before,
        # A row back in the queue belongs to nobody; a finished one keeps who sent it.
        "b_claimed_by": None if retry else worker_id,
        "b_claimed_at": None if retry else msg.claimed_at,
        "b_chat_id": result.new_chat_id or msg.chat_id,
        "b_updated_at": now,
    }


def _outcome(result: SendResult) -> DeliveryOutcome:
    return DeliveryOutcome(result.status, result.error, result.message_id)


async def _dispatch(session: AsyncSession, handlers: OutcomeHandlers, row_ids: list[int],
                    outcome: DeliveryOutcome) -> None:
    rows = (await session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(row_ids))
                                  .execution_options(populate_existing=True))).all()
    for row in rows:
        await handlers.dispatch(session, row, outcome)


async def _block_chats(session: AsyncSession, chat_ids: set[int], user_ids: set[int], handlers: OutcomeHandlers,
                       now: dt.datetime) -> set[int | None]:
    """403: remember the user is unreachable and end their other queued rows without a request."""
    if user_ids:
        await session.execute(update(User).where(User.id.in_(user_ids), User.unreachable_at.is_(None))
                              .values(unreachable_at=now))
        context_cache.changed(session, user_ids)  # a bulk UPDATE: the ORM cannot name these users
    ended = (await session.execute(
        update(_outbox)
        .where(_outbox.c.chat_id.in_(chat_ids), _outbox.c.state == OutboxState.QUEUED.value)
        .values(state=OutboxState.BLOCKED.value, last_error=BLOCKED_REASON, updated_at=now)
        .returning(_outbox.c.id, _outbox.c.kind, _outbox.c.batch_id)
    )).all()
    watched = handlers.kinds()
    tracked = [row.id for row in ended if row.kind in watched]
    if tracked:
        await _dispatch(session, handlers, tracked, DeliveryOutcome("blocked", BLOCKED_REASON))
    return {row.batch_id for row in ended}
