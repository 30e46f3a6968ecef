"""Issue 13: an update's database work and its dialog state are decided by its transaction, not
by whether Telegram took the reply; after a rollback nothing else escapes (MissingGreenlet).
Issue 15: the middleware is the one owner of the commit; a callback's toast is shown only once the
work is stored, and a commit that fails turns it into an apology."""

from __future__ import annotations

import ast
import logging
import types
from pathlib import Path

from aiogram import F, Router
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import select

from core import MenuItem, PluginManifest, hookimpl
from core.keyboards import button, rows
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

    async def on_keep(message):
        await message.answer("выберите", reply_markup=rows([button("keep", "probe:keep")],
                                                          [button("twice", "probe:twice")]))

    async def on_keep_tap(query, event_ctx, callback_answer):
        event_ctx.member.profile = {"saved": "tap"}
        callback_answer.text = "сохранено"  # no reply: only the toast tells the user

    async def on_twice_tap(query, event_ctx, session, callback_answer):
        event_ctx.member.profile = {"saved": "twice"}
        # A second membership of the same person: refused by the unique key when the work commits.
        session.add(Member(event_id=event_ctx.member.event_id, user_id=event_ctx.member.user_id))
        callback_answer.text = "сохранено"

    def register_routers(app):
        router = Router()
        router.message.register(on_keep, F.text == "keep")
        router.callback_query.register(on_keep_tap, F.data == "probe:keep")
        router.callback_query.register(on_twice_tap, F.data == "probe:twice")
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


def _toast(sandbox, update) -> str | None:
    return sandbox.emulator.world.callbacks[update["callback_query"]["id"]].answer["text"]


async def test_a_toast_tells_what_is_stored_and_a_failed_commit_turns_it_into_an_apology(sandbox):
    app = await sandbox.start(plugins=[], extra_plugins=[probe_plugin()])
    una = sandbox.user("Una")
    await una.send("/start demo")
    await una.expect(text="Главное меню")
    await una.send("keep")
    await una.expect(text="выберите")
    update = await una.click("keep")
    assert _toast(sandbox, update) == "сохранено"
    assert await _profile(app, una.id) == {"saved": "tap"}
    # The handler "succeeds", its commit does not: the toast must not say "saved", and one apology is enough.
    update = await una.click("twice")
    assert _toast(sandbox, update).startswith("Ничего не сохранено")
    assert await _profile(app, una.id) == {"saved": "tap"}
    assert "Что-то пошло не так" not in una.transcript()
    await una.send("save again")  # the bot and this user's context are fine afterwards
    await una.expect(text="сохранено")


def test_handlers_leave_the_commit_to_the_middleware():
    """No handler module calls ``session.commit()``: the update middleware owns the transaction
    (``core.db.commit_now`` where a handler must store its decision before slow work)."""
    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in sorted([*root.glob("plugins/*/*handlers*.py"), *root.glob("core/handlers/*.py")]):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "commit"
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "session"):
                offenders.append(f"{path.relative_to(root)}:{node.lineno}")
    assert offenders == [], offenders
