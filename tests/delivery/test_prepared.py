"""Prepared text requests: what reaches Telegram is what ``bot.send_message`` would have sent."""

from __future__ import annotations

from aiogram.client.session.middlewares.base import BaseRequestMiddleware
from aiogram.utils.keyboard import InlineKeyboardBuilder

from core.db import transaction
from core.delivery import OutboxSender, create_broadcast, enqueue
from core.delivery.prepared import PreparedTexts
from tests.delivery.conftest import add_users, fast_settings, make_bot


def keyboard():
    builder = InlineKeyboardBuilder()
    builder.button(text="Open", url="https://example.org/event")
    builder.button(text="Later", callback_data="later:1")
    return builder.as_markup()


def without_chat(request) -> dict:
    return {k: v for k, v in request.params.items() if k != "chat_id"}


async def test_prepared_requests_carry_the_same_fields_as_send_message(sessions, emulator, bot):
    via_outbox, direct = add_users(emulator, 2)
    cases = [
        dict(text="<b>plain</b>"),  # the bot's default parse_mode (HTML)
        dict(text="*bold*", parse_mode="MarkdownV2", reply_markup=keyboard()),
        dict(text="quiet", disable_notification=True),
    ]
    assert PreparedTexts.usable(bot)
    sender = OutboxSender(bot, sessions, fast_settings(private_chat_rate=100, private_chat_burst=10))
    for case in cases:
        async with transaction(sessions) as session:
            await enqueue(session, chat_id=via_outbox, **case)
        await sender.drain_until_idle()
        await bot.send_message(chat_id=direct, **case)

    sent, expected = emulator.sent_messages(via_outbox), emulator.sent_messages(direct)
    assert [r.ok for r in sent] == [True] * len(cases)
    assert [without_chat(r) for r in sent] == [without_chat(r) for r in expected]


async def test_one_content_to_many_chats_reaches_each_chat_once(sessions, emulator, bot):
    users = add_users(emulator, 30)
    async with transaction(sessions) as session:
        await create_broadcast(session, recipients=users, title="doors", text="Doors open at 9:00",
                               reply_markup=keyboard())
    sender = OutboxSender(bot, sessions, fast_settings())
    await sender.drain_until_idle()

    sent = emulator.sent_messages()
    assert sorted(r.params["chat_id"] for r in sent) == sorted(users)
    assert len({repr(without_chat(r)) for r in sent}) == 1


class Counting(BaseRequestMiddleware):
    def __init__(self) -> None:
        self.methods: list[str] = []

    async def __call__(self, make_request, bot, method):
        self.methods.append(type(method).__name__)
        return await make_request(bot, method)


async def test_a_bot_with_request_middleware_keeps_aiograms_path(sessions, emulator):
    users = add_users(emulator, 3)
    bot = make_bot(emulator.base_url)
    counting = Counting()
    bot.session.middleware(counting)
    try:
        assert not PreparedTexts.usable(bot)
        async with transaction(sessions) as session:
            await create_broadcast(session, recipients=users, title="news", text="hello")
        await OutboxSender(bot, sessions, fast_settings()).drain_until_idle()
    finally:
        await bot.session.close()

    assert counting.methods == ["SendMessage"] * 3  # the middleware saw every send
    assert sorted(r.params["chat_id"] for r in emulator.sent_messages()) == sorted(users)

