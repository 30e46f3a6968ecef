"""How a date and a time are written to users: one format for every list, card and schedule.

A day is "пн, 05.12" ("Mon, 05.12"), a time "10:00", a span "пн, 05.12, 10:00–11:30". A deadline
also names its timezone as an offset ("19:17 UTC+3"): a bot cannot know the reader's own timezone
(Telegram does not tell it), and "до 19:17" read in another one looked like a five-hour hold.
"""

from __future__ import annotations

import datetime as dt

WEEKDAY_KEYS = tuple(f"date-wd-{i}" for i in range(7))


def format_day(tr, moment: dt.datetime | dt.date, tz=None) -> str:
    """The day of ``moment`` in ``tz`` (a ``date`` is taken as it is)."""
    day = moment.astimezone(tz).date() if isinstance(moment, dt.datetime) else moment
    return tr("date-day", weekday=tr(WEEKDAY_KEYS[day.weekday()]), date=f"{day:%d.%m}")


def format_time(moment: dt.datetime, tz) -> str:
    return f"{moment.astimezone(tz):%H:%M}"


def format_span(tr, start: dt.datetime, end: dt.datetime | None, tz) -> str:
    """"пн, 05.12, 10:00–11:30"; an end on another day is written with its own day."""
    if end is None:
        return f"{format_day(tr, start, tz)}, {format_time(start, tz)}"
    if start.astimezone(tz).date() == end.astimezone(tz).date():
        return f"{format_day(tr, start, tz)}, {format_time(start, tz)}–{format_time(end, tz)}"
    return f"{format_day(tr, start, tz)}, {format_time(start, tz)} – {format_day(tr, end, tz)}, {format_time(end, tz)}"


def utc_offset(moment: dt.datetime, tz) -> str:
    """"UTC+3", "UTC+5:30", "UTC" for ``tz`` at ``moment`` (offsets change with summer time)."""
    offset = moment.astimezone(tz).utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign, minutes = ("+" if minutes > 0 else "−"), abs(minutes)
    return f"UTC{sign}{minutes // 60}" + (f":{minutes % 60:02d}" if minutes % 60 else "")


def format_deadline(moment: dt.datetime, tz) -> str:
    """"19:17 UTC+3": a deadline's time with its timezone."""
    return f"{format_time(moment, tz)} {utc_offset(moment, tz)}"
