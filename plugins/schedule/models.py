"""Schedule tables: sessions, speakers, bookmarks, reminder preferences, speaker links, releases,
changes of other plugins held for the next digest.

A session row holds what participants see (the *published* program). Organizer edits made while
drafts are on wait in ``draft`` (changed fields only) until "Publish changes"; a session created
as a draft has ``published_at`` NULL and is invisible to participants until then.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow

TITLE_MAX = 200
ROOM_MAX = 100
TRACK_MAX = 100
NAME_MAX = 200
USERNAME_MAX = 64
DESCRIPTION_MAX = 3000
BIO_MAX = 2000
KEY_MAX = 64
KINDS = ("talk", "keynote", "break", "deadline", "other")


class Speaker(Base):
    __tablename__ = "schedule_speakers"
    __table_args__ = (UniqueConstraint("event_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("core_events.id", ondelete="CASCADE"), index=True)
    key: Mapped[str | None] = mapped_column(String(KEY_MAX), nullable=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    bio: Mapped[str | None] = mapped_column(Text, nullable=True)
    username: Mapped[str | None] = mapped_column(String(USERNAME_MAX), nullable=True)
    # Set when the speaker claimed the entry through a one-time link.
    user_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Session(Base):
    __tablename__ = "schedule_sessions"
    __table_args__ = (UniqueConstraint("event_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("core_events.id", ondelete="CASCADE"), index=True)
    key: Mapped[str | None] = mapped_column(String(KEY_MAX), nullable=True)
    kind: Mapped[str] = mapped_column(String(16), default="talk")
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    room: Mapped[str | None] = mapped_column(String(ROOM_MAX), nullable=True)
    track: Mapped[str | None] = mapped_column(String(TRACK_MAX), nullable=True)
    # Speaker ids, in the order shown (a JSON list keeps the order and needs no join to render).
    speaker_ids: Mapped[list] = mapped_column(JSON, default=list)
    for_all: Mapped[bool] = mapped_column(Boolean, default=False)  # everyone is reminded, not just bookmarks
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    draft: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # pending changes: field → value
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Bookmark(Base):
    __tablename__ = "schedule_bookmarks"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("core_events.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("schedule_sessions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("core_users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReminderPref(Base):
    """A participant's reminder setting in one event; no row = reminders on, every lead time."""

    __tablename__ = "schedule_reminder_prefs"

    event_id: Mapped[int] = mapped_column(ForeignKey("core_events.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("core_users.id", ondelete="CASCADE"),
                                         primary_key=True, autoincrement=False)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)  # one chosen lead time; None = all


class SpeakerLink(Base):
    """A one-time claim link for a speaker entry; only the token's SHA-256 is stored."""

    __tablename__ = "schedule_speaker_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("core_events.id", ondelete="CASCADE"), index=True)
    speaker_id: Mapped[int] = mapped_column(ForeignKey("schedule_speakers.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    used_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class Release(Base):
    """One "Publish changes": what changed and how many people were told (as pretalx's releases)."""

    __tablename__ = "schedule_releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("core_events.id", ondelete="CASCADE"), index=True)
    changes: Mapped[int] = mapped_column(Integer, default=0)
    notified: Mapped[int] = mapped_column(Integer, default=0)
    published_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class HeldChange(Base):
    """A change another plugin handed over for the next digest (``held.py``): a booked workshop
    moved, changed place or was cancelled. One row per person and change; taken (deleted) by the
    release that tells them, or sent on its own at ``due_at`` if no release comes first."""

    __tablename__ = "schedule_held_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("core_events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("core_users.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(32))  # what it is ("workshop"), for the digest's wording
    subject: Mapped[str] = mapped_column(String(64))  # e.g. "workshop:12": changes to one subject merge
    title: Mapped[str] = mapped_column(Text)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    old_starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    old_ends_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    old_place: Mapped[str | None] = mapped_column(Text, nullable=True)
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    place: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
