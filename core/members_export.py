"""An event's registrants as CSV: who, role, sign-up answers, consent and registration times.

Formula-safe through the core's one CSV writer (``core.csv_export``), so a name typed as
``=HYPERLINK(...)`` stays text. No aiogram here: the bot and the CLI both call it. The rows are
read on the loop as plain values; the text is written in a worker thread, so the bot keeps
answering taps while an organizer exports a big event.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select

from core import csv_export
from core.models import Event, Member, User


async def members_csv(session, settings, event: Event) -> tuple[str, int]:
    """(CSV text, number of rows). Columns: the core's, then the event's sign-up fields in their
    configured order, then any other answers stored (fields removed from the config since)."""
    conf = settings.events.get(event.slug)
    field_keys = [f.key for f in conf.signup.fields] if conf else []
    rows = (await session.execute(
        select(User.id, User.first_name, User.last_name, User.username, Member.role, Member.joined_at,
               Member.registered_at, Member.consent_at, Member.profile)
        .select_from(Member).join(User, User.id == Member.user_id)
        .where(Member.event_id == event.id).order_by(Member.id))).all()
    return await asyncio.to_thread(_text, field_keys, [tuple(r) for r in rows]), len(rows)


def _text(field_keys: list[str], rows: list[tuple[Any, ...]]) -> str:
    extra = sorted({k for *_, profile in rows for k in (profile or {}) if k not in field_keys})
    header = ["user_id", "first_name", "last_name", "username", "role", "joined_at", "registered_at",
              "consent_at", *field_keys, *extra]
    lines = [header]
    for user_id, first, last, username, role, joined, registered, consent, profile in rows:
        profile = profile or {}
        lines.append([user_id, first, last, username, role, _iso(joined), _iso(registered), _iso(consent),
                      *(profile.get(k) for k in field_keys), *(profile.get(k) for k in extra)])
    return csv_export.text(lines)


def _iso(value) -> str:
    return value.isoformat(timespec="seconds") if value is not None else ""
