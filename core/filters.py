"""Router filters the core and plugins share."""

from __future__ import annotations

from typing import Any

from aiogram.filters import Filter
from aiogram.types import TelegramObject
from aiogram.utils.magic_filter import MagicFilter


class Magic(Filter):
    """A magic filter (``Magic(F.data == "core:menu")``) checked on the event loop.

    aiogram runs every *synchronous* filter — a bare ``F...`` expression, a bare ``State`` — through
    ``asyncio.to_thread``: a thread-pool round trip (GIL hand-over, loop wake-up) for an attribute
    comparison that takes a microsecond, and a callback query is checked against every handler's
    filter until one matches. A ``Filter`` subclass is awaited directly, so the same check costs
    nothing. Same result as the bare expression (a dict from ``.as_(...)`` is injected as usual).
    For FSM states use ``StateFilter(MyStates.step)``, which is a ``Filter`` too."""

    __slots__ = ("magic",)

    def __init__(self, magic: MagicFilter):
        self.magic = magic

    async def __call__(self, event: TelegramObject) -> Any:
        return self.magic.resolve(event)




class PluginEnabled(Filter):
    """Root filter of a plugin's wrapper router: skip the whole subtree when the plugin is off
    for the update's event. Injects the plugin's validated per-event config as ``plugin_config``."""

    def __init__(self, plugin: str):
        self.plugin = plugin

    async def __call__(self, event: TelegramObject, event_ctx=None, app=None, **data: Any) -> bool | dict:
        if event_ctx is None or event_ctx.event is None or self.plugin not in event_ctx.active:
            return False
        return {"plugin_config": app.plugin_config(event_ctx.event.slug, self.plugin)}

