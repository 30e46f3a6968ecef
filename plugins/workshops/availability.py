"""Seats as shown and as counted outside a booking tap: capacity, bookings, and seats other
plugins hold for someone (the waitlist's open offers, through ``workshops_held_seats``)."""

from __future__ import annotations

import datetime as dt

from core.db import utcnow
from core.models import Event
from plugins.workshops import hook_calls
from plugins.workshops.models import Workshop
from plugins.workshops.queries import booked_counts
from plugins.workshops.results import Seats


async def held_seats(app, session, event: Event, workshop_ids: list[int], user_id: int | None,
                     now: dt.datetime) -> dict[int, tuple[int, bool]]:
    """Seats promised to someone (open offers), per workshop, and whether one is ``user_id``'s."""
    held: dict[int, tuple[int, bool]] = {wid: (0, False) for wid in workshop_ids}
    if not workshop_ids:
        return held
    for result in await hook_calls.call(app, event, "workshops_held_seats", session=session,
                                        workshop_ids=workshop_ids, user_id=user_id, now=now):
        if isinstance(result, dict):
            for wid, (n, mine) in result.items():
                total, was_mine = held.get(wid, (0, False))
                held[wid] = (total + n, was_mine or mine)
    return held


async def seats(app, session, event: Event, workshops: list[Workshop], now: dt.datetime | None = None) -> dict[int, Seats]:
    """Seats for display (no lock): a snapshot that may be a moment old, never used to decide."""
    now = now or utcnow()
    ids = [w.id for w in workshops]
    booked = await booked_counts(session, ids)
    held = await held_seats(app, session, event, ids, None, now)
    return {w.id: Seats(w.capacity, booked.get(w.id, 0), held.get(w.id, (0, False))[0]) for w in workshops}
