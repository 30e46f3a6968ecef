"""Live seat counts: lists and cards a user opened recently are edited when what they show changes.

Each shown message is remembered with the sum of its workshops' ``version`` and a digest of what
was rendered. A periodic job re-renders messages whose version sum moved, at most once per
``live_min_interval_seconds`` per message and ``live_edits_per_run`` per run (coalesced: ten seat
changes in a few seconds make one edit), and edits only when the digest differs, so Telegram never
answers "message is not modified".
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import bindparam, delete, select

from core.db import utcnow
from core.delivery.dialect import insert_for
from core.i18n import pick_language
from core.models import Event, User
from plugins.workshops import queries, render, settings
from plugins.workshops.models import LiveView, Workshop

log = logging.getLogger(__name__)


async def version_sum(session, workshop_ids: list[int]) -> int:
    if not workshop_ids:
        return 0
    rows = await session.scalars(select(Workshop.version).where(Workshop.id.in_(workshop_ids)))
    return sum(rows.all())


async def remember(app, session, *, event: Event, chat_id: int, message_id: int, user_id: int, kind: str,
                   workshop_ids: list[int], page: int, text: str, markup, now: dt.datetime | None = None,
                   seen_version: int | None = None) -> None:
    """Upsert the view of one message (a re-opened card or list replaces what the message showed)."""
    if not settings.config(app, event).live_updates:
        return
    if seen_version is None:
        seen_version = await version_sum(session, workshop_ids)
    await store(session, [view_row(app, event=event, chat_id=chat_id, message_id=message_id, user_id=user_id,
                                   kind=kind, workshop_ids=workshop_ids, page=page, text=text, markup=markup,
                                   seen_version=seen_version, now=now)])


def view_row(app, *, event: Event, chat_id: int, message_id: int, user_id: int, kind: str, workshop_ids: list[int],
             page: int, text: str | None, markup, seen_version: int, now: dt.datetime | None = None) -> dict | None:
    """The view row of one shown message, for ``store``; None when the event has live updates off.
    ``text`` None: what the message shows is not known yet (it is rendered after the commit), so
    the first refresh due re-renders and compares rather than trusting a digest."""
    if not settings.config(app, event).live_updates:
        return None
    values = dict(chat_id=chat_id, message_id=message_id, user_id=user_id, event_id=event.id, kind=kind,
                  page=page, workshop_ids=list(workshop_ids), seen_version=seen_version,
                  text_hash=render.digest(text, markup) if text is not None else "", opened_at=now or utcnow(),
                  edited_at=None)
    return {f"v_{k}": v for k, v in values.items()}


async def store(session, rows: list[dict | None]) -> None:
    """Upsert view rows (``view_row``) in one statement: a batch of booking taps writes all its cards'."""
    rows = [row for row in rows if row is not None]
    if rows:
        await session.execute(_upsert(session.bind.dialect.name), rows if len(rows) > 1 else rows[0])


@contextmanager
def answering(app, chat_id: int, message_id: int) -> Iterator[None]:
    """Around an update that commits a message's view and then edits the message itself: the
    refresh leaves that message alone meanwhile. Were it to edit first, the update's own (older)
    card would land over it while the stored view claimed the newer one, and the message would
    stay behind for good; once the update has answered, the next refresh corrects it. Kept per
    process: a refresh run by another process (the job is claimed by one) can still overtake."""
    pending = _answering(app)
    pending[(chat_id, message_id)] = pending.get((chat_id, message_id), 0) + 1
    try:
        yield
    finally:
        left = pending.pop((chat_id, message_id)) - 1
        if left:
            pending[(chat_id, message_id)] = left


def _answering(app) -> dict[tuple[int, int], int]:
    return app.services.setdefault("workshops:answering", {})


_UPSERTS: dict[str, object] = {}


def _upsert(dialect: str):
    """The view upsert, built once per dialect (bind parameters ``v_<column>``)."""
    if dialect not in _UPSERTS:
        insert = insert_for("postgresql" if dialect == "postgresql" else "sqlite")
        names = ("chat_id", "message_id", "user_id", "event_id", "kind", "page", "workshop_ids", "seen_version",
                 "text_hash", "opened_at", "edited_at")
        stmt = insert(LiveView.__table__).values({n: bindparam(f"v_{n}", type_=LiveView.__table__.c[n].type) for n in names})
        _UPSERTS[dialect] = stmt.on_conflict_do_update(
            index_elements=["chat_id", "message_id"],
            set_={n: stmt.excluded[n] for n in names if n not in ("chat_id", "message_id")})
    return _UPSERTS[dialect]


async def refresh_views(ctx, session=None, payload=None) -> int:
    """The periodic job (``func(ctx, session, payload)``; ``ctx`` may also be the app itself):
    edit stale views in short transactions of its own. Returns how many messages were edited."""
    app = getattr(ctx, "app", None) or ctx
    if app.bot is None:
        return 0
    now = utcnow()
    async with app.sessions() as reader:
        session = reader
        oldest = now - dt.timedelta(minutes=max(_max_window(app), 1))
        views = list((await session.scalars(select(LiveView).where(LiveView.opened_at > oldest)
                                            .order_by(LiveView.opened_at.desc()))).all())
        if not views:
            return 0
        ids = {wid for v in views for wid in (v.workshop_ids or [])}
        versions = dict((await session.execute(select(Workshop.id, Workshop.version)
                                               .where(Workshop.id.in_(ids)))).all()) if ids else {}
        events = {e.id: e for e in (await session.scalars(select(Event))).all()}
        answering = _answering(app)
        due = []
        for view in views:
            if (view.chat_id, view.message_id) in answering:
                continue  # its own update is about to edit it: the next run catches up
            event = events.get(view.event_id)
            if event is None or event.slug not in app.settings.events or "workshops" not in app.active_plugins(event.slug):
                continue
            conf = settings.config(app, event)
            if not conf.live_updates or view.opened_at <= now - dt.timedelta(minutes=conf.live_window_minutes):
                continue
            current = sum(versions.get(w, 0) for w in view.workshop_ids or [])
            if current == view.seen_version and all(w in versions for w in view.workshop_ids or []):
                continue
            if view.edited_at and (now - view.edited_at).total_seconds() < conf.live_min_interval_seconds:
                continue
            due.append((view, event, conf))
    edited = 0
    budget = min((conf.live_edits_per_run for _, _, conf in due), default=0)
    for view, event, _conf in due[:budget]:
        try:
            edited += await _refresh_one(app, view, event, now)
        except _Stop:
            break
    return edited


class _Stop(Exception):
    pass


def _max_window(app) -> int:
    windows = [settings.config_for(app, slug).live_window_minutes for slug in app.settings.events]
    return max(windows, default=30)


async def _refresh_one(app, view: LiveView, event: Event, now: dt.datetime) -> int:
    from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter

    async with app.transaction() as session:
        user = await session.get(User, view.user_id)
        tr = app.translator(pick_language(user.language if user else None,
                                          user.telegram_language if user else None, event.language))
        ids = list(view.workshop_ids or [])
        if view.kind == "card":
            workshop = await queries.get_workshop(session, event.id, ids[0]) if ids else None
            if workshop is None:
                await session.execute(delete(LiveView).where(LiveView.chat_id == view.chat_id,
                                                             LiveView.message_id == view.message_id))
                return 0
            text, markup = await render.render_card(app, session, event, workshop, view.user_id, tr,
                                                    page=view.page, now=now)
        else:
            text, markup, ids, _page = await render.render_list(app, session, event, view.user_id, tr, view.page,
                                                                now=now)
        stored = await session.get(LiveView, (view.chat_id, view.message_id))
        if stored is None:
            return 0
        stored.seen_version = await version_sum(session, ids)
        stored.workshop_ids = ids
        digest = render.digest(text, markup)
        if digest == stored.text_hash:
            return 0  # same text and buttons: editing would be "message is not modified"
        try:
            await app.bot.edit_message_text(text=text, chat_id=view.chat_id, message_id=view.message_id,
                                            reply_markup=markup)
        except TelegramRetryAfter:
            raise _Stop() from None  # the flood limit applies to every chat: stop this run
        except TelegramBadRequest as exc:
            if "not modified" not in str(exc):
                await session.delete(stored)  # deleted, too old to edit, ...: stop tracking it
                return 0
        except TelegramForbiddenError:
            await session.delete(stored)
            return 0
        stored.text_hash, stored.edited_at = digest, now
        return 1
