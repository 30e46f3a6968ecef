"""Schedule benchmark: rendering the by-day view of a 300-session program, and publishing 100
changes that affect 5,000 participants.

    .venv/bin/python bench/schedule/run.py                  # SQLite
    .venv/bin/python bench/schedule/run.py --db postgres    # or both: --db sqlite,postgres

1. Views: 300 sessions over 3 days (50 speakers, 6 rooms, 4 tracks). Every page of every day is
   rendered ``--rounds`` times through ``views.listing`` (the handler's text and keyboard, with
   the reader's bookmarks); p50/p99 per view. Baseline in the same run: the bare minimum for one
   page — one SELECT of the day's sessions and a joined string of their titles.
2. Publish: 5,000 members, 100 sessions, each member bookmarked 2 of them (every member affected);
   100 changes staged (a room each), then one ``publish``. Time to queue, rows written (outbox,
   jobs, statements), and the check that matters: exactly one outbox message per affected
   participant. Baseline: the core's bulk path queueing one news text to the same 5,000 people
   (``create_broadcast``), the least any "tell 5,000 people" can cost here.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import event as sa_event  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from bench.common import percentile, print_table, save  # noqa: E402
from core import migrations, people  # noqa: E402
from core.app import OrganizerApp  # noqa: E402
from core.context import EventContext  # noqa: E402
from core.db import transaction, utcnow  # noqa: E402
from core.delivery import create_broadcast  # noqa: E402
from core.delivery.models import OutboxMessage  # noqa: E402
from core.jobs.models import Job  # noqa: E402
from core.models import Member, User  # noqa: E402
from core.plugins import PluginRegistry  # noqa: E402
from core.testing import create_pg_database, drop_pg_database  # noqa: E402

FIRST_USER = 10_000_000


async def make_app(backend: str, tmp: Path):
    url = await create_pg_database() if backend == "postgres" else f"sqlite+aiosqlite:///{tmp}/bench-schedule.db"
    registry = PluginRegistry.load(["plugins.schedule", "plugins.workshops"], entry_points_enabled=False)
    app = OrganizerApp.from_config(None, environ={}, registry=registry, overrides={
        "bot": {"token": "1:bench"}, "database": {"url": url},
        "events": {"demo": {"title": "Bench", "timezone": "Europe/Moscow", "signup": {"enabled": False},
                            "plugins": {"schedule": {"drafts": True}}}}})
    await migrations.upgrade(app.engine, app.registry)
    async with app.transaction() as s:
        await people.sync_events(s, app.settings)
    return app, url


async def load_program(app, ev, sessions: int, days: int, *, room_count=6):
    from plugins.schedule.models import Session, Speaker

    start = (utcnow() + dt.timedelta(days=7)).replace(hour=6, minute=0, second=0, microsecond=0)
    now = utcnow()
    async with app.transaction() as s:
        await s.execute(insert(Speaker), [dict(event_id=ev.id, key=f"sp{i}", name=f"Speaker Number {i}",
                                               created_at=now) for i in range(50)])
        ids = list((await s.scalars(select(Speaker.id).where(Speaker.event_id == ev.id))).all())
        per_day = sessions // days
        rows = []
        for n in range(sessions):
            day, slot = divmod(n, per_day)
            begins = start + dt.timedelta(days=day, minutes=(slot // room_count) * 40)
            rows.append(dict(event_id=ev.id, key=f"s{n}", kind="talk",
                             title=f"Session {n}: a realistic title about building things", description="x" * 400,
                             starts_at=begins, ends_at=begins + dt.timedelta(minutes=35), room=f"Room {n % room_count}",
                             track=f"Track {n % 4}", speaker_ids=[ids[n % len(ids)]], for_all=False, cancelled=False,
                             published_at=now, draft=None, updated_at=now))
        await s.execute(insert(Session), rows)


async def add_members(app, ev, count: int):
    now = utcnow()
    async with app.transaction() as s:
        for chunk in range(0, count, 1000):
            ids = range(FIRST_USER + chunk, FIRST_USER + min(count, chunk + 1000))
            await s.execute(insert(User), [dict(id=u, first_name=f"U{u}", telegram_language="ru", created_at=now)
                                           for u in ids])
            await s.execute(insert(Member), [dict(event_id=ev.id, user_id=u, role="participant", profile={},
                                                  joined_at=now) for u in ids])


async def bench_views(app, ev, rounds: int) -> dict:
    from plugins.schedule import service, settings, views
    from plugins.schedule.models import Session

    ctx = EventContext(None, ev, Member(event_id=ev.id, user_id=FIRST_USER, role="participant"),
                       frozenset(app.active_plugins("demo")), False, "ru", app.translator("ru"))
    tz = settings.tz_of(ev)
    timings: list[float] = []
    baseline: list[float] = []
    pages = 0
    max_len = max_buttons = 0
    async with app.sessions() as s:
        days = service.days_of(await service.visible(s, ev.id), tz)
        for _ in range(rounds):
            for index, day in enumerate(days):
                page = 0
                while True:
                    t0 = time.perf_counter()
                    text, markup = await views.listing(app, s, ctx, "d", index, page)
                    timings.append(time.perf_counter() - t0)
                    pages += 1
                    max_len = max(max_len, len(text))
                    max_buttons = max(max_buttons, sum(len(r) for r in markup.inline_keyboard))
                    # Baseline: one query for the day's sessions and their titles joined, nothing else.
                    lo = dt.datetime.combine(day, dt.time(), tz).astimezone(dt.UTC)
                    t0 = time.perf_counter()
                    titles = (await s.scalars(select(Session.title).where(
                        Session.event_id == ev.id, Session.starts_at >= lo,
                        Session.starts_at < lo + dt.timedelta(days=1)).order_by(Session.starts_at)
                        .offset(page * 8).limit(8))).all()
                    "\n".join(titles)
                    baseline.append(time.perf_counter() - t0)
                    if not any(b.callback_data == f"sch:d:{index}:{page + 1}" for r in markup.inline_keyboard
                               for b in r):
                        break
                    page += 1
    return {"views": len(timings), "pages_per_round": pages // rounds, "p50_ms": percentile(timings, 50) * 1000,
            "p99_ms": percentile(timings, 99) * 1000, "baseline_p50_ms": percentile(baseline, 50) * 1000,
            "baseline_p99_ms": percentile(baseline, 99) * 1000, "max_chars": max_len, "max_buttons": max_buttons}


class StatementCounter:
    def __init__(self, engine) -> None:
        self.count = 0
        sa_event.listen(engine.sync_engine, "before_cursor_execute", self._hit)

    def _hit(self, *args) -> None:
        self.count += 1


async def bench_publish(app, ev, members: int, changes: int) -> dict:
    from plugins.schedule import service
    from plugins.schedule.models import Bookmark, Session

    async with app.sessions() as s:
        chosen = list((await s.scalars(select(Session.id).where(Session.event_id == ev.id)
                                       .order_by(Session.id).limit(changes))).all())
    now = utcnow()
    async with app.transaction() as s:
        rows = []
        for n in range(members):
            uid = FIRST_USER + n
            for k in (n % changes, (n * 7 + 3) % changes):
                rows.append(dict(event_id=ev.id, session_id=chosen[k], user_id=uid, created_at=now))
        unique = list({(r["session_id"], r["user_id"]): r for r in rows}.values())
        await s.execute(insert(Bookmark), unique)
    async with app.transaction() as s:
        for n, sid in enumerate(chosen):
            await service.stage_changes(app, s, ev, service.SYSTEM, sid, {"room": f"Moved room {n}"}, now=now)
    counter = StatementCounter(app.engine)
    async with app.sessions() as s:
        outbox_before = await s.scalar(select(func.count()).select_from(OutboxMessage))
        jobs_before = await s.scalar(select(func.count()).select_from(Job))
    before = counter.count
    t0 = time.perf_counter()
    async with transaction(app.sessions) as s:
        release = await service.publish(app, s, ev, service.SYSTEM, now=utcnow())
    elapsed = time.perf_counter() - t0
    statements = counter.count - before
    async with app.sessions() as s:
        written = await s.scalar(select(func.count()).select_from(OutboxMessage)) - outbox_before
        jobs = await s.scalar(select(func.count()).select_from(Job)) - jobs_before
        per_user = (await s.execute(select(OutboxMessage.user_id, func.count()).where(
            OutboxMessage.dedupe_key.startswith("schedule:release:")).group_by(OutboxMessage.user_id))).all()
    affected = {r[0] for r in per_user}
    exactly_one = all(r[1] == 1 for r in per_user) and len(affected) == members

    # Baseline: one news text to the same people through the core's bulk path.
    t0 = time.perf_counter()
    async with transaction(app.sessions) as s:
        await create_broadcast(s, recipients=[FIRST_USER + n for n in range(members)], title="bench",
                               text="Program changes: see My schedule", event_id=ev.id)
    baseline = time.perf_counter() - t0
    return {"changes": release.changes, "notified": release.notified, "queue_s": elapsed,
            "baseline_broadcast_s": baseline, "outbox_rows": written, "job_rows_new": jobs,
            "statements": statements, "affected": len(affected), "exactly_one_each": exactly_one}


async def one(backend: str, rounds: int, members: int, changes: int) -> dict:
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix="organizer-bench-schedule-"))
    app, url = await make_app(backend, tmp)
    try:
        async with app.sessions() as s:
            ev = await people.event_by_slug(s, "demo")
        await load_program(app, ev, 300, 3)
        await add_members(app, ev, members)
        views_result = await bench_views(app, ev, rounds)
        publish_result = await bench_publish(app, ev, members, changes)
    finally:
        await app.engine.dispose()
        if backend == "postgres":
            await drop_pg_database(url)
    return {"backend": backend, "views": views_result, "publish": publish_result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--changes", type=int, default=100)
    args = parser.parse_args()
    results = [asyncio.run(one(b, args.rounds, args.members, args.changes)) for b in args.db.split(",")]
    print_table("By-day view of a 300-session program (views.listing, every page of every day)",
                ["db", "views", "p50 ms", "p99 ms", "baseline p50 ms", "baseline p99 ms", "ratio p50",
                 "max chars", "max buttons"],
                [[r["backend"], r["views"]["views"], r["views"]["p50_ms"], r["views"]["p99_ms"],
                  r["views"]["baseline_p50_ms"], r["views"]["baseline_p99_ms"],
                  r["views"]["p50_ms"] / r["views"]["baseline_p50_ms"], r["views"]["max_chars"],
                  r["views"]["max_buttons"]] for r in results])
    print_table(f"Publish {args.changes} changes affecting {args.members} participants (one transaction)",
                ["db", "changes", "notified", "queue s", "baseline broadcast s", "ratio", "outbox rows",
                 "new job rows", "statements", "exactly one each"],
                [[r["backend"], r["publish"]["changes"], r["publish"]["notified"], r["publish"]["queue_s"],
                  r["publish"]["baseline_broadcast_s"],
                  r["publish"]["queue_s"] / r["publish"]["baseline_broadcast_s"], r["publish"]["outbox_rows"],
                  r["publish"]["job_rows_new"], r["publish"]["statements"], r["publish"]["exactly_one_each"]]
                 for r in results])
    print(f"\nsaved {save('schedule', {'args': vars(args), 'results': results})}")


if __name__ == "__main__":
    main()
