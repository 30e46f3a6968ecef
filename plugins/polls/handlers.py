"""Polls in the bot: the organizer's dialog (question → options → settings → preview → send or
pin), their live results, closing and CSV; participants' ballots and votes.

Thin: every decision is in ``service``; every organizer path is checked here and again there.
"""

from __future__ import annotations

import asyncio
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message

from core.context import EventContext
from core.filters import Magic
from core.handlers.admin import refuse
from core.handlers.common import reply
from core.keyboards import button, rows
from plugins.polls import live, render, service

VOTE_SLOTS = 8  # PostgreSQL: votes decided at once by this process
TOGGLES = ("multiple", "anonymous", "changeable", "show_results", "publish_results")


class PollsCreate(StatesGroup):
    question = State()
    options = State()
    settings = State()
    closing = State()


def router() -> Router:
    r = Router(name="polls")
    cb = r.callback_query
    cb.register(on_home, Magic(F.data == "polls:a:home"))
    cb.register(on_new, Magic(F.data == "polls:a:new"))
    cb.register(on_toggle, Magic(F.data.startswith("polls:a:t:")))
    cb.register(on_when, Magic(F.data == "polls:a:when"))
    cb.register(on_settings, Magic(F.data == "polls:a:settings"))
    cb.register(on_preview, Magic(F.data == "polls:a:preview"))
    cb.register(on_send, Magic(F.data.startswith("polls:a:send:")))
    cb.register(on_send, Magic(F.data == "polls:a:pin"))
    cb.register(on_cancel, Magic(F.data == "polls:a:cancel"))
    cb.register(on_poll, Magic(F.data.regexp(r"^polls:a:p:\d{1,9}$")))
    cb.register(on_close, Magic(F.data.regexp(r"^polls:a:close:\d{1,9}$")))
    cb.register(on_csv, Magic(F.data.regexp(r"^polls:a:csv:\d{1,9}$")))
    cb.register(on_list, Magic(F.data == "polls:list"))
    cb.register(on_open, Magic(F.data.regexp(r"^polls:o:\d{1,9}$")))
    cb.register(on_vote, Magic(F.data.regexp(r"^polls:v:\d{1,9}:\d{1,9}$")))
    msg = r.message
    msg.register(on_question, StateFilter(PollsCreate.question), Magic(F.chat.type == "private"))
    msg.register(on_options, StateFilter(PollsCreate.options), Magic(F.chat.type == "private"))
    msg.register(on_closing, StateFilter(PollsCreate.closing), Magic(F.chat.type == "private"))
    return r


def markup(data: dict | None) -> InlineKeyboardMarkup | None:
    return None if data is None else InlineKeyboardMarkup.model_validate(data)


def _allowed(ctx: EventContext) -> bool:
    return ctx.event is not None and ctx.is_admin


def _tz(ctx: EventContext) -> ZoneInfo:
    return ZoneInfo(ctx.event.timezone or "UTC")


def _cancel_row(tr):
    return [button(tr("polls-btn-cancel"), "polls:a:cancel")]


# --- organizer: list and dialog -------------------------------------------------------------------

async def on_home(query: CallbackQuery, session, event_ctx: EventContext, state: FSMContext,
                  callback_answer=None) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    if not _allowed(ctx):
        await refuse(query, ctx, callback_answer)
        return
    await state.clear()
    polls = await service.list_polls(session, ctx.event.id, limit=10)
    choices = [[button(("🟢 " if service.is_open(p) else "⚪ ") + render.title_of(p)[:50], f"polls:a:p:{p.id}")]
               for p in polls]
    await reply(query, tr("polls-home", count=len(polls)),
                rows([button(tr("polls-btn-new"), "polls:a:new")], *choices,
                     [button(tr("polls-btn-back"), "core:admin")]))


async def on_new(query: CallbackQuery, event_ctx: EventContext, state: FSMContext, callback_answer=None) -> None:
    ctx = event_ctx
    if not _allowed(ctx):
        await refuse(query, ctx, callback_answer)
        return
    await state.set_state(PollsCreate.question)
    await state.set_data({})
    await query.message.answer(ctx.tr("polls-ask-question", limit=service.QUESTION_MAX),
                               reply_markup=rows(_cancel_row(ctx.tr)))


async def _guard_message(message: Message, ctx: EventContext, state: FSMContext) -> bool:
    if _allowed(ctx):
        return True
    await state.clear()
    await refuse(message, ctx)
    return False


async def on_question(message: Message, event_ctx: EventContext, state: FSMContext) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    if not await _guard_message(message, ctx, state):
        return
    try:
        question = service.check_question(message.text)
    except service.PollsError as exc:
        await message.answer(tr(exc.key, **exc.args_), reply_markup=rows(_cancel_row(tr)))
        return
    await state.update_data(question=question)
    await state.set_state(PollsCreate.options)
    await message.answer(tr("polls-ask-options", min=service.OPTIONS_MIN, max=service.OPTIONS_MAX),
                         reply_markup=rows(_cancel_row(tr)))


async def on_options(message: Message, event_ctx: EventContext, state: FSMContext) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    if not await _guard_message(message, ctx, state):
        return
    try:
        options = service.check_options(message.text)
    except service.PollsError as exc:
        await message.answer(tr(exc.key, **exc.args_), reply_markup=rows(_cancel_row(tr)))
        return
    data = await state.get_data()
    draft = service.Draft(question=data["question"], options=options)
    await state.set_data({"draft": draft.to_dict()})
    await state.set_state(PollsCreate.settings)
    await _show_settings(message, ctx, draft)


def _settings_view(ctx: EventContext, draft: service.Draft):
    tr = ctx.tr
    toggles = [[button(("☑️ " if getattr(draft, name) else "⬜ ") + tr(f"polls-opt-{name.replace('_', '-')}"),
                       f"polls:a:t:{name}")] for name in TOGGLES]
    when = (f"{draft.closes_at.astimezone(_tz(ctx)):%d.%m.%Y %H:%M}" if draft.closes_at else tr("polls-when-none"))
    text = tr("polls-settings", question=render.q(draft.question), options=len(draft.options), when=when)
    return text, rows(*toggles, [button(tr("polls-btn-when"), "polls:a:when")],
                      [button(tr("polls-btn-preview"), "polls:a:preview")], _cancel_row(tr))


async def _show_settings(target, ctx: EventContext, draft: service.Draft) -> None:
    text, kb = _settings_view(ctx, draft)
    if isinstance(target, Message):
        await target.answer(text, reply_markup=kb)
    else:
        await reply(target, text, kb)


async def _draft(state: FSMContext) -> service.Draft | None:
    data = await state.get_data()
    return service.Draft.from_dict(data["draft"]) if data.get("draft") else None


async def on_toggle(query: CallbackQuery, event_ctx: EventContext, state: FSMContext, callback_answer=None) -> None:
    ctx = event_ctx
    if not _allowed(ctx):
        await refuse(query, ctx, callback_answer)
        return
    name = query.data.removeprefix("polls:a:t:")
    draft = await _draft(state)
    if draft is None or name not in TOGGLES:
        if callback_answer is not None:
            callback_answer.text = ctx.tr("polls-nothing-to-send")
        return
    setattr(draft, name, not getattr(draft, name))
    await state.update_data(draft=draft.to_dict())
    await _show_settings(query, ctx, draft)


async def on_settings(query: CallbackQuery, event_ctx: EventContext, state: FSMContext, callback_answer=None) -> None:
    ctx = event_ctx
    if not _allowed(ctx):
        await refuse(query, ctx, callback_answer)
        return
    draft = await _draft(state)
    if draft is None:
        if callback_answer is not None:
            callback_answer.text = ctx.tr("polls-nothing-to-send")
        return
    await state.set_state(PollsCreate.settings)
    await _show_settings(query, ctx, draft)


async def on_when(query: CallbackQuery, event_ctx: EventContext, state: FSMContext, callback_answer=None) -> None:
    ctx = event_ctx
    if not _allowed(ctx):
        await refuse(query, ctx, callback_answer)
        return
    if await _draft(state) is None:
        if callback_answer is not None:
            callback_answer.text = ctx.tr("polls-nothing-to-send")
        return
    await state.set_state(PollsCreate.closing)
    await query.message.answer(ctx.tr("polls-ask-when", tz=ctx.event.timezone),
                               reply_markup=rows([button(ctx.tr("polls-btn-no-when"), "polls:a:settings")]))


async def on_closing(message: Message, event_ctx: EventContext, state: FSMContext) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    if not await _guard_message(message, ctx, state):
        return
    draft = await _draft(state)
    if draft is None:
        await state.clear()
        return
    try:
        draft.closes_at = service.check_closing(message.text, _tz(ctx))
    except service.PollsError as exc:
        await message.answer(tr(exc.key, **exc.args_), reply_markup=rows(_cancel_row(tr)))
        return
    await state.update_data(draft=draft.to_dict())
    await state.set_state(PollsCreate.settings)
    await _show_settings(message, ctx, draft)


async def on_preview(query: CallbackQuery, app, session, event_ctx: EventContext, state: FSMContext,
                     callback_answer=None) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    if not _allowed(ctx):
        await refuse(query, ctx, callback_answer)
        return
    draft = await _draft(state)
    if draft is None:
        if callback_answer is not None:
            callback_answer.text = tr("polls-nothing-to-send")
        return
    # The preview is the ballot exactly as participants will get it (its buttons do nothing yet).
    preview = service.Poll(id=0, question=draft.question, multiple=draft.multiple, anonymous=draft.anonymous,
                           changeable=draft.changeable, closes_at=draft.closes_at)
    options = [service.PollOption(position=i, text=t) for i, t in enumerate(draft.options)]
    text, kb = render.ballot(tr, preview, options, None, None, tz=_tz(ctx))
    await query.message.answer(text)
    choices = [[button(tr("polls-btn-send-to", audience=a.label, people=a.count), "polls:a:send:" + a.key)]
               for a in await service.audiences(app, session, ctx.event, tr)]
    await query.message.answer(tr("polls-confirm"), reply_markup=rows(
        *choices, [button(tr("polls-btn-pin"), "polls:a:pin")],
        [button(tr("polls-btn-edit"), "polls:a:settings"), *_cancel_row(tr)]))


async def on_send(query: CallbackQuery, app, session, event_ctx: EventContext, state: FSMContext,
                  callback_answer=None) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    if not _allowed(ctx):
        await state.clear()
        await refuse(query, ctx, callback_answer)
        return
    draft = await _draft(state) if await state.get_state() == PollsCreate.settings.state else None
    if draft is None:
        if callback_answer is not None:
            callback_answer.text = tr("polls-nothing-to-send")
        return
    audience = None if query.data == "polls:a:pin" else query.data.removeprefix("polls:a:send:")
    try:
        poll, sent = await service.create(app, session, ctx.event, ctx.member, draft, audience=audience)
    except service.NotAllowed:
        await state.clear()
        await refuse(query, ctx, callback_answer)
        return
    except service.PollsError as exc:
        await query.message.answer(tr(exc.key, **exc.args_), reply_markup=rows(
            [button(tr("polls-btn-edit"), "polls:a:settings"), *_cancel_row(tr)]))
        return
    await state.clear()
    text = tr("polls-sent", people=sent) if audience is not None else tr("polls-pinned")
    await reply(query, text, rows([button(tr("polls-btn-results"), f"polls:a:p:{poll.id}")],
                                  [button(tr("polls-btn-home"), "polls:a:home")]))


async def on_cancel(query: CallbackQuery, event_ctx: EventContext, state: FSMContext, callback_answer=None) -> None:
    ctx = event_ctx
    if not _allowed(ctx):
        await refuse(query, ctx, callback_answer)
        return
    await state.clear()
    await reply(query, ctx.tr("polls-cancelled"), rows([button(ctx.tr("polls-btn-home"), "polls:a:home")]))


# --- organizer: results, closing, export ----------------------------------------------------------

async def _render_view(session, ctx: EventContext, poll) -> tuple[str, dict]:
    return render.organizer_view(ctx.tr, poll, await service.results(session, poll), is_open=service.is_open(poll),
                                 tz=_tz(ctx))


async def on_poll(query: CallbackQuery, app, session, event_ctx: EventContext, callback_answer=None) -> None:
    ctx = event_ctx
    if not _allowed(ctx):
        await refuse(query, ctx, callback_answer)
        return
    poll = await service.get_poll(session, ctx.event.id, int(query.data.rsplit(":", 1)[1]))
    if poll is None:
        if callback_answer is not None:
            callback_answer.text = ctx.tr("polls-gone")
        return
    text, kb = await _render_view(session, ctx, poll)
    await reply(query, text, markup(kb))
    # Kept up to date while votes come in (at most one edit a second).
    await live.remember(session, chat_id=query.message.chat.id, message_id=query.message.message_id,
                        poll_id=poll.id, user_id=ctx.user.id, lang=ctx.tr.lang, text=text, markup=kb)


async def on_close(query: CallbackQuery, app, session, event_ctx: EventContext, callback_answer=None) -> None:
    ctx = event_ctx
    if not _allowed(ctx):
        await refuse(query, ctx, callback_answer)
        return
    poll_id = int(query.data.rsplit(":", 1)[1])
    try:
        closed = await service.close(app, session, ctx.event, ctx.member, poll_id)
    except service.NotAllowed:
        await refuse(query, ctx, callback_answer)
        return
    poll = await service.get_poll(session, ctx.event.id, poll_id)
    if poll is None:
        return
    if callback_answer is not None:
        callback_answer.text = ctx.tr("polls-closed-now" if closed else "polls-already-closed")
    text, kb = await _render_view(session, ctx, poll)
    await reply(query, text, markup(kb))
    await live.remember(session, chat_id=query.message.chat.id, message_id=query.message.message_id,
                        poll_id=poll.id, user_id=ctx.user.id, lang=ctx.tr.lang, text=text, markup=kb)


async def on_csv(query: CallbackQuery, app, session, event_ctx: EventContext, callback_answer=None) -> None:
    ctx = event_ctx
    if not _allowed(ctx):
        await refuse(query, ctx, callback_answer)
        return
    poll_id = int(query.data.rsplit(":", 1)[1])
    try:
        data = await service.export_csv(app, session, ctx.event, ctx.member, poll_id)
    except service.NotAllowed:
        await refuse(query, ctx, callback_answer)
        return
    except service.PollsError as exc:
        if callback_answer is not None:
            callback_answer.text = ctx.tr(exc.key, **exc.args_)
        return
    name = f"{ctx.event.slug}-poll-{poll_id}.csv"
    await query.message.answer_document(BufferedInputFile(data.encode("utf-8-sig"), filename=name),
                                        caption=ctx.tr("polls-csv-caption"))


# --- participants ---------------------------------------------------------------------------------

async def on_list(query: CallbackQuery, session, event_ctx: EventContext) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    polls = await service.list_polls(session, ctx.event.id, pinned_open=True)
    choices = [[button("📊 " + render.title_of(p)[:50], f"polls:o:{p.id}")] for p in polls]
    await reply(query, tr("polls-list" if polls else "polls-list-empty"),
                rows(*choices, [button(tr("btn-menu"), "core:menu")]))


async def _ballot(app, session, ctx: EventContext, poll, chosen: set[int]) -> tuple[str, dict | None]:
    show = poll.show_results and bool(chosen) or not service.is_open(poll)
    options = await service.cached_options(app, session, poll.id)
    results = await service.results(session, poll, options) if show else None
    return render.ballot(ctx.tr, poll, options, results, chosen, tz=_tz(ctx), closed=not service.is_open(poll))


async def on_open(query: CallbackQuery, app, session, event_ctx: EventContext, callback_answer=None) -> None:
    ctx = event_ctx
    poll = await service.get_poll(session, ctx.event.id, int(query.data.rsplit(":", 1)[1]))
    if poll is None:
        if callback_answer is not None:
            callback_answer.text = ctx.tr("polls-gone")
        return
    text, kb = await _ballot(app, session, ctx, poll, await service.my_choice(app, session, poll, ctx.user.id))
    await reply(query, text, markup(kb))


def _vote_slots(app) -> asyncio.Semaphore:
    slots = app.services.get("polls:vote-slots")
    if slots is None:
        slots = app.services["polls:vote-slots"] = asyncio.Semaphore(VOTE_SLOTS)
    return slots


async def on_vote(query: CallbackQuery, app, session, event_ctx: EventContext, callback_answer=None,
                  event_update=None) -> None:
    """A vote commits before its ballot is edited; waiting for a turn holds no connection.

    SQLite has one writer: a rush of votes queued on its lock would each hold a pooled connection
    (thousands exhaust the pool) and pay a commit each, so votes for one poll arriving together are
    decided together (``sequencer.batched``: one transaction, one count, one commit for the lot).
    PostgreSQL takes votes side by side (a shared lock on the poll row), a few at a time here."""
    ctx, tr = event_ctx, event_ctx.tr
    _, _, poll_id, position = query.data.split(":")
    if ctx.event is None:
        return
    event, item = ctx.event, (ctx.user.id, int(position))
    if session.bind.dialect.name == "sqlite":
        order_key = event_update.update_id if event_update is not None else None
        result, options, results = await app.sequencer.batched(
            order_key, ("polls:vote", event.id, int(poll_id)), item, service.vote_batch, app, session, event, int(poll_id))
    else:
        async with _vote_slots(app):
            ((result, options, results),) = await service.vote_batch(app, session, event, int(poll_id), [item])
    if callback_answer is not None:
        callback_answer.text = tr(f"polls-vote-{result.status}")
        callback_answer.show_alert = result.status in ("closed", "already")
    poll = result.poll
    if poll is None:
        return
    is_open = service.is_open(poll)
    shown = results if (poll.show_results and result.chosen) or not is_open else None
    text, kb = render.ballot(tr, poll, options, shown, result.chosen, tz=_tz(ctx), closed=not is_open)
    await reply(query, text, markup(kb))
