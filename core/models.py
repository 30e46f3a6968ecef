"""Core tables: events, Telegram users and their per-event membership (role, profile, consent)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow


class Role(enum.StrEnum):
    PARTICIPANT = "participant"
    SPEAKER = "speaker"
    CHECKER = "checker"
    ADMIN = "admin"


class Event(Base):
    __tablename__ = "core_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    language: Mapped[str] = mapped_column(String(8), default="ru")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(Base):
    """A Telegram user. The primary key is the Telegram user id."""

    __tablename__ = "core_users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    first_name: Mapped[str] = mapped_column(String(128), default="")
    last_name: Mapped[str | None] = mapped_column(String(128), nullable=True)
    username: Mapped[str | None] = mapped_column(String(64), nullable=True)
    telegram_language: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # The language the user picked in the cabinet; wins over Telegram's and the event's.
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    current_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("core_events.id", ondelete="SET NULL"), nullable=True
    )
    # Set when Telegram answers 403 (blocked / deactivated): we stop sending to them.
    unreachable_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Member(Base):
    """A user's membership in one event: role, sign-up form answers and consent."""

    __tablename__ = "core_members"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("core_events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("core_users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16), default=Role.PARTICIPANT.value)
    profile: Mapped[dict] = mapped_column(JSON, default=dict)
    consent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    registered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    joined_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_registered(self) -> bool:
        return self.registered_at is not None
