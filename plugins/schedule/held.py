"""Changes other plugins hand to the schedule, so that a participant hears of a period's changes
in ONE message: a booked workshop moved, changed place or was cancelled (the workshops plugin's
``workshops_change_notice`` hook) joins the digest of the next "Publish changes".

The period: with drafts on, a handed-over change waits for the next release, at most
``workshop_hold_minutes``, and never later than that long before the workshop starts (its old or
new time), so nobody learns of a move too late. If no release comes first, a due-time job
(``digest.send_held``) sends each of its people everything held for them, still as one message.
With drafts off (each edit is published at once) or a hold of 0 nothing is taken: workshops tells
its people itself.

One row per person and change; several changes of one subject merge (moved twice: from the first
time to the last; moved, then cancelled: cancelled). Rows are taken with DELETE ... RETURNING, so a
release and the job racing each other never tell anyone twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, select

from core.jobs import schedule
from plugins.schedule.models import HeldChange
from plugins.schedule.settings import config

JOB = "schedule:held"
_TABLE = HeldChange.__table__


@dataclass(frozen=True)
class Spot:
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    place: str | None


@dataclass(frozen=True)
class Held:
    """One subject's changes for one reader (or, in the organizer's preview, for everyone)."""

    source: str  # "workshop"
    subject: str
    title: str
    what: tuple[str, ...]  # cancelled | moved | place
    old: Spot
    new: Spot


def hold_until(conf, change, now: dt.datetime) -> dt.datetime | None:
    """When the change must go out at the latest, or None if it is not held at all."""
    if not conf.drafts or conf.workshop_hold_minutes <= 0:
        return None
    hold = dt.timedelta(minutes=conf.workshop_hold_minutes)
    first = min(change.old_starts_at, change.starts_at)
    return max(now, min(now + hold, first - hold))


async def take_over(app, session, event, change, now: dt.datetime) -> list[int]:
    """The ``workshops_change_notice`` implementation: hold the change for its booked people
    (offer holders and the waiting keep the workshops' own notice). Returns whom we took."""
    due = hold_until(config(app, event), change, now)
    people = [uid for uid, kind in change.recipients.items() if kind == "booked"]
    if due is None or not people:
        return []
    rows = [HeldChange(event_id=event.id, user_id=uid, source="workshop", subject=f"workshop:{change.workshop_id}",
                       title=change.title, cancelled=change.cancelled, old_starts_at=change.old_starts_at,
                       old_ends_at=change.old_ends_at, old_place=change.old_place, starts_at=change.starts_at,
                       ends_at=change.ends_at, place=change.place, created_at=now, due_at=due)
            for uid in people]
    session.add_all(rows)
    await session.flush()
    first = min(row.id for row in rows)
    # One job per handed-over change: when it comes due it sends what is still held for its people.
    await schedule(session, key=f"{JOB}:{event.id}:{first}", job=JOB, due_at=due,
                   payload={"event_id": event.id, "ids": sorted(row.id for row in rows)})
    return people


def _merged(rows) -> Held | None:
    first, last = rows[0], rows[-1]
    old = Spot(first.old_starts_at, first.old_ends_at, first.old_place)
    new = Spot(last.starts_at, last.ends_at, last.place)
    if any(r.cancelled for r in rows):
        what: tuple[str, ...] = ("cancelled",)
    else:
        what = tuple(w for w, differs in (("moved", (old.starts_at, old.ends_at) != (new.starts_at, new.ends_at)),
                                          ("place", old.place != new.place)) if differs)
    return Held(last.source, last.subject, last.title, what, old, new) if what else None


def by_reader(rows) -> dict[int, list[Held]]:
    """Each reader's held changes, one per subject (moved and moved back: nothing to tell)."""
    grouped: dict[int, dict[str, list]] = {}
    for row in sorted(rows, key=lambda r: r.id):
        grouped.setdefault(row.user_id, {}).setdefault(row.subject, []).append(row)
    out = {}
    for uid, subjects in grouped.items():
        changes = [h for same in subjects.values() if (h := _merged(same)) is not None]
        if changes:
            out[uid] = changes
    return out


def by_subject(rows) -> list[Held]:
    """What the held changes amount to, subject by subject (the organizer's preview)."""
    grouped: dict[str, list] = {}
    for row in sorted(rows, key=lambda r: r.id):
        grouped.setdefault(row.subject, []).append(row)
    return [h for same in grouped.values() if (h := _merged(same)) is not None]


async def pending(session, event_id: int) -> list:
    """Rows held for the event (read only: for the preview)."""
    return list((await session.execute(select(_TABLE).where(_TABLE.c.event_id == event_id))).all())


async def take(session, event_id: int, user_ids: list[int] | None = None) -> list:
    """Delete and return the rows held for the event (for ``user_ids`` only, if given): whoever
    takes a row tells its reader; a concurrent taker gets nothing of it."""
    stmt = delete(_TABLE).where(_TABLE.c.event_id == event_id)
    if user_ids is not None:
        stmt = stmt.where(_TABLE.c.user_id.in_(user_ids))
    return list((await session.execute(stmt.returning(*_TABLE.c))).all())


async def count(session, event_id: int) -> int:
    return await session.scalar(select(func.count(func.distinct(_TABLE.c.subject)))
                                .where(_TABLE.c.event_id == event_id)) or 0


async def forget(session, event_id: int, user_id: int) -> None:
    await session.execute(delete(_TABLE).where(_TABLE.c.event_id == event_id, _TABLE.c.user_id == user_id))


async def people_of(session, ids: list[int]) -> list[int]:
    """Whose held changes ``ids`` are (those not taken yet)."""
    return list((await session.scalars(select(_TABLE.c.user_id).where(_TABLE.c.id.in_(ids)).distinct())).all())
