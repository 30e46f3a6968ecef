"""Delivery tables: the outbox, broadcast batches and media uploaded once for many recipients."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, partial_index, utcnow

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Priority(enum.IntEnum):
    """Rank in the queue: a lower value is sent first (like ``nice``).

    INTERACTIVE: someone is waiting for it (an offer with a deadline, a helpdesk answer).
    NORMAL: timely notices (reminders, schedule changes). BULK: news and broadcasts.
    """

    INTERACTIVE = 0
    NORMAL = 5
    BULK = 9


class OutboxState(enum.StrEnum):
    QUEUED = "queued"
    CLAIMED = "claimed"  # a sender took it; returns to the queue if not confirmed in time
    SENT = "sent"
    FAILED = "failed"  # permanent: Telegram refused it (400) or retries ran out
    BLOCKED = "blocked"  # the recipient blocked the bot (403); never requested again


FINAL_STATES = (OutboxState.SENT, OutboxState.FAILED, OutboxState.BLOCKED)
PENDING_STATES = (OutboxState.QUEUED, OutboxState.CLAIMED)


class Broadcast(Base):
    """One organizer action that fans out to many outbox rows (``OutboxMessage.batch_id``)."""

    __tablename__ = "core_broadcasts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("core_events.id", ondelete="SET NULL"), nullable=True)
    title: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # Telegram user id
    total: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set once, by whichever sender records the last final outcome; that one enqueues the summary.
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class OutboxMedia(Base):
    """A photo or document given as bytes: uploaded once, then re-sent by the ``file_id`` Telegram returned."""

    __tablename__ = "core_outbox_media"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "photo" | "document"
    data: Mapped[bytes] = mapped_column(LargeBinary)
    filename: Mapped[str] = mapped_column(String(255), default="file")
    file_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutboxMessage(Base):
    """One message to one chat, written in the transaction of the change that causes it."""

    __tablename__ = "core_outbox"
    __table_args__ = (
        # The claim query: due rows in queue order. Partial, so sent history does not slow it down.
        partial_index("ix_core_outbox_queue", "priority", "not_before", "id", where="state = 'queued'"),
        # Crash recovery: claims older than the timeout.
        partial_index("ix_core_outbox_claimed", "claimed_at", where="state = 'claimed'"),
        Index("ix_core_outbox_batch_id_state", "batch_id", "state"),
        Index("ix_core_outbox_chat_id_state", "chat_id", "state"),
        Index("ix_core_outbox_event_id", "event_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("core_events.id", ondelete="SET NULL"), nullable=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("core_broadcasts.id", ondelete="SET NULL"), nullable=True)
    # Who wants to hear about the outcome (see core.delivery.outcomes), and their data for it.
    kind: Mapped[str | None] = mapped_column(String(64), nullable=True)
    payload: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    # {"text", "reply_markup", "photo": {"file_id"|"media_id"}, "document": {...}, ...}; see content.py
    content: Mapped[dict] = mapped_column(JSON)
    parse_mode: Mapped[str | None] = mapped_column(String(16), nullable=True)
    dedupe_key: Mapped[str | None] = mapped_column(String(255), nullable=True, unique=True)
    priority: Mapped[int] = mapped_column(SmallInteger, default=Priority.NORMAL)
    not_before: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    state: Mapped[str] = mapped_column(String(16), default=OutboxState.QUEUED.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
