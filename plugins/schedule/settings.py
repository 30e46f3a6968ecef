"""An event's schedule settings, read where they are needed: the plugin's config and the event's
time zone."""

from __future__ import annotations

import zoneinfo

from core.models import Event
from plugins.schedule.config import ScheduleConfig

PLUGIN = "schedule"


def config(app, event: Event) -> ScheduleConfig:
    try:
        conf = app.plugin_config(event.slug, PLUGIN)
    except KeyError:
        conf = None
    return conf if isinstance(conf, ScheduleConfig) else ScheduleConfig()


def tz_of(event: Event) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(event.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")
