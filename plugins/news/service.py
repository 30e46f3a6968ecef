"""News for everyone in an event: who receives it, what may be sent, and the recent reports.

No aiogram here. The author is checked in the service too, whatever the handler did.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from sqlalchemy import func, select

from core import people
from core.people import SYSTEM, NotAllowed, SystemActor  # noqa: F401  (part of this service's API)
from core.delivery import create_broadcast
from core.delivery.broadcast import BroadcastStatus, broadcast_status
from core.delivery.content import MAX_CAPTION, MAX_TEXT, visible_length
from core.delivery.models import Broadcast
from core.models import Event, Member
from plugins.news.public import NewsAudience

PLUGIN = "news"
TITLE_MAX = 60
EVERYONE = "all"
AUDIENCE_KEY_MAX = 40


class NewsError(Exception):
    """Unsendable news. ``key`` is a locale key, ``args_`` its variables."""

    def __init__(self, key: str, **args):
        super().__init__(key)
        self.key, self.args_ = key, args


async def audience_size(session, event: Event) -> int:
    return await session.scalar(select(func.count()).select_from(Member).where(Member.event_id == event.id))


def _others(app, event: Event) -> set[str]:
    return set(app.active_plugins(event.slug)) - {PLUGIN}


async def audiences(app, session, event: Event, tr) -> list[NewsAudience]:
    """Everyone, then the non-empty groups other plugins offer (keys checked: ``<their name>:...``)."""
    found = [NewsAudience(EVERYONE, tr("news-audience-all"), await audience_size(session, event))]
    for plugin, offered in await app.registry.call_each("news_audiences", active=_others(app, event), app=app,
                                                         session=session, event=event, tr=tr):
        for audience in offered or ():
            if not audience.key.startswith(f"{plugin}:") or len(audience.key) > AUDIENCE_KEY_MAX:
                raise ValueError(f"plugin {plugin!r} offered news audience key {audience.key!r}; "
                                 f"expected '{plugin}:…' of at most {AUDIENCE_KEY_MAX} characters")
            if audience.count > 0:
                found.append(audience)
    return found


async def recipients(app, session, event: Event, key: str) -> list[int]:
    """The people of audience ``key`` now; NewsError if that group is gone (or its plugin is off)."""
    if key == EVERYONE:
        return list((await session.scalars(select(Member.user_id).where(Member.event_id == event.id)
                                           .order_by(Member.id))).all())
    plugin = key.split(":", 1)[0]
    if plugin in _others(app, event):
        for _, ids in await app.registry.call_each("news_recipients", active={plugin}, app=app, session=session,
                                                   event=event, key=key):
            if ids:
                return list(ids)
    raise NewsError("news-error-audience-gone")


def header(app, event: Event) -> str:
    """The line above every news item: members see it comes from this event's organizers."""
    return app.translator(event.language)("news-header", event=html.escape(event.title, quote=False))


def with_header(app, event: Event, text_html: str | None) -> str:
    return header(app, event) + ("\n\n" + text_html if text_html else "")


def header_length(app, event: Event) -> int:
    return visible_length(with_header(app, event, "x"), "HTML") - 1


def check(text_html: str | None, *, with_photo: bool, reserved: int = 0) -> None:
    """What Telegram would refuse later is refused now, with the numbers. ``reserved``: characters
    the header takes of Telegram's limit."""
    limit = (MAX_CAPTION if with_photo else MAX_TEXT) - reserved
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


async def send(app, session, event: Event, author: Member | SystemActor | None, *, text_html: str | None,
               photo: str | bytes | None = None, audience: str = EVERYONE) -> Broadcast:
    """Queue the news for ``audience`` (everyone by default) as it is now, in the caller's transaction."""
    people.require_organizer(app.settings, event, author)
    check(text_html, with_photo=photo is not None, reserved=header_length(app, event))
    people_now = await recipients(app, session, event, audience)
    return await create_broadcast(session, recipients=people_now, title=title_of(text_html),
                                  text=with_header(app, event, text_html),
                                  photo=photo, parse_mode="HTML", event_id=event.id, created_by=author.user_id)


async def recent(app, session, event: Event, author: Member | None, limit: int = 5) -> list[BroadcastStatus]:
    """The latest news of the event with their delivery counts, newest first."""
    people.require_organizer(app.settings, event, author)
    ids = (await session.scalars(select(Broadcast.id).where(Broadcast.event_id == event.id)
                                 .order_by(Broadcast.id.desc()).limit(limit))).all()
    return [status for bid in ids if (status := await broadcast_status(session, bid)) is not None]


# --- the participant's feed ---------------------------------------------------------------------------

@dataclass(frozen=True)
class FeedItem:
    text: str | None  # HTML, as it was sent
    has_photo: bool
    sent_at: object  # datetime the news was written


async def feed(session, event: Event, user_id: int, index: int) -> tuple[FeedItem | None, int]:
    """The ``index``-th newest news this user was sent in ``event`` (0 = latest), and how many there are.

    Read from the user's own outbox rows of the event's broadcasts, so each person pages through
    exactly the news addressed to them (everyone's, and their groups'), whether or not the chat
    was muted, and nobody sees news meant for another group."""
    from core.delivery.models import OutboxMessage

    mine = (select(OutboxMessage.content, Broadcast.created_at)
            .join(Broadcast, Broadcast.id == OutboxMessage.batch_id)
            .where(Broadcast.event_id == event.id, OutboxMessage.user_id == user_id))
    total = await session.scalar(select(func.count()).select_from(mine.subquery())) or 0
    if total == 0:
        return None, 0
    index = min(max(index, 0), total - 1)
    row = (await session.execute(mine.order_by(Broadcast.id.desc()).offset(index).limit(1))).first()
    content = row.content or {}
    return FeedItem(content.get("text"), bool(content.get("photo")), row.created_at), total
