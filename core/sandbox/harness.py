"""A running app on the emulator, for tests, plugin authors, benches and the demo.

    sandbox = Sandbox(db_url)
    app = await sandbox.start(plugins=["workshops"], events={"demo": {"title": "Demo"}})
    alice = sandbox.user("Alice")
    await alice.send("/start demo")
    await alice.expect(text="Главное меню")
    await sandbox.stop()

The app is the real one: real aiogram ``Bot`` polling the emulator over HTTP, real dispatcher,
middlewares, database and migrations.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import tempfile
from pathlib import Path
from typing import Any

from core.app import OrganizerApp
from core.config import deep_merge
from core.plugins import PluginRegistry
from core.sandbox.emulator import BotAPIEmulator

TEST_TOKEN = "42:SANDBOX"
DEFAULT_EVENTS: dict[str, Any] = {
    "demo": {"title": "DemoConf", "timezone": "Europe/Moscow", "language": "ru", "signup": {"enabled": False}},
}


class Sandbox:
    def __init__(self, db_url: str, *, emulator: BotAPIEmulator | None = None, token: str = TEST_TOKEN):
        self.db_url = db_url
        self.emulator = emulator
        self._own_emulator = emulator is None
        self.token = token
        self.app: OrganizerApp | None = None
        self._polling: asyncio.Task | None = None
        self._names = itertools.count(1)
        self._registry: PluginRegistry | None = None
        self._overrides: dict[str, Any] = {}
        self._config_dir: tempfile.TemporaryDirectory | None = None

    async def start(self, plugins: list[str] | None = None, events: dict[str, Any] | None = None,
                    settings: dict[str, Any] | None = None, extra_plugins: list[Any] = (),
                    poll: bool = True, entry_points: bool = False) -> OrganizerApp:
        """``plugins``: built-in plugin names to load (all when None); ``extra_plugins``: plugin
        modules or objects to register as if installed; ``events``/``settings``: config overrides;
        ``entry_points``: also load installed third-party plugins (off by default so tests see
        only what they name)."""
        if self.emulator is None:
            self.emulator = await BotAPIEmulator().start()
        if self.token not in self.emulator.world.bots:
            self.emulator.add_bot(self.token)
        builtins = None if plugins is None else [f"plugins.{name}" for name in plugins]
        registry = PluginRegistry.load(builtins, entry_points_enabled=entry_points, extra=list(extra_plugins))
        overrides = deep_merge({
            "bot": {"token": self.token, "api_server": self.emulator.base_url},
            "database": {"url": self.db_url},
            "events": copy.deepcopy(DEFAULT_EVENTS if events is None else events),
        }, settings or {})
        self._registry, self._overrides = registry, overrides
        self.app = OrganizerApp.from_config(None, environ={}, registry=registry, overrides=overrides)
        await self.app.startup()
        if poll:
            self.start_polling()
        return self.app

    def start_polling(self) -> None:
        app = self.app
        self._polling = asyncio.create_task(app.dispatcher.start_polling(
            app.bot, handle_signals=False, close_bot_session=False, polling_timeout=1,
            allowed_updates=app.dispatcher.resolve_used_update_types()))

    def user(self, first_name: str | None = None, lang: str = "ru", **kwargs):
        from core.sandbox.client import SandboxUser

        return SandboxUser(self.emulator, first_name or f"User{next(self._names)}", lang=lang,
                           settle=self.settle, **kwargs)

    async def admin(self, first_name: str = "Admin", event: str = "demo", lang: str = "ru"):
        """A user who is an organizer of ``event`` (as if added with `organizer admin add`)."""
        from core import people
        from core.models import Role

        person = self.user(first_name, lang=lang)
        async with self.app.transaction() as session:
            ev = await people.event_by_slug(session, event)
            await people.set_role(session, ev, person.id, Role.ADMIN)
        return person

    async def cli(self, *args: str, input: str | None = None):
        """Run ``organizer ARGS`` as an operator would, against this sandbox's database, settings
        and plugins (the core's commands and every loaded plugin's ``register_cli``)::

            result = await sandbox.cli("hello", "stats", "demo")
            assert result.exit_code == 0 and "1 greeting" in result.output

        Returns click's ``Result`` (``exit_code``, ``output``, ``exception``). The command runs in a
        worker thread, as a separate process would (commands call ``asyncio.run``), with its own
        engine: like the real CLI beside a running bot, its writes reach the bot's cached contexts
        only after ``database.context_cache_seconds``."""
        import typer
        from typer.testing import CliRunner

        from core import cli as core_cli

        if self._registry is None:
            raise RuntimeError("start the sandbox first: await sandbox.start(...)")
        if self._config_dir is None:
            self._config_dir = tempfile.TemporaryDirectory(prefix="organizer-sandbox-")
        config = Path(self._config_dir.name) / "organizer.json"
        config.write_text(json.dumps(self._overrides), encoding="utf-8")
        root = typer.Typer(pretty_exceptions_enable=False)
        root.add_typer(core_cli.cli)
        self._registry.pm.hook.register_cli(cli=root)
        token = core_cli.cli_registry.set(self._registry)
        try:
            return await asyncio.to_thread(CliRunner().invoke, root, list(args), input=input,
                                           env={"ORGANIZER_CONFIG": str(config)})
        finally:
            core_cli.cli_registry.reset(token)

    async def settle(self, timeout: float = 10.0) -> None:
        """Wait until every update was delivered and handled and the bot stopped sending."""
        await self.emulator.wait_delivered(timeout)
        await asyncio.wait_for(self.app.in_flight.idle.wait(), timeout)
        await self.emulator.wait_idle(timeout=timeout)
        await asyncio.wait_for(self.app.in_flight.idle.wait(), timeout)

    async def run_jobs(self) -> int:
        """Run every due-time job that is due now; returns how many ran."""
        runner = self.app.services.get("job_runner")
        if runner is None:
            raise RuntimeError("the job runner is not running in this app")
        ran = await runner.run_until_idle()
        await self.settle()
        return ran

    async def drain_outbox(self) -> int:
        """Send everything queued in the outbox now (respecting the rate limits)."""
        sender = self.app.services.get("outbox_sender")
        if sender is None:
            raise RuntimeError("the outbox sender is not running in this app")
        sent = await sender.drain_until_idle()
        await self.settle()
        return sent

    async def stop(self) -> None:
        if self.app is not None and self.app.dispatcher is not None and self._polling is not None:
            with contextlib.suppress(RuntimeError):
                await self.app.dispatcher.stop_polling()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._polling, 5)
        if self.app is not None:
            await self.app.shutdown(drain_timeout=5)
        if self._own_emulator and self.emulator is not None:
            await self.emulator.stop()
        if self._config_dir is not None:
            self._config_dir.cleanup()
            self._config_dir = None
