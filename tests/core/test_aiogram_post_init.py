"""aiogram objects still know their bot after the flat ``model_post_init`` replaced pydantic's chain."""

from aiogram import Bot
from aiogram.methods.base import Response
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message
from pydantic._internal import _model_construction

import core.app  # noqa: F401 - installs the flat post-init

ANSWER = {"ok": True, "result": {
    "message_id": 7, "date": 0, "chat": {"id": 5, "type": "private", "first_name": "A"},
    "from": {"id": 42, "is_bot": True, "first_name": "Bot"}, "text": "menu",
    "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": "x:a"}],
                                         [{"text": "b", "callback_data": "x:b"}]]}}}


def test_parsed_objects_are_bound_to_the_bot_at_every_depth():
    bot = Bot("42:TEST")
    message = Response[Message].model_validate(ANSWER, context={"bot": bot}).result
    assert message.bot is bot
    assert message.chat.bot is bot
    assert message.from_user.bot is bot
    assert message.reply_markup.inline_keyboard[1][0].bot is bot
    assert message.reply_markup.inline_keyboard[1][0].callback_data == "x:b"


def test_objects_without_a_bot_have_none_and_can_be_bound_later():
    message = Response[Message].model_validate(ANSWER).result
    assert message.bot is None
    markup = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="a", callback_data="x")]])
    assert markup.bot is None
    bot = Bot("42:TEST")
    assert markup.as_(bot).bot is bot
    assert markup.model_copy().bot is bot


def test_parsing_does_not_walk_pydantic_private_attribute_chain(monkeypatch):
    calls = []
    original = _model_construction.init_private_attributes

    def counting(self, context, /):
        calls.append(type(self).__name__)
        return original(self, context)

    monkeypatch.setattr(_model_construction, "init_private_attributes", counting)
    Response[Message].model_validate(ANSWER, context={"bot": None})
    assert calls == []
