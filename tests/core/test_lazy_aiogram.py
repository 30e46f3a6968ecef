"""core.lazy_aiogram: aiogram's schemas are built on first use, and built exactly as stock aiogram builds them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendMessage, SendPhoto
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    PhotoSize,
    PollAnswer,
    Update,
)
from pydantic import BaseModel

from core import lazy_aiogram

REPO = Path(__file__).resolve().parents[2]

# Run in a fresh interpreter, stock (no core) or with the shim (import core first): build every aiogram
# type and method, the lazy ones through their first-use placeholders, and print one digest per class
# of its core schema, canonicalised: classes and functions by name, the ids pydantic puts in refs
# dropped, and shared definitions flattened (eager and lazy builds inline different subschemas).
FINGERPRINT = r'''
import hashlib, json, re, sys
if sys.argv[1] == "lazy":
    import core
    from core.lazy_aiogram import status
from pydantic import BaseModel
from aiogram import methods, types
from aiogram.methods.base import TelegramMethod
if sys.argv[1] != "lazy":
    def status():
        return "stock" if "core" not in sys.modules else "core was imported"

def subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)

classes = {f"{mod.__name__}.{name}": getattr(mod, name) for mod in (types, methods) for name in mod.__all__}
classes.update({f"{sub.__module__}.{sub.__qualname__}": sub for sub in subclasses(TelegramMethod)})
classes = {k: c for k, c in classes.items() if isinstance(c, type) and issubclass(c, BaseModel)}
built_at_import = sorted(k for k, c in classes.items() if c.__pydantic_complete__)

def ref(value):
    return re.sub(r":\d+", "", value)

def canonical(schema):
    table = {}
    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "definitions":
                for definition in node["definitions"]:
                    walk(definition)
                return walk(node["schema"])
            if node.get("type") == "definition-ref":
                return "REF " + ref(node["schema_ref"])
            body = {str(k): walk(v) for k, v in node.items() if k not in ("ref", "metadata")}
            if "ref" in node:
                table[ref(node["ref"])] = body
                return "REF " + ref(node["ref"])
            return body
        if isinstance(node, (list, tuple)):
            return [walk(v) for v in node]
        if node is None or isinstance(node, (str, int, float, bool)):
            return node
        if isinstance(node, type) or callable(node):
            return f"{getattr(node, '__module__', '')}.{getattr(node, '__qualname__', type(node).__qualname__)}"
        return re.sub(r"0x[0-9a-f]+", "0x", repr(node))
    top = walk(schema)
    return json.dumps([top, table], sort_keys=True, default=str)

failures, digests = {}, {}
for key, cls in classes.items():
    try:
        cls.__pydantic_validator__.validate_python  # a placeholder builds the class here
        cls.__pydantic_serializer__.to_python
        assert cls.__pydantic_complete__, "still incomplete"
        digests[key] = hashlib.sha256(canonical(cls.__pydantic_core_schema__).encode()).hexdigest()
    except Exception as exc:
        failures[key] = repr(exc)[:300]
print(json.dumps({"status": status(), "built_at_import": built_at_import, "failures": failures,
                  "digests": digests}))
'''


def _fingerprints() -> dict[str, dict]:
    env = {k: v for k, v in os.environ.items() if k != lazy_aiogram.EAGER_ENV}
    procs = {mode: subprocess.Popen([sys.executable, "-c", FINGERPRINT, mode], cwd=REPO, env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for mode in ("stock", "lazy")}
    out = {}
    for mode, proc in procs.items():
        stdout, stderr = proc.communicate(timeout=240)
        assert proc.returncode == 0, f"{mode}: {stderr[-2000:]}"
        out[mode] = json.loads(stdout)
    return out


def test_every_type_and_method_builds_on_first_use_exactly_as_stock():
    runs = _fingerprints()
    stock, lazy = runs["stock"], runs["lazy"]
    assert lazy["status"] == "lazy"
    assert stock["status"] == "stock"  # core (and so the shim) never imported
    assert stock["failures"] == {} and lazy["failures"] == {}
    assert len(lazy["digests"]) > 500  # ~300 types + ~170 methods + the TelegramMethod[...] bases
    # Lazy: (almost) nothing was built at import; stock builds everything there.
    assert len(lazy["built_at_import"]) < 10, lazy["built_at_import"]
    assert len(stock["built_at_import"]) == len(stock["digests"])
    assert lazy["digests"].keys() == stock["digests"].keys()
    differ = sorted(k for k in stock["digests"] if stock["digests"][k] != lazy["digests"][k])
    assert differ == []


def test_the_shim_is_active_in_the_test_process():
    assert lazy_aiogram.status() == "lazy"
    assert lazy_aiogram._pydantic_mismatch() is None
    assert not any(isinstance(f, lazy_aiogram._AiogramHook) for f in sys.meta_path)  # it left after import
    assert "defer_build" not in SendMessage.model_config  # model configs are left as stock has them


USER = {"id": 7, "is_bot": False, "first_name": "Ann", "username": "ann", "language_code": "ru"}
CHAT = {"id": 7, "type": "private", "first_name": "Ann", "username": "ann"}
KEYBOARD = {"inline_keyboard": [[{"text": "Book", "callback_data": "book:1"},
                                 {"text": "Site", "url": "https://example.org/"}]]}
MESSAGE = {
    "message_id": 10, "from": USER, "chat": CHAT, "date": 1767225600,
    "caption": "Talk /menu at https://example.org", "caption_entities": [
        {"type": "bold", "offset": 0, "length": 4},
        {"type": "bot_command", "offset": 5, "length": 5},
        {"type": "url", "offset": 14, "length": 19}],
    "photo": [{"file_id": "small", "file_unique_id": "s", "width": 90, "height": 60, "file_size": 1000},
              {"file_id": "big", "file_unique_id": "b", "width": 1280, "height": 853}],
    "reply_markup": KEYBOARD,
}
CALLBACK = {"id": "cq1", "from": USER, "chat_instance": "ci", "data": "book:1",
            "message": {"message_id": 11, "chat": CHAT, "date": 1767225601, "text": "Pick one",
                        "reply_markup": KEYBOARD}}
POLL_ANSWER = {"poll_id": "p1", "user": USER, "option_ids": [0, 2], "option_persistent_ids": ["a", "c"]}


def _dump(update: Update) -> dict:
    return json.loads(update.model_dump_json(exclude_none=True, by_alias=True))


def test_updates_validate_and_serialise_as_telegram_sent_them():
    message = Update.model_validate({"update_id": 1, "message": MESSAGE})
    assert isinstance(message.message, Message) and message.event_type == "message"
    assert message.message.date == datetime.fromtimestamp(1767225600, tz=message.message.date.tzinfo)
    assert message.message.from_user.first_name == "Ann"
    assert [type(e) for e in message.message.caption_entities] == [MessageEntity] * 3
    assert message.message.caption_entities[2].extract_from(message.message.caption) == "https://example.org"
    assert isinstance(message.message.photo[-1], PhotoSize) and message.message.photo[-1].file_id == "big"
    button = message.message.reply_markup.inline_keyboard[0][0]
    assert isinstance(button, InlineKeyboardButton) and button.callback_data == "book:1"
    assert _dump(message) == {"update_id": 1, "message": MESSAGE}

    callback = Update.model_validate({"update_id": 2, "callback_query": CALLBACK})
    assert isinstance(callback.callback_query, CallbackQuery) and callback.event_type == "callback_query"
    assert isinstance(callback.callback_query.message, Message)  # not an InaccessibleMessage
    assert callback.callback_query.message.reply_markup.inline_keyboard[0][1].url == "https://example.org/"
    assert _dump(callback) == {"update_id": 2, "callback_query": CALLBACK}

    poll = Update.model_validate({"update_id": 3, "poll_answer": POLL_ANSWER})
    assert isinstance(poll.poll_answer, PollAnswer) and poll.poll_answer.option_ids == [0, 2]
    assert _dump(poll) == {"update_id": 3, "poll_answer": POLL_ANSWER}

    with pytest.raises(ValueError):
        Update.model_validate({"update_id": 4, "message": {**MESSAGE, "chat": {"type": "private"}}})


def _request(bot: Bot, method) -> tuple[dict, dict]:
    """What aiogram's aiohttp session would POST for ``method``: form fields and files."""
    files: dict = {}
    fields = {}
    for key, value in method.model_dump(warnings=False).items():
        value = bot.session.prepare_value(value, bot=bot, files=files)
        if value:
            fields[key] = value
    return fields, files


def test_methods_build_and_serialise_as_before():
    bot = Bot("42:TEST", default=DefaultBotProperties(parse_mode="HTML"))
    keyboard = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Book", callback_data="book:1"),
                                                      InlineKeyboardButton(text="Site", url="https://example.org/")]])
    keyboard_json = json.dumps(KEYBOARD)  # aiogram's json_dumps is json.dumps

    fields, _ = _request(bot, SendMessage(chat_id=7, text="<b>Hi</b>", reply_markup=keyboard))
    assert fields == {"chat_id": "7", "text": "<b>Hi</b>", "parse_mode": "HTML", "reply_markup": keyboard_json}
    entities = [MessageEntity(type="bold", offset=0, length=2)]
    fields, _ = _request(bot, SendMessage(chat_id="@chan", text="Hi", parse_mode=None, entities=entities))
    assert fields == {"chat_id": "@chan", "text": "Hi", "entities": '[{"type": "bold", "offset": 0, "length": 2}]'}

    photo = BufferedInputFile(b"\x89PNG", filename="qr.png")
    fields, files = _request(bot, SendPhoto(chat_id=7, photo=photo, caption="QR", reply_markup=keyboard))
    assert fields["chat_id"] == "7" and fields["caption"] == "QR" and fields["parse_mode"] == "HTML"
    assert fields["reply_markup"] == keyboard_json
    assert fields["photo"].startswith("attach://") and list(files.values()) == [photo]

    fields, _ = _request(bot, EditMessageText(chat_id=7, message_id=10, text="Booked", reply_markup=keyboard))
    assert fields == {"chat_id": "7", "message_id": "10", "text": "Booked", "parse_mode": "HTML",
                      "reply_markup": keyboard_json}
    fields, _ = _request(bot, AnswerCallbackQuery(callback_query_id="cq1", text="Done", show_alert=True))
    assert fields == {"callback_query_id": "cq1", "text": "Done", "show_alert": "true"}

    with pytest.raises(ValueError):
        SendMessage(chat_id=7, text=None)
    with pytest.raises(ValueError):
        EditMessageText(text="x", reply_markup=InlineKeyboardMarkup(inline_keyboard=[[{"callback_data": "no text"}]]))


def test_replies_parse_through_generic_responses():
    bot = Bot("42:TEST")
    reply = {"ok": True, "result": {**MESSAGE, "from": {"id": 42, "is_bot": True, "first_name": "Bot"}}}
    response = bot.session.check_response(bot, SendMessage(chat_id=7, text="x"), 200, json.dumps(reply))
    assert isinstance(response.result, Message) and response.result.photo[0].file_id == "small"
    assert response.result.reply_markup.inline_keyboard[0][0].callback_data == "book:1"


def test_models_of_our_own_can_embed_aiogram_types():
    # Nested in a foreign model, a type not built yet is built inline and resolves its forward refs
    # in its own module — where aiogram imports its neighbours only for type checkers.
    class Envelope(BaseModel):
        update: Update
        poll_answer: PollAnswer

    envelope = Envelope.model_validate({"update": {"update_id": 5, "callback_query": CALLBACK},
                                        "poll_answer": POLL_ANSWER})
    assert envelope.update.callback_query.message.chat.first_name == "Ann"
    assert envelope.poll_answer.user.username == "ann"


def test_falls_back_to_stock_aiogram_when_the_internals_are_not_as_expected():
    # Simulates a future aiogram whose types module the shim cannot handle: it must log and build eagerly.
    script = (
        "import core.lazy_aiogram as shim\n"
        "def broken(self, recorded): raise RuntimeError('unexpected aiogram')\n"
        "shim._AiogramHook._lazy_types = broken\n"
        "import core, aiogram.types as t\n"
        "assert shim.status() == 'eager: RuntimeError: unexpected aiogram', shim.status()\n"
        "assert all(getattr(t, n).__pydantic_complete__ for n in t.__all__ if hasattr(getattr(t, n), 'model_rebuild'))\n"
        "print(t.Update.model_validate({'update_id': 1, 'poll_answer': %r}).poll_answer.option_ids)\n" % POLL_ANSWER
    )
    env = {k: v for k, v in os.environ.items() if k != lazy_aiogram.EAGER_ENV}
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[0, 2]"
    assert "aiogram schemas are built eagerly at import" in done.stderr


def test_can_be_switched_off_from_the_environment():
    env = {**os.environ, lazy_aiogram.EAGER_ENV: "1"}
    done = subprocess.run([sys.executable, "-c", "import core, aiogram, core.lazy_aiogram as s; print(s.status())"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == f"eager: {lazy_aiogram.EAGER_ENV} is set"


def test_a_type_referenced_from_outside_aiogram_is_built_once_on_its_own():
    # Response[Message] parses every sendMessage reply, and pydantic's generic cache is weak: after a
    # garbage collection it is created again. It must then reuse a built Message (cheap, as stock)
    # rather than inline Message's whole tree again; what Message references stays inlined into it.
    script = (
        "import gc, core\n"
        "from aiogram.methods.base import Response\n"
        "from aiogram.types import Message, Poll\n"
        "assert not Message.__pydantic_complete__\n"
        "Response[Message]\n"
        "assert Message.__pydantic_complete__ and not Poll.__pydantic_complete__\n"
        "assert '__get_pydantic_core_schema__' not in Message.__dict__\n"
        "gc.collect()\n"
        "chat = {'id': 1, 'type': 'private'}\n"
        "reply = {'ok': True, 'result': {'message_id': 1, 'date': 0, 'chat': chat, 'from': {'id': 2, 'is_bot': True,"
        " 'first_name': 'Bot'}}}\n"
        "print(Response[Message].model_validate(reply).result.from_user.first_name)\n"
        "try:\n"
        "    Response[Message].model_validate({'ok': True, 'result': {**reply['result'], 'poll': {'id': 'p'}}})\n"
        "except ValueError as exc:\n"
        "    print(exc.errors()[0]['loc'][:3])\n"
    )
    env = {k: v for k, v in os.environ.items() if k != lazy_aiogram.EAGER_ENV}
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("\n")[:2] == ["Bot", "('result', 'poll', 'question')"]
