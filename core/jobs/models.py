"""The due-time jobs table: one row per piece of work that must happen at a given time."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, partial_index, utcnow

BigId = BigInteger().with_variant(Integer(), "sqlite")


class JobState(enum.StrEnum):
    SCHEDULED = "scheduled"
    CLAIMED = "claimed"  # a runner is executing it; returns to "scheduled" if it crashed
    DONE = "done"
    FAILED = "failed"  # the handler kept raising until the attempts ran out
    DROPPED = "dropped"  # fell due while we were down and its JobSpec says late is useless
    CANCELLED = "cancelled"


class Job(Base):
    __tablename__ = "core_jobs"
    __table_args__ = (
        partial_index("ix_core_jobs_due", "due_at", where="state = 'scheduled'"),
        partial_index("ix_core_jobs_claimed", "claimed_at", where="state = 'claimed'"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)  # e.g. "workshops:reminder:42:1001"
    job: Mapped[str] = mapped_column(String(128))  # "<plugin>:<JobSpec.name>"
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(16), default=JobState.SCHEDULED.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
