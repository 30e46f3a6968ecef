"""Waitlist table: one row per time a user queues for a workshop, ordered by the tap that queued it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, partial_index, utcnow

OPEN_STATES = ("waiting", "offered")
_OPEN_SQL = "state IN ('waiting', 'offered')"


class Entry(Base):
    """A place in a workshop's queue.

    States: waiting → offered → accepted | declined | expired; waiting → left; an offer is the entry
    in state ``offered`` with ``expires_at``: while it is open the seat is held for this person.
    Queue order is ``(tap_order, id)``: ``tap_order`` is the Telegram ``update_id`` of the tap that
    queued the user (monotonic per bot, so the order in which taps were sent, whatever order they
    reached the workshop lock in); without an update (CLI, services) it is one past the largest
    key of the workshop, i.e. the back of the line. The id breaks ties. Never a bare timestamp.
    One open entry per user and workshop (partial unique index); a user who left and comes back
    queues again at the end.
    """

    __tablename__ = "waitlist_entries"
    __table_args__ = (
        partial_index("uq_waitlist_entries_open", "workshop_id", "user_id", unique=True, where=_OPEN_SQL),
        Index("ix_waitlist_entries_workshop_id_state", "workshop_id", "state", "id"),
        Index("ix_waitlist_entries_workshop_id_state_tap_order", "workshop_id", "state", "tap_order", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops_workshops.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("core_events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("core_users.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="waiting")
    tap_order: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    offered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Why an offer ended without a booking: deadline | undeliverable | cutoff | declined
    reason: Mapped[str | None] = mapped_column(String(16), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
