"""QR tables: passes, check-ins (one per person and door, enforced by the database) and the scan log."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, partial_index, utcnow

NONCE_LEN = 26   # 128 random bits in base32, no padding
CODE_LEN = 8     # the short code printed under the QR (shown as XXXX-XXXX)
# The scope of a check-in at the event's entrance. A scan at a workshop's door is logged with scope
# "ws:<id>"; who came to a workshop is kept on its booking, by the workshops plugin (see doors.py).
ENTRANCE = "event"


class Pass(Base):
    """A participant's pass for one event. The QR carries the event slug, the signing key's id,
    ``nonce`` and an HMAC over them: nothing personal and nothing derived from the user id.
    At most one pass per person and event is live (partial unique index); re-issuing revokes
    the old row, so its QR answers "revoked"."""

    __tablename__ = "qr_passes"
    __table_args__ = (
        UniqueConstraint("event_id", "short_code"),
        partial_index("ix_qr_passes_live_one_per_member", "event_id", "user_id", unique=True,
                      where="revoked_at IS NULL"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("core_events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("core_users.id", ondelete="CASCADE"), index=True)
    nonce: Mapped[str] = mapped_column(String(NONCE_LEN), unique=True)
    short_code: Mapped[str] = mapped_column(String(CODE_LEN))
    key_id: Mapped[str] = mapped_column(String(32))  # the key that signed it (kept for rotation)
    # The photo Telegram stored when the pass was first sent: every later view re-sends it.
    photo_file_id: Mapped[str | None] = mapped_column(String(256), nullable=True)
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_reason: Mapped[str | None] = mapped_column(String(16), nullable=True)  # reissued | forgotten


class CheckIn(Base):
    """Someone came in. One row per person, event and door: twenty desks scanning the same pass
    at once insert one row (``INSERT … ON CONFLICT DO NOTHING``) and the rest read it back."""

    __tablename__ = "qr_checkins"
    __table_args__ = (UniqueConstraint("event_id", "user_id", "scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("core_events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("core_users.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(String(32), default=ENTRANCE)
    pass_id: Mapped[int | None] = mapped_column(ForeignKey("qr_passes.id", ondelete="SET NULL"), nullable=True)
    by_user_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # None: the CLI operator
    checked_in_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Scan(Base):
    """Every scan and undo, failures too (pretix keeps failed scans for statistics and disputes)."""

    __tablename__ = "qr_scans"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("core_events.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    by_user_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    scope: Mapped[str] = mapped_column(String(32), default=ENTRANCE)
    result: Mapped[str] = mapped_column(String(16))  # a service.Outcome value, or "undo"
    pass_id: Mapped[int | None] = mapped_column(ForeignKey("qr_passes.id", ondelete="SET NULL"), nullable=True)
    user_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class EventKey(Base):
    """A signing key generated for an event whose config names none (kept, so passes stay valid
    across restarts). Keys from the config win; this one still verifies what it signed."""

    __tablename__ = "qr_keys"
    __table_args__ = (UniqueConstraint("event_id", "key_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("core_events.id", ondelete="CASCADE"), index=True)
    key_id: Mapped[str] = mapped_column(String(32))
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
