"""The command list an organizer sees: the participants' commands plus /admin, in that chat only.

Telegram shows one command list per scope; the default scope is what participants see. An
organizer gets a per-chat scope (``BotCommandScopeChat``) so that /admin is offered to them and
to nobody else. Set when the organizer's menu is shown, at most once per chat and language in a
process; dropped again for someone who is no longer an organizer.
"""

from __future__ import annotations

import logging
import weakref

from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat

from core.context import EventContext

log = logging.getLogger(__name__)

ADMIN_COMMAND = ("admin", "cmd-admin")
# app -> {chat_id: language the list was set in}
_shown: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


async def sync_admin_commands(app, bot, chat_id: int, ctx: EventContext) -> None:
    shown = _shown.setdefault(app, {})
    try:
        if ctx.is_admin and shown.get(chat_id) != ctx.lang:
            commands = [BotCommand(command=c.command, description=ctx.tr(c.description_key))
                        for c in await app.bot_commands()]
            commands.append(BotCommand(command=ADMIN_COMMAND[0], description=ctx.tr(ADMIN_COMMAND[1])))
            await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id=chat_id))
            shown[chat_id] = ctx.lang
        elif not ctx.is_admin and chat_id in shown:
            await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=chat_id))
            del shown[chat_id]
    except TelegramAPIError as exc:  # a convenience: the menu itself must still be shown
        log.warning("could not set the organizer's commands in chat %s: %s", chat_id, exc)
