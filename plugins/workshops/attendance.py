"""Who came: marks at a workshop's door (the qr plugin's check-in desk scans passes into them).

A mark is a fact about a booking, so it lives on the booking row (``attended_at``,
``attended_by``) and shows in the attendee list and the CSV export.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, update

from core.db import utcnow
from core.models import Event
from plugins.workshops.access import require_admin, require_door_staff
from plugins.workshops.models import Booking
from plugins.workshops.queries import get_workshop


@dataclass(frozen=True)
class Attendance:
    status: str                      # marked | already | not_booked | no_workshop
    at: dt.datetime | None = None    # the mark (for "already": the first one)
    by_user_id: int | None = None    # who marked them; None: the operator (CLI)


async def mark_attended(app, session, event: Event, actor, workshop_id: int, user_id: int,
                        now: dt.datetime | None = None) -> Attendance:
    """``user_id`` came to the workshop (their booking is marked). Only people booked for it can be
    marked. However many doors scan one person at once, one mark is made: the UPDATE sets it only
    while it is unset (PostgreSQL re-checks that condition once the first writer commits; SQLite's
    write lock runs them one by one) and the others read the first mark back."""
    require_door_staff(app, event, actor)
    if await get_workshop(session, event.id, workshop_id) is None:
        return Attendance("no_workshop")
    now = now or utcnow()
    by = getattr(actor, "user_id", None)
    marked = await session.scalar(
        update(Booking).where(Booking.workshop_id == workshop_id, Booking.user_id == user_id,
                              Booking.attended_at.is_(None))
        .values(attended_at=now, attended_by=by).returning(Booking.id)
        .execution_options(synchronize_session=False))
    if marked is not None:
        return Attendance("marked", now, by)
    row = (await session.execute(select(Booking.attended_at, Booking.attended_by).where(
        Booking.workshop_id == workshop_id, Booking.user_id == user_id))).first()
    if row is None:
        return Attendance("not_booked")
    return Attendance("already", row.attended_at, row.attended_by)


async def unmark_attended(app, session, event: Event, actor, workshop_id: int, user_id: int) -> bool:
    """Take a mistaken mark back (organizers only). False: there was none."""
    require_admin(app, event, actor)
    undone = await session.scalar(
        update(Booking).where(Booking.workshop_id == workshop_id, Booking.event_id == event.id,
                              Booking.user_id == user_id, Booking.attended_at.is_not(None))
        .values(attended_at=None, attended_by=None).returning(Booking.id)
        .execution_options(synchronize_session=False))
    return undone is not None


async def attended_counts(session, workshop_ids: list[int]) -> dict[int, int]:
    """How many of each workshop's booked people were marked at its door."""
    counts = dict.fromkeys(workshop_ids, 0)
    if workshop_ids:
        rows = await session.execute(select(Booking.workshop_id, func.count())
                                     .where(Booking.workshop_id.in_(workshop_ids), Booking.attended_at.is_not(None))
                                     .group_by(Booking.workshop_id))
        counts.update({wid: n for wid, n in rows.all()})
    return counts

