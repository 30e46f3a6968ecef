"""Due-time jobs: schedule/re-time/cancel by key, run once, survive restarts, misfire rules, periodic ticks."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import Counter

import pytest
from sqlalchemy import func, select

from core.contributions import JobSpec
from core.db import create_engine, session_factory, transaction, utcnow
from core.delivery import OutboxSender, enqueue
from core.jobs import JobRunner, cancel, get_job, reschedule, schedule
from core.jobs.models import Job
from tests.delivery.conftest import add_users, fast_settings

MINUTE = dt.timedelta(minutes=1)


def recorder():
    calls: list[tuple[str, dict]] = []

    async def handler(ctx, session, payload):
        calls.append((ctx.key, payload))

    return calls, handler


async def test_schedule_is_an_upsert_by_key_and_reschedule_moves_it(sessions):
    calls, handler = recorder()
    runner = JobRunner(sessions, {"t:ping": JobSpec("ping", handler)})
    async with transaction(sessions) as session:
        await schedule(session, key="k1", job="t:ping", due_at=utcnow() - MINUTE, payload={"v": 1})
        await schedule(session, key="k1", job="t:ping", due_at=utcnow() + MINUTE, payload={"v": 2})
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Job)) == 1
    assert await runner.run_once() == 0  # re-timed into the future: not due

    async with transaction(sessions) as session:
        assert await reschedule(session, "k1", utcnow() - dt.timedelta(seconds=1))
    assert await runner.run_once() == 1
    assert calls == [("k1", {"v": 2})]
    async with sessions() as session:
        job = await get_job(session, "k1")
    assert (job.state, job.attempts) == ("done", 1)

    async with transaction(sessions) as session:
        assert not await reschedule(session, "k1", utcnow())  # nothing pending any more
        assert not await reschedule(session, "missing", utcnow())


async def test_cancel_stops_a_pending_job(sessions):
    calls, handler = recorder()
    runner = JobRunner(sessions, {"t:ping": JobSpec("ping", handler)})
    async with transaction(sessions) as session:
        await schedule(session, key="k", job="t:ping", due_at=utcnow() - MINUTE)
        assert await cancel(session, "k")
        assert not await cancel(session, "other")
    assert await runner.run_once() == 0 and calls == []


async def test_bad_arguments_are_explained(sessions):
    async with transaction(sessions) as session:
        with pytest.raises(ValueError, match="plugin"):
            await schedule(session, key="k", job="noplugin", due_at=utcnow())
        with pytest.raises(ValueError, match="timezone-aware"):
            await schedule(session, key="k", job="t:x", due_at=dt.datetime(2030, 1, 1))


async def test_reminder_scheduled_before_a_restart_fires_after_it(db_url, engine, emulator, bot):
    (uid,) = add_users(emulator, 1)
    # Before the "restart": a reminder is scheduled, due in a moment; then everything stops.
    async with transaction(session_factory(engine)) as session:
        await schedule(session, key=f"workshops:reminder:1:{uid}", job="workshops:reminder",
                       due_at=utcnow() + dt.timedelta(seconds=0.3), payload={"user": uid, "title": "Rust 101"})
    await engine.dispose()
    await asyncio.sleep(0.4)

    async def send_reminder(ctx, session, payload):
        await enqueue(session, chat_id=payload["user"], text=f"Starts soon: {payload['title']}",
                      dedupe_key=ctx.key)

    fresh = create_engine(db_url)  # a new process, as far as the database can tell
    try:
        sessions = session_factory(fresh)
        spec = JobSpec("reminder", send_reminder, misfire="drop", misfire_grace=600)
        runner = JobRunner(sessions, {"workshops:reminder": ("workshops", spec)})
        assert await runner.run_until_idle() == 1
        await OutboxSender(bot, sessions, fast_settings()).drain_until_idle()
    finally:
        await fresh.dispose()
    assert [r.params["text"] for r in emulator.sent_messages(uid)] == ["Starts soon: Rust 101"]


async def test_overdue_jobs_run_late_or_are_dropped_by_their_rule(sessions, caplog):
    calls, handler = recorder()
    runner = JobRunner(sessions, {
        "t:late-ok": JobSpec("late-ok", handler, misfire="run"),
        "t:useless-late": JobSpec("useless-late", handler, misfire="drop", misfire_grace=600),
    })
    async with transaction(sessions) as session:
        await schedule(session, key="run-late", job="t:late-ok", due_at=utcnow() - 60 * MINUTE)
        await schedule(session, key="drop-it", job="t:useless-late", due_at=utcnow() - 11 * MINUTE)
        await schedule(session, key="within-grace", job="t:useless-late", due_at=utcnow() - 5 * MINUTE)
    with caplog.at_level(logging.WARNING, logger="core.jobs.runner"):
        await runner.run_until_idle()

    assert sorted(key for key, _ in calls) == ["run-late", "within-grace"]
    async with sessions() as session:
        dropped = await get_job(session, "drop-it")
    assert dropped.state == "dropped" and "late" in dropped.last_error
    assert any("dropped job drop-it" in r.getMessage() for r in caplog.records)


async def test_failing_handler_rolls_back_retries_then_gives_up(sessions):
    attempts = []

    async def flaky(ctx, session, payload):
        await enqueue(session, chat_id=1, text="must not leak from a failed run")
        attempts.append(ctx.attempt)
        raise RuntimeError("boom")

    runner = JobRunner(sessions, {"t:flaky": JobSpec("flaky", flaky)}, max_attempts=3, retry_base_delay=0.01)
    async with transaction(sessions) as session:
        await schedule(session, key="f", job="t:flaky", due_at=utcnow())
    for _ in range(20):
        await runner.run_once()
        await asyncio.sleep(0.03)
    async with sessions() as session:
        job = await get_job(session, "f")
        from core.delivery import OutboxMessage
        leaked = await session.scalar(select(func.count()).select_from(OutboxMessage))
    assert attempts == [1, 2, 3]
    assert (job.state, job.attempts) == ("failed", 3) and "boom" in job.last_error
    assert leaked == 0


async def test_due_jobs_run_once_with_two_runners(db_backend, db_url, sessions):
    if db_backend != "postgres":
        pytest.skip("several runners share one database on PostgreSQL; SQLite is single-process")
    ran: Counter = Counter()

    async def work(ctx, session, payload):
        ran[ctx.key] += 1
        await asyncio.sleep(0.001)

    async with transaction(sessions) as session:
        for n in range(200):
            await schedule(session, key=f"j{n}", job="t:work", due_at=utcnow() - dt.timedelta(seconds=1))
    engines = [create_engine(db_url) for _ in range(2)]
    try:
        runners = [JobRunner(session_factory(e), {"t:work": JobSpec("work", work)}, batch_size=10,
                             worker_id=f"r{n}") for n, e in enumerate(engines)]
        await asyncio.gather(*(r.run_until_idle() for r in runners))
    finally:
        for e in engines:
            await e.dispose()
    assert len(ran) == 200 and set(ran.values()) == {1}
    assert all(r.runs["done"] > 0 for r in runners)  # both took a share


async def test_periodic_tick_runs_once_per_interval_across_runners(db_url, sessions):
    ticks = []

    async def tick(ctx, session, payload):
        ticks.append(ctx.key)

    specs = {"t:sweep": ("t", JobSpec("sweep", tick, interval=0.3))}
    engines = [create_engine(db_url) for _ in range(2)]
    try:
        runners = [JobRunner(session_factory(e), specs, worker_id=f"r{n}") for n, e in enumerate(engines)]
        await asyncio.gather(*(r.run_once() for r in runners))
        assert ticks == ["periodic:t:sweep"]  # armed due now, run by exactly one runner
        await asyncio.gather(*(r.run_once() for r in runners))
        assert len(ticks) == 1  # not due again yet
        await asyncio.sleep(0.35)
        await asyncio.gather(*(r.run_once() for r in runners))
        assert len(ticks) == 2
    finally:
        for e in engines:
            await e.dispose()
    async with sessions() as session:
        row = await get_job(session, "periodic:t:sweep")
    assert row.state == "scheduled" and row.due_at > utcnow()
