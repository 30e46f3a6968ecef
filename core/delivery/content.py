"""What a message consists of, as JSON the outbox can store and the sender can replay.

``content`` = ``{"text": str | None, "reply_markup": dict | None, "photo": ref | None,
"document": ref | None, "disable_notification": bool}`` (plus ``"message_thread_id"`` for a
forum topic) where a media ref is
``{"file_id": "..."}`` (already on Telegram, or an URL) or ``{"media_id": 7}`` (bytes in
``core_outbox_media``, uploaded by the first send and re-used by ``file_id`` after that).
No aiogram here: keyboards are accepted as aiogram models (anything with ``model_dump``) or dicts.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.delivery.models import OutboxMedia

MAX_TEXT = 4096
MAX_CAPTION = 1024
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class MediaRef:
    """Bytes stored once in ``core_outbox_media``; pass the same ref to many ``enqueue`` calls."""

    media_id: int


async def store_media(session: AsyncSession, data: bytes, *, kind: str = "photo", filename: str = "file") -> MediaRef:
    if kind not in ("photo", "document"):
        raise ValueError(f"media kind must be 'photo' or 'document', not {kind!r}")
    if not data:
        raise ValueError("media bytes are empty")
    media = OutboxMedia(kind=kind, data=bytes(data), filename=filename)
    session.add(media)
    await session.flush()
    return MediaRef(media.id)


def keyboard_json(reply_markup: Any) -> dict | None:
    if reply_markup is None:
        return None
    if hasattr(reply_markup, "model_dump"):  # an aiogram InlineKeyboardMarkup (pydantic)
        return reply_markup.model_dump(mode="json", exclude_none=True)
    if isinstance(reply_markup, dict):
        return reply_markup
    raise TypeError(f"reply_markup must be an aiogram keyboard or a dict, not {type(reply_markup).__name__}")


async def media_json(session: AsyncSession, value: Any, kind: str) -> dict | None:
    if value is None:
        return None
    if isinstance(value, MediaRef):
        return {"media_id": value.media_id}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"media_id": (await store_media(session, bytes(value), kind=kind, filename=kind)).media_id}
    if isinstance(value, str) and value:
        return {"file_id": value}
    raise TypeError(f"{kind} must be a file_id/URL string, bytes or a MediaRef, not {type(value).__name__}")


def visible_length(text: str, parse_mode: str | None) -> int:
    """Telegram counts the limit after markup is parsed; HTML tags (the bot's default) do not count."""
    if parse_mode is None or parse_mode.upper() == "HTML":
        return len(html.unescape(_TAG.sub("", text)))
    return len(text)


async def build_content(session: AsyncSession, *, text: str | None, reply_markup: Any, photo: Any,
                        document: Any, disable_notification: bool, parse_mode: str | None = None,
                        message_thread_id: int | None = None) -> dict:
    if photo is not None and document is not None:
        raise ValueError("a message carries a photo or a document, not both; enqueue two messages")
    has_media = photo is not None or document is not None
    if not has_media and not (text and text.strip()):
        raise ValueError("nothing to send: give text, a photo or a document")
    limit = MAX_CAPTION if has_media else MAX_TEXT
    if text is not None and visible_length(text, parse_mode) > limit:
        # Checked here so the caller hears it now, not as a permanent 400 later.
        what = "caption" if has_media else "message text"
        raise ValueError(f"{what} is {visible_length(text, parse_mode)} characters; Telegram allows {limit}. Split or shorten it.")
    content = {
        "text": text,
        "reply_markup": keyboard_json(reply_markup),
        "photo": await media_json(session, photo, "photo"),
        "document": await media_json(session, document, "document"),
        "disable_notification": bool(disable_notification),
    }
    if message_thread_id is not None:  # only when set: most rows never have one
        content["message_thread_id"] = int(message_thread_id)
    return content
