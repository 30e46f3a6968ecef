"""The program from the YAML file, the participant's views at a fixed clock, bookmarks, My schedule."""

from __future__ import annotations

import datetime as dt
import re

from core.program import export_program, import_program
from plugins.schedule import clock
from sch_helpers import day, event, load, local, program, start


async def test_import_is_idempotent_and_round_trips_through_export(sandbox):
    app = await start(sandbox, poll=False)
    d = day()
    report = await load(app, program(d))
    assert sorted(report.sections["schedule"].created) == sorted(
        ["speaker:ivan", "speaker:anna", "opening", "rust", "ux", "coffee", "submit"])
    again = await import_program(app, "demo", program(d))
    assert again.sections["schedule"].created == [] and again.sections["schedule"].updated == []
    exported = await export_program(app, "demo")
    sessions = {s["key"]: s for s in exported["schedule"]["sessions"]}
    assert sessions["ux"]["ends_at"] == f"{d.isoformat()} 11:15"
    assert sessions["submit"]["kind"] == "deadline" and "ends_at" not in sessions["submit"]
    assert sessions["rust"]["speakers"] == ["ivan"]
    third = await import_program(app, "demo", exported)
    assert third.sections["schedule"].created == [] and third.sections["schedule"].updated == []


async def test_bad_program_rows_are_refused_with_the_reason_and_nothing_is_written(sandbox):
    app = await start(sandbox, poll=False)
    d = day()
    data = program(d)
    data["schedule"]["sessions"] += [
        {"key": "late", "title": "Backwards", "starts_at": f"{d} 15:00", "ends_at": f"{d} 14:00"},
        {"key": "clash", "title": "Same room", "starts_at": f"{d} 10:45", "ends_at": f"{d} 11:00",
         "room": "main hall"},
        {"key": "ghost", "title": "Who?", "starts_at": f"{d} 16:00", "ends_at": f"{d} 17:00", "speakers": ["Nobody"]},
        {"key": "long", "title": "x" * 5000, "starts_at": f"{d} 17:00", "ends_at": f"{d} 18:00"},
    ]
    report = await import_program(app, "demo", data)
    errors = "\n".join(report.errors)
    assert "(late): The end must be after the start" in errors
    assert "(clash): Room \"main hall\" is taken at that time: \"Rust in production\"" in errors
    assert "Speaker \"Nobody\" not found" in errors
    assert "(long): Too long: 5,000 characters, at most 200 allowed" in errors
    exported = await export_program(app, "demo")
    assert exported["schedule"]["sessions"] == []  # one bad row undoes the whole import


async def test_now_next_by_day_and_a_card_at_a_fixed_clock(sandbox):
    app = await start(sandbox)
    d = day()
    await load(app, program(d))
    clock.use(clock.FixedClock(local(d, "10:40")))
    alice = sandbox.user("Alice")
    await alice.send("/start demo")
    await alice.click("🗓 Программа")
    home = await alice.expect(text="Сейчас")
    now_part, next_part = home["text"].split("Дальше")
    assert "Rust in production" in now_part and "UX of bots" in now_part and "Opening" not in now_part
    assert "Coffee" in next_part and "Rust" not in next_part

    await alice.click("По дням")
    await alice.click(re.compile(d.strftime("%d.%m")))
    listing = await alice.expect(text=d.strftime("%d.%m"))
    text = listing["text"]
    assert text.index("Opening") < text.index("Rust in production") < text.index("Coffee")
    assert "Project submission" not in text
    await alice.click(re.compile("Rust in production"))
    card = await alice.expect(text="Rust in production")
    assert "Ivan Petrov (@ivan_petrov)" in card["text"] and "Main hall" in card["text"]
    assert "10:30–11:15" in card["text"]  # the event's timezone, not UTC

    clock.use(clock.FixedClock(local(d + dt.timedelta(days=1), "12:00")))
    await alice.click("🗓 К программе")
    home = await alice.expect(text="Сейчас")
    assert "Project submission" in home["text"].split("Дальше")[1]


async def test_bookmarks_join_booked_workshops_in_my_schedule_with_clashes_marked(sandbox):
    from core.people import SYSTEM
    from plugins.workshops.organizer_input import WorkshopData
    from plugins.workshops import booking, catalogue
    from ws_helpers import make_users

    app = await start(sandbox)
    d = day()
    await load(app, program(d))
    alice = sandbox.user("Alice")
    await alice.send("/start demo")
    await alice.click("🗓 Программа")
    await alice.click("По дням")
    await alice.click(re.compile(d.strftime("%d.%m")))
    await alice.click(re.compile("UX of bots"))
    await alice.click("🔖 В моё расписание")
    await alice.expect(text="В вашем расписании")
    assert "✖️ Убрать из моего расписания" in alice.buttons()

    ev = await event(app)
    await make_users(app, 0)
    async with app.transaction() as s:
        w = await catalogue.create_workshop(app, s, ev, SYSTEM, WorkshopData(
            title="Soldering", starts_at=local(d, "11:00").astimezone(dt.UTC),
            ends_at=local(d, "12:00").astimezone(dt.UTC), capacity=5, place="Lab"))
        await booking.book(app, s, ev, alice.id, w.id)
    await alice.click("⭐ Моё расписание")
    mine = await alice.expect(text="Моё расписание")
    lines = mine["text"].splitlines()
    ux = next(line for line in lines if "UX of bots" in line)
    solder = next(line for line in lines if "Soldering" in line)
    assert "⚠️ пересечение" in ux and "⚠️ пересечение" in solder and "мастер-класс" in solder
    assert "Rust in production" not in mine["text"]


async def test_a_300_session_program_pages_within_telegram_limits(sandbox):
    from plugins.schedule import service, settings, views
    from plugins.schedule.models import Session
    from core.context import EventContext

    app = await start(sandbox, poll=False)
    d = day()
    await load(app, program(d))
    ev = await event(app)
    async with app.transaction() as s:
        for i in range(300):
            start_at = local(d, "09:00").astimezone(dt.UTC) + dt.timedelta(minutes=i)
            s.add(Session(event_id=ev.id, key=f"bulk-{i}", kind="talk", title=f"Talk {i} " + "я" * 190,
                          starts_at=start_at, ends_at=start_at + dt.timedelta(minutes=30), room=f"Room {i}",
                          track="T" * 100, speaker_ids=[], for_all=False, cancelled=False, published_at=start_at,
                          updated_at=start_at, description="d" * 3000))
    from core.models import Member

    async with app.sessions() as s:
        member = Member(event_id=ev.id, user_id=1, role="participant")
        ctx = EventContext(None, ev, member, frozenset(app.active_plugins("demo")), False, "ru", app.translator("ru"))
        seen = 0
        page = 0
        while True:
            text, markup = await views.listing(app, s, ctx, "d", 0, page)
            buttons = sum(len(r) for r in markup.inline_keyboard)
            assert len(text) <= 4096 and buttons <= 100
            seen += sum(1 for r in markup.inline_keyboard for b in r if b.callback_data.startswith("sch:s:"))
            if not any(b.callback_data == f"sch:d:0:{page + 1}" for r in markup.inline_keyboard for b in r):
                break
            page += 1
        assert seen == len(service.on_day(await service.visible(s, ev.id), d, settings.tz_of(ev)))
        text, markup = await views.card(app, s, ctx, await s.scalar(
            __import__("sqlalchemy").select(Session.id).where(Session.key == "bulk-5")))
        assert len(text) <= 4096
        text, markup = await views.home(s, ctx, local(d, "10:00").astimezone(dt.UTC))
        assert len(text) <= 4096 and sum(len(r) for r in markup.inline_keyboard) <= 100
