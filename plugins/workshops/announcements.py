"""Telling people that a workshop moved, changed place or was cancelled: attendees, and whoever
another plugin names (``workshops_people``: offer holders, the waiting), each in their language,
through the outbox in the transaction of the change. A plugin may take some of them to tell in a
notice of its own (``workshops_change_notice``: the schedule's digest)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from core import people
from plugins.workshops import hook_calls, notify
from plugins.workshops.formatting import format_when, quote
from plugins.workshops.models import Booking, Workshop
from plugins.workshops.settings import tz_of

NOTIFY_FIELDS = ("starts_at", "ends_at", "place")  # a change of these is announced


async def _recipients(app, session, event, workshop, *, include_waiting: bool) -> dict[int, str]:
    attendees = await session.scalars(select(Booking.user_id).where(Booking.workshop_id == workshop.id))
    recipients = {uid: "booked" for uid in attendees.all()}
    for extra in await hook_calls.call(app, event, "workshops_people", session=session, workshop=workshop):
        for uid, kind in (extra or {}).items():
            if kind == "offered" or include_waiting:
                recipients.setdefault(uid, kind)
    return recipients


def _change(workshop: Workshop, recipients: dict[int, str], *, cancelled: bool,
            old: dict[str, Any] | None) -> notify.WorkshopChange:
    old = old or {name: getattr(workshop, name) for name in NOTIFY_FIELDS}
    return notify.WorkshopChange(
        workshop_id=workshop.id, version=workshop.version, title=workshop.title, cancelled=cancelled,
        old_starts_at=old["starts_at"], old_ends_at=old["ends_at"], old_place=old["place"],
        starts_at=workshop.starts_at, ends_at=workshop.ends_at, place=workshop.place, recipients=dict(recipients))


async def _send_to(app, session, event, change: notify.WorkshopChange, what: str, render,
                   now: dt.datetime) -> tuple[int, int]:
    """Tell ``change.recipients``, except those a plugin takes to tell in a notice of its own (the
    schedule's digest). Returns ``(told, taken)``: everyone who hears of it, and how many of them
    through the other plugin."""
    answers = await hook_calls.call(app, event, "workshops_change_notice", session=session, event=event,
                                    change=change, now=now)
    taken = {uid for uid in answers if uid in change.recipients}  # the lists come flattened
    ours = [uid for uid in change.recipients if uid not in taken]
    langs = await people.languages(session, event, ours)
    for uid in ours:
        tr = app.translator(langs[uid])
        await notify.enqueue_notice(session, user_id=uid, event_id=event.id, text=render(tr),
                                    dedupe_key=f"workshops:{what}:{change.workshop_id}:{change.version}:{uid}")
    return len(change.recipients), len(taken)


async def announce_change(app, session, event, workshop: Workshop, old: dict[str, Any],
                          now: dt.datetime) -> tuple[int, int]:
    """The workshop's time or place changed from ``old`` (``NOTIFY_FIELDS``): tell attendees and
    offer holders. Returns ``(told, taken by another plugin's notice)``."""
    tz = tz_of(event)
    recipients = await _recipients(app, session, event, workshop, include_waiting=False)

    def render(tr) -> str:
        lines = [tr("workshops-notice-changed", title=quote(workshop.title))]
        if (old["starts_at"], old["ends_at"]) != (workshop.starts_at, workshop.ends_at):
            before = Workshop(starts_at=old["starts_at"], ends_at=old["ends_at"])
            lines.append(tr("workshops-notice-changed-time", old=format_when(tr, before, tz),
                            new=format_when(tr, workshop, tz)))
        if old["place"] != workshop.place:
            lines.append(tr("workshops-notice-changed-place", old=quote(old["place"] or "—"),
                            new=quote(workshop.place or "—")))
        return "\n".join(lines)

    change = _change(workshop, recipients, cancelled=False, old=old)
    return await _send_to(app, session, event, change, "changed", render, now)


async def announce_cancelled(app, session, event, workshop: Workshop, now: dt.datetime) -> int:
    """The workshop is being deleted: tell attendees, offer holders and the waiting. Returns how many."""
    recipients = await _recipients(app, session, event, workshop, include_waiting=True)
    change = _change(workshop, recipients, cancelled=True, old=None)
    told, _ = await _send_to(app, session, event, change, "cancelled",
                             lambda tr: tr("workshops-notice-cancelled", title=quote(workshop.title),
                                           when=format_when(tr, workshop, tz_of(event))), now)
    return told
