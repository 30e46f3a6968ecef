"""Reminders before sessions: one due-time job per session and lead time, as workshops do.

When a job fires it reminds whoever wants it *at that moment* (the session's bookmarkers, or every
member for a session marked "for all"), through the outbox. A participant's setting (off, or one
chosen lead time) is read then too. The outbox dedupe key names the session's start and the lead
time, so nobody is reminded twice of the same start, however often the job runs (a retry after a
crash, a restart); a moved session reminds again for its new time, a cancelled one never.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select

from core.jobs import Job, JobState, cancel, schedule
from core.models import Event, Member
from plugins.schedule import clock
from plugins.schedule.queries import bookmarkers, prefs_of, speakers_by_id
from plugins.schedule.settings import PLUGIN, config, tz_of

log = logging.getLogger(__name__)

JOB = "schedule:reminder"
_PREFIX = "schedule:reminder:"
_ACTIVE = (JobState.SCHEDULED.value, JobState.CLAIMED.value)


def job_key(session_id: int, minutes: int) -> str:
    return f"{_PREFIX}{session_id}:{minutes}"


def _stamp(row) -> str:
    return row.starts_at.astimezone(dt.UTC).isoformat()


async def _pending(session, session_id: int | None = None) -> dict[int, dict[str, Job]]:
    prefix = _PREFIX if session_id is None else f"{_PREFIX}{session_id}:"
    query = select(Job).where(Job.job == JOB, Job.state.in_(_ACTIVE), Job.key.startswith(prefix, autoescape=True))
    found: dict[int, dict[str, Job]] = {}
    for job in (await session.scalars(query)).all():
        found.setdefault(int(job.key[len(_PREFIX):].split(":", 1)[0]), {})[job.key] = job
    return found


async def _align(session, event: Event, row, lead_times: list[int], pending: dict[str, Job], now: dt.datetime) -> int:
    writes = 0
    wanted = {} if row.cancelled or row.published_at is None else {job_key(row.id, m): m for m in lead_times}
    for key, minutes in wanted.items():
        due = row.starts_at - dt.timedelta(minutes=minutes)
        job = pending.get(key)
        if due > now:
            if job is None or job.due_at != due or job.payload.get("starts_at") != _stamp(row):
                await schedule(session, key=key, job=JOB, due_at=due,
                               payload={"event_id": event.id, "session_id": row.id, "minutes": minutes,
                                        "starts_at": _stamp(row)})
                writes += 1
        elif job is not None and job.payload.get("starts_at") != _stamp(row):
            writes += await cancel(session, key)
    for key in pending.keys() - wanted.keys():
        writes += await cancel(session, key)
    return writes


async def plan(app, session, event: Event, row, now: dt.datetime) -> int:
    """(Re)time a session's reminders after it was published, moved or re-published."""
    pending = (await _pending(session, row.id)).get(row.id, {})
    return await _align(session, event, row, config(app, event).reminder_minutes, pending, now)


async def forget(session, session_id: int) -> int:
    pending = (await _pending(session, session_id)).get(session_id, {})
    for key in pending:
        await cancel(session, key)
    return len(pending)


async def sync(app, session, now: dt.datetime) -> int:
    """Every upcoming session's reminders in line with its event's lead times (after a config change)."""
    from plugins.schedule.models import Session

    pending = await _pending(session)
    events = {e.id: e for e in (await session.scalars(select(Event))).all()
              if e.slug in app.settings.events and PLUGIN in app.active_plugins(e.slug)}
    writes = 0
    if events:
        upcoming = await session.scalars(select(Session).where(Session.event_id.in_(list(events)),
                                                               Session.starts_at > now,
                                                               Session.published_at.is_not(None)))
        for row in upcoming.all():
            event = events[row.event_id]
            writes += await _align(session, event, row, config(app, event).reminder_minutes,
                                   pending.get(row.id, {}), now)
    return writes


def wants(pref: tuple[bool, int | None] | None, minutes: int, offered: list[int]) -> bool:
    """Whether a participant with setting ``pref`` gets the reminder ``minutes`` before a start."""
    if pref is None:
        return True
    enabled, chosen = pref
    if not enabled:
        return False
    return chosen is None or chosen not in offered or chosen == minutes


# --- the jobs ---------------------------------------------------------------------------------------

async def send(ctx, session, payload) -> None:
    from core.delivery import enqueue
    from plugins.schedule import render
    from plugins.schedule.models import Session

    app = ctx.app
    event = await session.get(Event, int(payload["event_id"]))
    if event is None or event.slug not in app.settings.events or PLUGIN not in app.active_plugins(event.slug):
        return
    row = await session.get(Session, int(payload["session_id"]))
    if row is None or row.cancelled or row.published_at is None or _stamp(row) != payload.get("starts_at"):
        return  # gone, cancelled, or moved: the moved session's own job reminds for the new time
    if clock.now() >= row.starts_at:
        log.warning("reminder %s min before session %s dropped: it has already started", payload.get("minutes"), row.id)
        return
    minutes = int(payload["minutes"])
    if row.for_all:
        people = list((await session.scalars(select(Member.user_id).where(Member.event_id == event.id))).all())
    else:
        people = (await bookmarkers(session, [row.id]))[row.id]
    prefs = await prefs_of(session, event.id, people)
    offered = config(app, event).reminder_minutes
    people = [uid for uid in people if wants(prefs.get(uid), minutes, offered)]
    langs = await render.languages(session, event, people)
    speakers = await speakers_by_id(session, event.id)
    tz = tz_of(event)
    for uid in people:
        tr = app.translator(langs[uid])
        await enqueue(session, chat_id=uid, user_id=uid, event_id=event.id,
                      text=render.reminder(tr, row, speakers, tz, minutes),
                      reply_markup={"inline_keyboard": [[{"text": tr("schedule-btn-open"),
                                                          "callback_data": f"sch:s:{row.id}"}]]},
                      dedupe_key=f"{_PREFIX}{row.id}:{uid}:{_stamp(row)}:{minutes}")


async def sync_job(ctx, session, payload=None) -> None:
    writes = await sync(ctx.app, session, clock.now())
    if writes:
        log.info("reminders of upcoming sessions aligned with the settings: %d job(s) written", writes)
