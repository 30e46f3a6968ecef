"""FAQ screens: categories, questions, one answer; a typed question finds the best answers (with
"ask the organizers" from other plugins when nothing helps); organizers edit it all in the bot."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.text_decorations import html_decoration as hd

from core import keyboards
from core.context import EventContext
from core.filters import Magic
from core.handlers.admin import refuse
from core.handlers.common import reply
from core.keyboards import button, rows
from plugins.faq import service

QUESTION_KEY = "faq_question"  # the participant's last typed question, for "didn't help"


class FaqEdit(StatesGroup):
    category_title = State()
    question = State()
    answer = State()
    edit_question = State()
    edit_answer = State()


def router() -> Router:
    r = Router(name="faq")
    cb = r.callback_query
    cb.register(on_list, Magic(F.data == "faq:list"))
    cb.register(on_category, Magic(F.data.regexp(r"^faq:c:\d{1,9}$")))
    cb.register(on_entry, Magic(F.data.regexp(r"^faq:q:\d{1,9}$")))
    cb.register(on_no_help, Magic(F.data == "faq:nohelp"))
    cb.register(on_admin_home, Magic(F.data == "faq:a:home"))
    cb.register(on_admin_new_category, Magic(F.data == "faq:a:newcat"))
    cb.register(on_admin_new, Magic(F.data == "faq:a:new"))
    cb.register(on_admin_new_in, Magic(F.data.regexp(r"^faq:a:newin:\d{1,9}$")))
    cb.register(on_admin_entry, Magic(F.data.regexp(r"^faq:a:e:\d{1,9}$")))
    cb.register(on_admin_edit, Magic(F.data.regexp(r"^faq:a:e[qa]:\d{1,9}$")))
    cb.register(on_admin_delete, Magic(F.data.regexp(r"^faq:a:del:\d{1,9}$")))
    cb.register(on_admin_delete_ok, Magic(F.data.regexp(r"^faq:a:delok:\d{1,9}$")))
    cb.register(on_admin_category, Magic(F.data.regexp(r"^faq:a:c:\d{1,9}$")))
    cb.register(on_admin_category_delete, Magic(F.data.regexp(r"^faq:a:cdel:\d{1,9}$")))
    cb.register(on_admin_cancel, Magic(F.data == "faq:a:cancel"))
    msg = r.message
    msg.register(on_admin_text, StateFilter(FaqEdit), Magic(F.chat.type == "private"))
    # Free text with no dialog open: the FAQ answers first (the core's "didn't understand" is the last resort).
    msg.register(on_free_text, StateFilter(None), Magic(F.chat.type == "private"), Magic(F.text), Magic(~F.text.startswith("/")))
    return r


# --- participants ---------------------------------------------------------------------------------

async def on_list(query: CallbackQuery, session, event_ctx: EventContext) -> None:
    tr = event_ctx.tr
    categories = [(c, n) for c, n in await service.list_categories(session, event_ctx.event.id) if n]
    loose = await service.list_entries(session, event_ctx.event.id, None, any_category=False)
    if not categories and not loose:
        await reply(query, tr("faq-empty"), keyboards.back_to_menu(tr))
        return
    buttons = [button(f"📂 {c.title} ({n})", f"faq:c:{c.id}") for c, n in categories]
    buttons += [button(e.question[:60], f"faq:q:{e.id}") for e in loose]
    buttons.append(button(tr("btn-menu"), "core:menu"))
    await reply(query, tr("faq-title") + "\n" + tr("faq-type-hint"), keyboards.column(buttons))


async def on_category(query: CallbackQuery, session, event_ctx: EventContext, callback_answer=None) -> None:
    tr = event_ctx.tr
    category = await service.get_category(session, event_ctx.event.id, int(query.data.rsplit(":", 1)[1]))
    if category is None:
        if callback_answer is not None:
            callback_answer.text = tr("faq-gone")
        return
    entries = await service.list_entries(session, event_ctx.event.id, category.id, any_category=False)
    buttons = [button(e.question[:60], f"faq:q:{e.id}") for e in entries]
    buttons.append(button(tr("faq-back"), "faq:list"))
    await reply(query, f"📂 <b>{hd.quote(category.title)}</b>", keyboards.column(buttons))


async def on_entry(query: CallbackQuery, session, event_ctx: EventContext, callback_answer=None) -> None:
    tr = event_ctx.tr
    entry = await service.get_entry(session, event_ctx.event.id, int(query.data.rsplit(":", 1)[1]))
    if entry is None:
        if callback_answer is not None:
            callback_answer.text = tr("faq-gone")
        return
    text = f"<b>{hd.quote(entry.question)}</b>\n\n{hd.quote(entry.answer)}"
    back = f"faq:c:{entry.category_id}" if entry.category_id else "faq:list"
    markup = keyboards.column([keyboards.button(tr("faq-back"), back), keyboards.button(tr("btn-menu"), "core:menu")])
    await reply(query, text, markup)


async def on_free_text(message: Message, app, session, event_ctx: EventContext, state: FSMContext) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    question = message.text.strip()
    found = await service.find(session, ctx.event.id, question)
    await state.update_data({QUESTION_KEY: question[:service.MAX_QUERY]})
    if found:
        buttons = [[button(e.question[:60], f"faq:q:{e.id}")] for e in found]
        await message.answer(tr("faq-found", count=len(found)),
                             reply_markup=rows(*buttons, [button(tr("faq-btn-no-help"), "faq:nohelp")],
                                               [button(tr("btn-menu"), "core:menu")]))
        return
    actions = await service.unanswered_actions(app, session, ctx.event, ctx.member, question, tr)
    await message.answer(tr("faq-nothing" if actions else "faq-nothing-no-helpdesk"),
                         reply_markup=rows(*([button(label, data)] for label, data in actions),
                                           [button(tr("faq-btn-all"), "faq:list"),
                                            button(tr("btn-menu"), "core:menu")]))


async def on_no_help(query: CallbackQuery, app, session, event_ctx: EventContext, state: FSMContext) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    question = (await state.get_data()).get(QUESTION_KEY) or ""
    actions = await service.unanswered_actions(app, session, ctx.event, ctx.member, question, tr) if question else []
    await query.message.answer(tr("faq-no-help" if actions else "faq-no-help-no-helpdesk"),
                               reply_markup=rows(*([button(label, data)] for label, data in actions),
                                                 [button(tr("btn-menu"), "core:menu")]))


# --- organizers -----------------------------------------------------------------------------------

def _allowed(ctx: EventContext) -> bool:
    return ctx.event is not None and ctx.is_admin


async def on_admin_home(query: CallbackQuery, session, event_ctx: EventContext, state: FSMContext,
                        callback_answer=None) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    if not _allowed(ctx):
        await refuse(query, ctx, callback_answer)
        return
    await state.set_state(None)
    categories = await service.list_categories(session, ctx.event.id)
    entries = await service.list_entries(session, ctx.event.id)
    await reply(query, tr("faq-admin-home", entries=len(entries), categories=len(categories)), rows(
        [button(tr("faq-admin-btn-new"), "faq:a:new"), button(tr("faq-admin-btn-new-category"), "faq:a:newcat")],
        *([button(f"📂 {c.title} ({n})", f"faq:a:c:{c.id}")] for c, n in categories),
        *([button("✏️ " + e.question[:50], f"faq:a:e:{e.id}")] for e in entries[:30]),
        [button(tr("faq-admin-btn-back"), "core:admin")]))


async def _ask(query_or_message, text: str, tr) -> None:
    target = query_or_message.message if isinstance(query_or_message, CallbackQuery) else query_or_message
    await target.answer(text, reply_markup=rows([button(tr("faq-admin-btn-cancel"), "faq:a:cancel")]))


async def on_admin_new_category(query: CallbackQuery, event_ctx: EventContext, state: FSMContext,
                                callback_answer=None) -> None:
    ctx = event_ctx
    if not _allowed(ctx):
        await refuse(query, ctx, callback_answer)
        return
    await state.set_state(FaqEdit.category_title)
    await _ask(query, ctx.tr("faq-admin-ask-category", limit=service.MAX_CATEGORY), ctx.tr)


async def on_admin_new(query: CallbackQuery, session, event_ctx: EventContext, state: FSMContext,
                       callback_answer=None) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    if not _allowed(ctx):
        await refuse(query, ctx, callback_answer)
        return
    categories = await service.list_categories(session, ctx.event.id)
    if not categories:
        await _start_entry(query, ctx, state, None)
        return
    await reply(query, tr("faq-admin-pick-category"), rows(
        *([button(f"📂 {c.title}", f"faq:a:newin:{c.id}")] for c, _ in categories),
        [button(tr("faq-admin-no-category"), "faq:a:newin:0")],
        [button(tr("faq-admin-btn-cancel"), "faq:a:cancel")]))


async def on_admin_new_in(query: CallbackQuery, event_ctx: EventContext, state: FSMContext,
                          callback_answer=None) -> None:
    ctx = event_ctx
    if not _allowed(ctx):
        await refuse(query, ctx, callback_answer)
        return
    category = int(query.data.rsplit(":", 1)[1])
    await _start_entry(query, ctx, state, category or None)


async def _start_entry(query, ctx: EventContext, state: FSMContext, category_id: int | None) -> None:
    await state.set_state(FaqEdit.question)
    await state.set_data({"category": category_id})
    await _ask(query, ctx.tr("faq-admin-ask-question", limit=service.MAX_QUESTION), ctx.tr)


async def on_admin_entry(query: CallbackQuery, session, event_ctx: EventContext, callback_answer=None) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    if not _allowed(ctx):
        await refuse(query, ctx, callback_answer)
        return
    entry = await service.get_entry(session, ctx.event.id, int(query.data.rsplit(":", 1)[1]))
    if entry is None:
        if callback_answer is not None:
            callback_answer.text = tr("faq-gone")
        return
    await _show_admin_entry(query, tr, entry)


async def _show_admin_entry(target, tr, entry) -> None:
    text = f"<b>{hd.quote(entry.question)}</b>\n\n{hd.quote(entry.answer)}"
    markup = rows([button(tr("faq-admin-btn-edit-question"), f"faq:a:eq:{entry.id}"),
                   button(tr("faq-admin-btn-edit-answer"), f"faq:a:ea:{entry.id}")],
                  [button(tr("faq-admin-btn-delete"), f"faq:a:del:{entry.id}")],
                  [button(tr("faq-admin-btn-home"), "faq:a:home")])
    if isinstance(target, Message):
        await target.answer(text, reply_markup=markup)
    else:
        await reply(target, text, markup)


async def on_admin_edit(query: CallbackQuery, session, event_ctx: EventContext, state: FSMContext,
                        callback_answer=None) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    if not _allowed(ctx):
        await refuse(query, ctx, callback_answer)
        return
    _, _, what, entry_id = query.data.split(":")
    await state.set_state(FaqEdit.edit_question if what == "eq" else FaqEdit.edit_answer)
    await state.set_data({"entry": int(entry_id)})
    key = "faq-admin-ask-question" if what == "eq" else "faq-admin-ask-answer"
    await _ask(query, tr(key, limit=service.MAX_QUESTION if what == "eq" else service.MAX_ANSWER), tr)


async def on_admin_text(message: Message, app, session, event_ctx: EventContext, state: FSMContext) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    if not _allowed(ctx):
        await state.clear()
        await refuse(message, ctx)
        return
    current, data = await state.get_state(), await state.get_data()
    text = message.text or ""
    try:
        if current == FaqEdit.category_title.state:
            category = await service.add_category(app, session, ctx.event, ctx.member, text)
            await state.clear()
            await message.answer(tr("faq-admin-category-added", title=hd.quote(category.title)),
                                 reply_markup=rows([button(tr("faq-admin-btn-home"), "faq:a:home")]))
        elif current == FaqEdit.question.state:
            question = service.check_text(text, service.MAX_QUESTION, "question")
            await state.update_data(question=question)
            await state.set_state(FaqEdit.answer)
            await _ask(message, tr("faq-admin-ask-answer", limit=service.MAX_ANSWER), tr)
        elif current == FaqEdit.answer.state:
            entry = await service.add_entry(app, session, ctx.event, ctx.member, question=data["question"],
                                            answer=text, category_id=data.get("category"))
            await state.clear()
            await message.answer(tr("faq-admin-saved"))
            await _show_admin_entry(message, tr, entry)
        else:
            field = "question" if current == FaqEdit.edit_question.state else "answer"
            entry = await service.edit_entry(app, session, ctx.event, ctx.member, data["entry"], **{field: text})
            await state.clear()
            await message.answer(tr("faq-admin-saved"))
            await _show_admin_entry(message, tr, entry)
    except service.NotAllowed:
        await state.clear()
        await refuse(message, ctx)
    except service.FaqError as exc:
        await _ask(message, tr(exc.key, **exc.args_), tr)


async def on_admin_delete(query: CallbackQuery, event_ctx: EventContext, callback_answer=None) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    if not _allowed(ctx):
        await refuse(query, ctx, callback_answer)
        return
    entry_id = query.data.rsplit(":", 1)[1]
    await reply(query, tr("faq-admin-confirm-delete"), rows(
        [button(tr("faq-admin-btn-delete-yes"), f"faq:a:delok:{entry_id}")],
        [button(tr("faq-admin-btn-home"), "faq:a:home")]))


async def on_admin_delete_ok(query: CallbackQuery, app, session, event_ctx: EventContext, state: FSMContext,
                             callback_answer=None) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    if not _allowed(ctx):
        await refuse(query, ctx, callback_answer)
        return
    try:
        await service.delete_entry(app, session, ctx.event, ctx.member, int(query.data.rsplit(":", 1)[1]))
    except service.NotAllowed:
        await refuse(query, ctx, callback_answer)
        return
    if callback_answer is not None:
        callback_answer.text = tr("faq-admin-deleted")
    await on_admin_home(query, session, ctx, state, callback_answer)


async def on_admin_category(query: CallbackQuery, session, event_ctx: EventContext, callback_answer=None) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    if not _allowed(ctx):
        await refuse(query, ctx, callback_answer)
        return
    category = await service.get_category(session, ctx.event.id, int(query.data.rsplit(":", 1)[1]))
    if category is None:
        if callback_answer is not None:
            callback_answer.text = tr("faq-gone")
        return
    entries = await service.list_entries(session, ctx.event.id, category.id, any_category=False)
    await reply(query, tr("faq-admin-category", title=hd.quote(category.title), entries=len(entries)), rows(
        *([button("✏️ " + e.question[:50], f"faq:a:e:{e.id}")] for e in entries),
        [button(tr("faq-admin-btn-delete-category"), f"faq:a:cdel:{category.id}")],
        [button(tr("faq-admin-btn-home"), "faq:a:home")]))


async def on_admin_category_delete(query: CallbackQuery, app, session, event_ctx: EventContext, state: FSMContext,
                                   callback_answer=None) -> None:
    ctx, tr = event_ctx, event_ctx.tr
    if not _allowed(ctx):
        await refuse(query, ctx, callback_answer)
        return
    try:
        await service.delete_category(app, session, ctx.event, ctx.member, int(query.data.rsplit(":", 1)[1]))
    except service.NotAllowed:
        await refuse(query, ctx, callback_answer)
        return
    if callback_answer is not None:
        callback_answer.text = tr("faq-admin-deleted")
    await on_admin_home(query, session, ctx, state, callback_answer)


async def on_admin_cancel(query: CallbackQuery, event_ctx: EventContext, state: FSMContext,
                          callback_answer=None) -> None:
    await state.clear()
    await reply(query, event_ctx.tr("faq-admin-cancelled"),
                rows([button(event_ctx.tr("faq-admin-btn-home"), "faq:a:home")]))
