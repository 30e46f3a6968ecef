"""Text messages prepared once by aiogram and posted to each recipient with only ``chat_id`` changed.

A broadcast sends one content to thousands of chats. ``bot.send_message`` would build and
validate a pydantic request, serialise it field by field, and validate the whole ``Message`` it
gets back for every one of them: about half the sender's CPU per message (bench/broadcast:
0.6 of 1.3 ms), which is what kept a 2-core machine from 1000 msg/s. Here aiogram builds the
form once per distinct content (its own models, defaults and serialisation, so the bytes on the
wire are the same), each request prepends ``chat_id``, and a successful answer is read for its
``message_id`` only. Anything else — an error status, a body that is not ``ok`` — goes through
aiogram's ``check_response``, so the sender sees exactly the exceptions ``send_message`` raises.

Only for a bot on aiogram's ``AiohttpSession`` (or our ``JsonBodySession``) without request
middlewares: anything else (a custom session, a middleware that must see every request) keeps the
plain ``send_message`` path.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods import SendMessage
from aiogram.types import InlineKeyboardMarkup

from core.bot_session import JsonBodySession, post

_FORM = {"Content-Type": "application/x-www-form-urlencoded"}
_CACHE_SIZE = 64  # distinct contents in flight at once: broadcasts plus a few notice templates


class PreparedTexts:
    """Sends text ``content`` dicts (see ``content.py``) through the bot's own aiohttp session."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self._forms: OrderedDict[tuple, tuple[bytes, dict[str, Any]]] = OrderedDict()

    @staticmethod
    def usable(bot: Bot) -> bool:
        session = getattr(bot, "session", None)
        return type(session) in (AiohttpSession, JsonBodySession) and len(session.middleware) == 0

    async def send(self, chat_id: int, content: dict[str, Any], parse_mode: str | None) -> int:
        """Send one text message; returns its message_id or raises what ``bot.send_message`` would."""
        form, fields = self._form(content, parse_mode)
        session = self.bot.session
        url = session.api.api_url(token=self.bot.token, method="sendMessage")
        status, raw = await post(session, url, b"chat_id=%d&" % chat_id + form, _FORM, session.timeout,
                                 lambda: self._method(chat_id, fields))
        if HTTPStatus.OK <= status <= HTTPStatus.IM_USED:
            try:
                body = session.json_loads(raw)  # bytes: the JSON body is UTF-8, no charset sniffing needed
                if body.get("ok"):
                    return int(body["result"]["message_id"])
            except (ValueError, TypeError, KeyError, AttributeError):
                pass  # malformed: let aiogram describe it below
        response = session.check_response(bot=self.bot, method=self._method(chat_id, fields),
                                          status_code=status, content=raw.decode("utf-8", "replace"))
        return response.result.message_id

    def _form(self, content: dict[str, Any], parse_mode: str | None) -> tuple[bytes, dict[str, Any]]:
        # Plain text (a broadcast's rows) keys on its fields alone; only a keyboard needs serialising.
        markup = content.get("reply_markup")
        key = (content["text"], parse_mode, bool(content.get("disable_notification")),
               json.dumps(markup, sort_keys=True) if markup else None)
        cached = self._forms.get(key)
        if cached is not None:
            self._forms.move_to_end(key)
            return cached
        fields: dict[str, Any] = {"text": content["text"]}
        if parse_mode is not None:  # None: the bot's default, as with send_message
            fields["parse_mode"] = parse_mode
        if markup:
            fields["reply_markup"] = InlineKeyboardMarkup.model_validate(markup)
        if content.get("disable_notification"):
            fields["disable_notification"] = True
        # chat_id 0 is a placeholder: the real one is prepended to each request.
        method = SendMessage(chat_id=0, **fields)
        session, files = self.bot.session, {}
        pairs = []
        for name, value in method.model_dump(warnings=False).items():  # as AiohttpSession.build_form_data
            value = session.prepare_value(value, bot=self.bot, files=files)
            if value and name != "chat_id":
                pairs.append((name, value))
        if files:  # cannot happen for text, but never send an attach:// without its file
            raise ValueError("a prepared text message cannot carry files")
        cached = (urlencode(pairs).encode(), fields)
        self._forms[key] = cached
        if len(self._forms) > _CACHE_SIZE:
            self._forms.popitem(last=False)
        return cached

    @staticmethod
    def _method(chat_id: int, fields: dict[str, Any]) -> SendMessage:
        # Only built when something went wrong: aiogram's exceptions carry the method.
        return SendMessage(chat_id=chat_id, **fields)

