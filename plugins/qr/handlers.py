"""Participants' pass and the check-in desk. Thin: every decision is the service's.

The desk is an FSM state (``QrDesk.scanning``) so a checker sends photo after photo without
pressing anything in between. Decoding runs in the QR thread pool, never on the event loop.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters.callback_data import CallbackData
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.text_decorations import html_decoration as hd

from core.callback_types import RowId
from core.context import EventContext
from core.filters import Magic
from core.handlers.admin import refuse
from core.handlers.common import reply
from core.keyboards import button, rows
from plugins.qr import imaging, service
from plugins.qr.service import Outcome, ScanResult

PASS, REISSUE = "qr:pass", "qr:re"
DESK, DESK_OFF, STATS = "qr:desk", "qr:desk:off", "qr:stats"
FILE_MAX = 20 * 1024 * 1024  # the Bot API's getFile limit


class QrDesk(StatesGroup):
    scanning = State()


class QrReissue(CallbackData, prefix="qr.reissue"):
    """"Yes, issue a new pass", naming the pass the person saw (0: none), so a second tap is harmless."""

    replacing: RowId


class QrUndo(CallbackData, prefix="qr.undo"):
    checkin: RowId


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
    await session.commit()
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
    await session.commit()
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

def _desk_keyboard(ctx: EventContext):
    return rows([button(ctx.tr("qr-btn-stats"), STATS), button(ctx.tr("qr-btn-desk-off"), DESK_OFF)])


def _may_scan(app, ctx: EventContext) -> bool:
    return ctx.event is not None and service.is_desk(app, ctx.event, ctx.member)


async def on_desk(query: CallbackQuery, app, event_ctx: EventContext, state: FSMContext, callback_answer=None) -> None:
    ctx = event_ctx
    if not _may_scan(app, ctx):
        await _refuse(query, ctx, callback_answer)
        return
    await state.set_state(QrDesk.scanning)
    text = ctx.tr("qr-desk-start")
    if imaging.scanner_problem() is not None:
        text += "\n\n" + ctx.tr("qr-scanner-missing", package=imaging.ZBAR_PACKAGE)
    await query.message.answer(text, reply_markup=_desk_keyboard(ctx))


async def on_desk_off(query: CallbackQuery, event_ctx: EventContext, state: FSMContext) -> None:
    await state.clear()
    await reply(query, event_ctx.tr("qr-desk-off"), rows([button(event_ctx.tr("qr-btn-menu"), "core:menu")]))


async def _refuse(target, ctx: EventContext, callback_answer=None) -> None:
    if isinstance(target, CallbackQuery) and callback_answer is not None:
        callback_answer.text, callback_answer.show_alert = ctx.tr("qr-desk-only"), True
        return
    message = target.message if isinstance(target, CallbackQuery) else target
    await message.answer(ctx.tr("qr-desk-only"))


async def _at_desk(message: Message, app, ctx: EventContext, state: FSMContext) -> bool:
    """Still allowed to scan? A role taken away while the desk was open ends the desk."""
    if _may_scan(app, ctx):
        return True
    await state.clear()
    await _refuse(message, ctx)
    return False


async def _scan_image(message: Message, app, session, ctx: EventContext, file_id: str) -> None:
    data = (await message.bot.download(file_id)).getvalue()
    try:
        payloads = await imaging.run(imaging.decode, data, service.PASS_PREFIX)
    except imaging.ScannerMissing:
        await message.answer(ctx.tr("qr-scanner-missing", package=imaging.ZBAR_PACKAGE),
                             reply_markup=_desk_keyboard(ctx))
        return
    except imaging.NotAnImage:
        result = await service.record_failure(app, session, ctx.event, ctx.member, Outcome.NOT_IMAGE)
    else:
        result = await service.check_in_payloads(app, session, ctx.event, ctx.member, payloads)
    await _answer_result(message, app, session, ctx, result)


async def on_photo(message: Message, app, session, event_ctx: EventContext, state: FSMContext) -> None:
    if await _at_desk(message, app, event_ctx, state):
        await _scan_image(message, app, session, event_ctx, message.photo[-1].file_id)


async def on_document(message: Message, app, session, event_ctx: EventContext, state: FSMContext) -> None:
    """A pass sent as a file (phones do that to keep quality) is read like a photo."""
    ctx, doc = event_ctx, message.document
    if not await _at_desk(message, app, ctx, state):
        return
    if doc.file_size and doc.file_size > FILE_MAX:
        await message.answer(ctx.tr("qr-too-big", size=round(doc.file_size / 2**20)), reply_markup=_desk_keyboard(ctx))
        return
    if doc.mime_type and not doc.mime_type.startswith("image/"):  # a PDF, a video...: no need to fetch it
        result = await service.record_failure(app, session, ctx.event, ctx.member, Outcome.NOT_IMAGE)
        await _answer_result(message, app, session, ctx, result)
        return
    await _scan_image(message, app, session, ctx, doc.file_id)


async def on_code(message: Message, app, session, event_ctx: EventContext, state: FSMContext) -> None:
    ctx = event_ctx
    if not await _at_desk(message, app, ctx, state):
        return
    result = await service.check_in_code(app, session, ctx.event, ctx.member, message.text)
    await _answer_result(message, app, session, ctx, result, typed=message.text)


def _time(ctx: EventContext, at: dt.datetime | None) -> str:
    if at is None:
        return "—"
    local = at.astimezone(ZoneInfo(ctx.event.timezone or "UTC"))
    today = dt.datetime.now(local.tzinfo).date()
    return f"{local:%H:%M}" if local.date() == today else f"{local:%d.%m %H:%M}"


async def _answer_result(message: Message, app, session, ctx: EventContext, result: ScanResult,
                         typed: str | None = None) -> None:
    tr, name = ctx.tr, hd.quote(result.name or "—")
    markup = _desk_keyboard(ctx)
    match result.outcome:
        case Outcome.OK:
            text = tr("qr-ok", name=name, role=tr("role-" + (result.role or "participant")),
                      time=_time(ctx, result.at))
            titles = await service.todays_workshops(app, session, ctx.event, result.user_id)
            if titles:
                text += "\n" + tr("qr-ok-workshops", list=hd.quote("; ".join(titles)))
        case Outcome.ALREADY:
            by = tr("qr-already-by", name=hd.quote(result.by_name)) if result.by_name else tr("qr-already-by-cli")
            text = tr("qr-already", name=name, time=_time(ctx, result.at), by=by)
        case Outcome.REVOKED:
            reason = tr({"reissued": "qr-revoked-reissued", "forgotten": "qr-revoked-forgotten"}
                        .get(result.revoked_reason or "", "qr-revoked-other"))
            text = tr("qr-revoked", reason=reason, when=_time(ctx, result.at), name=name)
        case Outcome.OTHER_EVENT:
            text = tr("qr-other-event", event=hd.quote(result.other_event or "?"))
        case Outcome.NOT_REGISTERED:
            text = tr("qr-not-registered", name=name)
        case Outcome.BAD_CODE:
            text = tr("qr-bad-code", code=hd.quote((typed or "").strip()[:32]))
        case _:
            text = tr({Outcome.FORGED: "qr-forged", Outcome.UNKNOWN: "qr-unknown", Outcome.NOT_OURS: "qr-not-ours",
                       Outcome.NO_QR: "qr-no-qr", Outcome.NOT_IMAGE: "qr-not-image"}[result.outcome])
    if result.outcome in (Outcome.OK, Outcome.ALREADY) and result.checkin_id and ctx.is_admin:
        markup = rows([button(tr("qr-btn-undo"), QrUndo(checkin=result.checkin_id).pack())], *markup.inline_keyboard)
    await session.commit()  # the check-in (and the scan log) is stored before the desk hears "✅"
    await message.answer(text, reply_markup=markup)


async def on_undo(query: CallbackQuery, callback_data: QrUndo, app, session, event_ctx: EventContext,
                  callback_answer=None) -> None:
    ctx = event_ctx
    if ctx.event is None or not ctx.is_admin:
        await refuse(query, ctx, callback_answer)
        return
    try:
        name = await service.undo(app, session, ctx.event, ctx.member, callback_data.checkin)
    except service.NotAllowed:
        await refuse(query, ctx, callback_answer)
        return
    await session.commit()
    if name is None:
        if callback_answer is not None:
            callback_answer.text = ctx.tr("qr-undo-gone")
        return
    await query.message.answer(ctx.tr("qr-undone", name=hd.quote(name)), reply_markup=_desk_keyboard(ctx))


async def on_stats(query: CallbackQuery, app, session, event_ctx: EventContext, callback_answer=None) -> None:
    ctx = event_ctx
    if not _may_scan(app, ctx):
        await _refuse(query, ctx, callback_answer)
        return
    s = await service.stats(app, session, ctx.event, ctx.member)
    await session.commit()
    lines = [ctx.tr("qr-stats", checked=s.checked_in, registered=s.registered)]
    lines += [ctx.tr("qr-stats-hour", hour=h, count=c) for h, c in s.by_hour] or [ctx.tr("qr-stats-none")]
    await query.message.answer("\n".join(lines), reply_markup=_desk_keyboard(ctx))
