"""The demo page's JSON/SSE API, driven with aiohttp's client against an in-process DemoServer."""

from __future__ import annotations

import asyncio
import io
import json

import pytest
from PIL import Image

from demo_helpers import wait_for


async def chat(http, uid: int) -> dict:
    async with http.get(f"/api/chats/{uid}") as resp:
        assert resp.status == 200
        return await resp.json()


async def users(http) -> list[dict]:
    async with http.get("/api/users") as resp:
        assert resp.status == 200
        return (await resp.json())["users"]


async def person(http, name: str) -> dict:
    return next(u for u in await users(http) if u["first_name"] == name)


async def send(http, uid: int, text: str, **extra) -> dict:
    async with http.post(f"/api/chats/{uid}/text", json={"text": text, **extra}) as resp:
        assert resp.status == 200, await resp.text()
        return await resp.json()


async def bot_says(demo, http, uid: int, fragment: str) -> dict:
    await demo.sandbox.settle()

    async def found():
        for m in reversed((await chat(http, uid))["messages"]):
            if m["from_bot"] and fragment in (m["text"] or m["caption"] or ""):
                return m
        return None

    return await wait_for(found, what=f"a bot message containing {fragment!r}")


def button(message: dict, label_part: str) -> dict:
    for row in message["reply_markup"]["inline_keyboard"]:
        for b in row:
            if label_part in b["text"]:
                return b
    raise AssertionError(f"no button with {label_part!r} in {message['buttons']}")


async def test_page_and_static_files(http):
    async with http.get("/") as resp:
        assert resp.status == 200
        page = await resp.text()
    assert 'src="/static/app.js"' in page and 'id="panes"' in page
    for name in ("app.js", "style.css"):
        async with http.get(f"/static/{name}") as resp:
            assert resp.status == 200


async def test_info_describes_the_event_and_bot(http):
    async with http.get("/api/info") as resp:
        info = await resp.json()
    assert info["event"] == {"slug": "demo", "title": "DemoConf 2026", "timezone": "Europe/Moscow",
                             "language": "ru", "deep_link": "/start demo"}
    assert info["bot"]["username"] == "pocket_organizer_demo_bot"
    assert "faq" in info["plugins"]
    assert any(c["command"] == "start" for c in info["commands"]["default"])


async def test_default_people_exist(http):
    listed = await users(http)
    alice = next(u for u in listed if u["first_name"] == "Алиса")
    assert alice["role"] == "participant" and alice["language_code"] == "ru" and not alice["registered"]
    assert any(u["role"] == "organizer" for u in listed)


async def test_add_user_and_change_role(demo, http):
    async with http.post("/api/users", json={"first_name": "  Bob  ", "language_code": "en",
                                             "role": "organizer"}) as resp:
        assert resp.status == 201
        bob = await resp.json()
    assert bob["first_name"] == "Bob" and bob["role"] == "organizer" and bob["language_code"] == "en"
    assert bob["id"] in demo.emulator.world.users
    assert (await person(http, "Bob"))["id"] == bob["id"]

    async with http.post(f"/api/users/{bob['id']}/role", json={"role": "participant"}) as resp:
        assert resp.status == 200
        assert (await resp.json())["role"] == "participant"

    for bad in ({"first_name": ""}, {"first_name": "X", "role": "king"}, {"first_name": "X", "language_code": "de"}):
        async with http.post("/api/users", json=bad) as resp:
            assert resp.status == 400
            assert (await resp.json())["error"]
    async with http.get("/api/chats/999") as resp:
        assert resp.status == 404


async def test_send_text_then_click_inline_button(demo, http):
    alice = await person(http, "Алиса")
    sent = await send(http, alice["id"], "/start demo")
    assert sent["message_id"] == 1
    consent = await bot_says(demo, http, alice["id"], "персональных данных")
    yes = button(consent, "Согласен")

    async with http.post(f"/api/chats/{alice['id']}/click",
                         json={"message_id": consent["message_id"], "callback_data": yes["callback_data"]}) as resp:
        assert resp.status == 200
        assert (await resp.json())["callback_query_id"]
    await bot_says(demo, http, alice["id"], "Шаг 1 из 3")

    async with http.post(f"/api/chats/{alice['id']}/click",
                         json={"message_id": consent["message_id"], "callback_data": "nope"}) as resp:
        assert resp.status == 409


async def test_signup_with_contact_button_and_one_time_keyboard(demo, http):
    alice = await person(http, "Алиса")
    uid = alice["id"]
    await send(http, uid, "/start demo")
    consent = await bot_says(demo, http, uid, "персональных данных")
    await http.post(f"/api/chats/{uid}/click", json={"message_id": consent["message_id"],
                                                     "callback_data": button(consent, "Согласен")["callback_data"]})
    await bot_says(demo, http, uid, "Шаг 1 из 3")
    await send(http, uid, "Алиса Петрова")
    await bot_says(demo, http, uid, "Шаг 2 из 3")
    keyboard = (await chat(http, uid))["reply_keyboard"]
    assert keyboard and keyboard["keyboard"][0][0]["request_contact"] is True

    async with http.post(f"/api/chats/{uid}/contact", json={}) as resp:
        assert resp.status == 200
        phone = (await resp.json())["phone_number"]
    assert phone.startswith("+7999")
    step3 = await bot_says(demo, http, uid, "Шаг 3 из 3")
    assert (await chat(http, uid))["reply_keyboard"] is None  # one-time keyboard is gone
    shared = [m for m in (await chat(http, uid))["messages"] if m["contact"]]
    assert shared[0]["contact"]["phone_number"] == phone

    await http.post(f"/api/chats/{uid}/click", json={"message_id": step3["message_id"],
                                                     "callback_data": button(step3, "Пропустить")["callback_data"]})
    menu = await bot_says(demo, http, uid, "Главное меню")
    assert menu["buttons"]
    me = await person(http, "Алиса")
    assert me["joined"] and me["registered"]


async def test_sse_stream_receives_bot_messages_and_keyboard_state(demo, http):
    alice = await person(http, "Алиса")
    events: list[dict] = []

    async def listen():
        async with http.get("/api/stream", timeout=None) as resp:
            assert resp.headers["Content-Type"].startswith("text/event-stream")
            async for raw in resp.content:
                line = raw.decode().strip()
                if line.startswith("data: "):
                    events.append(json.loads(line[6:]))
                    if any(e["type"] == "message" and e["message"]["from_bot"] for e in events):
                        return

    listener = asyncio.create_task(listen())
    await wait_for(lambda: demo.webapi._streams, what="the SSE subscription")
    await send(http, alice["id"], "/start demo")
    await asyncio.wait_for(listener, 10)
    mine = [e for e in events if e["type"] == "message" and not e["message"]["from_bot"]]
    assert mine[0]["message"]["text"] == "/start demo" and mine[0]["chat_id"] == alice["id"]
    bot = next(e for e in events if e["type"] == "message" and e["message"]["from_bot"])
    assert bot["chat_id"] == alice["id"] and "DemoConf 2026" in bot["message"]["text"]
    assert "raw" not in bot["message"] and "entities" in bot["message"]
    assert "reply_keyboard" in bot


async def test_users_event_on_the_stream(demo, http):
    got: list[dict] = []

    async def listen():
        async with http.get("/api/stream", timeout=None) as resp:
            async for raw in resp.content:
                line = raw.decode().strip()
                if line.startswith("data: "):
                    got.append(json.loads(line[6:]))
                    return

    listener = asyncio.create_task(listen())
    await wait_for(lambda: demo.webapi._streams, what="the SSE subscription")
    await http.post("/api/users", json={"first_name": "Вика"})
    await asyncio.wait_for(listener, 10)
    assert got[0]["type"] == "users" and any(u["first_name"] == "Вика" for u in got[0]["users"])


def png(color=(200, 30, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (120, 80), color).save(buf, "PNG")
    return buf.getvalue()


async def test_photo_upload_and_file_download(demo, http):
    alice = await person(http, "Алиса")
    import aiohttp

    form = aiohttp.FormData()
    form.add_field("file", png(), filename="qr.png", content_type="image/png")
    form.add_field("caption", "мой пропуск")
    async with http.post(f"/api/chats/{alice['id']}/photo", data=form) as resp:
        assert resp.status == 200, await resp.text()
        assert (await resp.json())["kind"] == "photo"
    await demo.sandbox.settle()
    photo = next(m for m in (await chat(http, alice["id"]))["messages"] if m["photo_file_id"])
    assert photo["caption"] == "мой пропуск" and not photo["from_bot"]
    async with http.get(f"/api/files/{photo['photo_file_id']}") as resp:
        assert resp.status == 200 and resp.content_type == "image/png"
        assert await resp.read() == png()

    bad = aiohttp.FormData()
    bad.add_field("file", b"not a picture", filename="x.png", content_type="image/png")
    async with http.post(f"/api/chats/{alice['id']}/photo", data=bad) as resp:
        assert resp.status == 400
    async with http.get("/api/files/nope") as resp:
        assert resp.status == 404


async def test_vote_in_a_poll_the_bot_sent(demo, http):
    alice = await person(http, "Алиса")
    sent = await demo.app.bot.send_poll(alice["id"], "Какой доклад лучший?", ["Первый", "Второй"],
                                        is_anonymous=False)
    async with http.post(f"/api/chats/{alice['id']}/vote", json={"poll_id": sent.poll.id, "option_ids": [1]}) as resp:
        assert resp.status == 200, await resp.text()
    poll = next(m for m in (await chat(http, alice["id"]))["messages"] if m["poll"])["poll"]
    assert poll["my_votes"] == [1] and poll["options"][1]["voter_count"] == 1
    async with http.post(f"/api/chats/{alice['id']}/vote", json={"poll_id": "123", "option_ids": [0]}) as resp:
        assert resp.status == 404


@pytest.mark.parametrize("body", [{}, {"text": "   "}, {"text": "x" * 4097}])
async def test_bad_text_is_refused_clearly(http, body):
    alice = await person(http, "Алиса")
    async with http.post(f"/api/chats/{alice['id']}/text", json=body) as resp:
        assert resp.status == 400
        assert (await resp.json())["error"]
