"""The participant's screens as (text, keyboard) pairs, paged within Telegram's limits."""

from __future__ import annotations

import datetime as dt

from aiogram.utils.text_decorations import html_decoration as hd

from core.context import EventContext
from core.keyboards import button, rows
from core.schedule import by_local_day, personal_schedule
from plugins.schedule import queries, render, service, settings

MAX_BUTTON_TITLE = 40


def _home_row(tr):
    return [button(tr("schedule-btn-home"), "sch:home")]


async def home(session, ctx: EventContext, now: dt.datetime):
    tr, tz = ctx.tr, settings.tz_of(ctx.event)
    program = await service.visible(session, ctx.event.id)
    speakers = await queries.speakers_by_id(session, ctx.event.id)
    running, upcoming = service.now_and_next(program, now)
    marked = await service.bookmarked_ids(session, ctx.event.id, ctx.member.user_id)
    lines = [tr("schedule-home-title", event=hd.quote(ctx.event.title),
                now=now.astimezone(tz).strftime("%d.%m %H:%M"))]
    if not program:
        lines += ["", tr("schedule-program-empty")]
    else:
        lines += ["", tr("schedule-now")]
        lines += [render.line(tr, s, speakers, tz, marked=s.id in marked) for s in running[:10]] or [tr("schedule-none")]
        if len(running) > 10:
            lines.append(tr("schedule-more", count=len(running) - 10))
        lines += ["", tr("schedule-next")]
        lines += [render.line(tr, s, speakers, tz, marked=s.id in marked) for s in upcoming[:10]] or [tr("schedule-none")]
        if len(upcoming) > 10:
            lines.append(tr("schedule-more", count=len(upcoming) - 10))
    text = "\n".join(lines)
    if len(text) > render.TEXT_BUDGET:
        text = text[:render.TEXT_BUDGET - 1] + "…"
    shown = (running + upcoming)[:8]
    cards = [[button(_label(s, tz), f"sch:s:{s.id}")] for s in shown]
    markup = rows(*cards,
                  [button(tr("schedule-btn-today"), "sch:today"), button(tr("schedule-btn-days"), "sch:days")],
                  [button(tr("schedule-btn-tracks"), "sch:tracks"), button(tr("schedule-btn-rooms"), "sch:rooms")],
                  [button(tr("schedule-btn-my"), "sch:my:0"), button(tr("schedule-btn-reminders"), "sch:rem")],
                  [button(tr("btn-menu"), "core:menu")])
    return text, markup


def _label(row, tz) -> str:
    title = row.title if len(row.title) <= MAX_BUTTON_TITLE else row.title[:MAX_BUTTON_TITLE - 1] + "…"
    return f"{row.starts_at.astimezone(tz):%H:%M} {title}"


async def days(session, ctx: EventContext):
    tr, tz = ctx.tr, settings.tz_of(ctx.event)
    found = await service.program_days(session, ctx.event.id, tz)
    if not found:
        return tr("schedule-program-empty"), rows(_home_row(tr))
    buttons = [[button(render.day_label(tr, d), f"sch:d:{i}:0")] for i, d in enumerate(found[:90])]
    return tr("schedule-days-title"), rows(*buttons, _home_row(tr))


def _names(program, by: str) -> list[str]:
    attr = "track" if by == "t" else "room"
    return sorted({getattr(s, attr) for s in program if getattr(s, attr)}, key=str.casefold)


async def groups(session, ctx: EventContext, by: str):
    tr = ctx.tr
    names = _names(await service.visible(session, ctx.event.id), by)
    if not names:
        return tr("schedule-groups-none-t" if by == "t" else "schedule-groups-none-r"), rows(_home_row(tr))
    buttons = [[button(n[:60], f"sch:{by}:{i}:0")] for i, n in enumerate(names[:90])]
    return tr("schedule-tracks-title" if by == "t" else "schedule-rooms-title"), rows(*buttons, _home_row(tr))


async def listing(app, session, ctx: EventContext, by: str, index: int, page: int):
    """One page of the sessions of a day (``d``), a track (``t``) or a room (``r``)."""
    tr, tz = ctx.tr, settings.tz_of(ctx.event)
    if by == "d":
        found = await service.program_days(session, ctx.event.id, tz)
        if index >= len(found):
            return tr("schedule-not-found"), rows(_home_row(tr))
        title = tr("schedule-day-title", day=render.day_label(tr, found[index]))
        size = settings.config(app, ctx.event).page_size
        part, total = await service.visible_on(session, ctx.event.id, found[index], tz,
                                               offset=max(page, 0) * size, limit=size)
        if not part and total:  # a page past the end (the program shrank): show the last one
            page = (total - 1) // size
            part, total = await service.visible_on(session, ctx.event.id, found[index], tz,
                                                   offset=page * size, limit=size)
        return await _render_page(ctx, session, title, part, max(page, 0), max(1, -(-total // size)),
                                  f"sch:d:{index}:", day_headers=False)
    else:
        program = await service.visible(session, ctx.event.id)
        names = _names(program, by)
        if index >= len(names):
            return tr("schedule-not-found"), rows(_home_row(tr))
        attr = "track" if by == "t" else "room"
        title = tr("schedule-group-title", name=hd.quote(names[index]))
        chosen = [s for s in program if getattr(s, attr) == names[index]]
    return await _page(app, session, ctx, title, chosen, page, f"sch:{by}:{index}:",
                       day_headers=by != "d")


async def _page(app, session, ctx, title: str, chosen, page: int, prefix: str, *, day_headers: bool):
    tr, tz = ctx.tr, settings.tz_of(ctx.event)
    size = settings.config(app, ctx.event).page_size
    pages = max(1, -(-len(chosen) // size))
    page = min(max(page, 0), pages - 1)
    part = chosen[page * size:(page + 1) * size]
    return await _render_page(ctx, session, title, part, page, pages, prefix, day_headers=day_headers)


async def _render_page(ctx, session, title: str, part, page: int, pages: int, prefix: str, *, day_headers: bool):
    tr, tz = ctx.tr, settings.tz_of(ctx.event)
    speakers = await service.speakers_of(session, part)
    marked = await service.bookmarked_ids(session, ctx.event.id, ctx.member.user_id)
    lines = [title + (f" · {tr('schedule-page', page=page + 1, pages=pages)}" if pages > 1 else "")]
    last_day = None
    for s in part:
        day = s.starts_at.astimezone(tz).date()
        if day_headers and day != last_day:
            lines += ["", f"<b>{render.day_label(tr, day)}</b>"]
            last_day = day
        lines.append(render.line(tr, s, speakers, tz, marked=s.id in marked))
    text = "\n".join(lines)
    if len(text) > render.TEXT_BUDGET:
        text = text[:render.TEXT_BUDGET - 1] + "…"
    cards = [[button(_label(s, tz), f"sch:s:{s.id}")] for s in part]
    nav = []
    if page > 0:
        nav.append(button(tr("schedule-btn-prev"), f"{prefix}{page - 1}"))
    if page + 1 < pages:
        nav.append(button(tr("schedule-btn-next"), f"{prefix}{page + 1}"))
    return text, rows(*cards, nav, _home_row(tr))


async def card(app, session, ctx: EventContext, session_id: int):
    tr, tz = ctx.tr, settings.tz_of(ctx.event)
    row = await service.get_session(session, ctx.event.id, session_id)
    if row is None or row.published_at is None:
        return tr("schedule-not-found"), rows(_home_row(tr))
    speakers = await queries.speakers_by_id(session, ctx.event.id)
    marked = await service.is_bookmarked(session, row.id, ctx.member.user_id)
    text = render.card(tr, row, speakers, tz, bookmarked=marked)
    buttons = []
    if not row.cancelled or marked:
        buttons.append([button(tr("schedule-btn-unbookmark" if marked else "schedule-btn-bookmark"),
                               f"sch:b:{row.id}")])
    extra = await app.registry.call("schedule_session_actions", active=set(ctx.active), app=app, event=ctx.event,
                                    member=ctx.member, session_id=row.id, tr=tr)
    for item in extra[:10]:
        if isinstance(item, tuple) and len(item) == 2:
            buttons.append([button(str(item[0]), str(item[1]))])
    return text, rows(*buttons, [button(tr("schedule-btn-my"), "sch:my:0")], _home_row(tr))


def clashes(items) -> set[int]:
    """Indexes of items overlapping another (items sorted by start; open-ended ones hold a moment)."""
    found: set[int] = set()
    for i, a in enumerate(items):
        a_end = a.ends_at or a.starts_at
        for j in range(i + 1, len(items)):
            b = items[j]
            if b.starts_at >= a_end:
                break
            if (b.ends_at or b.starts_at) > a.starts_at and a_end > b.starts_at:
                found.update((i, j))
    return found


async def my_schedule(app, session, ctx: EventContext, page: int):
    """Bookmarked sessions, own talks and every other plugin's items (booked workshops), by day,
    clashes marked; split into pages of whole lines under the text budget."""
    tr, tz = ctx.tr, settings.tz_of(ctx.event)
    items = await personal_schedule(app, session, ctx.event, ctx.member)
    if not items:
        return tr("schedule-my-empty"), rows(_home_row(tr))
    clash = clashes(items)
    index = {id(item): n for n, item in enumerate(items)}
    blocks: list[str] = []
    for day, entries in by_local_day(items, ctx.event.timezone):
        blocks.append(f"\n<b>{render.day_label(tr, day)}</b>")
        for item, start, end in entries:
            line = f"{render.span(start, end, tz)} {hd.quote(item.title)}"
            if item.place:
                line += f" · 📍 {hd.quote(item.place)}"
            if item.kind != "session":
                line += f" · {tr('schedule-my-kind-' + item.kind) if item.kind == 'workshop' else hd.quote(item.kind)}"
            if index[id(item)] in clash:
                line += " " + tr("schedule-clash")
            blocks.append(line)
    pages: list[list[str]] = [[]]
    size = 0
    for block in blocks:
        if size + len(block) > render.TEXT_BUDGET - 300 and pages[-1]:
            pages.append([])
            size = 0
        pages[-1].append(block)
        size += len(block) + 1
    page = min(max(page, 0), len(pages) - 1)
    head = tr("schedule-my-title", event=hd.quote(ctx.event.title))
    if len(pages) > 1:
        head += f" · {tr('schedule-page', page=page + 1, pages=len(pages))}"
    if clash:
        head += "\n" + tr("schedule-my-clashes", count=len(clash))
    text = head + "\n" + "\n".join(pages[page])
    nav = []
    if page > 0:
        nav.append(button(tr("schedule-btn-prev"), f"sch:my:{page - 1}"))
    if page + 1 < len(pages):
        nav.append(button(tr("schedule-btn-next"), f"sch:my:{page + 1}"))
    return text, rows(nav, [button(tr("schedule-btn-ics"), "sch:ics")], _home_row(tr))


async def reminder_setting(app, session, ctx: EventContext):
    tr = ctx.tr
    leads = settings.config(app, ctx.event).reminder_minutes
    pref = await service.get_pref(session, ctx.event.id, ctx.member.user_id)
    if pref is not None and not pref.enabled:
        current = tr("schedule-rem-off")
    elif pref is not None and pref.minutes in leads:
        current = tr("schedule-rem-one", minutes=pref.minutes)
    else:
        current = tr("schedule-rem-all", minutes=", ".join(map(str, leads)) or "—")
    text = tr("schedule-rem-title", current=current)
    choices = [button(tr("schedule-rem-btn-minutes", minutes=m), f"sch:rem:{m}") for m in leads[:6]]
    return text, rows(choices, [button(tr("schedule-rem-btn-all"), "sch:rem:all"),
                                button(tr("schedule-rem-btn-off"), "sch:rem:off")],
                      [button(tr("menu-cabinet"), "core:cabinet"), *_home_row(tr)])
