"""Prometheus metrics (prometheus_client) for one bot process, served at ``/metrics``.

Each app has its own ``CollectorRegistry`` (several apps in one test process must not collide).
Labels carry plugin names, update types and outcomes only — never a user id or a text.
Scraped with several workers, each process reports its own figures; sum them in Prometheus.
"""

from __future__ import annotations

import time
from typing import Any

from aiogram import BaseMiddleware, Dispatcher, Router
from aiogram.dispatcher.event.bases import UNHANDLED
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from sqlalchemy import func, select

from core.delivery.models import OutboxMessage, OutboxState

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self, app) -> None:
        self.app = app
        self.registry = CollectorRegistry()
        r = self.registry
        self.updates = Counter("organizer_updates", "Updates processed, by type and outcome "
                               "(handled, unhandled, failed)", ["type", "outcome"], registry=r)
        self.latency = Histogram("organizer_handler_seconds", "Handler time per plugin ('core' for the core's)",
                                 ["plugin"], buckets=_LATENCY_BUCKETS, registry=r)
        self.errors = Counter("organizer_handler_errors", "Handlers that raised, per plugin", ["plugin"], registry=r)
        self.webhook_rejected = Counter("organizer_webhook_rejected", "Webhook requests refused, by reason",
                                        ["reason"], registry=r)
        self.outbox = Gauge("organizer_outbox_messages", "Outbox rows waiting, by state (read at scrape)",
                            ["state"], registry=r)
        r.register(_LiveCollector(app))

    async def refresh(self) -> None:
        """Figures that live in the database, read when scraped (one grouped count)."""
        pending = [s.value for s in (OutboxState.QUEUED, OutboxState.CLAIMED)]
        async with self.app.sessions() as session:
            rows = dict((await session.execute(
                select(OutboxMessage.state, func.count()).where(OutboxMessage.state.in_(pending))
                .group_by(OutboxMessage.state))).all())
        for state in pending:
            self.outbox.labels(state).set(rows.get(state, 0))

    async def render(self) -> bytes:
        await self.refresh()
        return generate_latest(self.registry)

    def instrument(self, dp: Dispatcher) -> None:
        """Count every update; time each router's handlers under its plugin's name."""
        dp.update.outer_middleware(_UpdateCounter(self))
        for router in dp.sub_routers:
            plugin = router.name.removeprefix("plugin:") if router.name.startswith("plugin:") else "core"
            _time_handlers(router, _HandlerTimer(self, plugin))


def _time_handlers(router: Router, timer: BaseMiddleware) -> None:
    # Inner middlewares apply to the handlers of this router and every router below it.
    for name, observer in router.observers.items():
        if name not in ("update", "error"):
            observer.middleware(timer)


class _UpdateCounter(BaseMiddleware):
    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    async def __call__(self, handler, event, data: dict[str, Any]) -> Any:
        try:
            result = await handler(event, data)
        except BaseException:
            self.metrics.updates.labels(event.event_type, "failed").inc()
            raise
        self.metrics.updates.labels(event.event_type, "unhandled" if result is UNHANDLED else "handled").inc()
        return result


class _HandlerTimer(BaseMiddleware):
    def __init__(self, metrics: Metrics, plugin: str) -> None:
        self.metrics = metrics
        self.plugin = plugin

    async def __call__(self, handler, event, data: dict[str, Any]) -> Any:
        started = time.perf_counter()
        try:
            return await handler(event, data)
        except Exception:
            self.metrics.errors.labels(self.plugin).inc()
            raise
        finally:
            self.metrics.latency.labels(self.plugin).observe(time.perf_counter() - started)


class _LiveCollector:
    """What other parts already count: the sender's statistics and the connection pool."""

    def __init__(self, app) -> None:
        self.app = app

    def collect(self):
        sender = self.app.services.get("outbox_sender")
        stats = getattr(sender, "stats", None)
        if stats is not None:
            for name, value, doc in (
                ("organizer_outbox_sent", stats.sent, "Outbox messages Telegram accepted"),
                ("organizer_outbox_failed", stats.failed, "Outbox messages refused for good"),
                ("organizer_outbox_requests", stats.requests, "Send requests made by the outbox sender"),
                ("organizer_telegram_429", stats.rate_limited, "429 Too Many Requests answers"),
                ("organizer_telegram_403", stats.blocked, "403 answers: the recipient blocked the bot"),
            ):
                family = CounterMetricFamily(name, doc)
                family.add_metric([], value)
                yield family
        pool = self.app.engine.sync_engine.pool
        checked_out = getattr(pool, "checkedout", None)
        if callable(checked_out):
            in_use = GaugeMetricFamily("organizer_db_pool_in_use", "Database connections checked out")
            in_use.add_metric([], checked_out())
            yield in_use
            size = getattr(pool, "size", None)
            if callable(size):
                capacity = GaugeMetricFamily("organizer_db_pool_size", "Database pool size (without overflow)")
                capacity.add_metric([], size())
                yield capacity
