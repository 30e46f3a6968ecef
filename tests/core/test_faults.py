"""Telegram's errors reach the real bot through the emulator; the bot neither crashes nor loses
or half-writes state, and the user is told when something failed."""

from sqlalchemy import select

from core.models import Member


async def test_server_error_on_a_reply_keeps_the_work_and_says_so(sandbox):
    app = await sandbox.start(plugins=[])
    mia = sandbox.user("Mia")
    sandbox.emulator.faults.fail_next("sendMessage", count=1, status=502)
    await mia.send("/start demo")  # join writes the membership, then the reply fails with 502
    await mia.expect(text="при отправке ответа, но всё, что вы сделали, сохранено")
    async with app.sessions() as s:  # a reply Telegram lost does not undo the join
        assert await s.scalar(select(Member).where(Member.user_id == mia.id)) is not None
    await mia.send("/start demo")  # and the bot is still there
    await mia.expect(text="Главное меню")


async def test_dropped_connection_is_survived(sandbox):
    await sandbox.start(plugins=[])
    ned = sandbox.user("Ned")
    await ned.send("/start demo")
    await ned.expect(text="Главное меню")
    sandbox.emulator.faults.drop_next("editMessageText", count=1)
    await ned.click("Личный кабинет")
    await ned.expect(text="Что-то пошло не так")
    await ned.click("Личный кабинет")
    await ned.expect(text="Личный кабинет")


async def test_double_tap_on_a_menu_button_is_harmless(sandbox):
    await sandbox.start(plugins=[])
    quinn = sandbox.user("Quinn")
    await quinn.send("/start demo")
    await quinn.expect(text="Главное меню")
    menu = quinn.last_message()
    # Two taps before the bot answers the first: the second would edit to identical content.
    await sandbox.emulator.click(quinn.id, menu["message_id"], "core:cabinet")
    await sandbox.emulator.click(quinn.id, menu["message_id"], "core:cabinet")
    await sandbox.settle()
    assert "Что-то пошло не так" not in quinn.transcript()
    assert "Личный кабинет" in (quinn.last_message()["text"] or "")
