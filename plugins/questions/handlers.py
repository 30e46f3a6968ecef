"""Questions to speakers in the bot: the list (sorted by votes) with upvotes, asking (optionally
anonymous), and the moderators' and speakers' queue (publish, answered, hide). Thin handlers."""

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
from plugins.questions import ratings, service

SHORT = 120


class QuestionsAsk(StatesGroup):
    text = State()
    how = State()


def router() -> Router:
    r = Router(name="questions")
    cb = r.callback_query
    cb.register(on_list, Magic(F.data.regexp(r"^questions:l:\d{1,9}$")))
    cb.register(on_upvote, Magic(F.data.regexp(r"^questions:up:\d{1,9}:\d{1,9}$")))
    cb.register(on_ask, Magic(F.data.regexp(r"^questions:ask:\d{1,9}$")))
    cb.register(on_send, Magic(F.data.regexp(r"^questions:send:[na]$")))
    cb.register(on_cancel, Magic(F.data == "questions:cancel"))
    cb.register(on_moderate, Magic(F.data.regexp(r"^questions:m:\d{1,9}$")))
    cb.register(on_moderate_action, Magic(F.data.regexp(r"^questions:m:(ans|hide|pub):\d{1,9}:\d{1,9}$")))
    r.message.register(on_text, StateFilter(QuestionsAsk.text), Magic(F.chat.type == "private"))
    return r


def _scope(data: str) -> str:
    raw = data.rsplit(":", 1)[1]
    return "" if raw == "0" else raw


def _short(text: str) -> str:
    return hd.quote(text if len(text) <= SHORT else text[:SHORT - 1] + "…")


def _line(tr, n: int, item: service.Listed, *, with_author: bool) -> str:
    q = item.question
    author = tr("questions-anonymous") if q.anonymous or not q.asker_name else hd.quote(q.asker_name)
    line = tr("questions-line", n=n, text=_short(q.text), votes=item.votes,
              answered=str(q.status == service.ANSWERED).lower(), pending=str(q.status == service.PENDING).lower())
    return f"{line} {tr('questions-by', author=author)}" if with_author else line


# --- participants ---------------------------------------------------------------------------------

async def _render_list(session, ctx: EventContext, scope: str):
    tr = ctx.tr
    items = await service.listing(session, ctx.event, ctx.user.id, scope=scope)
    code = scope or "0"
    lines = [tr("questions-list-title")]
    lines += [_line(tr, n, item, with_author=True) for n, item in enumerate(items, 1)] or [tr("questions-list-empty")]
    votes = [button(("✅" if item.mine else "👍") + f" {n}", f"questions:up:{item.question.id}:{code}")
             for n, item in enumerate(items, 1) if item.question.status == service.PUBLISHED]
    return "\n".join(lines), rows(*(votes[i:i + 5] for i in range(0, len(votes), 5)),
                                  [button(tr("questions-btn-ask"), f"questions:ask:{code}")],
                                  [button(tr("btn-menu"), "core:menu")])


async def on_list(query: CallbackQuery, session, event_ctx: EventContext) -> None:
    text, markup = await _render_list(session, event_ctx, _scope(query.data))
    await reply(query, text, markup)


async def on_upvote(query: CallbackQuery, session, event_ctx: EventContext, callback_answer=None) -> None:
    ctx = event_ctx
    _, _, question_id, code = query.data.split(":")
    status = await service.toggle_upvote(session, ctx.event, ctx.user.id, int(question_id))
    if callback_answer is not None:
        callback_answer.text = ctx.tr(f"questions-upvote-{status}")
    text, markup = await _render_list(session, ctx, "" if code == "0" else code)
    await reply(query, text, markup)


async def on_ask(query: CallbackQuery, event_ctx: EventContext, state: FSMContext) -> None:
    await state.set_state(QuestionsAsk.text)
    await state.set_data({"scope": _scope(query.data)})
    await query.message.answer(event_ctx.tr("questions-ask", limit=service.TEXT_MAX),
                               reply_markup=rows([button(event_ctx.tr("questions-btn-cancel"), "questions:cancel")]))


async def on_text(message: Message, app, session, event_ctx: EventContext, state: FSMContext) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    cancel = [button(tr("questions-btn-cancel"), "questions:cancel")]
    try:
        text = service.check_text(message.text)
    except service.QuestionsError as exc:
        await message.answer(tr(exc.key, **exc.args_), reply_markup=rows(cancel))
        return
    await state.update_data(text=text)
    if service.config(app, ctx.event).allow_anonymous:
        await state.set_state(QuestionsAsk.how)
        await message.answer(tr("questions-how"), reply_markup=rows(
            [button(tr("questions-btn-named"), "questions:send:n")],
            [button(tr("questions-btn-anonymous"), "questions:send:a")], cancel))
        return
    await _submit(message, app, session, ctx, state, anonymous=False)


async def on_send(query: CallbackQuery, app, session, event_ctx: EventContext, state: FSMContext,
                  callback_answer=None) -> None:
    if await state.get_state() != QuestionsAsk.how.state:
        if callback_answer is not None:
            callback_answer.text = event_ctx.tr("questions-nothing-to-send")
        return
    await _submit(query, app, session, event_ctx, state, anonymous=query.data.endswith(":a"))


async def _submit(target, app, session, ctx: EventContext, state: FSMContext, *, anonymous: bool) -> None:
    tr = ctx.tr
    data = await state.get_data()
    try:
        question = await service.ask(app, session, ctx.event, ctx.member, data.get("text", ""),
                                     scope=data.get("scope", ""), anonymous=anonymous)
    except service.QuestionsError as exc:
        await state.clear()
        await reply(target, tr(exc.key, **exc.args_))
        return
    await state.clear()
    key = "questions-sent-moderation" if question.status == service.PENDING else "questions-sent-published"
    await reply(target, tr(key), rows([button(tr("questions-btn-list"), f"questions:l:{question.scope or '0'}")],
                                      [button(tr("btn-menu"), "core:menu")]))


async def on_cancel(query: CallbackQuery, event_ctx: EventContext, state: FSMContext) -> None:
    await state.clear()
    await reply(query, event_ctx.tr("questions-cancelled"), rows([button(event_ctx.tr("btn-menu"), "core:menu")]))


# --- moderators and speakers ----------------------------------------------------------------------

async def _render_queue(app, session, ctx: EventContext, scope: str | None):
    tr = ctx.tr
    code = scope or "0"
    pending = await service.listing(session, ctx.event, None, scope=scope, statuses=(service.PENDING,), limit=10)
    shown = await service.listing(session, ctx.event, None, scope=scope, statuses=service.VISIBLE, limit=10)
    items = pending + shown
    lines = [tr("questions-queue-title")]
    lines += [_line(tr, n, item, with_author=True) for n, item in enumerate(items, 1)] or [tr("questions-list-empty")]
    organizer = ctx.is_admin
    buttons = []
    for n, item in enumerate(items, 1):
        q = item.question
        row = []
        if q.status == service.PENDING and organizer:
            row.append(button(tr("questions-btn-publish", n=n), f"questions:m:pub:{q.id}:{code}"))
        if q.status != service.ANSWERED:
            row.append(button(tr("questions-btn-answered", n=n), f"questions:m:ans:{q.id}:{code}"))
        row.append(button(tr("questions-btn-hide", n=n), f"questions:m:hide:{q.id}:{code}"))
        buttons.append(row)
    back = [button(tr("questions-btn-back-admin"), "core:admin")] if organizer else [button(tr("btn-menu"), "core:menu")]
    rated = [button(tr("questions-btn-ratings"), "questions:rt:0")] if ratings.enabled(app, ctx.event) else []
    return "\n".join(lines), rows(*buttons, rated, back)


async def on_moderate(query: CallbackQuery, app, session, event_ctx: EventContext, callback_answer=None) -> None:
    ctx = event_ctx
    if not service.can_moderate(app, ctx.event, ctx.member):
        await refuse(query, ctx, callback_answer)
        return
    text, markup = await _render_queue(app, session, ctx, _scope(query.data) or None)
    await reply(query, text, markup)


async def on_moderate_action(query: CallbackQuery, app, session, event_ctx: EventContext,
                             callback_answer=None) -> None:
    ctx = event_ctx
    if not service.can_moderate(app, ctx.event, ctx.member):
        await refuse(query, ctx, callback_answer)
        return
    _, _, action, question_id, code = query.data.split(":")
    act = {"ans": service.mark_answered, "hide": service.hide, "pub": service.publish}[action]
    try:
        done = await act(app, session, ctx.event, ctx.member, int(question_id))
    except service.NotAllowed:
        await refuse(query, ctx, callback_answer)
        return
    if callback_answer is not None:
        callback_answer.text = ctx.tr(f"questions-done-{action}" if done else "questions-done-already")
    text, markup = await _render_queue(app, session, ctx, None if code == "0" else code)
    await reply(query, text, markup)
