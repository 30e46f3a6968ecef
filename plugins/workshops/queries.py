"""Reading workshops and bookings: plain queries in the caller's session, no writes, no hooks."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import utcnow
from plugins.workshops.models import Booking, Workshop
from plugins.workshops.results import Clash


async def get_workshop(session: AsyncSession, event_id: int, workshop_id: int) -> Workshop | None:
    """The event's workshop ``workshop_id``, or None (gone, or another event's)."""
    return await session.scalar(select(Workshop).where(Workshop.id == workshop_id, Workshop.event_id == event_id))


_LOCK_WORKSHOP = (select(Workshop).where(Workshop.id == bindparam("lk_id"), Workshop.event_id == bindparam("lk_event"))
                  .with_for_update().execution_options(populate_existing=True))


async def lock_workshop(session: AsyncSession, event_id: int, workshop_id: int) -> Workshop | None:
    """The workshop row, locked for the rest of the transaction (re-read, not from the identity map)."""
    return await session.scalar(_LOCK_WORKSHOP, {"lk_id": workshop_id, "lk_event": event_id})


async def list_workshops(session: AsyncSession, event_id: int, *, upcoming_only: bool = False,
                         now: dt.datetime | None = None) -> list[Workshop]:
    """The event's workshops by start; ``upcoming_only``: those not over yet."""
    stmt = select(Workshop).where(Workshop.event_id == event_id)
    if upcoming_only:
        stmt = stmt.where(Workshop.ends_at > (now or utcnow()))
    return list((await session.scalars(stmt.order_by(Workshop.starts_at, Workshop.id))).all())


async def booked_counts(session: AsyncSession, workshop_ids: list[int]) -> dict[int, int]:
    """How many people are booked for each of the workshops (0 included)."""
    if not workshop_ids:
        return {}
    rows = await session.execute(select(Booking.workshop_id, func.count()).where(Booking.workshop_id.in_(workshop_ids))
                                 .group_by(Booking.workshop_id))
    counts = dict.fromkeys(workshop_ids, 0)
    counts.update({wid: n for wid, n in rows.all()})
    return counts


async def user_booking_ids(session, event_id: int, user_id: int) -> set[int]:
    rows = await session.scalars(select(Booking.workshop_id).where(Booking.event_id == event_id,
                                                                   Booking.user_id == user_id))
    return set(rows.all())


async def user_bookings(session, event_id: int, user_id: int) -> list[Workshop]:
    rows = await session.scalars(select(Workshop).join(Booking, Booking.workshop_id == Workshop.id)
                                 .where(Booking.event_id == event_id, Booking.user_id == user_id)
                                 .order_by(Workshop.starts_at, Workshop.id))
    return list(rows.all())


async def is_booked(session, workshop_id: int, user_id: int) -> bool:
    """``user_id`` has a seat in the workshop."""
    return await session.scalar(select(Booking.id).where(Booking.workshop_id == workshop_id,
                                                         Booking.user_id == user_id)) is not None


async def find_clash(session, event_id: int, user_id: int, workshop: Workshop) -> Clash | None:
    """Another booked workshop of this user that overlaps ``workshop`` in time."""
    other = await session.scalar(
        select(Workshop).join(Booking, Booking.workshop_id == Workshop.id)
        .where(Booking.event_id == event_id, Booking.user_id == user_id, Workshop.id != workshop.id,
               Workshop.starts_at < workshop.ends_at, Workshop.ends_at > workshop.starts_at)
        .order_by(Workshop.starts_at).limit(1))
    if other is None:
        return None
    return Clash(other.id, other.title, other.starts_at, other.ends_at)
