"""Worker leases: a live process renews its lease; claims of a process whose lease ran out go back.

A claim (an outbox row or a job marked ``claimed`` with ``claimed_by = worker id``) used to be
trusted until the claim timeout (60 s), so a SIGKILLed sender held its rows that long. Now every
process that claims rows also keeps a row in ``core_worker_leases`` and renews it every
``lease_seconds / 3``. Any live process returns the claims of workers whose lease expired, a few
seconds after the death instead of a minute. The claim timeout stays as the fallback for claims
of a worker that never took a lease (a sender run on its own, as in tests and ``delivery drain``).

A worker that was only stalled (a long GC pause, a cut network) past its lease loses its claims
like a dead one; its late outcomes are then ignored (recording checks ``claimed_by`` and
``state``) and the rows go out again: at-least-once, as with the claim timeout.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from sqlalchemy import String, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, transaction, utcnow
from core.delivery.dialect import upsert_insert
from core.delivery.models import OutboxMessage, OutboxState
from core.jobs.models import Job, JobState
from core.outage import is_outage

log = logging.getLogger(__name__)


class WorkerLease(Base):
    """One live (or lately dead) worker process; ``expires_at`` moves forward while it lives."""

    __tablename__ = "core_worker_leases"

    worker_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    renewed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)


async def renew(session: AsyncSession, worker_id: str, lease_seconds: float, now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    expires = now + dt.timedelta(seconds=lease_seconds)
    insert = upsert_insert(session)
    statement = insert(WorkerLease).values(worker_id=worker_id, started_at=now, renewed_at=now, expires_at=expires)
    await session.execute(statement.on_conflict_do_update(
        index_elements=[WorkerLease.worker_id], set_={"renewed_at": now, "expires_at": expires}))


async def release(session: AsyncSession, worker_id: str) -> None:
    """A clean stop: end the lease now, so the next reaper (any live or restarted process, at once
    on its first beat) returns whatever this process could not record while stopping."""
    now = utcnow()
    await session.execute(update(WorkerLease).where(WorkerLease.worker_id == worker_id)
                          .values(renewed_at=now, expires_at=now))


async def reap_expired(session: AsyncSession, now: dt.datetime | None = None) -> int:
    """Return the claims of every worker whose lease ran out, and forget those leases.

    Returns how many outbox rows and jobs went back. The lease rows are locked (PostgreSQL) so two
    reapers do not both count the same death; SQLite's ``BEGIN IMMEDIATE`` serialises them anyway.
    """
    now = now or utcnow()
    dead = list((await session.scalars(
        select(WorkerLease.worker_id).where(WorkerLease.expires_at < now)
        .with_for_update(skip_locked=True))).all())
    if not dead:
        return 0
    returned = await _requeue(session, dead, now)
    await session.execute(delete(WorkerLease).where(WorkerLease.worker_id.in_(dead), WorkerLease.expires_at < now))
    log.warning("lease expired for %d worker(s); %d claimed outbox rows and jobs returned to the queue",
                len(dead), returned)
    return returned


async def _requeue(session: AsyncSession, workers: list[str], now: dt.datetime) -> int:
    outbox = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.state == OutboxState.CLAIMED.value, OutboxMessage.claimed_by.in_(workers))
        .values(state=OutboxState.QUEUED.value, claimed_by=None, claimed_at=None, updated_at=now)
        .execution_options(synchronize_session=False))
    jobs = await session.execute(
        update(Job)
        .where(Job.state == JobState.CLAIMED.value, Job.claimed_by.in_(workers))
        .values(state=JobState.SCHEDULED.value, claimed_by=None, claimed_at=None, updated_at=now)
        .execution_options(synchronize_session=False))
    return (outbox.rowcount or 0) + (jobs.rowcount or 0)


class LeaseKeeper:
    """Renew this process's lease and reap dead workers' claims, every ``lease_seconds / 3``.

    If renewing fails (the database is down) the keeper keeps trying; the sender cannot record
    outcomes then either, so nothing is lost by the lease running out meanwhile.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession], worker_id: str, lease_seconds: float) -> None:
        self.sessions = sessions
        self.worker_id = worker_id
        self.lease_seconds = lease_seconds
        self.interval = lease_seconds / 3
        self.reaped = 0

    async def beat(self) -> None:
        async with transaction(self.sessions) as session:
            await renew(session, self.worker_id, self.lease_seconds)
        async with transaction(self.sessions) as session:
            self.reaped += await reap_expired(session)

    async def run(self) -> None:
        try:
            while True:
                try:
                    await self.beat()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    # A database restart is expected now and then: one line; anything else in full.
                    log.warning("renewing the worker lease failed (%s); retrying", type(exc).__name__,
                                exc_info=not is_outage(exc))
                await asyncio.sleep(self.interval)
        finally:
            try:
                async with asyncio.timeout(5):
                    async with transaction(self.sessions) as session:
                        await release(session, self.worker_id)
            except Exception:  # the database may be gone: the lease then simply runs out
                log.warning("could not release the worker lease on stop", exc_info=True)
