"""Who is booked, for organizers: the attendee list (a page at a time) and the CSV export of
every workshop's attendees and, through ``workshops_export_rows``, its queue."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from core import csv_export
from core.models import Event, Member, User
from plugins.workshops import hook_calls
from plugins.workshops.access import require_admin
from plugins.workshops.models import Booking
from plugins.workshops.queries import list_workshops
from plugins.workshops.settings import tz_of


@dataclass(frozen=True)
class Attendee:
    """One booked person, as an organizer sees them."""

    user_id: int
    name: str
    username: str | None
    profile: dict
    booked_at: dt.datetime
    source: str
    attended_at: dt.datetime | None = None  # marked at the door


async def attendees(session, event: Event, workshop_id: int, *, offset: int = 0,
                    limit: int | None = None) -> tuple[list[Attendee], int]:
    """A page of the workshop's attendees in booking order, and how many there are in all."""
    total = await session.scalar(select(func.count()).select_from(Booking).where(Booking.workshop_id == workshop_id))
    stmt = (select(Booking, User, Member).join(User, User.id == Booking.user_id)
            .outerjoin(Member, (Member.user_id == Booking.user_id) & (Member.event_id == event.id))
            .where(Booking.workshop_id == workshop_id).order_by(Booking.created_at, Booking.id).offset(offset))
    if limit is not None:
        stmt = stmt.limit(limit)
    out = []
    for booking, user, member in (await session.execute(stmt)).all():
        profile = (member.profile if member else None) or {}
        name = profile.get("full_name") or " ".join(p for p in (user.first_name, user.last_name) if p) or str(user.id)
        out.append(Attendee(user.id, name, user.username, profile, booking.created_at, booking.source,
                            booking.attended_at))
    return out, total or 0


async def export_csv(app, session, event: Event, actor, workshop_id: int | None = None) -> str:
    """Attendees (and, through the waitlist hook, the queue) as CSV, one row per person and workshop.

    The rows are read here; the text is written in a worker thread (``csv_text``): an export of a
    big event is thousands of rows, and the loop keeps serving taps meanwhile."""
    require_admin(app, event, actor)
    tz = tz_of(event)
    workshops = await list_workshops(session, event.id)
    if workshop_id is not None:
        workshops = [w for w in workshops if w.id == workshop_id]
    header = ["workshop_id", "workshop_key", "workshop", "starts_at", "status", "position", "user_id",
              "name", "username", "phone", "since", "attended_at"]
    rows: list[list[Any]] = [header]

    def stamp(moment: dt.datetime | None) -> str:
        return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S") if moment else ""

    for w in workshops:
        start = w.starts_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        people_, _ = await attendees(session, event, w.id)
        for a in people_:
            rows.append([w.id, w.key or "", w.title, start, "booked", "", a.user_id, a.name, a.username or "",
                         a.profile.get("phone", ""), stamp(a.booked_at), stamp(a.attended_at)])
        # registry.call flattens each plugin's list of rows into rows; theirs end before "attended_at"
        for row in await hook_calls.call(app, event, "workshops_export_rows", session=session, workshop=w):
            if isinstance(row, list) and row:
                line = [w.id, w.key or "", w.title, start, *row]
                rows.append(line + [""] * (len(header) - len(line)))
    return await asyncio.to_thread(csv_text, rows)


def csv_text(rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    csv_export.writer(buffer).writerows(rows)  # formula-safe cells
    return buffer.getvalue()

