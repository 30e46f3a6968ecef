"""``organizer run --webhook``: Telegram's updates over HTTPS through a reverse proxy, plus probes.

    POST <webhook.path>   an update; answered 200 only once it was handled (its transaction
                          committed, its reply sent or queued in the outbox). Any failure before
                          that answers 500 and Telegram delivers the update again, so a crash or a
                          database outage never loses an update Telegram was told we had.
    GET /healthz          the process is up (liveness)
    GET /readyz           the database answers (and Redis, if configured): route traffic here
    GET /metrics          Prometheus (core.metrics)

The secret token is compared in constant time; a request without it is refused with 401 before
its body is read. Several processes may listen on one port (``reuse_port``, Linux's
SO_REUSEPORT): the kernel spreads connections over them, and they share PostgreSQL and Redis.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import signal

from aiogram.methods import TelegramMethod
from aiogram.types import Update
from aiohttp import web
from sqlalchemy import text

from core.outage import is_outage

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
PROBE_TIMEOUT = 2.0


class WebhookServer:
    def __init__(self, app, *, host: str, port: int, reuse_port: bool = False) -> None:
        self.app = app
        self.host = host
        self.port = port
        self.reuse_port = reuse_port
        self.secret = app.settings.webhook.secret_token
        # Built here, not with the app: prometheus_client costs start-up time a polling bot does
        # not need. Middlewares added to a built dispatcher take effect from the next update.
        from core.metrics import Metrics

        self.metrics = Metrics(app)
        self.metrics.instrument(app.dispatcher)
        self.accepting = False
        app.redelivers_updates = True  # an update answered 500 comes back (core.outage)
        self._runner: web.AppRunner | None = None
        web_app = web.Application(client_max_size=1 << 20)  # an update is a few KB
        web_app.router.add_post(app.settings.webhook.path, self.update)
        web_app.router.add_get("/healthz", self.healthz)
        web_app.router.add_get("/readyz", self.readyz)
        web_app.router.add_get("/metrics", self.serve_metrics)
        self.web_app = web_app

    async def start(self) -> int:
        self._runner = web.AppRunner(self.web_app, access_log=None)  # access logs would carry nothing useful
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, reuse_port=self.reuse_port or None)
        await site.start()
        self.accepting = True
        if self.port == 0:  # the port the OS picked (aiohttp's public list of bound addresses)
            self.port = self._runner.addresses[0][1]
        log.info("webhook server listening on %s:%d", self.host, self.port)
        return self.port

    async def stop(self) -> None:
        """Refuse new updates (503: Telegram retries them, on another worker if there is one), then
        let the requests being handled finish."""
        self.accepting = False
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -------------------------------------------------------------------------------- handlers

    async def update(self, request: web.Request) -> web.Response:
        if self.secret is not None:
            given = request.headers.get(SECRET_HEADER, "")
            if not hmac.compare_digest(given.encode(), self.secret.encode()):
                self.metrics.webhook_rejected.labels("secret").inc()
                return web.Response(status=401, text="wrong or missing secret token")
        if not self.accepting:
            return web.Response(status=503, text="stopping")
        bot, dp = self.app.bot, self.app.dispatcher
        try:
            update = Update.model_validate(await request.json(), context={"bot": bot})
        except Exception:
            self.metrics.webhook_rejected.labels("malformed").inc()
            return web.Response(status=400, text="not a Telegram update")
        try:
            result = await dp.feed_update(bot, update)
            if isinstance(result, TelegramMethod):  # a handler returned a method instead of awaiting it
                await bot(result)
        except Exception as exc:
            # Not acknowledged: Telegram keeps the update and delivers it again.
            if is_outage(exc):  # expected while the database or Redis restarts: one line, no traceback
                log.warning("update %s not handled (%s: the database or Redis is unreachable); Telegram "
                            "will deliver it again", update.update_id, type(exc).__name__)
            else:
                log.exception("update %s not handled; Telegram will deliver it again", update.update_id)
            return web.Response(status=500, text="not handled")
        return web.json_response({})

    async def healthz(self, _request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(self, _request: web.Request) -> web.Response:
        checks = {"database": await _probe(self._database()), "accepting": self.accepting}
        if self.app.settings.redis.url:
            checks["redis"] = await _probe(self._redis())
        ready = all(checks.values())
        return web.json_response({"status": "ready" if ready else "not ready", **checks},
                                 status=200 if ready else 503)

    async def serve_metrics(self, _request: web.Request) -> web.Response:
        from core.metrics import CONTENT_TYPE

        try:
            body = await asyncio.wait_for(self.metrics.render(), PROBE_TIMEOUT * 2)
        except Exception:
            log.warning("metrics could not be read from the database", exc_info=True)
            return web.Response(status=503, text="metrics unavailable: database not answering")
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})

    async def _database(self) -> None:
        async with self.app.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def _redis(self) -> None:
        storage = self.app.dispatcher.storage
        await storage.redis.ping()


async def _probe(check) -> bool:
    try:
        await asyncio.wait_for(check, PROBE_TIMEOUT)
        return True
    except Exception:
        return False


async def run_webhook(app, *, host: str | None = None, port: int | None = None, reuse_port: bool = False,
                      handle_signals: bool = True, stop: asyncio.Event | None = None) -> None:
    """Serve until SIGTERM/SIGINT (or ``stop`` is set); updates being handled finish first."""
    settings = app.settings.webhook
    if settings.secret_token is None:
        log.warning("webhook.secret_token is not set: anyone who finds the URL can post updates")
    await app.startup()
    stop = stop or asyncio.Event()
    if handle_signals:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
    server = WebhookServer(app, host=host or settings.host, port=settings.port if port is None else port,
                           reuse_port=reuse_port)
    try:
        await app.set_commands()
        await server.start()  # listening before Telegram is told where to post
        if settings.url:
            await app.bot.set_webhook(settings.url, secret_token=settings.secret_token,
                                      allowed_updates=app.dispatcher.resolve_used_update_types())
        if handle_signals:  # a process of its own (tests run many apps in one and must not freeze)
            app.freeze_startup_objects()
        await stop.wait()
    finally:
        await server.stop()
        await app.shutdown()
