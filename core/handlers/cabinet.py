"""The personal cabinet ("Личный кабинет"): own data, editable, language, plugin sections."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove
from aiogram.utils.text_decorations import html_decoration as hd

from core import keyboards, people
from core.context import EventContext
from core.contributions import ProfileSection
from core.filters import Magic
from core.handlers.common import reply, show_event_picker
from core.i18n import LANGUAGES
from core.signup import field_label, validate_answer
from core.states import CoreProfileEdit


def router() -> Router:
    r = Router(name="core:cabinet")
    r.message.register(on_cabinet_command, Command("cabinet"), Magic(F.chat.type == "private"))
    r.callback_query.register(on_cabinet, Magic(F.data == "core:cabinet"))
    r.callback_query.register(on_edit, Magic(F.data.startswith("core:edit:")))
    r.callback_query.register(on_language_menu, Magic(F.data == "core:lang"))
    r.callback_query.register(on_language, Magic(F.data.startswith("core:lang:")))
    r.message.register(on_edit_value, StateFilter(CoreProfileEdit.value), Magic(~F.text.startswith("/")))
    return r


async def render_cabinet(app, session, ctx: EventContext) -> tuple[str, object]:
    tr, member = ctx.tr, ctx.member
    conf = app.settings.events[ctx.slug]
    lines = [tr("cabinet-title", event=hd.quote(ctx.event.title)), ""]
    profile = member.profile or {}
    for field in conf.signup.fields:
        value = profile.get(field.key)
        lines.append(f"<b>{hd.quote(field_label(field, ctx.lang))}:</b> "
                     + (hd.quote(value) if value else tr("cabinet-empty")))
    lines.append(f"<b>{tr('cabinet-role')}:</b> {tr('role-' + people.effective_role(member, app.settings, ctx.event))}")
    lines.append(f"<b>{tr('cabinet-language')}:</b> {tr('language-' + ctx.lang)}")
    sections = await app.registry.call("profile_sections", active=set(ctx.active), app=app, session=session,
                                       event=ctx.event, member=member, tr=tr)
    ordered = sorted((s for s in sections if isinstance(s, ProfileSection)), key=lambda s: s.order)
    for section in ordered:
        lines += ["", f"<b>{tr(section.title_key)}</b>", *section.lines]
    buttons = [keyboards.button(tr("btn-edit-field", label=field_label(f, ctx.lang)), f"core:edit:{f.key}")
               for f in conf.signup.fields]
    buttons += [keyboards.button(label, data) for section in ordered for label, data in section.buttons]
    buttons += [keyboards.button(tr("btn-language"), "core:lang"), keyboards.button(tr("btn-forget"), "core:forget"),
                keyboards.button(tr("btn-menu"), "core:menu")]
    return "\n".join(lines), keyboards.column(buttons)


async def _show(target, app, session, ctx: EventContext) -> None:
    if ctx.event is None or ctx.member is None:
        await show_event_picker(target, app, ctx, session)
        return
    text, markup = await render_cabinet(app, session, ctx)
    await reply(target, text, markup)


async def on_cabinet_command(message: Message, app, session, event_ctx: EventContext, state: FSMContext) -> None:
    await state.clear()
    await _show(message, app, session, event_ctx)


async def on_cabinet(query: CallbackQuery, app, session, event_ctx: EventContext, state: FSMContext) -> None:
    await state.clear()
    await _show(query, app, session, event_ctx)


async def on_edit(query: CallbackQuery, app, event_ctx: EventContext, state: FSMContext) -> None:
    if event_ctx.member is None:
        return
    key = query.data.removeprefix("core:edit:")
    fields = {f.key: f for f in app.settings.events[event_ctx.slug].signup.fields}
    if key not in fields:
        await reply(query, event_ctx.tr("cabinet-field-unknown"), edit=False)
        return
    await state.set_state(CoreProfileEdit.value)
    await state.update_data(key=key)
    field = fields[key]
    markup = keyboards.contact_keyboard(event_ctx.tr) if field.kind == "phone" else None
    await query.message.answer(event_ctx.tr("cabinet-ask-new", label=field_label(field, event_ctx.lang)),
                               reply_markup=markup)


async def on_edit_value(message: Message, app, session, event_ctx: EventContext, state: FSMContext) -> None:
    key = (await state.get_data()).get("key")
    fields = {f.key: f for f in app.settings.events[event_ctx.slug].signup.fields} if event_ctx.slug else {}
    if key not in fields or event_ctx.member is None:
        await state.clear()
        return
    field = fields[key]
    raw = message.contact.phone_number if (field.kind == "phone" and message.contact) else message.text
    answer = validate_answer(field, raw)
    if answer.error_key:
        await message.answer(event_ctx.tr(answer.error_key, label=field_label(field, event_ctx.lang),
                                          limit=field.max_length))
        return
    people.update_profile_field(event_ctx.member, key, answer.value)
    await state.clear()
    await message.answer(event_ctx.tr("cabinet-saved"), reply_markup=ReplyKeyboardRemove())
    await _show(message, app, session, event_ctx)


async def on_language_menu(query: CallbackQuery, event_ctx: EventContext) -> None:
    buttons = [keyboards.button(event_ctx.tr("language-" + lang), f"core:lang:{lang}") for lang in LANGUAGES]
    await reply(query, event_ctx.tr("cabinet-pick-language"), keyboards.column(buttons))


async def on_language(query: CallbackQuery, app, session, event_ctx: EventContext) -> None:
    lang = query.data.removeprefix("core:lang:")
    if lang not in LANGUAGES or event_ctx.user is None:
        return
    event_ctx.user.language = lang
    event_ctx.lang, event_ctx.tr = lang, app.translator(lang)
    await reply(query, event_ctx.tr("cabinet-language-set"), edit=False)
    await _show(query.message, app, session, event_ctx)
