"""A local Telegram Bot API server speaking the real wire format.

The real aiogram ``Bot`` talks to it through
``AiohttpSession(api=TelegramAPIServer.from_base(emu.base_url))``; long polling and webhooks work unchanged.
Tests drive the users' side with ``send_text``/``click``/... (or with ``SandboxUser`` from client.py) and inspect
``requests`` and ``chat_messages``. Faults (flood limits, blocked users, 5xx, dropped connections, latency) are
switched on through ``emu.faults``.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import logging
import re
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

from core.sandbox.errors import ApiError
from core.sandbox.faults import Faults
from core.sandbox.methods import API_METHODS, BotApiMethods
from core.sandbox.state import BotState, CallbackState, RecordedRequest, StoredMessage, World, now_ts
from core.sandbox.validation import detect_entities, inline_buttons

log = logging.getLogger(__name__)

_TOKEN_RE = re.compile(r"^(\d+):[A-Za-z0-9_-]+$")

# Form data carries only strings; Telegram converts by each method's schema. These key lists play that role.
_INT_KEYS = frozenset(
    {
        "chat_id", "from_chat_id", "message_id", "user_id", "offset", "limit", "reply_to_message_id",
        "message_thread_id", "correct_option_id", "open_period", "close_date", "cache_time", "max_connections",
        "duration", "width", "height",
    }
)
_FLOAT_KEYS = frozenset({"timeout"})
_BOOL_KEYS = frozenset(
    {
        "disable_notification", "protect_content", "allow_sending_without_reply", "show_alert",
        "is_anonymous", "allows_multiple_answers", "is_closed", "drop_pending_updates", "has_spoiler",
        "disable_web_page_preview", "disable_content_type_detection", "show_caption_above_media",
        "allow_paid_broadcast", "only_if_banned",
    }
)
_JSON_KEYS = frozenset(
    {
        "reply_markup", "entities", "caption_entities", "allowed_updates", "commands", "scope", "menu_button",
        "options", "media", "link_preview_options", "reply_parameters", "explanation_entities",
        "question_entities", "message_ids",
    }
)
# Methods whose successful answers are "messages the bot sent" for sent_messages().
_SENT_METHODS = ("sendmessage", "sendphoto", "senddocument", "copymessage")


@dataclass
class Upload:
    """A file part of a multipart request."""

    filename: str | None
    data: bytes
    content_type: str | None

    def describe(self) -> dict[str, Any]:
        return {"upload": self.filename, "size": len(self.data)}


class _Dropped(Exception):
    """The request must end with a closed connection instead of an answer."""


class BotAPIEmulator(BotApiMethods):
    def __init__(self, *, webhook_retry_delay: float = 0.5, webhook_max_attempts: int = 5) -> None:
        self.world = World()
        self.faults = Faults()
        self.requests: list[RecordedRequest] = []
        #: Set to False in long benchmarks so the request log does not grow without bound.
        self.record_requests = True
        self.webhook_retry_delay = webhook_retry_delay
        self.webhook_max_attempts = webhook_max_attempts
        self._changed = asyncio.Event()
        self._subscribers: list[tuple[int | None, asyncio.Queue[dict[str, Any]]]] = []
        self._closing = False
        self._inflight = 0  # bot requests other than getUpdates being handled now
        self._last_activity = 0.0  # monotonic time a non-getUpdates bot request last ended
        self._webhook_tasks: dict[str, asyncio.Task[None]] = {}
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self.host = "127.0.0.1"
        self.port = 0

    # ------------------------------------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        if self._runner is None:
            raise RuntimeError("emulator is not started")
        return f"http://{self.host}:{self.port}"

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> BotAPIEmulator:
        # Uploads up to 50 MB like Telegram's sendDocument; aiohttp's default is 1 MB.
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, host, port)
        await self._site.start()
        sockets = self._site._server.sockets if self._site._server else []  # type: ignore[union-attr]
        self.host = host
        self.port = sockets[0].getsockname()[1] if sockets else port
        self._closing = False
        return self

    async def stop(self) -> None:
        self._closing = True
        self._notify()  # releases long-polling getUpdates at once
        for task in list(self._webhook_tasks.values()):
            task.cancel()
        for task in list(self._webhook_tasks.values()):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._webhook_tasks.clear()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotAPIEmulator:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------------------------------------ bots

    def add_bot(
        self,
        token: str,
        *,
        first_name: str = "Sandbox Bot",
        username: str | None = None,
        can_join_groups: bool = True,
        can_read_all_group_messages: bool = False,
        supports_inline_queries: bool = False,
    ) -> dict[str, Any]:
        """Register a bot (also done implicitly on its first request). Returns its User."""
        m = _TOKEN_RE.match(token)
        if not m:
            raise ValueError(f"invalid bot token {token!r}: expected '<digits>:<secret>'")
        if token in self.world.bots:
            return self.world.bots[token].user
        bot_id = int(m.group(1))
        user = {
            "id": bot_id,
            "is_bot": True,
            "first_name": first_name,
            "username": username or f"sandbox_{bot_id}_bot",
            "can_join_groups": can_join_groups,
            # False is Telegram's default: privacy mode, see _bot_sees().
            "can_read_all_group_messages": can_read_all_group_messages,
            "supports_inline_queries": supports_inline_queries,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.world.bots[token] = BotState(token=token, user=user)
        return user

    def _bot_for(self, token: str | None) -> BotState:
        if token is not None:
            if token not in self.world.bots:
                self.add_bot(token)
            return self.world.bots[token]
        if len(self.world.bots) == 1:
            return next(iter(self.world.bots.values()))
        if not self.world.bots:
            raise LookupError("no bot is known yet: call emu.add_bot(token) or let the bot make a request first")
        raise LookupError("several bots are known: pass token=")

    # ---------------------------------------------------------------------------------------- HTTP layer

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        if not _TOKEN_RE.match(token):
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        stored = self.world.files_by_path.get(request.match_info["path"])
        if stored is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        return web.Response(body=stored.data, content_type=stored.mime_type or "application/octet-stream")

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        method = request.match_info["method"]
        arrived = time.monotonic()
        if not _TOKEN_RE.match(token):
            body = {"ok": False, "error_code": 401, "description": "Unauthorized"}
            self._record(RecordedRequest(method, token, {}, arrived, False, 401, "Unauthorized"))
            return web.json_response(body, status=401)
        try:
            params, files = await self._read_params(request)
        except ApiError as e:
            self._record(RecordedRequest(method, token, {}, arrived, False, e.code, e.description))
            return web.json_response(e.payload(), status=e.code)
        bot = self._bot_for(token)
        try:
            status, body = await self._execute(bot, method, params, files, arrived)
        except _Dropped:
            # Closing the socket without a byte of answer: the client sees a disconnect (aiohttp ClientError).
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError from None
        return web.json_response(body, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))

    async def _read_params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
        params: dict[str, Any] = dict(request.query)
        files: dict[str, Upload] = {}
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                try:
                    data = await request.json()
                except ValueError:
                    raise ApiError(400, "Bad Request: can't parse JSON request body") from None
                if not isinstance(data, dict):
                    raise ApiError(400, "Bad Request: request body must be a JSON object")
                params.update(data)
            else:
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        files[key] = Upload(value.filename, value.file.read(), value.content_type)
                    else:
                        params[key] = value
        return self._coerce(params), files

    @staticmethod
    def _coerce(params: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in params.items():
            if isinstance(value, str):
                if key in _JSON_KEYS:
                    try:
                        value = json.loads(value)
                    except ValueError:
                        if key == "reply_markup":
                            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object") from None
                        raise ApiError(400, f"Bad Request: can't parse {key} JSON object") from None
                elif key in _INT_KEYS and re.fullmatch(r"-?\d+", value.strip()):
                    value = int(value)
                elif key in _FLOAT_KEYS:
                    with contextlib.suppress(ValueError):
                        value = float(value)
                elif key in _BOOL_KEYS and value.lower() in ("true", "false", "1", "0"):
                    value = value.lower() in ("true", "1")
            out[key] = value
        return out

    async def _execute(
        self,
        bot: BotState,
        method: str,
        params: dict[str, Any],
        files: dict[str, Upload],
        arrived: float | None = None,
    ) -> tuple[int, dict[str, Any]]:
        arrived = time.monotonic() if arrived is None else arrived
        entry = API_METHODS.get(method.lower())
        recorded_params = self._describe_params(params, files)
        if entry is None:
            # Telegram answers unknown methods with a bare 404.
            error = ApiError(404, "Not Found")
            self._record(RecordedRequest(method, bot.token, recorded_params, arrived, False, 404,
                                                 error.description))
            return 404, error.payload()
        name, attr = entry
        counts_as_activity = name != "getUpdates"
        if counts_as_activity:
            self._inflight += 1
        record = RecordedRequest(name, bot.token, recorded_params, arrived, False)
        self._record(record)
        try:
            if self.faults.latency:
                await asyncio.sleep(self.faults.latency)
            if self.faults.take_drop(name):
                record.description = "connection dropped"
                raise _Dropped
            chat_id = params.get("chat_id")
            failure = self.faults.take_failure(name, chat_id)
            if failure is not None:
                raise failure
            self.faults.check_blocked(name, chat_id)
            self.faults.check_rate(name, chat_id)
            result = await getattr(self, attr)(bot, params, files)
        except ApiError as e:
            record.error_code, record.description = e.code, e.description
            return e.code, e.payload()
        finally:
            if counts_as_activity:
                self._inflight -= 1
                self._last_activity = time.monotonic()
                self._notify()
        record.ok, record.result = True, result
        return 200, {"ok": True, "result": result}

    @staticmethod
    def _describe_params(params: dict[str, Any], files: dict[str, Upload]) -> dict[str, Any]:
        out = dict(params)
        for key, value in params.items():
            if isinstance(value, str) and value.startswith("attach://") and value[9:] in files:
                out[key] = files[value[9:]].describe()
        for key, upload in files.items():
            if key not in out and not any(v == f"attach://{key}" for v in params.values() if isinstance(v, str)):
                out[key] = upload.describe()
        return out

    # ------------------------------------------------------------------------------------ update queues

    def _notify(self) -> None:
        # Swap-and-set: every waiter holds the old event, so one set() wakes all of them.
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    async def _wait_changed(self, timeout: float | None) -> None:
        event = self._changed
        if timeout is None:
            await event.wait()
            return
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)

    def _enqueue(self, bot: BotState, update_type: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self.world.next_update_id(), update_type: payload}
        if not bot.wants(update_type):
            # Telegram does not store updates of types the bot did not ask for.
            bot.dropped_updates += 1
            return update
        bot.pending.append(update)
        self._notify()
        if bot.webhook:
            self._ensure_webhook_task(bot)
        return update

    def _confirm(self, bot: BotState, offset: Any) -> None:
        if not isinstance(offset, int):
            return
        if offset < 0:
            # "-N" keeps the last N updates and forgets everything before them.
            del bot.pending[: max(len(bot.pending) + offset, 0)]
        else:
            bot.pending[:] = [u for u in bot.pending if u["update_id"] >= offset]
        self._notify()

    async def _wait_for_updates(self, bot: BotState, timeout: float, generation: int) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if generation != bot.poll_generation:
                raise ApiError(
                    409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
                    "is running"
                )
            if bot.webhook:
                raise ApiError(
                    409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
                    "delete the webhook first"
                )
            remaining = deadline - time.monotonic()
            if bot.pending or self._closing or remaining <= 0:
                return
            await self._wait_changed(remaining)

    def pending_updates(self, token: str | None = None) -> int:
        """Updates queued for the bot and not yet confirmed (getUpdates offset) or delivered (webhook)."""
        if token is None and len(self.world.bots) != 1:
            return sum(len(b.pending) for b in self.world.bots.values())
        return len(self._bot_for(token).pending)

    async def wait_delivered(self, timeout: float | None = 10.0) -> None:
        """Resolve once every queued update was confirmed by its bot; TimeoutError otherwise."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while any(b.pending for b in self.world.bots.values()):
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise asyncio.TimeoutError(
                    f"{self.pending_updates()} update(s) not confirmed by the bot within {timeout}s "
                    "(is polling or the webhook running?)"
                )
            await self._wait_changed(remaining)

    async def wait_idle(self, quiet: float = 0.05, timeout: float | None = 10.0) -> None:
        """wait_delivered(), then wait until no bot request (except getUpdates) ran for ``quiet`` seconds."""
        start = time.monotonic()
        await self.wait_delivered(timeout)
        while True:
            now = time.monotonic()
            if timeout is not None and now - start > timeout:
                raise asyncio.TimeoutError(f"bot still busy after {timeout}s")
            idle_for = now - self._last_activity
            if self._inflight == 0 and idle_for >= quiet:
                if not any(b.pending for b in self.world.bots.values()):
                    return
                await self.wait_delivered(timeout)
                continue
            await asyncio.sleep(quiet if self._inflight else quiet - idle_for)

    # ---------------------------------------------------------------------------------------- webhooks

    def _ensure_webhook_task(self, bot: BotState) -> None:
        task = self._webhook_tasks.get(bot.token)
        if task is None or task.done():
            self._webhook_tasks[bot.token] = asyncio.get_running_loop().create_task(self._webhook_loop(bot))

    async def _webhook_loop(self, bot: BotState) -> None:
        """Deliver updates as Telegram does: up to ``max_connections`` requests at once, but one
        update at a time per user (the next waits until the previous one was acknowledged or
        dropped), each retried on failure."""
        in_flight: dict[int, asyncio.Task[None]] = {}
        async with aiohttp.ClientSession() as session:
            try:
                while not self._closing and bot.webhook:
                    limit = bot.webhook.get("max_connections", 40)
                    seen: set[Any] = set()
                    for update in list(bot.pending):
                        if len(in_flight) >= limit:
                            break
                        key = _sender_key(update)
                        if key in seen:  # an earlier update of this user is still pending
                            continue
                        seen.add(key)
                        update_id = update["update_id"]
                        if update_id in in_flight:
                            continue
                        task = asyncio.get_running_loop().create_task(self._deliver(bot, session, update))
                        in_flight[update_id] = task
                        task.add_done_callback(lambda _t, u=update_id: (in_flight.pop(u, None), self._notify()))
                    await self._wait_changed(None)
            finally:
                for task in list(in_flight.values()):
                    task.cancel()
                await asyncio.gather(*in_flight.values(), return_exceptions=True)

    async def _deliver(self, bot: BotState, session: aiohttp.ClientSession, update: dict[str, Any]) -> None:
        attempts = 0
        while not self._closing and bot.webhook:
            hook = bot.webhook
            headers = {"Content-Type": "application/json"}
            if hook.get("secret_token"):
                headers["X-Telegram-Bot-Api-Secret-Token"] = hook["secret_token"]
            error: str | None = None
            reply: Any = None
            try:
                async with session.post(
                    hook["url"], data=json.dumps(update, ensure_ascii=False), headers=headers,
                    timeout=aiohttp.ClientTimeout(total=60),
                ) as resp:
                    raw = await resp.read()
                    if 200 <= resp.status < 300:
                        with contextlib.suppress(ValueError):
                            reply = json.loads(raw) if raw else None
                    else:
                        error = f"Wrong response from the webhook: {resp.status} {resp.reason}"
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
                error = f"Connection failed: {type(exc).__name__}"
            if error is None:
                self._unqueue(bot, update)
                if isinstance(reply, dict) and isinstance(reply.get("method"), str):
                    # A webhook answer may carry one Bot API call (aiogram's handle_in_background=False).
                    params = self._coerce({k: v for k, v in reply.items() if k != "method"})
                    await self._execute(bot, reply["method"], params, {})
                return
            bot.webhook_error = (now_ts(), error)
            attempts += 1
            if attempts >= self.webhook_max_attempts:
                log.warning("sandbox: dropping update %s after %s failed webhook attempts", update["update_id"],
                            attempts)
                self._unqueue(bot, update)
                return
            await asyncio.sleep(self.webhook_retry_delay)

    def _unqueue(self, bot: BotState, update: dict[str, Any]) -> None:
        for index, pending in enumerate(bot.pending):
            if pending is update:
                del bot.pending[index]
                break
        self._notify()

    # ------------------------------------------------------------------------------------------ records

    def _record(self, record: RecordedRequest) -> None:
        if self.record_requests:
            self.requests.append(record)

    def requests_for(self, method: str | None = None, chat_id: int | str | None = None) -> list[RecordedRequest]:
        out = []
        for r in self.requests:
            if method is not None and r.method.lower() != method.lower():
                continue
            if chat_id is not None and r.params.get("chat_id") != chat_id:
                continue
            out.append(r)
        return out

    def sent_messages(self, chat_id: int | None = None) -> list[RecordedRequest]:
        """Successful sendMessage/sendPhoto/sendDocument/copyMessage requests, in order."""
        return [r for r in self.requests_for(chat_id=chat_id) if r.ok and r.method.lower() in _SENT_METHODS]

    # ------------------------------------------------------------------------------------- subscriptions

    def subscribe(self, chat_id: int | None = None) -> asyncio.Queue[dict[str, Any]]:
        """A queue of chat events: message, edit, delete, callback_answer, chat_action.

        Each event is ``{"type", "chat_id", "time", ...}``; message/edit/delete carry ``"message"`` (a
        chat_messages() view). With ``chat_id`` only that chat's events are queued, which keeps thousands of
        scripted users cheap. Call unsubscribe() when done: queues are unbounded.
        """
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._subscribers.append((chat_id, queue))
        return queue

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        self._subscribers = [(c, q) for c, q in self._subscribers if q is not queue]

    def _publish(self, event: dict[str, Any]) -> None:
        event.setdefault("time", time.time())
        for chat_id, queue in list(self._subscribers):
            if chat_id is None or chat_id == event.get("chat_id"):
                # Each subscriber gets its own copy so one consumer's changes never leak into another's.
                queue.put_nowait(copy.deepcopy(event))

    # ---------------------------------------------------------------------------------- simulated users

    def add_user(
        self,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "ru",
        user_id: int | None = None,
    ) -> dict[str, Any]:
        """A Telegram user; their private chat with the bot has ``id == user id``."""
        return copy.deepcopy(self.world.add_user(first_name, last_name, username, language_code, user_id))

    def add_group(
        self,
        title: str,
        member_ids: list[int] | tuple[int, ...] = (),
        *,
        admin_ids: list[int] | tuple[int, ...] = (),
        owner_id: int | None = None,
        supergroup: bool = False,
        username: str | None = None,
        forum: bool = False,
    ) -> dict[str, Any]:
        """A group (negative id) the bot is a member of; the first member is the owner unless owner_id is set.
        ``forum=True`` (a supergroup only): topics are enabled, see ``createForumTopic``."""
        chat = self.world.add_group(title, member_ids, admin_ids=admin_ids, owner_id=owner_id,
                                    supergroup=supergroup, username=username, forum=forum)
        return copy.deepcopy(chat)

    def _user(self, user_id: int) -> dict[str, Any]:
        user = self.world.users.get(int(user_id))
        if user is None:
            raise LookupError(f"unknown user {user_id}: create it with emu.add_user()")
        return user

    def _user_chat(self, user_id: int, chat_id: int | None) -> dict[str, Any]:
        cid = int(user_id) if chat_id is None else int(chat_id)
        chat = self.world.chats.get(cid)
        if chat is None:
            raise LookupError(f"unknown chat {cid}")
        if chat["type"] != "private" and int(user_id) not in self.world.members.get(cid, set()):
            raise LookupError(f"user {user_id} is not a member of chat {cid}")
        return chat

    def _bot_sees(self, bot: BotState, message: dict[str, Any]) -> bool:
        """Privacy mode: in groups a bot without can_read_all_group_messages sees only what concerns it."""
        if message["chat"]["type"] == "private" or bot.user.get("can_read_all_group_messages"):
            return True
        if bot.id in self.world.admins.get(message["chat"]["id"], set()):
            return True
        text = message.get("text") or message.get("caption") or ""
        if text.startswith("/"):
            return True
        reply = message.get("reply_to_message") or {}
        if (reply.get("from") or {}).get("id") == bot.id:
            return True
        return f"@{bot.user['username']}".lower() in text.lower()

    def _user_message(
        self,
        user_id: int,
        chat_id: int | None,
        content: dict[str, Any],
        reply_to: int | None,
        token: str | None,
        thread_id: int | None = None,
    ) -> dict[str, Any]:
        bot = self._bot_for(token)
        user = self._user(user_id)
        chat = self._user_chat(user_id, chat_id)
        # Writing to a bot unblocks it: clients lift the block when the user presses Start again.
        self.faults.blocked.discard(int(user_id))
        cid = chat["id"]
        message: dict[str, Any] = {
            "message_id": self.world.next_message_id(cid),
            "from": copy.deepcopy(user),
            "chat": copy.deepcopy(chat),
            "date": now_ts(),
        }
        if reply_to is not None:
            target = self.world.get_message(cid, reply_to)
            if target is None:
                raise LookupError(f"message {reply_to} not found in chat {cid}")
            inner = copy.deepcopy(target.message)
            inner.pop("reply_to_message", None)
            message["reply_to_message"] = inner
            if thread_id is None and target.message.get("is_topic_message"):
                thread_id = target.message.get("message_thread_id")  # a reply stays in its topic
        if thread_id is not None:
            topic = self.world.topics.get(cid, {}).get(int(thread_id))
            if topic is None:
                raise LookupError(f"no topic {thread_id} in chat {cid}")
            message["message_thread_id"] = int(thread_id)
            message["is_topic_message"] = True
            if reply_to is None:
                # Telegram: a message in a topic replies to the topic's creation message.
                created = self.world.get_message(cid, int(thread_id))
                if created is not None:
                    message["reply_to_message"] = copy.deepcopy(created.message)
        message.update({k: v for k, v in content.items() if v not in (None, [], "")})
        sm = self.world.store_message(StoredMessage(cid, message, from_bot=False))
        self._publish({"type": "message", "chat_id": cid, "message": sm.view()})
        if self._bot_sees(bot, message):
            return self._enqueue(bot, "message", copy.deepcopy(message))
        bot.dropped_updates += 1
        return {"update_id": None, "message": copy.deepcopy(message)}

    async def send_text(
        self,
        user_id: int,
        text: str,
        chat_id: int | None = None,
        reply_to: int | None = None,
        token: str | None = None,
        thread_id: int | None = None,
    ) -> dict[str, Any]:
        """The user types ``text``; commands, links and mentions get entities like in Telegram.
        ``thread_id``: in a forum supergroup, the topic written in."""
        return self._user_message(
            user_id, chat_id, {"text": text, "entities": detect_entities(text)}, reply_to, token, thread_id
        )

    async def send_contact(
        self,
        user_id: int,
        phone_number: str,
        chat_id: int | None = None,
        token: str | None = None,
    ) -> dict[str, Any]:
        """The user shares their own contact (the "request_contact" keyboard button)."""
        user = self._user(user_id)
        contact = {"phone_number": phone_number, "first_name": user["first_name"], "user_id": user["id"]}
        if user.get("last_name"):
            contact["last_name"] = user["last_name"]
        return self._user_message(user_id, chat_id, {"contact": contact}, None, token)

    async def send_photo(
        self,
        user_id: int,
        png_bytes: bytes,
        caption: str | None = None,
        chat_id: int | None = None,
        token: str | None = None,
    ) -> dict[str, Any]:
        sizes = self.world.store_photo(png_bytes)
        content = {"photo": sizes, "caption": caption,
                   "caption_entities": detect_entities(caption) if caption else None}
        return self._user_message(user_id, chat_id, content, None, token)

    async def send_document(
        self,
        user_id: int,
        data: bytes,
        file_name: str = "document.bin",
        mime_type: str | None = None,
        caption: str | None = None,
        chat_id: int | None = None,
        token: str | None = None,
    ) -> dict[str, Any]:
        ext = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        f = self.world.store_file(data, "document", ext=ext, mime_type=mime_type, file_name=file_name)
        doc = {"file_id": f.file_id, "file_unique_id": f.file_unique_id, "file_size": len(data),
               "file_name": file_name}
        if mime_type:
            doc["mime_type"] = mime_type
        content = {"document": doc, "caption": caption,
                   "caption_entities": detect_entities(caption) if caption else None}
        return self._user_message(user_id, chat_id, content, None, token)

    async def edit_text(self, user_id: int, message_id: int, text: str, chat_id: int | None = None,
                        token: str | None = None) -> dict[str, Any]:
        """The user edits one of their text messages: an ``edited_message`` update."""
        bot = self._bot_for(token)
        chat = self._user_chat(user_id, chat_id)
        sm = self.world.get_message(chat["id"], message_id)
        if sm is None or sm.from_bot or sm.message["from"]["id"] != int(user_id) or "text" not in sm.message:
            raise LookupError(f"user {user_id} has no text message {message_id} in chat {chat['id']}")
        sm.message["text"] = text
        sm.message["entities"] = detect_entities(text)
        if not sm.message["entities"]:
            del sm.message["entities"]
        sm.message["edit_date"] = now_ts()
        sm.edit_count += 1
        self._publish({"type": "edit", "chat_id": chat["id"], "message": sm.view()})
        return self._enqueue(bot, "edited_message", copy.deepcopy(sm.message))

    async def click(
        self,
        user_id: int,
        message_id: int,
        callback_data: str,
        chat_id: int | None = None,
        token: str | None = None,
        forged: bool = False,
    ) -> dict[str, Any]:
        """The user presses an inline button: a ``callback_query`` update; the answer is tracked in callbacks.
        ``forged``: any ``callback_data`` on that message, as a modified client can send."""
        user = self._user(user_id)
        chat = self._user_chat(user_id, chat_id)
        sm = self.world.get_message(chat["id"], message_id)
        if sm is None or not sm.from_bot:
            raise LookupError(f"no bot message {message_id} in chat {chat['id']}")
        bot = self._bot_for(token if token is not None else sm.bot_token)
        buttons = inline_buttons(sm.message.get("reply_markup"))
        if not forged and not any(b.get("callback_data") == callback_data for b in buttons):
            available = [b.get("callback_data") for b in buttons if "callback_data" in b]
            raise LookupError(f"message {message_id} has no button with callback_data={callback_data!r}; "
                              f"available: {available}")
        query_id = self.world.next_callback_id()
        self.world.callbacks[query_id] = CallbackState(
            query_id, bot.token, int(user_id), chat["id"], sm.message_id, callback_data, time.monotonic()
        )
        payload = {
            "id": query_id,
            "from": copy.deepcopy(user),
            "message": copy.deepcopy(sm.message),
            # Stable per chat, as in Telegram (it identifies the chat for games/high scores).
            "chat_instance": str(abs(hash(("chat_instance", chat["id"]))) % 10**19),
            "data": callback_data,
        }
        return self._enqueue(bot, "callback_query", payload)

    def callback_answered(self, query_id: str) -> bool:
        cb = self.world.callbacks.get(str(query_id))
        return bool(cb and cb.answered)

    async def answer_poll(self, user_id: int, poll_id: str, option_ids: list[int] | int) -> dict[str, Any]:
        """The user votes (an empty list retracts). Produces ``poll_answer`` (non-anonymous) and ``poll``."""
        user = self._user(user_id)
        state = self.world.polls.get(str(poll_id))
        if state is None:
            raise LookupError(f"unknown poll {poll_id}")
        poll = state.poll
        if poll["is_closed"]:
            raise ValueError("the poll is closed")
        ids = [option_ids] if isinstance(option_ids, int) else list(option_ids)
        if any(not 0 <= i < len(poll["options"]) for i in ids):
            raise ValueError(f"option ids {ids} out of range")
        if len(ids) > 1 and not poll["allows_multiple_answers"]:
            raise ValueError("this poll allows one answer only")
        uid = int(user_id)
        if uid in state.votes and not poll["allows_revoting"]:
            raise ValueError("quiz answers can't be changed")
        for i in state.votes.pop(uid, []):
            poll["options"][i]["voter_count"] -= 1
        if ids:
            state.votes[uid] = ids
            for i in ids:
                poll["options"][i]["voter_count"] += 1
        poll["total_voter_count"] = len(state.votes)
        sm = self.world.get_message(state.chat_id, state.message_id)
        if sm is not None:
            sm.message["poll"] = copy.deepcopy(poll)
            self._publish({"type": "edit", "chat_id": sm.chat_id, "message": sm.view()})
        bot = self._bot_for(state.token)
        result = None
        if not poll["is_anonymous"]:
            answer = {
                "poll_id": poll["id"],
                "user": copy.deepcopy(user),
                "option_ids": ids,
                "option_persistent_ids": [poll["options"][i]["persistent_id"] for i in ids],
            }
            result = self._enqueue(bot, "poll_answer", answer)
        poll_update = self._enqueue(bot, "poll", copy.deepcopy(poll))
        return result or poll_update

    # ------------------------------------------------------------------------------------ chat inspection

    def chat_messages(self, chat_id: int, include_deleted: bool = False) -> list[dict[str, Any]]:
        """Current state of a chat, both sides, oldest first; see StoredMessage.view() for the fields."""
        stored = self.world.messages.get(int(chat_id), {})
        return [sm.view() for _, sm in sorted(stored.items()) if include_deleted or not sm.deleted]

    def topics(self, chat_id: int) -> dict[int, dict[str, Any]]:
        """The topics of a forum supergroup: {message_thread_id: {"name", "icon_color", ...}}."""
        return copy.deepcopy(self.world.topics.get(int(chat_id), {}))

    def reply_keyboard(self, chat_id: int) -> tuple[int, dict[str, Any]] | None:
        """The reply keyboard currently shown in a chat as (message_id, markup), if any."""
        return self.world.reply_keyboards.get(int(chat_id))

    def hide_reply_keyboard(self, chat_id: int) -> None:
        """What a client does after a one_time_keyboard button was pressed."""
        self.world.reply_keyboards.pop(int(chat_id), None)


def _sender_key(update: dict[str, Any]) -> Any:
    """Whose update it is (Telegram keeps each user's updates in order): the sender, else the chat."""
    for value in update.values():
        if isinstance(value, dict):
            sender = value.get("from") or value.get("user")
            if isinstance(sender, dict) and "id" in sender:
                return ("user", sender["id"])
            chat = value.get("chat")
            if isinstance(chat, dict) and "id" in chat:
                return ("chat", chat["id"])
    return ("update", update.get("update_id"))
