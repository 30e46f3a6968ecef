"""One bad tap never stops the bot: a forged button is refused before any query, and an update
whose first statement fails leaves no connection in a transaction (the next user is served, the
CLI can still use the database), on both databases."""

import asyncio
import os
import sys
import types

from aiogram import F, Router
from sqlalchemy import select, text

from core import PluginManifest, hookimpl
from core.models import Member

STALE = "Эта кнопка больше не работает"
SECRET = "-".join(["PHONE", str(7 * 10**10 + 9991234567)])  # built, so no source line in a traceback shows it


async def forged_tap(sandbox, user, data: str) -> str | None:
    """``user`` sends ``data`` from the bot's last message as a modified client could; the answer's text."""
    message = user.last_message()
    update = await sandbox.emulator.click(user.id, message["message_id"], data, forged=True)
    await sandbox.settle()
    return sandbox.emulator.world.callbacks[update["callback_query"]["id"]].answer["text"]


async def cli_events_list(sandbox, tmp_path) -> tuple[int, str]:
    config = tmp_path / "cli.toml"
    config.write_text(f'[bot]\ntoken = "1:x"\n[database]\nurl = "{sandbox.db_url}"\n'
                      '[events.demo]\ntitle = "DemoConf"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORGANIZER_")}
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "core.cli", "events", "list", "-c", str(config),
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
                                                env=env)
    out, _ = await asyncio.wait_for(proc.communicate(), 120)
    return proc.returncode, out.decode()


async def test_forged_ids_out_of_range_are_refused_and_the_bot_goes_on(sandbox, tmp_path):
    await sandbox.start(plugins=["workshops", "waitlist", "faq"])
    eve = sandbox.user("Eve")
    await eve.send("/start demo")
    await eve.expect(text="Главное меню")
    for data in ("workshops.card:99999999999999999999:0", "workshops.book:-1", "workshops.cancel:1e9",
                 "workshops.list:abc", "workshops.admin:x;drop:1:0",
                 "waitlist.offer:99999999999999999999:a", "waitlist.offer:1:zz", "waitlist.leave:99999999999999999999",
                 "faq:q:99999999999999999999"):
        assert (await forged_tap(sandbox, eve, data) or "").startswith(STALE), data
    assert "Что-то пошло не так" not in eve.transcript()
    bob = sandbox.user("Bob")
    await bob.send("/start demo")
    await bob.expect(text="Главное меню")
    code, out = await cli_events_list(sandbox, tmp_path)
    assert code == 0 and "demo" in out, out


def failing_first_statement_plugin():
    module = types.ModuleType("oversized")
    module.manifest = PluginManifest(name="oversized", version="1.0")

    async def on_lookup(message, session, event_ctx):
        # The update's own transaction starts with a statement the database refuses.
        await session.scalar(select(Member).where(Member.id == 10**20))

    async def on_secret(message, session, event_ctx):
        await session.execute(text("SELECT no_such_column FROM core_users WHERE first_name = :name"),
                              {"name": SECRET})

    def register_routers(app):
        router = Router()
        router.message.register(on_lookup, F.text == "lookup")
        router.message.register(on_secret, F.text == "secret")
        return [router]

    module.register_routers = hookimpl(register_routers)
    return module


async def test_a_failing_first_statement_leaves_no_transaction_open(sandbox, tmp_path):
    app = await sandbox.start(plugins=[], extra_plugins=[failing_first_statement_plugin()])
    app.context_cache.ttl = 0
    eve = sandbox.user("Eve")
    await eve.send("/start demo")
    await eve.expect(text="Главное меню")
    await eve.send("lookup")
    await eve.expect(text="Что-то пошло не так")
    bob = sandbox.user("Bob")  # a new user: the next update writes
    await bob.send("/start demo")
    await bob.expect(text="Главное меню")
    await eve.send("/menu")
    await eve.expect(text="Главное меню")
    code, out = await cli_events_list(sandbox, tmp_path)
    assert code == 0 and "demo" in out, out
    async with app.sessions() as s:
        assert len((await s.scalars(select(Member))).all()) == 2


async def test_a_failed_statement_is_logged_without_its_parameters(sandbox, caplog):
    await sandbox.start(plugins=[], extra_plugins=[failing_first_statement_plugin()])
    eve = sandbox.user("Eve")
    await eve.send("/start demo")
    await eve.expect(text="Главное меню")
    await eve.send("secret")
    await eve.expect(text="Что-то пошло не так")
    assert "no_such_column" in caplog.text  # the failure is logged, with its statement
    assert SECRET not in caplog.text
