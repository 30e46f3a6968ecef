"""Issue 13: an update's database work and its dialog state are decided by its transaction, not
by whether Telegram took the reply; after a rollback nothing else escapes (MissingGreenlet)."""

from __future__ import annotations

import logging
import types

from aiogram import F, Router
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import select

from core import MenuItem, PluginManifest, hookimpl
from core.models import Member


class ProbeSteps(StatesGroup):
    waiting = State()


def probe_plugin():
    module = types.ModuleType("probe")
    module.manifest = PluginManifest(name="probe", version="1.0")

    async def on_save(message, event_ctx, state):
        event_ctx.member.profile = {"saved": message.text}
        await state.set_state(ProbeSteps.waiting)
        await message.answer("сохранено")

    async def on_crash(message, event_ctx, state, session):
        event_ctx.member.profile = {"saved": "crash"}
        event_ctx.user.language = "en"
        await session.flush()  # written (and tracked by the context cache), then rolled back
        await state.set_state(ProbeSteps.waiting)
        raise RuntimeError("a bug after the writes")

    def register_routers(app):
        router = Router()
        router.message.register(on_crash, F.text == "crash")
        router.message.register(on_save, F.text.startswith("save"))
        return [router]

    module.register_routers = hookimpl(register_routers)
    module.menu_items = hookimpl(lambda app, event, member: [MenuItem("menu-cabinet", "probe:x", order=5)])
    return module


async def _profile(app, user_id):
    async with app.sessions() as s:
        return (await s.scalar(select(Member).where(Member.user_id == user_id))).profile


async def _state(app, user_id):
    key = StorageKey(bot_id=app.bot.id, chat_id=user_id, user_id=user_id)
    return await app.dispatcher.storage.get_state(key)


async def test_a_reply_telegram_refuses_does_not_undo_the_work_or_the_dialog_step(sandbox):
    app = await sandbox.start(plugins=[], extra_plugins=[probe_plugin()])
    ivy = sandbox.user("Ivy")
    await ivy.send("/start demo")
    await ivy.expect(text="Главное меню")
    sandbox.emulator.faults.fail_next("sendMessage", count=1, status=502)
    await ivy.send("save me")
    await ivy.expect(text="всё, что вы сделали, сохранено")
    assert await _profile(app, ivy.id) == {"saved": "save me"}
    assert await _state(app, ivy.id) == ProbeSteps.waiting.state


async def test_a_crash_rolls_back_the_work_and_the_dialog_step_and_nothing_else_escapes(sandbox, caplog):
    app = await sandbox.start(plugins=[], extra_plugins=[probe_plugin()])
    max_ = sandbox.user("Max")
    await max_.send("/start demo")
    await max_.expect(text="Главное меню")
    await max_.send("/menu")  # the context is now cached: keep_written has something to keep
    with caplog.at_level(logging.ERROR):
        await max_.send("crash")
        await max_.expect(text="Что-то пошло не так, ничего не сохранено")
    escaped = [r for r in caplog.records if r.exc_info and "a bug after the writes" not in str(r.exc_info[1])]
    assert escaped == [], [repr(r.exc_info[1]) for r in escaped]
    assert await _profile(app, max_.id) == {}
    assert await _state(app, max_.id) is None
    await max_.send("save again")  # the bot and this user's context are fine afterwards
    await max_.expect(text="сохранено")
    assert await _profile(app, max_.id) == {"saved": "save again"}
