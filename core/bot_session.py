"""The bot's HTTP session: aiogram's ``AiohttpSession`` posting requests without files as JSON,
and (``LimitedSession``) passing every send and edit through the one rate limiter of the bot.

Subclassing ``AiohttpSession`` is aiogram's public extension point for this: every request of the
``Bot`` — a handler's ``message.answer``, an edit, the outbox sender's sends — goes through
``make_request``. Replies to a user's own update take the interactive lane (they wait for their
slot ahead of broadcasts); requests made outside an update are bulk. ``answerCallbackQuery`` and
other methods Telegram does not count pass straight through.

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
import itertools
import json
import logging
import time
import zlib
from collections.abc import Awaitable, Callable
from contextvars import ContextVar, Token
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, cast

from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError, TelegramRetryAfter
from aiogram.methods import Response
from aiogram.methods.base import TelegramType
from aiogram.types import InlineKeyboardMarkup
from aiohttp import ClientError
from pydantic import ValidationError

from core.delivery.ratelimit import Lane, SharedLimiter

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.methods import TelegramMethod

log = logging.getLogger(__name__)

_JSON = {"Content-Type": "application/json"}

# ``Response[T]`` for every result type this process has read, held for its lifetime. aiogram's
# ``check_response`` parametrises ``Response[method.__returning__]`` on every request, and pydantic
# caches parametrised models weakly: once no answer referenced it, a garbage collection dropped
# ``Response[Message]`` and the next request built the model again (schema, validator: ~9 ms).
# bench/dispatch counted 21 rebuilds per 1,000 /menu updates, ~0.18 ms of the bot's ~1.2 ms of CPU
# per update. Holding a reference here keeps pydantic's own cache warm; nothing of aiogram or
# pydantic is changed. A few dozen small classes at most: one per Bot API result type used.
_RESPONSE_MODELS: dict[Any, type] = {}


# Inline keyboards as JSON, keyed by their buttons' values: the main menu — the message the bot
# sends most — is built from the same buttons every time (``core.keyboards``), and its nine buttons
# cost ~50 µs to dump and walk. Only plain buttons are cached (text with callback data or a URL,
# nothing else set); the key is those values, read at send time, so a button that was changed in
# place (aiogram's buttons are mutable models) is sent as it is now, never as it was first sent.
_KEYBOARDS: dict[tuple, dict[str, Any]] = {}
_PLAIN_BUTTON_FIELDS = frozenset({"text", "callback_data", "url"})
_KEYBOARDS_MAX = 512


class JsonBodySession(AiohttpSession):
    def check_response(self, bot: Bot, method: TelegramMethod[TelegramType], status_code: int,
                       content: str) -> Response[TelegramType]:
        returning = method.__returning__
        if returning not in _RESPONSE_MODELS:
            _RESPONSE_MODELS[returning] = Response[returning]  # type: ignore[index]
        return super().check_response(bot, method, status_code, content)

    def json_body(self, bot: Bot, method: TelegramMethod[Any]) -> bytes | None:
        """The request as a JSON body, or None when it uploads a file (that needs multipart)."""
        fields = self.json_fields(bot, method)
        return None if fields is None else json.dumps(fields, ensure_ascii=False).encode()

    def json_fields(self, bot: Bot, method: TelegramMethod[Any]) -> dict[str, Any] | None:
        """The request's fields as JSON-ready values, or None when it uploads a file."""
        files: dict[str, Any] = {}
        fields: dict[str, Any] = {}
        markup = getattr(method, "reply_markup", None)
        keyboard = _keyboard_json(self, bot, markup) if type(markup) is InlineKeyboardMarkup else None
        # exclude_none: aiogram's prepare_value drops every None anyway, but walks each one first;
        # a keyboard's buttons are mostly None fields (~60 → ~35 µs for the main menu's body).
        dumped = method.model_dump(warnings=False, exclude_none=True,
                                   exclude=_MARKUP if keyboard is not None else None)
        for key, value in dumped.items():
            value = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            if value is None or value == "":  # what aiogram's form leaves out (False and 0 stay)
                continue
            fields[key] = value
        if files:
            return None
        if keyboard is not None:
            fields["reply_markup"] = keyboard
        return fields

    async def make_request(self, bot: Bot, method: TelegramMethod[TelegramType],
                           timeout: int | None = None) -> TelegramType:
        fields = self.json_fields(bot, method)
        if fields is None:
            return await super().make_request(bot, method, timeout)
        body = json.dumps(fields, ensure_ascii=False).encode()
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        status, raw = await post(self, url, body, _JSON, self.timeout if timeout is None else timeout,
                                 lambda: method)
        content = raw.decode("utf-8", "replace")
        keyboard = fields.get("reply_markup")
        if isinstance(keyboard, dict) and HTTPStatus.OK <= status <= HTTPStatus.IM_USED:
            message = self._message_with_sent_keyboard(bot, method, content, keyboard)
            if message is not None:
                return cast(TelegramType, message)
        response = self.check_response(bot=bot, method=method, status_code=status, content=content)
        return cast(TelegramType, response.result)

    def _message_with_sent_keyboard(self, bot: Bot, method: TelegramMethod[Any], content: str,
                                    keyboard: dict[str, Any]) -> Any:
        """The sent message, its keyboard being the very markup we sent, when Telegram echoed that
        keyboard exactly (else None: aiogram's ``check_response`` reads the answer as it is).

        A message sent with an inline keyboard comes back with it, and aiogram would validate it
        into ten more models (the main menu's nine buttons and their markup: ~40% of reading the
        answer). When the echo equals what we sent, the markup we sent is that keyboard already:
        the answer is read with it in place of the echo's JSON (pydantic keeps a model instance
        as it is). Only a successful answer; any error still goes through aiogram."""
        try:
            data = self.json_loads(content)
        except ValueError:
            return None
        result = data.get("result") if isinstance(data, dict) and data.get("ok") is True else None
        if not isinstance(result, dict) or result.get("reply_markup") != keyboard:
            return None
        result["reply_markup"] = method.reply_markup
        returning = method.__returning__
        model = _RESPONSE_MODELS.get(returning)
        if model is None:
            model = _RESPONSE_MODELS[returning] = Response[returning]  # type: ignore[index]
        try:
            return model.model_validate(data, context={"bot": bot}).result
        except ValidationError:
            return None


_MARKUP = {"reply_markup"}


def _keyboard_json(session: AiohttpSession, bot: Bot, markup: InlineKeyboardMarkup) -> dict[str, Any] | None:
    """``markup`` as aiogram would serialise it (dumped without Nones, then ``prepare_value``),
    from ``_KEYBOARDS`` when buttons of the same values were serialised before. None: not JSON-ready
    as it is (a file in it, which no inline keyboard has), left to the general path."""
    key = _keyboard_key(markup.inline_keyboard)
    if key is not None:
        cached = _KEYBOARDS.get(key)
        if cached is not None:
            return cached
    files: dict[str, Any] = {}
    prepared = session.prepare_value(markup.model_dump(warnings=False, exclude_none=True), bot=bot, files=files,
                                     _dumps_json=False)
    if files or not isinstance(prepared, dict):
        return None
    if key is not None:
        if len(_KEYBOARDS) >= _KEYBOARDS_MAX:  # transient keyboards (a counter in a label) churn through
            _KEYBOARDS.clear()
        _KEYBOARDS[key] = prepared
    return prepared


def _keyboard_key(rows: list[list[Any]]) -> tuple | None:
    """The values a keyboard of plain buttons is sent with, or None when a button carries
    anything else (a web app, a login URL, a field added later): those are serialised each time."""
    key = []
    for row in rows:
        for button in row:
            if not button.model_fields_set <= _PLAIN_BUTTON_FIELDS or button.model_extra:
                return None
        key.append(tuple((b.text, b.callback_data, b.url) for b in row))
    return tuple(key)


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


# --- one limiter for every message the bot sends or edits -------------------------------------

# When the update being handled reached the user (epoch seconds), set for the handler's task by
# the middleware: a request made inside it is a reply (interactive lane), one made anywhere else
# (a background job) is bulk. Unset outside updates.
_reply_origin: ContextVar[float | None] = ContextVar("organizer_reply_origin", default=None)
# Set by the outbox sender inside a send it already took a slot for: the session must not take a second.
_granted: ContextVar[bool] = ContextVar("organizer_rate_granted", default=False)

# Methods Telegram's flood control counts (sending, copying, forwarding, editing); answerCallbackQuery,
# chat actions, getters and deletes are not limited, so the 15-second callback deadline never waits.
_EXTRA_LIMITED = frozenset({"copyMessage", "copyMessages", "forwardMessage", "forwardMessages", "stopPoll"})
MAX_BULK_RETRIES = 5  # a background send retries a 429 this often; a reply until it would be stale


class StaleReply(TelegramAPIError):
    """A reply not sent because its user has waited longer than ``delivery.reply_max_age_seconds``."""


# Called before any request made while handling an update: the middleware commits the update's
# database work there, so no transaction (and on SQLite no write lock) is held while a reply queues
# behind the limit, and the work is saved whatever Telegram then answers.
_before_reply: ContextVar[Callable[[], Awaitable[None]] | None] = ContextVar("organizer_before_reply",
                                                                             default=None)


def reply_context(origin: float, before_reply: Callable[[], Awaitable[None]] | None = None) -> tuple[Token, Token]:
    """Mark the current task as handling an update the user sent at ``origin`` (epoch seconds)."""
    return _reply_origin.set(origin), _before_reply.set(before_reply)


def end_reply_context(tokens: tuple[Token, Token]) -> None:
    _reply_origin.reset(tokens[0])
    _before_reply.reset(tokens[1])


def already_granted() -> Token:
    return _granted.set(True)


def limited_chat(method: TelegramMethod[Any]) -> int | None:
    """The chat whose buckets a request counts against, or None if Telegram does not limit it."""
    name = method.__api_method__
    if not ((name.startswith("send") and name != "sendChatAction") or name.startswith("edit")
            or name in _EXTRA_LIMITED):
        return None
    chat_id = getattr(method, "chat_id", None)
    if isinstance(chat_id, int):
        return chat_id
    if isinstance(chat_id, str):  # @channelusername: a channel, limited like a group
        return -(zlib.crc32(chat_id.encode()) + 1)
    return None  # inline_message_id edits carry no chat


class LimitedSession(JsonBodySession):
    """Every send and edit passes ``limiter`` (shared with the outbox sender).

    A reply waits for its slot rather than failing; a 429 pauses sending for ``retry_after`` and the
    request is retried after it; a reply whose user has waited more than ``max_reply_age`` seconds is
    dropped with a log line (``StaleReply``) rather than sent stale. Edits of one message that queue
    up behind each other collapse: only the newest is sent (five taps, one answer for the last state).

    The limiter belongs to whoever made it and is closed by them (the app, at shutdown), never by
    ``close()``: aiogram calls ``close()`` itself before its first request to reset the connector,
    and closing a Redis limiter there cut the connections of every grant in flight.
    """

    def __init__(self, *args: Any, limiter: SharedLimiter | None = None, max_reply_age: float = 60.0,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limiter = limiter
        self.max_reply_age = max_reply_age
        self._edit_seq: dict[tuple[int, int], int] = {}
        self._seq = itertools.count(1)
        self.stats = {"sent": 0, "retried": 0, "stale": 0, "merged": 0, "request_s": 0.0}

    async def make_request(self, bot: Bot, method: TelegramMethod[TelegramType],
                           timeout: int | None = None) -> TelegramType:
        origin = _reply_origin.get()
        before = _before_reply.get()
        if before is not None and origin is not None:
            # Any request made while handling an update (a message, an edit, a callback's toast, a
            # deletion) first stores the update's work: the user is told only what is stored.
            await before()
        chat_id = limited_chat(method)
        if chat_id is None or self.limiter is None or _granted.get():
            return await super().make_request(bot, method, timeout)
        lane = Lane.BULK if origin is None else Lane.INTERACTIVE
        # The deadline on the monotonic clock: how long the user may still wait.
        deadline = None if origin is None else time.monotonic() + origin + self.max_reply_age - time.time()
        edit_key = self._edit_key(method, chat_id)
        seq = next(self._seq)
        if edit_key is not None:
            self._edit_seq[edit_key] = seq
        try:
            async with self.limiter.chat_turn(chat_id):
                return await self._send(bot, method, timeout, chat_id, lane, deadline, origin,
                                        edit_key, seq)
        finally:
            if edit_key is not None and self._edit_seq.get(edit_key) == seq:
                del self._edit_seq[edit_key]

    async def _send(self, bot, method, timeout, chat_id, lane, deadline, origin, edit_key, seq):
        retries = 0
        while True:
            if edit_key is not None and self._edit_seq.get(edit_key) != seq:
                # A newer edit of this message is queued behind us: it carries the latest state.
                self.stats["merged"] += 1
                return True
            grant = await self.limiter.acquire(chat_id, lane, deadline)
            if grant is None:
                self.stats["stale"] += 1
                log.warning("dropped %s to chat %s: its user has waited %.0f s (limit %.0f s)",
                            method.__api_method__, chat_id, time.time() - (origin or time.time()),
                            self.max_reply_age)
                raise StaleReply(method=method, message="reply dropped: the user has waited too long")
            started = time.monotonic()
            try:
                result = await super().make_request(bot, method, timeout)
            except TelegramRetryAfter as exc:
                retries += 1
                self.stats["retried"] += 1
                log.warning("429 on %s to chat %s: pausing %ss, then retrying (attempt %d)",
                            method.__api_method__, chat_id, exc.retry_after, retries + 1)
                await self.limiter.pause(exc.retry_after)
                if lane is Lane.BULK and retries > MAX_BULK_RETRIES:
                    raise
                continue
            finally:
                self.stats["request_s"] += time.monotonic() - started
                await self.limiter.release(grant)
            self.stats["sent"] += 1
            return result

    @staticmethod
    def _edit_key(method: TelegramMethod[Any], chat_id: int) -> tuple[int, int] | None:
        message_id = getattr(method, "message_id", None)
        if method.__api_method__.startswith("edit") and isinstance(message_id, int):
            return chat_id, message_id
        return None

