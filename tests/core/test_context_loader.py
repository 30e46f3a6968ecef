"""Updates that arrive together read their users' contexts in one query, and each still gets
its own person's context (language, event, role)."""

import sqlalchemy as sa

from core import people
from core.models import Role, User


async def _members(app, emulator, n: int) -> list[dict]:
    """``n`` people who joined the demo event earlier; every second one chose English in the
    cabinet (their Telegram says Russian), so a reply shows whose context it was built from."""
    users = [emulator.add_user(f"P{i}", language_code="ru") for i in range(n)]
    async with app.transaction() as session:
        event = await people.event_by_slug(session, "demo")
        for i, u in enumerate(users):
            user = await people.upsert_user(session, people.TelegramProfile(u["id"], u["first_name"],
                                                                           language_code="ru"))
            user.language = "en" if i % 2 else "ru"
            await people.join_event(session, user, event, app.settings)
        await people.set_role(session, event, users[0]["id"], Role.ADMIN)
    app.context_cache.clear()
    return users


def _last_text(emulator, chat_id: int) -> str:
    sent = [m for m in emulator.chat_messages(chat_id) if m["from_bot"]]
    return sent[-1]["text"] if sent else ""


async def test_updates_that_arrive_together_read_their_contexts_in_one_query(sandbox):
    app = await sandbox.start(plugins=["faq"], poll=False)
    emulator = sandbox.emulator
    users = await _members(app, emulator, 12)
    reads: list[str] = []
    sa.event.listen(app.engine.sync_engine, "before_cursor_execute",
                    lambda _c, _cur, statement, *_a: reads.append(statement)
                    if statement.lstrip().startswith("SELECT core_users") else None)
    for u in users:  # all waiting when the bot polls: one getUpdates answer
        await emulator.send_text(u["id"], "/menu")
    sandbox.start_polling()
    await sandbox.settle()

    for i, u in enumerate(users):
        assert ("Main menu" if i % 2 else "Главное меню") in _last_text(emulator, u["id"]), i
    assert len(reads) == 1, reads  # not one read per update
    # Each got their own membership: the organizer alone sees the organizer panel.
    buttons = {u["id"]: str(emulator.chat_messages(u["id"])[-1].get("reply_markup")) for u in users}
    assert "Панель организатора" in buttons[users[0]["id"]]
    assert not any("Панель организатора" in b or "Organizer panel" in b for uid, b in buttons.items()
                   if uid != users[0]["id"])


async def test_two_updates_of_one_person_in_a_batch_are_both_served(sandbox):
    app = await sandbox.start(plugins=["faq"], poll=False)
    emulator = sandbox.emulator
    alice, bob = await _members(app, emulator, 2)
    await emulator.send_text(bob["id"], "/menu")
    await emulator.send_text(bob["id"], "/menu")
    await emulator.send_text(alice["id"], "/menu")
    sandbox.start_polling()
    await sandbox.settle()
    menus = [m for m in emulator.chat_messages(bob["id"]) if m["from_bot"] and "Main menu" in m["text"]]
    assert len(menus) == 2
    assert "Главное меню" in _last_text(emulator, alice["id"])


async def test_a_name_changed_in_telegram_is_saved_from_a_batched_read(sandbox):
    app = await sandbox.start(plugins=["faq"], poll=False)
    emulator = sandbox.emulator
    users = await _members(app, emulator, 3)
    emulator.world.users[users[1]["id"]]["first_name"] = "Renamed"
    for u in users:
        await emulator.send_text(u["id"], "/menu")
    sandbox.start_polling()
    await sandbox.settle()
    async with app.sessions() as session:
        assert (await session.get(User, users[1]["id"])).first_name == "Renamed"
        assert (await session.get(User, users[2]["id"])).first_name == "P2"
