"""Bot API method handlers of the emulator (the bot's side of the wire).

Each handler takes the calling bot, the decoded parameters and the uploaded files, and returns the ``result``
value or raises ApiError. Error texts are Telegram's own so aiogram raises the same exception classes with the
same messages as in production.
"""

from __future__ import annotations

import copy
import json
import re
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from core.sandbox.errors import ApiError, bad_request, forbidden
from core.sandbox.state import BotState, PollState, StoredMessage, World, now_ts
from core.sandbox.validation import parse_reply_markup, parse_text

if TYPE_CHECKING:
    from core.sandbox.emulator import Upload

Handler = Callable[..., Awaitable[Any]]

# lower-case name -> (canonical name, handler attribute)
API_METHODS: dict[str, tuple[str, str]] = {}


def api(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        API_METHODS[name.lower()] = (name, fn.__name__)
        return fn

    return register


CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
        "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
    }
)
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_FILE_ERROR = "wrong file identifier/HTTP URL specified"
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same as a current "
    "content and reply markup of the message"
)


class BotApiMethods:
    world: World

    # Provided by the emulator.
    def _publish(self, event: dict[str, Any]) -> None: ...  # pragma: no cover
    def _enqueue(self, bot: BotState, update_type: str, payload: dict[str, Any]) -> dict[str, Any]: ...
    def _notify(self) -> None: ...  # pragma: no cover
    def _confirm(self, bot: BotState, offset: int | None) -> None: ...  # pragma: no cover
    async def _wait_for_updates(self, bot: BotState, timeout: float, generation: int) -> None: ...
    def _ensure_webhook_task(self, bot: BotState) -> None: ...  # pragma: no cover

    # ------------------------------------------------------------------------------------------ helpers

    def _chat(self, bot: BotState, p: dict[str, Any], key: str = "chat_id") -> dict[str, Any]:
        ref = p.get(key)
        if ref is None or ref == "":
            raise bad_request(f"{key} is empty" if key == "chat_id" else "chat not found")
        chat = self.world.chat_by_ref(ref)
        if chat is None:
            raise bad_request("chat not found")
        if chat["type"] != "private" and bot.id in self.world.left_bots.get(chat["id"], set()):
            raise forbidden("bot is not a member of the group chat")
        return chat

    def _message_id(self, p: dict[str, Any], key: str = "message_id") -> int | None:
        value = p.get(key)
        if value is None:
            return None
        if not isinstance(value, int):
            raise bad_request(f"invalid {key} specified")
        return value

    def _reply_target(self, chat: dict[str, Any], p: dict[str, Any]) -> StoredMessage | None:
        rp = p.get("reply_parameters") or {}
        mid = rp.get("message_id") if isinstance(rp, dict) else None
        if mid is None:
            mid = p.get("reply_to_message_id")
        if mid is None:
            return None
        target_chat = chat["id"]
        if isinstance(rp, dict) and rp.get("chat_id") is not None:
            other = self.world.chat_by_ref(rp["chat_id"])
            target_chat = other["id"] if other else target_chat
        sm = self.world.get_message(target_chat, mid)
        allow = p.get("allow_sending_without_reply") or (isinstance(rp, dict) and rp.get("allow_sending_without_reply"))
        if sm is None and not allow:
            raise bad_request("message to be replied not found")
        return sm

    def _new_bot_message(
        self,
        bot: BotState,
        chat: dict[str, Any],
        content: dict[str, Any],
        p: dict[str, Any],
        markup: dict[str, Any] | None = None,
        reply_to: StoredMessage | None = None,
    ) -> StoredMessage:
        chat_id = chat["id"]
        thread = self._thread(chat, p)
        message: dict[str, Any] = {
            "message_id": self.world.next_message_id(chat_id),
            "from": copy.deepcopy(bot.user),
            "chat": copy.deepcopy(chat),
            "date": now_ts(),
        }
        if thread is not None:
            message["message_thread_id"] = thread
            message["is_topic_message"] = True
            if reply_to is None:  # as in Telegram: a topic message replies to the topic's creation
                reply_to = self.world.get_message(chat_id, thread)
        if reply_to is not None:
            inner = copy.deepcopy(reply_to.message)
            inner.pop("reply_to_message", None)
            message["reply_to_message"] = inner
        for key, value in content.items():
            # Telegram omits empty optional fields (no "entities": []).
            if value not in (None, [], ""):
                message[key] = value
        if p.get("has_spoiler"):
            message["has_media_spoiler"] = True
        if p.get("protect_content"):
            message["has_protected_content"] = True
        # Only inline keyboards are part of the Message object; reply keyboards live on the client.
        if markup and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        sm = self.world.store_message(
            StoredMessage(chat_id, message, from_bot=True, bot_token=bot.token, keyboard=markup)
        )
        if markup and "keyboard" in markup:
            self.world.reply_keyboards[chat_id] = (sm.message_id, markup)
        elif markup and "remove_keyboard" in markup:
            self.world.reply_keyboards.pop(chat_id, None)
        self._publish({"type": "message", "chat_id": chat_id, "message": sm.view()})
        return sm

    def _thread(self, chat: dict[str, Any], p: dict[str, Any]) -> int | None:
        """``message_thread_id`` of a send: only in a forum supergroup, only an existing topic."""
        thread = p.get("message_thread_id")
        if thread is None:
            return None
        if not isinstance(thread, int):
            raise bad_request("invalid message_thread_id specified")
        if not chat.get("is_forum"):
            return None  # Telegram ignores a thread id outside forums
        if thread not in self.world.topics.get(chat["id"], {}):
            raise bad_request("message thread not found")
        return thread

    def _editable(self, bot: BotState, p: dict[str, Any]) -> StoredMessage:
        if p.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        chat = self._chat(bot, p)
        mid = self._message_id(p)
        sm = self.world.get_message(chat["id"], mid) if mid is not None else None
        if sm is None:
            raise bad_request("message to edit not found")
        if not sm.from_bot or sm.bot_token != bot.token:
            raise bad_request("message can't be edited")
        return sm

    def _apply_edit(self, sm: StoredMessage, changes: dict[str, Any], markup: dict[str, Any] | None) -> None:
        for key, value in changes.items():
            if value in (None, [], ""):
                sm.message.pop(key, None)
            else:
                sm.message[key] = value
        if markup and "inline_keyboard" in markup:
            sm.message["reply_markup"] = markup
        else:
            # Telegram drops the inline keyboard when an edit does not repeat it.
            sm.message.pop("reply_markup", None)
        sm.keyboard = markup
        sm.message["edit_date"] = now_ts()
        sm.edit_count += 1
        self._publish({"type": "edit", "chat_id": sm.chat_id, "message": sm.view()})

    def _input_file(self, p: dict[str, Any], files: dict[str, Upload], key: str) -> Any:
        """Resolve a file parameter: an upload (``attach://x`` or a part named like the field) or a file_id."""
        value = p.get(key)
        if isinstance(value, str) and value.startswith("attach://"):
            upload = files.get(value[len("attach://") :])
            if upload is None:
                raise bad_request(f"{key} must be an uploaded file: attached file not found")
            return upload
        if value is None and key in files:
            return files[key]
        if not value:
            raise bad_request(f"there is no {key} in the request")
        if not isinstance(value, str):
            raise bad_request(_FILE_ERROR)
        if value.startswith(("http://", "https://")):
            # The sandbox has no internet; Telegram answers this when it cannot fetch the URL.
            raise bad_request(_FILE_ERROR)
        stored = self.world.files.get(value)
        if stored is None:
            raise bad_request(_FILE_ERROR)
        return stored

    def _caption(self, p: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        return parse_text(p.get("caption"), p.get("parse_mode"), p.get("caption_entities"), caption=True)

    def _photo_sizes(self, source: Any) -> list[dict[str, Any]]:
        from core.sandbox.emulator import Upload

        if isinstance(source, Upload):
            if not source.data:
                raise bad_request("file must be non-empty")
            try:
                sizes = self.world.store_photo(source.data)
            except ValueError:
                raise bad_request("IMAGE_PROCESS_FAILED") from None
            w, h = sizes[-1]["width"], sizes[-1]["height"]
            if w + h > 10000 or max(w, h) > 20 * min(w, h):
                raise bad_request("PHOTO_INVALID_DIMENSIONS")
            return sizes
        if source.kind != "photo" or not source.photo_sizes:
            raise bad_request(f"can't use file of type {source.kind.capitalize()} as Photo")
        return copy.deepcopy(source.photo_sizes)

    def _document(self, source: Any) -> dict[str, Any]:
        from core.sandbox.emulator import Upload

        if isinstance(source, Upload):
            if not source.data:
                raise bad_request("file must be non-empty")
            name = source.filename or "document"
            ext = name.rsplit(".", 1)[-1] if "." in name else "bin"
            f = self.world.store_file(
                source.data, "document", ext=ext, mime_type=source.content_type, file_name=name
            )
        else:
            f = source
            if f.kind != "document":
                raise bad_request(f"can't use file of type {f.kind.capitalize()} as Document")
        doc: dict[str, Any] = {"file_id": f.file_id, "file_unique_id": f.file_unique_id, "file_size": len(f.data)}
        if f.file_name:
            doc["file_name"] = f.file_name
        if f.mime_type:
            doc["mime_type"] = f.mime_type
        return doc

    # ------------------------------------------------------------------------------------------- identity

    @api("getMe")
    async def api_get_me(self, bot: BotState, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        return copy.deepcopy(bot.user)

    @api("logOut")
    async def api_log_out(self, bot: BotState, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        return True

    @api("close")
    async def api_close(self, bot: BotState, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        return True

    # -------------------------------------------------------------------------------------------- updates

    @api("getUpdates")
    async def api_get_updates(self, bot: BotState, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        if bot.webhook:
            raise ApiError(
                409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
                "the webhook first"
            )
        limit = p.get("limit", 100)
        limit = 100 if not isinstance(limit, int) else min(max(limit, 1), 100)
        timeout = p.get("timeout", 0)
        timeout = max(float(timeout), 0.0) if isinstance(timeout, (int, float)) else 0.0
        if "allowed_updates" in p and p["allowed_updates"] is not None:
            # Remembered across calls, like Telegram; an empty list means "all default types".
            bot.allowed_updates = list(p["allowed_updates"]) or None
        self._confirm(bot, p.get("offset"))
        bot.poll_generation += 1
        generation = bot.poll_generation
        self._notify()  # wakes an older poller so it can fail with 409
        await self._wait_for_updates(bot, timeout, generation)
        return copy.deepcopy(bot.pending[:limit])

    @api("setWebhook")
    async def api_set_webhook(self, bot: BotState, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        url = p.get("url") or ""
        if not url:
            bot.webhook = None
            self._notify()
            return True
        if not re.match(r"^https?://[^\s/]+", url):
            raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
        secret = p.get("secret_token")
        if secret is not None and not _SECRET_RE.match(str(secret)):
            raise bad_request("secret token contains unallowed characters")
        max_conn = p.get("max_connections", 40)
        if not isinstance(max_conn, int) or not 1 <= max_conn <= 100:
            raise bad_request("bad webhook: max_connections must be between 1 and 100")
        if p.get("drop_pending_updates"):
            bot.pending.clear()
        if p.get("allowed_updates") is not None:
            bot.allowed_updates = list(p["allowed_updates"]) or None
        bot.webhook = {"url": url, "secret_token": secret, "max_connections": max_conn}
        bot.webhook_error = None
        self._notify()
        self._ensure_webhook_task(bot)
        return True

    @api("deleteWebhook")
    async def api_delete_webhook(self, bot: BotState, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        bot.webhook = None
        if p.get("drop_pending_updates"):
            bot.pending.clear()
        self._notify()
        return True

    @api("getWebhookInfo")
    async def api_get_webhook_info(self, bot: BotState, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        info: dict[str, Any] = {
            "url": bot.webhook["url"] if bot.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(bot.pending),
        }
        if bot.webhook:
            info["max_connections"] = bot.webhook["max_connections"]
            info["ip_address"] = "127.0.0.1"
            if bot.allowed_updates:
                info["allowed_updates"] = bot.allowed_updates
        if bot.webhook_error:
            info["last_error_date"], info["last_error_message"] = bot.webhook_error
        return info

    # ------------------------------------------------------------------------------------------- commands

    @staticmethod
    def _scope_key(p: dict[str, Any]) -> tuple[str, str]:
        scope = p.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(p.get("language_code") or "")

    @api("setMyCommands")
    async def api_set_my_commands(self, bot: BotState, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        commands = p.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands")
        for c in commands:
            if not isinstance(c, dict) or not _COMMAND_RE.match(str(c.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(c.get("description", ""))) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        bot.commands[self._scope_key(p)] = [{"command": c["command"], "description": c["description"]}
                                            for c in commands]
        return True

    @api("getMyCommands")
    async def api_get_my_commands(self, bot: BotState, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        return copy.deepcopy(bot.commands.get(self._scope_key(p), []))

    @api("deleteMyCommands")
    async def api_delete_my_commands(self, bot: BotState, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        bot.commands.pop(self._scope_key(p), None)
        return True

    @api("setChatMenuButton")
    async def api_set_chat_menu_button(self, bot: BotState, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        chat_id = p.get("chat_id")
        if chat_id is not None:
            chat_id = self._chat(bot, p)["id"]
        button = p.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in ("default", "commands", "web_app"):
            raise bad_request("can't parse menu button JSON object")
        bot.menu_buttons[chat_id] = button
        return True

    @api("getChatMenuButton")
    async def api_get_chat_menu_button(self, bot: BotState, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        chat_id = p.get("chat_id")
        return copy.deepcopy(bot.menu_buttons.get(chat_id) or bot.menu_buttons.get(None) or {"type": "default"})

    @api("setMyDescription")
    async def api_set_my_description(self, bot: BotState, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        bot.properties["description"] = p.get("description") or ""
        return True

    @api("setMyShortDescription")
    async def api_set_my_short_description(
        self, bot: BotState, p: dict[str, Any], files: dict[str, Upload]
    ) -> Any:
        bot.properties["short_description"] = p.get("short_description") or ""
        return True

    @api("setMyName")
    async def api_set_my_name(self, bot: BotState, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        bot.properties["name"] = p.get("name") or ""
        return True

    # ------------------------------------------------------------------------------------------- sending

    @api("sendMessage")
    async def api_send_message(self, bot: BotState, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        chat = self._chat(bot, p)
        text, entities = parse_text(p.get("text"), p.get("parse_mode"), p.get("entities"))
        markup = parse_reply_markup(p.get("reply_markup"))
        reply_to = self._reply_target(chat, p)
        sm = self._new_bot_message(bot, chat, {"text": text, "entities": entities}, p, markup, reply_to)
        return copy.deepcopy(sm.message)

    @api("sendPhoto")
    async def api_send_photo(self, bot: BotState, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        chat = self._chat(bot, p)
        caption, entities = self._caption(p)
        markup = parse_reply_markup(p.get("reply_markup"))
        reply_to = self._reply_target(chat, p)
        sizes = self._photo_sizes(self._input_file(p, files, "photo"))
        content = {"photo": sizes, "caption": caption, "caption_entities": entities}
        sm = self._new_bot_message(bot, chat, content, p, markup, reply_to)
        return copy.deepcopy(sm.message)

    @api("sendDocument")
    async def api_send_document(self, bot: BotState, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        chat = self._chat(bot, p)
        caption, entities = self._caption(p)
        markup = parse_reply_markup(p.get("reply_markup"))
        reply_to = self._reply_target(chat, p)
        doc = self._document(self._input_file(p, files, "document"))
        content = {"document": doc, "caption": caption, "caption_entities": entities}
        sm = self._new_bot_message(bot, chat, content, p, markup, reply_to)
        return copy.deepcopy(sm.message)

    @api("sendMediaGroup")
    async def api_send_media_group(self, bot: BotState, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        chat = self._chat(bot, p)
        media = p.get("media")
        if not isinstance(media, list):
            raise bad_request("can't parse media JSON object")
        if not 2 <= len(media) <= 10:
            raise bad_request("wrong number of media: must include 2-10 items")
        reply_to = self._reply_target(chat, p)
        # Validate and store everything before sending anything: Telegram sends an album atomically.
        contents = []
        for item in media:
            if not isinstance(item, dict) or item.get("type") not in ("photo", "document"):
                raise bad_request("unsupported media type in the sandbox (photo and document only)")
            caption, entities = parse_text(
                item.get("caption"), item.get("parse_mode"), item.get("caption_entities"), caption=True
            )
            source = self._input_file(item, files, "media")
            if item["type"] == "photo":
                body: dict[str, Any] = {"photo": self._photo_sizes(source)}
            else:
                body = {"document": self._document(source)}
            contents.append({**body, "caption": caption, "caption_entities": entities})
        group_id = str(int(time.time() * 1000))
        result = []
        for content in contents:
            sm = self._new_bot_message(bot, chat, {**content, "media_group_id": group_id}, p, None, reply_to)
            result.append(copy.deepcopy(sm.message))
        return result

    @api("forwardMessage")
    async def api_forward_message(self, bot: BotState, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        chat = self._chat(bot, p)
        source_chat = self._chat(bot, p, "from_chat_id")
        src = self.world.get_message(source_chat["id"], p.get("message_id"))
        if src is None:
            raise bad_request("message to forward not found")
        content = self._copy_content(src)
        sender = src.message.get("from") or {}
        content["forward_origin"] = {"type": "user", "sender_user": copy.deepcopy(sender),
                                     "date": src.message["date"]}
        sm = self._new_bot_message(bot, chat, content, p)
        return copy.deepcopy(sm.message)

    @api("copyMessage")
    async def api_copy_message(self, bot: BotState, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        chat = self._chat(bot, p)
        source_chat = self._chat(bot, p, "from_chat_id")
        src = self.world.get_message(source_chat["id"], p.get("message_id"))
        if src is None:
            raise bad_request("message to copy not found")
        content = self._copy_content(src)
        if "caption" in p and "text" not in content:
            # A new caption replaces the original one; text messages have none, so it is ignored there.
            content["caption"], content["caption_entities"] = self._caption(p)
        markup = parse_reply_markup(p.get("reply_markup"))
        reply_to = self._reply_target(chat, p)
        sm = self._new_bot_message(bot, chat, content, p, markup, reply_to)
        return {"message_id": sm.message_id}

    @staticmethod
    def _copy_content(src: StoredMessage) -> dict[str, Any]:
        keys = ("text", "entities", "caption", "caption_entities", "photo", "document", "contact", "poll")
        return {k: copy.deepcopy(src.message[k]) for k in keys if k in src.message}

    @api("sendChatAction")
    async def api_send_chat_action(self, bot: BotState, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        chat = self._chat(bot, p)
        action = p.get("action")
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self._publish({"type": "chat_action", "chat_id": chat["id"], "action": action})
        return True

    # ------------------------------------------------------------------------------------------- editing

    @api("editMessageText")
    async def api_edit_message_text(self, bot: BotState, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        sm = self._editable(bot, p)
        if "text" not in sm.message:
            raise bad_request("there is no text in the message to edit")
        text, entities = parse_text(p.get("text"), p.get("parse_mode"), p.get("entities"))
        markup = parse_reply_markup(p.get("reply_markup"))
        self._reject_reply_keyboard(markup)
        if (
            text == sm.message.get("text")
            and entities == sm.message.get("entities", [])
            and markup == sm.message.get("reply_markup")
        ):
            raise bad_request(_NOT_MODIFIED)
        self._apply_edit(sm, {"text": text, "entities": entities}, markup)
        return copy.deepcopy(sm.message)

    @api("editMessageCaption")
    async def api_edit_message_caption(self, bot: BotState, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        sm = self._editable(bot, p)
        if "text" in sm.message or not any(k in sm.message for k in ("photo", "document")):
            raise bad_request("there is no caption in the message to edit")
        caption, entities = self._caption(p)
        markup = parse_reply_markup(p.get("reply_markup"))
        self._reject_reply_keyboard(markup)
        if (
            caption == sm.message.get("caption", "")
            and entities == sm.message.get("caption_entities", [])
            and markup == sm.message.get("reply_markup")
        ):
            raise bad_request(_NOT_MODIFIED)
        self._apply_edit(sm, {"caption": caption, "caption_entities": entities}, markup)
        return copy.deepcopy(sm.message)

    @api("editMessageReplyMarkup")
    async def api_edit_message_reply_markup(
        self, bot: BotState, p: dict[str, Any], files: dict[str, Upload]
    ) -> Any:
        sm = self._editable(bot, p)
        markup = parse_reply_markup(p.get("reply_markup"))
        self._reject_reply_keyboard(markup)
        if markup == sm.message.get("reply_markup"):
            raise bad_request(_NOT_MODIFIED)
        self._apply_edit(sm, {}, markup)
        return copy.deepcopy(sm.message)

    @staticmethod
    def _reject_reply_keyboard(markup: dict[str, Any] | None) -> None:
        # Edits accept only inline keyboards.
        if markup is not None and "inline_keyboard" not in markup:
            raise bad_request("inline keyboard expected")

    @api("deleteMessage")
    async def api_delete_message(self, bot: BotState, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        chat = self._chat(bot, p)
        sm = self.world.get_message(chat["id"], p.get("message_id"))
        if sm is None:
            raise bad_request("message to delete not found")
        if chat["type"] != "private" and not sm.from_bot and bot.id not in self.world.admins.get(chat["id"], set()):
            raise bad_request("message can't be deleted")
        sm.deleted = True
        if self.world.reply_keyboards.get(chat["id"], (None,))[0] == sm.message_id:
            # The keyboard stays on the client even when its message is deleted (Telegram behaviour).
            pass
        self._publish({"type": "delete", "chat_id": chat["id"], "message_id": sm.message_id,
                       "message": sm.view()})
        return True

    # ------------------------------------------------------------------------------------------ callbacks

    #: Seconds after which answering a callback fails like in Telegram; None disables the check.
    callback_answer_timeout: float | None = None

    @api("answerCallbackQuery")
    async def api_answer_callback_query(self, bot: BotState, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        query_id = str(p.get("callback_query_id") or "")
        cb = self.world.callbacks.get(query_id)
        too_old = bad_request("query is too old and response timeout expired or query ID is invalid")
        if cb is None or cb.token != bot.token or cb.answered:
            raise too_old
        if self.callback_answer_timeout is not None and time.monotonic() - cb.created > self.callback_answer_timeout:
            raise too_old
        text = p.get("text")
        if text is not None and len(str(text)) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        cb.answered = True
        cb.answer = {"text": text, "show_alert": bool(p.get("show_alert")), "url": p.get("url"),
                     "cache_time": p.get("cache_time")}
        self._publish({"type": "callback_answer", "chat_id": cb.chat_id, "callback_query_id": cb.id,
                       "user_id": cb.user_id, "message_id": cb.message_id, **cb.answer})
        return True

    # ---------------------------------------------------------------------------------------------- polls

    @api("sendPoll")
    async def api_send_poll(self, bot: BotState, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        chat = self._chat(bot, p)
        question, q_entities = parse_text(p.get("question"), p.get("question_parse_mode"),
                                          p.get("question_entities"), caption=True)
        if not question:
            raise bad_request("poll question must be non-empty")
        if len(question) > 300:
            raise bad_request("poll question length must not exceed 300")
        raw_options = p.get("options")
        if not isinstance(raw_options, list):
            raise bad_request("can't parse options JSON object")
        if len(raw_options) < 2:
            raise bad_request("poll must have at least 2 option")
        if len(raw_options) > 12:
            raise bad_request("poll can't have more than 12 options")
        options = []
        for n, opt in enumerate(raw_options):
            text = opt.get("text") if isinstance(opt, dict) else opt
            if not isinstance(text, str) or not text.strip():
                raise bad_request("poll options must be non-empty")
            if len(text) > 100:
                raise bad_request("poll options length must not exceed 100")
            options.append({"persistent_id": str(n), "text": text.strip(), "voter_count": 0})
        kind = p.get("type") or "regular"
        if kind not in ("regular", "quiz"):
            raise bad_request("wrong poll type specified")
        poll: dict[str, Any] = {
            "id": self.world.next_poll_id(),
            "question": question,
            "options": options,
            "total_voter_count": 0,
            "is_closed": bool(p.get("is_closed")),
            "is_anonymous": p.get("is_anonymous", True) is not False,
            "type": kind,
            "allows_multiple_answers": bool(p.get("allows_multiple_answers")) and kind == "regular",
            "allows_revoting": kind == "regular",
            "members_only": False,
        }
        if q_entities:
            poll["question_entities"] = q_entities
        if kind == "quiz":
            correct = p.get("correct_option_id")
            if not isinstance(correct, int) or not 0 <= correct < len(options):
                raise bad_request("wrong correct option ID specified")
            poll["correct_option_id"] = correct
            if p.get("explanation"):
                poll["explanation"] = p["explanation"]
        markup = parse_reply_markup(p.get("reply_markup"))
        reply_to = self._reply_target(chat, p)
        sm = self._new_bot_message(bot, chat, {"poll": poll}, p, markup, reply_to)
        self.world.polls[poll["id"]] = PollState(copy.deepcopy(poll), chat["id"], sm.message_id, bot.token)
        return copy.deepcopy(sm.message)

    @api("stopPoll")
    async def api_stop_poll(self, bot: BotState, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        chat = self._chat(bot, p)
        sm = self.world.get_message(chat["id"], p.get("message_id"))
        if sm is None or "poll" not in sm.message:
            raise bad_request("message with poll to stop not found")
        if not sm.from_bot or sm.bot_token != bot.token:
            raise bad_request("message can't be edited")
        state = self.world.polls[sm.message["poll"]["id"]]
        if state.poll["is_closed"]:
            raise bad_request("poll has already been closed")
        state.poll["is_closed"] = True
        markup = parse_reply_markup(p.get("reply_markup"))
        sm.message["poll"] = copy.deepcopy(state.poll)
        if markup and "inline_keyboard" in markup:
            sm.message["reply_markup"] = markup
        else:
            sm.message.pop("reply_markup", None)
        sm.keyboard = markup
        self._publish({"type": "edit", "chat_id": sm.chat_id, "message": sm.view()})
        self._enqueue(bot, "poll", copy.deepcopy(state.poll))
        return copy.deepcopy(state.poll)

    # --------------------------------------------------------------------------------------------- forums

    @api("createForumTopic")
    async def api_create_forum_topic(self, bot: BotState, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        chat = self._chat(bot, p)
        if chat["type"] != "supergroup" or not chat.get("is_forum"):
            raise bad_request("the chat is not a forum")
        name = p.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 128:
            raise bad_request("TOPIC_TITLE_EMPTY" if not name else "topic name is too long")
        color = p.get("icon_color") if isinstance(p.get("icon_color"), int) else 7322096
        topic = {"name": name, "icon_color": color}
        sm = self._new_bot_message(bot, chat, {"forum_topic_created": dict(topic)}, {})
        thread = sm.message_id
        sm.message["message_thread_id"] = thread
        sm.message["is_topic_message"] = True
        self.world.topics.setdefault(chat["id"], {})[thread] = {"message_thread_id": thread, **topic}
        return {"message_thread_id": thread, **topic}

    # ---------------------------------------------------------------------------------------------- chats

    @api("getChat")
    async def api_get_chat(self, bot: BotState, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        chat = copy.deepcopy(self._chat(bot, p))
        chat.update(
            accent_color_id=0,
            max_reaction_count=11,
            accepted_gift_types={"unlimited_gifts": True, "limited_gifts": True, "unique_gifts": True,
                                 "premium_subscription": True, "gifts_from_channels": True},
        )
        return chat

    def _member(self, chat: dict[str, Any], user: dict[str, Any], bot: BotState) -> dict[str, Any]:
        uid = user["id"]
        cid = chat["id"]
        if chat["type"] == "private":
            return {"status": "member", "user": copy.deepcopy(user)}
        if self.world.owners.get(cid) == uid:
            return {"status": "creator", "user": copy.deepcopy(user), "is_anonymous": False}
        if uid in self.world.admins.get(cid, set()):
            flags = dict.fromkeys(
                (
                    "can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
                    "can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories",
                    "can_delete_stories", "can_send_welcome_messages",
                ),
                True,
            )
            return {"status": "administrator", "user": copy.deepcopy(user), "can_be_edited": False,
                    "is_anonymous": False, "can_promote_members": False, **flags}
        is_bot_member = user.get("is_bot") and uid not in self.world.left_bots.get(cid, set())
        if uid in self.world.members.get(cid, set()) or is_bot_member:
            return {"status": "member", "user": copy.deepcopy(user)}
        return {"status": "left", "user": copy.deepcopy(user)}

    def _known_user(self, user_id: Any) -> dict[str, Any] | None:
        if not isinstance(user_id, int):
            return None
        if user_id in self.world.users:
            return self.world.users[user_id]
        for b in self.world.bots.values():
            if b.id == user_id:
                return b.user
        return None

    @api("getChatMember")
    async def api_get_chat_member(self, bot: BotState, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        chat = self._chat(bot, p)
        user = self._known_user(p.get("user_id"))
        if user is None:
            raise bad_request("user not found")
        if chat["type"] == "private" and user["id"] not in (chat["id"], bot.id):
            raise bad_request("user not found")
        return self._member(chat, user, bot)

    @api("getChatAdministrators")
    async def api_get_chat_administrators(
        self, bot: BotState, p: dict[str, Any], files: dict[str, Upload]
    ) -> Any:
        chat = self._chat(bot, p)
        if chat["type"] == "private":
            raise bad_request("there are no administrators in the private chat")
        ids: list[int] = []
        owner = self.world.owners.get(chat["id"])
        if owner is not None:
            ids.append(owner)
        ids += sorted(a for a in self.world.admins.get(chat["id"], set()) if a != owner)
        return [self._member(chat, u, bot) for uid in ids if (u := self._known_user(uid)) is not None]

    @api("getChatMemberCount")
    async def api_get_chat_member_count(self, bot: BotState, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        chat = self._chat(bot, p)
        if chat["type"] == "private":
            return 2
        return len(self.world.members.get(chat["id"], set())) + 1

    @api("leaveChat")
    async def api_leave_chat(self, bot: BotState, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        chat = self._chat(bot, p)
        if chat["type"] == "private":
            raise bad_request("chat member status can't be changed in private chats")
        self.world.left_bots.setdefault(chat["id"], set()).add(bot.id)
        return True

    # ---------------------------------------------------------------------------------------------- files

    @api("getFile")
    async def api_get_file(self, bot: BotState, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        stored = self.world.files.get(str(p.get("file_id") or ""))
        if stored is None:
            raise bad_request("wrong file_id or the file is temporarily unavailable")
        if len(stored.data) > 20 * 1024 * 1024:
            raise bad_request("file is too big")
        return stored.as_file()
