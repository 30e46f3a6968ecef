"""Check-in at a workshop's door: the desk picks one of today's workshops, and each pass scanned
there (through the same checks as at the entrance) marks its holder as came — if they booked it.

Who came is the workshops plugin's to keep: it is a fact about a booking, so it lives on the
booking (``mark_attended`` of ``plugins.workshops.public``) and shows in the workshop's attendee
list and CSV without the workshops plugin knowing about passes. This module is the only place qr
touches the workshops plugin, and only when an event turns ``door_checkin`` on (which needs that
plugin active), so qr keeps working without it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from core import people
from core.db import utcnow
from core.models import Event, Member
from plugins.qr.models import Pass
from plugins.qr.scans import Outcome, ScanResult, door_checkin, door_scope, log_scan, name_of, require_desk

MAX_DOORS = 30  # buttons in the picker; an event with more workshops in one day is not a thing we know

_OUTCOMES = {"marked": Outcome.OK, "already": Outcome.ALREADY, "not_booked": Outcome.NOT_BOOKED,
             "no_workshop": Outcome.NO_DOOR}


@dataclass(frozen=True)
class Door:
    workshop_id: int
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str | None
    booked: int
    came: int


def _workshops():
    from plugins.workshops import public  # imported on first use: qr works without the workshops plugin

    return public


async def _doors(session, workshops: list) -> list[Door]:
    ws = _workshops()
    ids = [w.id for w in workshops]
    booked, came = await ws.booked_counts(session, ids), await ws.attended_counts(session, ids)
    return [Door(w.id, w.title, w.starts_at, w.ends_at, w.place, booked[w.id], came[w.id]) for w in workshops]


async def todays(app, session, event: Event, actor, now: dt.datetime | None = None) -> list[Door]:
    """The doors to pick from: workshops starting today in the event's time zone, and any still
    running from yesterday. Empty when door check-in is off."""
    require_desk(app, event, actor)
    if not door_checkin(app, event):
        return []
    now = now or utcnow()
    tz = ZoneInfo(event.timezone or "UTC")
    today = now.astimezone(tz).date()
    workshops = [w for w in await _workshops().list_workshops(session, event.id)
                 if w.starts_at.astimezone(tz).date() == today or w.starts_at <= now < w.ends_at]
    return await _doors(session, workshops[:MAX_DOORS])


async def door(app, session, event: Event, actor, workshop_id: int) -> Door | None:
    """One door with its counts; None if the workshop is gone or door check-in is off."""
    require_desk(app, event, actor)
    if not door_checkin(app, event):
        return None
    workshop = await _workshops().get_workshop(session, event.id, workshop_id)
    return None if workshop is None else (await _doors(session, [workshop]))[0]


async def mark(app, session, event: Event, actor, pass_: Pass, member: Member, name: str,
               workshop_id: int) -> ScanResult:
    """A valid pass of a registered member, scanned at ``workshop_id``'s door (the service's
    ``_admit`` has checked the pass)."""
    got = await _workshops().mark_attended(app, session, event, actor, workshop_id, pass_.user_id)
    outcome = _OUTCOMES[got.status]
    await log_scan(session, event, actor, outcome, door_scope(workshop_id), pass_id=pass_.id, user_id=pass_.user_id)
    by = await name_of(session, event, got.by_user_id) if outcome is Outcome.ALREADY else None
    return ScanResult(outcome, name=name, role=member.role, at=got.at, by_name=by, user_id=pass_.user_id,
                      door=workshop_id)


async def undo(app, session, event: Event, actor, workshop_id: int, user_id: int) -> str | None:
    """Take back a mark made by mistake (organizers only; logged). Returns the person's name,
    None if there was no mark (already undone)."""
    people.require_organizer(app.settings, event, actor)
    if not door_checkin(app, event) or not await _workshops().unmark_attended(app, session, event, actor,
                                                                              workshop_id, user_id):
        return None
    await log_scan(session, event, actor, "undo", door_scope(workshop_id), user_id=user_id)
    return await name_of(session, event, user_id) or "—"
