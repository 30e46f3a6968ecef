"""Waitlist jobs: the due-time offer expiry and the periodic sweep (a safety net).

An offer schedules ``waitlist:offer_due`` at its deadline (``core.jobs.schedule``): the seat passes
to the next person on time, in the job's transaction. The sweep catches whatever a lost or late
timer missed; lazy expiry (a lapsed offer stops counting at once) means neither can double-book.
"""

from __future__ import annotations

import logging

from core.db import utcnow
from core.models import Event
from plugins.waitlist import service
from plugins.workshops import public as workshops

log = logging.getLogger(__name__)


def _app(ctx):
    return getattr(ctx, "app", None) or ctx


async def sweep(ctx, session=None, payload=None) -> None:
    changed = await service.sweep(_app(ctx))
    if changed:
        log.info("waitlist sweep passed seats on in %d workshop(s)", changed)


async def offer_due(ctx, session, payload) -> None:
    """An offer's deadline: expire it if still open and offer the seat to the next person."""
    app = _app(ctx)
    event = await session.get(Event, int(payload["event_id"]))
    if event is None or event.slug not in app.settings.events or service.PLUGIN not in app.active_plugins(event.slug):
        return
    workshop = await workshops.lock_workshop(session, event.id, int(payload["workshop_id"]))
    if workshop is not None:
        await service.settle(app, session, event, workshop, utcnow())
