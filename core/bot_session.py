"""The bot's HTTP session: aiogram's ``AiohttpSession`` posting requests without files as JSON.

The Bot API takes parameters as a query string, a urlencoded form, JSON ("except for uploading
files") or multipart. aiogram always builds a form: every nested object (a keyboard) becomes a
JSON string that is then percent-encoded, and Python's quoting walks non-ASCII text byte by
byte in a Python loop. Our texts are Russian; the main menu — the message the bot sends most —
carries a keyboard of nine buttons, so its request was 1.9 kB of ``%D0%9B…`` built in ~120 µs.
As a JSON body it is 0.8 kB built in ~70 µs (the same fields, serialised by aiogram's own
``prepare_value``; a plain echo drops from ~32 to ~23 µs).

Requests with files (photos, documents) go through aiogram's multipart form as before. A network
failure raises aiogram's ``TelegramNetworkError`` as its own request would (``post``, shared with
the outbox's prepared texts), and the answer's status, errors and parsing are aiogram's
``check_response``: a caller sees exactly the exceptions stock aiogram raises.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods.base import TelegramType
from aiohttp import ClientError

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.methods import TelegramMethod

_JSON = {"Content-Type": "application/json"}


class JsonBodySession(AiohttpSession):
    def json_body(self, bot: Bot, method: TelegramMethod[Any]) -> bytes | None:
        """The request as a JSON body, or None when it uploads a file (that needs multipart)."""
        files: dict[str, Any] = {}
        fields: dict[str, Any] = {}
        for key, value in method.model_dump(warnings=False).items():
            value = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            if value is None or value == "":  # what aiogram's form leaves out (False and 0 stay)
                continue
            fields[key] = value
        if files:
            return None
        return json.dumps(fields, ensure_ascii=False).encode()

    async def make_request(self, bot: Bot, method: TelegramMethod[TelegramType],
                           timeout: int | None = None) -> TelegramType:
        body = self.json_body(bot, method)
        if body is None:
            return await super().make_request(bot, method, timeout)
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        status, raw = await post(self, url, body, _JSON, self.timeout if timeout is None else timeout,
                                 lambda: method)
        response = self.check_response(bot=bot, method=method, status_code=status,
                                       content=raw.decode("utf-8", "replace"))
        return cast(TelegramType, response.result)


async def post(session: AiohttpSession, url: str, body: bytes, headers: dict[str, str], timeout: float,
               method: Callable[[], TelegramMethod[Any]]) -> tuple[int, bytes]:
    """POST a ready body through ``session``'s aiohttp client as ``AiohttpSession.make_request``
    does: the status and the raw answer, or aiogram's ``TelegramNetworkError`` for a timeout or a
    connection failure (``method()`` builds the method it names, only then)."""
    http = await session.create_session()
    try:
        async with http.post(url, data=body, headers=headers, timeout=timeout) as resp:
            return resp.status, await resp.read()
    except asyncio.TimeoutError as exc:
        raise TelegramNetworkError(method=method(), message="Request timeout error") from exc
    except ClientError as exc:
        raise TelegramNetworkError(method=method(), message=f"{type(exc).__name__}: {exc}") from exc
