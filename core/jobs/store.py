"""Due-time jobs in the database: schedule, re-time or cancel by key; claim and finish for the runner.

The table is the source of truth: nothing lives in memory timers, so a restart loses nothing.
Claims are ``SELECT ... FOR UPDATE SKIP LOCKED`` + conditional UPDATE on PostgreSQL (each due job
runs in one process) and the same conditional UPDATE on SQLite (``BEGIN IMMEDIATE``: serial writers).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import utcnow
from core.delivery import wakeup
from core.delivery.dialect import upsert_insert
from core.jobs.models import Job, JobState

log = logging.getLogger(__name__)

_JOB_NAME = re.compile(r"^[a-z0-9_.-]+:[A-Za-z0-9_.-]+$")
_jobs = Job.__table__
_ACTIVE = (JobState.SCHEDULED.value, JobState.CLAIMED.value)


def _check_due(due_at: dt.datetime) -> None:
    if due_at.tzinfo is None:
        raise ValueError("due_at must be timezone-aware (e.g. core.db.utcnow() + timedelta(...))")


async def schedule(session: AsyncSession, *, key: str, job: str, due_at: dt.datetime,
                   payload: dict[str, Any] | None = None) -> Job:
    """Create the job ``key`` or replace it (new time, payload, fresh attempts): the latest call wins.

    ``job`` is "<plugin>:<JobSpec.name>". Written with the caller's session, so the job exists
    exactly when the caller's change commits. Replacing a job that is running right now makes that
    run roll back its own transaction (it finds its claim gone), and the job runs at the new time.
    """
    if not _JOB_NAME.match(job):
        raise ValueError(f"job name {job!r}: expected '<plugin>:<name>', e.g. 'workshops:reminder'")
    if not key or len(key) > 255:
        raise ValueError("job key must be 1-255 characters, e.g. 'workshops:reminder:<session>:<user>'")
    _check_due(due_at)
    now = utcnow()
    fresh = dict(job=job, payload=payload or {}, due_at=due_at, state=JobState.SCHEDULED.value, attempts=0,
                 last_error=None, claimed_by=None, claimed_at=None, finished_at=None, updated_at=now)
    stmt = (upsert_insert(session)(Job).values(key=key, created_at=now, **fresh)
            .on_conflict_do_update(index_elements=["key"], set_=fresh)
            .returning(Job))
    row = (await session.scalars(stmt, execution_options={"populate_existing": True})).one()
    wakeup.notify_on_commit(session, wakeup.JOBS)
    return row


async def reschedule(session: AsyncSession, key: str, due_at: dt.datetime) -> bool:
    """Move a pending job to ``due_at``. False if there is no pending job with that key."""
    _check_due(due_at)
    result = await session.execute(
        update(_jobs).where(_jobs.c.key == key, _jobs.c.state.in_(_ACTIVE))
        .values(due_at=due_at, state=JobState.SCHEDULED.value, claimed_by=None, claimed_at=None, updated_at=utcnow())
    )
    if result.rowcount:
        wakeup.notify_on_commit(session, wakeup.JOBS)
    return bool(result.rowcount)


async def cancel(session: AsyncSession, key: str) -> bool:
    """Cancel a pending job (a running one rolls back its own work). False if nothing was pending."""
    result = await session.execute(
        update(_jobs).where(_jobs.c.key == key, _jobs.c.state.in_(_ACTIVE))
        .values(state=JobState.CANCELLED.value, claimed_by=None, finished_at=utcnow(), updated_at=utcnow())
    )
    return bool(result.rowcount)


async def get_job(session: AsyncSession, key: str) -> Job | None:
    return await session.scalar(select(Job).where(Job.key == key))


# ----------------------------------------------------------------------------------------- the runner's side


@dataclass(frozen=True)
class ClaimedJob:
    id: int
    key: str
    job: str
    payload: dict[str, Any]
    due_at: dt.datetime
    attempts: int  # including this run


async def claim_due(session: AsyncSession, worker_id: str, names: Iterable[str], limit: int,
                    now: dt.datetime | None = None) -> list[ClaimedJob]:
    """Claim due jobs this runner has handlers for (a job of a removed plugin waits, it is not lost)."""
    now = now or utcnow()
    names = list(names)
    if not names:
        return []
    ids = (await session.scalars(
        select(_jobs.c.id)
        .where(_jobs.c.state == JobState.SCHEDULED.value, _jobs.c.due_at <= now, _jobs.c.job.in_(names))
        .order_by(_jobs.c.due_at, _jobs.c.id).limit(limit)
        .with_for_update(skip_locked=True)
    )).all()
    if not ids:
        return []
    rows = (await session.execute(
        update(_jobs).where(_jobs.c.id.in_(ids), _jobs.c.state == JobState.SCHEDULED.value)
        .values(state=JobState.CLAIMED.value, claimed_by=worker_id, claimed_at=now, updated_at=now,
                attempts=_jobs.c.attempts + 1)
        .returning(_jobs.c.id, _jobs.c.key, _jobs.c.job, _jobs.c.payload, _jobs.c.due_at, _jobs.c.attempts)
    )).all()
    return sorted((ClaimedJob(**r._mapping) for r in rows), key=lambda j: (j.due_at, j.id))


async def finish(session: AsyncSession, job: ClaimedJob, worker_id: str, state: JobState, *,
                 error: str | None = None, next_due: dt.datetime | None = None) -> bool:
    """Record how a run ended, only if this runner still holds the claim. ``next_due`` re-arms the job
    (periodic jobs, retries). Returns False when the claim was lost (re-timed, cancelled or re-claimed)."""
    now = utcnow()
    values: dict[str, Any] = {"updated_at": now, "last_error": error}
    if next_due is not None:
        values.update(state=JobState.SCHEDULED.value, due_at=next_due, claimed_by=None, claimed_at=None)
        if state == JobState.DONE:  # a periodic tick that succeeded starts its attempts afresh
            values["attempts"] = 0
    else:
        values.update(state=state.value, finished_at=now)
    result = await session.execute(
        update(_jobs).where(_jobs.c.id == job.id, _jobs.c.state == JobState.CLAIMED.value,
                            _jobs.c.claimed_by == worker_id)
        .values(**values)
    )
    return result.rowcount == 1


async def requeue_stale(session: AsyncSession, timeout_seconds: float) -> int:
    now = utcnow()
    result = await session.execute(
        update(_jobs).where(_jobs.c.state == JobState.CLAIMED.value,
                            _jobs.c.claimed_at < now - dt.timedelta(seconds=timeout_seconds))
        .values(state=JobState.SCHEDULED.value, claimed_by=None, claimed_at=None, updated_at=now)
    )
    if result.rowcount:
        log.warning("%d jobs whose runner died were put back to run again", result.rowcount)
    return result.rowcount or 0


async def claimed_count(session: AsyncSession, names: Iterable[str]) -> int:
    """Jobs of ``names`` some runner has claimed and not finished yet."""
    return await session.scalar(select(func.count()).select_from(_jobs).where(
        _jobs.c.state == JobState.CLAIMED.value, _jobs.c.job.in_(list(names)))) or 0


async def release_claims(session: AsyncSession, worker_id: str, keep: Collection[int] = ()) -> int:
    """Put back every job this runner holds claimed except those it is running (``keep``): what is
    left is a claim whose run could not be recorded, or whose answer was lost (the database went
    away). Its lease would keep such a claim from the reaper for as long as the runner lives."""
    result = await session.execute(
        update(_jobs).where(_jobs.c.state == JobState.CLAIMED.value, _jobs.c.claimed_by == worker_id,
                            _jobs.c.id.not_in(list(keep)))
        .values(state=JobState.SCHEDULED.value, claimed_by=None, claimed_at=None, updated_at=utcnow())
    )
    if result.rowcount:
        log.warning("%d jobs whose runs could not be recorded were put back to run again", result.rowcount)
    return result.rowcount or 0


async def next_due_at(session: AsyncSession, names: Iterable[str]) -> dt.datetime | None:
    return await session.scalar(select(func.min(_jobs.c.due_at)).where(
        _jobs.c.state == JobState.SCHEDULED.value, _jobs.c.job.in_(list(names))))


async def ensure_periodic(session: AsyncSession, job: str, interval: float) -> None:
    """Give a periodic JobSpec its one row (key ``periodic:<job>``), due now if it never ran.

    Kept in the same table so a tick runs in one process however many run, and survives restarts.
    """
    now = utcnow()
    key = f"periodic:{job}"
    stmt = (upsert_insert(session)(Job)
            .values(key=key, job=job, payload={}, due_at=now, state=JobState.SCHEDULED.value, attempts=0,
                    created_at=now, updated_at=now)
            .on_conflict_do_nothing(index_elements=["key"]))
    await session.execute(stmt)
    # A shorter interval than last time, or a row left failed/cancelled: bring it back in line.
    await session.execute(
        update(_jobs).where(_jobs.c.key == key, _jobs.c.state.not_in(_ACTIVE))
        .values(state=JobState.SCHEDULED.value, due_at=now, claimed_by=None, claimed_at=None, updated_at=now)
    )
    await session.execute(
        update(_jobs).where(_jobs.c.key == key, _jobs.c.state == JobState.SCHEDULED.value,
                            _jobs.c.due_at > now + dt.timedelta(seconds=interval))
        .values(due_at=now + dt.timedelta(seconds=interval), updated_at=now)
    )


async def unknown_pending(session: AsyncSession, names: Iterable[str]) -> dict[str, int]:
    rows = await session.execute(
        select(_jobs.c.job, func.count()).where(_jobs.c.state == JobState.SCHEDULED.value,
                                                _jobs.c.job.not_in(list(names)))
        .group_by(_jobs.c.job))
    return dict(rows.all())
