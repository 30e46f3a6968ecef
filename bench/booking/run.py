"""Booking race benchmark: N users tap "book" for S seats at once, emulator → bot → database.

    .venv/bin/python bench/booking/run.py                      # 1000 users, 50 seats, SQLite and PostgreSQL
    .venv/bin/python bench/booking/run.py --users 200 --seats 10 --db sqlite

For each database, in the same process and on the same emulator, it first runs a bare aiogram
"echo" bot (a callback handler that edits the tapped message, answered by aiogram's
CallbackAnswerMiddleware) and then the organizer app (workshops + waitlist). Every user has a
message with the "book" button; all users press it at once (one callback_query update each, in
tap order), after a few warm-up taps (not measured) that each bot serves first. Latency = from
the tap to the bot's editMessageText for that chat, as the emulator sees it. Correctness: exactly S bookings, N − S queued, the queue in tap order (update ids; the
order the taps reached the lock is reported as inversions against it), and each user told what the
database holds — right after the answers, and after the live refresh has corrected the cards of
people an earlier-sent, later-served tap queued ahead of.

Each database gets ``--rounds`` rounds (echo, then organizer, on a fresh emulator and database);
one race's rate moves by ±20% between runs on a shared 2-core machine, so the figure is the
median of the rounds' ratios. The CPU per tap (this process: emulator and bot) is steadier
than the rate when other work shares the machine. Prints a table and writes JSON to
bench/results/booking-<timestamp>.json. Not a test: numbers depend on the machine; the ratio to
the echo bot on the same run is the figure to compare.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import platform
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import logging  # noqa: E402

logging.basicConfig(level=logging.WARNING)

ECHO_TOKEN = "77:ECHOBENCH"
WARM_UP_TAPS = 6
PROFILE_TO: str | None = None  # --profile PATH: cProfile the organizer race (PATH.<db>)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


async def warm_up(emu, token: str, taps: list[tuple[int, int, str]], timeout: float) -> None:
    """A few taps before the race, not measured: a bot that has been running has its lazily
    loaded modules, message catalogs and compiled statements in place, and so has the echo bot."""
    for uid, message_id, data in taps:
        await emu.click(uid, message_id, data, chat_id=uid, token=token)
    await emu.wait_idle(quiet=0.2, timeout=timeout)


async def race(emu, token: str, taps: list[tuple[int, int, str]], timeout: float) -> dict:
    """All users tap at once; returns throughput and latency from the emulator's request log."""
    emu.requests.clear()
    clicked: dict[int, float] = {}

    async def tap(uid: int, message_id: int, data: str) -> None:
        clicked[uid] = time.monotonic()
        await emu.click(uid, message_id, data, chat_id=uid, token=token)

    cpu_before = time.process_time()  # this process: the emulator and the bot under test
    start = time.monotonic()
    await asyncio.gather(*(tap(*t) for t in taps))
    answered: dict[int, float] = {}
    errors, seen = 0, 0
    deadline = start + timeout
    while len(answered) < len(taps) and time.monotonic() < deadline:
        # Wait for an answer to every tap (a quiet period is no proof: the bot may be busy in the DB).
        await asyncio.sleep(0.05)
        for r in emu.requests[seen:]:
            seen += 1
            if r.method.lower() != "editmessagetext":
                continue
            if not r.ok:
                errors += 1
                continue
            chat = int(r.params.get("chat_id"))
            if chat in clicked and chat not in answered and r.time >= clicked[chat]:
                answered[chat] = r.time
    cpu = time.process_time() - cpu_before
    await emu.wait_idle(quiet=0.1, timeout=timeout)
    latencies = [answered[u] - clicked[u] for u in answered]
    wall = (max(answered.values()) - start) if answered else float("nan")
    return {
        "taps": len(taps), "answered": len(answered), "edit_errors": errors, "seconds": round(wall, 3),
        "taps_per_second": round(len(answered) / wall, 1) if answered else 0.0,
        "p50_ms": round(percentile(latencies, 50) * 1000, 1), "p99_ms": round(percentile(latencies, 99) * 1000, 1),
        "cpu_ms_per_tap": round(cpu * 1000 / len(answered), 3) if answered else float("nan"),
    }


async def echo_bot(emu, users: list[dict], warm: list[dict], timeout: float) -> dict:
    from aiogram import Bot, Dispatcher, F
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup
    from aiogram.utils.callback_answer import CallbackAnswerMiddleware

    emu.add_bot(ECHO_TOKEN)
    bot = Bot(ECHO_TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(emu.base_url)))
    dp = Dispatcher()
    dp.callback_query.middleware(CallbackAnswerMiddleware())

    @dp.callback_query(F.data)
    async def echo(query: CallbackQuery) -> None:
        await query.message.edit_text(f"echo: {query.data}")

    markup = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Book", callback_data="echo:book")]])
    taps, warm_taps = [], []
    for group, out in ((warm, warm_taps), (users, taps)):
        for u in group:
            sent = await bot.send_message(u["id"], "Workshop", reply_markup=markup)
            out.append((u["id"], sent.message_id, "echo:book"))
    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, close_bot_session=False,
                                                   polling_timeout=1))
    try:
        await warm_up(emu, ECHO_TOKEN, warm_taps, timeout)
        result = await race(emu, ECHO_TOKEN, taps, timeout)
    finally:
        await dp.stop_polling()
        await asyncio.wait_for(polling, 10)
        await bot.session.close()
    return result


async def organizer_bot(emu, db_url: str, users: list[dict], warm: list[dict], seats: int, timeout: float) -> dict:
    from sqlalchemy import select

    from core import people
    from core.db import utcnow
    from core.people import SYSTEM
    from core.sandbox.harness import Sandbox
    from plugins.waitlist.models import Entry
    from plugins.workshops import catalogue
    from plugins.workshops.keyboards import WsBook
    from plugins.workshops.models import Booking
    from plugins.workshops.organizer_input import WorkshopData
    from plugins.workshops.settings import config_for

    box = Sandbox(db_url, emulator=emu)
    events = {"demo": {"title": "Bench", "timezone": "Europe/Moscow", "signup": {"enabled": False},
                       "plugins": {"workshops": {"live_updates": True}, "waitlist": {}}}}
    # The highest send rates the config accepts: the emulator enforces no flood limits and the echo
    # bot has no limiter; with the default 30 a second this would time the pacing (bench/rush does).
    limits = {"global_rate": 1000, "private_chat_rate": 1000, "private_chat_burst": 1000}
    app = await box.start(plugins=["workshops", "waitlist"], events=events, poll=False,
                          settings={"delivery": limits})
    app.freeze_startup_objects()  # as `organizer run` does once started
    try:
        async with app.transaction() as s:
            event = await people.event_by_slug(s, "demo")
            starts = (utcnow() + dt.timedelta(days=3)).replace(second=0, microsecond=0)
            workshop = await catalogue.create_workshop(app, s, event, SYSTEM, WorkshopData(
                title="Soldering", starts_at=starts, ends_at=starts + dt.timedelta(minutes=90), capacity=seats,
                place="Room 1"))
            # The warm-up books and queues (capacity below the warm-up taps) on a workshop of its own.
            rehearsal = await catalogue.create_workshop(app, s, event, SYSTEM, WorkshopData(
                title="Rehearsal", starts_at=starts - dt.timedelta(hours=3), ends_at=starts - dt.timedelta(hours=2),
                capacity=max(1, len(warm) // 2), place="Room 2"))
            for u in warm + users:  # they opened the event before (as /start demo would have done)
                user = await people.upsert_user(s, people.TelegramProfile(u["id"], u["first_name"], language_code="ru"))
                await people.join_event(s, user, event, app.settings)
        data = WsBook(id=workshop.id).pack()
        from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

        markup = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="✍️ Записаться", callback_data=data)]])
        taps = []
        for u in users:
            sent = await app.bot.send_message(u["id"], "Soldering", reply_markup=markup)
            taps.append((u["id"], sent.message_id, data))
        warm_data = WsBook(id=rehearsal.id).pack()
        warm_markup = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="✍️ Записаться",
                                                                                  callback_data=warm_data)]])
        warm_taps = []
        for u in warm:
            sent = await app.bot.send_message(u["id"], "Rehearsal", reply_markup=warm_markup)
            warm_taps.append((u["id"], sent.message_id, warm_data))
        box.start_polling()
        await warm_up(emu, box.token, warm_taps, timeout)
        profiler = None
        if PROFILE_TO:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        result = await race(emu, box.token, taps, timeout)
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(f"{PROFILE_TO}.{'sqlite' if 'sqlite' in db_url else 'postgres'}")
        # --- correctness ---
        async with app.sessions() as s:
            booked = set((await s.scalars(select(Booking.user_id).where(Booking.workshop_id == workshop.id))).all())
            entries = list((await s.scalars(select(Entry).where(Entry.workshop_id == workshop.id)
                                            .order_by(Entry.tap_order, Entry.id))).all())
        queue = [e.user_id for e in entries]
        served = [e.user_id for e in sorted(entries, key=lambda e: e.id)]  # the order taps reached the lock
        position = {uid: n for n, uid in enumerate(queue, start=1)}

        def truthful() -> int:
            told = 0
            for u in users:
                views = [v for v in emu.chat_messages(u["id"]) if v["from_bot"]]
                text = views[-1]["text"] if views else ""
                if u["id"] in booked:
                    told += "✅ Вы записаны" in text and "листе ожидания: №" not in text
                elif u["id"] in position:
                    told += bool(re.search(rf"[Вв]ы в листе ожидания: №{position[u['id']]}[. ]", text))
            return told

        told_at_answer = truthful()
        # A tap sent earlier that reached the lock later queues ahead (tap order): the cards of those
        # behind it are corrected by the live refresh (the workshop's version moved). Run it to quiet.
        from plugins.workshops.live import refresh_views

        # (during the race the live settings were the defaults; now correct every card quickly)
        live = config_for(app, "demo")
        live.live_min_interval_seconds, live.live_edits_per_run = 1.0, 200
        refreshed = 0
        for _ in range(100):
            await asyncio.sleep(1.0)  # live_min_interval_seconds
            edited = await refresh_views(app)
            refreshed += edited
            if not edited:
                break
        await emu.wait_idle(quiet=0.1, timeout=timeout)
        told_after_refresh = truthful()
        tap_rank = {uid: i for i, (uid, _m, _d) in enumerate(taps)}

        def inversions(order: list[int]) -> int:
            ranks = [tap_rank[uid] for uid in order]
            return sum(1 for i in range(len(ranks)) for j in range(i + 1, min(len(ranks), i + 50))
                       if ranks[i] > ranks[j])

        in_tap_order = queue == sorted(queue, key=tap_rank.__getitem__)
        result.update({
            "booked": len(booked), "queued": len(queue), "overlap": len(booked & set(queue)),
            "told_the_truth_at_answer": told_at_answer, "live_refresh_edits": refreshed,
            "told_the_truth": told_after_refresh,
            "queue_in_tap_order": in_tap_order, "queue_inversions_vs_tap_order": inversions(queue),
            "lock_order_inversions_vs_tap_order": inversions(served),
            "correct": len(booked) == seats and len(queue) == len(users) - seats and not booked & set(queue)
                       and told_after_refresh == len(users) and in_tap_order,
        })
        return result
    finally:
        await box.stop()


async def one_database(db: str, n_users: int, seats: int, timeout: float) -> dict:
    from core.sandbox import BotAPIEmulator
    from core.testing import create_pg_database, drop_pg_database

    if db == "sqlite":
        path = ROOT / "bench" / "results" / f"booking-{int(time.time())}.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        url, cleanup = f"sqlite+aiosqlite:///{path}", None
    else:
        url = await create_pg_database()
        cleanup = url
    emu = await BotAPIEmulator().start()
    emu.record_requests = True
    try:
        users = [emu.add_user(f"P{i}", language_code="ru") for i in range(n_users)]
        warm = [emu.add_user(f"W{i}", language_code="ru") for i in range(WARM_UP_TAPS)]
        echo = await echo_bot(emu, users, warm, timeout)
        ours = await organizer_bot(emu, url, users, warm, seats, timeout)
    finally:
        await emu.stop()
        if cleanup:
            await drop_pg_database(cleanup)
        elif db == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
    ratio = round(ours["taps_per_second"] / echo["taps_per_second"], 2) if echo["taps_per_second"] else 0.0
    cpu_ratio = round(echo["cpu_ms_per_tap"] / ours["cpu_ms_per_tap"], 2)
    return {"db": db, "echo": echo, "organizer": ours, "throughput_ratio": ratio, "cpu_ratio": cpu_ratio}


def table(rows: list[dict]) -> str:
    head = (f"{'db':<9}{'bot':<11}{'taps':>6}{'ok':>6}{'taps/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'CPU ms/tap':>12}"
            "  correctness")
    lines = [head, "-" * len(head)]
    for r in rows:
        for name in ("echo", "organizer"):
            m = r[name]
            correct = ""
            if name == "organizer":
                correct = (f"{m['booked']} booked, {m['queued']} queued, "
                           f"truthful {m['told_the_truth_at_answer']}→{m['told_the_truth']}/{m['taps']} "
                           f"(+{m['live_refresh_edits']} live edits), queue in tap order: "
                           f"{'yes' if m['queue_in_tap_order'] else 'NO'} (lock order inversions "
                           f"{m['lock_order_inversions_vs_tap_order']}), ratio {r['throughput_ratio']}× echo"
                           f" → {'OK' if m['correct'] else 'WRONG'}")
            lines.append(f"{r['db']:<9}{name:<11}{m['taps']:>6}{m['answered']:>6}{m['taps_per_second']:>9}"
                         f"{m['p50_ms']:>9}{m['p99_ms']:>9}{m['cpu_ms_per_tap']:>12}  {correct}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--seats", type=int, default=50)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--rounds", type=int, default=3,
                        help="echo and organizer races per database; the ratio reported is the median")
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--profile", metavar="PATH", help="cProfile the organizer race, stats to PATH.<db>")
    args = parser.parse_args()
    global PROFILE_TO
    PROFILE_TO = args.profile
    rows = []
    medians = {}
    for db in [d.strip() for d in args.db.split(",") if d.strip()]:
        ratios = []
        for _ in range(args.rounds):
            rows.append(asyncio.run(one_database(db, args.users, args.seats, args.timeout)))
            ratios.append(rows[-1]["throughput_ratio"])
            print(table(rows[-1:]).splitlines()[-1], flush=True)
        medians[db] = statistics.median(ratios)
    print()
    print(table(rows))
    print()
    for db, ratio in medians.items():
        ratios = ", ".join(str(r["throughput_ratio"]) for r in rows if r["db"] == db)
        cpu = statistics.median(r["cpu_ratio"] for r in rows if r["db"] == db)
        print(f"{db}: organizer/echo per round {ratios}; median {ratio:.2f}× (goal ≥ 0.4×); "
              f"CPU per tap, echo ÷ organizer: median {cpu:.2f}")
    out = ROOT / "bench" / "results" / f"booking-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "users": args.users, "seats": args.seats, "python": sys.version.split()[0],
        "machine": platform.platform(), "results": rows, "median_ratio": medians,
    }, indent=2, ensure_ascii=False))
    print(f"\nSaved {out.relative_to(ROOT)}")
    return 0 if all(r["organizer"]["correct"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
