"""The helpdesk through the real bot, the outbox and the emulator: a participant's question reaches
the organizers (bound group, forum topic, or private chats), an organizer's reply reaches the
participant; nobody else can answer or be reached."""

from __future__ import annotations

from sqlalchemy import select

from plugins.admin_chat.models import AdminChatMessage, AdminChatTicket
from ac_helpers import ask, bound_group, organizer, participant, png, start


async def tickets(app):
    async with app.sessions() as s:
        return (await s.scalars(select(AdminChatTicket).order_by(AdminChatTicket.id))).all()


async def messages(app, ticket_id):
    async with app.sessions() as s:
        return (await s.scalars(select(AdminChatMessage).where(AdminChatMessage.ticket_id == ticket_id)
                                .order_by(AdminChatMessage.id))).all()


async def test_question_reaches_the_group_and_the_reply_reaches_the_participant(sandbox):
    app = await start(sandbox)
    olga = await organizer(sandbox, "Olga")
    anna = await participant(sandbox, "Anna")
    _, olga_g = await bound_group(sandbox, olga)

    await ask(anna, "Где парковка?")
    await sandbox.drain_outbox()
    relayed = await olga_g.expect(text="Где парковка?")
    assert "Обращение №1" in relayed["text"] and "Anna" in relayed["text"]
    await olga.expect_nothing()  # with a group bound, nothing goes to private chats

    await olga_g.send("У входа B, бесплатно", reply_to=relayed["message_id"])
    await olga_g.expect(text="Ответ по №1 отправлен")
    await sandbox.drain_outbox()
    got = await anna.expect(text="У входа B, бесплатно")
    assert "Ответ организаторов" in got["text"] and "Olga" not in got["text"]  # never the organizer's account

    [ticket] = await tickets(app)
    assert ticket.status == "answered" and ticket.answered_by == olga.id and ticket.answered_at is not None


async def test_no_group_each_organizer_gets_it_in_private_and_sees_it_was_taken(sandbox):
    await start(sandbox)
    olga = await organizer(sandbox, "Olga")
    ivan = await organizer(sandbox, "Ivan")
    anna = await participant(sandbox, "Anna")

    await anna.send("Можно прийти с ребёнком?")  # free text, no dialog open: a ticket
    await anna.expect(text="Обращение №1 передано")
    await sandbox.drain_outbox()
    for org in (olga, ivan):
        await org.expect(text="Можно прийти с ребёнком?")

    await olga.click("Ответить")
    prompt = await olga.expect(text="ответом на это сообщение")
    await olga.send("Да, конечно", reply_to=prompt["message_id"])
    await olga.expect(text="Ответ по №1 отправлен")
    await sandbox.drain_outbox()
    await anna.expect(text="Да, конечно")
    note = await ivan.expect(text="ответил")
    assert "Olga" in note["text"] and "Да, конечно" in note["text"]

    # The participant writes back into the same ticket; the organizers see it as #1 again.
    await anna.click("Ответить")
    await anna.send("Спасибо! А коляску?")
    await anna.expect(text="Добавил к обращению №1")
    await sandbox.drain_outbox()
    await ivan.expect(text="Спасибо! А коляску?")


async def test_forum_group_gets_a_topic_per_ticket_and_answers_in_the_topic(sandbox):
    app = await start(sandbox)
    olga = await organizer(sandbox, "Olga")
    anna = await participant(sandbox, "Anna")
    chat, olga_g = await bound_group(sandbox, olga, forum=True)

    await ask(anna, "Есть ли гардероб?")
    await sandbox.run_jobs()  # the tick creates the topic and sends the question there
    await sandbox.drain_outbox()
    relayed = await olga_g.expect(text="Есть ли гардероб?")
    topics = sandbox.emulator.topics(chat["id"])
    assert list(topics) == [relayed["thread_id"]] and "#1" in topics[relayed["thread_id"]]["name"]

    await olga_g.send("Да, на первом этаже", thread_id=relayed["thread_id"])  # just writing in the topic
    await olga_g.expect(text="Ответ по №1 отправлен")
    await sandbox.drain_outbox()
    await anna.expect(text="Да, на первом этаже")
    [ticket] = await tickets(app)
    assert ticket.topic_id == relayed["thread_id"]


async def test_a_non_organizer_in_the_group_is_ignored(sandbox):
    app = await start(sandbox)
    olga = await organizer(sandbox, "Olga")
    anna = await participant(sandbox, "Anna")
    boris = await participant(sandbox, "Boris")
    chat, olga_g = await bound_group(sandbox, olga, boris)
    boris_g = boris.in_chat(chat["id"])

    await ask(anna, "Во сколько начало?")
    await sandbox.drain_outbox()
    relayed = await olga_g.expect(text="Во сколько начало?")
    await boris_g.send("Никогда, ха-ха", reply_to=relayed["message_id"])
    await boris_g.send("/bind")
    await boris_g.expect_nothing()
    await sandbox.drain_outbox()
    await anna.expect_nothing()
    [ticket] = await tickets(app)
    assert ticket.status == "open" and [m.direction for m in await messages(app, ticket.id)] == ["in"]


async def test_a_removed_organizer_loses_access_at_once(sandbox):
    from core import people
    from core.models import Role

    app = await start(sandbox)
    olga = await organizer(sandbox, "Olga")
    ivan = await organizer(sandbox, "Ivan")
    anna = await participant(sandbox, "Anna")
    chat, olga_g = await bound_group(sandbox, olga, ivan)
    ivan_g = ivan.in_chat(chat["id"])
    await ask(anna, "Где кофе?")
    await sandbox.drain_outbox()
    relayed = await ivan_g.expect(text="Где кофе?")

    async with app.transaction() as session:
        event = await people.event_by_slug(session, "demo")
        await people.set_role(session, event, ivan.id, Role.PARTICIPANT)
    await ivan_g.send("На втором этаже", reply_to=relayed["message_id"])
    await ivan_g.expect_nothing()
    await sandbox.drain_outbox()
    await anna.expect_nothing()
    [ticket] = await tickets(app)
    assert [m.direction for m in await messages(app, ticket.id)] == ["in"]


async def test_two_organizers_answering_one_ticket_are_both_recorded_in_order(sandbox):
    app = await start(sandbox)
    olga = await organizer(sandbox, "Olga")
    ivan = await organizer(sandbox, "Ivan")
    anna = await participant(sandbox, "Anna")
    chat, olga_g = await bound_group(sandbox, olga, ivan)
    ivan_g = ivan.in_chat(chat["id"])
    await ask(anna, "Будет ли запись?")
    await sandbox.drain_outbox()
    relayed = await olga_g.expect(text="Будет ли запись?")

    await olga_g.send("Да, через неделю", reply_to=relayed["message_id"])
    await ivan_g.send("И слайды тоже", reply_to=relayed["message_id"])
    await sandbox.drain_outbox()
    await anna.expect(text="И слайды тоже")
    answers = [m["text"] for m in anna.messages() if "Ответ организаторов" in (m["text"] or "")]
    assert [a.split("\n\n", 1)[1] for a in answers] == ["Да, через неделю", "И слайды тоже"]
    [ticket] = await tickets(app)
    recorded = [(m.direction, m.author_id, m.text) for m in await messages(app, ticket.id)]
    assert recorded == [("in", anna.id, "Будет ли запись?"), ("out", olga.id, "Да, через неделю"),
                        ("out", ivan.id, "И слайды тоже")]
    assert ticket.answered_by == olga.id


async def test_photos_and_documents_pass_through_both_ways(sandbox):
    app = await start(sandbox)
    olga = await organizer(sandbox, "Olga")
    anna = await participant(sandbox, "Anna")
    _, olga_g = await bound_group(sandbox, olga)

    await anna.click("Вопрос организаторам")
    await anna.send_photo(png(), caption="Это мой билет?")
    await anna.expect(text="передано организаторам")
    await sandbox.drain_outbox()
    relayed = await olga_g.expect(text="Это мой билет?")
    assert relayed["photo_file_id"]

    await sandbox.emulator.send_document(olga.id, b"%PDF-1.4 plan", "plan.pdf", "application/pdf", "План зала",
                                         chat_id=olga_g.chat_id)
    await sandbox.settle()
    # A document that is not a reply to a ticket is organizers' talk: nothing happens.
    await sandbox.drain_outbox()
    await anna.expect_nothing()
    [ticket] = await tickets(app)
    assert [m.media_kind for m in await messages(app, ticket.id)] == ["photo"]


async def test_a_participant_cannot_write_into_someone_elses_ticket(sandbox):
    from core import people
    from core.models import User
    from plugins.admin_chat import service

    app = await start(sandbox)
    await organizer(sandbox, "Olga")
    anna = await participant(sandbox, "Anna")
    boris = await participant(sandbox, "Boris")
    await ask(anna, "Личный вопрос")
    async with app.transaction() as session:
        event = await people.event_by_slug(session, "demo")
        member = await people.get_member(session, event.id, boris.id)
        user = await session.get(User, boris.id)
        try:  # Boris forges the "write back" button of Anna's ticket
            await service.ask(app, session, event, member, user, text="привет", ticket_id=1)
        except service.HelpdeskError as exc:
            assert exc.key == "admin_chat-no-ticket"
        else:
            raise AssertionError("Boris wrote into Anna's ticket")
    assert [m.author_id for m in await messages(app, 1)] == [anna.id]


async def test_questions_waiting_for_a_removed_organizer_are_not_shown_to_them(sandbox):
    import datetime as dt

    from sqlalchemy import update

    from core import people
    from core.db import utcnow
    from core.delivery import enqueue
    from core.delivery.models import OutboxMessage
    from core.models import Role
    from plugins.admin_chat.models import AdminChatSlot

    app = await start(sandbox)
    olga = await organizer(sandbox, "Olga")
    ivan = await organizer(sandbox, "Ivan")
    anna = await participant(sandbox, "Anna")
    boris = await participant(sandbox, "Boris")
    await ask(anna, "Первый вопрос")
    await sandbox.drain_outbox()
    await ivan.expect(text="Первый вопрос")
    async with app.transaction() as session:
        # A relay message to Ivan waiting for its turn (due in an hour), holding his slot.
        event = await people.event_by_slug(session, "demo")
        held = await enqueue(session, chat_id=ivan.id, text="…", kind="admin_chat:relay", event_id=event.id,
                             payload={"ticket": None, "event": event.id}, not_before=utcnow() + dt.timedelta(hours=1))
        await session.execute(update(AdminChatSlot).where(AdminChatSlot.chat_id == ivan.id)
                              .values(busy=True, relay_id=held.id))
    await ask(boris, "Второй вопрос")  # gathers for Ivan's next turn
    async with app.transaction() as session:  # the CLI's way (`organizer admin remove`), not the panel's
        await people.set_role(session, event, ivan.id, Role.PARTICIPANT)
        await session.execute(update(OutboxMessage).where(OutboxMessage.id == held.id).values(not_before=utcnow()))
    await sandbox.drain_outbox()  # the held message goes, then Ivan's turn comes: nothing for him now
    await olga.expect(text="Второй вопрос")
    texts = [m["text"] or "" for m in ivan.messages()]
    assert not any("Второй вопрос" in t for t in texts), texts


async def test_a_question_the_faq_could_not_answer_becomes_a_ticket_in_one_tap(sandbox):
    import plugins.admin_chat as plugin
    from core import people

    app = await start(sandbox)
    await organizer(sandbox, "Olga")
    anna = await participant(sandbox, "Anna")
    async with app.transaction() as session:
        event = await people.event_by_slug(session, "demo")
        member = await people.get_member(session, event.id, anna.id)
        [(label, data)] = await plugin.faq_unanswered(app=app, session=session, event=event, member=member,
                                                      question="Где <сдать> куртку?", tr=app.translator("ru"))
    assert label == "❓ Спросить организаторов" and data.startswith("admin_chat:draft:")
    # The button lives under the FAQ's "nothing found" message; put it under a bot message and press it.
    bot = anna.last_message()
    sandbox.emulator.world.get_message(anna.id, bot["message_id"]).message["reply_markup"] = {
        "inline_keyboard": [[{"text": label, "callback_data": data}]]}
    await sandbox.emulator.click(anna.id, bot["message_id"], data)
    await sandbox.settle()
    await anna.expect(text="Обращение №1 передано")
    [ticket] = await tickets(app)
    assert [m.text for m in await messages(app, ticket.id)] == ["Где &lt;сдать&gt; куртку?"]
    await sandbox.emulator.click(anna.id, bot["message_id"], data)  # a second tap: the draft is gone
    await sandbox.settle()
    assert len(await tickets(app)) == 1
