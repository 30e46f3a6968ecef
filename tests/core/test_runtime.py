"""Runtime: graceful stop finishes in-flight updates; `organizer run` stops cleanly on SIGTERM."""

import asyncio
import os
import signal
import sys
import types

from aiogram import F, Router

from core import MenuItem, PluginManifest, hookimpl
from core.models import Member


def slow_plugin(started: asyncio.Event):
    module = types.ModuleType("slowpoke")
    module.manifest = PluginManifest(name="slowpoke", version="1.0")

    async def on_slow(query, session, event_ctx):
        started.set()
        await asyncio.sleep(0.5)  # the stop arrives while we are here
        event_ctx.member.profile = {"slow": "done"}
        await query.message.answer("slow work finished")

    def register_routers(app):
        router = Router()
        router.callback_query.register(on_slow, F.data == "slow:go")
        return [router]

    module.register_routers = hookimpl(register_routers)
    module.menu_items = hookimpl(lambda app, event, member: [MenuItem("menu-cabinet", "slow:go", order=5)])
    return module


async def test_stop_lets_in_flight_updates_finish_and_commit(sandbox):
    started = asyncio.Event()
    app = await sandbox.start(plugins=[], extra_plugins=[slow_plugin(started)])
    kim = sandbox.user("Kim")
    await kim.send("/start demo")
    await kim.expect(text="Главное меню")
    menu = kim.last_message()
    await sandbox.emulator.click(kim.id, menu["message_id"], "slow:go")
    await asyncio.wait_for(started.wait(), 5)
    sessions = app.sessions
    await sandbox.stop()  # while the handler sleeps
    assert any("slow work finished" in (m.get("text") or "") for m in kim.messages())
    async with sessions() as s:
        member = await s.get(Member, 1)
        assert member.profile == {"slow": "done"}


async def test_organizer_run_stops_on_sigterm(emulator, tmp_path):
    config = tmp_path / "organizer.toml"
    config.write_text(f'[bot]\ntoken = "42:RUN"\napi_server = "{emulator.base_url}"\n'
                      f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "o.db"}"\n'
                      '[events.demo]\ntitle = "Demo"\n[events.demo.signup]\nenabled = false\n')
    emulator.add_bot("42:RUN")
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "core.cli", "run", "--config", str(config),
                                                stderr=asyncio.subprocess.PIPE,
                                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        from core.sandbox import SandboxUser

        # Start-up (imports, migrating a fresh database) takes seconds on a loaded machine: wait
        # for the condition — the bot polls — rather than for a fixed time.
        async def polling() -> None:
            while not emulator.requests_for("getUpdates"):
                assert proc.returncode is None, (await proc.stderr.read()).decode()
                await asyncio.sleep(0.05)

        await asyncio.wait_for(polling(), 120)
        lena = SandboxUser(emulator, "Lena")
        await lena.send("/start demo")
        await lena.expect(text="Главное меню", timeout=60)
        commands = emulator.requests_for("setMyCommands")
        assert commands and any(c["command"] == "menu" for c in commands[0].params["commands"])
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), 30)
        assert code == 0, (await proc.stderr.read()).decode()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


def failing_plugin():
    module = types.ModuleType("breaks")
    module.manifest = PluginManifest(name="breaks", version="1.0")

    async def on_break(message, session, event_ctx):
        event_ctx.member.profile = {"half": "written"}
        await session.flush()  # the write reached the database inside the update's transaction
        raise RuntimeError("the handler fails after writing")

    def register_routers(app):
        router = Router()
        router.message.register(on_break, F.text == "break")
        return [router]

    module.register_routers = hookimpl(register_routers)
    return module


async def test_a_failing_handler_leaves_nothing_half_written(sandbox):
    app = await sandbox.start(plugins=[], extra_plugins=[failing_plugin()])
    app.context_cache.ttl = 0  # every update reads its context afresh (on PostgreSQL: outside a transaction)
    ivan = sandbox.user("Ivan")
    await ivan.send("/start demo")
    await ivan.expect(text="Главное меню")
    await ivan.send("break")
    await ivan.expect(text="Что-то пошло не так")
    await ivan.send("/menu")  # the bot goes on serving the same person
    await ivan.expect(text="Главное меню")
    async with app.sessions() as s:
        member = await s.get(Member, 1)
        assert member.profile == {}
