"""The per-event sign-up form: consent to personal-data processing first, then the fields."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove

from aiogram.utils.text_decorations import html_decoration as hd

from core import keyboards, people, prompts
from core.config import SignupField
from core.context import EventContext
from core.filters import Magic
from core.handlers.common import reply, show_menu
from core.signup import field_label, validate_answer
from core.states import CoreSignup


def router() -> Router:
    r = Router(name="core:signup")
    r.callback_query.register(on_consent, StateFilter(CoreSignup.consent),
                              Magic(F.data.in_({"core:consent:yes", "core:consent:no"})))
    r.callback_query.register(on_skip, StateFilter(CoreSignup.field), Magic(F.data == "core:skip"))
    # Commands are not answers: /start or /menu typed mid-form go to their own handlers.
    r.message.register(on_answer, StateFilter(CoreSignup.field), Magic(~F.text.startswith("/")))
    r.message.register(on_consent_text, StateFilter(CoreSignup.consent), Magic(~F.text.startswith("/")))
    return r


def _fields(app, ctx: EventContext) -> list[SignupField]:
    return app.settings.events[ctx.slug].signup.fields


async def ask_consent(target, app, ctx: EventContext) -> None:
    conf = app.settings.events[ctx.slug].signup
    text = ctx.tr("signup-consent", event=hd.quote(ctx.event.title))
    if conf.consent_url:
        text += "\n" + ctx.tr("signup-consent-link", url=conf.consent_url)
    markup = keyboards.column([keyboards.button(ctx.tr("btn-consent-yes"), "core:consent:yes"),
                               keyboards.button(ctx.tr("btn-consent-no"), "core:consent:no")])
    await reply(target, text, markup, edit=False)


async def _ask_field(target, ctx: EventContext, field: SignupField, index: int, total: int,
                     state: FSMContext) -> None:
    label = field_label(field, ctx.lang)
    key = {"phone": "signup-ask-phone", "email": "signup-ask-email"}.get(field.kind, "signup-ask-text")
    text = ctx.tr("signup-step", n=index + 1, total=total) + "\n" + ctx.tr(key, label=label)
    if field.kind == "phone":
        markup = keyboards.contact_keyboard(ctx.tr)
    elif not field.required:
        markup = keyboards.column([keyboards.button(ctx.tr("btn-skip"), "core:skip")])
    else:
        markup = None
    message = target.message if isinstance(target, CallbackQuery) else target
    await prompts.remember(state, await message.answer(text, reply_markup=markup))


async def on_consent(query: CallbackQuery, app, event_ctx: EventContext, state: FSMContext) -> None:
    if query.data == "core:consent:no":
        await state.clear()
        await reply(query, event_ctx.tr("signup-consent-declined"))
        return
    people.record_consent(event_ctx.member)
    await query.message.edit_reply_markup(reply_markup=None)
    await _next_field(query, app, event_ctx, state, {}, 0)


async def on_consent_text(message: Message, app, event_ctx: EventContext) -> None:
    await message.answer(event_ctx.tr("signup-consent-use-buttons"))


async def _next_field(target, app, ctx: EventContext, state: FSMContext, answers: dict, index: int) -> None:
    fields = _fields(app, ctx)
    if index >= len(fields):
        people.complete_registration(ctx.member, answers)
        await state.clear()
        message = target.message if isinstance(target, CallbackQuery) else target
        await message.answer(ctx.tr("signup-done"), reply_markup=ReplyKeyboardRemove())
        await show_menu(message, app, ctx, None)
        return
    await state.set_state(CoreSignup.field)
    await state.update_data(answers=answers, index=index)
    await _ask_field(target, ctx, fields[index], index, len(fields), state)


async def on_answer(message: Message, app, event_ctx: EventContext, state: FSMContext) -> None:
    data = await state.get_data()
    index, answers = data.get("index", 0), dict(data.get("answers", {}))
    fields = _fields(app, event_ctx)
    if index >= len(fields) or event_ctx.member is None:
        await state.clear()
        return
    field = fields[index]
    raw = message.text
    if field.kind == "phone" and message.contact is not None:
        if message.contact.user_id not in (None, message.from_user.id):
            await message.answer(event_ctx.tr("signup-error-foreign-contact"))
            return
        raw = message.contact.phone_number
    if raw is None:
        await message.answer(event_ctx.tr("signup-error-not-text"))
        return
    answer = validate_answer(field, raw)
    if answer.error_key:
        await message.answer(event_ctx.tr(answer.error_key, label=field_label(field, event_ctx.lang),
                                          limit=field.max_length))
        return
    answers[field.key] = answer.value
    await _next_field(message, app, event_ctx, state, answers, index + 1)


async def on_skip(query: CallbackQuery, app, event_ctx: EventContext, state: FSMContext) -> None:
    data = await state.get_data()
    index, answers = data.get("index", 0), dict(data.get("answers", {}))
    fields = _fields(app, event_ctx)
    if index < len(fields) and not fields[index].required:
        await query.message.edit_reply_markup(reply_markup=None)
        await _next_field(query, app, event_ctx, state, answers, index + 1)
