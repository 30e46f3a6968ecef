"""Organizer side: workshops list, guided create and edit dialogs with validation and preview,
capacity, attendee and waitlist lists (paged), CSV export, delete.

Every handler checks the role (``refuse`` otherwise) and every service call checks it again.
Dialog answers are validated one by one; nothing is written until the organizer presses "Save"
on the preview, so a dialog abandoned half-way leaves nothing half-saved.
"""

from __future__ import annotations

import datetime as dt
import math

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.text_decorations import html_decoration as hd

from core import prompts
from core.context import EventContext
from core.db import utcnow
from core.filters import Magic
from core.handlers.admin import refuse
from core.keyboards import button, rows
from core.people import NotAllowed
from plugins.workshops import attendance, attendees, availability, catalogue, formatting, organizer_input, queries
from plugins.workshops import settings
from plugins.workshops.handlers import show
from plugins.workshops.keyboards import WsAdmin, admin, nav_row
from plugins.workshops.organizer_input import InputError, WorkshopData

PAGE = 10


class WorkshopsCreate(StatesGroup):
    title = State()
    speaker = State()
    place = State()
    description = State()
    starts = State()
    ends = State()
    capacity = State()
    preview = State()


class WorkshopsEdit(StatesGroup):
    value = State()
    ends = State()


CREATE_STEPS = ("title", "speaker", "place", "description", "starts", "ends", "capacity")
OPTIONAL = {"speaker", "place", "description"}
EDITABLE = ("title", "speaker", "place", "description", "time", "capacity")


def router() -> Router:
    r = Router(name="workshops:admin")
    r.callback_query.register(on_admin_button, WsAdmin.filter())
    for state in (*[getattr(WorkshopsCreate, s) for s in CREATE_STEPS], WorkshopsEdit.value, WorkshopsEdit.ends):
        r.message.register(on_dialog_text, StateFilter(state), Magic(F.chat.type == "private"))
    return r


# --- entry -----------------------------------------------------------------------------------------

async def on_admin_button(query: CallbackQuery, callback_data: WsAdmin, app, session, event_ctx: EventContext,
                          state: FSMContext, callback_answer=None) -> None:
    ctx = event_ctx
    if ctx.event is None or not ctx.is_admin:
        await refuse(query, ctx, callback_answer)
        return
    action, wid, page = callback_data.action, callback_data.id, callback_data.page
    handler = ACTIONS.get(action)
    if handler is None:
        if callback_answer is not None:
            callback_answer.text = ctx.tr("fallback-stale-button")
        return
    try:
        await handler(query, app, session, ctx, state, wid, page, callback_answer)
    except NotAllowed:
        await refuse(query, ctx, callback_answer)
    except InputError as exc:
        await query.message.answer(ctx.tr(exc.key, **exc.args_))


async def _home(query, app, session, ctx, state, wid, page, cb):
    await state.clear()
    text, markup = await _home_view(app, session, ctx, page)
    await show(query, text, markup)


async def _home_view(app, session, ctx, page):
    tr, tz = ctx.tr, settings.tz_of(ctx.event)
    workshops = await queries.list_workshops(session, ctx.event.id)
    pages = max(1, math.ceil(len(workshops) / PAGE))
    page = max(0, min(page, pages - 1))
    shown = workshops[page * PAGE:(page + 1) * PAGE]
    seats = await availability.seats(app, session, ctx.event, shown)
    lines = [tr("workshops-admin-title", count=len(workshops))]
    buttons = []
    for w in shown:
        s = seats[w.id]
        lines.append(tr("workshops-admin-line", title=hd.quote(w.title), when=formatting.format_when(tr, w, tz),
                        booked=s.booked, held=s.held, capacity=s.capacity))
        buttons.append([button(f"{w.starts_at.astimezone(tz):%d.%m %H:%M} {w.title}"[:60], admin("ws", w.id))])
    markup = rows(*buttons, nav_row(tr, page, pages, lambda p: admin("home", 0, p)),
                  [button(tr("workshops-admin-btn-new"), admin("new"))],
                  [button(tr("workshops-admin-btn-csv-all"), admin("csv"))] if workshops else [],
                  [button(tr("workshops-admin-btn-back"), "core:admin")])
    return "\n".join(lines), markup


async def _workshop_view(app, session, ctx, workshop):
    tr, tz = ctx.tr, settings.tz_of(ctx.event)
    s = (await availability.seats(app, session, ctx.event, [workshop]))[workshop.id]
    waiting = sum(1 for row in await _queue_rows(app, session, ctx, workshop) if row[0] == "waiting")
    lines = [f"<b>{hd.quote(workshop.title)}</b>",
             tr("workshops-card-speaker", speaker=hd.quote(workshop.speaker or "—")),
             tr("workshops-card-when", when=formatting.format_when(tr, workshop, tz)),
             tr("workshops-card-place", place=hd.quote(workshop.place or "—")),
             tr("workshops-admin-seats", booked=s.booked, held=s.held, capacity=s.capacity, waiting=waiting)]
    came = (await attendance.attended_counts(session, [workshop.id]))[workshop.id]
    if came:
        lines.append(tr("workshops-admin-came", came=came, booked=s.booked))
    if workshop.description:
        lines += ["", hd.quote(workshop.description)]
    if workshop.key:
        lines.append(tr("workshops-admin-key", program_key=hd.quote(workshop.key)))
    markup = rows(
        [button(tr(f"workshops-admin-edit-{f}"), admin(f"e-{f}", workshop.id)) for f in EDITABLE[:3]],
        [button(tr(f"workshops-admin-edit-{f}"), admin(f"e-{f}", workshop.id)) for f in EDITABLE[3:]],
        [button(tr("workshops-admin-btn-attendees"), admin("att", workshop.id)),
         button(tr("workshops-admin-btn-waitlist"), admin("wl", workshop.id))],
        [button(tr("workshops-admin-btn-csv"), admin("csv", workshop.id)),
         button(tr("workshops-admin-btn-delete"), admin("del", workshop.id))],
        [button(tr("workshops-admin-btn-list"), admin("home"))],
    )
    return "\n".join(lines), markup


async def _queue_rows(app, session, ctx, workshop) -> list[list]:
    """The waitlist's rows for this workshop (the core flattens each plugin's list of rows)."""
    rows = await app.registry.call("workshops_export_rows", active=set(ctx.active), app=app, session=session,
                                   workshop=workshop)
    return [row for row in rows if isinstance(row, list) and row]


async def _load(session, ctx, wid):
    workshop = await queries.get_workshop(session, ctx.event.id, wid)
    if workshop is None:
        raise InputError("workshops-error-not-found")
    return workshop


async def _workshop(query, app, session, ctx, state, wid, page, cb):
    await state.clear()
    text, markup = await _workshop_view(app, session, ctx, await _load(session, ctx, wid))
    await show(query, text, markup)


# --- lists and export ---------------------------------------------------------------------------

async def _attendees(query, app, session, ctx, state, wid, page, cb):
    workshop = await _load(session, ctx, wid)
    people, total = await attendees.attendees(session, ctx.event, wid, offset=page * PAGE, limit=PAGE)
    pages = max(1, math.ceil(total / PAGE))
    tz = settings.tz_of(ctx.event)
    lines = [ctx.tr("workshops-admin-attendees", title=hd.quote(workshop.title), count=total)]
    came = (await attendance.attended_counts(session, [wid]))[wid]
    if came:  # someone was marked at the door: say how many, and who (✅ and the time)
        lines.append(ctx.tr("workshops-admin-came", came=came, booked=total))
    for n, a in enumerate(people, start=page * PAGE + 1):
        handle = f" @{hd.quote(a.username)}" if a.username else ""
        mark = " " + ctx.tr("workshops-admin-came-at", time=f"{a.attended_at.astimezone(tz):%H:%M}") \
            if a.attended_at else ""
        lines.append(f"{n}. {hd.quote(a.name)}{handle}{mark}")
    if not total:
        lines.append(ctx.tr("workshops-admin-nobody"))
    markup = rows(nav_row(ctx.tr, page, pages, lambda p: admin("att", wid, p)),
                  [button(ctx.tr("workshops-admin-btn-back-ws"), admin("ws", wid))])
    await show(query, "\n".join(lines), markup)


async def _waitlist(query, app, session, ctx, state, wid, page, cb):
    workshop = await _load(session, ctx, wid)
    queue = await _queue_rows(app, session, ctx, workshop)
    pages = max(1, math.ceil(len(queue) / PAGE))
    lines = [ctx.tr("workshops-admin-queue", title=hd.quote(workshop.title), count=len(queue))]
    for row in queue[page * PAGE:(page + 1) * PAGE]:
        status, position, _uid, name, username = row[:5]
        handle = f" @{hd.quote(username)}" if username else ""
        label = f"{position}." if position else ctx.tr("workshops-admin-queue-offered")
        lines.append(f"{label} {hd.quote(name)}{handle}")
    if not queue:
        lines.append(ctx.tr("workshops-admin-nobody"))
    markup = rows(nav_row(ctx.tr, page, pages, lambda p: admin("wl", wid, p)),
                  [button(ctx.tr("workshops-admin-btn-back-ws"), admin("ws", wid))])
    await show(query, "\n".join(lines), markup)


async def _csv(query, app, session, ctx, state, wid, page, cb):
    data = await attendees.export_csv(app, session, ctx.event, ctx.member, wid or None)
    name = f"{ctx.event.slug}-workshops{'-' + str(wid) if wid else ''}.csv"
    await query.message.answer_document(BufferedInputFile(data.encode("utf-8-sig"), filename=name),
                                        caption=ctx.tr("workshops-admin-csv-caption"))


# --- delete -------------------------------------------------------------------------------------

async def _delete_ask(query, app, session, ctx, state, wid, page, cb):
    workshop = await _load(session, ctx, wid)
    s = (await availability.seats(app, session, ctx.event, [workshop]))[workshop.id]
    markup = rows([button(ctx.tr("workshops-admin-btn-delete-yes"), admin("delok", wid)),
                   button(ctx.tr("workshops-admin-btn-no"), admin("ws", wid))])
    await show(query, ctx.tr("workshops-admin-delete-confirm", title=hd.quote(workshop.title), booked=s.booked),
               markup)


async def _delete(query, app, session, ctx, state, wid, page, cb):
    workshop = await _load(session, ctx, wid)
    title = workshop.title
    told = await catalogue.delete_workshop(app, session, ctx.event, ctx.member, wid)
    await query.message.answer(ctx.tr("workshops-admin-deleted", title=hd.quote(title), told=told))
    text, markup = await _home_view(app, session, ctx, 0)
    await query.message.answer(text, reply_markup=markup)


# --- the create dialog --------------------------------------------------------------------------

def _prompt(tr, step: str, tz_name: str) -> str:
    return tr(f"workshops-ask-{step}", tz=tz_name)


def _skip_markup(tr, step: str):
    buttons = []
    if step in OPTIONAL:
        buttons.append(button(tr("btn-skip"), admin(f"skip-{step}")))
    buttons.append(button(tr("workshops-admin-btn-abort"), admin("abort")))
    return rows(buttons)


async def _new(query, app, session, ctx, state, wid, page, cb):
    await state.clear()
    await state.set_state(WorkshopsCreate.title)
    await state.update_data(ws={})
    await prompts.remember(state, await query.message.answer(
        ctx.tr("workshops-create-intro") + "\n\n" + _prompt(ctx.tr, "title", ctx.event.timezone),
        reply_markup=_skip_markup(ctx.tr, "title")))


async def _abort(query, app, session, ctx, state, wid, page, cb):
    await state.clear()
    await query.message.answer(ctx.tr("workshops-create-aborted"))
    text, markup = await _home_view(app, session, ctx, 0)
    await query.message.answer(text, reply_markup=markup)


def _parse_step(step: str, raw: str | None, data: dict, tz, now) -> dict:
    """Validate one answer; returns the fields to store (as JSON-friendly values)."""
    if step == "title":
        return {"title": organizer_input.clean_title(raw)}
    if step == "speaker":
        return {"speaker": organizer_input.clean_speaker(raw)}
    if step == "place":
        return {"place": organizer_input.clean_place(raw)}
    if step == "description":
        return {"description": organizer_input.clean_description(raw)}
    if step == "starts":
        starts = organizer_input.parse_local_datetime(raw, tz, now)
        if starts <= now:
            raise InputError("workshops-error-in-past")
        return {"starts_at": starts.isoformat()}
    if step == "ends":
        starts = dt.datetime.fromisoformat(data["starts_at"])
        return {"ends_at": organizer_input.parse_end(raw, starts, tz).isoformat()}
    if step == "capacity":
        return {"capacity": organizer_input.parse_capacity(raw)}
    raise ValueError(step)


def _data_of(stored: dict) -> WorkshopData:
    return WorkshopData(title=stored["title"], speaker=stored.get("speaker"), place=stored.get("place"),
                                description=stored.get("description"),
                                starts_at=dt.datetime.fromisoformat(stored["starts_at"]),
                                ends_at=dt.datetime.fromisoformat(stored["ends_at"]),
                                capacity=int(stored["capacity"]))


def _preview(tr, data: WorkshopData, tz) -> str:
    from plugins.workshops.models import Workshop

    w = Workshop(title=data.title, starts_at=data.starts_at, ends_at=data.ends_at)
    lines = [tr("workshops-create-preview"), "", f"<b>{hd.quote(data.title)}</b>",
             tr("workshops-card-speaker", speaker=hd.quote(data.speaker or "—")),
             tr("workshops-card-when", when=formatting.format_when(tr, w, tz)),
             tr("workshops-card-place", place=hd.quote(data.place or "—")),
             tr("workshops-admin-capacity", capacity=data.capacity)]
    if data.description:
        lines += ["", hd.quote(data.description)]
    return "\n".join(lines)


async def _advance(message: Message, ctx, state: FSMContext, step: str, stored: dict) -> None:
    """Go to the step after ``step``, or to the preview."""
    steps = list(CREATE_STEPS)
    index = steps.index(step) + 1
    if index < len(steps):
        nxt = steps[index]
        await state.set_state(getattr(WorkshopsCreate, nxt))
        await prompts.remember(state, await message.answer(_prompt(ctx.tr, nxt, ctx.event.timezone),
                                                           reply_markup=_skip_markup(ctx.tr, nxt)))
        return
    await state.set_state(WorkshopsCreate.preview)
    data = _data_of(stored)
    markup = rows([button(ctx.tr("workshops-admin-btn-save"), admin("save")),
                   button(ctx.tr("workshops-admin-btn-abort"), admin("abort"))])
    await prompts.remember(state, await message.answer(_preview(ctx.tr, data, settings.tz_of(ctx.event)),
                                                       reply_markup=markup))


async def _skip(query, app, session, ctx, state, wid, page, cb, step):
    current = await state.get_state()
    if current != getattr(WorkshopsCreate, step).state:
        if cb is not None:
            cb.text = ctx.tr("fallback-stale-button")
        return
    stored = dict((await state.get_data()).get("ws") or {})
    stored[step] = None
    await state.update_data(ws=stored)
    await _advance(query.message, ctx, state, step, stored)


async def _save(query, app, session, ctx, state, wid, page, cb):
    if await state.get_state() != WorkshopsCreate.preview.state:
        if cb is not None:
            cb.text = ctx.tr("fallback-stale-button")
        return
    stored = (await state.get_data()).get("ws") or {}
    try:
        workshop = await catalogue.create_workshop(app, session, ctx.event, ctx.member, _data_of(stored))
    except InputError as exc:
        # e.g. the start passed while the organizer looked at the preview: say so, keep the answers.
        await query.message.answer(ctx.tr(exc.key, **exc.args_) + "\n" + ctx.tr("workshops-create-fix-start"))
        await state.set_state(WorkshopsCreate.starts)
        await prompts.remember(state, await query.message.answer(_prompt(ctx.tr, "starts", ctx.event.timezone),
                                                                 reply_markup=_skip_markup(ctx.tr, "starts")))
        return
    await state.clear()
    await query.message.edit_reply_markup(reply_markup=None)
    await query.message.answer(ctx.tr("workshops-created", title=hd.quote(workshop.title)))
    text, markup = await _workshop_view(app, session, ctx, workshop)
    await query.message.answer(text, reply_markup=markup)


# --- editing one field --------------------------------------------------------------------------

async def _edit(query, app, session, ctx, state, wid, page, cb, field):
    workshop = await _load(session, ctx, wid)
    await state.clear()
    await state.set_state(WorkshopsEdit.value)
    await state.update_data(edit={"id": workshop.id, "field": field})
    step = {"time": "starts"}.get(field, field)
    markup = rows([button(ctx.tr("btn-skip"), admin(f"clear-{field}", wid))] if field in OPTIONAL else [],
                  [button(ctx.tr("workshops-admin-btn-abort"), admin("ws", wid))])
    await prompts.remember(state, await query.message.answer(
        ctx.tr("workshops-edit-intro", title=hd.quote(workshop.title)) + "\n\n"
        + _prompt(ctx.tr, step, ctx.event.timezone), reply_markup=markup))


async def _apply_edit(target: Message, app, session, ctx, state, wid: int, changes: dict) -> None:
    if "capacity" in changes:
        result = await catalogue.set_capacity(app, session, ctx.event, ctx.member, wid, changes["capacity"])
        if result.status == "below":
            raise InputError("workshops-error-capacity-below", capacity=result.new, booked=result.booked,
                                     held=result.held, minimum=result.booked + result.held)
        note = ctx.tr("workshops-capacity-changed", old=result.old, new=result.new)
    else:
        result = await catalogue.update_workshop(app, session, ctx.event, ctx.member, wid, changes)
        note = ctx.tr("workshops-saved") + (
            "\n" + ctx.tr("workshops-notified", count=result.notified) if result.notified else "") + (
            "\n" + ctx.tr("workshops-notified-joined", count=result.joined) if result.joined else "")
    await state.clear()
    await target.answer(note)
    workshop = await _load(session, ctx, wid)
    text, markup = await _workshop_view(app, session, ctx, workshop)
    await target.answer(text, reply_markup=markup)


async def _clear_field(query, app, session, ctx, state, wid, page, cb, field):
    if await state.get_state() != WorkshopsEdit.value.state:
        if cb is not None:
            cb.text = ctx.tr("fallback-stale-button")
        return
    await _apply_edit(query.message, app, session, ctx, state, wid, {field: None})


# --- text answers in either dialog -------------------------------------------------------------

async def on_dialog_text(message: Message, app, session, event_ctx: EventContext, state: FSMContext) -> None:
    ctx = event_ctx
    if ctx.event is None or not ctx.is_admin:
        await state.clear()
        await refuse(message, ctx)
        return
    tz, now = settings.tz_of(ctx.event), utcnow()
    current = await state.get_state()
    data = await state.get_data()
    if message.text is None:
        await message.answer(ctx.tr("workshops-error-not-text"))
        return
    try:
        if current in (WorkshopsEdit.value.state, WorkshopsEdit.ends.state):
            await _edit_text(message, app, session, ctx, state, data, current, tz, now)
            return
        step = current.split(":", 1)[1]
        if step == "preview":
            return
        stored = dict(data.get("ws") or {})
        stored.update(_parse_step(step, message.text, stored, tz, now))
        await state.update_data(ws=stored)
        await _advance(message, ctx, state, step, stored)
    except InputError as exc:
        await message.answer(ctx.tr(exc.key, **exc.args_) + "\n" + ctx.tr("workshops-try-again"))
    except NotAllowed:
        await state.clear()
        await refuse(message, ctx)


async def _edit_text(message, app, session, ctx, state, data, current, tz, now) -> None:
    edit = data.get("edit") or {}
    wid, field = int(edit.get("id", 0)), edit.get("field")
    workshop = await _load(session, ctx, wid)
    if field == "time":
        if current == WorkshopsEdit.value.state:
            starts = organizer_input.parse_local_datetime(message.text, tz, now)
            if starts <= now:
                raise InputError("workshops-error-in-past")
            await state.update_data(edit={**edit, "starts_at": starts.isoformat()})
            await state.set_state(WorkshopsEdit.ends)
            await prompts.remember(state, await message.answer(_prompt(ctx.tr, "ends", ctx.event.timezone)))
            return
        starts = dt.datetime.fromisoformat(edit["starts_at"])
        ends = organizer_input.parse_end(message.text, starts, tz)
        await _apply_edit(message, app, session, ctx, state, workshop.id, {"starts_at": starts, "ends_at": ends})
        return
    step = {"capacity": "capacity"}.get(field, field)
    parsed = _parse_step(step, message.text, {}, tz, now)
    await _apply_edit(message, app, session, ctx, state, workshop.id, parsed)


def _with_field(fn, field):
    async def bound(query, app, session, ctx, state, wid, page, cb):
        await fn(query, app, session, ctx, state, wid, page, cb, field)

    return bound


ACTIONS = {
    "home": _home, "ws": _workshop, "att": _attendees, "wl": _waitlist, "csv": _csv,
    "del": _delete_ask, "delok": _delete, "new": _new, "abort": _abort, "save": _save,
    **{f"skip-{s}": _with_field(_skip, s) for s in OPTIONAL},
    **{f"e-{f}": _with_field(_edit, f) for f in EDITABLE},
    **{f"clear-{f}": _with_field(_clear_field, f) for f in OPTIONAL},
}
