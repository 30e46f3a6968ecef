"""The demo page's HTTP side: the static page, a small JSON API and a Server-Sent Events stream.

Everything a person does on the page goes through the emulator's simulated-user methods, so the
bot sees exactly what Telegram would send. The JSON is the emulator's flat message view
(``StoredMessage.view()``) without the raw message; the page renders text from ``entities`` and
never inserts HTML.

    GET  /                          the page
    GET  /api/info                  event, bot, commands, page defaults
    GET  /api/users                 the demo people with their role in the event
    POST /api/users                 {first_name, language_code: ru|en, role: participant|organizer}
    POST /api/users/{id}/role       {role}
    GET  /api/chats/{id}            {messages, reply_keyboard}
    POST /api/chats/{id}/text       {text, keyboard?: true when typed by a reply-keyboard button}
    POST /api/chats/{id}/contact    {phone_number?}  (the request_contact button; a fake number by default)
    POST /api/chats/{id}/photo      multipart: file, caption?  (non-images go as documents)
    POST /api/chats/{id}/click      {message_id, callback_data}
    POST /api/chats/{id}/vote       {poll_id, option_ids}
    GET  /api/files/{file_id}       a photo or document from the emulator's file store
    GET  /api/stream                SSE: message, edit, delete, callback_answer, chat_action, users

Every ``/api/`` request carries this run's token and comes from the page itself
(``core.sandbox.webguard``).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from core.sandbox.webguard import guard

if TYPE_CHECKING:
    from core.sandbox.demo import DemoServer

WEB_DIR = Path(__file__).resolve().parent / "web"
MAX_TEXT = 4096  # Telegram's limit for a message a user types
MAX_UPLOAD = 20 * 1024 * 1024
KEEPALIVE_SECONDS = 15.0
NO_CACHE = {"Cache-Control": "no-cache"}


def _error(status: int, message: str) -> web.HTTPException:
    cls = {400: web.HTTPBadRequest, 404: web.HTTPNotFound, 409: web.HTTPConflict}[status]
    return cls(text=json.dumps({"error": message}, ensure_ascii=False), content_type="application/json")


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False),
                             headers=NO_CACHE)


class DemoApi:
    def __init__(self, demo: DemoServer):
        self.demo = demo
        self._streams: set[asyncio.Queue] = set()

    @property
    def emu(self):
        return self.demo.emulator

    # --- helpers --------------------------------------------------------------------------

    def _user_id(self, request: web.Request) -> int:
        try:
            uid = int(request.match_info["user_id"])
        except ValueError:
            raise _error(400, "user id must be a number") from None
        if uid not in self.demo.people:
            raise _error(404, f"unknown user {uid}: create it first (POST /api/users)")
        return uid

    @staticmethod
    async def _body(request: web.Request) -> dict[str, Any]:
        try:
            data = await request.json()
        except (ValueError, UnicodeDecodeError):
            raise _error(400, "expected a JSON object body") from None
        if not isinstance(data, dict):
            raise _error(400, "expected a JSON object body")
        return data

    def message_view(self, view: dict[str, Any]) -> dict[str, Any]:
        """The emulator's view, minus the raw message, plus what the page needs about polls."""
        out = {k: v for k, v in view.items() if k != "raw"}
        poll = out.get("poll")
        if poll:
            state = self.emu.world.polls.get(str(poll.get("id")))
            # Private chats only: the chat id is the user who votes there.
            out["poll"] = {**poll, "my_votes": list(state.votes.get(out["chat_id"], [])) if state else []}
        return out

    def keyboard_view(self, chat_id: int) -> dict[str, Any] | None:
        current = self.emu.reply_keyboard(chat_id)
        if current is None:
            return None
        message_id, markup = current
        return {"message_id": message_id, **markup}

    def _hide_one_time_keyboard(self, chat_id: int) -> None:
        current = self.emu.reply_keyboard(chat_id)
        if current is not None and current[1].get("one_time_keyboard"):
            self.emu.hide_reply_keyboard(chat_id)

    def broadcast(self, event: dict[str, Any]) -> None:
        for queue in list(self._streams):
            queue.put_nowait(event)

    # --- page -----------------------------------------------------------------------------

    async def index(self, request: web.Request) -> web.StreamResponse:
        # The page carries this run's API token; another site cannot read it (same-origin policy).
        html = (WEB_DIR / "index.html").read_text(encoding="utf-8").replace(
            "{{DEMO_TOKEN}}", self.demo.api_token)
        return web.Response(text=html, content_type="text/html", headers=NO_CACHE)

    async def info(self, request: web.Request) -> web.Response:
        demo = self.demo
        conf = demo.app.settings.events[demo.slug]
        bot = self.emu.world.bots[demo.sandbox.token]
        commands: dict[str, list[dict[str, str]]] = {}
        for (_scope, lang), items in bot.commands.items():
            commands[lang or "default"] = items
        return _json({
            "event": {"slug": demo.slug, "title": conf.title, "timezone": conf.timezone, "language": conf.language,
                      "deep_link": f"/start {demo.slug}"},
            "bot": {"id": bot.id, "first_name": bot.user["first_name"], "username": bot.user["username"]},
            "commands": commands,
            "plugins": sorted(demo.app.active_plugins(demo.slug)),
            "restored": demo.restored,
        })

    # --- people ---------------------------------------------------------------------------

    async def users(self, request: web.Request) -> web.Response:
        return _json({"users": await self.demo.people_view()})

    async def add_user(self, request: web.Request) -> web.Response:
        data = await self._body(request)
        try:
            person = await self.demo.add_person(str(data.get("first_name") or ""),
                                                str(data.get("language_code") or "ru"),
                                                str(data.get("role") or "participant"))
        except ValueError as exc:
            raise _error(400, str(exc)) from None
        users = await self.demo.people_view()
        self.broadcast({"type": "users", "users": users})
        return _json(next(u for u in users if u["id"] == person.id), status=201)

    async def set_role(self, request: web.Request) -> web.Response:
        uid = self._user_id(request)
        data = await self._body(request)
        try:
            await self.demo.set_role(uid, str(data.get("role") or ""))
        except ValueError as exc:
            raise _error(400, str(exc)) from None
        users = await self.demo.people_view()
        self.broadcast({"type": "users", "users": users})
        return _json(next(u for u in users if u["id"] == uid))

    # --- chats ----------------------------------------------------------------------------

    async def chat(self, request: web.Request) -> web.Response:
        uid = self._user_id(request)
        messages = [self.message_view(v) for v in self.emu.chat_messages(uid)]
        return _json({"chat_id": uid, "messages": messages, "reply_keyboard": self.keyboard_view(uid)})

    async def send_text(self, request: web.Request) -> web.Response:
        uid = self._user_id(request)
        data = await self._body(request)
        text = data.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _error(400, "text must be a non-empty string")
        if len(text) > MAX_TEXT:
            raise _error(400, f"a message is at most {MAX_TEXT} characters")
        if data.get("keyboard"):
            self._hide_one_time_keyboard(uid)
        result = await self.emu.send_text(uid, text)
        return _json({"message_id": result["message"]["message_id"]})

    async def send_contact(self, request: web.Request) -> web.Response:
        from core.sandbox.demo import fake_phone

        uid = self._user_id(request)
        data = await self._body(request) if (await request.read()).strip() else {}
        phone = str(data.get("phone_number") or fake_phone(uid))
        self._hide_one_time_keyboard(uid)
        result = await self.emu.send_contact(uid, phone)
        return _json({"message_id": result["message"]["message_id"], "phone_number": phone})

    async def send_photo(self, request: web.Request) -> web.Response:
        uid = self._user_id(request)
        if not request.content_type.startswith("multipart/"):
            raise _error(400, "send the picture as multipart/form-data with a `file` field")
        form = await request.post()
        upload = form.get("file")
        if not isinstance(upload, web.FileField):
            raise _error(400, "the `file` field with a picture is missing")
        data = upload.file.read()
        if not data:
            raise _error(400, "the file is empty")
        caption = str(form.get("caption") or "").strip() or None
        is_image = (upload.content_type or "").startswith("image/")
        try:
            if is_image:
                result = await self.emu.send_photo(uid, data, caption)
            else:
                result = await self.emu.send_document(uid, data, upload.filename or "file.bin",
                                                      upload.content_type, caption)
        except ValueError:
            raise _error(400, "this picture cannot be read; send a PNG or JPEG") from None
        return _json({"message_id": result["message"]["message_id"], "kind": "photo" if is_image else "document"})

    async def click(self, request: web.Request) -> web.Response:
        uid = self._user_id(request)
        data = await self._body(request)
        try:
            result = await self.emu.click(uid, int(data.get("message_id")), str(data.get("callback_data")))
        except (TypeError, ValueError):
            raise _error(400, "message_id (number) and callback_data are required") from None
        except LookupError as exc:
            raise _error(409, str(exc)) from None
        return _json({"callback_query_id": result["callback_query"]["id"]})

    async def vote(self, request: web.Request) -> web.Response:
        uid = self._user_id(request)
        data = await self._body(request)
        option_ids = data.get("option_ids")
        if not isinstance(option_ids, list) or not all(isinstance(i, int) for i in option_ids):
            raise _error(400, "option_ids must be a list of option numbers")
        try:
            await self.emu.answer_poll(uid, str(data.get("poll_id")), option_ids)
        except LookupError as exc:
            raise _error(404, str(exc)) from None
        except ValueError as exc:
            raise _error(409, str(exc)) from None
        return _json({"ok": True})

    async def file(self, request: web.Request) -> web.Response:
        stored = self.emu.world.files.get(request.match_info["file_id"])
        if stored is None:
            raise _error(404, "no such file")
        headers = {"Cache-Control": "max-age=3600"}
        if stored.kind == "document":
            name = (stored.file_name or "file").replace('"', "")
            headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return web.Response(body=stored.data, content_type=stored.mime_type or "application/octet-stream",
                            headers=headers)

    # --- live updates ---------------------------------------------------------------------

    def _enrich(self, event: dict[str, Any]) -> dict[str, Any]:
        if "message" in event:
            event = {**event, "message": self.message_view(event["message"])}
        chat_id = event.get("chat_id")
        if isinstance(chat_id, int) and chat_id in self.demo.people:
            event["reply_keyboard"] = self.keyboard_view(chat_id)
        return event

    async def stream(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={
            "Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        await response.prepare(request)
        queue = self.emu.subscribe()
        self._streams.add(queue)
        try:
            await response.write(b"retry: 1500\n: connected\n\n")
            while True:
                try:
                    event = await asyncio.wait_for(queue.get(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    await response.write(b": ping\n\n")
                    continue
                if event is None:  # the server is stopping
                    break
                payload = json.dumps(self._enrich(event), ensure_ascii=False)
                await response.write(f"data: {payload}\n\n".encode())
        except ConnectionResetError:
            pass  # the page was closed
        finally:
            self._streams.discard(queue)
            self.emu.unsubscribe(queue)
        return response

    async def close_streams(self, app: web.Application) -> None:
        for queue in list(self._streams):
            queue.put_nowait(None)


API_KEY = web.AppKey("api", DemoApi)


def create_web_app(demo: DemoServer) -> web.Application:
    api = DemoApi(demo)
    app = web.Application(client_max_size=MAX_UPLOAD,
                          middlewares=[guard(demo.api_token, public=demo.public, port_of=lambda: demo.port)])
    app[API_KEY] = api
    r = app.router
    r.add_get("/", api.index)
    r.add_static("/static/", WEB_DIR, append_version=False)
    r.add_get("/api/info", api.info)
    r.add_get("/api/users", api.users)
    r.add_post("/api/users", api.add_user)
    r.add_post("/api/users/{user_id}/role", api.set_role)
    r.add_get("/api/chats/{user_id}", api.chat)
    r.add_post("/api/chats/{user_id}/text", api.send_text)
    r.add_post("/api/chats/{user_id}/contact", api.send_contact)
    r.add_post("/api/chats/{user_id}/photo", api.send_photo)
    r.add_post("/api/chats/{user_id}/click", api.click)
    r.add_post("/api/chats/{user_id}/vote", api.vote)
    r.add_get("/api/files/{file_id}", api.file)
    r.add_get("/api/stream", api.stream)
    app.on_shutdown.append(api.close_streams)
    return app
