"""What other plugins may use of the schedule (besides the hooks in ``hookspecs.py``).

Everything here reads the *published* program and takes the caller's session (``now`` reads the
schedule's clock); nothing imports aiogram. Times are timezone-aware UTC.

    from plugins.schedule import public as schedule

    info = await schedule.session_info(session, event.id, session_id)
    people = await schedule.bookmarkers(session, session_id)
    ended = await schedule.ended_between(session, event.id, since, until)
    if schedule.now() >= info.starts_at: ...
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from plugins.schedule import clock
from plugins.schedule.models import Bookmark, Session, Speaker


def now() -> dt.datetime:
    """The schedule's "now": the real clock, or the fixed one a test or a rehearsal of the event set
    (``clock.use``). Compare session times with this rather than with ``utcnow()``."""
    return clock.now()


@dataclass(frozen=True)
class SessionInfo:
    id: int
    key: str | None
    kind: str  # talk | keynote | break | deadline | other
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    room: str | None
    track: str | None
    speaker_names: tuple[str, ...]
    speaker_user_ids: tuple[int, ...]  # speakers who claimed their entry
    cancelled: bool


async def _info(session, row: Session) -> SessionInfo:
    ids = list(row.speaker_ids or ())
    speakers = {s.id: s for s in (await session.scalars(select(Speaker).where(Speaker.id.in_(ids)))).all()} if ids else {}
    return SessionInfo(row.id, row.key, row.kind, row.title, row.starts_at, row.ends_at, row.room, row.track,
                       tuple(speakers[i].name for i in ids if i in speakers),
                       tuple(speakers[i].user_id for i in ids if i in speakers and speakers[i].user_id),
                       row.cancelled)


async def session_info(session, event_id: int, session_id: int) -> SessionInfo | None:
    """A published session of the event, or None."""
    row = await session.scalar(select(Session).where(Session.id == session_id, Session.event_id == event_id,
                                                     Session.published_at.is_not(None)))
    return None if row is None else await _info(session, row)


async def bookmarkers(session, session_id: int) -> list[int]:
    """User ids of everyone who bookmarked the session."""
    return list((await session.scalars(select(Bookmark.user_id).where(Bookmark.session_id == session_id)
                                       .order_by(Bookmark.id))).all())


async def ended_between(session, event_id: int, since: dt.datetime, until: dt.datetime) -> list[SessionInfo]:
    """Published, not cancelled sessions that ended in ``[since, until)`` (e.g. to ask for ratings)."""
    rows = await session.scalars(select(Session).where(
        Session.event_id == event_id, Session.published_at.is_not(None), Session.cancelled.is_(False),
        Session.ends_at >= since, Session.ends_at < until).order_by(Session.ends_at, Session.id))
    return [await _info(session, row) for row in rows.all()]


async def speaker_names(session, event_id: int, user_id: int) -> list[str]:
    """Names of the speaker entries ``user_id`` claimed in the event (other plugins match their own
    speaker fields against them, so one person sees all their slots)."""
    return list((await session.scalars(select(Speaker.name).where(Speaker.event_id == event_id,
                                                                  Speaker.user_id == user_id))).all())
