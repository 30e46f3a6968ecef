"""Questions to speakers and their upvotes (one per person, kept by the unique key); talk ratings."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, ForeignKey, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow


class Question(Base):
    __tablename__ = "questions_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("core_events.id", ondelete="CASCADE"), index=True)
    # A schedule session's id as text, or "" for a question to the event's speakers in general.
    scope: Mapped[str] = mapped_column(String(64), default="")
    asker_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # NULL once the asker is forgotten
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    asker_name: Mapped[str] = mapped_column(String(128), default="")
    text: Mapped[str] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(16), default="published")  # pending|published|answered|hidden
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class QuestionVote(Base):
    __tablename__ = "questions_votes"
    __table_args__ = (UniqueConstraint("question_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions_questions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Rating(Base):
    """One person's "rate this talk" for one schedule session.

    The row is written when the prompt is queued, so its unique key is what makes the prompt go
    out once per person (two job runners, a rerun after a restart: the second insert does
    nothing); the score is filled in by their tap and may change until ``closes_at``.
    """

    __tablename__ = "questions_ratings"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("core_events.id", ondelete="CASCADE"), index=True)
    # A schedule session's id; no foreign key: the schedule plugin's tables may not exist.
    session_id: Mapped[int] = mapped_column()
    user_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # NULL once forgotten; the score stays
    score: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)  # 1..5, NULL until they tap
    prompted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    closes_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    rated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
