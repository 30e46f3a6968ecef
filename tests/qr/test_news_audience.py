"""News to the people who have not come in yet: offered by the qr plugin through the news plugin's
optional hooks, read when the news is sent."""

from __future__ import annotations

from sqlalchemy import select

from core.delivery.models import OutboxMessage
from desk import EVENTS, checker, joined, pass_png
from photos import phone_photo


async def test_news_reaches_only_those_not_checked_in_yet(sandbox):
    app = await sandbox.start(plugins=["qr", "news"], events=EVENTS, poll=True)
    alice, bob, carol = await joined(sandbox, "Alice", "Bob", "Carol")
    kate = await checker(sandbox)
    alice_png, _ = await pass_png(sandbox, alice)
    await kate.send_photo(phone_photo(alice_png, angle=90))
    await kate.expect(text="✅ Alice")

    olga = await sandbox.admin("Olga")
    await olga.send("/start demo")
    await olga.click("Панель организатора")
    await olga.click("Новости и рассылки")
    await olga.click("Написать новость")
    await olga.send("Регистрация закрывается в 10:00")
    await olga.expect(text="Кому отправить?")
    # Bob, Carol, Kate (a checker is a member too) and Olga have not come in; Alice has.
    assert "Ещё не пришли на мероприятие · 4" in olga.buttons(), olga.buttons()
    await olga.click("Ещё не пришли на мероприятие")
    await olga.expect(text="Отправить новость: Ещё не пришли на мероприятие — 4 человека?")
    await olga.click("Отправить (4 людям)")
    await olga.expect(text="Новость поставлена в очередь для 4 человек.")
    async with app.sessions() as s:
        chats = set((await s.scalars(select(OutboxMessage.chat_id))).all())
    assert alice.id not in chats and {bob.id, carol.id} <= chats
    await sandbox.drain_outbox()
    await bob.expect(text="Регистрация закрывается в 10:00")
    await alice.expect_nothing()
