"""Scripted users against a real Dispatcher: click by label, expect, transcript."""

from __future__ import annotations

import re

import pytest
from aiogram import Bot, F, Router
from aiogram.filters import CommandStart
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from sandbox_helpers import png, polling

from core.sandbox import BotAPIEmulator, SandboxUser


def demo_router() -> Router:
    router = Router()

    @router.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer(
            "Привет! Что интересно?",
            reply_markup=InlineKeyboardMarkup(inline_keyboard=[
                [InlineKeyboardButton(text="📅 Мастер-классы", callback_data="menu:ws")],
                [InlineKeyboardButton(text="FAQ", callback_data="menu:faq")],
                [InlineKeyboardButton(text="Сайт", url="https://example.com")],
            ]),
        )

    @router.callback_query(F.data == "menu:ws")
    async def workshops(query: CallbackQuery) -> None:
        await query.answer()
        await query.message.edit_text("Мастер-классы: Роботы (3 места)")

    @router.callback_query(F.data == "menu:faq")
    async def faq(query: CallbackQuery) -> None:
        await query.answer()
        await query.message.answer("FAQ: начало в 10:00")
        await query.message.answer("Ещё вопросы? Пишите сюда.")

    @router.message(F.text == "/phone")
    async def ask_phone(message: Message) -> None:
        await message.answer("Телефон?", reply_markup=ReplyKeyboardMarkup(
            keyboard=[[KeyboardButton(text="Отправить номер", request_contact=True)], [KeyboardButton(text="Позже")]],
            resize_keyboard=True))

    @router.message(F.text == "Позже")
    async def later(message: Message) -> None:
        await message.answer("Хорошо, позже.", reply_markup=ReplyKeyboardRemove())

    @router.message(F.contact)
    async def contact(message: Message) -> None:
        await message.answer(f"Спасибо, {message.contact.phone_number}", reply_markup=ReplyKeyboardRemove())

    @router.message(F.photo)
    async def photo(message: Message) -> None:
        await message.answer(f"Фото {message.photo[-1].width}x{message.photo[-1].height}")

    @router.message(F.text == "/vote")
    async def vote(message: Message) -> None:
        await message.answer_poll("Кофе?", ["Да", "Нет"], is_anonymous=False)

    @router.poll_answer()
    async def on_vote(answer) -> None:
        await answer.bot.send_message(answer.user.id, f"Голос: {answer.option_ids}")

    return router


async def test_conversation_by_labels(bot: Bot, emu: BotAPIEmulator) -> None:
    alice = SandboxUser(emu, "Алиса")
    async with polling(bot, demo_router()):
        await alice.send("/start demo")
        greeting = await alice.expect("Привет")
        assert greeting["buttons"] == ["📅 Мастер-классы", "FAQ", "Сайт"]
        assert alice.buttons() == ["📅 Мастер-классы", "FAQ", "Сайт"]

        await alice.click("Мастер-классы")  # substring of the label with an emoji
        edited = await alice.expect(re.compile(r"Роботы \(\d+ места\)"))
        assert edited["message_id"] == greeting["message_id"] and edited["edit_count"] == 1
        assert all(emu.callback_answered(q) for q in emu.world.callbacks)

        await alice.send("/start")
        await alice.expect("Привет")  # a bare Dispatcher has no "handled" signal: wait for the reply itself
        await alice.click("FAQ")
        # Two replies to one action: expected in order.
        assert (await alice.expect("FAQ:"))["text"] == "FAQ: начало в 10:00"
        assert (await alice.expect("Ещё вопросы"))["text"].startswith("Ещё")
        assert alice.last_message()["text"] == "Ещё вопросы? Пишите сюда."

        with pytest.raises(AssertionError, match="is not a callback button"):
            await alice.click("Сайт")
    transcript = alice.transcript()
    assert transcript.splitlines()[:3] == [
        "> /start demo",
        "< Мастер-классы: Роботы (3 места) (edited)",
        "> [📅 Мастер-классы] (click)",
    ]
    assert "< Привет! Что интересно? [📅 Мастер-классы] [FAQ] [Сайт]" in transcript
    assert "> [FAQ] (click)" in transcript


async def test_expect_fails_with_transcript(bot: Bot, emu: BotAPIEmulator) -> None:
    alice = SandboxUser(emu, "Alice")
    async with polling(bot, demo_router()):
        await alice.send("/start")
        with pytest.raises(AssertionError) as info:
            await alice.expect("nothing like this", timeout=0.3)
        assert "> /start" in str(info.value) and "< Привет! Что интересно?" in str(info.value)
        # Messages that came before an action are not an answer to it.
        await alice.send("unknown text, no handler")
        with pytest.raises(AssertionError):
            await alice.expect("Привет", timeout=0.3)
        with pytest.raises(AssertionError, match=r"no button 'Нет такой'.*\[FAQ\]"):
            await alice.click("Нет такой")


async def test_reply_keyboard_contact_photo_and_poll(bot: Bot, emu: BotAPIEmulator) -> None:
    bob = SandboxUser(emu, "Bob", lang="en")
    async with polling(bot, demo_router()):
        await bob.send("/phone")
        await bob.expect("Телефон?")
        assert bob.buttons() == ["Отправить номер", "Позже"]
        with pytest.raises(AssertionError, match="share_contact"):
            await bob.click("Отправить номер")
        await bob.click("Позже")  # a reply-keyboard button sends its text
        await bob.expect("Хорошо, позже.")
        assert emu.reply_keyboard(bob.chat_id) is None

        await bob.share_contact("+79990001122")
        await bob.expect("Спасибо, +79990001122")

        await bob.send_photo(png(320, 200), caption="me")
        await bob.expect("Фото 320x200")

        await bob.send("/vote")
        poll = await bob.expect()  # the poll itself (no text): wait for it, as for any reply
        assert poll["poll"]["question"] == "Кофе?"
        await bob.answer_poll("Нет")
        await bob.expect("Голос: [1]")
    transcript = bob.transcript()
    assert "> [contact +79990001122]" in transcript
    assert "> [photo] me" in transcript
    assert "> [vote: Нет]" in transcript
    assert "< [poll] Кофе?: Да (0) / Нет (1)" in transcript


async def test_group_chat_user(bot: Bot, emu: BotAPIEmulator) -> None:
    router = Router()

    @router.message(F.text.startswith("/ping"))
    async def ping(message: Message) -> None:
        await message.reply(f"pong {message.from_user.first_name}")

    alice = SandboxUser(emu, "Alice")
    group = emu.add_group("Team", [alice.id])
    in_group = alice.in_chat(group["id"])
    async with polling(bot, router):
        await in_group.send("/ping")
        reply = await in_group.expect("pong Alice")
    assert reply["chat_id"] == group["id"] and reply["reply_to_message_id"] is not None
    assert in_group.transcript().splitlines() == ["> Alice: /ping", "< pong Alice"]
    assert alice.messages() == []  # nothing in her private chat
