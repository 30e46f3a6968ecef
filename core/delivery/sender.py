"""``OutboxSender``: drains the outbox into Telegram within its limits. With ``prepared`` (text
requests built once per content), the only delivery modules that import aiogram.

One sender per process; on PostgreSQL several processes drain one outbox (claims use SKIP LOCKED)
and share one global rate through Redis. The loop:

1. claim a batch (a short transaction) — the next batch is claimed while this one is being sent;
2. for each row, in queue order: ask the rate limiter; a busy chat puts the row back with a
   ``not_before``; a 429 in force puts back every row not yet sent; otherwise send it as a task
   (bounded concurrency, one request at a time per chat so a chat's messages keep their order);
3. outcomes are collected and written in batches (one transaction per flush), together with the
   outcome handlers, user-unreachable marks and broadcast summaries.

Error classes (aiogram retries nothing itself):
- 429 ``TelegramRetryAfter``: pause everything for ``retry_after``; the row goes back unchanged.
- 403 ``TelegramForbiddenError``: the user blocked the bot; row ``blocked``, user unreachable,
  their other queued rows ``blocked`` without requests.
- 400 ``TelegramBadRequest``: permanent, ``failed`` with Telegram's reason (a group that became a
  supergroup is followed to its new id instead).
- network errors and 5xx: exponential backoff up to ``max_attempts``. A send that timed out may
  still have arrived; sendMessage has no idempotency key, so this is at-least-once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import random
import secrets
import socket
import time
from dataclasses import dataclass, field

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup, Message
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.bot_session import already_granted
from core.config import DeliverySettings
from core.db import transaction, utcnow
from core.delivery import wakeup
from core.delivery.models import OutboxMedia, OutboxMessage, OutboxState
from core.delivery.outcomes import OutcomeHandlers, outcome_handlers
from core.delivery.prepared import PreparedTexts
from core.delivery.queue import (
    BLOCKED_REASON,
    ClaimedMessage,
    SendResult,
    claim_batch,
    record_results,
    requeue_stale_claims,
)
from core.delivery.ratelimit import GRANTED, Grant, RateLimiter, make_limiter
from core.outage import is_outage

log = logging.getLogger(__name__)

RECORD_DELAY = 0.05  # seconds between outcome flushes while busy
SHUTDOWN_GRACE = 10.0  # seconds to finish in-flight requests and record them when stopping


def default_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass
class SenderStats:
    requests: int = 0
    sent: int = 0
    failed: int = 0
    blocked: int = 0
    retried: int = 0
    deferred: int = 0  # chat bucket busy: put back with a not_before
    rate_limited: int = 0  # 429 answers
    errors: dict[str, int] = field(default_factory=dict)


@dataclass
class _Media:
    kind: str
    data: bytes
    filename: str
    file_id: str | None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class OutboxSender:
    def __init__(
        self,
        bot: Bot,
        sessions: async_sessionmaker[AsyncSession],
        settings: DeliverySettings | None = None,
        *,
        worker_id: str | None = None,
        limiter: RateLimiter | None = None,
        redis_url: str | None = None,
        handlers: OutcomeHandlers = outcome_handlers,
        max_in_flight: int = 32,
        retry_base_delay: float = 2.0,
        retry_max_delay: float = 600.0,
    ) -> None:
        self.bot = bot
        self.sessions = sessions
        self.settings = settings or DeliverySettings()
        self.worker_id = (worker_id or default_worker_id())[:64]
        # Buckets are per bot (Telegram's limits are), hence the bot id in the Redis prefix.
        self._owns_limiter = limiter is None  # a limiter passed in is shared: its owner closes it
        self.limiter = limiter or make_limiter(self.settings, redis_url=redis_url,
                                               prefix=f"organizer:delivery:{bot.id}")
        self.handlers = handlers
        self.retry_base_delay = retry_base_delay
        self.retry_max_delay = retry_max_delay
        self.stats = SenderStats()
        s = self.settings
        # Claim no more than ~1/8 of the claim timeout's worth of sending, so claimed rows never wait
        # in memory long enough to be mistaken for a crashed sender's.
        self.claim_size = max(1, min(s.batch_size, int(s.global_rate * s.claim_timeout_seconds / 8)))
        self._slots = asyncio.Semaphore(max_in_flight)
        self._tasks: set[asyncio.Task] = set()
        self._chat_busy: dict[int, asyncio.Task] = {}
        self._deferred_until: dict[int, dt.datetime] = {}
        self._blocked_chats: set[int] = set()  # 403 seen in this process; their claimed rows skip the request
        self._results: list[SendResult] = []
        # Broadcast id → ids of rows claimed here whose outcome is not written yet. While any remain
        # the broadcast cannot be finished, so recording skips that check (see record_results).
        self._unrecorded: dict[int, set[int]] = {}
        self._results_ready = asyncio.Event()
        self._media: dict[int, _Media] = {}
        # Text rows skip aiogram's per-request model work when the bot's session allows it.
        self._prepared = PreparedTexts(bot) if PreparedTexts.usable(bot) else None
        self._wake = wakeup.subscribe(wakeup.OUTBOX)
        self._stopping = False
        self._last_reap = 0.0

    # ------------------------------------------------------------------------------------------ public

    async def run(self) -> None:
        """Send until cancelled. Outcomes already known are written before returning."""
        log.info("outbox sender %s started (%.0f msg/s global, claims of %d)", self.worker_id,
                 self.settings.global_rate, self.claim_size)
        recorder = asyncio.create_task(self._record_forever(), name="outbox-recorder")
        prefetch: asyncio.Task | None = None
        try:
            while not self._stopping:
                self._wake.clear()
                rows = await (prefetch or asyncio.create_task(self._claim()))
                prefetch = None
                if not rows:
                    await self._idle_wait()
                    continue
                # Claim the next batch while this one is sent, so the rate limiter never waits on the DB.
                prefetch = asyncio.create_task(self._claim())
                paused = await self._dispatch(rows)
                if paused:
                    await self._put_back(await prefetch, paused)
                    prefetch = None
                    await asyncio.sleep(paused)
        finally:
            # Stopping must not hang (a shutdown waits on us): every wait below is bounded, and
            # whatever cannot be recorded in time returns to the queue after the claim timeout.
            if prefetch is not None:
                if not self._stopping:  # a polite stop lets the claim finish, then hands it back
                    prefetch.cancel()
                try:
                    self._put_back_nowait(await prefetch)
                except BaseException:  # cancelled before it claimed anything
                    pass
            recorder.cancel()
            try:
                await recorder
            except asyncio.CancelledError:
                pass
            try:
                async with asyncio.timeout(SHUTDOWN_GRACE):
                    await self._finish_in_flight()
                    await self._flush_results()
            except TimeoutError:
                log.warning("outbox sender stopped with %d outcomes unrecorded; those rows will be retried",
                            len(self._results))

    async def drain_once(self) -> int:
        """Claim one batch, send it, record the outcomes. Returns how many rows were claimed."""
        rows = await self._claim()
        if rows:
            paused = await self._dispatch(rows)
            await self._finish_in_flight()
            if paused:
                await asyncio.sleep(paused)
        await self._flush_results()
        return len(rows)

    async def drain_until_idle(self, timeout: float = 60.0, *, wait_for_delayed: bool = True) -> int:
        """Drain until nothing is queued (``wait_for_delayed``: also rows whose not_before is ahead,
        such as backoff retries) or nothing is due now. Raises TimeoutError after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        total = 0
        while True:
            if time.monotonic() > deadline:
                raise TimeoutError(f"outbox still busy after {timeout}s")
            claimed = await self.drain_once()
            total += claimed
            if claimed:
                continue
            async with self.sessions() as session:
                next_due, claimed_elsewhere = await _queue_horizon(session)
            if next_due is None and not claimed_elsewhere:
                return total
            if not wait_for_delayed:
                return total
            wait = (next_due - utcnow()).total_seconds() if next_due else self.settings.poll_interval_seconds
            await asyncio.sleep(min(max(wait, 0.01), max(0.0, deadline - time.monotonic()), 1.0))

    async def close(self) -> None:
        if self._owns_limiter:
            await self.limiter.close()

    # ------------------------------------------------------------------------------------- claiming

    async def _claim(self) -> list[ClaimedMessage]:
        try:
            await self._maybe_reap()
            async with transaction(self.sessions) as session:
                rows = await claim_batch(session, self.worker_id, self.claim_size, self.handlers)
            for row in rows:
                if row.batch_id is not None:
                    self._unrecorded.setdefault(row.batch_id, set()).add(row.id)
            return rows
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if is_outage(exc):
                log.warning("claiming outbox rows failed (%s: the database is unreachable); retrying after "
                            "the poll interval", type(exc).__name__)
            else:
                log.exception("claiming outbox rows failed; retrying after the poll interval")
            await asyncio.sleep(self.settings.poll_interval_seconds)
            return []

    async def _maybe_reap(self) -> None:
        timeout = self.settings.claim_timeout_seconds
        if time.monotonic() - self._last_reap < max(0.5, timeout / 4):
            return
        self._last_reap = time.monotonic()
        async with transaction(self.sessions) as session:
            await requeue_stale_claims(session, timeout)

    def stop(self) -> None:
        """Return from ``run()`` at the next safe point (between transactions), recording outcomes."""
        self._stopping = True
        self._wake.set()

    async def _idle_wait(self) -> None:
        if self._stopping:
            return
        try:
            await asyncio.wait_for(self._wake.wait(), self.settings.poll_interval_seconds)
        except TimeoutError:
            pass

    # ------------------------------------------------------------------------------------- sending

    async def _dispatch(self, rows: list[ClaimedMessage]) -> float:
        """Start a send for each row the limiter allows. Returns the pause (s) if a 429 stopped us, else 0."""
        index = 0
        try:
            for index, row in enumerate(rows):
                if await self._dispatch_one(row) is not None:
                    paused = await self.limiter.paused_for()
                    self._put_back_nowait(rows[index:], paused)
                    return paused
        except asyncio.CancelledError:
            self._put_back_nowait(rows[index:])  # stopping: give undispatched rows back at once
            raise
        return 0.0

    async def _dispatch_one(self, row: ClaimedMessage) -> float | None:
        """Send (as a task), defer or skip one row. Returns the pause if a 429 is in force."""
        busy = self._chat_busy.get(row.chat_id)
        if busy is not None and not busy.done():
            await asyncio.wait([busy])  # one request at a time per chat keeps its messages in order
        if row.chat_id in self._blocked_chats:
            self._push(SendResult(row, "blocked", error=BLOCKED_REASON, count_attempt=False))
            return None
        held = (utcnow() - row.claimed_at).total_seconds()
        if held > self.settings.claim_timeout_seconds / 2:
            # Another sender may take it back soon; let the queue have it rather than risk a double send.
            self._push(SendResult(row, "retry", retry_at=utcnow(), count_attempt=False))
            return None
        grant = await self._acquire(row.chat_id)
        if grant.reason == "pause":
            return grant.wait
        if grant.reason == "chat":
            self.stats.deferred += 1
            # Never before a row of this chat deferred earlier: with equal not_before the id keeps
            # the chat's messages in order.
            retry_at = max(_after(grant.wait), self._deferred_until.get(row.chat_id, utcnow()))
            self._deferred_until[row.chat_id] = retry_at
            if len(self._deferred_until) > 10_000:
                now = utcnow()
                self._deferred_until = {c: t for c, t in self._deferred_until.items() if t > now}
            self._push(SendResult(row, "retry", retry_at=retry_at, count_attempt=False))
            return None
        await self._slots.acquire()  # cancelled here, the grant ages out of the limiter's window
        task = asyncio.create_task(self._send(row, grant))
        self._tasks.add(task)
        self._chat_busy[row.chat_id] = task
        task.add_done_callback(self._sent)
        return None

    async def _acquire(self, chat_id: int):
        while True:
            grant = await self.limiter.try_acquire(chat_id)
            if grant.ok or grant.reason != "global":
                return grant
            await asyncio.sleep(grant.wait)

    def _sent(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        self._slots.release()
        for chat_id, busy in list(self._chat_busy.items()):
            if busy is task:
                del self._chat_busy[chat_id]

    async def _finish_in_flight(self) -> None:
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _send(self, row: ClaimedMessage, grant: Grant = GRANTED) -> None:
        self.stats.requests += 1
        already_granted()  # this task's request already has its slot: the bot's session must not take another
        try:
            try:
                message_id, media_file_id = await self._call(row)
            finally:
                # The answer is back, so the request has arrived: the limiter's arrival window needs this.
                await self.limiter.release(grant)
        except TelegramRetryAfter as exc:
            self.stats.rate_limited += 1
            log.warning("429 from Telegram: pausing all sending for %ss", exc.retry_after)
            await self.limiter.pause(exc.retry_after)
            self._push(SendResult(row, "retry", retry_at=_after(exc.retry_after), count_attempt=False,
                                  error=f"429: retry after {exc.retry_after}s"))
        except TelegramForbiddenError as exc:
            self._blocked_chats.add(row.chat_id)
            self.stats.blocked += 1
            log.info("chat %s blocked the bot (%s)", row.chat_id, exc.message)
            self._push(SendResult(row, "blocked", error=BLOCKED_REASON))
        except TelegramMigrateToChat as exc:
            self._push(SendResult(row, "retry", retry_at=utcnow(), count_attempt=False, new_chat_id=exc.migrate_to_chat_id,
                                  error=f"group moved to {exc.migrate_to_chat_id}"))
        except (TelegramBadRequest, TelegramEntityTooLarge) as exc:
            self.stats.failed += 1
            self._push(SendResult(row, "failed", error=_reason(exc)))
        except (ValidationError, ValueError) as exc:
            # Content aiogram cannot even build a request from (e.g. a malformed keyboard): permanent.
            self.stats.failed += 1
            self._push(SendResult(row, "failed", error=f"invalid content: {exc}"[:500]))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # TelegramNetworkError, TelegramServerError and anything unexpected
            self._retry_later(row, exc)
        else:
            self.stats.sent += 1
            self._push(SendResult(row, "sent", message_id=message_id, media_file_id=media_file_id))

    def _retry_later(self, row: ClaimedMessage, exc: Exception) -> None:
        reason = _reason(exc)
        self.stats.errors[type(exc).__name__] = self.stats.errors.get(type(exc).__name__, 0) + 1
        if not isinstance(exc, (TelegramNetworkError, TelegramServerError)):
            log.error("unexpected error sending outbox row %s: %r", row.id, exc)
        if row.attempts + 1 >= self.settings.max_attempts:
            self.stats.failed += 1
            self._push(SendResult(row, "failed", error=f"gave up after {row.attempts + 1} attempts: {reason}"))
            return
        delay = min(self.retry_max_delay, self.retry_base_delay * 2 ** row.attempts) * random.uniform(0.8, 1.2)
        self.stats.retried += 1
        self._push(SendResult(row, "retry", retry_at=_after(delay), error=reason))

    async def _call(self, row: ClaimedMessage) -> tuple[int, tuple[int, str] | None]:
        """Send one row; returns (message_id, (media_id, file_id) learnt from an upload, if any)."""
        content = row.content
        if self._prepared is not None and not (content.get("photo") or content.get("document")
                                               or content.get("message_thread_id")):
            return await self._prepared.send(row.chat_id, content, row.parse_mode), None
        common = {"chat_id": row.chat_id}
        if row.parse_mode is not None:  # None: the bot's default (HTML in the app)
            common["parse_mode"] = row.parse_mode
        if content.get("reply_markup"):
            common["reply_markup"] = InlineKeyboardMarkup.model_validate(content["reply_markup"])
        if content.get("disable_notification"):
            common["disable_notification"] = True
        if content.get("message_thread_id"):
            common["message_thread_id"] = content["message_thread_id"]
        for kind in ("photo", "document"):
            ref = content.get(kind)
            if ref:
                message, media_file_id = await self._send_media(kind, ref, content.get("text"), common)
                return message.message_id, media_file_id
        return (await self.bot.send_message(text=content["text"], **common)).message_id, None

    async def _send_media(self, kind: str, ref: dict, caption: str | None, common: dict):
        bot_method = self.bot.send_photo if kind == "photo" else self.bot.send_document

        async def method(file, **kwargs):
            return await bot_method(**{kind: file}, **kwargs)

        if "file_id" in ref:
            return await method(ref["file_id"], caption=caption, **common), None
        media = await self._load_media(ref["media_id"])
        if media.file_id is None:
            # The first send uploads the bytes; everyone after it re-uses Telegram's file_id.
            async with media.lock:
                if media.file_id is None:
                    message = await method(BufferedInputFile(media.data, media.filename), caption=caption, **common)
                    media.file_id = _file_id(message, kind)
                    return message, (ref["media_id"], media.file_id) if media.file_id else None
        return await method(media.file_id, caption=caption, **common), None

    async def _load_media(self, media_id: int) -> _Media:
        media = self._media.get(media_id)
        if media is None:
            async with self.sessions() as session:
                row = await session.get(OutboxMedia, media_id)
            if row is None:
                raise ValueError(f"outbox media {media_id} is gone")
            media = self._media.setdefault(media_id, _Media(row.kind, row.data, row.filename, row.file_id))
        return media

    # ------------------------------------------------------------------------------------ recording

    def _push(self, result: SendResult) -> None:
        self._results.append(result)
        self._results_ready.set()

    def _put_back_nowait(self, rows: list[ClaimedMessage], wait: float = 0.0) -> None:
        for row in rows:
            self._push(SendResult(row, "retry", retry_at=_after(wait), count_attempt=False))

    async def _put_back(self, rows: list[ClaimedMessage], wait: float) -> None:
        self._put_back_nowait(rows, wait)
        await self._flush_results()

    async def _record_forever(self) -> None:
        while True:
            await self._results_ready.wait()
            # Gather a few more outcomes so one transaction records many; this bounds how many
            # sent-but-unrecorded rows a crash can repeat to about RECORD_DELAY's worth of sending.
            await asyncio.sleep(RECORD_DELAY)
            self._results_ready.clear()
            await self._flush_results(until_empty=False)

    def _forget_recorded(self, results: list[SendResult]) -> None:
        for result in results:
            held = self._unrecorded.get(result.message.batch_id)
            if held is not None:
                held.discard(result.message.id)
                if not held:
                    del self._unrecorded[result.message.batch_id]

    async def _flush_results(self, until_empty: bool = True) -> None:
        first = True
        while self._results and (until_empty or first):
            first = False
            batch, self._results = self._results, []
            recording = {r.message.id for r in batch}
            unfinished = {b for b, held in self._unrecorded.items() if not held <= recording}
            try:
                async with transaction(self.sessions) as session:
                    await record_results(session, batch, self.worker_id, self.handlers,
                                         unfinished_batches=unfinished)
                self._forget_recorded(batch)
            except asyncio.CancelledError:
                self._results = batch + self._results
                raise
            except Exception as exc:
                # Keep them and try again: the rows stay claimed meanwhile, and if we die they go
                # back to the queue after the claim timeout (at-least-once).
                if is_outage(exc):  # the database restarting: expected, one line
                    log.warning("recording %d outbox outcomes failed (%s: the database is unreachable); "
                                "retrying", len(batch), type(exc).__name__)
                else:
                    log.exception("recording %d outbox outcomes failed; retrying", len(batch))
                self._results = batch + self._results
                # The recorder waits for new outcomes; these must be retried even if none come
                # (the last of a broadcast stayed claimed for good after a database restart).
                self._results_ready.set()
                await asyncio.sleep(self.settings.poll_interval_seconds)


async def _queue_horizon(session: AsyncSession) -> tuple[dt.datetime | None, int]:
    next_due = await session.scalar(select(func.min(OutboxMessage.not_before))
                                    .where(OutboxMessage.state == OutboxState.QUEUED.value))
    claimed = await session.scalar(select(func.count()).select_from(OutboxMessage)
                                   .where(OutboxMessage.state == OutboxState.CLAIMED.value))
    return next_due, claimed or 0


def _after(seconds: float) -> dt.datetime:
    return utcnow() + dt.timedelta(seconds=seconds)


def _reason(exc: Exception) -> str:
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:500]


def _file_id(message: Message, kind: str) -> str | None:
    if kind == "photo" and message.photo:
        return message.photo[-1].file_id
    if kind == "document" and message.document:
        return message.document.file_id
    return None
