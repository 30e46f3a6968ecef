"""Start the delivery workers inside the app: one outbox sender and one job runner per process."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def start_workers(app) -> None:
    """Called from ``OrganizerApp.startup()``; ``shutdown()`` cancels the tasks and the sender
    finishes its in-flight requests and records their outcomes before the bot session closes."""
    from core.delivery.sender import OutboxSender
    from core.jobs.runner import JobRunner

    if "outbox_sender" in app.services:  # startup() called twice: keep the running workers
        return

    # The bot's session owns the limiter every reply passes; the sender is its bulk lane, so a
    # broadcast leaves room for replies and a 429 seen by either pauses both.
    shared = getattr(app.bot.session, "limiter", None)
    sender = OutboxSender(app.bot, app.sessions, app.settings.delivery, redis_url=app.settings.redis.url,
                          limiter=shared)
    runner = JobRunner(app.sessions, app.jobs, bot=app.bot, app=app)
    app.services["outbox_sender"] = sender
    app.services["job_runner"] = runner

    async def run_sender() -> None:
        try:
            await sender.run()
        finally:
            await sender.close()

    app.start_background(run_sender())
    app.start_background(runner.run())
