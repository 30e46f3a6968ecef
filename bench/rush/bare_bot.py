"""The baseline: a bare aiogram 3 bot with the same sign-up conversation and the same messages,
written the way aiogram's examples write one (``message.answer`` in the handler, MemoryStorage FSM,
no database, no limiter). aiogram never retries a 429, so an answer Telegram refuses is lost."""

from __future__ import annotations

from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.filters import CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message


class Signup(StatesGroup):
    consent = State()
    name = State()
    phone = State()
    company = State()


def _keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=d) for t, d in row]
                                                 for row in rows])


def build(base_url: str, token: str) -> tuple[Bot, Dispatcher]:
    bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(base_url)),
              default=DefaultBotProperties(parse_mode="HTML"))
    router = Router()

    @router.message(CommandStart())
    async def start(message: Message, state: FSMContext) -> None:
        await message.answer("Вы в мероприятии «Rush».")
        await message.answer("Для участия в «Rush» нам нужны ваши данные (ФИО, телефон). Вы согласны на обработку "
                             "персональных данных?",
                             reply_markup=_keyboard([("✅ Согласен(на)", "c:yes"), ("❌ Не согласен(на)", "c:no")]))
        await state.set_state(Signup.consent)

    @router.callback_query(F.data == "c:yes")
    async def consent(query: CallbackQuery, state: FSMContext) -> None:
        await query.answer()
        await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer("Шаг 1 из 3.\nВведите: ФИО")
        await state.set_state(Signup.name)

    @router.message(Signup.name)
    async def name(message: Message, state: FSMContext) -> None:
        await state.update_data(name=message.text)
        await message.answer("Шаг 2 из 3.\nТелефон: введите номер в формате +79991234567")
        await state.set_state(Signup.phone)

    @router.message(Signup.phone)
    async def phone(message: Message, state: FSMContext) -> None:
        await state.update_data(phone=message.text)
        await message.answer("Шаг 3 из 3.\nВведите: Компания")
        await state.set_state(Signup.company)

    @router.message(Signup.company)
    async def company(message: Message, state: FSMContext) -> None:
        await state.clear()
        await message.answer("Регистрация завершена, спасибо!")
        await message.answer("<b>Rush</b>\nГлавное меню:", reply_markup=_keyboard([("👤 Личный кабинет", "m:cab")]))

    dp = Dispatcher()
    dp.include_router(router)
    return bot, dp
