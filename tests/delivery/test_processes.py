"""Crash safety and scale-out with real sender processes (SIGKILL, two processes on PostgreSQL)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.db import transaction
from core.delivery import Broadcast, OutboxMessage, create_broadcast
from core.delivery.leases import WorkerLease
from tests.delivery.conftest import add_users, max_in_window

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("ORGANIZER_TEST_REDIS", "redis://127.0.0.1:6379/15")


async def start_sender(db_url: str, api: str, worker: str, *extra: str) -> asyncio.subprocess.Process:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.delivery.sender_process", "--db", db_url, "--api", api, "--worker", worker,
        *extra, cwd=ROOT, stdout=asyncio.subprocess.PIPE,
    )
    try:
        # A cold interpreter on a machine busy with other tests can take a while to import: wait
        # for the ready line generously, and never leave the process behind.
        line = await asyncio.wait_for(proc.stdout.readline(), 120)
    except BaseException:
        await stop(proc, signal.SIGKILL)
        raise
    assert line.strip() == b"ready", line
    return proc


async def stop(proc: asyncio.subprocess.Process, sig: int = signal.SIGTERM) -> None:
    if proc.returncode is None:
        proc.send_signal(sig)
    await proc.wait()


async def state_counts(sessions) -> Counter:
    async with sessions() as session:
        return Counter(dict((await session.execute(
            select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state))).all()))


async def wait_until(predicate, timeout: float, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def finished(sessions, batch_id: int) -> bool:
    async with sessions() as session:
        return (await session.get(Broadcast, batch_id)).finished_at is not None


def deliveries(emulator) -> Counter:
    return Counter(r.params["chat_id"] for r in emulator.sent_messages())


async def test_sigkill_mid_broadcast_then_restart_loses_nothing(db_url, sessions, emulator):
    users = add_users(emulator, 300)
    async with transaction(sessions) as session:
        batch = await create_broadcast(session, recipients=users, title="crash", text="hello")
    first = await start_sender(db_url, emulator.base_url, "first", "--rate", "100")
    try:
        async def some_delivered():
            return len(emulator.sent_messages()) >= 100
        await wait_until(some_delivered, 60, "100 deliveries")
    finally:
        await stop(first, signal.SIGKILL)
    in_flight = (await state_counts(sessions))["claimed"]  # claimed, outcome unknown: the only rows that may repeat
    delivered_before_restart = len(emulator.sent_messages())
    assert delivered_before_restart < len(users), "the kill came too late to test anything"

    second = await start_sender(db_url, emulator.base_url, "second", "--rate", "100")
    try:
        async def all_final():
            counts = await state_counts(sessions)
            return counts["queued"] == 0 and counts["claimed"] == 0
        await wait_until(all_final, 60, "every row to reach a final state")
    finally:
        await stop(second)

    got = deliveries(emulator)
    assert set(got) == set(users)  # nothing lost
    duplicates = sum(n - 1 for n in got.values())
    assert duplicates <= in_flight, (duplicates, in_flight)
    assert (await state_counts(sessions)) == Counter({"sent": len(users)})
    assert await finished(sessions, batch.id)  # the restarted sender closed the broadcast


async def test_two_processes_on_postgresql_deliver_each_message_once(db_backend, db_url, sessions, emulator):
    if db_backend != "postgres":
        pytest.skip("several sender processes need PostgreSQL (SKIP LOCKED); SQLite is single-process")
    users = add_users(emulator, 2000)
    rate = 400
    shared = ["--rate", str(rate), "--redis", REDIS_URL, "--prefix", f"organizer:test:{uuid.uuid4().hex}"]
    # Both senders are up before the broadcast is queued: one starting seconds after the other
    # on a loaded machine could otherwise find the work already done.
    procs = [await start_sender(db_url, emulator.base_url, f"worker-{n}", *shared) for n in range(2)]
    try:
        async with transaction(sessions) as session:
            batch = await create_broadcast(session, recipients=users, title="scale-out", text="hello")
        async def all_sent():
            return (await state_counts(sessions))["sent"] == len(users)
        await wait_until(all_sent, 120, "2000 rows sent")
    finally:
        for proc in procs:
            await stop(proc)

    got = deliveries(emulator)
    assert set(got) == set(users) and set(got.values()) == {1}  # exactly once
    async with sessions() as session:
        by_worker = dict((await session.execute(
            select(OutboxMessage.claimed_by, func.count()).group_by(OutboxMessage.claimed_by))).all())
    assert set(by_worker) == {"worker-0", "worker-1"}, by_worker  # both drained the one outbox
    # Each sender skips the finish check while it holds rows of the broadcast; whichever records
    # last must still close it.
    await wait_until(lambda: finished(sessions, batch.id), 10, "the broadcast to be finished")
    # The global rate is shared through Redis: the two processes together stay under it.
    assert max_in_window([r.time for r in emulator.requests_for("sendMessage")]) <= rate


async def test_sigkill_claims_go_back_when_the_lease_runs_out_not_after_the_claim_timeout(db_url, sessions, emulator):
    """The claim timeout is an hour here: only the dead worker's expired lease can free its rows."""
    users = add_users(emulator, 300)
    async with transaction(sessions) as session:
        batch = await create_broadcast(session, recipients=users, title="crash", text="hello")
    hour = ["--rate", "100", "--claim-timeout", "3600", "--lease", "1.5"]
    first = await start_sender(db_url, emulator.base_url, "first", *hour)
    try:
        async def some_delivered():
            return len(emulator.sent_messages()) >= 100
        await wait_until(some_delivered, 60, "100 deliveries")
    finally:
        await stop(first, signal.SIGKILL)
    in_flight = (await state_counts(sessions))["claimed"]
    assert in_flight > 0, "the kill came when the sender held nothing"
    assert len(emulator.sent_messages()) < len(users), "the kill came too late to test anything"

    second = await start_sender(db_url, emulator.base_url, "second", *hour)
    try:
        async def all_final():
            counts = await state_counts(sessions)
            return counts["queued"] == 0 and counts["claimed"] == 0
        await wait_until(all_final, 60, "every row to reach a final state")
    finally:
        await stop(second)

    got = deliveries(emulator)
    assert set(got) == set(users)  # nothing lost
    assert sum(n - 1 for n in got.values()) <= in_flight
    assert (await state_counts(sessions)) == Counter({"sent": len(users)})
    assert await finished(sessions, batch.id)
    async with sessions() as session:
        leases = dict((await session.execute(select(WorkerLease.worker_id, WorkerLease.expires_at))).all())
    assert "first" not in leases  # the dead worker's lease was reaped with its claims


async def test_a_live_worker_takes_over_a_killed_workers_claims(db_backend, db_url, sessions, emulator):
    if db_backend != "postgres":
        pytest.skip("several sender processes need PostgreSQL (SKIP LOCKED); SQLite is single-process")
    users = add_users(emulator, 600)
    async with transaction(sessions) as session:
        await create_broadcast(session, recipients=users, title="takeover", text="hello")
    hour = ["--rate", "100", "--claim-timeout", "3600", "--lease", "1.5"]
    doomed = await start_sender(db_url, emulator.base_url, "doomed", *hour)
    survivor = await start_sender(db_url, emulator.base_url, "survivor", *hour)
    try:
        async def doomed_sent_some():
            async with sessions() as session:
                return (await session.scalar(select(func.count()).where(
                    OutboxMessage.claimed_by == "doomed", OutboxMessage.state == "sent"))) >= 50
        await wait_until(doomed_sent_some, 60, "the doomed worker to send some")
        await stop(doomed, signal.SIGKILL)
        async with sessions() as session:
            held = await session.scalar(select(func.count()).where(
                OutboxMessage.claimed_by == "doomed", OutboxMessage.state == "claimed"))

        async def all_sent():
            return (await state_counts(sessions))["sent"] == len(users)
        await wait_until(all_sent, 60, "the survivor to send the rest")
    finally:
        await stop(doomed, signal.SIGKILL)
        await stop(survivor)
    got = deliveries(emulator)
    assert set(got) == set(users)
    assert sum(n - 1 for n in got.values()) <= held
