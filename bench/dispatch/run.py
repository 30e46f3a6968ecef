"""Updates per second through emulator → aiogram → our middlewares → the main-menu handler, against
a bare aiogram echo bot on the same emulator in the same run; p50/p99 latency per update.

    .venv/bin/python -m bench.dispatch.run [--users 200] [--messages 5] [--rounds 3] [--db sqlite|postgres]

Each bot runs in its own process (as in production); the emulator and the load run here. Ours runs
at the highest send rates its config accepts (``BENCH_LIMITS=max``, see bench/startup/child.py):
the emulator enforces no flood limits and the bare bot has no limiter, so with the defaults (30
messages a second) this would measure the pacing, which bench/rush does. Latency
is from the moment an update is queued at the emulator to the bot's reply in that chat. Goal:
ours ≥ 0.6 × bare.

The two bots take turns for ``--rounds`` rounds (bare, ours, bare, ours, …) and the ratio is the
median of the rounds' ratios: a burst lasts about a second, and on a shared 2-core machine one
burst's rate moves by ±20% from run to run, for either bot.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

import psutil

from bench.common import median, percentile, print_table, save
from core.sandbox import BotAPIEmulator

REPO = Path(__file__).resolve().parents[2]
TOKEN = "42:BENCH"


async def start_bot(mode: str, api: str, db: str) -> asyncio.subprocess.Process:
    # Our bot at the highest rates its config accepts (see bench.startup.child): this measures
    # dispatch, not the pacing at Telegram's 30 messages a second (bench/rush does that).
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bench.startup.child", mode, api, db,
                                                cwd=REPO, stdout=asyncio.subprocess.PIPE,
                                                env={**os.environ, "BENCH_LIMITS": "max"})
    line = await asyncio.wait_for(proc.stdout.readline(), 120)
    if line.strip() != b"READY":
        raise RuntimeError(f"{mode} bot did not start: {line!r}")
    return proc


async def burst(emu: BotAPIEmulator, users: list[int], text: str, per_user: int) -> tuple[float, list[float]]:
    """Queue ``per_user`` messages from every user at once; wait for one reply per message."""
    events = emu.subscribe()
    sent_at: dict[int, list[float]] = {u: [] for u in users}
    latencies: list[float] = []
    expected = len(users) * per_user
    started = time.perf_counter()
    for _ in range(per_user):
        for user in users:
            sent_at[user].append(time.perf_counter())
            await emu.send_text(user, text)
    while len(latencies) < expected:
        event = await asyncio.wait_for(events.get(), 60)
        if event.get("type") == "message" and event["message"]["from_bot"]:
            chat = event.get("chat_id")
            if chat in sent_at and sent_at[chat]:
                latencies.append(time.perf_counter() - sent_at[chat].pop(0))
    elapsed = time.perf_counter() - started
    emu.unsubscribe(events)
    return elapsed, latencies


async def measure(mode: str, users: int, per_user: int, db: str) -> dict:
    emu = await BotAPIEmulator().start()
    emu.record_requests = False  # keep the emulator's own bookkeeping out of the measurement
    emu.add_bot(TOKEN)
    proc = await start_bot(mode, emu.base_url, db)
    try:
        people = [emu.add_user(f"U{i}", language_code="ru")["id"] for i in range(users)]
        # Warm-up: everyone joins the event (ours) or says hello (bare); not measured.
        await burst(emu, people, "/start demo", 1)
        text = "/menu" if mode == "organizer" else "hello"
        bot_process = psutil.Process(proc.pid)
        cpu_before = sum(bot_process.cpu_times()[:2])
        elapsed, latencies = await burst(emu, people, text, per_user)
        cpu = sum(bot_process.cpu_times()[:2]) - cpu_before
    finally:
        proc.terminate()
        await proc.wait()
        await emu.stop()
    return {"updates": len(latencies), "seconds": elapsed, "per_second": len(latencies) / elapsed,
            "cpu_ms_per_update": cpu * 1000 / len(latencies),
            "p50_ms": percentile(latencies, 50) * 1000, "p99_ms": percentile(latencies, 99) * 1000}


async def main(users: int, per_user: int, rounds: int, backend: str) -> None:
    results: list[tuple[dict, dict]] = []
    with tempfile.TemporaryDirectory() as tmp:
        if backend == "postgres":
            from core.testing import create_pg_database, drop_pg_database

            db = await create_pg_database()
        else:
            db = f"sqlite+aiosqlite:///{Path(tmp) / 'dispatch.db'}"
        try:
            for _ in range(rounds):
                bare = await measure("bare", users, per_user, db)
                ours = await measure("organizer", users, per_user, db)
                results.append((bare, ours))
        finally:
            if backend == "postgres":
                await drop_pg_database(db)
    ratios = [ours["per_second"] / bare["per_second"] for bare, ours in results]
    cpu_ratios = [bare["cpu_ms_per_update"] / ours["cpu_ms_per_update"] for bare, ours in results]
    rows = []
    for n, (bare, ours) in enumerate(results, start=1):
        for name, r in (("bare aiogram echo", bare), (f"organizer /menu ({backend})", ours)):
            rows.append([n, name, r["updates"], r["per_second"], r["p50_ms"], r["p99_ms"], r["cpu_ms_per_update"]])
    print_table(f"bench/dispatch — {users} users × {per_user} updates, burst, {rounds} rounds",
                ["round", "bot", "updates", "updates/s", "p50 ms", "p99 ms", "bot CPU ms/update"], rows)
    ratio, cpu_ratio = median(ratios), median(cpu_ratios)
    print(f"\nratio organizer/bare per round: {', '.join(f'{r:.2f}' for r in ratios)}")
    print(f"ratio organizer/bare = {ratio:.2f} (median; goal ≥ 0.6)")
    # The bot's own CPU per update: steadier than the rate when other work shares the machine.
    print(f"CPU-bound ratio (bare CPU/update ÷ ours) = {cpu_ratio:.2f} (median)")
    path = save(f"dispatch-{backend}", {"users": users, "per_user": per_user, "rounds": [
        {"bare": bare, "organizer": ours} for bare, ours in results], "ratios": ratios, "ratio": ratio,
        "cpu_ratio": cpu_ratio})
    print(f"saved {path.relative_to(REPO)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--messages", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    asyncio.run(main(args.users, args.messages, args.rounds, args.db))
