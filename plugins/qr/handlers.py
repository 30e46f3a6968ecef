"""Participants' pass and the check-in desk. Thin: every decision is the service's.

The desk is an FSM state (``QrDesk.scanning``) so a checker sends photo after photo without
pressing anything in between. Decoding runs in the QR thread pool, never on the event loop.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Annotated
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters.callback_data import CallbackData
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.text_decorations import html_decoration as hd
from pydantic import Field

from core.callback_types import RowId
from core.context import EventContext
from core.db import commit_now
from core.filters import Magic
from core.handlers.admin import refuse
from core.handlers.common import reply
from core.keyboards import button, rows
from plugins.qr import doors, imaging, scans, service
from plugins.qr.scans import Outcome, ScanResult

PASS, REISSUE = "qr:pass", "qr:re"
DESK, DESK_OFF, STATS = "qr:desk", "qr:desk:off", "qr:stats"
DOORS, ENTRANCE = "qr:doors", "qr:entrance"
DOOR_KEY = "qr_door"  # FSM data: the workshop whose door the desk is at (absent or None: the entrance)
UserId = Annotated[int, Field(ge=1, le=2**63 - 1)]  # a Telegram user id (BIGINT)
FILE_MAX = 20 * 1024 * 1024  # the Bot API's getFile limit


class QrDesk(StatesGroup):
    scanning = State()


class QrReissue(CallbackData, prefix="qr.reissue"):
    """"Yes, issue a new pass", naming the pass the person saw (0: none), so a second tap is harmless."""

    replacing: RowId


class QrUndo(CallbackData, prefix="qr.undo"):
    checkin: RowId


class QrDoor(CallbackData, prefix="qr.door"):
    """The desk moves to this workshop's door."""

    ws: RowId


class QrDoorUndo(CallbackData, prefix="qr.doorundo"):
    """Take back a mark at a workshop's door (organizers)."""

    ws: RowId
    user: UserId


def router() -> Router:
    r = Router(name="qr")
    private = Magic(F.chat.type == "private")
    r.message.register(on_pass, Command("pass"), private)
    r.callback_query.register(on_pass, Magic(F.data == PASS))
    r.callback_query.register(on_reissue_ask, Magic(F.data == REISSUE))
    r.callback_query.register(on_reissue, QrReissue.filter())
    r.callback_query.register(on_desk, Magic(F.data == DESK))
    r.callback_query.register(on_desk_off, Magic(F.data == DESK_OFF))
    r.callback_query.register(on_stats, Magic(F.data == STATS))
    r.callback_query.register(on_undo, QrUndo.filter())
    r.callback_query.register(on_doors, Magic(F.data == DOORS))
    r.callback_query.register(on_door, QrDoor.filter())
    r.callback_query.register(on_entrance, Magic(F.data == ENTRANCE))
    r.callback_query.register(on_door_undo, QrDoorUndo.filter())
    scanning = StateFilter(QrDesk.scanning)
    r.message.register(on_photo, scanning, Magic(F.photo), private)
    r.message.register(on_document, scanning, Magic(F.document), private)
    r.message.register(on_code, scanning, Magic(F.text & ~F.text.startswith("/")), private)
    return r


# --------------------------------------------------------------------------------------- the pass

async def _send_pass(message: Message, app, session, ctx: EventContext, pass_, intro: str | None = None) -> None:
    tr = ctx.tr
    markup = rows([button(tr("qr-btn-reissue"), REISSUE)], [button(tr("qr-btn-menu"), "core:menu")])
    picture = await service.picture(app, session, ctx.event, pass_)
    caption = tr("qr-pass-caption", event=hd.quote(picture.event_title), name=hd.quote(picture.name),
                 code=picture.code)
    if intro:
        caption = f"{intro}\n\n{caption}"
    photo_file_id, pass_id = pass_.photo_file_id, pass_.id
    # Decided and stored before the picture is drawn and sent: no lock (SQLite's write lock) or
    # connection is held during the drawing or the HTTP round trip.
    await commit_now(session)
    if photo_file_id:
        await message.answer_photo(photo_file_id, caption=caption, reply_markup=markup)
        return
    png = await imaging.run(imaging.pass_png, picture)
    sent = await message.answer_photo(BufferedInputFile(png, f"pass-{ctx.event.slug}.png"), caption=caption,
                                      reply_markup=markup)
    if sent.photo:
        await service.remember_photo(session, pass_id, sent.photo[-1].file_id)


async def on_pass(target: Message | CallbackQuery, app, session, event_ctx: EventContext) -> None:
    ctx = event_ctx
    message = target.message if isinstance(target, CallbackQuery) else target
    if ctx.event is None or ctx.member is None:
        return
    try:
        pass_ = await service.my_pass(app, session, ctx.event, ctx.member)
    except service.NoPass:
        await message.answer(ctx.tr("qr-pass-need-signup"))
        return
    await _send_pass(message, app, session, ctx, pass_)


async def on_reissue_ask(query: CallbackQuery, session, event_ctx: EventContext) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    if ctx.event is None or ctx.member is None:
        return
    current = await service.live_pass(session, ctx.event, ctx.member.user_id)
    await query.message.answer(tr("qr-reissue-ask"), reply_markup=rows(
        [button(tr("qr-btn-reissue-yes"), QrReissue(replacing=current.id if current else 0).pack()),
         button(tr("qr-btn-reissue-no"), PASS)]))


async def on_reissue(query: CallbackQuery, callback_data: QrReissue, app, session, event_ctx: EventContext) -> None:
    ctx = event_ctx
    if ctx.event is None or ctx.member is None:
        return
    try:
        pass_ = await service.reissue(app, session, ctx.event, ctx.member, callback_data.replacing or None)
    except service.NoPass:
        await query.message.answer(ctx.tr("qr-pass-need-signup"))
        return
    if query.message.text is not None:  # the question: remove it so "yes" cannot be pressed twice
        with contextlib.suppress(TelegramBadRequest):  # older than 48 h: Telegram keeps it; harmless
            await query.message.delete()
    await _send_pass(query.message, app, session, ctx, pass_, intro=ctx.tr("qr-reissued"))


# --------------------------------------------------------------------------------------- the desk

def _desk_keyboard(app, ctx: EventContext, door: int | None = None):
    tr = ctx.tr
    lines = [[button(tr("qr-btn-stats"), STATS), button(tr("qr-btn-desk-off"), DESK_OFF)]]
    if scans.door_checkin(app, ctx.event):
        lines.insert(0, [button(tr("qr-btn-doors" if door is None else "qr-btn-other-door"), DOORS)]
                     + ([button(tr("qr-btn-entrance"), ENTRANCE)] if door is not None else []))
    return rows(*lines)


def _may_scan(app, ctx: EventContext) -> bool:
    return ctx.event is not None and scans.is_desk(app, ctx.event, ctx.member)


async def _door_of(state: FSMContext) -> int | None:
    return (await state.get_data()).get(DOOR_KEY)


async def on_desk(query: CallbackQuery, app, event_ctx: EventContext, state: FSMContext, callback_answer=None) -> None:
    ctx = event_ctx
    if not _may_scan(app, ctx):
        await _refuse(query, ctx, callback_answer)
        return
    await state.set_state(QrDesk.scanning)
    await state.update_data({DOOR_KEY: None})  # the desk opens at the entrance
    text = ctx.tr("qr-desk-start")
    if scans.door_checkin(app, ctx.event):
        text += "\n" + ctx.tr("qr-desk-start-doors")
    if imaging.scanner_problem() is not None:
        text += "\n\n" + ctx.tr("qr-scanner-missing", package=imaging.ZBAR_PACKAGE)
    await query.message.answer(text, reply_markup=_desk_keyboard(app, ctx))


async def on_desk_off(query: CallbackQuery, event_ctx: EventContext, state: FSMContext) -> None:
    await state.clear()
    await reply(query, event_ctx.tr("qr-desk-off"), rows([button(event_ctx.tr("qr-btn-menu"), "core:menu")]))


async def _refuse(target, ctx: EventContext, callback_answer=None, key: str = "qr-desk-only") -> None:
    if isinstance(target, CallbackQuery) and callback_answer is not None:
        callback_answer.text, callback_answer.show_alert = ctx.tr(key), True
        return
    message = target.message if isinstance(target, CallbackQuery) else target
    await message.answer(ctx.tr(key))


async def _at_desk(message: Message, app, ctx: EventContext, state: FSMContext) -> bool:
    """Still allowed to scan? A role taken away while the desk was open ends the desk."""
    if _may_scan(app, ctx):
        return True
    await state.clear()
    await _refuse(message, ctx)
    return False


# ------------------------------------------------------------------------------- workshop doors

def _count(ctx: EventContext, d: doors.Door | None) -> str:
    return ctx.tr("qr-door-count", came=d.came if d else 0, booked=d.booked if d else 0)


def _door_label(ctx: EventContext, d: doors.Door) -> str:
    tz = ZoneInfo(ctx.event.timezone or "UTC")
    return f"{d.starts_at.astimezone(tz):%H:%M} {d.title}"[:56] + f" · {d.came}/{d.booked}"


async def _door_allowed(query: CallbackQuery, app, ctx: EventContext, callback_answer) -> bool:
    """Door mode: desk staff only, and only where the event turned it on."""
    if not _may_scan(app, ctx):
        await _refuse(query, ctx, callback_answer)
        return False
    if not scans.door_checkin(app, ctx.event):
        await _refuse(query, ctx, callback_answer, "qr-doors-off")
        return False
    return True


async def on_doors(query: CallbackQuery, app, session, event_ctx: EventContext, state: FSMContext,
                   callback_answer=None) -> None:
    """Pick the workshop whose door the desk is at: today's workshops, with came / booked."""
    ctx = event_ctx
    if not await _door_allowed(query, app, ctx, callback_answer):
        return
    found = await doors.todays(app, session, ctx.event, ctx.member)
    door = await _door_of(state)
    if not found:
        await query.message.answer(ctx.tr("qr-doors-none"), reply_markup=_desk_keyboard(app, ctx, door))
        return
    back = button(ctx.tr("qr-btn-entrance"), ENTRANCE)
    await query.message.answer(ctx.tr("qr-doors-pick", count=len(found)), reply_markup=rows(
        *[[button(_door_label(ctx, d), QrDoor(ws=d.workshop_id).pack())] for d in found], [back]))


async def on_door(query: CallbackQuery, callback_data: QrDoor, app, session, event_ctx: EventContext,
                  state: FSMContext, callback_answer=None) -> None:
    ctx = event_ctx
    if not await _door_allowed(query, app, ctx, callback_answer):
        return
    d = await doors.door(app, session, ctx.event, ctx.member, callback_data.ws)
    if d is None:
        await query.message.answer(ctx.tr("qr-door-gone"), reply_markup=_desk_keyboard(app, ctx))
        return
    await state.set_state(QrDesk.scanning)  # also from a picker left open after the desk was closed
    await state.update_data({DOOR_KEY: d.workshop_id})
    tz = ZoneInfo(ctx.event.timezone or "UTC")
    text = "\n".join((ctx.tr("qr-door-start", title=hd.quote(d.title), place=hd.quote(d.place or "—"),
                               starts=f"{d.starts_at.astimezone(tz):%H:%M}", ends=f"{d.ends_at.astimezone(tz):%H:%M}"),
                       _count(ctx, d), ctx.tr("qr-door-hint")))
    await query.message.answer(text, reply_markup=_desk_keyboard(app, ctx, d.workshop_id))


async def on_entrance(query: CallbackQuery, app, event_ctx: EventContext, state: FSMContext,
                      callback_answer=None) -> None:
    ctx = event_ctx
    if not _may_scan(app, ctx):
        await _refuse(query, ctx, callback_answer)
        return
    await state.set_state(QrDesk.scanning)
    await state.update_data({DOOR_KEY: None})
    await query.message.answer(ctx.tr("qr-entrance-back"), reply_markup=_desk_keyboard(app, ctx))


async def on_door_undo(query: CallbackQuery, callback_data: QrDoorUndo, app, session, event_ctx: EventContext,
                       state: FSMContext, callback_answer=None) -> None:
    ctx = event_ctx
    if ctx.event is None or not ctx.is_admin:
        await refuse(query, ctx, callback_answer)
        return
    try:
        name = await doors.undo(app, session, ctx.event, ctx.member, callback_data.ws, callback_data.user)
    except service.NotAllowed:
        await refuse(query, ctx, callback_answer)
        return
    if name is None:
        if callback_answer is not None:
            callback_answer.text = ctx.tr("qr-undo-gone")
        return
    await query.message.answer(ctx.tr("qr-door-undone", name=hd.quote(name)),
                               reply_markup=_desk_keyboard(app, ctx, await _door_of(state)))


# --------------------------------------------------------------------------------------- scanning

async def _scan_image(message: Message, app, session, ctx: EventContext, file_id: str, door: int | None) -> None:
    data = (await message.bot.download(file_id)).getvalue()
    try:
        payloads = await imaging.run(imaging.decode, data, service.PASS_PREFIX)
    except imaging.ScannerMissing:
        await message.answer(ctx.tr("qr-scanner-missing", package=imaging.ZBAR_PACKAGE),
                             reply_markup=_desk_keyboard(app, ctx, door))
        return
    except imaging.NotAnImage:
        result = await service.record_failure(app, session, ctx.event, ctx.member, Outcome.NOT_IMAGE, door)
    else:
        result = await service.check_in_payloads(app, session, ctx.event, ctx.member, payloads, door)
    await _answer_result(message, app, session, ctx, result)


async def on_photo(message: Message, app, session, event_ctx: EventContext, state: FSMContext) -> None:
    if await _at_desk(message, app, event_ctx, state):
        await _scan_image(message, app, session, event_ctx, message.photo[-1].file_id, await _door_of(state))


async def on_document(message: Message, app, session, event_ctx: EventContext, state: FSMContext) -> None:
    """A pass sent as a file (phones do that to keep quality) is read like a photo."""
    ctx, doc = event_ctx, message.document
    if not await _at_desk(message, app, ctx, state):
        return
    door = await _door_of(state)
    if doc.file_size and doc.file_size > FILE_MAX:
        await message.answer(ctx.tr("qr-too-big", size=round(doc.file_size / 2**20)),
                             reply_markup=_desk_keyboard(app, ctx, door))
        return
    if doc.mime_type and not doc.mime_type.startswith("image/"):  # a PDF, a video...: no need to fetch it
        result = await service.record_failure(app, session, ctx.event, ctx.member, Outcome.NOT_IMAGE, door)
        await _answer_result(message, app, session, ctx, result)
        return
    await _scan_image(message, app, session, ctx, doc.file_id, door)


async def on_code(message: Message, app, session, event_ctx: EventContext, state: FSMContext) -> None:
    ctx = event_ctx
    if not await _at_desk(message, app, ctx, state):
        return
    result = await service.check_in_code(app, session, ctx.event, ctx.member, message.text, await _door_of(state))
    await _answer_result(message, app, session, ctx, result, typed=message.text)


def _time(ctx: EventContext, at: dt.datetime | None) -> str:
    if at is None:
        return "—"
    local = at.astimezone(ZoneInfo(ctx.event.timezone or "UTC"))
    today = dt.datetime.now(local.tzinfo).date()
    return f"{local:%H:%M}" if local.date() == today else f"{local:%d.%m %H:%M}"


def _by(ctx: EventContext, result: ScanResult) -> str:
    return ctx.tr("qr-already-by", name=hd.quote(result.by_name)) if result.by_name else ctx.tr("qr-already-by-cli")


async def _door_text(app, session, ctx: EventContext, result: ScanResult) -> str | None:
    """The answer at a workshop's door, for what differs from the entrance's."""
    name = hd.quote(result.name or "—")
    if result.outcome is Outcome.NO_DOOR:
        return ctx.tr("qr-door-gone")
    if result.outcome not in (Outcome.OK, Outcome.ALREADY, Outcome.NOT_BOOKED):
        return None  # a bad pass reads the same at any door
    d = await doors.door(app, session, ctx.event, ctx.member, result.door)
    title = hd.quote(d.title if d else "—")
    if result.outcome is Outcome.OK:
        return ctx.tr("qr-door-ok", name=name, title=title, time=_time(ctx, result.at)) + "\n" + _count(ctx, d)
    if result.outcome is Outcome.ALREADY:
        return ctx.tr("qr-door-already", name=name, title=title, time=_time(ctx, result.at), by=_by(ctx, result))
    return ctx.tr("qr-door-not-booked", name=name, title=title)


async def _entrance_text(app, session, ctx: EventContext, result: ScanResult, typed: str | None) -> str:
    tr, name = ctx.tr, hd.quote(result.name or "—")
    match result.outcome:
        case Outcome.OK:
            text = tr("qr-ok", name=name, role=tr("role-" + (result.role or "participant")),
                      time=_time(ctx, result.at))
            titles = await service.todays_workshops(app, session, ctx.event, result.user_id)
            if titles:
                text += "\n" + tr("qr-ok-workshops", list=hd.quote("; ".join(titles)))
            return text
        case Outcome.ALREADY:
            return tr("qr-already", name=name, time=_time(ctx, result.at), by=_by(ctx, result))
        case Outcome.REVOKED:
            reason = tr({"reissued": "qr-revoked-reissued", "forgotten": "qr-revoked-forgotten"}
                        .get(result.revoked_reason or "", "qr-revoked-other"))
            return tr("qr-revoked", reason=reason, when=_time(ctx, result.at), name=name)
        case Outcome.OTHER_EVENT:
            return tr("qr-other-event", event=hd.quote(result.other_event or "?"))
        case Outcome.NOT_REGISTERED:
            return tr("qr-not-registered", name=name)
        case Outcome.BAD_CODE:
            return tr("qr-bad-code", code=hd.quote((typed or "").strip()[:32]))
        case _:
            return tr({Outcome.FORGED: "qr-forged", Outcome.UNKNOWN: "qr-unknown", Outcome.NOT_OURS: "qr-not-ours",
                       Outcome.NO_QR: "qr-no-qr", Outcome.NOT_IMAGE: "qr-not-image"}[result.outcome])


def _undo_button(result: ScanResult) -> str | None:
    if result.outcome not in (Outcome.OK, Outcome.ALREADY):
        return None
    if result.door is None:
        return QrUndo(checkin=result.checkin_id).pack() if result.checkin_id else None
    return QrDoorUndo(ws=result.door, user=result.user_id).pack() if result.user_id else None


async def _answer_result(message: Message, app, session, ctx: EventContext, result: ScanResult,
                         typed: str | None = None) -> None:
    text = None if result.door is None else await _door_text(app, session, ctx, result)
    if text is None:
        text = await _entrance_text(app, session, ctx, result, typed)
    markup = _desk_keyboard(app, ctx, result.door)
    undo = _undo_button(result) if ctx.is_admin else None  # checkers only scan
    if undo:
        markup = rows([button(ctx.tr("qr-btn-undo"), undo)], *markup.inline_keyboard)
    await message.answer(text, reply_markup=markup)


async def on_undo(query: CallbackQuery, callback_data: QrUndo, app, session, event_ctx: EventContext,
                  state: FSMContext, callback_answer=None) -> None:
    ctx = event_ctx
    if ctx.event is None or not ctx.is_admin:
        await refuse(query, ctx, callback_answer)
        return
    try:
        name = await service.undo(app, session, ctx.event, ctx.member, callback_data.checkin)
    except service.NotAllowed:
        await refuse(query, ctx, callback_answer)
        return
    if name is None:
        if callback_answer is not None:
            callback_answer.text = ctx.tr("qr-undo-gone")
        return
    await query.message.answer(ctx.tr("qr-undone", name=hd.quote(name)),
                               reply_markup=_desk_keyboard(app, ctx, await _door_of(state)))


async def on_stats(query: CallbackQuery, app, session, event_ctx: EventContext, state: FSMContext,
                   callback_answer=None) -> None:
    ctx = event_ctx
    if not _may_scan(app, ctx):
        await _refuse(query, ctx, callback_answer)
        return
    door = await _door_of(state)
    s = await service.stats(app, session, ctx.event, ctx.member)
    d = None if door is None else await doors.door(app, session, ctx.event, ctx.member, door)
    lines = [ctx.tr("qr-stats", checked=s.checked_in, registered=s.registered)]
    lines += [ctx.tr("qr-stats-hour", hour=h, count=c) for h, c in s.by_hour] or [ctx.tr("qr-stats-none")]
    if d is not None:  # at a workshop's door: its count first, the entrance's below
        lines = [ctx.tr("qr-door-stats", title=hd.quote(d.title)), _count(ctx, d), ""] + lines
    await query.message.answer("\n".join(lines), reply_markup=_desk_keyboard(app, ctx, door))
