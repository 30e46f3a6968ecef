"""bench/rush: registration opens — N users press Start within S seconds and sign up (consent and
three answers each) against a Bot API enforcing Telegram's limits (30/s in all, 1/s per chat with
bursts of 3, 20/min per group). The organizer bot and, in the same run, a bare aiogram bot with the
same conversation and no limiter (the baseline) face the same users.

    .venv/bin/python bench/rush/run.py [--users 1000] [--spread 10] [--db sqlite|postgres]

The emulator and the scripted users run in a child process (bench/rush/users.py), so the CPU time
measured here is the bot's. Figures per bot: users who got the menu and who were left without an
answer (lost), messages sent, 429 answers, requests inside a 429 window, time from the first to the
last message against what the limit allows for that many messages (M / 30 s), the wait for each
answer (p50/p99), and CPU per update. Saves bench/results/rush.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.common import percentile, print_table, save  # noqa: E402

HERE = Path(__file__).resolve().parent
LIMIT = 30.0
TOKEN = "42:RUSH"
LIMITED = ("send", "edit", "copy", "forward")


async def _start_users(args) -> tuple[asyncio.subprocess.Process, str]:
    child = await asyncio.create_subprocess_exec(
        sys.executable, str(HERE / "users.py"), "--users", str(args.users), "--spread", str(args.spread),
        "--patience", str(args.patience), "--token", TOKEN,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=1 << 30)
    line = (await child.stdout.readline()).decode().split()
    assert line and line[0] == "ready", line
    return child, line[1]


session_stats: dict = {}  # the organizer session's own counts: sent, retried, stale, merged, request_s


async def _organizer(base_url: str, db_url: str):
    from core.app import OrganizerApp
    from core.plugins import PluginRegistry

    overrides = {
        "bot": {"token": TOKEN, "api_server": base_url},
        "database": {"url": db_url},
        "events": {"rush": {"title": "Rush", "timezone": "UTC", "signup": {"enabled": True}}},
        # A rush of this size queues minutes of answers; the default 60 s would drop the last ones.
        "delivery": {"reply_max_age_seconds": 600},
    }
    app = OrganizerApp.from_config(None, environ={}, registry=PluginRegistry.load([], entry_points_enabled=False),
                                   overrides=overrides)
    await app.startup()
    polling = asyncio.create_task(app.dispatcher.start_polling(
        app.bot, handle_signals=False, close_bot_session=False, polling_timeout=1,
        allowed_updates=app.dispatcher.resolve_used_update_types()))

    async def stop():
        stats = app.bot.session.stats
        session_stats.update(stats)
        with contextlib.suppress(RuntimeError):
            await app.dispatcher.stop_polling()
        with contextlib.suppress(BaseException):
            await asyncio.wait_for(polling, 5)
        await app.shutdown(drain_timeout=5)
    return stop


async def _bare(base_url: str):
    from bench.rush.bare_bot import build

    bot, dp = build(base_url, TOKEN)
    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, close_bot_session=False,
                                                   polling_timeout=1))

    async def stop():
        with contextlib.suppress(RuntimeError):
            await dp.stop_polling()
        with contextlib.suppress(BaseException):
            await asyncio.wait_for(polling, 5)
        await bot.session.close()
    return stop


async def run_one(kind: str, args, db_url: str | None) -> dict:
    child, base_url = await _start_users(args)
    stop = await (_organizer(base_url, db_url) if kind == "organizer" else _bare(base_url))
    cpu0 = time.process_time()
    child.stdin.write(b"go\n")
    await child.stdin.drain()
    out = json.loads(await child.stdout.readline())
    cpu = time.process_time() - cpu0
    await stop()
    await child.wait()
    users = out["users"]
    limited = [r for r in out["requests"] if r[0].startswith(LIMITED)]
    ok = sorted(r[2] for r in limited if r[3])
    updates = sum(u["updates"] for u in users)
    waits = [w for u in users for w in u["waits"]]
    span = ok[-1] - ok[0] if ok else float("nan")
    bins = [0] * (int(span // 5) + 1 if ok else 0)
    for t in ok:
        bins[int((t - ok[0]) // 5)] += 1
    allowed = len(ok) / LIMIT
    done = [u for u in users if u["done"] is not None]
    return {
        "bot": kind, "users": len(users), "got_menu": len(done), "lost": len(users) - len(done),
        "messages": len(ok), "http_429": sum(1 for r in limited if r[4] == 429),
        "in_429_window": out["in_429_window"],
        "span_s": span, "limit_s": allowed, "vs_limit": span / allowed if ok else float("nan"),
        "last_menu_s": max(u["done"] for u in done) - min(u["start"] for u in users) if done else float("nan"),
        "wait_p50_s": percentile(waits, 50), "wait_p99_s": percentile(waits, 99),
        "cpu_ms_per_update": 1000 * cpu / max(1, updates), "updates": updates,
        "messages_per_5s": bins,
        "session": dict(session_stats) if kind == "organizer" else None,
        "wait_p99_by_step_s": [round(percentile([u["waits"][i] for u in users if len(u["waits"]) > i], 99), 2)
                               for i in range(5)],
    }


async def main(args) -> None:
    logging.basicConfig(level=logging.ERROR)
    rows = []
    drop = None
    if args.db == "postgres":
        from core.testing import create_pg_database, drop_pg_database

        db_url = await create_pg_database()
        drop = drop_pg_database
    else:
        db_url = f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/rush.db"
    try:
        for kind in ("organizer", "bare"):
            rows.append(await run_one(kind, args, db_url))
    finally:
        if drop is not None:
            await drop(db_url)
    headers = [h for h in rows[0] if h not in ("wait_p99_by_step_s", "messages_per_5s", "session")]
    print_table(f"rush: {args.users} users within {args.spread:.0f} s, sign-up on, limits 30/s, 1/s per chat "
                f"(db {args.db})", headers, [[r[h] for h in headers] for r in rows])
    for r in rows:
        print(f"{r['bot']}: p99 wait by step (start, consent, name, phone, company): {r['wait_p99_by_step_s']}")
        print(f"{r['bot']}: messages per 5 s: {r['messages_per_5s']}")
    org, bare = rows
    ratios = {"lost": f"{org['lost']} vs {bare['lost']}",
              "cpu_per_update_vs_bare": org["cpu_ms_per_update"] / bare["cpu_ms_per_update"]}
    print(f"\norganizer: {org['vs_limit']:.3f}x the limit's time for its messages; "
          f"CPU per update {ratios['cpu_per_update_vs_bare']:.2f}x the bare bot's; lost {ratios['lost']}")
    path = save("rush", {"args": vars(args), "rows": rows, "ratios": ratios})
    print(f"saved {path}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--spread", type=float, default=10.0)
    parser.add_argument("--patience", type=float, default=120.0, help="s a user waits for an answer, then gives up")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    asyncio.run(main(parser.parse_args()))
