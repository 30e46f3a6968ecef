"""Workshops tables: the workshops themselves, bookings, and the messages showing live seat counts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow

TITLE_MAX = 200
SPEAKER_MAX = 200
PLACE_MAX = 200
DESCRIPTION_MAX = 2000
KEY_MAX = 64


class Workshop(Base):
    """One workshop of an event. Seats are never stored as a counter: availability is computed
    under a row lock (bookings + seats held by open waitlist offers), as pretix does."""

    __tablename__ = "workshops_workshops"
    __table_args__ = (
        UniqueConstraint("event_id", "key"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("core_events.id", ondelete="CASCADE"), index=True)
    # Stable key from the program file (idempotent import); None for workshops made in the bot.
    key: Mapped[str | None] = mapped_column(String(KEY_MAX), nullable=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    speaker: Mapped[str | None] = mapped_column(String(SPEAKER_MAX), nullable=True)
    place: Mapped[str | None] = mapped_column(String(PLACE_MAX), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(Integer)
    # Bumped on every change a participant can see (seats, time, place...): live views compare it.
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Booking(Base):
    """A seat taken by a user. One per user and workshop: a double tap cannot book twice."""

    __tablename__ = "workshops_bookings"
    __table_args__ = (UniqueConstraint("workshop_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops_workshops.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("core_events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("core_users.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(16), default="direct")  # direct | waitlist
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Who came: set once at the workshop's door (``attendance.mark_attended``, e.g. from the qr
    # plugin's desk). On the booking, so it goes with it: a cancelled or forgotten booking takes
    # its mark along, and a deleted workshop leaves no stray marks behind.
    attended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    attended_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # None when marked: the operator


class LiveView(Base):
    """A list or card message a user opened: re-rendered (edited) when what it shows changes."""

    __tablename__ = "workshops_views"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    message_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("core_events.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # card | list
    page: Mapped[int] = mapped_column(Integer, default=0)
    workshop_ids: Mapped[list] = mapped_column(JSON, default=list)
    seen_version: Mapped[int] = mapped_column(Integer, default=0)  # sum of the shown workshops' versions
    text_hash: Mapped[str] = mapped_column(String(64), default="")
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    edited_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
