"""The organizer's side of the catalogue: create, change, resize and delete workshops.

Every operation checks the organizer role itself, validates before it writes, locks the workshop
row where seats are involved, and re-times the reminders when the start moves. A change of time or
place, and a deletion, is announced (``announcements.py``) in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import fields, replace
from typing import Any

from core.db import utcnow
from core.models import Event
from plugins.workshops import hook_calls, reminders
from plugins.workshops.access import require_admin
from plugins.workshops.announcements import NOTIFY_FIELDS, announce_cancelled, announce_change
from plugins.workshops.models import KEY_MAX, Workshop
from plugins.workshops.organizer_input import InputError, WorkshopData, parse_capacity, validate
from plugins.workshops.queries import booked_counts, lock_workshop
from plugins.workshops.results import CapacityResult, UpdateResult
from plugins.workshops.availability import held_seats


async def create_workshop(app, session, event: Event, actor, data: WorkshopData, *, key: str | None = None,
                          now: dt.datetime | None = None) -> Workshop:
    require_admin(app, event, actor)
    now = now or utcnow()
    data = validate(data, now)
    if key is not None and (not key or len(key) > KEY_MAX):
        raise InputError("workshops-error-key", limit=KEY_MAX)
    workshop = Workshop(event_id=event.id, key=key, title=data.title, speaker=data.speaker, place=data.place,
                        description=data.description, starts_at=data.starts_at, ends_at=data.ends_at,
                        capacity=data.capacity, version=0, created_at=now, updated_at=now)
    session.add(workshop)
    await session.flush()
    await reminders.plan(app, session, event, workshop, now)
    return workshop


async def update_workshop(app, session, event: Event, actor, workshop_id: int, changes: dict[str, Any],
                          *, now: dt.datetime | None = None, check_future: bool = True) -> UpdateResult:
    """Apply ``changes`` (WorkshopData field names). All checked before anything is written; a change
    of time or place is announced to attendees (and offer holders) through the outbox."""
    require_admin(app, event, actor)
    now = now or utcnow()
    workshop = await lock_workshop(session, event.id, workshop_id)
    if workshop is None:
        raise InputError("workshops-error-not-found")
    names = {f.name for f in fields(WorkshopData)}
    unknown = set(changes) - names
    if unknown:
        raise ValueError(f"unknown workshop fields {sorted(unknown)}")
    current = WorkshopData(title=workshop.title, starts_at=workshop.starts_at, ends_at=workshop.ends_at,
                           capacity=workshop.capacity, speaker=workshop.speaker, place=workshop.place,
                           description=workshop.description)
    wanted = replace(current, **changes)
    times_moved = (wanted.starts_at, wanted.ends_at) != (current.starts_at, current.ends_at)
    wanted = validate(wanted, now if (check_future and times_moved) else None)
    result = UpdateResult(workshop)
    if wanted.capacity != current.capacity:
        result.capacity = await _change_capacity(app, session, event, workshop, wanted.capacity, now)
        if result.capacity.status == "below":
            raise InputError("workshops-error-capacity-below", capacity=wanted.capacity,
                             booked=result.capacity.booked, held=result.capacity.held,
                             minimum=result.capacity.booked + result.capacity.held)
        result.changed.append("capacity")
    old = {name: getattr(workshop, name) for name in NOTIFY_FIELDS}
    for name in ("title", "speaker", "place", "description", "starts_at", "ends_at"):
        if getattr(wanted, name) != getattr(workshop, name):
            setattr(workshop, name, getattr(wanted, name))
            result.changed.append(name)
    if result.changed:
        workshop.version += 1
        workshop.updated_at = now
    if any(name in result.changed for name in NOTIFY_FIELDS):
        result.notified, result.joined = await announce_change(app, session, event, workshop, old, now)
    await session.flush()
    if "starts_at" in result.changed:
        await reminders.plan(app, session, event, workshop, now)
    return result


async def set_capacity(app, session, event: Event, actor, workshop_id: int, capacity: int | str,
                       now: dt.datetime | None = None) -> CapacityResult:
    """Raising promotes from the waitlist; lowering below bookings + held seats is refused."""
    require_admin(app, event, actor)
    now = now or utcnow()
    new = parse_capacity(capacity)
    workshop = await lock_workshop(session, event.id, workshop_id)
    if workshop is None:
        raise InputError("workshops-error-not-found")
    return await _change_capacity(app, session, event, workshop, new, now)


async def _change_capacity(app, session, event, workshop: Workshop, new: int, now) -> CapacityResult:
    old = workshop.capacity
    await hook_calls.call(app, event, "workshops_process_holds", session=session, workshop=workshop, now=now)
    booked = (await booked_counts(session, [workshop.id]))[workshop.id]
    held = (await held_seats(app, session, event, [workshop.id], None, now))[workshop.id][0]
    if new == old:
        return CapacityResult("unchanged", old, new, booked, held)
    if new < booked + held:
        return CapacityResult("below", old, new, booked, held)
    workshop.capacity = new
    workshop.version += 1
    workshop.updated_at = now
    await session.flush()
    await hook_calls.call(app, event, "capacity_changed", session=session, workshop_id=workshop.id, old=old, new=new,
                         now=now)
    return CapacityResult("changed", old, new, booked, held)


async def delete_workshop(app, session, event: Event, actor, workshop_id: int,
                          now: dt.datetime | None = None) -> int:
    """Delete a workshop; attendees and queued people are told it is cancelled. Returns how many."""
    require_admin(app, event, actor)
    now = now or utcnow()
    workshop = await lock_workshop(session, event.id, workshop_id)
    if workshop is None:
        raise InputError("workshops-error-not-found")
    told = 0
    if workshop.ends_at > now:  # nobody needs a "cancelled" notice for a workshop that is over
        told = await announce_cancelled(app, session, event, workshop, now)
    await reminders.forget(session, workshop.id)
    await session.delete(workshop)
    await session.flush()
    return told

