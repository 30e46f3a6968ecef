"""Reminders before a workshop: one due-time job per workshop and lead time, not one per attendee.

When the job fires it reminds whoever is booked *at that moment*, through the outbox, so a booking
or a cancellation never has to touch a job, and a workshop with 300 attendees costs one row in
``core_jobs``. The jobs follow the workshop: ``plan`` (re)times them when it is created or moved,
``forget`` cancels them when it is deleted, and the periodic ``sync`` brings every upcoming workshop
in line with the event's ``reminder_minutes`` (after a config change, or for workshops made before
reminders existed).

A reminder that fell due while the bot was down is sent late while the workshop has not started
yet, and dropped (and logged) once it has: "starts in 15 minutes" after the start helps nobody.
The outbox dedupe key names the start time, so one attendee is never reminded twice for the same
start, however often the job runs; a moved workshop reminds again for its new time.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select

from core import people
from core.db import utcnow
from core.jobs import Job, JobState, cancel, schedule
from core.models import Event
from plugins.workshops import notify
from plugins.workshops.formatting import format_when, quote
from plugins.workshops.models import Booking, Workshop
from plugins.workshops.settings import PLUGIN, config, tz_of

log = logging.getLogger(__name__)

JOB = "workshops:reminder"
_PREFIX = "workshops:reminder:"
_ACTIVE = (JobState.SCHEDULED.value, JobState.CLAIMED.value)


def job_key(workshop_id: int, minutes: int) -> str:
    return f"{_PREFIX}{workshop_id}:{minutes}"


def _lead_times(app, event: Event) -> list[int]:
    return config(app, event).reminder_minutes


async def _pending(session, workshop_id: int | None = None) -> dict[int, dict[str, Job]]:
    """Pending reminder jobs by workshop id, then by key: of one workshop, or of all."""
    prefix = _PREFIX if workshop_id is None else f"{_PREFIX}{workshop_id}:"
    query = select(Job).where(Job.job == JOB, Job.state.in_(_ACTIVE), Job.key.startswith(prefix, autoescape=True))
    found: dict[int, dict[str, Job]] = {}
    for job in (await session.scalars(query)).all():
        found.setdefault(int(job.key[len(_PREFIX):].split(":", 1)[0]), {})[job.key] = job
    return found


async def _align(session, event: Event, workshop: Workshop, lead_times: list[int],
                 pending: dict[str, Job], now: dt.datetime) -> int:
    """Make the workshop's pending reminders those of ``lead_times`` for its current start.

    A reminder still ahead is scheduled (or moved) to start − lead time; one whose time has passed is
    left to run if it was planned for this start (the runner is just behind), and cancelled if it was
    planned for an earlier start; lead times no longer configured are cancelled. Returns the writes.
    """
    writes = 0
    wanted = {job_key(workshop.id, m): m for m in lead_times}
    for key, minutes in wanted.items():
        due = workshop.starts_at - dt.timedelta(minutes=minutes)
        job = pending.get(key)
        if due > now:
            if job is None or job.due_at != due or job.payload.get("starts_at") != _stamp(workshop):
                await schedule(session, key=key, job=JOB, due_at=due,
                               payload={"event_id": event.id, "workshop_id": workshop.id, "minutes": minutes,
                                        "starts_at": _stamp(workshop)})
                writes += 1
        elif job is not None and job.payload.get("starts_at") != _stamp(workshop):
            writes += await cancel(session, key)
    for key in pending.keys() - wanted.keys():
        writes += await cancel(session, key)
    return writes


def _stamp(workshop: Workshop) -> str:
    return workshop.starts_at.astimezone(dt.UTC).isoformat()


async def plan(app, session, event: Event, workshop: Workshop, now: dt.datetime | None = None) -> int:
    """(Re)time the reminders of a workshop just created or moved. In the caller's transaction."""
    pending = (await _pending(session, workshop.id)).get(workshop.id, {})
    return await _align(session, event, workshop, _lead_times(app, event), pending, now or utcnow())


async def forget(session, workshop_id: int) -> int:
    """Cancel every pending reminder of a workshop (it is being deleted)."""
    pending = (await _pending(session, workshop_id)).get(workshop_id, {})
    for key in pending:
        await cancel(session, key)
    return len(pending)


async def sync(app, session, now: dt.datetime | None = None) -> int:
    """Bring the reminders of every upcoming workshop in line with its event's settings.

    Cheap when nothing changed: three reads and no writes. Workshops of events where the plugin is off
    keep their jobs; the job itself does nothing there.
    """
    now = now or utcnow()
    pending = await _pending(session)
    events = {e.id: e for e in (await session.scalars(select(Event))).all()
              if e.slug in app.settings.events and PLUGIN in app.active_plugins(e.slug)}
    writes = 0
    if events:
        upcoming = await session.scalars(select(Workshop).where(Workshop.event_id.in_(list(events)),
                                                                Workshop.starts_at > now))
        for workshop in upcoming.all():
            event = events[workshop.event_id]
            writes += await _align(session, event, workshop, _lead_times(app, event),
                                   pending.get(workshop.id, {}), now)
    return writes


# --- the jobs ---------------------------------------------------------------------------------------

async def send(ctx, session, payload) -> None:
    """A reminder's time: put one notice per current attendee in the outbox."""
    app = ctx.app
    event = await session.get(Event, int(payload["event_id"]))
    if event is None or event.slug not in app.settings.events or PLUGIN not in app.active_plugins(event.slug):
        return
    workshop = await session.get(Workshop, int(payload["workshop_id"]))
    if workshop is None or _stamp(workshop) != payload.get("starts_at"):
        return  # deleted, or moved: the moved workshop's own job reminds for the new time
    if utcnow() >= workshop.starts_at:
        log.warning("reminder %s min before workshop %s dropped: it has already started",
                    payload.get("minutes"), workshop.id)
        return
    attendees = (await session.scalars(select(Booking.user_id).where(Booking.workshop_id == workshop.id))).all()
    attendees = await _wanting(app, session, event, attendees, int(payload.get("minutes") or 0))
    langs = await people.languages(session, event, attendees)
    tz = tz_of(event)
    for user_id in attendees:
        tr = app.translator(langs[user_id])
        text = tr("workshops-reminder", title=quote(workshop.title), when=format_when(tr, workshop, tz),
                  place=quote(workshop.place or "—"))
        await notify.enqueue_notice(
            session, user_id=user_id, event_id=event.id, text=text,
            reply_markup=_card_button(tr, workshop.id),
            dedupe_key=f"{_PREFIX}{workshop.id}:{user_id}:{_stamp(workshop)}:{payload.get('minutes')}")


async def _wanting(app, session, event: Event, user_ids, minutes: int) -> list[int]:
    """Those of ``user_ids`` whose reminder setting (kept by another plugin, e.g. the schedule's
    cabinet setting) lets this reminder through: not switched off, and, if they chose one lead
    time, this reminder is the one of the workshop's lead times nearest to it."""
    prefs: dict[int, tuple[bool, int | None]] = {}
    for answer in await app.registry.call("reminder_preferences", active=set(app.active_plugins(event.slug)),
                                          app=app, session=session, event=event, user_ids=list(user_ids)):
        if isinstance(answer, dict):
            prefs.update(answer)
    leads = _lead_times(app, event)
    kept = []
    for uid in user_ids:
        enabled, chosen = prefs.get(uid, (True, None))
        if not enabled:
            continue
        if chosen is not None and leads and minutes in leads:
            if min(leads, key=lambda m: (abs(m - chosen), m)) != minutes:
                continue
        kept.append(uid)
    return kept


def _card_button(tr, workshop_id: int) -> dict:
    """Open the workshop's card from the reminder: its place, and a cancel button while booking is open.
    A plain markup, as the outbox stores it (``keyboards.WsCard`` packs the same callback data)."""
    return {"inline_keyboard": [[{"text": tr("workshops-reminder-open"), "callback_data": f"workshops.card:{workshop_id}:0"}]]}


async def sync_job(ctx, session, payload=None) -> None:
    """The periodic tick running ``sync``: settings changed since the last start take effect."""
    writes = await sync(ctx.app, session)
    if writes:
        log.info("reminders of upcoming workshops aligned with the settings: %d job(s) written", writes)
