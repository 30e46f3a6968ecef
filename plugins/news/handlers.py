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
from aiogram.types import CallbackQuery, Message
from aiogram.utils.text_decorations import html_decoration as hd

from core.context import EventContext
from core.filters import Magic
from core.handlers.admin import refuse
from core.handlers.common import reply
from core.keyboards import button, rows
from plugins.news import service

HOME, NEW, SEND, CANCEL = "nws:home", "nws:new", "nws:send:", "nws:cancel"  # SEND + audience key


class NewsCompose(StatesGroup):
    draft = State()
    preview = State()


def router() -> Router:
    r = Router(name="news:admin")
    r.callback_query.register(on_home, Magic(F.data == HOME))
    r.callback_query.register(on_new, Magic(F.data == NEW))
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
    await query.message.answer(ctx.tr("news-ask", people=await service.audience_size(session, ctx.event)),
                               reply_markup=rows([button(ctx.tr("news-btn-cancel"), CANCEL)]))


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
        await message.answer(tr("news-error-kind"), reply_markup=rows(cancel_row))
        return
    try:
        service.check(draft["text"], with_photo=draft["photo"] is not None)
    except service.NewsError as exc:
        await message.answer(tr(exc.key, **exc.args_), reply_markup=rows(cancel_row))
        return
    await state.set_state(NewsCompose.preview)
    await state.set_data(draft)
    # The preview is the news exactly as members will get it, then the question.
    if draft["photo"]:
        await message.answer_photo(draft["photo"], caption=draft["text"])
    else:
        await message.answer(draft["text"])
    # One "send" button per audience: everyone, and the groups other plugins offer.
    choices = [[button(tr("news-btn-send-to", audience=a.label, people=a.count), SEND + a.key)]
               for a in await service.audiences(app, session, ctx.event, tr)]
    await message.answer(tr("news-confirm"),
                         reply_markup=rows(*choices, [button(tr("news-btn-again"), NEW), *cancel_row]))


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
