"""Keep aiogram's parametrised ``Response[...]`` models alive for the life of the process.

aiogram parses every Bot API answer with ``Response[method.__returning__]``. pydantic caches
parametrised generics in a ``WeakValueDictionary``, so whenever the garbage collector runs
between two requests the class is collected and the next request builds it again: its whole
schema (``Response[Message]`` pulls in Message and everything under it), about 6–12 ms each
time. Under a burst that happened every few dozen updates (bench/dispatch, cProfile: 29 rebuilds
per 1000 updates, 0.44 ms per update on average). One strong reference per parametrisation —
a handful of classes — keeps pydantic's own cache warm.
"""

from __future__ import annotations

from typing import Any

_kept: dict[Any, type] = {}


def keep_alive() -> None:
    from aiogram.methods.base import Response

    if getattr(Response, "_organizer_keeps_alive", False):
        return
    build = Response.__class_getitem__.__func__

    def class_getitem(cls, params):
        model = build(cls, params)
        if cls is Response:
            try:
                _kept.setdefault(params, model)
            except TypeError:  # unhashable parameters: leave it to pydantic
                pass
        return model

    Response.__class_getitem__ = classmethod(class_getitem)
    Response._organizer_keeps_alive = True
