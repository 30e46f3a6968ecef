"""Scripted Telegram users driving the emulator, for conversation tests, demos and benchmarks.

They know nothing about the application: they type, press buttons by their visible labels, vote, and assert
on what the bot shows, exactly like a person holding a phone would.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from core.sandbox.emulator import BotAPIEmulator

Pattern = str | re.Pattern[str]


def _matches(value: str | None, pattern: Pattern | None) -> bool:
    if pattern is None:
        return True
    if value is None:
        return False
    if isinstance(pattern, re.Pattern):
        return pattern.search(value) is not None
    # Plain strings match as substrings: Russian punctuation like "?" or "(" must not need escaping.
    return pattern in value


def _body(view: dict[str, Any]) -> str | None:
    return view["text"] if view["text"] is not None else view["caption"]


class SandboxUser:
    """One person in Telegram. ``settle`` waits until the bot has finished reacting to an action."""

    def __init__(
        self,
        emu: BotAPIEmulator,
        first_name: str,
        lang: str | None = "ru",
        settle: Callable[[], Awaitable[Any]] | None = None,
        *,
        last_name: str | None = None,
        username: str | None = None,
        user_id: int | None = None,
        chat_id: int | None = None,
        token: str | None = None,
        settle_timeout: float = 10.0,
        quiet: float = 0.05,
        _user: dict[str, Any] | None = None,
    ) -> None:
        self.emu = emu
        self.user = _user if _user is not None else emu.add_user(first_name, last_name, username, lang, user_id)
        self.id: int = self.user["id"]
        self.chat_id: int = self.id if chat_id is None else int(chat_id)
        self.token = token
        self.settle_timeout = settle_timeout
        self.quiet = quiet
        self._settle = settle
        self._events = emu.subscribe(self.chat_id)
        self._log: list[dict[str, Any]] = []  # snapshots of bot messages (new or edited) in this chat
        self._cursor = 0  # expect() looks at _log[_cursor:]
        self._actions: list[tuple[int, str]] = []  # (last message id at that moment, line) for clicks and votes

    def __repr__(self) -> str:
        return f"SandboxUser({self.user['first_name']!r}, id={self.id}, chat_id={self.chat_id})"

    @property
    def name(self) -> str:
        return str(self.user["first_name"])

    def in_chat(self, chat_id: int) -> SandboxUser:
        """The same person acting in another chat (a group); joins it if needed."""
        self.emu.world.members.setdefault(int(chat_id), set()).add(self.id)
        return SandboxUser(
            self.emu, self.name, settle=self._settle, chat_id=chat_id, token=self.token,
            settle_timeout=self.settle_timeout, quiet=self.quiet, _user=self.user,
        )

    def close(self) -> None:
        self.emu.unsubscribe(self._events)

    # -------------------------------------------------------------------------------------------- actions

    async def send(self, text: str, chat_id: int | None = None, reply_to: int | None = None,
                   thread_id: int | None = None) -> dict[str, Any]:
        """Type ``text``; ``reply_to`` a message id; ``thread_id``: the topic of a forum group."""
        self._mark()
        update = await self.emu.send_text(self.id, text, chat_id=chat_id or self.chat_id, reply_to=reply_to,
                                          token=self.token, thread_id=thread_id)
        await self.settle()
        return update

    async def share_contact(self, phone: str) -> dict[str, Any]:
        self._mark()
        update = await self.emu.send_contact(self.id, phone, chat_id=self.chat_id, token=self.token)
        await self.settle()
        return update

    async def send_photo(self, png_bytes: bytes, caption: str | None = None) -> dict[str, Any]:
        self._mark()
        update = await self.emu.send_photo(self.id, png_bytes, caption, chat_id=self.chat_id, token=self.token)
        await self.settle()
        return update

    async def send_document(self, data: bytes, file_name: str = "document.bin",
                            mime_type: str | None = None, caption: str | None = None) -> dict[str, Any]:
        self._mark()
        update = await self.emu.send_document(self.id, data, file_name, mime_type, caption, chat_id=self.chat_id,
                                              token=self.token)
        await self.settle()
        return update

    async def click(self, label: Pattern) -> dict[str, Any]:
        """Press a button by its visible text (exact, else substring; or a regex) in the newest message having it.

        Inline buttons send a callback query; reply-keyboard buttons send their text, like a Telegram client.
        """
        message_id, button, kind = self._find_button(label)
        text = button if isinstance(button, str) else button["text"]
        if kind == "reply":
            if isinstance(button, dict) and button.get("request_contact"):
                raise AssertionError(f"button [{text}] shares a contact: use share_contact(phone) instead")
            keyboard = self.emu.reply_keyboard(self.chat_id)
            update = await self.send(text)
            if keyboard and keyboard[1].get("one_time_keyboard"):
                self.emu.hide_reply_keyboard(self.chat_id)
            return update
        if "callback_data" not in button:
            target = button.get("url") or button.get("web_app") or next(iter(button.keys() - {"text"}), "?")
            raise AssertionError(f"button [{text}] is not a callback button ({target}); nothing to press here")
        self._mark()
        self._actions.append((self._last_message_id(), f"> [{text}] (click)"))
        update = await self.emu.click(self.id, message_id, button["callback_data"], chat_id=self.chat_id,
                                      token=self.token)
        await self.settle()
        return update

    async def answer_poll(self, option_text: Pattern | list[Pattern]) -> dict[str, Any]:
        """Vote in the newest open poll of the chat by option text(s)."""
        wanted = option_text if isinstance(option_text, list) else [option_text]
        for view in reversed(self.messages()):
            poll = view["poll"]
            if not poll or poll["is_closed"]:
                continue
            texts = [o["text"] for o in poll["options"]]
            ids = []
            for w in wanted:
                found = [i for i, t in enumerate(texts) if t == w] or [
                    i for i, t in enumerate(texts) if _matches(t, w)
                ]
                if not found:
                    raise AssertionError(f"poll {poll['question']!r} has no option {w!r}; options: {texts}")
                ids.append(found[0])
            self._mark()
            self._actions.append((self._last_message_id(), f"> [vote: {', '.join(texts[i] for i in ids)}]"))
            update = await self.emu.answer_poll(self.id, poll["id"], ids)
            await self.settle()
            return update
        raise AssertionError(f"no open poll in the chat\n{self.transcript(tail=10)}")

    async def settle(self) -> None:
        """Wait until the bot has reacted: the harness's settle, else delivery plus a quiet period."""
        if self._settle is not None:
            await self._settle()
            return
        try:
            await self.emu.wait_idle(quiet=self.quiet, timeout=self.settle_timeout)
        except asyncio.TimeoutError as exc:
            raise AssertionError(f"{self!r}: the bot did not settle: {exc}") from None

    # ------------------------------------------------------------------------------------------ assertions

    async def expect(self, text: Pattern | None = None, timeout: float = 5.0) -> dict[str, Any]:
        """The newest bot message (text or caption) matching ``text`` that arrived or changed since the last
        action or expect; waits up to ``timeout`` seconds, else AssertionError with the transcript tail."""
        deadline = time.monotonic() + timeout
        while True:
            self._drain()
            for idx in range(len(self._log) - 1, self._cursor - 1, -1):
                snapshot = self._log[idx]
                if _matches(_body(snapshot), text):
                    self._cursor = idx + 1
                    return snapshot
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                event = await asyncio.wait_for(self._events.get(), remaining)
            except asyncio.TimeoutError:
                break
            self._take(event)
        fresh = [_body(s) for s in self._log[self._cursor :]]
        raise AssertionError(
            f"{self.name}: no bot message matching {text!r} within {timeout}s; new since last action: {fresh}\n"
            f"--- transcript tail ---\n{self.transcript(tail=12)}"
        )

    async def expect_nothing(self, within: float = 0.3) -> None:
        """Assert that the bot sends or edits nothing in this chat for ``within`` seconds."""
        try:
            got = await self.expect(None, timeout=within)
        except AssertionError:
            return
        raise AssertionError(f"{self.name}: expected silence, got {_body(got)!r}")

    # ------------------------------------------------------------------------------------------ inspection

    def messages(self) -> list[dict[str, Any]]:
        """Bot messages currently in the chat (edited in place, deleted ones removed)."""
        return [v for v in self.emu.chat_messages(self.chat_id) if v["from_bot"]]

    def last_message(self) -> dict[str, Any] | None:
        msgs = self.messages()
        return msgs[-1] if msgs else None

    def buttons(self) -> list[str]:
        """Labels of the last bot message's keyboard, else of the reply keyboard still shown."""
        last = self.last_message()
        if last and last["buttons"]:
            return list(last["buttons"])
        keyboard = self.emu.reply_keyboard(self.chat_id)
        if keyboard:
            return [b if isinstance(b, str) else b["text"] for row in keyboard[1]["keyboard"] for b in row]
        return []

    def transcript(self, tail: int | None = None) -> str:
        """The chat as a readable log: "> " for people, "< " for the bot, buttons in brackets."""
        lines: list[str] = []
        actions = sorted(self._actions, key=lambda a: a[0])
        pending = list(actions)
        group = self.chat_id < 0

        def flush(upto: int) -> None:
            while pending and pending[0][0] <= upto:
                lines.append(pending.pop(0)[1])

        flush(0)
        for view in self.emu.chat_messages(self.chat_id, include_deleted=True):
            flush(view["message_id"] - 1)
            lines.append(self._describe(view, group))
            flush(view["message_id"])
        flush(10**12)
        return "\n".join(lines[-tail:] if tail else lines)

    @staticmethod
    def _describe(view: dict[str, Any], group: bool) -> str:
        body = _body(view) or ""
        if view["photo_file_id"]:
            body = f"[photo] {body}".rstrip()
        elif view["document"]:
            body = f"[document {view['document'].get('file_name', '')}] {body}".rstrip()
        elif view["contact"]:
            body = f"[contact {view['contact']['phone_number']}]"
        elif view["poll"]:
            poll = view["poll"]
            opts = " / ".join(f"{o['text']} ({o['voter_count']})" for o in poll["options"])
            body = f"[poll{' closed' if poll['is_closed'] else ''}] {poll['question']}: {opts}"
        body = body.replace("\n", "\n  ")
        if view["from_bot"]:
            line = f"< {body}"
            if view["buttons"]:
                line += " " + " ".join(f"[{b}]" for b in view["buttons"])
        else:
            who = f"{(view['from'] or {}).get('first_name', '?')}: " if group else ""
            line = f"> {who}{body}"
        if view["edit_count"]:
            line += " (edited)"
        if view["deleted"]:
            line += " (deleted)"
        return line

    # ----------------------------------------------------------------------------------------- internals

    def _take(self, event: dict[str, Any]) -> None:
        if event.get("chat_id") != self.chat_id or event.get("type") not in ("message", "edit"):
            return
        view = event["message"]
        if view.get("from_bot"):
            self._log.append(view)

    def _drain(self) -> None:
        while True:
            try:
                self._take(self._events.get_nowait())
            except asyncio.QueueEmpty:
                return

    def _mark(self) -> None:
        # Whatever the bot said before this action is not an answer to it.
        self._drain()
        self._cursor = len(self._log)

    def _last_message_id(self) -> int:
        views = self.emu.chat_messages(self.chat_id, include_deleted=True)
        return views[-1]["message_id"] if views else 0

    def _find_button(self, label: Pattern) -> tuple[int, Any, str]:
        views = [v for v in self.emu.chat_messages(self.chat_id, include_deleted=True) if v["from_bot"]]
        keyboard = self.emu.reply_keyboard(self.chat_id)
        candidates: list[tuple[int, Any, str]] = []  # newest first
        for view in reversed(views):
            markup = view["reply_markup"] or {}
            if not view["deleted"] and "inline_keyboard" in markup:
                candidates += [(view["message_id"], b, "inline") for row in markup["inline_keyboard"] for b in row]
            if keyboard and keyboard[0] == view["message_id"]:
                candidates += [(keyboard[0], b, "reply") for row in keyboard[1]["keyboard"] for b in row]

        def text_of(button: Any) -> str:
            return button if isinstance(button, str) else button["text"]

        if isinstance(label, re.Pattern):
            found = [c for c in candidates if label.search(text_of(c[1]))]
        else:
            found = [c for c in candidates if text_of(c[1]).strip() == label.strip()] or [
                c for c in candidates if label.strip().lower() in text_of(c[1]).lower()
            ]
        if found:
            return found[0]
        available = [f"[{text_of(c[1])}]" for c in candidates]
        raise AssertionError(
            f"{self.name}: no button {label!r} in the chat; available (newest first): {' '.join(available) or 'none'}"
            f"\n--- transcript tail ---\n{self.transcript(tail=8)}"
        )
