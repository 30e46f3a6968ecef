"""News for everyone in an event: who receives it, what may be sent, and the recent reports.

No aiogram here. The author is checked in the service too, whatever the handler did.
"""

from __future__ import annotations

import html
import re

from sqlalchemy import func, select

from core import people
from core.delivery import create_broadcast
from core.delivery.broadcast import BroadcastStatus, broadcast_status
from core.delivery.content import MAX_CAPTION, MAX_TEXT, visible_length
from core.delivery.models import Broadcast
from core.models import Event, Member

TITLE_MAX = 60


class NotAllowed(Exception):
    """Sending news attempted by someone who is not an organizer of the event."""


class NewsError(Exception):
    """Unsendable news. ``key`` is a locale key, ``args_`` its variables."""

    def __init__(self, key: str, **args):
        super().__init__(key)
        self.key, self.args_ = key, args


class _Operator:
    """The operator at the CLI: trusted, no Telegram member behind it (and nobody to report to)."""

    user_id = None

    def __repr__(self) -> str:
        return "OPERATOR"


OPERATOR = _Operator()


def _require_admin(app, event: Event, author: Member | _Operator | None) -> None:
    # An organizer by role or listed in the event's config (``events.<slug>.admins``), or the operator.
    if author is OPERATOR:
        return
    if not isinstance(author, Member) or author.event_id != event.id \
            or not people.is_admin(author, app.settings, event):
        raise NotAllowed


async def audience_size(session, event: Event) -> int:
    return await session.scalar(select(func.count()).select_from(Member).where(Member.event_id == event.id))


def check(text_html: str | None, *, with_photo: bool) -> None:
    """What Telegram would refuse later is refused now, with the numbers."""
    limit = MAX_CAPTION if with_photo else MAX_TEXT
    length = visible_length(text_html or "", "HTML")
    if not with_photo and not _plain(text_html):
        raise NewsError("news-error-empty")
    if length > limit:
        raise NewsError("news-error-too-long", length=length, limit=limit)


def _plain(text_html: str | None) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text_html or "")).strip()


def title_of(text_html: str | None) -> str:
    """The report's name for a news item: its first line, without markup."""
    plain = _plain(text_html)
    first = plain.splitlines()[0].strip() if plain else ""
    return (first[:TITLE_MAX - 1] + "…") if len(first) > TITLE_MAX else (first or "📷")


async def send(app, session, event: Event, author: Member | _Operator | None, *, text_html: str | None,
               photo: str | bytes | None = None) -> Broadcast:
    """Queue the news for every member of the event, in the caller's transaction."""
    _require_admin(app, event, author)
    check(text_html, with_photo=photo is not None)
    members = (await session.scalars(select(Member.user_id).where(Member.event_id == event.id)
                                     .order_by(Member.id))).all()
    return await create_broadcast(session, recipients=members, title=title_of(text_html), text=text_html or None,
                                  photo=photo, parse_mode="HTML", event_id=event.id, created_by=author.user_id)


async def recent(app, session, event: Event, author: Member | None, limit: int = 5) -> list[BroadcastStatus]:
    """The latest news of the event with their delivery counts, newest first."""
    _require_admin(app, event, author)
    ids = (await session.scalars(select(Broadcast.id).where(Broadcast.event_id == event.id)
                                 .order_by(Broadcast.id.desc()).limit(limit))).all()
    return [status for bid in ids if (status := await broadcast_status(session, bid)) is not None]
