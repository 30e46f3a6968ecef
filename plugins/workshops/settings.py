"""An event's workshops settings, read where they are needed: the plugin's config, the event's
time zone and the moment booking closes."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from core.models import Event
from plugins.workshops.config import WorkshopsConfig
from plugins.workshops.models import Workshop

PLUGIN = "workshops"


def config(app, event: Event) -> WorkshopsConfig:
    """The event's ``events.<slug>.plugins.workshops`` settings (the defaults when it has none)."""
    return config_for(app, event.slug)


def config_for(app, slug: str) -> WorkshopsConfig:
    try:
        conf = app.plugin_config(slug, PLUGIN)
    except KeyError:
        conf = None
    return conf if isinstance(conf, WorkshopsConfig) else WorkshopsConfig()


def tz_of(event: Event) -> zoneinfo.ZoneInfo:
    """The event's time zone (UTC when it names none, or one this system does not know)."""
    try:
        return zoneinfo.ZoneInfo(event.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def booking_closes_at(app, event: Event, workshop: Workshop) -> dt.datetime:
    """Booking (and cancelling) stops ``booking_cutoff_minutes`` before the start."""
    return workshop.starts_at - dt.timedelta(minutes=config(app, event).booking_cutoff_minutes)
