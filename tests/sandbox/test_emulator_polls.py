"""Polls: sendPoll, users' votes as poll_answer/poll updates, stopPoll."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InputPollOption

from core.sandbox import BotAPIEmulator


async def test_poll_answers_produce_updates(bot: Bot, emu: BotAPIEmulator, alice: dict) -> None:
    bob = emu.add_user("Bob")
    msg = await bot.send_poll(alice["id"], "Best talk?", [InputPollOption(text="Robots"), "Rust"],
                              is_anonymous=False)
    poll = msg.poll
    assert [o.text for o in poll.options] == ["Robots", "Rust"] and poll.is_anonymous is False

    await emu.answer_poll(alice["id"], poll.id, [1])
    await emu.answer_poll(bob["id"], poll.id, 1)
    updates = await bot.get_updates()
    kinds = [u.event_type for u in updates]
    assert kinds == ["poll_answer", "poll", "poll_answer", "poll"]
    answer = updates[0].poll_answer
    assert answer.poll_id == poll.id and answer.user.id == alice["id"] and answer.option_ids == [1]
    assert updates[-1].poll.total_voter_count == 2 and updates[-1].poll.options[1].voter_count == 2

    # Retracting a vote.
    await emu.answer_poll(alice["id"], poll.id, [])
    retract = (await bot.get_updates(offset=updates[-1].update_id + 1))[0].poll_answer
    assert retract.option_ids == []

    stopped = await bot.stop_poll(alice["id"], msg.message_id)
    assert stopped.is_closed and stopped.options[1].voter_count == 1
    with pytest.raises(TelegramBadRequest, match="poll has already been closed"):
        await bot.stop_poll(alice["id"], msg.message_id)
    with pytest.raises(ValueError):
        await emu.answer_poll(bob["id"], poll.id, [0])
    assert emu.chat_messages(alice["id"])[-1]["poll"]["is_closed"] is True


async def test_anonymous_poll_has_no_poll_answer(bot: Bot, emu: BotAPIEmulator, alice: dict) -> None:
    msg = await bot.send_poll(alice["id"], "Lunch?", ["Yes", "No"])
    await emu.answer_poll(alice["id"], msg.poll.id, [0])
    assert [u.event_type for u in await bot.get_updates()] == ["poll"]


async def test_poll_validation(bot: Bot, alice: dict) -> None:
    with pytest.raises(TelegramBadRequest, match="poll must have at least 2 option"):
        await bot.send_poll(alice["id"], "Q?", ["only"])
    with pytest.raises(TelegramBadRequest, match="wrong correct option ID"):
        await bot.send_poll(alice["id"], "Quiz", ["a", "b"], type="quiz")
