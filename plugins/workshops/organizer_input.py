"""What an organizer types, read and checked: titles, texts, dates and times in the event's zone,
capacities, and the rules every saved workshop obeys (``validate``). No database here."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass, replace
from typing import Any

from core.db import utcnow
from plugins.workshops.models import DESCRIPTION_MAX, PLACE_MAX, SPEAKER_MAX, TITLE_MAX

CAPACITY_MAX = 100_000
MAX_DURATION = dt.timedelta(hours=24)


class InputError(Exception):
    """Bad organizer input. ``key`` is a locale key, ``args`` its variables."""

    def __init__(self, key: str, **args: Any):
        super().__init__(key)
        self.key = key
        self.args_ = args


@dataclass(frozen=True)
class WorkshopData:
    """A workshop as an organizer describes it (the dialogs, the program file, the CLI)."""

    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    speaker: str | None = None
    place: str | None = None
    description: str | None = None


_SPACES = re.compile(r"\s+")


def clean_title(text: str | None) -> str:
    value = _SPACES.sub(" ", (text or "").strip())
    if not value:
        raise InputError("workshops-error-title-empty")
    if len(value) > TITLE_MAX:
        raise InputError("workshops-error-too-long", length=len(value), limit=TITLE_MAX)
    return value


def clean_optional(text: str | None, limit: int, *, multiline: bool = False) -> str | None:
    """Optional text; "-" or empty means none."""
    value = (text or "").strip()
    if not multiline:
        value = _SPACES.sub(" ", value)
    if value in ("", "-", "—"):
        return None
    if len(value) > limit:
        raise InputError("workshops-error-too-long", length=len(value), limit=limit)
    return value


def clean_speaker(text):
    return clean_optional(text, SPEAKER_MAX)


def clean_place(text):
    return clean_optional(text, PLACE_MAX)


def clean_description(text):
    return clean_optional(text, DESCRIPTION_MAX, multiline=True)


_DATE_FORMATS = ("%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M", "%Y-%m-%dT%H:%M", "%d.%m.%y %H:%M")


def parse_local_datetime(text: str | None, tz: zoneinfo.ZoneInfo, now: dt.datetime | None = None) -> dt.datetime:
    """A date and time in the event's timezone → UTC: "2026-03-12 10:00", "12.03.2026 10:00",
    "12.03 10:00" (this year), or natural Russian and English forms ("5 декабря 18:00", "завтра в
    10:00", "Dec 5 6pm") read by dateparser. A date without a time is refused, not taken as midnight."""
    value = _SPACES.sub(" ", (text or "").strip())
    parsed = None
    for fmt in _DATE_FORMATS:
        try:
            parsed = dt.datetime.strptime(value, fmt)
            break
        except ValueError:
            continue
    if parsed is None:
        match = re.fullmatch(r"(\d{1,2})\.(\d{1,2}) (\d{1,2}):(\d{2})", value)
        if match:
            year = (now or utcnow()).astimezone(tz).year
            try:
                parsed = dt.datetime(year, int(match[2]), int(match[1]), int(match[3]), int(match[4]))
            except ValueError:
                parsed = None
    if parsed is None and value:
        parsed = _natural_datetime(value, tz, now or utcnow())
    if parsed is None:
        raise InputError("workshops-error-datetime", example="2026-03-12 10:00")
    return parsed.replace(tzinfo=tz).astimezone(dt.UTC)


def _natural_datetime(value: str, tz: zoneinfo.ZoneInfo, now: dt.datetime) -> dt.datetime | None:
    """Natural forms through dateparser, naive in ``tz``; None unless both a day and a time were given
    (``RETURN_TIME_AS_PERIOD`` tells "5 декабря" (a day) from "5 декабря 0:00" (a time))."""
    from dateparser.date import DateDataParser  # imported on first use: it loads its language data

    parser = DateDataParser(languages=["ru", "en"], settings={
        "TIMEZONE": tz.key, "RETURN_AS_TIMEZONE_AWARE": False, "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": now.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0),
        "DATE_ORDER": "DMY", "REQUIRE_PARTS": ["day", "month"], "RETURN_TIME_AS_PERIOD": True,
    })
    found = parser.get_date_data(value[:100])
    if found.date_obj is None or found.period != "time":
        return None
    return found.date_obj.replace(second=0, microsecond=0)


def parse_end(text: str | None, starts_at: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """The end: "11:30" (same day as the start), a full date and time, or "90" minutes."""
    value = (text or "").strip()
    if re.fullmatch(r"\d{1,4}", value):
        ends_at = starts_at + dt.timedelta(minutes=int(value))
    elif match := re.fullmatch(r"(\d{1,2}):(\d{2})", value):
        hour, minute = int(match[1]), int(match[2])
        if hour > 23 or minute > 59:
            raise InputError("workshops-error-end-format")
        local = starts_at.astimezone(tz)
        ends_at = local.replace(hour=hour, minute=minute, second=0, microsecond=0).astimezone(dt.UTC)
    else:
        try:  # relative forms ("завтра в 18:00") count from the start, not from now
            ends_at = parse_local_datetime(value, tz, now=starts_at)
        except InputError:
            raise InputError("workshops-error-end-format") from None
    check_times(starts_at, ends_at)
    return ends_at


def check_times(starts_at: dt.datetime, ends_at: dt.datetime, now: dt.datetime | None = None) -> None:
    if now is not None and starts_at <= now:
        raise InputError("workshops-error-in-past")
    if ends_at <= starts_at:
        raise InputError("workshops-error-end-before-start")
    if ends_at - starts_at > MAX_DURATION:
        raise InputError("workshops-error-too-long-duration", hours=int(MAX_DURATION.total_seconds() // 3600))


def parse_capacity(text: str | int | None) -> int:
    value = str(text if text is not None else "").strip()
    if not value.isascii() or not value.isdigit():  # any length: 1000000000 is a number, only too big
        raise InputError("workshops-error-capacity-number", limit=CAPACITY_MAX)
    number = int(value)
    if number < 1 or number > CAPACITY_MAX:
        raise InputError("workshops-error-capacity-range", limit=CAPACITY_MAX)
    return number


def validate(data: WorkshopData, now: dt.datetime | None = None) -> WorkshopData:
    """Every rule a saved workshop obeys; ``now`` given: the start must still be ahead."""
    title = clean_title(data.title)
    speaker, place = clean_speaker(data.speaker), clean_place(data.place)
    description = clean_description(data.description)
    capacity = parse_capacity(data.capacity)
    check_times(data.starts_at, data.ends_at, now)
    return replace(data, title=title, speaker=speaker, place=place, description=description, capacity=capacity)

