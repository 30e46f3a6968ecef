"""Polls benchmark: N participants vote on one poll at once while organizers watch live results.

    .venv/bin/python bench/polls/run.py                       # 2000 voters, SQLite and PostgreSQL
    .venv/bin/python bench/polls/run.py --voters 500 --db sqlite

For each database, on one emulator and in one process, a bare aiogram echo bot (a callback
handler editing the tapped message) serves the same number of taps first: the baseline. Then the
organizer app (polls plugin) with one open poll: every voter has the ballot and taps an option
(a tenth of them tap twice, as impatient people do); meanwhile ``--organizers`` organizers have
the results view open, which the live refresh job edits.

Reported: votes/s and latency (tap → the bot's edit of that ballot) against the echo bot's taps/s,
correctness (each voter counted exactly once, per-option counts as tapped), the smallest gap
between two edits of one organizer's view (must stay ≥ 1 s) and how many 429s the emulator gave
(must be 0). JSON to bench/results/polls.json. Not a test: the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.booking.run import WARM_UP_TAPS, echo_bot, race, warm_up  # noqa: E402
from bench.common import print_table, save  # noqa: E402

OPTIONS = ["Первый", "Второй", "Третий", "Четвёртый"]


async def organizer_bot(emu, db_url: str, voters: list[dict], warm: list[dict], n_organizers: int,
                        timeout: float) -> dict:
    from sqlalchemy import func, select

    from core import people
    from core.models import Role
    from core.sandbox.harness import Sandbox
    from plugins.polls import live, render, service
    from plugins.polls.models import PollVote

    box = Sandbox(db_url, emulator=emu)
    events = {"demo": {"title": "Bench", "timezone": "Europe/Moscow", "signup": {"enabled": False}}}
    app = await box.start(plugins=["polls"], events=events, poll=False)
    app.freeze_startup_objects()
    try:
        organizers = [emu.add_user(f"Org{i}", language_code="ru") for i in range(n_organizers)]
        async with app.transaction() as s:
            event = await people.event_by_slug(s, "demo")
            polls = []
            for question in ("Разминка", "Какой доклад лучший?"):
                poll, _ = await service.create(app, s, event, service.SYSTEM,
                                               service.Draft(question=question, options=OPTIONS), audience=None)
                polls.append(poll)
            for u in warm + voters:
                user = await people.upsert_user(s, people.TelegramProfile(u["id"], u["first_name"], language_code="ru"))
                await people.join_event(s, user, event, app.settings)
            for o in organizers:
                await people.set_role(s, event, o["id"], Role.ADMIN)
        rehearsal, poll = polls
        tr = app.translator("ru")

        async def ballots(target, users):
            async with app.sessions() as s:
                text, markup = render.ballot(tr, target, await service.options_of(s, target.id), None, None)
            from aiogram.types import InlineKeyboardMarkup

            kb = InlineKeyboardMarkup.model_validate(markup)
            out = []
            for n, u in enumerate(users):
                sent = await app.bot.send_message(u["id"], text, reply_markup=kb)
                out.append((u["id"], sent.message_id, f"polls:v:{target.id}:{n % len(OPTIONS)}"))
            return out

        taps = await ballots(poll, voters)
        warm_taps = await ballots(rehearsal, warm)
        # The organizers open the results view (as the "Результаты" button does).
        views = []
        async with app.transaction() as s:
            results = await service.results(s, poll)
            for o in organizers:
                text, markup = render.organizer_view(tr, poll, results, is_open=True, tz=None)
                sent = await app.bot.send_message(o["id"], text)
                await live.remember(s, chat_id=o["id"], message_id=sent.message_id, poll_id=poll.id, user_id=o["id"],
                                    lang="ru", text=text, markup=markup)
                views.append(o["id"])
        box.start_polling()
        await warm_up(emu, box.token, warm_taps, timeout)
        impatient = taps[::10]  # a tenth tap twice, the second tap while the race runs
        again = asyncio.gather(*(emu.click(uid, mid, data, chat_id=uid, token=box.token)
                                 for uid, mid, data in impatient))
        result = await race(emu, box.token, taps, timeout)
        await again
        # Let the live views catch up with the last votes.
        expected = [sum(1 for n in range(len(voters)) if n % len(OPTIONS) == i) for i in range(len(OPTIONS))]
        final_line = f"Проголосовали: {len(voters)}"

        def plain(text: str) -> str:  # Fluent writes 2000 as "2 000" (a no-break space)
            return text.replace("\u00a0", "").replace("\u202f", "")

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            last = {c: plain([m for m in emu.chat_messages(c) if m["from_bot"]][-1]["text"]) for c in views}
            if all(final_line in t for t in last.values()):
                break
            await asyncio.sleep(0.2)
        async with app.sessions() as s:
            counts = (await service.results(s, poll)).counts
            rows = await s.scalar(select(func.count()).select_from(PollVote).where(PollVote.poll_id == poll.id))
        edits = {}
        for r in emu.requests:
            if r.method.lower() == "editmessagetext" and int(r.params.get("chat_id", 0)) in views and r.ok:
                edits.setdefault(int(r.params["chat_id"]), []).append(r.time)
        gaps = [b - a for times in edits.values() for a, b in zip(times, times[1:])]
        too_many = sum(1 for r in emu.requests if r.error_code == 429)
        result.update({
            "voters": len(voters), "taps_sent": len(taps) + len(impatient), "double_taps": len(impatient), "vote_rows": rows,
            "counts": [c for _, c in counts], "expected": expected,
            "views_final": all(final_line in t for t in last.values()),
            "organizer_edits": sum(len(t) for t in edits.values()),
            "min_gap_between_edits_s": round(min(gaps), 3) if gaps else None,
            "http_429": too_many,
        })
        result["correct"] = (rows == len(voters) and result["counts"] == expected and result["views_final"]
                             and (not gaps or min(gaps) >= 1.0) and too_many == 0)
        return result
    finally:
        await box.stop()


async def one_database(db: str, n_voters: int, n_organizers: int, timeout: float) -> dict:
    from core.sandbox import BotAPIEmulator
    from core.testing import create_pg_database, drop_pg_database

    if db == "sqlite":
        path = ROOT / "bench" / "results" / f"polls-{int(time.time())}.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        url, cleanup = f"sqlite+aiosqlite:///{path}", None
    else:
        url = await create_pg_database()
        cleanup = url
    emu = await BotAPIEmulator().start()
    emu.record_requests = True
    try:
        voters = [emu.add_user(f"P{i}", language_code="ru") for i in range(n_voters)]
        warm = [emu.add_user(f"W{i}", language_code="ru") for i in range(WARM_UP_TAPS)]
        echo = await echo_bot(emu, voters, warm, timeout)
        emu.requests.clear()
        ours = await organizer_bot(emu, url, voters, warm, n_organizers, timeout)
    finally:
        await emu.stop()
        if cleanup:
            await drop_pg_database(cleanup)
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
    ratio = round(ours["taps_per_second"] / echo["taps_per_second"], 2) if echo["taps_per_second"] else 0.0
    return {"db": db, "echo": echo, "organizer": ours, "throughput_ratio": ratio}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voters", type=int, default=2000)
    parser.add_argument("--organizers", type=int, default=3)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()
    runs = [asyncio.run(one_database(db.strip(), args.voters, args.organizers, args.timeout))
            for db in args.db.split(",") if db.strip()]
    rows = []
    for r in runs:
        e, o = r["echo"], r["organizer"]
        rows.append([r["db"], "echo", e["taps"], e["answered"], e["taps_per_second"], e["p50_ms"], e["p99_ms"], "", "",
                     "", "", ""])
        rows.append([r["db"], "polls", o["taps"], o["answered"], o["taps_per_second"], o["p50_ms"], o["p99_ms"],
                     f"{r['throughput_ratio']}×", f"{o['vote_rows']}/{o['voters']}", o["organizer_edits"],
                     o["min_gap_between_edits_s"], o["http_429"]])
    print_table(f"Polls: {args.voters} voters at once, {args.organizers} organizers watching live results",
                ["db", "bot", "taps", "answered", "taps/s", "p50 ms", "p99 ms", "vs echo", "counted", "view edits",
                 "min edit gap s", "429s"], rows)
    for r in runs:
        o = r["organizer"]
        print(f"{r['db']}: counts {o['counts']} (expected {o['expected']}), views final: {o['views_final']}"
              f" → {'OK' if o['correct'] else 'WRONG'}")
    path = save("polls", {"voters": args.voters, "organizers": args.organizers, "runs": runs})
    print(f"\nsaved {path}")
    return 0 if all(r["organizer"]["correct"] for r in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
