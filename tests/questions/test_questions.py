"""Questions to speakers through the real bot: asking (named or anonymous), pre-moderation on and
off, upvotes (one each, withdrawable, never one's own), the speaker's list sorted by votes, the
asker told when answered, hiding; one upvote per person under concurrency on both databases."""

from __future__ import annotations

import asyncio
import re

from sqlalchemy import func, select

from core import people
from core.models import Role
from plugins.questions import service
from plugins.questions.models import Question, QuestionVote


def events(moderation=False):
    return {"demo": {"title": "Demo", "timezone": "Europe/Moscow", "language": "ru", "signup": {"enabled": False},
                     "plugins": {"questions": {"moderation": moderation}}}}


async def joined(sandbox, *names):
    users = []
    for name in names:
        user = sandbox.user(name)
        await user.send("/start demo")
        await user.expect(text="Главное меню")
        users.append(user)
    return users


async def ask(user, text, anonymous=False):
    await user.send("/start demo")
    await user.click("Вопросы спикерам")
    await user.click("Задать вопрос")
    await user.send(text)
    await user.click("Анонимно" if anonymous else "От своего имени")


async def open_list(user):
    await user.send("/start demo")
    await user.click("Вопросы спикерам")
    return await user.expect(text="Вопросы спикерам")


async def test_upvotes_order_the_speakers_list_and_the_asker_is_told_when_answered(sandbox):
    app = await sandbox.start(plugins=["questions"], events=events(), poll=True)
    alice, bob, carol, dan = await joined(sandbox, "Alice", "Bob", "Carol", "Dan")
    await ask(alice, "Как масштабировать базу?")
    await alice.expect(text="Вопрос опубликован")
    await ask(bob, "Где взять слайды?", anonymous=True)
    await bob.expect(text="Вопрос опубликован")

    shown = await open_list(carol)
    assert "1. Как масштабировать базу? — 👍 0 (Alice)" in shown["text"]
    assert "2. Где взять слайды? — 👍 0 (анонимно)" in shown["text"]
    await carol.click("👍 2")
    await carol.expect(text=re.compile(r"1\. Где взять слайды\? — 👍 1"))
    await open_list(dan)
    await dan.click("👍 1")  # Bob's question, now first
    await dan.expect(text=re.compile(r"1\. Где взять слайды\? — 👍 2"))
    await dan.click("✅ 1")  # withdraw
    await dan.expect(text=re.compile(r"1\. Где взять слайды\? — 👍 1"))
    await open_list(bob)
    await bob.click("👍 1")  # his own question
    async with app.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(QuestionVote)) == 1

    # The speaker sees them sorted by votes and marks Alice's answered; Alice is told once
    speaker = sandbox.user("Sveta")
    await speaker.send("/start demo")
    async with app.transaction() as s:
        await people.set_role(s, await people.event_by_slug(s, "demo"), speaker.id, Role.SPEAKER)
    await speaker.send("/start demo")
    await speaker.click("Вопросы ко мне")
    queue = await speaker.expect(text="по числу голосов")
    assert queue["text"].index("Где взять слайды?") < queue["text"].index("Как масштабировать базу?")
    await speaker.click("✅ Отвечен 2")
    await speaker.expect(text=re.compile(r"Как масштабировать базу\? — 👍 0, ✅ отвечен"))
    await speaker.click("🙈 Скрыть 1")
    await sandbox.drain_outbox()
    await alice.expect(text="На ваш вопрос ответили: «Как масштабировать базу?»")
    assert "На ваш вопрос ответили" not in bob.transcript()
    shown = await open_list(carol)
    assert "Где взять слайды?" not in shown["text"]  # hidden


async def test_with_pre_moderation_a_question_waits_for_an_organizer(sandbox):
    app = await sandbox.start(plugins=["questions"], events=events(moderation=True), poll=True)
    alice, bob = await joined(sandbox, "Alice", "Bob")
    await ask(alice, "Будет ли запись?")
    await alice.expect(text="появится в списке после проверки")
    shown = await open_list(bob)
    assert "Будет ли запись?" not in shown["text"]
    # a participant cannot publish it, in the handler or in the service
    async with app.transaction() as s:
        event = await people.event_by_slug(s, "demo")
        member = await people.get_member(s, event.id, bob.id)
        question = await s.scalar(select(Question))
        try:
            await service.publish(app, s, event, member, question.id)
            raise AssertionError("a participant published a question")
        except service.NotAllowed:
            pass
    olga = await sandbox.admin("Olga")
    await olga.send("/start demo")
    await olga.click("Панель организатора")
    await olga.click("Вопросы спикерам (модерация)")
    await olga.expect(text=re.compile(r"Будет ли запись\? — 👍 0, ⏳ на модерации"))
    await olga.click("👍 Опубликовать 1")
    shown = await open_list(bob)
    assert "Будет ли запись?" in shown["text"]


async def test_bad_questions_are_explained(sandbox):
    app = await sandbox.start(plugins=["questions"], events=events(), poll=True)
    (alice,) = await joined(sandbox, "Alice")
    await alice.click("Вопросы спикерам")
    await alice.click("Задать вопрос")
    await alice.send("В" * 1500)
    await alice.expect(text=re.compile(r"Вопрос слишком длинный: 1\s?500 символов, можно до 1\s?000"))
    async with app.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Question)) == 0


async def test_one_upvote_per_person_under_concurrency(sandbox):
    app = await sandbox.start(plugins=["questions"], events=events(), poll=True)
    alice, bob = await joined(sandbox, "Alice", "Bob")
    async with app.transaction() as s:
        event = await people.event_by_slug(s, "demo")
        member = await people.get_member(s, event.id, alice.id)
        question = await service.ask(app, s, event, member, "Вопрос?")

    async def tap():
        async with app.transaction() as s:
            return await service.toggle_upvote(s, event, bob.id, question.id)

    await asyncio.gather(*(tap() for _ in range(8)))
    async with app.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(QuestionVote)) <= 1


async def test_forgetting_a_member_keeps_their_question_without_their_name(sandbox):
    import plugins.questions as questions_plugin

    app = await sandbox.start(plugins=["questions"], events=events(), poll=True)
    alice, bob = await joined(sandbox, "Alice", "Bob")
    async with app.transaction() as s:
        event = await people.event_by_slug(s, "demo")
        question = await service.ask(app, s, event, await people.get_member(s, event.id, alice.id), "Вопрос?")
        await service.toggle_upvote(s, event, bob.id, question.id)
    async with app.transaction() as s:
        await questions_plugin.forget_member(app, s, event, await people.get_member(s, event.id, alice.id))
        await questions_plugin.forget_member(app, s, event, await people.get_member(s, event.id, bob.id))
    async with app.sessions() as s:
        kept = await s.get(Question, question.id)
        assert kept.asker_id is None and kept.asker_name == "" and kept.text == "Вопрос?"
        assert await s.scalar(select(func.count()).select_from(QuestionVote)) == 0
