"""Waitlist jobs: the periodic sweep (lapsed offers → next person) and the due-time offer expiry."""

from __future__ import annotations

import logging

from plugins.waitlist import service

log = logging.getLogger(__name__)


def _app(ctx):
    return getattr(ctx, "app", ctx)


async def sweep(ctx, payload=None) -> None:
    changed = await service.sweep(_app(ctx))
    if changed:
        log.info("waitlist sweep passed seats on in %d workshop(s)", changed)


async def offer_due(ctx, payload=None) -> None:
    """An offer's deadline passed: the same sweep, so a lost timer only delays, never double-books."""
    await service.sweep(_app(ctx))
