"""Start the delivery workers inside the app: one outbox sender and one job runner per process."""

from __future__ import annotations

import asyncio
import logging

log = logging.getLogger(__name__)


def start_workers(app) -> None:
    """Called from ``OrganizerApp.startup()``; ``shutdown()`` cancels the tasks and the sender
    finishes its in-flight requests and records their outcomes before the bot session closes.

    Sender and job runner claim under one worker id, whose lease (core.delivery.leases) this
    process renews; the lease ends only after the sender recorded what it could.
    """
    from core.delivery.leases import LeaseKeeper
    from core.delivery.sender import OutboxSender, default_worker_id
    from core.jobs.runner import JobRunner

    if "outbox_sender" in app.services:  # startup() called twice: keep the running workers
        return

    settings = app.settings.delivery
    worker_id = default_worker_id()
    keeper = LeaseKeeper(app.sessions, worker_id, settings.lease_seconds)
    # The bot's session owns the limiter every reply passes; the sender is its bulk lane, so a
    # broadcast leaves room for replies and a 429 seen by either pauses both.
    shared = getattr(app.bot.session, "limiter", None)
    sender = OutboxSender(app.bot, app.sessions, settings, worker_id=worker_id, redis_url=app.settings.redis.url,
                          limiter=shared)
    runner = JobRunner(app.sessions, app.jobs, bot=app.bot, app=app, worker_id=worker_id)
    app.services["outbox_sender"] = sender
    app.services["job_runner"] = runner
    app.services["lease_keeper"] = keeper

    async def run_sender() -> None:
        lease = asyncio.create_task(keeper.run(), name="worker-lease")
        try:
            await sender.run()
        finally:
            try:
                await sender.close()
            finally:
                lease.cancel()
                await asyncio.gather(lease, return_exceptions=True)

    app.start_background(run_sender())
    app.start_background(runner.run())
