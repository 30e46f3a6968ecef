"""The bot's JSON-body session sends what aiogram's form sends, fails as it fails, and still
uploads files as multipart."""

from __future__ import annotations

import json

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import SendMessage, SendPhoto
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup
from sandbox_helpers import TOKEN, png

from core.bot_session import JsonBodySession
from core.sandbox import BotAPIEmulator

MENU = InlineKeyboardMarkup(inline_keyboard=[
    [InlineKeyboardButton(text="👤 Личный кабинет", callback_data="core:cabinet"),
     InlineKeyboardButton(text="🛠 Мастер-классы", callback_data="workshops:list")],
    [InlineKeyboardButton(text="Сайт", url="https://example.org/?a=1&b=%D0%B9")],
])


def _bot(emu: BotAPIEmulator, session_class) -> Bot:
    return Bot(TOKEN, session=session_class(api=TelegramAPIServer.from_base(emu.base_url)),
               default=DefaultBotProperties(parse_mode="HTML", link_preview_is_disabled=True))


async def _sent_params(emu: BotAPIEmulator, session_class, chat_id: int) -> list[dict]:
    bot = _bot(emu, session_class)
    emu.requests.clear()
    try:
        await bot.send_message(chat_id, "<b>Главное</b> меню «Demo» & co", reply_markup=MENU)
        await bot.send_message(chat_id, "тихо", disable_notification=True, protect_content=False)
        message = await bot.send_message(chat_id, "было")
        await bot.edit_message_text("стало", chat_id=chat_id, message_id=message.message_id, reply_markup=MENU)
        await bot.send_poll(chat_id, "Какой доклад лучший?", options=["Первый", "Второй"], is_anonymous=False)
    finally:
        await bot.session.close()
    return [{k: v for k, v in r.params.items() if k != "message_id"} for r in emu.requests]


async def test_requests_arrive_exactly_as_aiograms_form_sends_them(emu: BotAPIEmulator, alice: dict) -> None:
    form = await _sent_params(emu, AiohttpSession, alice["id"])
    as_json = await _sent_params(emu, JsonBodySession, alice["id"])
    assert len(form) == 5
    assert as_json == form
    assert form[0]["reply_markup"]["inline_keyboard"][0][0]["text"] == "👤 Личный кабинет"
    assert form[0]["parse_mode"] == "HTML"  # the bot's default made it into both


async def test_telegram_errors_raise_what_stock_aiogram_raises(emu: BotAPIEmulator, alice: dict) -> None:
    raised = []
    for session_class in (AiohttpSession, JsonBodySession):
        bot = _bot(emu, session_class)
        try:
            with pytest.raises(TelegramBadRequest) as error:
                await bot.send_message(alice["id"], "<b>не закрыт")
            raised.append(error.value.message)
        finally:
            await bot.session.close()
    assert raised[0] == raised[1]
    assert "can't parse entities" in raised[1]


async def test_files_go_as_multipart_and_arrive(emu: BotAPIEmulator, alice: dict) -> None:
    bot = _bot(emu, JsonBodySession)
    try:
        photo = BufferedInputFile(png(), filename="pass.png")
        assert bot.session.json_body(bot, SendPhoto(chat_id=alice["id"], photo=photo)) is None
        message = await bot.send_photo(alice["id"], photo, caption="Ваш <b>пропуск</b>")
        assert message.photo and message.caption == "Ваш пропуск"
        downloaded = await bot.download(message.photo[-1].file_id)
        assert downloaded.read()[:8] == b"\x89PNG\r\n\x1a\n"
    finally:
        await bot.session.close()


def test_a_request_without_files_is_one_utf8_json_object() -> None:
    session = JsonBodySession()
    bot = Bot(TOKEN, session=session)
    body = session.json_body(bot, SendMessage(chat_id=5, text="Привет", reply_markup=MENU))
    assert "Привет".encode() in body  # sent as UTF-8, not escaped
    assert json.loads(body)["reply_markup"]["inline_keyboard"][1][0]["url"] == "https://example.org/?a=1&b=%D0%B9"


async def test_a_sent_keyboard_comes_back_as_the_markup_that_was_sent(emu: BotAPIEmulator, alice: dict) -> None:
    """Telegram echoes the keyboard: the answer reuses the sent markup instead of ten new models,
    and a keyboard of other buttons is never served from what an earlier one serialised to."""
    bot = _bot(emu, JsonBodySession)
    try:
        first = await bot.send_message(alice["id"], "меню", reply_markup=MENU)
        assert first.reply_markup is MENU and first.bot is bot and first.chat.id == alice["id"]
        again = InlineKeyboardMarkup(inline_keyboard=[list(row) for row in MENU.inline_keyboard])
        assert (await bot.send_message(alice["id"], "ещё", reply_markup=again)).reply_markup is again
        other = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Другая", callback_data="x:1")]])
        sent = await bot.send_message(alice["id"], "другое", reply_markup=other)
        assert sent.reply_markup == other
        assert emu.requests[-1].params["reply_markup"] == {"inline_keyboard": [[{"text": "Другая",
                                                                                  "callback_data": "x:1"}]]}
    finally:
        await bot.session.close()


async def test_a_button_changed_after_it_was_sent_goes_out_as_it_is_now(emu: BotAPIEmulator, alice: dict) -> None:
    """aiogram's buttons are mutable: a plugin that relabels one in place, or gives it a field
    beyond text and data, must see that on the next send, not the JSON of the first one."""
    bot = _bot(emu, JsonBodySession)
    button = InlineKeyboardButton(text="Записаться", callback_data="workshops:book:1")
    markup = InlineKeyboardMarkup(inline_keyboard=[[button]])
    try:
        await bot.send_message(alice["id"], "карточка", reply_markup=markup)
        button.text = "Отменить запись"
        await bot.send_message(alice["id"], "карточка", reply_markup=markup)
        assert emu.requests[-1].params["reply_markup"]["inline_keyboard"][0][0]["text"] == "Отменить запись"
        button.copy_text = {"text": "QR-код"}
        await bot.send_message(alice["id"], "карточка", reply_markup=markup)
        assert emu.requests[-1].params["reply_markup"]["inline_keyboard"][0][0]["copy_text"] == {"text": "QR-код"}
    finally:
        await bot.session.close()
