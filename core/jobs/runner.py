"""``JobRunner``: runs due jobs and periodic ticks, once across however many processes run it.

Periodic ticks (``JobSpec.interval``) are rows of the same ``core_jobs`` table (key
``periodic:<plugin>:<name>``) rather than APScheduler jobs: APScheduler 3's in-memory store would
fire every tick once per process, and its shared SQLAlchemy store is synchronous and pickles jobs.
One table gives one mechanism: claimed with SKIP LOCKED, re-armed in the transaction that records
the run, surviving restarts, and the runner sleeps until the next due time instead of polling.

A handler is ``async def func(ctx: JobContext, session, payload)``. A periodic tick runs in a fresh
transaction; due-time jobs claimed together share one transaction with a SAVEPOINT each (see
``_run_batch``). Either way the run also marks the job done, so its effects and "done" commit together; if the claim was
lost meanwhile (re-timed, cancelled, or re-claimed after a stall) the whole run rolls back.
Work that fell due while nothing ran follows the spec: ``misfire="run"`` runs it late;
``misfire="drop"`` drops it when later than ``misfire_grace`` seconds. Both are logged.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import random
import secrets
import socket
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.contributions import JobSpec
from core.db import transaction, utcnow
from core.delivery import wakeup
from core.jobs import store
from core.jobs.models import JobState
from core.outage import is_outage

log = logging.getLogger(__name__)

DEFAULT_DROP_GRACE = 60.0  # seconds; misfire="drop" with no misfire_grace given
LATE_LOG_THRESHOLD = 60.0  # a "run" job later than this is worth a log line


@dataclass(frozen=True)
class JobContext:
    """What a job handler gets besides its session and payload.

    Do the job's database work with the ``session`` handed to the handler: it commits together
    with "done". Opening another session from ``sessions`` after using that one would wait
    forever on SQLite, whose engine has a single connection (core/db.py).
    """

    sessions: async_sessionmaker[AsyncSession]
    key: str
    job: str
    due_at: dt.datetime
    attempt: int
    bot: Any = None  # aiogram Bot, when the runner has one (the app's)
    app: Any = None  # OrganizerApp, when running inside one

    @property
    def late_by(self) -> float:
        return (utcnow() - self.due_at).total_seconds()


class _LostClaim(Exception):
    pass


class JobRunner:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        handlers: dict[str, JobSpec | tuple[str, JobSpec]],
        *,
        bot: Any = None,
        app: Any = None,
        worker_id: str | None = None,
        max_idle_sleep: float = 2.0,
        claim_timeout: float = 300.0,
        batch_size: int = 100,
        concurrency: int = 4,
        max_attempts: int = 5,
        retry_base_delay: float = 10.0,
    ) -> None:
        self.sessions = sessions
        # Accept app.jobs as is ("plugin:name" → (plugin, spec)) or plain "plugin:name" → spec.
        self.specs: dict[str, JobSpec] = {name: (v[1] if isinstance(v, tuple) else v) for name, v in handlers.items()}
        self.bot = bot
        self.app = app
        self.worker_id = (worker_id or f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}")[:64]
        self.max_idle_sleep = max_idle_sleep
        self.claim_timeout = claim_timeout
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.retry_base_delay = retry_base_delay
        self._slots = asyncio.Semaphore(concurrency)
        self._wake = wakeup.subscribe(wakeup.JOBS)
        self._prepared = False
        self._stopping = False
        self._last_reap = 0.0
        # A run or claim whose outcome did not reach the database: this runner may still hold claims
        # it does not know of, which its lease would keep from the reaper for as long as it lives.
        self._unsettled = False
        self._running: set[int] = set()  # ids of the jobs being run now (by any run_once call)
        self.runs: dict[str, int] = {"done": 0, "failed": 0, "retried": 0, "dropped": 0, "lost": 0}

    async def prepare(self) -> None:
        """Arm periodic jobs and report pending jobs nobody here can run (plugin removed or off)."""
        async with transaction(self.sessions) as session:
            for name, spec in self.specs.items():
                if spec.interval:
                    await store.ensure_periodic(session, name, spec.interval)
            orphans = await store.unknown_pending(session, self.specs)
        for name, count in orphans.items():
            log.warning("%d scheduled jobs %r have no handler (plugin not loaded?); they wait", count, name)
        self._prepared = True

    async def run(self) -> None:
        """Run jobs as they fall due, until ``stop()`` (or cancelled). A database that goes away
        (a restart) pauses the runner, which tries again every ``max_idle_sleep`` seconds: a
        claim that did fail to commit left nothing behind, one that did commit times out."""
        log.info("job runner %s started with %d job kinds", self.worker_id, len(self.specs))
        while not self._stopping:
            self._wake.clear()
            try:
                if await self.run_once():
                    continue
                await self._sleep_until_next()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._unsettled = True
                if is_outage(exc):
                    log.warning("job runner: the database is unreachable (%s); trying again", type(exc).__name__)
                else:
                    log.exception("job runner: claiming jobs failed; trying again")
                await asyncio.sleep(self.max_idle_sleep)

    def stop(self) -> None:
        """Finish the jobs in hand and return from ``run()`` between transactions: cancelling a
        task in the middle of a query leaves a connection to be torn down behind our back."""
        self._stopping = True
        self._wake.set()

    async def run_once(self) -> int:
        """Claim and run what is due now. Returns how many jobs were run (or dropped)."""
        if not self._prepared:
            await self.prepare()
        await self._maybe_reap()
        if self._unsettled:  # a claim of ours that nothing here is running is left over: put it back
            async with transaction(self.sessions) as session:
                await store.release_claims(session, self.worker_id, keep=self._running)
            self._unsettled = False
        async with transaction(self.sessions) as session:
            jobs = await store.claim_due(session, self.worker_id, self.specs, self.batch_size)
        # Periodic ticks run alone: sweeps often open transactions of their own.
        work = [self._guarded(job) for job in jobs if self.specs[job.job].interval]
        keyed = [job for job in jobs if not self.specs[job.job].interval]
        if keyed:
            work.append(self._run_batch(keyed))
        ids = {job.id for job in jobs}
        self._running |= ids
        try:
            await asyncio.gather(*work)
        finally:
            self._running -= ids
        return len(jobs)

    async def run_until_idle(self, timeout: float = 30.0) -> int:
        """Run due jobs until none is due now and none is still running (tests).

        The app's own runner works in the background too and may have claimed a due job a moment
        earlier: its run counts as well, so this waits until it has finished."""
        deadline = time.monotonic() + timeout
        total = 0
        while True:
            n = await self.run_once()
            total += n
            if not n:
                async with self.sessions() as session:
                    if not await store.claimed_count(session, self.specs):
                        return total
                await asyncio.sleep(0.02)
            if time.monotonic() > deadline:
                raise TimeoutError(f"jobs still due or running after {timeout}s")

    # ------------------------------------------------------------------------------------------ internals

    async def _sleep_until_next(self) -> None:
        if self._stopping:
            return
        async with self.sessions() as session:
            next_due = await store.next_due_at(session, self.specs)
        wait = self.max_idle_sleep
        if next_due is not None:
            wait = min(wait, max(0.0, (next_due - utcnow()).total_seconds()))
        try:
            await asyncio.wait_for(self._wake.wait(), wait)
        except TimeoutError:
            pass

    async def _maybe_reap(self) -> None:
        if time.monotonic() - self._last_reap < max(1.0, self.claim_timeout / 4):
            return
        self._last_reap = time.monotonic()
        async with transaction(self.sessions) as session:
            await store.requeue_stale(session, self.claim_timeout)

    async def _guarded(self, job: store.ClaimedJob) -> None:
        async with self._slots:
            try:
                await self._execute(job)
            except Exception as exc:  # bookkeeping itself failed (DB down): the next run_once puts it back
                self._unsettled = True
                log.error("could not record the run of job %s", job.key, exc_info=not is_outage(exc))

    async def _run_batch(self, jobs: list[store.ClaimedJob]) -> None:
        """Due-time jobs of one claim share one transaction, each run in its own SAVEPOINT.

        A run still commits or rolls back as a unit with its "done" mark, and one failing job rolls
        back alone; but a thousand reminders cost one commit instead of a thousand, which is what
        keeps SQLite (one connection, one writer) ahead of a paid-broadcast send rate.
        """
        async with self._slots:
            try:
                async with transaction(self.sessions) as session:
                    for job in jobs:
                        await self._execute(job, session)
            except Exception as exc:  # the batch did not commit: the next run_once puts the claims back
                self._unsettled = True
                log.error("could not commit a batch of %d jobs", len(jobs), exc_info=not is_outage(exc))

    @asynccontextmanager
    async def _unit(self, shared: AsyncSession | None):
        if shared is None:
            async with transaction(self.sessions) as session:
                yield session
        else:
            async with shared.begin_nested():
                yield shared

    async def _execute(self, job: store.ClaimedJob, shared: AsyncSession | None = None) -> None:
        spec = self.specs[job.job]
        late = (utcnow() - job.due_at).total_seconds()
        next_tick = utcnow() + dt.timedelta(seconds=spec.interval) if spec.interval else None
        if spec.misfire == "drop":
            grace = spec.misfire_grace if spec.misfire_grace is not None else (spec.interval or DEFAULT_DROP_GRACE)
            if late > grace:
                async with self._unit(shared) as session:
                    await store.finish(session, job, self.worker_id, JobState.DROPPED, next_due=next_tick,
                                       error=f"dropped: {late:.0f}s late, grace {grace:.0f}s")
                self.runs["dropped"] += 1
                log.warning("dropped job %s (%s): due %s, %.0fs late > grace %.0fs",
                            job.key, job.job, job.due_at.isoformat(), late, grace)
                return
        elif late > LATE_LOG_THRESHOLD:
            log.info("running job %s (%s) %.0fs late", job.key, job.job, late)
        ctx = JobContext(self.sessions, job.key, job.job, job.due_at, job.attempts, self.bot, self.app)
        try:
            async with self._unit(shared) as session:
                await spec.func(ctx, session, dict(job.payload))
                if not await store.finish(session, job, self.worker_id, JobState.DONE, next_due=next_tick):
                    raise _LostClaim
        except _LostClaim:
            self.runs["lost"] += 1
            log.info("job %s was re-timed, cancelled or re-claimed while running; its run rolled back", job.key)
            return
        except Exception as exc:
            await self._failed(job, spec, exc, shared)
            return
        self.runs["done"] += 1

    async def _failed(self, job: store.ClaimedJob, spec: JobSpec, exc: Exception,
                      shared: AsyncSession | None = None) -> None:
        error = f"{type(exc).__name__}: {exc}"[:1000]
        if spec.interval:
            next_due, state = utcnow() + dt.timedelta(seconds=spec.interval), JobState.FAILED
            log.exception("periodic job %s failed; next tick in %.0fs", job.job, spec.interval, exc_info=exc)
        elif job.attempts < self.max_attempts:
            delay = self.retry_base_delay * 2 ** (job.attempts - 1) * random.uniform(0.8, 1.2)
            next_due, state = utcnow() + dt.timedelta(seconds=delay), JobState.FAILED
            self.runs["retried"] += 1
            log.warning("job %s failed (attempt %d of %d), retrying in %.0fs: %s", job.key, job.attempts,
                        self.max_attempts, delay, error)
        else:
            next_due, state = None, JobState.FAILED
            self.runs["failed"] += 1
            log.error("job %s failed %d times, giving up: %s", job.key, job.attempts, error, exc_info=exc)
        async with self._unit(shared) as session:
            await store.finish(session, job, self.worker_id, state, error=error, next_due=next_due)
