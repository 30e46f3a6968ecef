"""Set-up for schedule tests: an app with the schedule (and workshops) plugin, a program file."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from sqlalchemy import func, select

from core import people
from core.db import utcnow
from core.delivery.models import OutboxMessage
from core.jobs import Job, JobState, reschedule
from core.program import import_program

TZ = zoneinfo.ZoneInfo("Europe/Moscow")


async def start(sandbox, *, schedule=None, workshops=None, plugins=("schedule", "workshops"), poll=True,
                timezone="Europe/Moscow"):
    sections = {"schedule": schedule or {}, "workshops": workshops or {}}
    events = {"demo": {"title": "Demo", "timezone": timezone, "language": "ru", "signup": {"enabled": False},
                       "plugins": {k: v for k, v in sections.items() if k in plugins}}}
    return await sandbox.start(plugins=list(plugins), events=events, poll=poll)


async def event(app):
    async with app.sessions() as s:
        return await people.event_by_slug(s, "demo")


def day(days_ahead: int = 3) -> dt.date:
    return (utcnow().astimezone(TZ) + dt.timedelta(days=days_ahead)).date()


def at(d: dt.date, hhmm: str) -> str:
    return f"{d.isoformat()} {hhmm}"


def local(d: dt.date, hhmm: str) -> dt.datetime:
    h, m = map(int, hhmm.split(":"))
    return dt.datetime(d.year, d.month, d.day, h, m, tzinfo=TZ)


def program(d: dt.date) -> dict:
    """Two days: an opening for everyone, talks in two rooms, a break, a deadline."""
    d2 = d + dt.timedelta(days=1)
    return {"schedule": {
        "speakers": [{"key": "ivan", "name": "Ivan Petrov", "bio": "Compilers", "username": "ivan_petrov"},
                     {"key": "anna", "name": "Anna Smirnova"}],
        "sessions": [
            {"key": "opening", "kind": "keynote", "title": "Opening", "starts_at": at(d, "10:00"),
             "ends_at": at(d, "10:30"), "room": "Main hall", "track": "Main", "for_all": True},
            {"key": "rust", "kind": "talk", "title": "Rust in production", "starts_at": at(d, "10:30"),
             "ends_at": at(d, "11:15"), "room": "Main hall", "track": "Backend", "speakers": ["ivan"]},
            {"key": "ux", "kind": "talk", "title": "UX of bots", "starts_at": at(d, "10:30"),
             "duration_minutes": 45, "room": "Room B", "track": "Product", "speakers": ["Anna Smirnova"]},
            {"key": "coffee", "kind": "break", "title": "Coffee", "starts_at": at(d, "11:15"),
             "ends_at": at(d, "11:30")},
            {"key": "submit", "kind": "deadline", "title": "Project submission", "starts_at": at(d2, "18:00")},
        ]}}


async def load(app, data: dict):
    report = await import_program(app, "demo", data)
    assert not report.errors, report.errors
    return report


async def session_id(app, key: str) -> int:
    from plugins.schedule.models import Session

    async with app.sessions() as s:
        return await s.scalar(select(Session.id).where(Session.key == key))


async def pending_jobs(app, prefix: str = "schedule:reminder:") -> dict[str, dt.datetime]:
    async with app.sessions() as s:
        jobs = await s.scalars(select(Job).where(Job.key.startswith(prefix),
                                                 Job.state.in_([JobState.SCHEDULED.value, JobState.CLAIMED.value])))
        return {job.key: job.due_at for job in jobs.all()}


async def comes_due(sandbox, key: str) -> None:
    # The start-up ticks first: a periodic sync that runs after the move would re-time the job back.
    await sandbox.run_jobs()
    async with sandbox.app.transaction() as s:
        assert await reschedule(s, key, utcnow()), f"no pending job {key}"
    await sandbox.run_jobs()
    await sandbox.drain_outbox()


async def outbox_count(app, prefix: str) -> int:
    async with app.sessions() as s:
        return await s.scalar(select(func.count()).select_from(OutboxMessage)
                              .where(OutboxMessage.dedupe_key.startswith(prefix)))
