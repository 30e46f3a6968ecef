"""Reads the service shares with the notices it sends (digests, reminders): the event's speakers,
who bookmarked which session, and reminder preferences."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from plugins.schedule.models import Bookmark, ReminderPref, Speaker


async def speakers_by_id(session: AsyncSession, event_id: int) -> dict[int, Speaker]:
    return {s.id: s for s in (await session.scalars(select(Speaker).where(Speaker.event_id == event_id))).all()}


async def bookmarkers(session: AsyncSession, session_ids: list[int]) -> dict[int, list[int]]:
    """Who bookmarked each of ``session_ids``."""
    found: dict[int, list[int]] = {sid: [] for sid in session_ids}
    if session_ids:
        rows = await session.execute(select(Bookmark.session_id, Bookmark.user_id)
                                     .where(Bookmark.session_id.in_(session_ids)))
        for sid, uid in rows.all():
            found[sid].append(uid)
    return found


async def prefs_of(session: AsyncSession, event_id: int, user_ids: list[int]) -> dict[int, tuple[bool, int | None]]:
    """Each given user's (enabled, chosen lead time or None); users without a row are left out."""
    if not user_ids:
        return {}
    rows = await session.scalars(select(ReminderPref).where(ReminderPref.event_id == event_id,
                                                            ReminderPref.user_id.in_(list(set(user_ids)))))
    return {p.user_id: (p.enabled, p.minutes) for p in rows.all()}
