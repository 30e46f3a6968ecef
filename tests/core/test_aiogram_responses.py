"""aiogram's parsed-answer models survive garbage collection (rebuilding one costs milliseconds)."""

import gc

from aiogram.methods.base import Response
from aiogram.types import Message

import core.app  # noqa: F401 - installs the keeper


def test_a_response_model_is_built_once_per_process():
    first = Response[Message]
    first_id = id(first)
    del first
    gc.collect()
    assert id(Response[Message]) == first_id
    assert Response[Message].model_validate({"ok": True, "result": {
        "message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}, "text": "hi"}}).result.text == "hi"
