"""An event's registrants as CSV: who, role, sign-up answers, consent and registration times.

Formula-safe through the core's one CSV writer (``core.csv_export``), so a name typed as
``=HYPERLINK(...)`` stays text. No aiogram here: the bot and the CLI both call it.
"""

from __future__ import annotations

import io

from sqlalchemy import select

from core import csv_export
from core.models import Event, Member, User


async def members_csv(session, settings, event: Event) -> tuple[str, int]:
    """(CSV text, number of rows). Columns: the core's, then the event's sign-up fields in their
    configured order, then any other answers stored (fields removed from the config since)."""
    conf = settings.events.get(event.slug)
    field_keys = [f.key for f in conf.signup.fields] if conf else []
    rows = (await session.execute(select(Member, User).join(User, User.id == Member.user_id)
                                  .where(Member.event_id == event.id).order_by(Member.id))).all()
    extra = sorted({k for m, _ in rows for k in (m.profile or {}) if k not in field_keys})
    out = io.StringIO()
    writer = csv_export.writer(out)
    writer.writerow(["user_id", "first_name", "last_name", "username", "role", "joined_at", "registered_at",
                     "consent_at", *field_keys, *extra])
    for member, user in rows:
        profile = member.profile or {}
        writer.writerow([user.id, user.first_name, user.last_name, user.username, member.role,
                         _iso(member.joined_at), _iso(member.registered_at), _iso(member.consent_at),
                         *(profile.get(k) for k in field_keys), *(profile.get(k) for k in extra)])
    return out.getvalue(), len(rows)


def _iso(value) -> str:
    return value.isoformat(timespec="seconds") if value is not None else ""
