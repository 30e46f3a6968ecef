"""Broadcast benchmark: N recipients through the outbox sender at a Telegram-like limit.

    .venv/bin/python bench/broadcast/run.py                         # 30/s × 1,500 and 1000/s × 10,000, both DBs
    .venv/bin/python bench/broadcast/run.py --limits 30 --recipients 10000 --db postgres   # the full 5.5 min run

The emulator runs in its own process and enforces the same limit (so any excess shows up as 429s);
the sender runs here with ``global_rate`` = the limit and the default batch settings. Reported:
achieved rate as a fraction of the limit (between the first and last delivery; goal ≥ 0.95), the
most requests in any 1 s window, 429s, CPU time of the sender process per message (the database
server's CPU is not included), peak RSS of the sender process, messages lost and duplicated.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import func, select  # noqa: E402

from bench.broadcast.harness import EmulatorProcess, database, make_bot, max_in_window  # noqa: E402
from bench.broadcast.emulator_process import FIRST_USER_ID  # noqa: E402
from bench.common import print_table, save  # noqa: E402
from core.config import DeliverySettings  # noqa: E402
from core.db import session_factory, transaction  # noqa: E402
from core.delivery import OutboxMessage, OutboxSender, create_broadcast  # noqa: E402

DEFAULT_RECIPIENTS = {30: 1_500}  # 30/s × 10,000 takes 5.5 minutes: opt in with --recipients


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def one_run(backend: str, limit: float, recipients: int) -> dict:
    async with database(backend) as (url, engine), EmulatorProcess(recipients, limit) as emu:
        sessions = session_factory(engine)
        users = [FIRST_USER_ID + n for n in range(recipients)]
        async with transaction(sessions) as session:
            await create_broadcast(session, recipients=users, title=f"bench {limit}/s", text="Doors open at 9:00")
        bot = make_bot(emu.base_url)
        sender = OutboxSender(bot, sessions, DeliverySettings(global_rate=limit))
        cpu0, t0 = cpu_seconds(), time.monotonic()
        task = asyncio.create_task(sender.run())
        while True:
            await asyncio.sleep(0.25)
            async with sessions() as session:
                pending = await session.scalar(select(func.count()).select_from(OutboxMessage).where(
                    OutboxMessage.state.in_(["queued", "claimed"])))
            if not pending:
                break
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        wall, cpu = time.monotonic() - t0, cpu_seconds() - cpu0
        await sender.close()
        await bot.session.close()
        records = await emu.requests()
        async with sessions() as session:
            states = dict((await session.execute(select(OutboxMessage.state, func.count())
                                                 .group_by(OutboxMessage.state))).all())
    ok = [r for r in records if r[2]]
    times = sorted(r[1] for r in ok)
    per_chat = Counter(r[0] for r in ok)
    achieved = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
    return {
        "db": backend, "limit": limit, "recipients": recipients, "wall_s": round(wall, 2),
        "achieved_per_s": round(achieved, 1), "fraction_of_limit": round(achieved / limit, 3),
        "max_in_1s_window": max_in_window(times), "http_429": sum(1 for r in records if r[3] == 429),
        "cpu_ms_per_msg": round(cpu / max(1, len(ok)) * 1000, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "lost": len(set(users) - set(per_chat)), "duplicated": sum(n - 1 for n in per_chat.values()),
        "rows": states,
    }


async def main(args: argparse.Namespace) -> None:
    runs = []
    for backend in args.db.split(","):
        for limit in (float(x) for x in args.limits.split(",")):
            recipients = args.recipients or DEFAULT_RECIPIENTS.get(int(limit), 10_000)
            print(f"… {backend}: {recipients} recipients at {limit:.0f}/s", flush=True)
            runs.append(await one_run(backend, limit, recipients))
    headers = ["db", "limit", "recipients", "wall_s", "achieved_per_s", "fraction_of_limit", "max_in_1s_window",
               "http_429", "cpu_ms_per_msg", "peak_rss_mb", "lost", "duplicated"]
    print_table("Broadcast through the outbox (emulator in its own process)", headers,
                [[r[h] for h in headers] for r in runs])
    path = save("broadcast", {"runs": runs})
    print(f"\nsaved {path}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limits", default="30,1000", help="comma-separated limits in msg/s (max 1000)")
    parser.add_argument("--recipients", type=int, default=0,
                        help="recipients per run (default: 1,500 at 30/s, 10,000 otherwise)")
    parser.add_argument("--db", default="sqlite,postgres", help="sqlite, postgres or both")
    asyncio.run(main(parser.parse_args()))
