"""Polls tables: a poll, its options, the votes (one row per voter and slot), opened result views."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow


class Poll(Base):
    __tablename__ = "polls_polls"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("core_events.id", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(String(300))
    multiple: Mapped[bool] = mapped_column(Boolean, default=False)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    changeable: Mapped[bool] = mapped_column(Boolean, default=True)
    show_results: Mapped[bool] = mapped_column(Boolean, default=True)  # voters see the counts after voting
    publish_results: Mapped[bool] = mapped_column(Boolean, default=True)  # results go to voters on closing
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)  # listed under "Polls" in the main menu
    audience: Mapped[str | None] = mapped_column(String(48), nullable=True)
    session_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)  # a schedule session, if linked
    closes_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class PollOption(Base):
    __tablename__ = "polls_options"
    __table_args__ = (UniqueConstraint("poll_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls_polls.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(100))


class PollVote(Base):
    """One chosen option of one voter. ``slot`` is 0 for single-choice polls (so the unique key
    allows one choice per person) and the option's position + 1 for multiple choice (one row per
    ticked option). ``voter`` is the user id for named polls and a keyed hash for anonymous ones,
    whose ``user_id`` stays NULL: nothing stored links an anonymous choice to a person."""

    __tablename__ = "polls_votes"
    __table_args__ = (UniqueConstraint("poll_id", "voter", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls_polls.id", ondelete="CASCADE"), index=True)
    voter: Mapped[str] = mapped_column(String(64))
    slot: Mapped[int] = mapped_column(Integer, default=0)
    option_id: Mapped[int] = mapped_column(ForeignKey("polls_options.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    voted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class PollView(Base):
    """An organizer's results message, edited live (at most once a second) while votes come in."""

    __tablename__ = "polls_views"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    message_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls_polls.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    digest: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    extra: Mapped[dict] = mapped_column(JSON, default=dict)
