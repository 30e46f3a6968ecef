"""Reminders before a workshop, through the job runner, the outbox and the emulator: who is reminded,
when, of what; a moved workshop moves its reminders; nothing after the start; nobody twice."""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
from sqlalchemy import func, select

from core.db import utcnow
from core.delivery.models import OutboxMessage
from core.jobs import Job, JobState, reschedule, schedule
from core.people import SYSTEM
from plugins.workshops import catalogue, reminders
from plugins.workshops.config import WorkshopsConfig
from test_participant_flow import local_start
from ws_helpers import add_workshop, event, open_card, start


async def pending_reminders(app) -> dict[str, dt.datetime]:
    async with app.sessions() as s:
        jobs = await s.scalars(select(Job).where(Job.job == reminders.JOB,
                                                 Job.state.in_([JobState.SCHEDULED.value, JobState.CLAIMED.value])))
        return {job.key: job.due_at for job in jobs.all()}


async def comes_due(sandbox, key: str) -> None:
    """The reminder's time has come: move its job to now and let the runner and the sender work."""
    # The start-up ticks first: a periodic sync that runs after the move would re-time the job back.
    await sandbox.run_jobs()
    async with sandbox.app.transaction() as s:
        assert await reschedule(s, key, utcnow()), f"no pending job {key}"
    await sandbox.run_jobs()
    await sandbox.drain_outbox()


async def reminders_in_outbox(app) -> int:
    async with app.sessions() as s:
        return await s.scalar(select(func.count()).select_from(OutboxMessage)
                              .where(OutboxMessage.dedupe_key.startswith("workshops:reminder:")))


async def book(user, title: str = "Soldering") -> None:
    await open_card(user, title)
    await user.click(re.compile("Записаться|лист ожидания"))
    await user.expect(text=re.compile("Вы записаны|листе ожидания"))


async def test_attendees_are_reminded_once_with_time_place_and_their_card(sandbox):
    app = await start(sandbox, poll=True)
    start_at = local_start(3, 10)
    w = await add_workshop(app, capacity=1, place="Room 1", starts_at=start_at)
    assert await pending_reminders(app) == {reminders.job_key(w.id, 15): start_at - dt.timedelta(minutes=15)}
    alice, bob, carol = sandbox.user("Alice"), sandbox.user("Bob"), sandbox.user("Carol")
    await book(alice)
    await book(bob)  # full: Bob waits in the queue and has no seat to be reminded of
    await carol.send("/start demo")
    await carol.expect(text="Главное меню")

    await comes_due(sandbox, reminders.job_key(w.id, 15))
    note = await alice.expect(text="⏰ Напоминание: вы записаны на мастер-класс «Soldering»")
    assert re.search(r"Когда: \w\w, \d\d\.\d\d, 10:00–11:30\nГде: Room 1", note["text"]), note["text"]
    await alice.click("Открыть карточку")
    await alice.expect(text="💺 Мест нет (занято 1 место из 1)")
    assert "❌ Отменить запись" in alice.buttons()  # still time to give the seat to the queue
    await bob.expect_nothing()
    await carol.expect_nothing()

    # The same reminder run again for the same start (a retry after a crash): nobody hears it twice.
    async with app.transaction() as s:
        ev = await event(app)
        await schedule(s, key=reminders.job_key(w.id, 15), job=reminders.JOB, due_at=utcnow(),
                       payload={"event_id": ev.id, "workshop_id": w.id, "minutes": 15,
                                "starts_at": start_at.isoformat()})
    await sandbox.run_jobs()
    await sandbox.drain_outbox()
    await alice.expect_nothing()
    assert await reminders_in_outbox(app) == 1


async def test_a_moved_workshop_reminds_again_for_its_new_time(sandbox):
    app = await start(sandbox, poll=True)
    old_start, new_start = local_start(3, 10), local_start(3, 12)
    w = await add_workshop(app, capacity=5, starts_at=old_start)
    alice = sandbox.user("Alice")
    await book(alice)
    await comes_due(sandbox, reminders.job_key(w.id, 15))
    assert "10:00–11:30" in (await alice.expect(text="⏰ Напоминание"))["text"]

    ev = await event(app)
    async with app.transaction() as s:
        await catalogue.update_workshop(app, s, ev, SYSTEM, w.id,
                                      {"starts_at": new_start, "ends_at": new_start + dt.timedelta(minutes=90)})
    assert await pending_reminders(app) == {reminders.job_key(w.id, 15): new_start - dt.timedelta(minutes=15)}
    await sandbox.drain_outbox()
    await alice.expect(text="Время: было")

    await comes_due(sandbox, reminders.job_key(w.id, 15))
    assert "12:00–13:30" in (await alice.expect(text="⏰ Напоминание"))["text"]
    assert await reminders_in_outbox(app) == 2


async def test_moving_a_workshop_so_close_that_its_reminder_time_passed_cancels_it(sandbox):
    app = await start(sandbox, poll=False)
    soon = (utcnow() + dt.timedelta(minutes=40)).replace(microsecond=0)
    w = await add_workshop(app, starts_at=soon)
    assert list(await pending_reminders(app)) == [reminders.job_key(w.id, 15)]
    sooner = soon - dt.timedelta(minutes=30)  # starts in 10 minutes: "in 15 minutes" is already wrong
    async with app.transaction() as s:
        await catalogue.update_workshop(app, s, await event(app), SYSTEM, w.id,
                                      {"starts_at": sooner, "ends_at": sooner + dt.timedelta(minutes=90)})
    assert await pending_reminders(app) == {}


async def test_a_reminder_that_fell_due_while_the_bot_was_down_is_dropped_after_the_start(sandbox, monkeypatch,
                                                                                            caplog):
    app = await start(sandbox, poll=True)
    start_at = local_start(3, 10)
    w = await add_workshop(app, starts_at=start_at)
    alice = sandbox.user("Alice")
    await book(alice)
    # The bot comes back 5 minutes after the start: a reminder now would be a lie.
    monkeypatch.setattr(reminders, "utcnow", lambda: start_at + dt.timedelta(minutes=5))
    with caplog.at_level(logging.WARNING, logger="plugins.workshops.reminders"):
        await comes_due(sandbox, reminders.job_key(w.id, 15))
    await alice.expect_nothing()
    assert await reminders_in_outbox(app) == 0
    assert "dropped: it has already started" in caplog.text


async def test_deleting_a_workshop_cancels_its_reminders(sandbox):
    app = await start(sandbox, poll=False, workshops={"reminder_minutes": [1440, 15]})
    w = await add_workshop(app)
    assert len(await pending_reminders(app)) == 2
    async with app.transaction() as s:
        await catalogue.delete_workshop(app, s, await event(app), SYSTEM, w.id)
    assert await pending_reminders(app) == {}


async def test_sync_aligns_upcoming_workshops_with_the_configured_lead_times(sandbox):
    app = await start(sandbox, poll=False, workshops={"reminder_minutes": [1440, 15]})
    start_at = local_start(3, 10)
    w = await add_workshop(app, starts_at=start_at)
    day, quarter, half = (reminders.job_key(w.id, m) for m in (1440, 15, 30))
    ev = await event(app)
    async with app.transaction() as s:
        # As if made before reminders existed, or under other settings: one lead time missing, one extra.
        from core.jobs import cancel

        await cancel(s, day)
        await schedule(s, key=half, job=reminders.JOB, due_at=start_at - dt.timedelta(minutes=30),
                       payload={"event_id": ev.id, "workshop_id": w.id, "minutes": 30,
                                "starts_at": start_at.isoformat()})
        # In the same transaction, so the app's own periodic sync cannot get there first.
        assert await reminders.sync(app, s) == 2
    assert await pending_reminders(app) == {day: start_at - dt.timedelta(days=1),
                                            quarter: start_at - dt.timedelta(minutes=15)}
    async with app.transaction() as s:
        assert await reminders.sync(app, s) == 0  # in line already: nothing is written


@pytest.mark.parametrize("lead_times, problem", [
    ([0], "must be 1..10080 minutes"),
    ([15, 15], "listed twice"),
    ([60 * 24 * 8], "must be 1..10080 minutes"),
])
def test_bad_lead_times_are_refused_with_what_to_write(lead_times, problem):
    with pytest.raises(ValueError, match=problem):
        WorkshopsConfig(reminder_minutes=lead_times)


def test_no_lead_times_switch_reminders_off_and_several_are_kept_longest_first():
    assert WorkshopsConfig(reminder_minutes=[]).reminder_minutes == []
    assert WorkshopsConfig(reminder_minutes=[15, 1440]).reminder_minutes == [1440, 15]
