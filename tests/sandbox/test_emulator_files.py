"""Photos and documents: uploads, file_id re-sends, getFile and downloads."""

from __future__ import annotations

import io

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BufferedInputFile
from PIL import Image
from sandbox_helpers import png

from core.sandbox import BotAPIEmulator


async def test_send_photo_upload_get_file_download(bot: Bot, emu: BotAPIEmulator, alice: dict) -> None:
    data = png(640, 480)
    msg = await bot.send_photo(alice["id"], BufferedInputFile(data, "ticket.png"), caption="<b>Your ticket</b>",
                               parse_mode="HTML")
    assert msg.caption == "Your ticket" and msg.caption_entities[0].type == "bold"
    largest = msg.photo[-1]
    assert (largest.width, largest.height) == (640, 480)
    assert len(msg.photo) > 1 and msg.photo[0].width < largest.width  # thumbnails first, like Telegram
    assert len({p.file_id for p in msg.photo}) == len(msg.photo)

    file = await bot.get_file(largest.file_id)
    assert file.file_path and file.file_size == len(data)
    downloaded = await bot.download_file(file.file_path)
    assert downloaded.read() == data

    thumb = await bot.download(msg.photo[0].file_id)
    assert Image.open(io.BytesIO(thumb.read())).size == (msg.photo[0].width, msg.photo[0].height)
    record = emu.requests_for("sendPhoto")[0]
    assert record.params["photo"] == {"upload": "ticket.png", "size": len(data)}
    assert emu.chat_messages(alice["id"])[-1]["photo_file_id"] == largest.file_id


async def test_resend_photo_by_file_id(bot: Bot, alice: dict, emu: BotAPIEmulator) -> None:
    first = await bot.send_photo(alice["id"], BufferedInputFile(png(100, 50), "a.png"))
    again = await bot.send_photo(alice["id"], first.photo[-1].file_id)
    assert [p.file_id for p in again.photo] == [p.file_id for p in first.photo]
    assert again.photo[-1].file_unique_id == first.photo[-1].file_unique_id


async def test_bad_file_references(bot: Bot, alice: dict) -> None:
    with pytest.raises(TelegramBadRequest, match="wrong file identifier/HTTP URL specified"):
        await bot.send_photo(alice["id"], "AgACAgIAAxkNOPE")
    with pytest.raises(TelegramBadRequest, match="wrong file identifier/HTTP URL specified"):
        await bot.send_photo(alice["id"], "https://example.com/cat.png")
    with pytest.raises(TelegramBadRequest, match="IMAGE_PROCESS_FAILED"):
        await bot.send_photo(alice["id"], BufferedInputFile(b"not an image", "x.png"))
    with pytest.raises(TelegramBadRequest, match="wrong file_id"):
        await bot.get_file("nope")


async def test_caption_too_long(bot: Bot, alice: dict) -> None:
    with pytest.raises(TelegramBadRequest, match="Bad Request: message caption is too long"):
        await bot.send_photo(alice["id"], BufferedInputFile(png(10, 10), "a.png"), caption="x" * 1025)


async def test_edit_caption(bot: Bot, alice: dict) -> None:
    msg = await bot.send_photo(alice["id"], BufferedInputFile(png(10, 10), "a.png"), caption="old")
    edited = await bot.edit_message_caption(chat_id=alice["id"], message_id=msg.message_id, caption="new")
    assert edited.caption == "new"
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_caption(chat_id=alice["id"], message_id=msg.message_id, caption="new")
    with pytest.raises(TelegramBadRequest, match="there is no text in the message to edit"):
        await bot.edit_message_text("text", chat_id=alice["id"], message_id=msg.message_id)


async def test_send_document_and_resend(bot: Bot, alice: dict) -> None:
    payload = b"name,seat\nAlice,1\n"
    doc = await bot.send_document(alice["id"], BufferedInputFile(payload, "export.csv"), caption="Export")
    assert doc.document.file_name == "export.csv" and doc.document.file_size == len(payload)
    assert (await bot.download(doc.document.file_id)).read() == payload
    again = await bot.send_document(alice["id"], doc.document.file_id)
    assert again.document.file_unique_id == doc.document.file_unique_id
    photo = await bot.send_photo(alice["id"], BufferedInputFile(png(10, 10), "a.png"))
    with pytest.raises(TelegramBadRequest, match="can't use file of type Photo as Document"):
        await bot.send_document(alice["id"], photo.photo[-1].file_id)


async def test_media_group(bot: Bot, alice: dict) -> None:
    from aiogram.types import InputMediaPhoto

    msgs = await bot.send_media_group(alice["id"], [
        InputMediaPhoto(media=BufferedInputFile(png(20, 20), "1.png"), caption="one"),
        InputMediaPhoto(media=BufferedInputFile(png(30, 30, "blue"), "2.png")),
    ])
    assert len(msgs) == 2 and msgs[0].media_group_id == msgs[1].media_group_id
    assert msgs[1].photo[-1].width == 30


async def test_user_photo_reaches_bot_and_downloads(bot: Bot, emu: BotAPIEmulator, alice: dict) -> None:
    data = png(200, 100, "green")
    await emu.send_photo(alice["id"], data, caption="my badge")
    update = (await bot.get_updates())[0]
    assert update.message.caption == "my badge"
    assert (update.message.photo[-1].width, update.message.photo[-1].height) == (200, 100)
    assert (await bot.download(update.message.photo[-1].file_id)).read() == data
    await emu.send_document(alice["id"], b"%PDF-1.4", "cv.pdf", "application/pdf")
    docs = await bot.get_updates(offset=update.update_id + 1)
    assert docs[0].message.document.mime_type == "application/pdf"
    await emu.send_contact(alice["id"], "+79990001122")
    contact = (await bot.get_updates(offset=docs[0].update_id + 1))[0].message.contact
    assert contact.phone_number == "+79990001122" and contact.user_id == alice["id"]
