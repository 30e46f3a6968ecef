"""In-memory world of the emulator: bots, users, chats, messages, files, polls, callback queries.

Plain dataclasses with no I/O, so the HTTP layer (emulator.py) and the method handlers (methods.py) share one
model and tests can inspect it directly.
"""

from __future__ import annotations

import copy
import hashlib
import io
import itertools
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from core.sandbox.validation import entities_to_html, keyboard_labels

# Update types a bot gets when it never set allowed_updates (Telegram's documented default).
DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


@dataclass
class RecordedRequest:
    method: str
    token: str
    params: dict[str, Any]
    time: float  # time.monotonic() when the request arrived
    ok: bool
    error_code: int | None = None
    description: str | None = None
    result: Any = None


@dataclass
class BotState:
    token: str
    user: dict[str, Any]
    pending: list[dict[str, Any]] = field(default_factory=list)  # unconfirmed updates, ascending update_id
    allowed_updates: list[str] | None = None
    webhook: dict[str, Any] | None = None
    webhook_error: tuple[int, str] | None = None
    commands: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    menu_buttons: dict[int | None, dict[str, Any]] = field(default_factory=dict)
    properties: dict[str, Any] = field(default_factory=dict)  # description, short_description, name
    poll_generation: int = 0  # bumped by each getUpdates; an older waiting poller then gets 409
    dropped_updates: int = 0  # updates filtered out by allowed_updates or privacy mode

    @property
    def id(self) -> int:
        return int(self.user["id"])

    def wants(self, update_type: str) -> bool:
        if self.allowed_updates:
            return update_type in self.allowed_updates
        return update_type not in DEFAULT_EXCLUDED_UPDATES


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: str  # "photo" | "document"
    data: bytes
    file_path: str
    mime_type: str | None = None
    file_name: str | None = None
    width: int | None = None
    height: int | None = None
    photo_sizes: list[dict[str, Any]] | None = None  # the whole PhotoSize set this size belongs to

    def as_file(self) -> dict[str, Any]:
        return {"file_id": self.file_id, "file_unique_id": self.file_unique_id, "file_size": len(self.data),
                "file_path": self.file_path}


@dataclass
class StoredMessage:
    chat_id: int
    message: dict[str, Any]  # the Bot API Message in its current state
    from_bot: bool
    bot_token: str | None = None
    keyboard: dict[str, Any] | None = None  # the reply_markup as sent, including reply keyboards
    edit_count: int = 0
    deleted: bool = False

    @property
    def message_id(self) -> int:
        return int(self.message["message_id"])

    def view(self) -> dict[str, Any]:
        """A flat, stable description for tests, scripted users and the demo page."""
        m = self.message
        text = m.get("text")
        caption = m.get("caption")
        entities = m.get("entities") if text is not None else m.get("caption_entities")
        photo = m.get("photo")
        return {
            "message_id": self.message_id,
            "chat_id": self.chat_id,
            "from_bot": self.from_bot,
            "from": m.get("from"),
            "date": m.get("date"),
            "text": text,
            "caption": caption,
            "entities": entities or [],
            "html": entities_to_html(text if text is not None else caption or "", entities),
            "photo_file_id": photo[-1]["file_id"] if photo else None,
            "document": m.get("document"),
            "poll": m.get("poll"),
            "contact": m.get("contact"),
            "reply_markup": self.keyboard,
            "buttons": keyboard_labels(self.keyboard),
            "reply_to_message_id": (m.get("reply_to_message") or {}).get("message_id"),
            "thread_id": m.get("message_thread_id"),
            "edit_count": self.edit_count,
            "deleted": self.deleted,
            "raw": copy.deepcopy(m),
        }


@dataclass
class PollState:
    poll: dict[str, Any]
    chat_id: int
    message_id: int
    token: str
    votes: dict[int, list[int]] = field(default_factory=dict)


@dataclass
class CallbackState:
    id: str
    token: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    created: float
    answered: bool = False
    answer: dict[str, Any] | None = None


class World:
    """Everything the emulator knows. IDs are deterministic per instance to keep test output readable."""

    def __init__(self) -> None:
        self.bots: dict[str, BotState] = {}
        self.users: dict[int, dict[str, Any]] = {}
        self.chats: dict[int, dict[str, Any]] = {}
        self.members: dict[int, set[int]] = {}  # group chat id -> member user ids (bots included)
        self.admins: dict[int, set[int]] = {}
        self.owners: dict[int, int] = {}
        self.left_bots: dict[int, set[int]] = {}  # group chat id -> ids of bots that left it
        self.messages: dict[int, dict[int, StoredMessage]] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.polls: dict[str, PollState] = {}
        self.callbacks: dict[str, CallbackState] = {}
        self.reply_keyboards: dict[int, tuple[int, dict[str, Any]]] = {}  # chat -> (message_id, keyboard)
        # Forum supergroups: chat id -> {message_thread_id: topic}; the thread id is the id of the
        # topic's "forum_topic_created" service message, as in Telegram.
        self.topics: dict[int, dict[int, dict[str, Any]]] = {}
        self._update_ids = itertools.count(1)
        self._user_ids = itertools.count(100_000_001)
        self._group_ids = itertools.count(4_000_000_001)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._file_seq = itertools.count(1)
        self._callback_seq = itertools.count(1)
        self._poll_seq = itertools.count(1)

    # ------------------------------------------------------------------------------------------ counters

    def next_update_id(self) -> int:
        return next(self._update_ids)

    def next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def next_callback_id(self) -> str:
        # Telegram's ids are opaque decimal strings.
        return str(4_400_000_000_000_000_000 + next(self._callback_seq))

    def next_poll_id(self) -> str:
        return str(5_300_000_000_000_000_000 + next(self._poll_seq))

    # ------------------------------------------------------------------------------------ users & chats

    def add_user(
        self,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "ru",
        user_id: int | None = None,
    ) -> dict[str, Any]:
        uid = int(user_id) if user_id is not None else next(self._user_ids)
        user: dict[str, Any] = {"id": uid, "is_bot": False, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        self.users[uid] = user
        chat: dict[str, Any] = {"id": uid, "type": "private", "first_name": first_name}
        if last_name:
            chat["last_name"] = last_name
        if username:
            chat["username"] = username
        self.chats[uid] = chat
        return user

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
        if forum and not supergroup:
            raise ValueError("only a supergroup can have topics (forum=True needs supergroup=True)")
        n = next(self._group_ids)
        chat_id = -(1_000_000_000_000 + n) if supergroup else -n
        chat: dict[str, Any] = {"id": chat_id, "type": "supergroup" if supergroup else "group", "title": title}
        if username:
            chat["username"] = username
        if forum:
            chat["is_forum"] = True
            self.topics[chat_id] = {}
        self.chats[chat_id] = chat
        # Bots are not listed: every bot counts as a member until it calls leaveChat (see left_bots), because
        # adding the bot is the point of creating a test group and bots may register after the group exists.
        members = {int(m) for m in member_ids}
        self.members[chat_id] = members
        self.admins[chat_id] = {int(a) for a in admin_ids}
        owner = owner_id if owner_id is not None else (int(member_ids[0]) if member_ids else None)
        if owner is not None:
            self.owners[chat_id] = int(owner)
            members.add(int(owner))
        return chat

    def chat_by_ref(self, ref: Any) -> dict[str, Any] | None:
        if isinstance(ref, int):
            return self.chats.get(ref)
        if isinstance(ref, str) and ref.startswith("@"):
            name = ref[1:].lower()
            for chat in self.chats.values():
                if chat["type"] != "private" and chat.get("username", "").lower() == name:
                    return chat
        return None

    # ------------------------------------------------------------------------------------------ messages

    def store_message(self, sm: StoredMessage) -> StoredMessage:
        self.messages.setdefault(sm.chat_id, {})[sm.message_id] = sm
        return sm

    def get_message(self, chat_id: int, message_id: Any) -> StoredMessage | None:
        try:
            mid = int(message_id)
        except (TypeError, ValueError):
            return None
        sm = self.messages.get(chat_id, {}).get(mid)
        if sm is None or sm.deleted:
            return None
        return sm

    # --------------------------------------------------------------------------------------------- files

    def store_file(
        self,
        data: bytes,
        kind: str,
        *,
        ext: str,
        mime_type: str | None = None,
        file_name: str | None = None,
        width: int | None = None,
        height: int | None = None,
    ) -> StoredFile:
        seq = next(self._file_seq)
        prefix = {"photo": "AgACAgIAAxk", "document": "BQACAgIAAxk"}.get(kind, "CAACAgIAAxk")
        file_id = f"{prefix}{seq:06d}{secrets.token_urlsafe(18)}"
        # Telegram's file_unique_id is stable for the same content; a content hash gives the same property.
        unique = "AQAD" + hashlib.sha256(data + kind.encode()).hexdigest()[:12]
        folder = "photos" if kind == "photo" else "documents"
        path = f"{folder}/file_{seq}.{ext}"
        f = StoredFile(file_id, unique, kind, data, path, mime_type, file_name, width, height)
        self.files[file_id] = f
        self.files_by_path[path] = f
        return f

    def store_photo(self, data: bytes) -> list[dict[str, Any]]:
        """Store an image and its thumbnails; returns the PhotoSize list, largest last (like Telegram).

        Raises ValueError when the bytes are not an image Pillow can read.
        """
        from PIL import Image  # imported lazily: only photo paths need Pillow

        try:
            with Image.open(io.BytesIO(data)) as img:
                img.load()
                width, height = img.size
                thumbs: list[tuple[bytes, int, int]] = []
                for side in (90, 320, 800):
                    if max(width, height) > side:
                        t = img.convert("RGB")
                        t.thumbnail((side, side))
                        buf = io.BytesIO()
                        t.save(buf, "JPEG", quality=80)
                        thumbs.append((buf.getvalue(), t.width, t.height))
                fmt = (img.format or "jpeg").lower()
        except Exception as exc:  # noqa: BLE001 - any decoder failure means "not an image" to Telegram
            raise ValueError("not an image") from exc
        sizes: list[dict[str, Any]] = []
        stored: list[StoredFile] = []
        for blob, w, h in thumbs:
            f = self.store_file(blob, "photo", ext="jpg", mime_type="image/jpeg", width=w, height=h)
            stored.append(f)
        # The largest size keeps the original bytes so a round trip through getFile returns what was sent.
        original = self.store_file(data, "photo", ext=fmt, mime_type=f"image/{fmt}", width=width, height=height)
        stored.append(original)
        for f in stored:
            sizes.append({"file_id": f.file_id, "file_unique_id": f.file_unique_id, "file_size": len(f.data),
                          "width": f.width, "height": f.height})
        for f in stored:
            f.photo_sizes = sizes
        return sizes


def now_ts() -> int:
    return int(time.time())
