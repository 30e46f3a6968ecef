"""The personal schedule as an iCalendar file (RFC 5545), built with ``icalendar``.

UIDs are stable (the session's id and the event's slug; for another plugin's item, its kind and
title), so importing a newer export into a calendar updates the entries instead of duplicating
them; SEQUENCE grows with each edit of a session. Times carry the event's timezone (with its
VTIMEZONE), so they read the same in any calendar app — except a wall-clock time the zone shows
twice (the hour repeated when summer time ends): there a TZID time means the first one (RFC 5545,
3.3.5), which would move the second by an hour, so such a time is written in UTC. Every event has
a DTEND; a deadline's equals its DTSTART (a moment).
"""

from __future__ import annotations

import datetime as dt
import hashlib

import icalendar

PRODID = "-//Pocket Organizer//schedule//EN"


def uid_of_session(event_slug: str, session_id: int) -> str:
    return f"session-{session_id}@{event_slug}.pocket-organizer"


def uid_of_item(event_slug: str, kind: str, title: str) -> str:
    digest = hashlib.sha256(f"{kind}\x00{title}".encode()).hexdigest()[:16]
    return f"{kind}-{digest}@{event_slug}.pocket-organizer"


def _at(moment: dt.datetime, tz) -> dt.datetime:
    """``moment`` in the event's timezone, or in UTC where that local time is ambiguous."""
    local = moment.astimezone(tz)
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return moment.astimezone(dt.UTC)
    return local


def build(event, sessions, speakers, items, tz, *, stamp: dt.datetime) -> bytes:
    """``sessions``: schedule rows; ``items``: other plugins' ``ScheduleItem`` entries."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", event.title)
    cal.add("x-wr-timezone", str(tz))
    for row in sessions:
        vevent = icalendar.Event()
        vevent.add("uid", uid_of_session(event.slug, row.id))
        vevent.add("dtstamp", stamp.astimezone(dt.UTC))
        vevent.add("dtstart", _at(row.starts_at, tz))
        # A deadline is a moment: a zero-length event is what calendars show as one.
        vevent.add("dtend", _at(row.ends_at or row.starts_at, tz))
        vevent.add("summary", row.title)
        if row.room:
            vevent.add("location", row.room)
        names = ", ".join(speakers[i].name for i in row.speaker_ids or () if i in speakers)
        description = "\n\n".join(p for p in (names, row.description or "") if p)
        if description:
            vevent.add("description", description)
        if row.track:
            vevent.add("categories", [row.track])
        vevent.add("last-modified", row.updated_at.astimezone(dt.UTC))
        vevent.add("sequence", int(row.updated_at.timestamp()) // 60 % 2_000_000_000)
        cal.add_component(vevent)
    for item in items:
        vevent = icalendar.Event()
        vevent.add("uid", uid_of_item(event.slug, item.kind, item.title))
        vevent.add("dtstamp", stamp.astimezone(dt.UTC))
        vevent.add("dtstart", _at(item.starts_at, tz))
        vevent.add("dtend", _at(item.ends_at or item.starts_at, tz))
        vevent.add("summary", item.title)
        if item.place:
            vevent.add("location", item.place)
        cal.add_component(vevent)
    cal.add_missing_timezones()
    return cal.to_ical()
