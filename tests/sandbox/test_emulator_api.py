"""Wire-format fidelity of the emulator, checked through the real aiogram Bot."""

from __future__ import annotations

import aiohttp
import pytest
from aiogram import Bot
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramNotFound
from aiogram.types import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    MenuButtonCommands,
    ReplyKeyboardMarkup,
)

from core.sandbox import BotAPIEmulator

from sandbox_helpers import TOKEN


def kb(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=d)] for t, d in pairs])


async def test_get_me_returns_full_bot_user(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == 123456789
    assert me.is_bot is True
    assert me.first_name == "Organizer"
    assert me.username == "organizer_test_bot"
    assert me.can_join_groups is True
    assert me.can_read_all_group_messages is False
    assert me.supports_inline_queries is False


async def test_send_message_round_trip(bot: Bot, emu: BotAPIEmulator, alice: dict) -> None:
    first = await bot.send_message(alice["id"], "<b>Hi</b> <i>Alice</i> &amp; co 😀", parse_mode=ParseMode.HTML,
                                   reply_markup=kb(("Go", "go:1")))
    second = await bot.send_message(alice["id"], "plain")
    assert first.chat.id == alice["id"] and first.chat.type == "private"
    assert first.from_user.id == 123456789
    assert first.text == "Hi Alice & co 😀"
    assert [(e.type, e.offset, e.length) for e in first.entities] == [("bold", 0, 2), ("italic", 3, 5)]
    assert first.reply_markup.inline_keyboard[0][0].callback_data == "go:1"
    assert second.message_id == first.message_id + 1
    assert second.entities is None
    assert first.date.timestamp() > 0

    state = emu.chat_messages(alice["id"])
    assert [m["text"] for m in state] == ["Hi Alice & co 😀", "plain"]
    assert state[0]["from_bot"] and state[0]["buttons"] == ["Go"]
    assert state[0]["html"] == "<b>Hi</b> <i>Alice</i> &amp; co 😀"

    sent = emu.sent_messages(alice["id"])
    assert [r.params["text"] for r in sent] == ["<b>Hi</b> <i>Alice</i> &amp; co 😀", "plain"]
    assert sent[0].params["chat_id"] == alice["id"]  # decoded from the form field into an int
    assert sent[0].params["reply_markup"]["inline_keyboard"][0][0]["text"] == "Go"  # JSON field parsed
    assert sent[0].result["message_id"] == first.message_id


async def test_entities_offsets_are_utf16(bot: Bot, alice: dict) -> None:
    msg = await bot.send_message(alice["id"], "😀 <b>x</b>", parse_mode="HTML")
    assert (msg.entities[0].offset, msg.entities[0].length) == (3, 1)


async def test_markdown_v2_parsed_and_validated(bot: Bot, alice: dict) -> None:
    msg = await bot.send_message(alice["id"], r"*bold* _it_ [link](https://example.com) 1\.5", parse_mode="MarkdownV2")
    assert msg.text == "bold it link 1.5"
    assert [e.type for e in msg.entities] == ["bold", "italic", "text_link"]
    assert msg.entities[2].url == "https://example.com"
    with pytest.raises(TelegramBadRequest, match="can't parse entities: Character '.' is reserved"):
        await bot.send_message(alice["id"], "Price 1.5", parse_mode="MarkdownV2")
    with pytest.raises(TelegramBadRequest, match="can't parse entities: Can't find end of Bold entity"):
        await bot.send_message(alice["id"], r"*unclosed", parse_mode="MarkdownV2")


@pytest.mark.parametrize(
    "html",
    ["<b>unclosed", "1 < 2", "<foo>x</foo>", "<b>x</i>", "<span>x</span>", "</b>"],
)
async def test_bad_html_is_rejected_like_telegram(bot: Bot, alice: dict, html: str) -> None:
    with pytest.raises(TelegramBadRequest, match="Bad Request: can't parse entities"):
        await bot.send_message(alice["id"], html, parse_mode="HTML")


async def test_html_accepts_telegram_tags_and_literal_ampersand(bot: Bot, alice: dict) -> None:
    html = (
        '<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s><strike>k</strike><del>d</del>'
        '<span class="tg-spoiler">p</span><tg-spoiler>q</tg-spoiler><a href="https://x.org">a</a><code>c</code>'
        '<pre><code class="language-python">x = 1</code></pre><blockquote>q</blockquote> Q&A &#128512;'
    )
    msg = await bot.send_message(alice["id"], html, parse_mode="HTML")
    assert msg.text.endswith("q Q&A 😀")
    types = [e.type for e in msg.entities]
    assert types.count("bold") == 2 and types.count("spoiler") == 2 and "pre" in types
    assert next(e for e in msg.entities if e.type == "pre").language == "python"


async def test_text_limits(bot: Bot, alice: dict, emu: BotAPIEmulator) -> None:
    with pytest.raises(TelegramBadRequest, match="Bad Request: message text is empty"):
        await bot.send_message(alice["id"], "   ")
    with pytest.raises(TelegramBadRequest, match="Bad Request: message text is empty"):
        await bot.send_message(alice["id"], "<b></b>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="Bad Request: message is too long"):
        await bot.send_message(alice["id"], "x" * 4097)
    # The limit applies after entity parsing: markup does not count.
    ok = await bot.send_message(alice["id"], "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    assert len(ok.text) == 4096
    assert emu.chat_messages(alice["id"])[-1]["message_id"] == ok.message_id


async def test_callback_data_limits(bot: Bot, alice: dict) -> None:
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(alice["id"], "x", reply_markup=kb(("Too long", "x" * 65)))
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(alice["id"], "x", reply_markup=kb(("Empty", "")))
    # 64 bytes of UTF-8 is fine even when it is fewer characters.
    await bot.send_message(alice["id"], "x", reply_markup=kb(("ok", "я" * 32)))
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(alice["id"], "x", reply_markup=kb(("bytes", "я" * 33)))


async def test_chat_not_found_and_missing_chat(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="Bad Request: chat not found"):
        await bot.send_message(987654321, "hello")


async def test_edit_message_text_and_not_modified(bot: Bot, alice: dict, emu: BotAPIEmulator) -> None:
    msg = await bot.send_message(alice["id"], "v1", reply_markup=kb(("A", "a")))
    edited = await bot.edit_message_text("v2", chat_id=alice["id"], message_id=msg.message_id,
                                         reply_markup=kb(("A", "a")))
    assert edited.text == "v2" and edited.edit_date is not None
    with pytest.raises(TelegramBadRequest, match="message is not modified: specified new message content and "
                                                 "reply markup are exactly the same"):
        await bot.edit_message_text("v2", chat_id=alice["id"], message_id=msg.message_id,
                                    reply_markup=kb(("A", "a")))
    # Same text without the keyboard is a modification: Telegram removes the keyboard.
    plain = await bot.edit_message_text("v2", chat_id=alice["id"], message_id=msg.message_id)
    assert plain.reply_markup is None
    state = emu.chat_messages(alice["id"])[-1]
    assert state["text"] == "v2" and state["edit_count"] == 2 and state["buttons"] == []
    with pytest.raises(TelegramBadRequest, match="Bad Request: message to edit not found"):
        await bot.edit_message_text("x", chat_id=alice["id"], message_id=999)


async def test_edit_reply_markup_and_caption_errors(bot: Bot, alice: dict) -> None:
    msg = await bot.send_message(alice["id"], "text", reply_markup=kb(("A", "a")))
    new = await bot.edit_message_reply_markup(chat_id=alice["id"], message_id=msg.message_id,
                                              reply_markup=kb(("B", "b")))
    assert new.reply_markup.inline_keyboard[0][0].text == "B"
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(chat_id=alice["id"], message_id=msg.message_id,
                                            reply_markup=kb(("B", "b")))
    with pytest.raises(TelegramBadRequest, match="there is no caption in the message to edit"):
        await bot.edit_message_caption(chat_id=alice["id"], message_id=msg.message_id, caption="c")


async def test_users_messages_cannot_be_edited(bot: Bot, emu: BotAPIEmulator, alice: dict) -> None:
    update = await emu.send_text(alice["id"], "mine")
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await bot.edit_message_text("x", chat_id=alice["id"], message_id=update["message"]["message_id"])


async def test_delete_message(bot: Bot, alice: dict, emu: BotAPIEmulator) -> None:
    msg = await bot.send_message(alice["id"], "bye")
    assert await bot.delete_message(alice["id"], msg.message_id) is True
    assert emu.chat_messages(alice["id"]) == []
    assert emu.chat_messages(alice["id"], include_deleted=True)[0]["deleted"] is True
    with pytest.raises(TelegramBadRequest, match="Bad Request: message to delete not found"):
        await bot.delete_message(alice["id"], msg.message_id)


async def test_reply_keyboard_is_kept_for_the_client_but_not_echoed(bot: Bot, alice: dict, emu: BotAPIEmulator) -> None:
    markup = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="Share", request_contact=True)]],
                                 resize_keyboard=True)
    msg = await bot.send_message(alice["id"], "Phone?", reply_markup=markup)
    assert msg.reply_markup is None  # Message.reply_markup is inline-only in the Bot API
    assert emu.reply_keyboard(alice["id"])[0] == msg.message_id
    assert emu.chat_messages(alice["id"])[-1]["buttons"] == ["Share"]


async def test_reply_to_message(bot: Bot, alice: dict, emu: BotAPIEmulator) -> None:
    update = await emu.send_text(alice["id"], "question")
    answer = await bot.send_message(alice["id"], "answer", reply_to_message_id=update["message"]["message_id"])
    assert answer.reply_to_message.text == "question"
    with pytest.raises(TelegramBadRequest, match="message to be replied not found"):
        await bot.send_message(alice["id"], "x", reply_to_message_id=4242)


async def test_forward_and_copy(bot: Bot, alice: dict, emu: BotAPIEmulator) -> None:
    bob = emu.add_user("Bob")
    original = await emu.send_text(alice["id"], "hello from alice")
    mid = original["message"]["message_id"]
    fwd = await bot.forward_message(bob["id"], alice["id"], mid)
    assert fwd.text == "hello from alice"
    assert fwd.forward_origin.type == "user" and fwd.forward_origin.sender_user.id == alice["id"]
    copied = await bot.copy_message(bob["id"], alice["id"], mid)
    assert emu.chat_messages(bob["id"])[-1]["message_id"] == copied.message_id
    assert emu.chat_messages(bob["id"])[-1]["text"] == "hello from alice"
    with pytest.raises(TelegramBadRequest, match="message to copy not found"):
        await bot.copy_message(bob["id"], alice["id"], 999)


async def test_chat_info_members_and_actions(bot: Bot, alice: dict, emu: BotAPIEmulator) -> None:
    bob = emu.add_user("Bob")
    group = emu.add_group("Hackers", [alice["id"], bob["id"]], admin_ids=[bob["id"]])
    assert group["id"] < 0
    chat = await bot.get_chat(group["id"])
    assert chat.title == "Hackers" and chat.type == "group"
    private = await bot.get_chat(alice["id"])
    assert private.first_name == "Alice" and private.username == "alice"
    assert (await bot.get_chat_member(group["id"], alice["id"])).status == "creator"
    assert (await bot.get_chat_member(group["id"], bob["id"])).status == "administrator"
    assert (await bot.get_chat_member(group["id"], 123456789)).status == "member"
    admins = await bot.get_chat_administrators(group["id"])
    assert [a.user.id for a in admins] == [alice["id"], bob["id"]]
    assert await bot.send_chat_action(alice["id"], "typing") is True
    with pytest.raises(TelegramBadRequest, match="wrong parameter action"):
        await bot.send_chat_action(alice["id"], "dancing")
    assert await bot.leave_chat(group["id"]) is True
    with pytest.raises(TelegramForbiddenError, match="bot is not a member of the group chat"):
        await bot.send_message(group["id"], "still here?")


async def test_commands_and_menu_button(bot: Bot) -> None:
    assert await bot.get_my_commands() == []
    await bot.set_my_commands([BotCommand(command="start", description="Start"),
                               BotCommand(command="help", description="Help")])
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Bad-Command", description="x")])
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == []
    assert await bot.set_chat_menu_button(menu_button=MenuButtonCommands()) is True


async def test_raw_http_details(emu: BotAPIEmulator) -> None:
    async with aiohttp.ClientSession() as http:
        # Method names are case-insensitive; JSON bodies are accepted as well as forms.
        async with http.post(f"{emu.base_url}/bot{TOKEN}/GETME") as r:
            assert r.status == 200 and (await r.json())["result"]["id"] == 123456789
        user = emu.add_user("Json")
        async with http.post(f"{emu.base_url}/bot{TOKEN}/sendMessage",
                             json={"chat_id": str(user["id"]), "text": "via json"}) as r:
            body = await r.json()
            assert body["ok"] is True and body["result"]["text"] == "via json"
        async with http.get(f"{emu.base_url}/bot{TOKEN}/sendMessage",
                            params={"chat_id": user["id"], "text": "via query"}) as r:
            assert (await r.json())["result"]["text"] == "via query"
        async with http.post(f"{emu.base_url}/bot{TOKEN}/noSuchMethod") as r:
            assert r.status == 404
            assert await r.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        async with http.post(f"{emu.base_url}/botnot-a-token/getMe") as r:
            assert r.status == 401
            assert await r.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
        async with http.post(f"{emu.base_url}/bot{TOKEN}/sendMessage",
                             data={"chat_id": user["id"], "text": "x", "reply_markup": "{not json"}) as r:
            assert r.status == 400
            assert "can't parse reply keyboard markup JSON object" in (await r.json())["description"]


async def test_unknown_method_raises_not_found(bot: Bot) -> None:
    from aiogram.methods import TelegramMethod

    class Bogus(TelegramMethod[bool]):
        __returning__ = bool
        __api_method__ = "bogusMethod"

    with pytest.raises(TelegramNotFound):
        await bot(Bogus())


async def test_requests_are_recorded(bot: Bot, alice: dict, emu: BotAPIEmulator) -> None:
    await bot.send_message(alice["id"], "one")
    with pytest.raises(TelegramBadRequest):
        await bot.send_message(alice["id"], "")
    records = emu.requests_for("sendMessage", chat_id=alice["id"])
    assert [(r.ok, r.error_code) for r in records] == [(True, None), (False, 400)]
    assert records[1].description == "Bad Request: message text is empty"
    assert records[0].time <= records[1].time
    assert records[0].token == TOKEN
