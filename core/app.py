"""The runtime: settings + plugins + database + bot + dispatcher, started and stopped as one."""

from __future__ import annotations

import asyncio
import gc
import logging
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage, SimpleEventIsolation
from aiogram.types import BotCommand as TgBotCommand

from core import config as config_mod
from core.bot_session import LimitedSession
from core.config import CoreSettings, RawConfig
from core.context_cache import ContextCache
from core.context_loader import ContextLoader
from core.contributions import BotCommand, JobSpec, PluginConfig
from core.db import create_engine, session_factory, transaction
from core.delivery.ratelimit import SharedLimiter, make_limiter
from core.filters import PluginEnabled
from core.i18n import CORE_LOCALES, Catalogs
from core.plugins import PluginRegistry
from core.sequencer import UpdateSequencer

log = logging.getLogger(__name__)


@dataclass
class InFlight:
    """Counts updates being handled, so a graceful stop can wait for them to finish."""

    count: int = 0
    idle: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.idle.set()

    def enter(self) -> None:
        self.count += 1
        self.idle.clear()

    def leave(self) -> None:
        self.count -= 1
        if self.count == 0:
            self.idle.set()


class OrganizerApp:
    def __init__(self, settings: CoreSettings, registry: PluginRegistry, raw: RawConfig | None = None):
        self.settings = settings
        self.registry = registry
        self.raw = raw
        self.engine = create_engine(settings.database.url, echo=settings.database.echo)
        self.sessions = session_factory(self.engine)
        # Several processes (Redis set) would each keep their own copy, unaware of the others'
        # writes: there every update reads its context from the database.
        self.context_cache = ContextCache(0 if settings.redis.url else settings.database.context_cache_seconds)
        self.sessions.configure(info=self.context_cache.session_info())  # its sessions report writes
        self.context_loader = ContextLoader(self.sessions)
        folders = [CORE_LOCALES] + [m.locales for m in registry.manifests().values() if m.locales]
        self.catalogs = Catalogs(folders)
        self.in_flight = InFlight()
        # Whether an update left unacknowledged comes back (a webhook answered 500: Telegram
        # delivers it again). Long polling has confirmed it by then, so a failure there is final.
        self.redelivers_updates = False
        self.sequencer = UpdateSequencer()
        self.bot: Bot | None = None
        self.dispatcher: Dispatcher | None = None
        self.jobs: dict[str, tuple[str, JobSpec]] = {}
        self.services: dict[str, Any] = {}  # long-lived helpers plugins share (sender, scheduler, ...)
        self._plugin_configs: dict[tuple[str, str], PluginConfig] = {}
        self._active: dict[str, frozenset[str]] = {}
        # Run-time switches (slug, plugin) -> on/off set by an organizer; they win over the config
        # file until reset. Whoever persists them (the admin_chat plugin) loads them at start-up.
        self._plugin_overrides: dict[tuple[str, str], bool] = {}
        self._background: list[asyncio.Task] = []

    # --- construction ----------------------------------------------------------------------

    @classmethod
    def from_config(cls, config_file: str | None = None, *, environ: dict | None = None,
                    registry: PluginRegistry | None = None, overrides: dict | None = None,
                    require_token: bool = True) -> OrganizerApp:
        raw = config_mod.load_raw(config_file, environ)
        if overrides:
            raw.data = config_mod.deep_merge(raw.data, config_mod.lower_keys(overrides))
            raw.sources.append(("overrides", config_mod.lower_keys(overrides)))
        blocked = list(raw.data.get("blocked_plugins") or [])
        registry = registry or PluginRegistry.load(blocked=blocked)
        settings = config_mod.validate(raw, registry.config_models(), registry.dependencies(),
                                       require_token=require_token)
        return cls(settings, registry, raw)

    # --- per-event plugin view -------------------------------------------------------------

    def active_plugins(self, slug: str | None) -> frozenset[str]:
        """Installed, not blocked, enabled for the event, and every dependency active."""
        if slug is None:
            return frozenset()
        if slug not in self._active:
            active: set[str] = set()
            for name in self.registry.order:  # dependency order: deps are decided first
                deps = self.registry.plugins[name].manifest.depends_on
                if self.plugin_switched_on(slug, name) and all(d in active for d in deps):
                    active.add(name)
            self._active[slug] = frozenset(active)
        return self._active[slug]

    def plugin_switched_on(self, slug: str, name: str) -> bool:
        """The plugin's own switch for the event: a run-time override if one is set, else the config.
        A blocked plugin stays off whatever the override says."""
        if name in self.settings.blocked_plugins:
            return False
        override = self._plugin_overrides.get((slug, name))
        if override is not None:
            return override
        return config_mod.plugin_enabled(self.settings, slug, name)

    def plugin_override(self, slug: str, name: str) -> bool | None:
        return self._plugin_overrides.get((slug, name))

    def set_plugin_override(self, slug: str, name: str, enabled: bool | None) -> None:
        """Switch a plugin on/off for an event at run time (None: back to the config file).

        Applied from the next update on: every update asks ``active_plugins`` afresh, and the
        memo of active sets is dropped here. The caller persists the switch."""
        if name not in self.registry.plugins:
            raise KeyError(f"unknown plugin {name!r}")
        if enabled is None:
            self._plugin_overrides.pop((slug, name), None)
        else:
            self._plugin_overrides[(slug, name)] = bool(enabled)
        self._active.pop(slug, None)

    def plugin_config(self, slug: str, name: str) -> PluginConfig:
        key = (slug, name)
        if key not in self._plugin_configs:
            model = self.registry.plugins[name].manifest.config_model
            self._plugin_configs[key] = model.model_validate(config_mod.plugin_section(self.settings, slug, name))
        return self._plugin_configs[key]

    def translator(self, lang: str | None):
        return self.catalogs.translator(lang)

    def transaction(self):
        return transaction(self.sessions)

    # --- bot and dispatcher ----------------------------------------------------------------

    def make_bot(self) -> Bot:
        if not self.settings.bot.token:
            raise config_mod.ConfigError([config_mod.ConfigIssue("bot.token", "required to talk to Telegram; set it in "
                                                      "your config file or as ORGANIZER_BOT__TOKEN", "not set")])
        # One limiter for every send and edit of this bot, shared with the outbox sender (and with
        # other processes through Redis when redis.url is set); buckets are per bot, hence its id.
        delivery = self.settings.delivery
        limiter = SharedLimiter(make_limiter(delivery, redis_url=self.settings.redis.url,
                                             prefix=f"organizer:delivery:{self.settings.bot.token.split(':')[0]}"))
        extra: dict[str, Any] = {}
        if self.settings.bot.api_server:
            extra["api"] = TelegramAPIServer.from_base(self.settings.bot.api_server)
        session = LimitedSession(limiter=limiter, max_reply_age=delivery.reply_max_age_seconds, **extra)
        return Bot(self.settings.bot.token, session=session,
                   default=DefaultBotProperties(parse_mode="HTML", link_preview_is_disabled=True))

    def _fsm(self) -> tuple[BaseStorage, BaseEventIsolation]:
        if self.settings.redis.url:
            # Several bot processes: FSM state and per-user locks must be shared.
            from aiogram.fsm.storage.redis import RedisStorage

            from core.fsm_isolation import RenewedRedisIsolation

            storage = RedisStorage.from_url(self.settings.redis.url)
            return storage, RenewedRedisIsolation.for_storage(storage)
        return MemoryStorage(), SimpleEventIsolation()

    def build_dispatcher(self) -> Dispatcher:
        from core.handlers import build_core_routers, build_fallback_router
        from core.flood import FloodMiddleware
        from core.middlewares import CallbackAnswers, ContextMiddleware, ErrorReplyMiddleware
        from core.prompts import StalePromptMiddleware

        storage, isolation = self._fsm()
        dp = Dispatcher(storage=storage, events_isolation=isolation, app=self)
        # Flood control counts updates as they arrive, before aiogram's per-user FSM lock (where a
        # flood would otherwise queue up behind the update being answered): it goes between the
        # dispatcher's user-context and FSM middlewares, re-registered through the public manager.
        dp.update.outer_middleware.unregister(dp.fsm)
        dp.update.outer_middleware(FloodMiddleware(self))
        dp.update.outer_middleware(dp.fsm)
        dp.update.outer_middleware(ContextMiddleware(self))
        dp.update.middleware(ErrorReplyMiddleware(self))
        dp.callback_query.middleware(CallbackAnswers(self))
        dp.message.middleware(StalePromptMiddleware())
        for router in build_core_routers(self):
            dp.include_router(router)
        routers: dict[str, list[Router]] = {}  # plugin -> its routers, in dependency order
        for name, router in self.registry.call_with_names("register_routers", app=self):
            routers.setdefault(name, []).append(router)
        for name, own in routers.items():
            dp.include_router(self._gated(name, own))
        dp.include_router(build_fallback_router(self))
        self.check_prefixes()
        self.dispatcher = dp
        return dp

    def check_prefixes(self) -> None:
        """Refuse to start when a plugin's tables, text keys, callback data or FSM groups do not
        start with its name (``core.prefixes``); run once the routers (and so every handler
        module) are loaded."""
        from core.plugins import PluginLoadError
        from core.prefixes import problems

        found = problems(self.registry.plugins)
        if found:
            raise PluginLoadError("names outside the plugin's namespace:\n  - " + "\n  - ".join(found))

    def _gated(self, plugin: str, routers: list[Router]) -> Router:
        """One wrapper per plugin, however many routers it returns: every router costs aiogram ~28
        event observers at start-up, and an update that passes the plugin by asks its gate once."""
        wrapper = Router(name=f"plugin:{plugin}")
        gate = PluginEnabled(plugin)
        # Only the update types the plugin handles: a gate on an observer with no handler below
        # is never asked, and each one costs aiogram a signature inspection at start-up.
        for update_type in sorted({t for router in routers for t in router.resolve_used_update_types()}):
            wrapper.observers[update_type].filter(gate)
        wrapper.include_routers(*routers)
        return wrapper

    def collect_jobs(self) -> dict[str, tuple[str, JobSpec]]:
        jobs = {}
        for plugin, spec in self.registry.call_with_names("register_jobs", app=self):
            key = f"{plugin}:{spec.name}"
            jobs[key] = (plugin, spec)
        self.jobs = jobs
        return jobs

    async def bot_commands(self) -> list[BotCommand]:
        core = [BotCommand("start", "cmd-start"), BotCommand("menu", "cmd-menu"),
                BotCommand("events", "cmd-events"), BotCommand("cabinet", "cmd-cabinet"),
                BotCommand("schedule", "cmd-schedule"), BotCommand("delete", "cmd-delete")]
        return core + await self.registry.call("register_bot_commands", app=self)

    # --- lifecycle -------------------------------------------------------------------------

    async def startup(self, *, upgrade: bool = True) -> None:
        from core import migrations
        from core.people import sync_events

        if upgrade:
            await migrations.upgrade(self.engine, self.registry)
        async with self.transaction() as session:
            await sync_events(session, self.settings)
        self.bot = self.bot or self.make_bot()
        if self.dispatcher is None:
            self.build_dispatcher()
        self.collect_jobs()
        await self.registry.call("on_startup", app=self)
        # Delivery (issue #4): outbox sender + job runner as background tasks; shutdown() cancels them.
        from core.delivery.workers import start_workers

        start_workers(self)

    async def set_commands(self) -> None:
        assert self.bot is not None
        for lang in ("ru", "en"):
            tr = self.translator(lang)
            commands = [TgBotCommand(command=c.command, description=tr(c.description_key))
                        for c in await self.bot_commands()]
            await self.bot.set_my_commands(commands, language_code=None if lang == "ru" else lang)

    def start_background(self, coro) -> asyncio.Task:
        task = asyncio.create_task(coro)
        self._background.append(task)
        return task

    @staticmethod
    def freeze_startup_objects() -> None:
        """Exempt what start-up built from the garbage collector's full passes.

        Start-up leaves ~160,000 tracked objects (aiogram's and SQLAlchemy's classes, schemas,
        compiled statements, our catalogs) that live as long as the process. Every full
        collection walked all of them again: 150–200 ms of CPU each, about one per 2,000
        updates under load (bench/dispatch, timed with gc callbacks), ~0.08 ms per update.
        ``gc.freeze()`` moves them to the permanent generation (no collection first: start-up
        leaves ~40 garbage objects, and a collection would cost ~85 ms of start-up). For a
        long-running process only: tests start many apps in one process and must not pin each
        one's objects."""
        gc.freeze()

    async def run_polling(self, *, handle_signals: bool = True) -> None:
        """Long polling until SIGINT/SIGTERM; in-flight updates finish before we close."""
        await self.startup()
        assert self.bot and self.dispatcher
        try:
            await self.set_commands()
            self.freeze_startup_objects()
            await self.dispatcher.start_polling(self.bot, handle_signals=handle_signals, close_bot_session=False,
                                                allowed_updates=self.dispatcher.resolve_used_update_types())
        finally:
            await self.shutdown()

    async def shutdown(self, *, drain_timeout: float = 30.0) -> None:
        try:
            await asyncio.wait_for(self.in_flight.idle.wait(), drain_timeout)
        except TimeoutError:
            log.warning("stopping with %d updates still in flight", self.in_flight.count)
        # Ask the workers to stop between transactions first; cancel only what does not.
        for service in self.services.values():
            stop = getattr(service, "stop", None)
            if callable(stop):
                stop()
        if self._background:
            _done, pending = await asyncio.wait(self._background, timeout=drain_timeout)
            for task in pending:
                task.cancel()
            for task in pending:
                try:
                    await task
                except (asyncio.CancelledError, Exception):
                    pass
        self._background.clear()
        await self.registry.call("on_shutdown", app=self)
        if self.dispatcher is not None:
            await self.dispatcher.storage.close()
        if self.bot is not None:
            await close_bot(self.bot)
        await self.engine.dispose()


async def close_bot(bot: Bot) -> None:
    """Close a bot from ``App.make_bot``: its HTTP session, then the limiter made with it (the
    session leaves the limiter alone: aiogram closes sessions on its own, see ``LimitedSession``)."""
    await bot.session.close()
    limiter = getattr(bot.session, "limiter", None)
    if limiter is not None:
        await limiter.close()
