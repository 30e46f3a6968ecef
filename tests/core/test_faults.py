"""Telegram's errors reach the real bot through the emulator; the bot neither crashes nor loses
or half-writes state, and the user is told when something failed."""

from sqlalchemy import select

from core.models import Member


async def test_server_error_on_a_reply_rolls_back_and_apologises(sandbox):
    app = await sandbox.start(plugins=[])
    mia = sandbox.user("Mia")
    sandbox.emulator.faults.fail_next("sendMessage", count=1, status=502)
    await mia.send("/start demo")  # join writes the membership, then the reply fails with 502
    await mia.expect(text="Что-то пошло не так, ничего не сохранено")
    async with app.sessions() as s:
        assert await s.scalar(select(Member).where(Member.user_id == mia.id)) is None
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


async def test_pressing_the_same_button_twice_never_edits_to_identical_content(sandbox):
    await sandbox.start(plugins=[])
    quinn = sandbox.user("Quinn")
    await quinn.send("/start demo")
    await quinn.click("Личный кабинет")
    await quinn.expect(text="Личный кабинет")
    message = quinn.last_message()
    await sandbox.emulator.click(quinn.id, message["message_id"], "core:cabinet")
    await sandbox.settle()
    errors = [r for r in sandbox.emulator.requests if r.error_code == 400]
    assert errors == [], [r.description for r in errors]
