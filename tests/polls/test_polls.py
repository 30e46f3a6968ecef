"""Polls through the real bot and the emulator: the organizer's dialog and its validation, sending
through the outbox, voting (counts, double votes, changes, closed polls), anonymity in exports
and logs, formula-safe CSV, closing at the set time, and one vote per person under concurrency."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import logging
import re

from sqlalchemy import func, select

from core import people
from core.db import utcnow
from core.jobs.models import Job
from plugins.polls import service
from plugins.polls.models import Poll, PollVote

EVENTS = {"demo": {"title": "Demo", "timezone": "Europe/Moscow", "language": "ru", "signup": {"enabled": False}}}


async def start(sandbox, plugins=("polls",)):
    return await sandbox.start(plugins=list(plugins), events=EVENTS, poll=True)


async def joined(sandbox, *names):
    users = []
    for name in names:
        user = sandbox.user(name)
        await user.send("/start demo")
        await user.expect(text="Главное меню")
        users.append(user)
    return users


async def open_polls(olga):
    await olga.send("/start demo")
    await olga.click("Панель организатора")
    await olga.click("Опросы и голосования")


async def draft(olga, question: str, options: list[str], toggles=()):
    await open_polls(olga)
    await olga.click("Создать опрос")
    await olga.send(question)
    await olga.expect(text="варианты ответа")
    await olga.send("\n".join(options))
    await olga.expect(text="Настройте")
    for label in toggles:
        await olga.click(label)
    await olga.click("Предпросмотр")
    await olga.expect(text="Кому отправить?")


async def send_poll(sandbox, olga, question, options, toggles=()):
    await draft(olga, question, options, toggles)
    await olga.click("Отправить: всем участникам")
    await olga.expect(text="Опрос поставлен в очередь")
    await sandbox.drain_outbox()


async def only_poll(app) -> Poll:
    async with app.sessions() as s:
        return (await s.scalars(select(Poll))).one()


async def counts(app, poll_id) -> list[tuple[str, int]]:
    async with app.sessions() as s:
        return (await service.results(s, await s.get(Poll, poll_id))).counts


async def tap_all(sandbox, pairs):
    """Every (user, message, callback data) at once, as fast as clients would send them."""
    await asyncio.gather(*(sandbox.emulator.click(u.id, m["message_id"], data, token=sandbox.token)
                           for u, m, data in pairs))
    await sandbox.settle()


async def test_fifty_participants_vote_and_the_counts_are_right(sandbox):
    app = await start(sandbox)
    users = await joined(sandbox, *[f"P{i}" for i in range(50)])
    olga = await sandbox.admin("Olga")
    await send_poll(sandbox, olga, "Какой доклад лучший?", ["Первый", "Второй", "Третий"])
    poll = await only_poll(app)
    ballots = [await u.expect(text="Какой доклад лучший?") for u in users]
    # 20 for the first, 20 for the second, 10 for the third; each user taps their option twice
    picks = [0] * 20 + [1] * 20 + [2] * 10
    pairs = [(u, b, f"polls:v:{poll.id}:{p}") for u, b, p in zip(users, ballots, picks)]
    await tap_all(sandbox, pairs + pairs)
    assert await counts(app, poll.id) == [("Первый", 20), ("Второй", 20), ("Третий", 10)]
    async with app.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(PollVote)) == 50
    # voters see the counts after voting
    await users[0].expect(text=re.compile(r"Первый: 20"))
    # the organizer's view shows the totals too
    await olga.click("Результаты")
    await olga.expect(text=re.compile(r"Проголосовали: 50"))


async def test_a_changed_vote_moves_the_count_and_a_closed_poll_refuses(sandbox):
    app = await start(sandbox)
    alice, bob = await joined(sandbox, "Alice", "Bob")
    olga = await sandbox.admin("Olga")
    await send_poll(sandbox, olga, "Обед в 13:00 или в 14:00?", ["13:00", "14:00"])
    poll = await only_poll(app)
    await alice.expect(text="Обед в 13:00")
    await alice.click("13:00")
    await alice.expect(text="Ваш голос учтён")
    assert await counts(app, poll.id) == [("13:00", 1), ("14:00", 0)]
    await alice.click("14:00")
    await alice.expect(text=re.compile(r"14:00: 1"))
    assert await counts(app, poll.id) == [("13:00", 0), ("14:00", 1)]
    ballot = await bob.expect(text="Обед в 13:00")

    await olga.click("Результаты")
    await olga.click("Закрыть опрос")
    await olga.expect(text="Опрос закрыт, итоги окончательные")
    update = await sandbox.emulator.click(bob.id, ballot["message_id"], f"polls:v:{poll.id}:0", token=sandbox.token)
    await sandbox.settle()
    answers = [r.params.get("text") for r in sandbox.emulator.requests_for("answerCallbackQuery")
               if r.params.get("callback_query_id") == update["callback_query"]["id"]]
    assert answers == ["Опрос закрыт: голосовать уже нельзя."]
    assert await counts(app, poll.id) == [("13:00", 0), ("14:00", 1)]
    # the results go to... the poll's audience (anonymous by default) when it closes
    await sandbox.drain_outbox()
    await bob.expect(text="Итоги опроса")


async def test_a_poll_that_does_not_allow_changes_keeps_the_first_vote(sandbox):
    app = await start(sandbox)
    (alice,) = await joined(sandbox, "Alice")
    olga = await sandbox.admin("Olga")
    await send_poll(sandbox, olga, "Чай или кофе?", ["Чай", "Кофе"], toggles=["Можно изменить голос"])
    poll = await only_poll(app)
    await alice.expect(text="Чай или кофе?")
    await alice.click("Чай")
    await alice.click("Кофе")
    assert await counts(app, poll.id) == [("Чай", 1), ("Кофе", 0)]


async def test_every_bad_organizer_input_is_explained(sandbox):
    app = await start(sandbox)
    olga = await sandbox.admin("Olga")
    await open_polls(olga)
    await olga.click("Создать опрос")
    await olga.send("В" * 5000)
    await olga.expect(text=re.compile(r"Вопрос слишком длинный: 5\s?000 символов, можно до 300"))
    await olga.send("Куда идём вечером?")
    await olga.send("Бар\n\nКино")
    await olga.expect(text="Вариант 2 пустой")
    await olga.send("Бар\nКино\nбар")
    await olga.expect(text="Вариант «бар» повторяется (строки 1 и 3)")
    await olga.send("\n".join(f"Вариант {i}" for i in range(1, 12)))
    await olga.expect(text="Вариантов 11, можно не больше 10")
    await olga.send("Только бар")
    await olga.expect(text="Вариантов 1, нужно хотя бы 2")
    await olga.send("Бар\nКино")
    await olga.expect(text="Настройте")
    await olga.click("Время закрытия")
    await olga.send("01.01.2020 10:00")
    await olga.expect(text="Это время уже прошло")
    await olga.send("завтра")
    await olga.expect(text="Не понял время")
    async with app.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Poll)) == 0


async def test_an_anonymous_poll_names_nobody_in_export_or_logs_and_csv_is_formula_safe(sandbox, caplog):
    caplog.set_level(logging.INFO)  # the product's level (at DEBUG aiosqlite logs every statement's parameters)
    app = await start(sandbox)
    alice, bob = await joined(sandbox, "Alice", "Bob")
    olga = await sandbox.admin("Olga")
    await send_poll(sandbox, olga, "=HYPERLINK(\"x\")", ["=1+1", "@SUM(A1)"])
    poll = await only_poll(app)
    assert poll.anonymous
    for user in (alice, bob):
        await user.expect(text="HYPERLINK")
        await user.click("=1+1")
    await olga.click("Результаты")
    await olga.click("Выгрузить CSV")
    doc = await olga.expect(text="Результаты опроса (CSV)")
    data = sandbox.emulator.world.files[doc["document"]["file_id"]].data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data)))
    assert ["'=1+1", "2"] in rows and ["'@SUM(A1)", "0"] in rows
    assert rows[0] == ["question", "'=HYPERLINK(\"x\")"]
    ids = {str(alice.id), str(bob.id)}
    assert not any(i in data for i in ids)
    async with app.sessions() as s:
        stored = (await s.execute(select(PollVote.voter, PollVote.user_id))).all()
    assert all(user_id is None and voter not in ids for voter, user_id in stored)
    leaked = [r.getMessage() for r in caplog.records if any(i in r.getMessage() for i in ids)]
    assert leaked == []


async def test_a_named_poll_exports_who_voted_what(sandbox):
    app = await start(sandbox)
    (alice,) = await joined(sandbox, "Alice")
    olga = await sandbox.admin("Olga")
    await send_poll(sandbox, olga, "Придёте на афтепати?", ["Да", "Нет"], toggles=["Анонимный"])
    await alice.expect(text="Придёте на афтепати?")
    await alice.click("Да")
    poll = await only_poll(app)
    async with app.transaction() as s:
        event = await people.event_by_slug(s, "demo")
        data = await service.export_csv(app, s, event, service.SYSTEM, poll.id)
    assert f"{alice.id},Alice" in data and ",Да," in data


async def test_a_poll_closes_at_its_time_and_refuses_later_votes(sandbox):
    app = await start(sandbox)
    (alice,) = await joined(sandbox, "Alice")
    olga = await sandbox.admin("Olga")
    await open_polls(olga)
    await olga.click("Создать опрос")
    await olga.send("Нужен ли перерыв?")
    await olga.send("Да\nНет")
    await olga.click("Время закрытия")
    await olga.send("31.12.2099 23:00")
    await olga.expect(text="Закрытие: 31.12.2099 23:00")
    await olga.click("Предпросмотр")
    await olga.click("Отправить: всем участникам")
    await sandbox.drain_outbox()
    poll = await only_poll(app)
    ballot = await alice.expect(text="Нужен ли перерыв?")
    async with app.transaction() as s:  # the clock moves on: the close job is due now
        job = await s.scalar(select(Job).where(Job.key == f"polls:close:{poll.id}"))
        job.due_at = utcnow() - dt.timedelta(seconds=1)
        (await s.get(Poll, poll.id)).closes_at = utcnow() + dt.timedelta(hours=1)
    await sandbox.run_jobs()
    async with app.sessions() as s:
        job = await s.scalar(select(Job).where(Job.key == f"polls:close:{poll.id}"))
        assert job.state == "done", (job.state, job.last_error)
    assert (await only_poll(app)).closed_at is not None
    await sandbox.emulator.click(alice.id, ballot["message_id"], f"polls:v:{poll.id}:0", token=sandbox.token)
    await sandbox.settle()
    assert await counts(app, poll.id) == [("Да", 0), ("Нет", 0)]


async def test_one_vote_per_person_is_kept_by_the_database_under_concurrency(sandbox):
    """Many simultaneous taps of one person, each in its own transaction: one row."""
    app = await start(sandbox)
    (alice,) = await joined(sandbox, "Alice")
    async with app.transaction() as s:
        event = await people.event_by_slug(s, "demo")
        draft_ = service.Draft(question="Q?", options=["A", "B"], changeable=False)
        poll, _ = await service.create(app, s, event, service.SYSTEM, draft_, audience=None)

    async def tap(position):
        async with app.transaction() as s:
            return (await service.vote(app, s, event, alice.id, poll.id, position)).status

    statuses = await asyncio.gather(*(tap(i % 2) for i in range(12)))
    assert statuses.count("voted") == 1, statuses
    async with app.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(PollVote)) == 1


async def test_forgetting_a_member_keeps_their_vote_counted_without_their_name(sandbox):
    import plugins.polls as polls_plugin

    app = await start(sandbox)
    (alice,) = await joined(sandbox, "Alice")
    async with app.transaction() as s:
        event = await people.event_by_slug(s, "demo")
        named = service.Draft(question="Q?", options=["A", "B", "C"], anonymous=False, multiple=True)
        poll, _ = await service.create(app, s, event, service.SYSTEM, named, audience=None)
    for position in (0, 2):
        async with app.transaction() as s:
            assert (await service.vote(app, s, event, alice.id, poll.id, position)).status == "voted"
    async with app.transaction() as s:
        member = await people.get_member(s, event.id, alice.id)
        await polls_plugin.forget_member(app, s, event, member)
    async with app.transaction() as s:
        data = await service.export_csv(app, s, event, service.SYSTEM, poll.id)
        result = await service.results(s, await s.get(Poll, poll.id))
    assert str(alice.id) not in data and "Alice" not in data
    assert result.voters == 1 and [c for _, c in result.counts] == [1, 0, 1]


async def test_a_poll_sent_to_a_workshops_attendees_reaches_only_them(sandbox):
    """The groups other plugins offer to news (workshops: "booked for X") are offered for polls too."""
    from ws_helpers import add_workshop

    from plugins.workshops import booking

    app = await start(sandbox, plugins=("polls", "workshops", "news"))
    alice, bob = await joined(sandbox, "Alice", "Bob")
    workshop = await add_workshop(app, title="Soldering")
    async with app.transaction() as s:
        event = await people.event_by_slug(s, "demo")
        await booking.book(app, s, event, alice.id, workshop.id)
    olga = await sandbox.admin("Olga")
    await draft(olga, "Понравился мастер-класс?", ["Да", "Нет"])
    await olga.click(re.compile(r"Soldering.*\(1 человек\)"))
    await olga.expect(text="Опрос поставлен в очередь для 1 человека. Результаты обновляются сами.")
    await sandbox.drain_outbox()
    await alice.expect(text="Понравился мастер-класс?")
    assert "Понравился мастер-класс?" not in bob.transcript()
