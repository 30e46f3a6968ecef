"""What a participant sees: the workshop list (paged, grouped by day) and a workshop card.

Used by the handlers and by the live-refresh job, which re-renders opened messages when seats
change; the text and keyboard are a pure function of the database state and the viewer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.text_decorations import html_decoration as hd

from core.db import utcnow
from core.keyboards import button, rows
from plugins.workshops import availability, formatting, queries, settings
from plugins.workshops.keyboards import WsBook, WsCancel, WsCard, WsList, nav_row
from plugins.workshops.models import Workshop
from plugins.workshops.results import CardExtras, Seats, SeatState


def digest(text: str, markup: InlineKeyboardMarkup | None) -> str:
    dumped = json.dumps(markup.model_dump(exclude_none=True) if markup else None, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256((text + "\x00" + dumped).encode()).hexdigest()


def seats_line(tr, seats: Seats) -> str:
    if seats.free > 0:
        return tr("workshops-seats-free", free=seats.free, capacity=seats.capacity)
    return tr("workshops-seats-none", capacity=seats.capacity)


def _short_seats(tr, seats: Seats, booked: bool) -> str:
    if booked:
        return tr("workshops-list-booked")
    if seats.free > 0:
        return tr("workshops-list-free", free=seats.free)
    return tr("workshops-list-full")


async def card_extras(app, session, event, workshop: Workshop, user_id: int, tr, now, state=None) -> CardExtras:
    merged = CardExtras()
    for extra in await app.registry.call("workshops_card_extras", active=set(app.active_plugins(event.slug)),
                                         app=app, session=session, event=event, workshop=workshop, user_id=user_id,
                                         tr=tr, now=now, state=state):
        if isinstance(extra, CardExtras):
            merged.lines += extra.lines
            merged.buttons += extra.buttons
            merged.status = merged.status or extra.status
    return merged


async def render_card(app, session, event, workshop: Workshop, user_id: int, tr, *, page: int = 0,
                      notice: str | None = None, now: dt.datetime | None = None, state: SeatState | None = None):
    """The card as ``user_id`` sees it. With ``state`` (what a booking tap read and did under the
    lock) nothing is queried: the card shows exactly what was just committed."""
    now = now or utcnow()
    tz = settings.tz_of(event)
    if state is not None:
        seats, booked = state.seats(workshop.capacity), state.mine
    else:
        seats = (await availability.seats(app, session, event, [workshop], now))[workshop.id]
        booked = await queries.is_booked(session, workshop.id, user_id)
    extras = await card_extras(app, session, event, workshop, user_id, tr, now, state)
    lines = []
    if notice:
        lines += [notice, ""]
    lines.append(f"<b>{hd.quote(workshop.title)}</b>")
    if workshop.speaker:
        lines.append(tr("workshops-card-speaker", speaker=hd.quote(workshop.speaker)))
    lines.append(tr("workshops-card-when", when=formatting.format_when(tr, workshop, tz)))
    if workshop.place:
        lines.append(tr("workshops-card-place", place=hd.quote(workshop.place)))
    lines.append(seats_line(tr, seats))
    if workshop.description:
        lines += ["", hd.quote(workshop.description)]
    status: list[str] = []
    closes = settings.booking_closes_at(app, event, workshop)
    if booked and not notice:  # a notice of this tap ("Вы записаны на …") already says so: once per card
        status.append(tr("workshops-card-booked"))
    status += extras.lines
    if now >= workshop.starts_at:
        status.append(tr("workshops-card-started"))
    elif now >= closes and not booked:
        status.append(tr("workshops-card-closed"))
    if status:
        lines += ["", *status]
    action_row = []
    if now < workshop.starts_at and booked:
        action_row.append(button(tr("workshops-btn-cancel"), WsCancel(id=workshop.id).pack()))
    elif now < closes and extras.status is None:
        label = "workshops-btn-book" if seats.free > 0 or not _queue_possible(app, event) else "workshops-btn-queue"
        action_row.append(button(tr(label), WsBook(id=workshop.id).pack()))
    extra_row = [button(text, data) for text, data in extras.buttons]
    markup = rows(action_row, extra_row, [button(tr("workshops-btn-back-list"), WsList(page=page).pack())])
    return "\n".join(lines), markup


def _queue_possible(app, event) -> bool:
    return "waitlist" in app.active_plugins(event.slug)


async def render_list(app, session, event, user_id: int, tr, page: int, *, now: dt.datetime | None = None):
    """Upcoming workshops, paged, with a heading per day. Returns (text, markup, shown ids, page)."""
    now = now or utcnow()
    tz = settings.tz_of(event)
    conf = settings.config(app, event)
    everything = await queries.list_workshops(session, event.id, upcoming_only=True, now=now)
    if not everything:
        markup = rows([button(tr("btn-menu"), "core:menu")])
        return tr("workshops-list-empty"), markup, [], 0
    pages = (len(everything) + conf.page_size - 1) // conf.page_size
    page = max(0, min(page, pages - 1))
    shown = everything[page * conf.page_size:(page + 1) * conf.page_size]
    seats = await availability.seats(app, session, event, shown, now)
    mine = await queries.user_booking_ids(session, event.id, user_id)
    lines = [tr("workshops-list-title")]
    day = None
    buttons = []
    for w in shown:
        local_day = w.starts_at.astimezone(tz).date()
        if local_day != day:
            day = local_day
            lines += ["", f"<b>{formatting.format_day(tr, w.starts_at, tz)}</b>"]
        start, end = w.starts_at.astimezone(tz), w.ends_at.astimezone(tz)
        lines.append(tr("workshops-list-line", start=f"{start:%H:%M}", end=f"{end:%H:%M}", title=hd.quote(w.title),
                        seats=_short_seats(tr, seats[w.id], w.id in mine)))
        mark = "✅ " if w.id in mine else ""
        label = f"{mark}{formatting.format_day(tr, w.starts_at, tz)}, {start:%H:%M} · {w.title}"
        buttons.append([button(label[:60], WsCard(id=w.id, page=page).pack())])
    markup = rows(*buttons, nav_row(tr, page, pages, lambda p: WsList(page=p).pack()),
                  [button(tr("btn-menu"), "core:menu")])
    return "\n".join(lines), markup, [w.id for w in shown], page
