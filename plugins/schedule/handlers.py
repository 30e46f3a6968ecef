"""Participant side of the schedule: now/next, today, by day, by track or room, session cards with
a bookmark button, "My schedule" with clashes marked and an .ics export, the reminder setting.

Every list is a page: at most ``page_size`` sessions (one button each) and under Telegram's 4,096
characters, however long the program.
"""

from __future__ import annotations

import asyncio

from aiogram import F, Router
from aiogram.types import BufferedInputFile, CallbackQuery

from core.context import EventContext
from core.filters import Magic
from core.handlers.common import reply
from core.schedule import personal_schedule
from plugins.schedule import clock, queries, service, settings, views

HOME = "sch:home"


def router() -> Router:
    r = Router(name="schedule:participant")
    r.callback_query.register(on_home, Magic(F.data == HOME))
    r.callback_query.register(on_today, Magic(F.data == "sch:today"))
    r.callback_query.register(on_days, Magic(F.data == "sch:days"))
    r.callback_query.register(on_groups, Magic(F.data.in_({"sch:tracks", "sch:rooms"})))
    r.callback_query.register(on_list, Magic(F.data.regexp(r"^sch:[dtr]:\d{1,9}:\d{1,9}$")))
    r.callback_query.register(on_card, Magic(F.data.regexp(r"^sch:s:\d{1,9}$")))
    r.callback_query.register(on_bookmark, Magic(F.data.regexp(r"^sch:b:\d{1,9}$")))
    r.callback_query.register(on_my, Magic(F.data.regexp(r"^sch:my:\d{1,9}$")))
    r.callback_query.register(on_ics, Magic(F.data == "sch:ics"))
    r.callback_query.register(on_reminders, Magic(F.data == "sch:rem"))
    r.callback_query.register(on_reminder_choice, Magic(F.data.regexp(r"^sch:rem:(off|all|\d{1,9})$")))
    return r


def _ready(ctx: EventContext) -> bool:
    return ctx.event is not None and ctx.member is not None


async def on_home(query: CallbackQuery, session, event_ctx: EventContext) -> None:
    if not _ready(event_ctx):
        return
    text, markup = await views.home(session, event_ctx, clock.now())
    await reply(query, text, markup)


async def on_today(query: CallbackQuery, app, session, event_ctx: EventContext, callback_answer=None) -> None:
    if not _ready(event_ctx):
        return
    tz = settings.tz_of(event_ctx.event)
    days = await service.program_days(session, event_ctx.event.id, tz)
    today = clock.now().astimezone(tz).date()
    if today not in days:
        if callback_answer is not None:
            callback_answer.text, callback_answer.show_alert = event_ctx.tr("schedule-today-none"), True
        return
    text, markup = await views.listing(app, session, event_ctx, "d", days.index(today), 0)
    await reply(query, text, markup)


async def on_days(query: CallbackQuery, session, event_ctx: EventContext) -> None:
    if not _ready(event_ctx):
        return
    text, markup = await views.days(session, event_ctx)
    await reply(query, text, markup)


async def on_groups(query: CallbackQuery, session, event_ctx: EventContext) -> None:
    if not _ready(event_ctx):
        return
    text, markup = await views.groups(session, event_ctx, "t" if query.data == "sch:tracks" else "r")
    await reply(query, text, markup)


async def on_list(query: CallbackQuery, app, session, event_ctx: EventContext) -> None:
    if not _ready(event_ctx):
        return
    _, by, index, page = query.data.split(":")
    text, markup = await views.listing(app, session, event_ctx, by, int(index), int(page))
    await reply(query, text, markup)


async def _show_card(query: CallbackQuery, app, session, ctx: EventContext, session_id: int) -> None:
    text, markup = await views.card(app, session, ctx, session_id)
    await reply(query, text, markup)


async def on_card(query: CallbackQuery, app, session, event_ctx: EventContext) -> None:
    if not _ready(event_ctx):
        return
    await _show_card(query, app, session, event_ctx, int(query.data.split(":")[2]))


async def on_bookmark(query: CallbackQuery, app, session, event_ctx: EventContext, callback_answer=None) -> None:
    if not _ready(event_ctx):
        return
    session_id = int(query.data.split(":")[2])
    state = await service.toggle_bookmark(session, event_ctx.event, event_ctx.member.user_id, session_id,
                                          now=clock.now())
    if callback_answer is not None:
        callback_answer.text = event_ctx.tr({True: "schedule-bookmarked", False: "schedule-unbookmarked",
                                             None: "schedule-not-found"}[state])
    await _show_card(query, app, session, event_ctx, session_id)


async def on_my(query: CallbackQuery, app, session, event_ctx: EventContext) -> None:
    if not _ready(event_ctx):
        return
    text, markup = await views.my_schedule(app, session, event_ctx, int(query.data.split(":")[2]))
    await reply(query, text, markup)


async def on_ics(query: CallbackQuery, app, session, event_ctx: EventContext) -> None:
    if not _ready(event_ctx):
        return
    ctx = event_ctx
    marked = await service.bookmarked_ids(session, ctx.event.id, ctx.member.user_id)
    own = {s.id for s in await service.own_sessions(session, ctx.event.id, ctx.member.user_id)}
    sessions = [s for s in await service.visible(session, ctx.event.id) if s.id in marked | own]
    others = [i for i in await personal_schedule(app, session, ctx.event, ctx.member) if i.kind != "session"]
    speakers = await queries.speakers_by_id(session, ctx.event.id)
    # Built in a worker thread (the rows' columns are loaded; nothing is read from the database
    # there): icalendar's first import (~0.2 s) and the timezone work stay off the loop.
    data = await asyncio.to_thread(_ics, ctx.event, sessions, speakers, others, settings.tz_of(ctx.event), clock.now())
    await query.message.answer_document(BufferedInputFile(data, filename=f"{ctx.event.slug}-schedule.ics"),
                                        caption=ctx.tr("schedule-ics-caption", count=len(sessions) + len(others)))


def _ics(event, sessions, speakers, others, tz, now) -> bytes:
    from plugins.schedule import ics  # icalendar is imported only when someone exports

    return ics.build(event, sessions, speakers, others, tz, stamp=now)


async def on_reminders(query: CallbackQuery, app, session, event_ctx: EventContext) -> None:
    if not _ready(event_ctx):
        return
    text, markup = await views.reminder_setting(app, session, event_ctx)
    await reply(query, text, markup)


async def on_reminder_choice(query: CallbackQuery, app, session, event_ctx: EventContext,
                             callback_answer=None) -> None:
    if not _ready(event_ctx):
        return
    choice = query.data.split(":")[2]
    try:
        await service.set_pref(app, session, event_ctx.event, event_ctx.member.user_id,
                               enabled=choice != "off", minutes=int(choice) if choice.isdigit() else None)
    except service.InputError as exc:
        if callback_answer is not None:
            callback_answer.text, callback_answer.show_alert = event_ctx.tr(exc.key, **exc.args_), True
        return
    if callback_answer is not None:
        callback_answer.text = event_ctx.tr("schedule-rem-saved")
    text, markup = await views.reminder_setting(app, session, event_ctx)
    await reply(query, text, markup)

