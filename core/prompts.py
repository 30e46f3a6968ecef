"""A dialog's question keeps its buttons only while it is the open question.

A tap on "Пропустить" or "Отмена" removes that keyboard; an answer typed instead used to leave
the buttons under the old question, where a later tap did something surprising. A dialog
remembers the message of its open question (``remember``); when a typed message moves the
dialog on (a new question, or the dialog ended), that old question loses its keyboard, as a
tap would have removed it. A rejected answer leaves it alone: the question is still open.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.context import FSMContext
from aiogram.types import InlineKeyboardMarkup, Message

log = logging.getLogger(__name__)

KEY = "core_prompt"  # FSM data: the message id of the open question that has an inline keyboard


async def remember(state: FSMContext | None, sent: Message | None) -> Message | None:
    """Call with each question just sent: its buttons go when a typed answer moves the dialog on
    (a question without inline buttons is remembered as "nothing to tidy")."""
    if state is not None and sent is not None:
        has_buttons = isinstance(sent.reply_markup, InlineKeyboardMarkup)
        await state.update_data({KEY: sent.message_id if has_buttons else None})
    return sent


class StalePromptMiddleware(BaseMiddleware):
    """Inner middleware for messages: after the handler, drop the keyboard of a question it closed.
    Only typed messages: a tap's own handler edits the tapped message and knows what it shows."""

    async def __call__(self, handler: Callable[[Message, dict[str, Any]], Awaitable[Any]],
                       event: Message, data: dict[str, Any]) -> Any:
        state: FSMContext | None = data.get("state")
        if state is None:
            return await handler(event, data)
        before = (await state.get_data()).get(KEY)
        step = await state.get_state() if before is not None else None
        result = await handler(event, data)
        # Moved on: another question was asked, or the dialog is at another step or over.
        if before is not None and ((await state.get_data()).get(KEY) != before or await state.get_state() != step):
            try:
                await event.bot.edit_message_reply_markup(chat_id=event.chat.id, message_id=before,
                                                          reply_markup=None)
            except TelegramAPIError as exc:  # already gone or already without buttons: nothing to tidy
                log.debug("old question %s in chat %s kept its buttons: %s", before, event.chat.id, exc)
        return result
