"""Speaker links, the organizer's dialogs refusing bad input, and the .ics export."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import icalendar
import ics as ics_parser
from sqlalchemy import select

from core.db import utcnow
from core.models import Member
from sch_helpers import TZ, at, day, event, load, local, program, session_id, start


async def link_for(olga, speaker: str) -> str:
    await olga.send("/admin")
    await olga.click("🗓 Программа")
    await olga.click("🎤 Ссылки для спикеров")
    await olga.click(re.compile(speaker))
    note = await olga.expect(text="Одноразовая ссылка")
    return re.search(r"start=(\S+)", note["text"])[1]


async def test_a_speaker_link_gives_the_role_once_and_is_refused_when_reused(sandbox):
    from core.people import SYSTEM
    from plugins.workshops import catalogue
    from plugins.workshops.organizer_input import WorkshopData

    app = await start(sandbox)
    d = day()
    await load(app, program(d))
    ev = await event(app)
    async with app.transaction() as s:
        await catalogue.create_workshop(app, s, ev, SYSTEM, WorkshopData(
            title="Compiler workshop", starts_at=local(d, "16:00").astimezone(dt.UTC),
            ends_at=local(d, "17:00").astimezone(dt.UTC), capacity=5, speaker="ivan petrov", place="Lab"))
    olga = await sandbox.admin("Olga")
    await olga.send("/start demo")
    payload = await link_for(olga, "Ivan Petrov")
    assert payload.startswith("demo--spk")

    ivan = sandbox.user("Ivan")
    await ivan.send(f"/start {payload}")
    await ivan.expect(text="вы — спикер «Ivan Petrov»")
    async with app.sessions() as s:
        assert (await s.scalar(select(Member.role).where(Member.user_id == ivan.id))) == "speaker"
    await ivan.send("/menu")
    await ivan.click("🗓 Программа")
    await ivan.click("⭐ Моё расписание")
    mine = await ivan.expect(text="Моё расписание")
    assert "🎤 Rust in production" in mine["text"]  # a speaker sees their own slots,
    assert "🎤 Compiler workshop" in mine["text"]  # workshops they lead too (the names match)

    mallory = sandbox.user("Mallory")
    await mallory.send(f"/start {payload}")
    await mallory.expect(text="Эта ссылка спикера уже использована")
    await ivan.send(f"/start {payload}")
    await ivan.expect(text="уже использована")
    async with app.sessions() as s:
        assert (await s.scalar(select(Member.role).where(Member.user_id == mallory.id))) == "participant"
    await mallory.send("/start demo--spkNOTATOKEN")
    await mallory.expect(text="Ссылка спикера не найдена")


async def test_bad_organizer_input_is_answered_with_the_reason_and_nothing_saved(sandbox):
    from core.program import export_program

    app = await start(sandbox)
    d = day()
    await load(app, program(d))
    before = await export_program(app, "demo")
    olga = await sandbox.admin("Olga")
    await olga.send("/start demo")
    await olga.send("/admin")
    await olga.click("🗓 Программа")
    await olga.click("➕ Новый пункт")
    await olga.expect(text="Пришлите пункт программы")
    await olga.send(f"Workshop wrap-up\n{d} 15:00\n14:00\nRoom B\n-")
    await olga.expect(text="⚠️ Конец должен быть позже начала. Ничего не сохранено")
    await olga.send(f"Overlap\n{d} 10:45\n11:00\nMain hall\n-")
    await olga.expect(text="Зал «Main hall» в это время занят: «Rust in production»")
    await olga.send(f"Mystery\n{d} 16:00\n17:00\nRoom B\nNobody Known")
    await olga.expect(text="Спикер «Nobody Known» не найден")
    await olga.send(f"{'x' * 3500}\n{d} 16:00\n17:00\nRoom B\n-")
    await olga.expect(text=re.compile(r"Слишком длинно: 3\D?500 символов, можно не больше 200"))
    assert await export_program(app, "demo") == before

    # Editing a field goes through the same rules.
    await olga.click("Отмена")
    await olga.click("🗓 Программа (организатор)")
    await olga.click("📋 Все пункты")
    await olga.click(re.compile("UX of bots"))
    await olga.click("Время")
    await olga.send(f"{d} 10:30\n10:00")
    await olga.expect(text="Конец должен быть позже начала")
    await olga.click("Отмена")
    assert await export_program(app, "demo") == before

    # And good input: previewed, then saved (as a draft: the program is out).
    await olga.click("🗓 Программа (организатор)")
    await olga.click("➕ Новый пункт")
    await olga.send(f"Lightning talks\n{d} 16:00\n45\nRoom B\nivan, Anna Smirnova\ntalk\nMisc")
    preview = await olga.expect(text="Предпросмотр")
    assert "16:00–16:45" in preview["text"] and "Ivan Petrov" in preview["text"] and "Anna Smirnova" in preview["text"]
    await olga.click("💾 Сохранить")
    await olga.expect(text="Сохранено в черновик")
    exported = await export_program(app, "demo")
    assert [s["title"] for s in exported["schedule"]["sessions"]].count("Lightning talks") == 1


async def test_a_non_organizer_cannot_reach_the_organizer_paths(sandbox):
    from plugins.schedule import clock, service

    app = await start(sandbox)
    await load(app, program(day()))
    ev = await event(app)
    alice = sandbox.user("Alice")
    await alice.send("/start demo")
    async with app.sessions() as s:
        member = await s.scalar(select(Member).where(Member.user_id == alice.id))
        for call in (lambda: service.publish(app, s, ev, member, now=clock.now()),
                     lambda: service.create_speaker_link(app, s, ev, member, 1, now=clock.now())):
            try:
                await call()
            except service.NotAllowed:
                continue
            raise AssertionError("a participant was allowed an organizer action")


async def test_ics_export_parses_with_two_libraries_and_keeps_the_event_timezone(sandbox):
    app = await start(sandbox)
    d = day()
    await load(app, program(d))
    alice = sandbox.user("Alice")
    await alice.send("/start demo")
    for title in ("Rust in production", "Opening"):
        await alice.send("/menu")
        await alice.click("🗓 Программа")
        await alice.click("По дням")
        await alice.click(re.compile(d.strftime("%d.%m")))
        await alice.click(re.compile(title))
        await alice.click("🔖 В моё расписание")
    await alice.click("⭐ Моё расписание")
    await alice.click("📅 Скачать .ics")
    doc = await alice.expect(text="Ваше расписание (2)")
    data = sandbox.emulator.world.files[doc["document"]["file_id"]].data

    cal = icalendar.Calendar.from_ical(data)
    events = {str(e["summary"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {"Rust in production", "Opening"}
    start_at = events["Rust in production"].decoded("dtstart")
    assert start_at == local(d, "10:30") and str(start_at.tzinfo) == "Europe/Moscow"
    assert str(events["Rust in production"]["location"]) == "Main hall"
    assert cal.walk("VTIMEZONE")

    other = ics_parser.Calendar(data.decode())
    parsed = {e.name: e for e in other.events}
    assert parsed["Rust in production"].begin.datetime == local(d, "10:30")
    assert parsed["Opening"].end.datetime.astimezone(TZ) == local(d, "10:30")

    # Stable UIDs: a second export names the same events, so a calendar updates instead of duplicating.
    await alice.click("📅 Скачать .ics")
    doc2 = await alice.expect(text="Ваше расписание (2)")
    again = icalendar.Calendar.from_ical(sandbox.emulator.world.files[doc2["document"]["file_id"]].data)
    assert {str(e["uid"]) for e in again.walk("VEVENT")} == {str(e["uid"]) for e in events.values()}
    rust = await session_id(app, "rust")
    assert str(events["Rust in production"]["uid"]) == f"session-{rust}@demo.pocket-organizer"
    assert dt.timedelta(0) == start_at.utcoffset() - dt.timedelta(hours=3)


def _next_fall_back(zone: zoneinfo.ZoneInfo, after: dt.date) -> dt.date:
    """The next day on which ``zone`` turns its clocks back (an hour of that night happens twice)."""
    d = after
    while True:
        d += dt.timedelta(days=1)
        noon = dt.datetime(d.year, d.month, d.day, 12, tzinfo=zone)
        if noon.utcoffset() < (noon - dt.timedelta(days=1)).utcoffset():
            return d


async def test_every_end_time_in_the_ics_round_trips_through_both_parsers(sandbox):
    """A session across midnight, a deadline (no end: a moment), a booked workshop across midnight and
    a session ending in the hour that happens twice when summer time ends: both parsers read every
    start and end as the same instant, in the event's timezone wherever that is unambiguous."""
    from core.people import SYSTEM
    from plugins.schedule import service
    from plugins.workshops import booking, catalogue
    from plugins.workshops.organizer_input import WorkshopData

    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    app = await start(sandbox, timezone="Europe/Berlin")
    d = day()
    d2 = d + dt.timedelta(days=1)
    fall = _next_fall_back(berlin, d)
    wall = lambda day_, hhmm: dt.datetime.combine(day_, dt.time.fromisoformat(hhmm), berlin)  # noqa: E731
    # 00:30 summer time + 3 h = 02:30 of the repeated hour, the second time (winter time).
    party_start = wall(fall, "00:30")
    party_end = party_start.astimezone(dt.UTC) + dt.timedelta(hours=3)
    assert party_end.astimezone(berlin).replace(fold=0).utcoffset() != party_end.astimezone(berlin).utcoffset()
    await load(app, {"schedule": {"sessions": [
        {"key": "opening", "kind": "keynote", "title": "Opening", "starts_at": at(d, "10:00"),
         "ends_at": at(d, "10:30"), "room": "Main hall"},
        {"key": "night", "kind": "other", "title": "Night hack", "starts_at": at(d, "22:30"),
         "ends_at": at(d2, "01:30"), "room": "Lab"},
        {"key": "submit", "kind": "deadline", "title": "Submission", "starts_at": at(d2, "18:00")},
        {"key": "party", "kind": "other", "title": "Clock party", "starts_at": party_start.isoformat(),
         "ends_at": party_end.isoformat(), "room": "Roof"},
    ]}})
    ev = await event(app)
    alice = sandbox.user("Alice")
    await alice.send("/start demo")
    ids = [await session_id(app, key) for key in ("opening", "night", "submit", "party")]
    async with app.transaction() as s:
        workshop = await catalogue.create_workshop(app, s, ev, SYSTEM, WorkshopData(
            title="Midnight soldering", starts_at=wall(d, "23:00").astimezone(dt.UTC),
            ends_at=wall(d2, "00:30").astimezone(dt.UTC), capacity=5, place="Basement"))
        await booking.book(app, s, ev, alice.id, workshop.id)
        for sid in ids:
            assert await service.toggle_bookmark(s, ev, alice.id, sid, now=utcnow())

    await alice.send("/menu")
    await alice.click("🗓 Программа")
    await alice.click("⭐ Моё расписание")
    await alice.click("📅 Скачать .ics")
    doc = await alice.expect(text="Ваше расписание (5)")
    data = sandbox.emulator.world.files[doc["document"]["file_id"]].data

    expected = {"Opening": (wall(d, "10:00"), wall(d, "10:30")),
                "Night hack": (wall(d, "22:30"), wall(d2, "01:30")),
                "Submission": (wall(d2, "18:00"), wall(d2, "18:00")),
                "Clock party": (party_start, party_end),
                "Midnight soldering": (wall(d, "23:00"), wall(d2, "00:30"))}
    instants = {title: tuple(t.astimezone(dt.UTC) for t in span) for title, span in expected.items()}

    cal = icalendar.Calendar.from_ical(data)
    read = {str(e["summary"]): (e.decoded("dtstart"), e.decoded("dtend")) for e in cal.walk("VEVENT")}
    assert {t: tuple(x.astimezone(dt.UTC) for x in span) for t, span in read.items()} == instants
    for title in ("Opening", "Night hack", "Submission", "Midnight soldering"):
        start_at, end_at = read[title]
        assert str(start_at.tzinfo) == str(end_at.tzinfo) == "Europe/Berlin", title
        assert (start_at, end_at) == expected[title]
    assert read["Night hack"][1].date() == d2  # past midnight, the next day

    other = ics_parser.Calendar(data.decode())
    parsed = {e.name: (e.begin.datetime, e.end.datetime) for e in other.events}
    assert {t: tuple(x.astimezone(dt.UTC) for x in span) for t, span in parsed.items()} == instants
    for title in ("Opening", "Night hack", "Submission", "Midnight soldering"):
        for got, want in zip(parsed[title], expected[title], strict=True):
            assert got.utcoffset() == want.utcoffset() and got.replace(tzinfo=None) == want.replace(tzinfo=None)


async def test_any_field_is_edited_through_a_preview_into_the_draft(sandbox):
    from core.program import export_program

    app = await start(sandbox)
    await load(app, program(day()))
    olga = await sandbox.admin("Olga")
    await olga.send("/start demo")
    await olga.send("/admin")
    await olga.click("🗓 Программа")
    await olga.click("📋 Все пункты")
    await olga.click(re.compile("UX of bots"))
    await olga.click("Тип")
    await olga.send("workshop-ish")
    await olga.expect(text="Неизвестный тип; возможные: talk, keynote, break, deadline, other")
    await olga.send("keynote")
    await olga.expect(text="Предпросмотр")
    await olga.click("💾 Сохранить")
    await olga.expect(text="Сохранено в черновик")
    await olga.click("Трек")
    await olga.send("Design")
    preview = await olga.expect(text="Предпросмотр")
    assert "Design" in preview["text"] and "Ключевой доклад" in preview["text"]
    await olga.click("💾 Сохранить")
    await olga.expect(text="Есть неопубликованные изменения")
    ux = next(s for s in (await export_program(app, "demo"))["schedule"]["sessions"] if s["key"] == "ux")
    assert ux["kind"] == "keynote" and ux["track"] == "Design"
