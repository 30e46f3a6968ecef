"""Check-in at a workshop's door, through the real bot: the desk picks one of today's workshops,
phone photos and typed codes mark who came (booked → ✅, again → ⚠️ with when and by whom, not
booked → ❌), and the organizer's attendee list and CSV show it. Off unless the event turns it on;
participants never get the door."""

from __future__ import annotations

import csv
import io
import re

from sqlalchemy import select

from core import people
from core.models import Role
from desk import DOOR_EVENTS, EVENTS, checker, checkins, code_of, joined, pass_png, start, workshops_today
from photos import phone_photo, photo_without_qr
from plugins.qr.handlers import QrDoor
from plugins.workshops.models import Booking

PLUGINS = ("qr", "workshops")


async def attended(app, workshop_id: int) -> dict[int, object]:
    async with app.sessions() as s:
        rows = await s.execute(select(Booking.user_id, Booking.attended_at).where(Booking.workshop_id == workshop_id))
        return dict(rows.all())


async def test_a_desk_at_a_workshop_door_marks_who_came_and_the_organizer_sees_it(sandbox):
    app = await start(sandbox, events=DOOR_EVENTS, plugins=PLUGINS)
    alice, bob = await joined(sandbox, "Alice", "Bob")
    ids = await workshops_today(app, {"Пайка": [alice.id]})
    alice_png, alice_msg = await pass_png(sandbox, alice)
    bob_png, _ = await pass_png(sandbox, bob)

    kate = await checker(sandbox)
    await kate.click("Вход на мастер-класс")
    await kate.expect(text="Сегодня 1 мастер-класс.")
    assert any("Пайка · 0/1" in b for b in kate.buttons()) and not any("Завтрашний" in b for b in kate.buttons())
    await kate.click(re.compile("Пайка"))
    door = await kate.expect(text="Вход на «Пайка»")
    assert "Пришли 0 человек из 1 записавшегося" in door["text"]

    await kate.send_photo(phone_photo(alice_png, angle=90))
    ok = await kate.expect(text="✅ Alice — есть в списке «Пайка»")
    assert "Пришёл 1 человек из 1 записавшегося" in ok["text"]
    await kate.send(code_of(alice_msg))  # typed at the door: the same path
    already = await kate.expect(text="Уже на «Пайка»")
    assert "Alice" in already["text"] and "Kate" in already["text"] and re.search(r"в \d\d:\d\d", already["text"])
    await kate.send_photo(phone_photo(bob_png, angle=180, seed=3))
    await kate.expect(text="Нет в списке «Пайка»: у Bob нет записи на этот мастер-класс")
    await kate.send_photo(photo_without_qr())  # a bad photo is answered as at the entrance; the desk stays here
    await kate.expect(text="QR не найден")
    assert "🚪 Другой мастер-класс" in kate.buttons()
    await kate.click("Статистика")
    await kate.expect(text=re.compile(r"«Пайка»\nПришёл 1 человек из 1 записавшегося\.\n\n[\s\S]*Отметились: 0 из"))
    assert list((await attended(app, ids["Пайка"])).keys()) == [alice.id]
    assert await checkins(app) == 0  # the event's entrance keeps its own list

    await kate.click("Вход на мероприятие")
    await kate.expect(text="Снова вход на мероприятие")
    await kate.send_photo(phone_photo(alice_png, angle=15))
    await kate.expect(text="✅ Alice — участник")
    assert await checkins(app) == 1

    # The organizer's card, attendee list and CSV of the workshop say who came.
    olga = await sandbox.admin("Olga")
    await olga.send("/start demo")
    await olga.click("Панель организатора")
    await olga.click("Мастер-классы")
    await olga.click(re.compile("Пайка"))
    await olga.expect(text="Пришёл 1 человек из 1 записавшегося")
    await olga.click("Участники")
    listing = await olga.expect(text="Участники «Пайка»")
    assert re.search(r"1\. Alice — ✅ на месте с \d\d:\d\d", listing["text"]), listing["text"]
    await olga.click("К мастер-классу")
    await olga.click("CSV")
    doc = await olga.expect(text="Выгрузка записей")
    rows = list(csv.DictReader(io.StringIO(sandbox.emulator.world.files[doc["document"]["file_id"]]
                                           .data.decode("utf-8-sig"))))
    [row] = [r for r in rows if r["name"] == "Alice"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", row["attended_at"])


async def test_organizers_undo_a_door_mark_checkers_only_scan_participants_get_no_door(sandbox):
    app = await start(sandbox, events=DOOR_EVENTS, plugins=PLUGINS)
    alice, bob = await joined(sandbox, "Alice", "Bob")
    ids = await workshops_today(app, {"Пайка": [alice.id, bob.id]})
    alice_png, _ = await pass_png(sandbox, alice)

    # Bob, a participant, has no desk; taps forged from his own menu are refused before anything is read.
    await bob.send("/menu")
    menu = await bob.expect(text="Главное меню")
    for data in ("qr:doors", QrDoor(ws=ids["Пайка"]).pack()):
        update = await sandbox.emulator.click(bob.id, menu["message_id"], data, forged=True)
        await sandbox.settle()
        answer = sandbox.emulator.world.callbacks[update["callback_query"]["id"]].answer
        assert "только организаторы и контролёры" in answer["text"], answer
    assert (await attended(app, ids["Пайка"]))[alice.id] is None

    olga = await sandbox.admin("Olga")
    await olga.send("/start demo")
    await olga.click("Панель организатора")
    await olga.click("Регистрация на входе")
    await olga.click("Вход на мастер-класс")
    await olga.click(re.compile("Пайка"))
    await olga.send_photo(phone_photo(alice_png, angle=-15))
    await olga.expect(text="✅ Alice — есть в списке «Пайка»")
    await olga.click("Отменить отметку")
    await olga.expect(text="Отметка на мастер-классе снята: Alice")
    assert (await attended(app, ids["Пайка"]))[alice.id] is None
    await olga.send_photo(phone_photo(alice_png, angle=180, seed=5))
    await olga.expect(text="✅ Alice — есть в списке «Пайка»")

    kate = await checker(sandbox)
    await kate.click("Вход на мастер-класс")
    await kate.click(re.compile("Пайка"))
    await kate.send_photo(phone_photo(alice_png, angle=90, seed=6))
    await kate.expect(text=re.compile("Уже на «Пайка»: Alice — отметка в .*Olga"))
    assert "Отменить отметку" not in kate.buttons()

    # Kate's role is taken away while she stands at the door: her next scan is refused.
    async with app.transaction() as session:
        await people.set_role(session, await people.event_by_slug(session, "demo"), kate.id, Role.PARTICIPANT)
    async with app.transaction() as session:
        await session.execute(Booking.__table__.update().values(attended_at=None, attended_by=None))
    await kate.send_photo(phone_photo(alice_png, angle=0, seed=7))
    await kate.expect(text="Сканировать пропуска могут только организаторы и контролёры")
    assert (await attended(app, ids["Пайка"]))[alice.id] is None


async def test_door_checkin_is_off_unless_the_event_turns_it_on(sandbox):
    # Off by default: no door button, and an old or forged door button says it is off.
    app = await start(sandbox, events=EVENTS, plugins=PLUGINS)
    (alice,) = await joined(sandbox, "Alice")
    ids = await workshops_today(app, {"Пайка": [alice.id]})
    kate = await checker(sandbox)
    assert "🚪 Вход на мастер-класс" not in kate.buttons()
    update = await sandbox.emulator.click(kate.id, kate.last_message()["message_id"], QrDoor(ws=ids["Пайка"]).pack(),
                                          forged=True)
    await sandbox.settle()
    answer = sandbox.emulator.world.callbacks[update["callback_query"]["id"]].answer
    assert "на этом мероприятии выключена" in answer["text"], answer


async def test_a_workshop_removed_while_the_desk_is_at_its_door_is_named_and_nothing_is_marked(sandbox):
    from core.people import SYSTEM
    from plugins.workshops import catalogue

    app = await start(sandbox, events=DOOR_EVENTS, plugins=PLUGINS)
    (alice,) = await joined(sandbox, "Alice")
    alice_png, alice_msg = await pass_png(sandbox, alice)
    kate = await checker(sandbox)
    await kate.click("Вход на мастер-класс")
    await kate.expect(text="Сегодня мастер-классов нет")
    ids = await workshops_today(app, {"Пайка": [alice.id]})
    await kate.click("Вход на мастер-класс")
    await kate.click(re.compile("Пайка"))
    await kate.expect(text="Вход на «Пайка»")
    async with app.transaction() as s:
        ev = await people.event_by_slug(s, "demo")
        await catalogue.delete_workshop(app, s, ev, SYSTEM, ids["Пайка"])
    await kate.send(code_of(alice_msg))
    await kate.expect(text="Этого мастер-класса больше нет")
    await kate.send_photo(phone_photo(alice_png, angle=90))
    await kate.expect(text="Этого мастер-класса больше нет")  # still at that door: never the entrance by mistake
    assert await checkins(app) == 0
