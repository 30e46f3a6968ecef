"""Where a booking tap's CPU goes: each step of the tap timed alone, one at a time, in this process.

    .venv/bin/python bench/booking/phases.py [--users 300] [--db sqlite|postgres]

``bench/booking/run.py`` measures the race as a whole; this splits it. For ``--users`` members
of one workshop with 5 seats (so most taps queue, as in the race), each step runs once per user
and its process CPU time (``time.process_time``: the bot's and the in-process emulator's work,
not the database server's) is averaged:

* context read — a cold read of the user's row, event and membership, alone;
* context read in a batch — the same for 100 users at once, as the middleware asks for the
  updates of one getUpdates answer (``core.context_loader``: one query for all of them);
* booking transaction — ``booking.book`` (locked state, the booking or queue entry) and commit;
* booking in batches — the same through ``booking.book_many``, ``MAX_BATCH`` taps a transaction
  (one lock, one read of every tap's state), as a rush of taps queued for one workshop is
  decided (on a second workshop, so no tap repeats);
* card render — the card from the state the tap decided (no queries);
* view upsert — the live-count view row and a commit (a booking tap writes it in its decision's
  transaction; a batch writes all its cards' rows in one statement);
* card edit — ``editMessageText`` with the card and its keyboard, bot and emulator;
* echo edit — the echo bot's plain edit, for scale.

Not a test: the figures depend on the machine. Saves JSON to bench/results/booking-phases-<db>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.common import print_table, save  # noqa: E402
from core.sequencer import MAX_BATCH as BATCH  # noqa: E402  (a rush is decided in batches this big)

EVENTS = {"demo": {"title": "Bench", "timezone": "Europe/Moscow", "signup": {"enabled": False},
                   "plugins": {"workshops": {"live_updates": True}, "waitlist": {}}}}


async def measure(db_url: str, n: int) -> dict[str, float]:
    from core import people
    from core.db import commit_each_statement, utcnow
    from core.people import SYSTEM
    from core.sandbox import BotAPIEmulator
    from core.sandbox.harness import Sandbox
    from plugins.workshops import booking, catalogue, live, render
    from plugins.workshops.organizer_input import WorkshopData

    emu = await BotAPIEmulator().start()
    emu.record_requests = False
    box = Sandbox(db_url, emulator=emu)
    app = await box.start(plugins=["workshops", "waitlist"], events=EVENTS, poll=False)
    app.freeze_startup_objects()  # as `organizer run` does once started
    try:
        users = [emu.add_user(f"P{i}", language_code="ru") for i in range(n)]
        async with app.transaction() as s:
            event = await people.event_by_slug(s, "demo")
            starts = (utcnow() + dt.timedelta(days=3)).replace(second=0, microsecond=0)
            workshop = await catalogue.create_workshop(app, s, event, SYSTEM, WorkshopData(
                title="Soldering", starts_at=starts, ends_at=starts + dt.timedelta(minutes=90), capacity=5,
                place="Room 1"))
            second = await catalogue.create_workshop(app, s, event, SYSTEM, WorkshopData(
                title="Arduino", starts_at=starts + dt.timedelta(hours=2), ends_at=starts + dt.timedelta(hours=3),
                capacity=5, place="Room 2"))
            for u in users:
                user = await people.upsert_user(s, people.TelegramProfile(u["id"], u["first_name"], language_code="ru"))
                await people.join_event(s, user, event, app.settings)
        messages = [await app.bot.send_message(u["id"], "Soldering") for u in users]
        tr = app.translator("ru")
        profiles = [people.TelegramProfile(u["id"], u["first_name"], None, None, "ru") for u in users]
        figures: dict[str, float] = {}

        async def timed(name: str, step) -> list:
            out = []
            started = time.process_time()
            for i in range(n):
                out.append(await step(i))
            figures[name] = (time.process_time() - started) * 1000 / n
            return out

        async def context_read(i):
            session = app.sessions()
            await commit_each_statement(session)  # as ContextMiddleware reads on PostgreSQL
            await people.load_context(session, profiles[i])
            await session.commit()
            await session.close()

        async def context_read_batched(i):
            if i % 100 == 0:
                await asyncio.gather(*(app.context_loader.load(u["id"]) for u in users[i:i + 100]))

        async def book(i):
            async with app.sessions() as session:
                result = await booking.book(app, session, event, users[i]["id"], workshop.id, order_key=10_000 + i)
                await session.commit()
                return result

        async def book_in_batches(i):
            if i % BATCH == 0:
                async with app.sessions() as session:
                    taps = [(u["id"], 20_000 + j) for j, u in enumerate(users[i:i + BATCH], start=i)]
                    await booking.book_many(app, session, event, second.id, taps)
                    await session.commit()

        await timed("context read", context_read)
        await timed("context read in a batch of 100", context_read_batched)
        results = await timed("booking transaction", book)
        await timed(f"booking in batches of {BATCH}", book_in_batches)
        async with app.sessions() as session:
            await render.render_card(app, session, event, results[0].workshop, users[0]["id"], tr,
                                     state=results[0].state)  # catalogs loaded before timing

            async def card(i):
                return await render.render_card(app, session, event, results[i].workshop, users[i]["id"], tr,
                                                notice="…", state=results[i].state)

            cards = await timed("card render", card)

        async def view(i):
            text, markup = cards[i]
            async with app.sessions() as session:
                await live.remember(app, session, event=event, chat_id=users[i]["id"],
                                    message_id=messages[i].message_id, user_id=users[i]["id"], kind="card",
                                    workshop_ids=[workshop.id], page=0, text=text, markup=markup, seen_version=1)
                await session.commit()

        async def edit(i):
            text, markup = cards[i]
            await app.bot.edit_message_text(text, chat_id=users[i]["id"], message_id=messages[i].message_id,
                                            reply_markup=markup)

        async def echo_edit(i):
            await app.bot.edit_message_text("echo: ws:book", chat_id=users[i]["id"],
                                            message_id=messages[i].message_id)

        await timed("view upsert", view)
        await timed("card edit (bot + emulator)", edit)
        await timed("echo edit (bot + emulator)", echo_edit)
        return figures
    finally:
        await box.stop()
        await emu.stop()


async def main(db: str, n: int) -> None:
    from core.testing import create_pg_database, drop_pg_database

    with tempfile.TemporaryDirectory() as tmp:
        url = await create_pg_database() if db == "postgres" else f"sqlite+aiosqlite:///{Path(tmp) / 'phases.db'}"
        try:
            figures = await measure(url, n)
        finally:
            if db == "postgres":
                await drop_pg_database(url)
    print_table(f"bench/booking/phases — {db}, {n} taps, CPU of this process per tap",
                ["step", "CPU ms"], [[name, ms] for name, ms in figures.items()])
    path = save(f"booking-phases-{db}", {"users": n, "cpu_ms": figures})
    print(f"saved {path}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    asyncio.run(main(args.db, args.users))
