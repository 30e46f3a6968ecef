"""Helpdesk benchmark: N participants ask the organizers at once; how long until every ticket is
visible in the organizers' group, at the group's limit.

    .venv/bin/python bench/helpdesk/run.py                       # 200 people, SQLite
    .venv/bin/python bench/helpdesk/run.py --people 200 --db sqlite,postgres

The real bot runs on the Bot API emulator, which answers 429 above the group limit (so any excess
shows). Three runs on a fresh database each: the helpdesk as built (a backlog is gathered into
one message per turn) at Telegram's 20 messages/minute, then — the baseline, in the same run —
one message per ticket queued at once (no gathering) against gathering, both at a faster limit
(--fast-limit, so the baseline ends in minutes; the ratio of the two is what gathering saves).
Reported: tickets stored, shown, shown twice, group messages, 429s, seconds from the rush until
the last ticket is visible, and p50/p95 of each ticket's wait.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.common import percentile, print_table, save  # noqa: E402

TICKET = re.compile(r"№(\d+)(?:</b>)? ·")  # the request text is HTML
EVENTS = {"demo": {"title": "Demo", "timezone": "UTC", "language": "ru", "signup": {"enabled": False}}}


async def naive_pump(app, session, event, chat_id=None) -> int:
    """The baseline: every waiting message queued at once as a message of its own (no turns), as a
    relay without gathering would do; the outbox's limiter then paces them one by one."""
    from sqlalchemy import select, update

    from core.delivery import Priority, enqueue
    from plugins.admin_chat import relay
    from plugins.admin_chat.models import AdminChatMessage, AdminChatPending, AdminChatTicket

    rows = (await session.execute(
        select(AdminChatPending, AdminChatMessage, AdminChatTicket)
        .join(AdminChatMessage, AdminChatMessage.id == AdminChatPending.message_id)
        .join(AdminChatTicket, AdminChatTicket.id == AdminChatMessage.ticket_id)
        .where(AdminChatPending.event_id == event.id, AdminChatPending.relay_id.is_(None))
        .order_by(AdminChatPending.id))).all()
    tr = app.translator(event.language)
    for pending, message, ticket in rows:
        row = await enqueue(session, chat_id=pending.chat_id, parse_mode="HTML", priority=Priority.INTERACTIVE,
                            kind=relay.RELAY_KIND, event_id=event.id, payload={"ticket": ticket.id, "event": event.id},
                            **relay._single(tr, ticket, [message]))
        await session.execute(update(AdminChatPending).where(AdminChatPending.id == pending.id)
                              .values(relay_id=row.id))
    return len(rows)


async def one_run(db: str, people: int, per_minute: int, gather: bool, timeout: float) -> dict:
    from sqlalchemy import select

    from core import people as core_people
    from core.models import Role
    from core.sandbox import BotAPIEmulator
    from core.sandbox.harness import Sandbox
    from core.testing import create_pg_database, drop_pg_database
    from plugins.admin_chat import relay
    from plugins.admin_chat.models import AdminChatTicket

    if db == "sqlite":
        path = ROOT / "bench" / "results" / f"helpdesk-{int(time.time() * 1000)}.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite+aiosqlite:///{path}"
    else:
        url = await create_pg_database()
    emu = await BotAPIEmulator().start()
    emu.record_requests = True
    box = Sandbox(url, emulator=emu)
    saved_pump = relay.pump
    if not gather:
        relay.pump = naive_pump  # the baseline: every ticket queued as a message of its own
    try:
        app = await box.start(plugins=["admin_chat"], events=EVENTS,
                              settings={"delivery": {"group_per_minute": per_minute}})
        olga = box.user("Olga")
        async with app.transaction() as session:
            event = await core_people.event_by_slug(session, "demo")
            await core_people.set_role(session, event, olga.id, Role.ADMIN)
        chat = emu.add_group("Orgs", [olga.id], supergroup=True)
        await emu.send_text(olga.id, "/start demo")
        await box.settle()
        await emu.send_text(olga.id, "/bind demo", chat_id=chat["id"])
        users = [emu.add_user(f"P{i}") for i in range(people)]
        for user in users:
            await emu.send_text(user["id"], "/start demo")
        await box.settle(timeout=timeout)
        emu.faults.set_rate_limit(per_group_per_min=per_minute)
        first_request = len(emu.requests)

        start = time.monotonic()
        await asyncio.gather(*(emu.send_text(u["id"], f"Вопрос {u['first_name']}: где регистрация?") for u in users))
        asked = time.monotonic()
        seen: dict[int, float] = {}
        counts: dict[int, int] = {}
        group_messages = errors_429 = 0
        index = first_request
        deadline = start + timeout
        while time.monotonic() < deadline:
            for r in emu.requests[index:]:
                index += 1
                if r.params.get("chat_id") != chat["id"] or r.method.lower() not in ("sendmessage", "sendphoto"):
                    continue
                if r.error_code == 429:
                    errors_429 += 1
                if not r.ok:
                    continue
                text = r.params.get("text") or r.params.get("caption") or ""
                numbers = [int(n) for n in TICKET.findall(text)]
                if numbers:
                    group_messages += 1
                for n in numbers:
                    counts[n] = counts.get(n, 0) + 1
                    seen.setdefault(n, r.time)
            if len(seen) >= people:
                break
            await asyncio.sleep(0.05)
        async with app.sessions() as session:
            stored = len((await session.scalars(select(AdminChatTicket.id))).all())
        waits = [t - start for t in seen.values()]
        return {"db": db, "mode": "gathered" if gather else "one per ticket", "per_minute": per_minute,
                "people": people, "tickets": stored, "shown": len(seen),
                "shown_twice": sum(1 for c in counts.values() if c > 1), "group_messages": group_messages,
                "429s": errors_429, "rush_seconds": round(asked - start, 3),
                "all_visible_seconds": round(max(waits), 2) if len(seen) >= people else None,
                "p50_wait": round(percentile(waits, 50), 2), "p95_wait": round(percentile(waits, 95), 2)}
    finally:
        relay.pump = saved_pump
        await box.stop()
        await emu.stop()
        if db == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
        else:
            await drop_pg_database(url)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--limit", type=int, default=20, help="the group's messages per minute (Telegram: 20)")
    parser.add_argument("--fast-limit", type=int, default=240,
                        help="limit of the gathered-vs-one-per-ticket comparison (the baseline at 20/min takes 10 min)")
    parser.add_argument("--timeout", type=float, default=900.0)
    args = parser.parse_args()
    import logging

    logging.basicConfig(level=logging.ERROR)
    rows = []
    for db in [d.strip() for d in args.db.split(",") if d.strip()]:
        for per_minute, gather in ((args.limit, True), (args.fast_limit, True), (args.fast_limit, False)):
            result = asyncio.run(one_run(db, args.people, per_minute, gather, args.timeout))
            rows.append(result)
            print(result, flush=True)
    headers = ["db", "mode", "per_minute", "people", "tickets", "shown", "shown_twice", "group_messages", "429s",
               "all_visible_seconds", "p50_wait", "p95_wait"]
    print_table(f"Helpdesk: {args.people} questions at once → visible in the organizers' group",
                headers, [[r[h] for h in headers] for r in rows])
    ratios = {}
    for db in {r["db"] for r in rows}:
        fast = [r for r in rows if r["db"] == db and r["per_minute"] == args.fast_limit]
        gathered = next(r for r in fast if r["mode"] == "gathered")
        single = next(r for r in fast if r["mode"] != "gathered")
        if gathered["all_visible_seconds"] and single["all_visible_seconds"]:
            ratios[db] = round(single["all_visible_seconds"] / gathered["all_visible_seconds"], 1)
            print(f"{db}: gathering makes every ticket visible {ratios[db]}× sooner than one message per ticket "
                  f"(at {args.fast_limit}/min)")
    path = save("helpdesk", {"args": vars(args), "rows": rows, "speedup_vs_one_per_ticket": ratios})
    print(f"saved {path}")
    ok = all(r["tickets"] == r["people"] and r["shown"] == r["people"] and not r["shown_twice"] and not r["429s"]
             for r in rows)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
