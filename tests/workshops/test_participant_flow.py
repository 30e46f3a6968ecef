"""Participants through the real bot on the emulator: list, card, book, cancel, cabinet, live counts."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import zoneinfo

from sqlalchemy import func, select

from plugins.waitlist import service as waitlist
from plugins.waitlist.models import Entry
from plugins.workshops.models import Booking
from ws_helpers import add_workshop, open_card, refresh, start


def local_start(days_ahead: int, hour: int, minute: int = 0) -> dt.datetime:
    """A start at a fixed hour of the demo event's day (Moscow): the card's format must not
    depend on the hour the tests run at."""
    moscow = zoneinfo.ZoneInfo("Europe/Moscow")
    day = dt.datetime.now(moscow).date() + dt.timedelta(days=days_ahead)
    return dt.datetime.combine(day, dt.time(hour, minute), moscow).astimezone(dt.UTC)


async def test_list_card_book_cabinet_cancel(sandbox):
    app = await start(sandbox, poll=True)
    await add_workshop(app, title="Soldering <basics>", capacity=10, place="Room 1", starts_at=local_start(3, 10))
    alice = sandbox.user("Alice")
    await alice.send("/start demo")
    await alice.click("Мастер-классы")
    await alice.expect(text=re.compile(r"Мастер-классы[\s\S]*Soldering &lt;basics&gt;|Soldering <basics> — 10 мест"))
    listing = alice.last_message()
    day = re.search(r"\w\w, \d\d\.\d\d", listing["text"])[0]  # the list's day heading
    assert any(b.startswith(f"{day}, 10:00 · Soldering") for b in alice.buttons()), alice.buttons()
    await alice.click(re.compile("Soldering"))
    card = await alice.expect(text="Свободно мест: 10 из 10")
    assert "🎤 Ivan" in card["text"] and "📍 Room 1" in card["text"] and "Bring a laptop" in card["text"]
    assert f"🕒 {day}, 10:00–11:30" in card["text"]  # the same day written the same way
    await alice.click("Записаться")
    booked = await alice.expect(text="✅ Вы записаны на «Soldering <basics>»")
    assert booked["text"].count("Вы записаны") == 1, booked["text"]
    assert "Отменить запись" in " ".join(alice.buttons())
    await alice.send("/schedule")
    schedule = await alice.expect(text="Моё расписание")
    assert f"{day}\n10:00–11:30 Soldering <basics> · Room 1" in schedule["text"], schedule["text"]
    await alice.click("Записаться") if "✍️ Записаться" in alice.buttons() else None
    await alice.send("/cabinet")
    await alice.expect(text=re.compile(r"Мои мастер-классы\n• Soldering <basics> — "))
    await alice.click("Мастер-классы") if "🎓 Мастер-классы" in alice.buttons() else await alice.send("/menu")
    await open_card(alice, "Soldering")
    await alice.click("Отменить запись")
    await alice.expect(text="Запись на «Soldering <basics>» отменена")
    async with app.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Booking)) == 0



async def test_a_workshop_past_midnight_shows_both_days_on_its_card(sandbox):
    app = await start(sandbox, poll=True)
    await add_workshop(app, title="Night hack", minutes=90, starts_at=local_start(3, 23, 30))
    alice = sandbox.user("Alice")
    await alice.send("/start demo")
    await alice.click("Мастер-классы")
    await alice.click(re.compile("Night hack"))
    card = await alice.expect(text="Свободно мест: 10 из 10")
    assert re.search(r"🕒 \w\w, \d\d\.\d\d, 23:30 – \w\w, \d\d\.\d\d, 01:00", card["text"])

async def test_200_users_tap_book_for_10_seats_at_once(sandbox):
    app = await start(sandbox, poll=True, workshops={"live_min_interval_seconds": 1, "live_edits_per_run": 200})
    w = await add_workshop(app, capacity=10)
    from functools import partial

    from core.sandbox.client import SandboxUser

    # 200 people at once take a while on a loaded machine: wait longer than the harness's default.
    users = [SandboxUser(sandbox.emulator, f"P{i}", settle=partial(sandbox.settle, timeout=180)) for i in range(200)]
    await asyncio.gather(*(u.send("/start demo") for u in users))
    await asyncio.gather(*(u.click("Мастер-классы") for u in users))
    await asyncio.gather(*(u.click(re.compile("Soldering")) for u in users))
    taps = await asyncio.gather(*(u.click("Записаться") for u in users))  # the same second, all of them
    await sandbox.settle(timeout=180)
    sent = {u.id: tap["update_id"] for u, tap in zip(users, taps, strict=True)}  # queued at the emulator
    async with app.sessions() as s:
        booked = set((await s.scalars(select(Booking.user_id).where(Booking.workshop_id == w.id))).all())
        queue = [e.user_id for e in (await s.scalars(select(Entry).where(Entry.workshop_id == w.id)
                                                      .order_by(*waitlist.QUEUE_ORDER))).all()]
    assert len(booked) == 10 and len(queue) == 190 and not booked & set(queue)
    # Seats and queue places follow the order the taps were sent (their update ids).
    in_tap_order = sorted(sent, key=sent.__getitem__)
    assert booked == set(in_tap_order[:10])
    assert queue == in_tap_order[10:]
    position = {uid: n for n, uid in enumerate(queue, start=1)}
    for u in users:  # every user is told the truth at once, on the card they tapped
        text = u.last_message()["text"]
        if u.id in booked:
            assert "✅ Вы записаны" in text and "листе ожидания: №" not in text, text
        else:
            assert re.search(rf"[Вв]ы в листе ожидания: №{position[u.id]}[. ]", text), text
            assert "Мест нет" in text and "✅ Вы записаны" not in text
    # The first to book saw seats still free; their cards follow to the final count (each card's
    # view remembers the seat state its own tap left, also when one batch decided many taps).
    early = [u for u in users if u.id in booked]
    for _ in range(10):
        if all("Мест нет (заняты все 10 мест)" in u.last_message()["text"] for u in early):
            break
        await asyncio.sleep(1.1)  # live_min_interval_seconds
        await refresh(sandbox)
    assert [u.last_message()["text"] for u in early if "Мест нет (заняты все 10 мест)" not in u.last_message()["text"]] == []


async def test_open_cards_and_lists_follow_seat_changes_without_not_modified_errors(sandbox):
    app = await start(sandbox, poll=True, workshops={"live_min_interval_seconds": 1})
    await add_workshop(app, capacity=3)
    alice, bob = sandbox.user("Alice"), sandbox.user("Bob")
    await open_card(bob)
    await bob.expect(text="Свободно мест: 3 из 3")
    await open_card(alice)
    await alice.click("Записаться")
    await refresh(sandbox)  # the bot's own periodic refresh may be first: either way Bob's card follows
    await bob.expect(text="Свободно мест: 2 из 3")
    assert await refresh(sandbox) == 0  # nothing changed since: no edit at all
    edits = sandbox.emulator.requests_for("editMessageText")
    assert edits and all(r.ok for r in edits), [r.description for r in edits if not r.ok]


async def test_a_refresh_that_runs_while_a_tap_is_answered_never_leaves_its_card_behind(sandbox, monkeypatch):
    """The periodic refresh may run between a booking's commit and its own edit (a batch answers
    its taps one after another). It must not edit that card first: the tap's older card would
    land over it while the stored view claimed the newer one, and the count would stay wrong."""
    from plugins.workshops import booking, handlers
    from plugins.workshops.live import refresh_views
    from ws_helpers import event, make_users

    app = await start(sandbox, poll=True, workshops={"live_min_interval_seconds": 1})
    w = await add_workshop(app, capacity=3)
    alice = sandbox.user("Alice")
    await open_card(alice)
    [bob] = await make_users(app, 1)
    original_show = handlers.show

    async def show_after_another_booking_and_a_refresh(target, text, markup):
        if getattr(target, "from_user", None) is not None and target.from_user.id == alice.id:
            async with app.transaction() as s:  # someone books meanwhile, and the refresh runs
                await booking.book(app, s, await event(app), bob, w.id)
            await refresh_views(app)
        return await original_show(target, text, markup)

    monkeypatch.setattr(handlers, "show", show_after_another_booking_and_a_refresh)
    await alice.click("Записаться")
    await alice.expect(text="✅ Вы записаны")
    monkeypatch.setattr(handlers, "show", original_show)
    for _ in range(5):
        if "Свободно мест: 1 из 3" in alice.last_message()["text"]:
            break
        await asyncio.sleep(1.1)  # live_min_interval_seconds
        await refresh(sandbox)
    assert "Свободно мест: 1 из 3" in alice.last_message()["text"], alice.last_message()["text"]


async def test_offer_accept_through_the_outbox_and_a_late_accept_is_expired(sandbox):
    from ws_helpers import drain

    app = await start(sandbox, poll=True)
    await add_workshop(app, capacity=1)
    alice, bob, carol = sandbox.user("Alice"), sandbox.user("Bob"), sandbox.user("Carol")
    for u in (alice, bob, carol):
        await open_card(u)
        await u.click(re.compile("Записаться|лист ожидания"))
    await bob.expect(text="вы в листе ожидания: №1")
    await carol.expect(text="вы в листе ожидания: №2")
    await alice.click("Отменить запись")
    await drain(sandbox)
    offer = await bob.expect(text="Освободилось место на «Soldering»")
    # The deadline names its timezone: "до 19:17" alone read as a five-hour hold elsewhere.
    assert re.search(r"до <b>\d\d:\d\d UTC\+3</b> \(\w\w, \d\d\.\d\d\)", offer["html"] if "html" in offer
                     else offer["text"]) or re.search(r"до \d\d:\d\d UTC\+3 \(", offer["text"]), offer["text"]
    await bob.click("Беру место")
    await bob.expect(text="Готово: вы записаны на «Soldering»")
    await bob.click("Отменить запись") if "❌ Отменить запись" in bob.buttons() else None
    await open_card(bob)
    await bob.click("Отменить запись")
    await drain(sandbox)
    await carol.expect(text="Освободилось место")
    async with app.transaction() as s:  # Carol's deadline passes before she taps
        entry = await s.scalar(select(Entry).where(Entry.user_id == carol.id, Entry.state == "offered"))
        entry.expires_at = entry.expires_at.replace(year=2000)
    await carol.click("Беру место")
    await carol.expect(text="Время на подтверждение истекло")
    async with app.sessions() as s:
        assert await s.scalar(select(Entry.state).where(Entry.id == entry.id)) == "expired"
        assert await s.scalar(select(func.count()).select_from(Booking)) == 0
    assert waitlist.OFFER_KIND == "waitlist:offer"


async def test_a_card_and_a_booking_read_no_event_row_once_the_context_is_cached(sandbox):
    import sqlalchemy as sa

    app = await start(sandbox, poll=True)
    await add_workshop(app, title="Soldering", capacity=1)
    vera = sandbox.user("Vera")
    await vera.send("/start demo")
    await vera.click("Мастер-классы")
    await vera.expect(text="Soldering")
    statements: list[str] = []
    sa.event.listen(app.engine.sync_engine, "before_cursor_execute",
                    lambda _c, _cur, statement, *_a: statements.append(" ".join(statement.split())))
    await vera.click(re.compile("Soldering"))
    await vera.expect(text="Свободно мест: 1 из 1")
    await vera.click("Записаться")
    await vera.expect(text="✅ Вы записаны")
    assert statements, "the card and the booking did read the database"
    assert not [s for s in statements if s.startswith("SELECT core_events")]
