"""Reminders before bookmarked sessions (once, across a restart; off means none; the setting
reaches workshop reminders too) and published changes (one digest per affected participant)."""

from __future__ import annotations

import datetime as dt
import re

from core.jobs import schedule
from core.db import utcnow
from plugins.schedule import reminders, service
from sch_helpers import comes_due, day, event, load, local, outbox_count, pending_jobs, program, session_id, start


async def bookmark(user, d, title: str) -> None:
    await user.send("/menu")
    await user.click("🗓 Программа")
    await user.click("По дням")
    await user.click(re.compile(d.strftime("%d.%m")))
    await user.click(re.compile(re.escape(title)))
    await user.click("🔖 В моё расписание")
    await user.expect(text="В вашем расписании")


async def joined(sandbox, name: str):
    user = sandbox.user(name)
    await user.send("/start demo")
    await user.expect(text="Главное меню")
    return user


async def test_a_bookmark_is_reminded_at_t_minus_lead_exactly_once_across_a_restart(sandbox):
    app = await start(sandbox)
    d = day()
    await load(app, program(d))
    rust = await session_id(app, "rust")
    key = reminders.job_key(rust, 10)
    assert (await pending_jobs(app))[key] == local(d, "10:20").astimezone(dt.UTC)  # T − 10 min
    alice, bob = await joined(sandbox, "Alice"), await joined(sandbox, "Bob")
    await bookmark(alice, d, "Rust in production")

    await comes_due(sandbox, key)
    note = await alice.expect(text="⏰ Через 10 мин: «Rust in production»")
    assert "10:30–11:15" in note["text"] and "Main hall" in note["text"]
    await bob.expect_nothing()

    # A restart: a new app on the same database and Bot API; the same reminder comes due again
    # (as after a crash between the send and the "done" mark). Nobody hears it twice.
    await sandbox.stop()
    app = await start(sandbox)
    ev = await event(app)
    async with app.transaction() as s:
        await schedule(s, key=key, job=reminders.JOB, due_at=utcnow(),
                       payload={"event_id": ev.id, "session_id": rust, "minutes": 10,
                                "starts_at": local(d, "10:30").astimezone(dt.UTC).isoformat()})
    await sandbox.run_jobs()
    await sandbox.drain_outbox()
    await alice.expect_nothing()
    assert await outbox_count(app, "schedule:reminder:") == 1


async def test_reminders_off_in_the_cabinet_means_none_also_for_workshops(sandbox):
    from core.people import SYSTEM
    from plugins.workshops import reminders as ws_reminders
    from plugins.workshops import booking, catalogue
    from plugins.workshops.organizer_input import WorkshopData

    app = await start(sandbox)
    d = day()
    await load(app, program(d))
    alice, bob = await joined(sandbox, "Alice"), await joined(sandbox, "Bob")
    await bookmark(alice, d, "Rust in production")
    await bookmark(bob, d, "Rust in production")
    ev = await event(app)
    async with app.transaction() as s:
        w = await catalogue.create_workshop(app, s, ev, SYSTEM, WorkshopData(
            title="Soldering", starts_at=local(d, "15:00").astimezone(dt.UTC),
            ends_at=local(d, "16:00").astimezone(dt.UTC), capacity=5, place="Lab"))
        await booking.book(app, s, ev, alice.id, w.id)
        await booking.book(app, s, ev, bob.id, w.id)

    await alice.send("/cabinet")
    await alice.expect(text="включены (за 10 мин)")
    await alice.click("⏰ Напоминания")
    await alice.click("🔕 Выключить")
    await alice.expect(text="Сейчас: выключены")

    await comes_due(sandbox, reminders.job_key(await session_id(app, "rust"), 10))
    await comes_due(sandbox, ws_reminders.job_key(w.id, 15))
    await bob.expect(text="⏰ Через 10 мин")
    await bob.expect(text="⏰ Напоминание: вы записаны на мастер-класс «Soldering»")
    await alice.expect_nothing()
    assert await outbox_count(app, "schedule:reminder:") == 1
    assert await outbox_count(app, "workshops:reminder:") == 1


async def test_a_chosen_lead_time_picks_one_reminder(sandbox):
    app = await start(sandbox, schedule={"reminder_minutes": [60, 10]})
    d = day()
    await load(app, program(d))
    rust = await session_id(app, "rust")
    assert set(await pending_jobs(app)) >= {reminders.job_key(rust, 60), reminders.job_key(rust, 10)}
    alice, bob = await joined(sandbox, "Alice"), await joined(sandbox, "Bob")
    await bookmark(alice, d, "Rust in production")
    await bookmark(bob, d, "Rust in production")
    await alice.send("/cabinet")
    await alice.click("⏰ Напоминания")
    await alice.click("За 60 мин")
    await alice.expect(text="за 60 мин до начала")

    await comes_due(sandbox, reminders.job_key(rust, 60))
    await alice.expect(text="⏰ Через 60 мин")
    await bob.expect(text="⏰ Через 60 мин")
    await comes_due(sandbox, reminders.job_key(rust, 10))
    await bob.expect(text="⏰ Через 10 мин")
    await alice.expect_nothing()


async def test_three_edits_to_two_sessions_publish_as_one_message_per_affected_participant(sandbox):
    app = await start(sandbox)
    d = day()
    await load(app, program(d))
    alice = await joined(sandbox, "Alice")
    bob = await joined(sandbox, "Bob")
    carol = await joined(sandbox, "Carol")
    await bookmark(alice, d, "Rust in production")
    await bookmark(alice, d, "UX of bots")
    await bookmark(bob, d, "UX of bots")
    rust, ux = await session_id(app, "rust"), await session_id(app, "ux")
    ev = await event(app)
    now = utcnow()
    async with app.transaction() as s:  # three edits: Rust moves and changes room; UX changes room
        await service.stage_changes(app, s, ev, service.SYSTEM, rust,
                                    {"starts_at": local(d, "14:00").astimezone(dt.UTC),
                                     "ends_at": local(d, "14:45").astimezone(dt.UTC)}, now=now)
        await service.stage_changes(app, s, ev, service.SYSTEM, rust, {"room": "Room C"}, now=now)
        await service.stage_changes(app, s, ev, service.SYSTEM, ux, {"room": "Room D"}, now=now)
    await sandbox.drain_outbox()
    await alice.expect_nothing()  # drafts: nobody hears of it before "Publish changes"
    assert (await pending_jobs(app))[reminders.job_key(rust, 10)] == local(d, "10:20").astimezone(dt.UTC)

    olga = await sandbox.admin("Olga")
    await olga.send("/start demo")
    await olga.send("/admin")
    await olga.click("🗓 Программа")
    await olga.click(re.compile("Опубликовать изменения \\(2\\)"))
    preview = await olga.expect(text="Изменений: 2")
    assert "Уведомим участников: 2" in preview["text"] and "Room C" in preview["text"]
    await olga.click(re.compile("Опубликовать и уведомить"))
    await olga.expect(text="Опубликовано изменений: 2. Уведомлений в очереди: 2")
    await sandbox.drain_outbox()

    note = await alice.expect(text="Изменения в программе")
    assert "Rust in production" in note["text"] and "14:00–14:45" in note["text"] and "Room C" in note["text"]
    assert "UX of bots" in note["text"] and "Room D" in note["text"]
    await alice.expect_nothing()  # one message, not three
    bob_note = await bob.expect(text="Изменения в программе")
    assert "UX of bots" in bob_note["text"] and "Rust" not in bob_note["text"]
    await carol.expect_nothing()
    assert await outbox_count(app, "schedule:release:") == 2
    assert (await pending_jobs(app))[reminders.job_key(rust, 10)] == local(d, "13:50").astimezone(dt.UTC)

    await olga.click("🗓 Программа (организатор)")
    await olga.click(re.compile("Опубликовать изменения \\(0\\)"))
    await olga.expect(text="Неопубликованных изменений нет")  # a second publish tells nobody again
    await sandbox.drain_outbox()
    await alice.expect_nothing()


async def test_a_cancelled_session_is_announced_and_its_reminder_cancelled(sandbox):
    app = await start(sandbox, schedule={"drafts": False})
    d = day()
    await load(app, program(d))
    alice, carol = await joined(sandbox, "Alice"), await joined(sandbox, "Carol")
    await bookmark(alice, d, "UX of bots")
    ux = await session_id(app, "ux")
    assert reminders.job_key(ux, 10) in await pending_jobs(app)

    olga = await sandbox.admin("Olga")
    await olga.send("/start demo")
    await olga.send("/admin")
    await olga.click("🗓 Программа")
    await olga.click("📋 Все пункты")
    await olga.click(re.compile("UX of bots"))
    await olga.click("❌ Отменить пункт")
    await olga.click("Да, отменить")
    await olga.expect(text="Отменено")
    await sandbox.drain_outbox()
    note = await alice.expect(text="Изменения в программе")
    assert "UX of bots" in note["text"] and "❌ Отменено" in note["text"]
    await carol.expect_nothing()
    assert reminders.job_key(ux, 10) not in await pending_jobs(app)


async def test_a_session_for_all_reminds_everyone_without_a_bookmark(sandbox):
    app = await start(sandbox)
    d = day()
    await load(app, program(d))
    alice, bob = await joined(sandbox, "Alice"), await joined(sandbox, "Bob")
    await bob.send("/cabinet")
    await bob.click("⏰ Напоминания")
    await bob.click("🔕 Выключить")
    await bob.expect(text="выключены")
    await comes_due(sandbox, reminders.job_key(await session_id(app, "opening"), 10))
    await alice.expect(text="⏰ Через 10 мин: «Opening»")
    await bob.expect_nothing()
