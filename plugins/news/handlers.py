"""Organizer side of news: compose (text or a photo with a caption, formatting kept), preview, send.

Every handler checks the role and the service checks it again. Nothing is queued until the
organizer presses "Send" on the preview; the dialog's state is cleared in the same update, so a
second tap on "Send" finds nothing to send instead of sending twice.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.text_decorations import html_decoration as hd

from core import prompts
from core.context import EventContext
from core.filters import Magic
from core.handlers.admin import refuse
from core.handlers.common import reply
from core.keyboards import button, rows
from plugins.news import service

# PICK + audience key marks a group and asks to confirm; SEND + audience key queues the news.
HOME, NEW, PICK, SEND, CANCEL = "nws:home", "nws:new", "nws:to:", "nws:send:", "nws:cancel"
# A longer label is cut by Telegram on a phone, head-count first: shorten the name ourselves and
# keep the count; the confirmation then names the group in full.
LABEL_MAX = 34


class NewsCompose(StatesGroup):
    draft = State()
    preview = State()


def router() -> Router:
    r = Router(name="news:admin")
    r.callback_query.register(on_home, Magic(F.data == HOME))
    r.callback_query.register(on_new, Magic(F.data == NEW))
    r.callback_query.register(on_pick, Magic(F.data.startswith(PICK)))
    r.callback_query.register(on_send, Magic(F.data.startswith(SEND)))
    r.callback_query.register(on_cancel, Magic(F.data == CANCEL))
    r.message.register(on_draft, StateFilter(NewsCompose.draft), Magic(F.chat.type == "private"))
    return r


def _allowed(ctx: EventContext) -> bool:
    return ctx.event is not None and ctx.is_admin


async def on_home(query: CallbackQuery, app, session, event_ctx: EventContext, state: FSMContext,
                  callback_answer=None) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    if not _allowed(ctx):
        await refuse(query, ctx, callback_answer)
        return
    await state.clear()
    lines = [tr("news-home", people=await service.audience_size(session, ctx.event))]
    for item in await service.recent(app, session, ctx.event, ctx.member):
        c = item.counts
        lines.append(tr("news-home-line", title=hd.quote(item.title), sent=c.sent, total=c.total,
                        failed=c.failed, blocked=c.blocked, pending=c.pending))
    await reply(query, "\n".join(lines), rows([button(tr("news-btn-new"), NEW)],
                                                [button(tr("news-btn-back"), "core:admin")]))


async def on_new(query: CallbackQuery, session, event_ctx: EventContext, state: FSMContext,
                 callback_answer=None) -> None:
    ctx = event_ctx
    if not _allowed(ctx):
        await refuse(query, ctx, callback_answer)
        return
    await state.set_state(NewsCompose.draft)
    await state.set_data({})
    await prompts.remember(state, await query.message.answer(
        ctx.tr("news-ask", people=await service.audience_size(session, ctx.event)),
        reply_markup=rows([button(ctx.tr("news-btn-cancel"), CANCEL)])))


async def on_draft(message: Message, app, session, event_ctx: EventContext, state: FSMContext) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    if not _allowed(ctx):
        await state.clear()
        await refuse(message, ctx)
        return
    cancel_row = [button(tr("news-btn-cancel"), CANCEL)]
    if message.photo:
        draft = {"text": message.html_text if message.caption else None, "photo": message.photo[-1].file_id}
    elif message.text:
        draft = {"text": message.html_text, "photo": None}
    else:
        await prompts.remember(state, await message.answer(tr("news-error-kind"), reply_markup=rows(cancel_row)))
        return
    try:
        service.check(draft["text"], with_photo=draft["photo"] is not None,
                      reserved=service.header_length(app, ctx.event))
    except service.NewsError as exc:
        await prompts.remember(state, await message.answer(tr(exc.key, **exc.args_), reply_markup=rows(cancel_row)))
        return
    await state.set_state(NewsCompose.preview)
    await state.set_data(draft)
    # The preview is the news exactly as members will get it (with the event's header), then the question.
    shown = service.with_header(app, ctx.event, draft["text"])
    if draft["photo"]:
        await message.answer_photo(draft["photo"], caption=shown)
    else:
        await message.answer(shown)
    audiences = await service.audiences(app, session, ctx.event, tr)
    await prompts.remember(state, await message.answer(tr("news-confirm"),
                                                       reply_markup=_audience_keyboard(tr, audiences, chosen=None)))


def _label(text: str) -> str:
    return text if len(text) <= LABEL_MAX else text[:LABEL_MAX - 1] + "…"


def _audience_keyboard(tr, audiences, chosen) -> InlineKeyboardMarkup:
    """One audience a row; the chosen one is marked and followed by the button that sends."""
    choices = [[button(tr("news-btn-audience", audience=_label(a.label), people=a.count,
                          mark="yes" if chosen is not None and a.key == chosen.key else "no"),
                       PICK + a.key)] for a in audiences]
    send_row = [button(tr("news-btn-send", people=chosen.count), SEND + chosen.key)] if chosen else []
    return rows(*choices, send_row, [button(tr("news-btn-again"), NEW), button(tr("news-btn-cancel"), CANCEL)])


async def on_pick(query: CallbackQuery, app, session, event_ctx: EventContext, state: FSMContext,
                  callback_answer=None) -> None:
    """The organizer chose a group: name it and its head-count, and ask to confirm."""
    ctx, tr = event_ctx, event_ctx.tr
    if not _allowed(ctx):
        await state.clear()
        await refuse(query, ctx, callback_answer)
        return
    if await state.get_state() != NewsCompose.preview.state:
        if callback_answer is not None:
            callback_answer.text = tr("news-nothing-to-send")
        return
    audiences = await service.audiences(app, session, ctx.event, tr)
    chosen = next((a for a in audiences if a.key == query.data.removeprefix(PICK)), None)
    if chosen is None:
        await reply(query, tr("news-error-audience-gone") + "\n\n" + tr("news-confirm"),
                    _audience_keyboard(tr, audiences, chosen=None))
        return
    await reply(query, tr("news-confirm-to", audience=hd.quote(chosen.label), people=chosen.count),
                _audience_keyboard(tr, audiences, chosen=chosen))


async def on_send(query: CallbackQuery, app, session, event_ctx: EventContext, state: FSMContext,
                  callback_answer=None) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    if not _allowed(ctx):
        await state.clear()
        await refuse(query, ctx, callback_answer)
        return
    draft = await state.get_data() if await state.get_state() == NewsCompose.preview.state else None
    if not draft:
        if callback_answer is not None:
            callback_answer.text = tr("news-nothing-to-send")
        return
    try:
        batch = await service.send(app, session, ctx.event, ctx.member, text_html=draft.get("text"),
                                   photo=draft.get("photo"), audience=query.data.removeprefix(SEND))
    except service.NotAllowed:
        await state.clear()
        await refuse(query, ctx, callback_answer)
        return
    except service.NewsError as exc:
        await query.message.answer(tr(exc.key, **exc.args_))
        return
    await state.clear()
    await reply(query, tr("news-queued", people=batch.total), rows([button(tr("news-btn-home"), HOME)]))


async def on_cancel(query: CallbackQuery, event_ctx: EventContext, state: FSMContext, callback_answer=None) -> None:
    ctx = event_ctx
    if not _allowed(ctx):
        await refuse(query, ctx, callback_answer)
        return
    await state.clear()
    await reply(query, ctx.tr("news-cancelled"), rows([button(ctx.tr("news-btn-home"), HOME)]))
