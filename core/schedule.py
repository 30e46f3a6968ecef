"""The personal schedule: what every active plugin contributes for one member, by day, in the
event's timezone (no Telegram types)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from itertools import groupby

from core.contributions import ScheduleItem


async def personal_schedule(app, session, event, member) -> list[ScheduleItem]:
    items = await app.registry.call("schedule_items", active=set(app.active_plugins(event.slug)), app=app,
                                    session=session, event=event, member=member)
    return sorted((i for i in items if isinstance(i, ScheduleItem)), key=lambda i: (i.starts_at, i.title))


def by_local_day(items: list[ScheduleItem], timezone: str) -> list[tuple[dt.date, list[tuple[ScheduleItem, dt.datetime, dt.datetime | None]]]]:
    """Group items by the local date of their start; each with its local start and end."""
    tz = zoneinfo.ZoneInfo(timezone)
    local = [(i, i.starts_at.astimezone(tz), i.ends_at.astimezone(tz) if i.ends_at else None) for i in items]
    return [(day, list(group)) for day, group in groupby(local, key=lambda x: x[1].date())]
