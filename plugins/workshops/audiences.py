"""The workshops plugin's groups for news (the news plugin's hooks): people booked for one workshop.

Offered for the upcoming workshops that have bookings, nearest first; the people are read when the
news is sent, so a booking made after the preview still gets it.
"""

from __future__ import annotations

from sqlalchemy import func, select

from core.db import utcnow
from core.models import Event
from plugins.workshops.models import Booking, Workshop
from plugins.workshops.settings import tz_of

KEY_PREFIX = "workshops:"
OFFERED_MAX = 8
LABEL_TITLE_MAX = 16  # the date first, then a short title: the label fits a phone's button


def key_of(workshop_id: int) -> str:
    return f"{KEY_PREFIX}{workshop_id}"


async def offered(session, event: Event, tr) -> list:
    from plugins.news.public import NewsAudience  # only called when the news plugin is there

    booked = func.count(Booking.id)
    rows = (await session.execute(
        select(Workshop, booked).join(Booking, Booking.workshop_id == Workshop.id)
        .where(Workshop.event_id == event.id, Workshop.ends_at > utcnow())
        .group_by(Workshop.id).order_by(Workshop.starts_at, Workshop.id).limit(OFFERED_MAX)
    )).all()
    tz = tz_of(event)
    audiences = []
    for workshop, count in rows:
        title = workshop.title if len(workshop.title) <= LABEL_TITLE_MAX else workshop.title[:LABEL_TITLE_MAX - 1] + "…"
        label = tr("workshops-news-audience", title=title, when=f"{workshop.starts_at.astimezone(tz):%d.%m %H:%M}")
        audiences.append(NewsAudience(key_of(workshop.id), label, count))
    return audiences


async def people(session, event: Event, key: str) -> list[int] | None:
    if not key.startswith(KEY_PREFIX) or not key[len(KEY_PREFIX):].isdigit():
        return None
    workshop = await session.scalar(select(Workshop.id).where(Workshop.id == int(key[len(KEY_PREFIX):]),
                                                             Workshop.event_id == event.id))
    if workshop is None:
        return None
    return list((await session.scalars(select(Booking.user_id).where(Booking.workshop_id == workshop)
                                       .order_by(Booking.id))).all())
