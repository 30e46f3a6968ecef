"""The schedule's groups for news (the news plugin's hooks): people who bookmarked one session.

Offered for upcoming sessions with bookmarks, nearest first; the people are read when the news is
sent, so a bookmark made after the preview still gets it.
"""

from __future__ import annotations

from sqlalchemy import func, select

from core.models import Event
from plugins.schedule import clock
from plugins.schedule.models import Bookmark, Session
from plugins.schedule.settings import tz_of

KEY_PREFIX = "schedule:"
OFFERED_MAX = 8
LABEL_TITLE_MAX = 32


async def offered(session, event: Event, tr) -> list:
    from plugins.news.public import NewsAudience  # only called when the news plugin is there

    marked = func.count(Bookmark.id)
    rows = (await session.execute(
        select(Session, marked).join(Bookmark, Bookmark.session_id == Session.id)
        .where(Session.event_id == event.id, Session.starts_at > clock.now(), Session.cancelled.is_(False),
               Session.published_at.is_not(None))
        .group_by(Session.id).order_by(Session.starts_at, Session.id).limit(OFFERED_MAX))).all()
    tz = tz_of(event)
    out = []
    for row, count in rows:
        title = row.title if len(row.title) <= LABEL_TITLE_MAX else row.title[:LABEL_TITLE_MAX - 1] + "…"
        label = tr("schedule-news-audience", title=title, when=f"{row.starts_at.astimezone(tz):%d.%m %H:%M}")
        out.append(NewsAudience(f"{KEY_PREFIX}{row.id}", label, count))
    return out


async def people(session, event: Event, key: str) -> list[int] | None:
    if not key.startswith(KEY_PREFIX) or not key[len(KEY_PREFIX):].isdigit():
        return None
    found = await session.scalar(select(Session.id).where(Session.id == int(key[len(KEY_PREFIX):]),
                                                          Session.event_id == event.id))
    if found is None:
        return None
    return list((await session.scalars(select(Bookmark.user_id).where(Bookmark.session_id == found)
                                       .order_by(Bookmark.id))).all())
