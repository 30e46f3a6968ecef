""""Rate this talk" through the real bot: after a talk ends (+ the configured delay) exactly its
bookmarkers get one prompt, also with two job runners racing and after a restart; a tap records,
changes, is told when it repeats or comes too late; organizers and the talk's speaker see the
average and count, a plain participant does not; the off-switch; an event without the schedule."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import zoneinfo
from types import SimpleNamespace

from sqlalchemy import func, select, update

from core import people
from core.db import create_engine, session_factory, transaction, utcnow
from core.delivery.models import OutboxMessage
from core.jobs import Job, JobRunner, JobState, get_job, reschedule, schedule
from core.models import Role
from core.program import import_program
from plugins.questions import ratings
from plugins.questions.models import Rating
from plugins.schedule import clock
from plugins.schedule import service as schedule_service
from plugins.schedule.models import Session, Speaker

TZ = zoneinfo.ZoneInfo("Europe/Moscow")
SYNC_KEY = "periodic:questions:rating_sync"


async def start(sandbox, *, questions=None, plugins=("schedule", "questions")):
    sections = {"schedule": {}, "questions": {"rating_delay_minutes": 5, **(questions or {})}}
    events = {"demo": {"title": "Demo", "timezone": "Europe/Moscow", "language": "ru", "signup": {"enabled": False},
                       "plugins": {k: v for k, v in sections.items() if k in plugins}}}
    return await sandbox.start(plugins=list(plugins), events=events, poll=True)


def day() -> dt.date:
    return (utcnow().astimezone(TZ) + dt.timedelta(days=1)).date()  # within the sync's horizon


def local(d: dt.date, hhmm: str) -> dt.datetime:
    h, m = map(int, hhmm.split(":"))
    return dt.datetime(d.year, d.month, d.day, h, m, tzinfo=TZ)


async def load_program(app, d: dt.date) -> dict[str, int]:
    at = d.isoformat()
    report = await import_program(app, "demo", {"schedule": {
        "speakers": [{"key": "ivan", "name": "Ivan Petrov"}, {"key": "anna", "name": "Anna Smirnova"}],
        "sessions": [
            {"key": "rust", "kind": "talk", "title": "Rust in production", "starts_at": f"{at} 10:30",
             "ends_at": f"{at} 11:15", "room": "Main hall", "speakers": ["ivan"]},
            {"key": "ux", "kind": "talk", "title": "UX of bots", "starts_at": f"{at} 10:30",
             "ends_at": f"{at} 11:15", "room": "Room B", "speakers": ["anna"]},
            {"key": "coffee", "kind": "break", "title": "Coffee", "starts_at": f"{at} 11:15", "ends_at": f"{at} 11:30"},
        ]}})
    assert not report.errors, report.errors
    async with app.sessions() as s:
        return dict((await s.execute(select(Session.key, Session.id))).all())


async def joined(sandbox, name: str):
    user = sandbox.user(name)
    await user.send("/start demo")
    await user.expect(text="Главное меню")
    return user


async def open_card(user, d: dt.date, title: str) -> None:
    await user.send("/menu")
    await user.click("🗓 Программа")
    await user.click("По дням")
    await user.click(re.compile(d.strftime("%d.%m")))
    await user.click(re.compile(re.escape(title)))


async def bookmark(user, d: dt.date, title: str) -> None:
    await open_card(user, d, title)
    await user.click("🔖 В моё расписание")
    await user.expect(text="В вашем расписании")


async def make_speaker(app, user, key: str) -> None:
    async with app.transaction() as s:
        event = await people.event_by_slug(s, "demo")
        await s.execute(update(Speaker).where(Speaker.key == key).values(user_id=user.id))
        await people.set_role(s, event, user.id, Role.SPEAKER)


async def pending(app) -> dict[str, dt.datetime]:
    async with app.sessions() as s:
        jobs = await s.scalars(select(Job).where(Job.job == ratings.JOB, Job.state.in_(
            [JobState.SCHEDULED.value, JobState.CLAIMED.value])))
        return {job.key: job.due_at for job in jobs.all()}


def job_payload(event, session_id: int, d: dt.date) -> dict:
    """What the sync writes for a talk ending at 11:15 on ``d`` (asked at 11:20)."""
    return {"event_id": event.id, "session_id": session_id, "due_at": local(d, "11:20").astimezone(dt.UTC).isoformat()}


async def comes_due(sandbox, key: str) -> None:
    if key.startswith("periodic:"):  # the app's runner may not have armed its ticks yet
        await sandbox.app.services["job_runner"].prepare()
    # The start-up ticks first: a periodic sync that runs after the move would re-time the job back.
    await sandbox.run_jobs()
    async with sandbox.app.transaction() as s:
        assert await reschedule(s, key, utcnow()), f"no pending job {key}"
    await sandbox.run_jobs()
    await sandbox.drain_outbox()


async def prompts_queued(app) -> int:
    async with app.sessions() as s:
        return await s.scalar(select(func.count()).select_from(OutboxMessage)
                              .where(OutboxMessage.dedupe_key.startswith("questions:rate:")))


async def tap(sandbox, user, label: str) -> dict:
    """Press a button of the prompt; returns the callback's answer (the toast or alert)."""
    update_ = await user.click(label)
    return sandbox.emulator.world.callbacks[update_["callback_query"]["id"]].answer


async def test_bookmarkers_get_one_prompt_their_taps_count_and_organizer_and_speaker_see_the_average(sandbox):
    app = await start(sandbox)
    d = day()
    ids = await load_program(app, d)
    alice, bob, carol, dan = [await joined(sandbox, n) for n in ("Alice", "Bob", "Carol", "Dan")]
    ivan, anna = await joined(sandbox, "Ivan"), await joined(sandbox, "Anna")
    await make_speaker(app, ivan, "ivan")
    await make_speaker(app, anna, "anna")
    await bookmark(alice, d, "Rust in production")
    await bookmark(bob, d, "Rust in production")
    await bookmark(ivan, d, "Rust in production")  # the speaker is not asked to rate his own talk
    await bookmark(carol, d, "UX of bots")

    # The sync arms one prompt per talk at its end + 5 minutes; a break gets none
    await comes_due(sandbox, SYNC_KEY)
    jobs = await pending(app)
    assert jobs == {ratings.job_key(ids["rust"]): local(d, "11:20").astimezone(dt.UTC),
                    ratings.job_key(ids["ux"]): local(d, "11:20").astimezone(dt.UTC)}

    clock.use(clock.FixedClock(local(d, "11:21")))
    await comes_due(sandbox, ratings.job_key(ids["rust"]))
    for user in (alice, bob):
        prompt = await user.expect(text="Как вам доклад «Rust in production»?")
        assert "Ivan Petrov" in prompt["text"]
        assert [b["text"] for b in prompt["reply_markup"]["inline_keyboard"][0]] == ["1", "2", "3", "4", "5"]
    for user in (carol, dan, ivan, anna):
        await user.expect_nothing()
    # The same job again (a retry, a second tick): nobody is asked twice
    async with app.transaction() as s:
        event = await people.event_by_slug(s, "demo")
        await schedule(s, key=ratings.job_key(ids["rust"]), job=ratings.JOB, due_at=utcnow(),
                       payload=job_payload(event, ids["rust"], d))
    await sandbox.run_jobs()
    await sandbox.drain_outbox()
    await alice.expect_nothing()
    assert await prompts_queued(app) == 2

    # Taps: recorded, changed, repeated
    answer = await tap(sandbox, alice, "4")
    assert answer["text"] == "Спасибо! Ваша оценка: 4."
    await alice.expect(text="Ваша оценка: ★★★★☆ (4)")
    answer = await tap(sandbox, alice, "5")
    assert answer["text"] == "Оценка изменена: 5."
    await alice.expect(text="Ваша оценка: ★★★★★ (5)")
    answer = await tap(sandbox, alice, "✅ 5")
    assert answer["text"] == "Вы уже поставили 5. Чтобы изменить, нажмите другую цифру."
    await tap(sandbox, bob, "2")
    await comes_due(sandbox, ratings.job_key(ids["ux"]))
    await carol.expect(text="Как вам доклад «UX of bots»?")
    await tap(sandbox, carol, "1")
    async with app.sessions() as s:
        scores = dict((await s.execute(select(Rating.user_id, Rating.score))).all())
    assert scores == {alice.id: 5, bob.id: 2, carol.id: 1}

    # The organizer sees every talk's average and count
    olga = await sandbox.admin("Olga")
    await olga.send("/start demo")
    await olga.send("/admin")
    await olga.click("❔ Вопросы спикерам (модерация)")
    await olga.click("⭐ Оценки докладов")
    shown = await olga.expect(text="Оценки докладов")
    assert "«Rust in production» — ⭐ 3,5, 2 оценки из 2 приглашённых" in shown["text"]
    assert "«UX of bots» — ⭐ 1,0, 1 оценка из 1 приглашённого" in shown["text"]

    # The speaker sees his own talk's, from his questions and from the talk's card; not Anna's talk
    await ivan.send("/menu")
    await ivan.click("🎤 Вопросы ко мне")
    await ivan.click("⭐ Оценки докладов")
    shown = await ivan.expect(text="Оценки докладов")
    assert "«Rust in production» — ⭐ 3,5, 2 оценки из 2 приглашённых" in shown["text"]
    assert "UX of bots" not in shown["text"]
    await open_card(ivan, d, "Rust in production")
    await ivan.click("⭐ Оценки доклада")
    await ivan.expect(text="«Rust in production» — ⭐ 3,5, 2 оценки")
    # Anna, a speaker of another talk, is refused on this one
    await open_card(anna, d, "Rust in production")
    answer = await tap(sandbox, anna, "⭐ Оценки доклада")
    assert answer["show_alert"] and "организаторы и спикер этого доклада" in answer["text"]

    # A plain participant has no such button and a forged tap shows nothing
    await open_card(dan, d, "Rust in production")
    card = await dan.expect(text="Rust in production")
    assert not any("Оценки" in b["text"] for row in card["reply_markup"]["inline_keyboard"] for b in row)
    for data in (f"questions:rt:{ids['rust']}", "questions:rt:0"):
        forged = await sandbox.emulator.click(dan.id, card["message_id"], data, forged=True)
        await dan.settle()
        assert sandbox.emulator.world.callbacks[forged["callback_query"]["id"]].answer["show_alert"]
    assert "3,5" not in dan.transcript()
    # ...and cannot rate a talk he was not invited to
    forged = await sandbox.emulator.click(dan.id, card["message_id"], f"questions:rate:{ids['rust']}:5", forged=True)
    await dan.settle()
    assert "после доклада" in sandbox.emulator.world.callbacks[forged["callback_query"]["id"]].answer["text"]

    # After the rating closes (24 h after it was asked), a tap changes nothing and says so
    clock.use(clock.FixedClock(local(d, "11:20") + dt.timedelta(hours=24, minutes=1)))
    answer = await tap(sandbox, alice, "1")
    assert answer["show_alert"] and answer["text"] == "Оценки этого доклада уже закрыты, оценка не изменилась."
    closed = await alice.expect(text="Оценки этого доклада закрыты.")
    assert not (closed["reply_markup"] or {}).get("inline_keyboard")
    async with app.sessions() as s:
        assert await s.scalar(select(Rating.score).where(Rating.user_id == alice.id)) == 5


async def test_two_job_runners_and_a_restart_prompt_each_bookmarker_once(sandbox, db_backend, db_url):
    app = await start(sandbox)
    d = day()
    ids = await load_program(app, d)
    alice, bob, carol = [await joined(sandbox, n) for n in ("Alice", "Bob", "Carol")]
    async with app.transaction() as s:
        event = await people.event_by_slug(s, "demo")
        for user in (alice, bob):
            await schedule_service.toggle_bookmark(s, event, user.id, ids["rust"], now=utcnow())
    clock.use(clock.FixedClock(local(d, "11:21")))
    key = ratings.job_key(ids["rust"])
    payload = job_payload(event, ids["rust"], d)

    # Two processes (own connections on PostgreSQL) run the prompt at the same moment, as two
    # runners would if a claim were taken over while its first runner still ran...
    engines = [create_engine(db_url) for _ in range(2)] if db_backend == "postgres" else []
    factories = [session_factory(e) for e in engines] or [app.sessions, app.sessions]
    try:
        async def prompt(factory):
            async with transaction(factory) as s:
                await ratings.prompt_job(SimpleNamespace(app=app), s, payload)

        await asyncio.gather(*(prompt(f) for f in factories))
        # ...then the real job comes due with two more runners racing the app's own for it
        async with app.transaction() as s:
            await ratings.sync(app, s, ratings.now())
            assert await reschedule(s, key, utcnow())
        runners = [JobRunner(f, app.jobs, app=app, worker_id=f"extra-{n}") for n, f in enumerate(factories)]
        await asyncio.gather(*(r.run_until_idle() for r in runners), sandbox.run_jobs())
    finally:
        for engine in engines:
            await engine.dispose()
    async with app.sessions() as s:
        assert (await get_job(s, key)).state == JobState.DONE.value
    await sandbox.drain_outbox()
    for user in (alice, bob):
        await user.expect(text="Как вам доклад «Rust in production»?")
        await user.expect_nothing()
    await carol.expect_nothing()
    assert await prompts_queued(app) == 2

    # A restart on the same database, and the job comes due again (as after a crash before its
    # "done"): nobody is asked twice; the sync does not re-arm a prompt that went out
    await sandbox.stop()
    app = await start(sandbox)
    async with app.transaction() as s:
        await schedule(s, key=key, job=ratings.JOB, due_at=utcnow(), payload=payload)
    await sandbox.run_jobs()
    await comes_due(sandbox, SYNC_KEY)
    assert key not in await pending(app)
    await sandbox.drain_outbox()
    for user in (alice, bob, carol):
        await user.expect_nothing()
    assert await prompts_queued(app) == 2


async def test_with_ratings_off_nobody_is_asked(sandbox):
    app = await start(sandbox, questions={"ratings": False})
    d = day()
    ids = await load_program(app, d)
    alice = await joined(sandbox, "Alice")
    await bookmark(alice, d, "Rust in production")
    await comes_due(sandbox, SYNC_KEY)
    assert await pending(app) == {}
    clock.use(clock.FixedClock(local(d, "11:21")))
    async with app.transaction() as s:
        event = await people.event_by_slug(s, "demo")
        await ratings.prompt_job(SimpleNamespace(app=app), s, {"event_id": event.id, "session_id": ids["rust"]})
    await sandbox.drain_outbox()
    await alice.expect_nothing()
    assert await prompts_queued(app) == 0
    olga = await sandbox.admin("Olga")
    await olga.send("/start demo")
    await olga.send("/admin")
    await olga.click("❔ Вопросы спикерам (модерация)")
    await olga.expect(text="по числу голосов")
    assert "⭐ Оценки докладов" not in olga.buttons()


async def test_without_the_schedule_the_sync_does_nothing_and_no_ratings_are_offered(sandbox):
    app = await start(sandbox, plugins=("questions",))
    olga = await sandbox.admin("Olga")
    await comes_due(sandbox, SYNC_KEY)
    async with app.sessions() as s:
        tick = await get_job(s, SYNC_KEY)
    assert tick.state == JobState.SCHEDULED.value and tick.last_error is None
    await olga.send("/start demo")
    await olga.send("/admin")
    await olga.click("❔ Вопросы спикерам (модерация)")
    await olga.expect(text="по числу голосов")
    assert "⭐ Оценки докладов" not in olga.buttons()
