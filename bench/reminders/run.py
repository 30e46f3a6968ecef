"""Reminders benchmark: 10,000 due-time jobs → outbox → emulator; delay after due time and idle DB load.

    .venv/bin/python bench/reminders/run.py                       # 10,000 reminders over 60 s, both DBs
    .venv/bin/python bench/reminders/run.py --reminders 2000 --spread 5 --db sqlite

1. 10,000 reminder jobs are stored, due tomorrow. With the JobRunner and OutboxSender running and
   nothing due, statements sent to the database are counted for ``--idle`` seconds (idle load).
2. The jobs are re-timed to fall due evenly over ``--spread`` seconds. Each run enqueues one
   message (the handler a plugin would write); the sender delivers it to the emulator (own process).
3. Delay = emulator arrival − due time. The global rate limit alone would already delay a message
   when reminders fall due faster than it allows, so the table also shows the delay beyond that
   queueing: arrival − the time an ideal limiter would have sent it (goal: p99 ≤ 1 s).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import bindparam, event, func, insert, select, update  # noqa: E402

from bench.broadcast.emulator_process import FIRST_USER_ID  # noqa: E402
from bench.broadcast.harness import EmulatorProcess, database, make_bot  # noqa: E402
from bench.common import percentile, print_table, save  # noqa: E402
from core.config import DeliverySettings  # noqa: E402
from core.contributions import JobSpec  # noqa: E402
from core.db import session_factory, transaction, utcnow  # noqa: E402
from core.delivery import OutboxMessage, OutboxSender, Priority, enqueue, wakeup  # noqa: E402
from core.delivery.ratelimit import HEADROOM  # noqa: E402
from core.jobs import JobRunner  # noqa: E402
from core.jobs.models import Job  # noqa: E402


async def send_reminder(ctx, session, payload):
    await enqueue(session, chat_id=payload["user"], text="Your workshop starts in 15 minutes",
                  priority=Priority.NORMAL, dedupe_key=ctx.key)


class StatementCounter:
    def __init__(self, engine) -> None:
        self.count = 0
        event.listen(engine.sync_engine, "before_cursor_execute", self._hit)

    def _hit(self, *args) -> None:
        self.count += 1


async def one_run(backend: str, reminders: int, spread: float, rate: float, idle: float) -> dict:
    async with database(backend) as (url, engine), EmulatorProcess(reminders, rate) as emu:
        sessions = session_factory(engine)
        users = [FIRST_USER_ID + n for n in range(reminders)]
        tomorrow = utcnow() + dt.timedelta(days=1)
        async with transaction(sessions) as session:
            now = utcnow()
            await session.execute(insert(Job), [
                dict(key=f"bench:reminder:{u}", job="bench:reminder", payload={"user": u}, due_at=tomorrow,
                     state="scheduled", attempts=0, created_at=now, updated_at=now) for u in users])
        bot = make_bot(emu.base_url)
        sender = OutboxSender(bot, sessions, DeliverySettings(global_rate=rate))
        runner = JobRunner(sessions, {"bench:reminder": JobSpec("reminder", send_reminder)})
        counter = StatementCounter(engine)
        tasks = [asyncio.create_task(sender.run()), asyncio.create_task(runner.run())]
        await asyncio.sleep(2)  # start-up statements are not idle load
        before = counter.count
        await asyncio.sleep(idle)
        idle_qps = (counter.count - before) / idle

        # Re-time every reminder to fall due evenly over `spread` seconds from 2 s from now.
        start = utcnow() + dt.timedelta(seconds=2)
        due = {u: start + dt.timedelta(seconds=spread * n / reminders) for n, u in enumerate(users)}
        async with transaction(sessions) as session:
            await session.execute(
                update(Job.__table__).where(Job.__table__.c.key == bindparam("k")).values(due_at=bindparam("d")),
                [{"k": f"bench:reminder:{u}", "d": d} for u, d in due.items()])
            wakeup.notify_on_commit(session, wakeup.JOBS)
        while True:
            await asyncio.sleep(0.5)
            async with sessions() as session:
                sent = await session.scalar(select(func.count()).select_from(OutboxMessage)
                                            .where(OutboxMessage.state == "sent"))
            if sent >= reminders:
                break
        async with sessions() as session:
            enqueued = dict((await session.execute(select(OutboxMessage.chat_id, OutboxMessage.created_at))).all())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await sender.close()
        await bot.session.close()
        records = await emu.requests()

    # Emulator times are CLOCK_MONOTONIC (system-wide): map due times onto that clock.
    offset = time.time() - time.monotonic()
    arrival = {r[0]: r[1] for r in records if r[2]}
    due_mono = {u: d.timestamp() - offset for u, d in due.items()}
    delays = [arrival[u] - due_mono[u] for u in users if u in arrival]
    ideal, last, beyond = {}, float("-inf"), []
    for u in sorted(users, key=due_mono.get):  # the send time of a perfect limiter at this rate
        last = max(due_mono[u], last + 1 / (rate * HEADROOM))
        ideal[u] = last
    beyond = [arrival[u] - ideal[u] for u in users if u in arrival]
    # Where the time goes: due → the job's enqueue committed (runner), enqueue → arrival (sender).
    runner_lag = [(enqueued[u] - due[u]).total_seconds() for u in users if u in enqueued]
    sender_lag = [arrival[u] - (enqueued[u].timestamp() - offset) for u in users if u in arrival]
    return {
        "db": backend, "reminders": reminders, "spread_s": spread, "rate": rate,
        "delivered": len(arrival), "http_429": sum(1 for r in records if r[3] == 429),
        "delay_p50_s": round(percentile(delays, 50), 3), "delay_p99_s": round(percentile(delays, 99), 3),
        "delay_max_s": round(max(delays), 3),
        "beyond_limit_p50_s": round(percentile(beyond, 50), 3), "beyond_limit_p99_s": round(percentile(beyond, 99), 3),
        "runner_lag_p99_s": round(percentile(runner_lag, 99), 3), "sender_lag_p99_s": round(percentile(sender_lag, 99), 3),
        "idle_queries_per_s": round(idle_qps, 2), "job_runs": runner.runs,
    }


async def main(args: argparse.Namespace) -> None:
    runs = []
    for backend in args.db.split(","):
        print(f"… {backend}: {args.reminders} reminders over {args.spread:.0f}s at {args.rate:.0f}/s", flush=True)
        runs.append(await one_run(backend, args.reminders, args.spread, args.rate, args.idle))
    headers = ["db", "reminders", "spread_s", "rate", "delivered", "http_429", "delay_p50_s", "delay_p99_s",
               "delay_max_s", "beyond_limit_p50_s", "beyond_limit_p99_s", "runner_lag_p99_s", "sender_lag_p99_s",
               "idle_queries_per_s"]
    print_table("Reminders: due time → delivery (emulator in its own process)", headers,
                [[r[h] for h in headers] for r in runs])
    print(f"\nsaved {save('reminders', {'runs': runs})}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument("--spread", type=float, default=60.0, help="seconds over which they fall due")
    parser.add_argument("--rate", type=float, default=1000.0, help="global send limit (msg/s)")
    parser.add_argument("--idle", type=float, default=10.0, help="seconds of idle load measurement")
    parser.add_argument("--db", default="sqlite,postgres")
    asyncio.run(main(parser.parse_args()))
